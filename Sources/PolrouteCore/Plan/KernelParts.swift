/// Which of the kernel's objects a plan compares: each family's rules, and each family's routes.
///
/// After its change an apply reads back only the parts its changes touched (`StateReader.readBack`) and verifies only
/// those: the rest is the snapshot's, which the plan already compared with the policy and found nothing to change in
/// (or the plan would have touched it). Comparing those 15,000 untouched rules again cost a hook's apply that
/// restored two routes 7 ms.
public struct KernelParts: Hashable, Sendable {
  /// The families whose rules are compared.
  public var ruleFamilies: Set<AddressFamily>
  /// The families whose routes are compared.
  public var routeFamilies: Set<AddressFamily>

  /// Parts by family.
  public init(ruleFamilies: Set<AddressFamily>, routeFamilies: Set<AddressFamily>) {
    self.ruleFamilies = ruleFamilies
    self.routeFamilies = routeFamilies
  }

  /// Every rule and every route.
  public static let all = KernelParts(
    ruleFamilies: Set(AddressFamily.allCases), routeFamilies: Set(AddressFamily.allCases))

  /// The parts `changes` add to, change or delete from.
  public init(touchedBy changes: [KernelChange]) {
    self.init(ruleFamilies: [], routeFamilies: [])
    for change in changes {
      if change.isRule {
        ruleFamilies.insert(change.family)
      } else {
        routeFamilies.insert(change.family)
      }
    }
  }

  /// Whether a change is to one of the parts.
  public func contains(_ change: KernelChange) -> Bool {
    (change.isRule ? ruleFamilies : routeFamilies).contains(change.family)
  }
}
