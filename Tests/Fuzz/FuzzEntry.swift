// The libFuzzer entry point for polroute's input readers. Built by Tests/Fuzz/fuzz.sh (`make fuzz`) with
// `swiftc -sanitize=fuzzer,address` together with the PolrouteCore sources, as one binary whose target is chosen by
// POLROUTE_FUZZ_TARGET, so the sources are compiled once for all targets.

#if canImport(Glibc)
  import Glibc
#endif

/// What one fuzz run feeds its input to.
enum FuzzTarget: String, CaseIterable {
  /// The policy file parser, then resolution, the plan and the renderers for what parses.
  case policyText = "policy-text"
  /// The JSON policy parser, likewise.
  case policyJSON = "policy-json"
  /// The `ip -j` decoders: whole documents and the streamed `-batch` output.
  case ipJSON = "ip-json"
  /// The snapshot loader, then inspection, derivation, the plan and the renderers for what loads.
  case snapshot = "snapshot"

  /// The target POLROUTE_FUZZ_TARGET names; the run stops with a message when it names none.
  static let current: FuzzTarget = {
    let name = getenv("POLROUTE_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
      let names = allCases.map(\.rawValue).joined(separator: ", ")
      fputs("polroute-fuzz: set POLROUTE_FUZZ_TARGET to one of: \(names)\n", stderr)
      exit(2)
    }
    return target
  }()

  /// Feeds one input to the target.
  func run(_ bytes: [UInt8]) {
    switch self {
    case .policyText: PolicyFuzzing.text(bytes)
    case .policyJSON: PolicyFuzzing.json(bytes)
    case .ipJSON: IPOutputFuzzing.run(bytes)
    case .snapshot: SnapshotFuzzing.run(bytes)
    }
  }
}

/// libFuzzer calls this once per input; anything but a clean return (a trap, a sanitizer report, a stack overflow)
/// is a crash it saves.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  FuzzTarget.current.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
  return 0
}
