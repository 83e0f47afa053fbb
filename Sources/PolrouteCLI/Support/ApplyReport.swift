import PolrouteCore
import PolrouteSystem

/// What apply prints when it is done.
struct ApplyReport {
  /// What happened.
  var outcome: ApplyOutcome
  /// How long it took.
  var milliseconds: Int64

  /// The human summary.
  func text(style: Style) -> String {
    var text = ""
    // "Verified" only when every address replies the right way; what the policy cannot steer is listed below.
    let verdict = outcome.unresolved.isEmpty ? "verified" : "verified except the unresolved addresses below"
    if outcome.changes.isEmpty {
      text += "Nothing changed in the kernel; \(verdict).\n"
    } else {
      let counts = ChangeCounts(outcome.changes)
      text +=
        style.green("Applied") + ": \(counts.add) added, \(counts.replace) replaced, \(counts.delete) deleted "
      text +=
        "with \(outcome.processes) ip process\(outcome.processes == 1 ? "" : "es") in \(milliseconds) ms; \(verdict).\n"
      for probe in outcome.probes where probe.probe.kind == .remoteReply && probe.probe.promised {
        text += "  reply \(probe.description)\n"
      }
      if outcome.confirmed == true { text += "Confirmed.\n" }
    }
    let written = outcome.files.filter { $0.action != .unchanged }
    for change in written { text += "\(change.action.rawValue) \(change.path)\n" }
    if !outcome.files.isEmpty && written.isEmpty { text += "Files already up to date.\n" }
    if !outcome.unresolved.isEmpty {
      text +=
        "\n" + style.yellow("Unresolved") + ": replies from these addresses to remote clients leave through another"
      text += " interface, and the policy cannot steer them:\n"
      for address in outcome.unresolved {
        text +=
          "  \(address.address) (\(address.interface)) leaves through \(address.leaves ?? "nowhere"): \(address.reason)\n"
        text += "    fix: \(address.fix)\n"
      }
    }
    return text
  }

  /// The machine-readable summary (Ansible's changed_when reads "changed").
  func json() throws -> String {
    /// An address the policy cannot steer.
    struct Unresolved: Encodable {
      /// The address.
      var address: String
      /// Its interface.
      var interface: String
      /// Where its replies leave.
      var leaves: String?
      /// Why the policy does not steer it.
      var reason: String
      /// The policy line that would.
      var fix: String
    }
    /// A verification probe.
    struct Probe: Encodable {
      /// `remote reply` or `connected network`.
      var kind: String
      /// The uplink address replies come from.
      var source: String
      /// The destination probed.
      var destination: String
      /// The device `ip route get` chose.
      var device: String?
      /// The gateway it chose.
      var gateway: String?
      /// Whether that is where the policy sends them.
      var passed: Bool
    }
    /// A file written (or already up to date).
    struct File: Encodable {
      /// The path.
      var path: String
      /// create, update, delete or unchanged.
      var action: String
    }
    /// The whole document.
    struct Document: Encodable {
      /// Whether the kernel or a file changed.
      var changed: Bool
      /// How many `ip` processes changed the kernel.
      var commandsRun: Int
      /// The kernel changes made.
      var changes: [JSONOutput.Change]
      /// Whether every address replies the right way: false when some are unresolved.
      var verified: Bool
      /// The probes.
      var probes: [Probe]
      /// The addresses whose replies leave through another interface, which the policy cannot steer.
      var unresolved: [Unresolved]
      /// The files.
      var files: [File]
      /// Whether a confirmation was given, when one was asked for.
      var confirmed: Bool?
      /// How long the apply took.
      var durationMilliseconds: Int64
    }
    let document = Document(
      changed: !outcome.changes.isEmpty || outcome.files.contains { $0.action != .unchanged },
      commandsRun: outcome.processes,
      changes: zip(outcome.changes, outcome.batchLines).map { JSONOutput.Change($0, line: $1) },
      verified: outcome.unresolved.isEmpty,
      probes: outcome.probes.map {
        Probe(
          kind: $0.probe.kind.rawValue, source: $0.probe.source.description,
          destination: $0.probe.destination.description, device: $0.device, gateway: $0.gateway?.description,
          passed: $0.passed)
      },
      unresolved: outcome.unresolved.map {
        Unresolved(
          address: $0.address.description, interface: $0.interface, leaves: $0.leaves, reason: $0.reason,
          fix: $0.fix)
      },
      files: outcome.files.map { File(path: $0.path, action: $0.action.rawValue) }, confirmed: outcome.confirmed,
      durationMilliseconds: milliseconds)
    return try JSONOutput.encode(document)
  }

  /// The JSON of a failed apply.
  static func failureJSON(_ failure: ApplyFailure, milliseconds: Int64) throws -> String {
    /// The whole document.
    struct Document: Encodable {
      /// Whether the host was left changed (only when the restore failed).
      var changed: Bool
      /// The error that stopped the apply.
      var error: String
      /// Whether the host was restored.
      var restored: Bool
      /// Why the restore failed, if it did.
      var restoreProblem: String?
      /// The commands left to run by hand.
      var remaining: [String]
      /// How long it took.
      var durationMilliseconds: Int64
    }
    return try JSONOutput.encode(
      Document(
        changed: !failure.restored, error: failure.cause, restored: failure.restored,
        restoreProblem: failure.restoreProblem,
        remaining: failure.remaining, durationMilliseconds: milliseconds))
  }
}
