import PolrouteCore

/// How an apply ended when it could not complete.
public struct ApplyFailure: Error, Sendable, CustomStringConvertible {
  /// What went wrong first: this is the error the user must see.
  public var cause: String
  /// Whether the host was put back as it was.
  public var restored: Bool
  /// When the restore failed too: why, and the commands still to run by hand.
  public var restoreProblem: String?
  /// The `ip` commands that would finish the restore.
  public var remaining: [String]

  /// The original error first; a failed restore after it, loudly, with what is left to fix by hand.
  public var description: String {
    var text = cause
    if restored {
      text += "\nthe host was restored to its state before the apply"
    } else {
      text += "\n\n!!! ROLLBACK FAILED: the host is NOT as it was before the apply !!!\n"
      text += "!!! \(restoreProblem ?? "the restore did not complete")\n"
      if !remaining.isEmpty {
        text += "!!! run these as root to finish restoring it:\n"
        text += remaining.map { "    \($0)" }.joined(separator: "\n")
      }
    }
    return text
  }
}

/// The result of a probe: where a packet from one of the host's addresses actually leaves.
public struct ProbeResult: Sendable, Hashable {
  /// The probe.
  public var probe: Verification.Probe
  /// The device `ip route get` chose.
  public var device: String?
  /// The gateway it chose.
  public var gateway: IPAddress?

  /// Whether the packet leaves where the probe expects.
  public var passed: Bool { probe.passes(device: device, gateway: gateway) }

  /// "from 203.0.113.10 to 198.18.0.1: via 203.0.113.1 dev data".
  public var description: String {
    let actual = (gateway.map { "via \($0) " } ?? "") + "dev \(device ?? "?")"
    let expected = (probe.gateway.map { "via \($0) " } ?? "") + "dev \(probe.device)"
    return "from \(probe.source) to \(probe.destination): \(actual)" + (passed ? "" : " (expected \(expected))")
  }
}

/// What an apply did.
public struct ApplyOutcome: Sendable {
  /// The changes made (empty when the host already matched).
  public var changes: [KernelChange]
  /// The `ip -batch` line of each change, made once for the kernel and the report.
  public var batchLines: [String]
  /// How many `ip` processes changed the kernel.
  public var processes: Int
  /// The probes run after the change.
  public var probes: [ProbeResult]
  /// The addresses whose replies still leave through another interface, which the policy cannot steer.
  public var unresolved: [Verification.Unresolved]
  /// The files written with --persist.
  public var files: [FileChange]
  /// Whether a confirmation was asked for and given.
  public var confirmed: Bool?
}

/// Options of one apply.
public struct ApplyOptions: Sendable {
  /// Seconds to wait for confirmation after a verified apply; nil for none.
  public var confirmSeconds: Int?
  /// The directory for the confirmation handshake.
  public var runDirectory: String
  /// The interfaces an `apply --interface` converges: only their part is verified and probed; nil for all.
  public var scope: InterfaceScope?
  /// With `confirmSeconds`: what records the change before the kernel changes, so it is rolled back even if this
  /// process dies (nil: only this process rolls it back).
  public var changeGuard: (any ChangeGuard)?

  /// Builds options.
  public init(
    confirmSeconds: Int? = nil, runDirectory: String = RunDirectory.defaultPath, scope: InterfaceScope? = nil,
    changeGuard: (any ChangeGuard)? = nil
  ) {
    self.confirmSeconds = confirmSeconds
    self.runDirectory = runDirectory
    self.scope = scope
    self.changeGuard = changeGuard
  }
}
