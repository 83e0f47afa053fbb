import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

/// The programs that read what the manager formats render, run on the renderer golden policy (every statement,
/// selector, action and route type) for the sample host whose data is networkd's and mgmt NetworkManager's, both
/// defined in netplan too: `nmcli --offline`, `netplan generate`, `systemd-analyze verify`, `shellcheck`. None
/// needs root.
@Suite("what the managers read, checked by their own programs")
struct ManagerConsumersTests {
  /// The golden policy and the sample host's context, the boot unit running `executable`.
  static func rendered(executable: String = RenderContext.installedExecutable) throws -> (Policy, RenderContext) {
    let path = TestPaths.packageRoot + "/Tests/Renderers/policy.conf"
    let parsed = PolicyParser.parse(try #require(TestPaths.read(path)), file: "Tests/Renderers/policy.conf")
    let policy = try PolicyResolver(state: SampleHosts.dualHomed, document: parsed.document, isSnapshot: true).resolve()
    let context = RenderContext(
      hostname: "server", hostConfiguration: SampleHosts.managedConfiguration, executable: executable)
    return (policy, context)
  }

  /// A profile with IPv6 on, so that IPv6 routes and rules may be set.
  static let profile = SampleHosts.dataProfile + "\n[ipv6]\nmethod=auto\n"

  @Test(
    "nmcli --offline takes every rendered route and rule on its own, and writes each as the keyfile fragment has it",
    .requires(.nmcli), arguments: ["mgmt", "data"])
  func nmcliTakesEveryEntry(_ device: String) throws {
    // Both interfaces NetworkManager's: data's profile gets the application rules, with every selector.
    var (policy, context) = try Self.rendered()
    context.hostConfiguration = SampleHosts.networkManagerConfiguration
    let (connections, _) = NetworkManagerRenderer.connections(policy, context: context)
    let connection = try #require(connections.first { $0.device == device })
    let fragment = try #require(
      NetworkManagerRenderer.render(policy, context: context).files.first { $0.path.hasSuffix("/\(device).keyfile") })
    // Without their numbers: alone, every entry is route1 or routing-rule1.
    func unnumbered(_ line: Substring) -> String {
      let key = line.prefix { $0 != "=" }
      return key.filter { !$0.isNumber } + line.dropFirst(key.count)
    }
    let fragmentLines = Set(fragment.contents.split(separator: "\n").map(unnumbered))
    var count = 0
    for property in NetworkManagerRenderer.properties {
      for entry in connection.entries[property] ?? [] {
        // One at a time: given several, nmcli drops an invalid one without a word.
        let run = try Live.run(
          ["nmcli", "--offline", "connection", "modify", "+" + property, entry], input: Self.profile)
        #expect(run.status == 0, "nmcli refused \(property) '\(entry)': \(run.errorText)")
        let written = run.outputText.split(separator: "\n").filter {
          $0.hasPrefix("route1") || $0.hasPrefix("routing-rule1=")
        }.map(unnumbered)
        #expect(!written.isEmpty && written.allSatisfy(fragmentLines.contains), "\(entry) → \(written)")
        count += 1
      }
    }
    #expect(count == connection.entries.values.map(\.count).reduce(0, +) && count > 0)
    // All at once, the keyfile's lines are the fragment's, in its order.
    var arguments = ["nmcli", "--offline", "connection", "modify"]
    for property in NetworkManagerRenderer.properties {
      arguments += [property, (connection.entries[property] ?? []).joined(separator: ", ")]
    }
    let all = try Live.run(arguments, input: Self.profile)
    #expect(all.status == 0, "\(all.errorText)")
    let numbered = all.outputText.split(separator: "\n").map(String.init).filter {
      $0.hasPrefix("route") || $0.hasPrefix("routing-rule")
    }
    let expected = fragment.contents.split(separator: "\n").map(String.init).filter {
      $0.hasPrefix("route") || $0.hasPrefix("routing-rule")
    }
    #expect(numbered == expected)
  }

  @Test("what NetworkManager cannot carry is said, naming the rule, the connection and why")
  func nmRefusals() throws {
    var (policy, context) = try Self.rendered()
    let (_, missing) = NetworkManagerRenderer.connections(policy, context: context)
    #expect(
      missing.map(\.description) == [
        "warning: nm: no NetworkManager connection for data was found on this host, so polroute writes nothing for it "
          + "(create one, or use --format systemd)"
      ])
    context.hostConfiguration = SampleHosts.networkManagerConfiguration
    let (_, diagnostics) = NetworkManagerRenderer.connections(policy, context: context)
    #expect(
      diagnostics.map(\.description) == [
        "error: nm: cannot write IPv4 rule 9100 to connection data (data): NetworkManager's rules have no 'goto 20005' "
          + "action",
        "error: nm: cannot write IPv4 rule 10001 to connection data (data): NetworkManager takes no sport range that "
          + "holds 0 or 65535 ('1024-65535')",
        "error: nm: cannot write IPv4 rule 10005 to connection data (data): NetworkManager's rules have no 'nop' action",
        "error: nm: cannot write IPv6 rule 10001 to connection data (data): NetworkManager takes no sport range that "
          + "holds 0 or 65535 ('1024-65535')",
        "error: nm: cannot write IPv6 rule 10005 to connection data (data): NetworkManager's rules have no 'nop' action",
      ])
  }

  @Test(
    "netplan generate takes the YAML beside the user's without a word; the .network it makes carries the same routes and rules",
    .requires(.netplan))
  func netplanGenerate() throws {
    let (policy, context) = try Self.rendered()
    let rendered = NetplanYAMLRenderer.render(policy, context: context)
    let yaml = try #require(rendered.files.first)
    let root = try TemporaryDirectory("netplan")
    try root.write("etc/netplan/50-server.yaml", SampleHosts.managedFiles["/etc/netplan/50-server.yaml"] ?? "")
    try root.write("etc/netplan/90-polroute.yaml", yaml.contents)
    for name in ["50-server.yaml", "90-polroute.yaml"] {
      try FileManager.default.setAttributes(
        [.posixPermissions: 0o600], ofItemAtPath: root.path + "/etc/netplan/" + name)
    }
    let run = try Live.run(["netplan", "generate", "--root-dir", root.path])
    #expect(run.status == 0 && run.errorText == "" && run.outputText == "", "netplan: \(run.errorText)")

    // data (networkd): netplan's file holds every route and rule polroute wrote for it, as networkd sections.
    let generated = try #require(root.read("run/systemd/network/10-netplan-data.network"))
    let netplanSections = Self.comparableSections(generated)
    var dataOnly = context
    dataOnly.assignment = ["data": [.networkd]]
    let networkd = try #require(NetworkdRenderer.render(policy, context: dataOnly).files.first).contents
    let carried = Self.parse(networkd).filter { section in
      // The routes, and the rules netplan's routing-policy can hold.
      section.name == "Route" || Self.netplanCarries(section)
    }
    #expect(!carried.isEmpty)
    for section in carried {
      #expect(netplanSections.contains(section.comparable), "netplan's file lacks [\(section.name)] \(section.keys)")
    }
    // mgmt (NetworkManager): netplan's profile holds polroute's routes, as the keyfile fragment has them.
    let profile = try #require(root.read("run/NetworkManager/system-connections/netplan-mgmt.nmconnection"))
    let fragment = try #require(
      NetworkManagerRenderer.render(policy, context: context).files.first { $0.path.hasSuffix("/mgmt.keyfile") })
    let routes = Set(
      fragment.contents.split(separator: "\n").filter { $0.hasPrefix("route") && !$0.hasPrefix("routing") })
    let written = Set(profile.split(separator: "\n").filter { $0.hasPrefix("route") && !$0.hasPrefix("routing") })
    #expect(!routes.isEmpty && Self.sameRoutes(routes.map(String.init), written.map(String.init)), "\(written)")
    #expect(!profile.contains("routing-rule"), "netplan 0.106 carries rules to NetworkManager after all")
  }

  @Test("systemd-analyze verify takes the boot unit and the drop-in that starts it", .requires(.systemdAnalyze))
  func systemdAnalyze() throws {
    let (policy, context) = try Self.rendered(executable: TestPaths.binary)
    let root = try TemporaryDirectory("unit")
    for file in SystemdUnitRenderer.render(policy, context: context).files where file.path.contains("/system/") {
      try root.write(String(file.path.dropFirst()), file.contents)
    }
    let unit = root.path + "/etc/systemd/system/polroute.service"
    let run = try Live.run(["systemd-analyze", "verify", "--man=no", unit])
    #expect(run.status == 0 && run.errorText == "", "systemd-analyze: \(run.errorText)")
    // A unit with a broken ExecStart is refused: the check can fail.
    try root.write("broken/polroute.service", "[Service]\nType=oneshot\nExecStart=relative/path\n")
    let broken = try Live.run(["systemd-analyze", "verify", "--man=no", root.path + "/broken/polroute.service"])
    #expect(broken.status != 0)
  }

  @Test("the nmcli script is clean under shellcheck", .requires(.shellcheck))
  func shellcheckNMScript() throws {
    let (policy, context) = try Self.rendered()
    let script = try #require(NetworkManagerRenderer.render(policy, context: context).files.first { $0.mode == 0o755 })
    let root = try TemporaryDirectory("nmscript")
    let path = try root.write("apply-connections.sh", script.contents)
    let run = try Live.run(["shellcheck", "-s", "sh", "-f", "gcc", path])
    #expect(run.status == 0, "\(run.outputText)")
  }

  // MARK: helpers

  /// An INI section: its name and its `KEY=VALUE` lines.
  struct Section: Hashable {
    /// `Route`, `RoutingPolicyRule`.
    var name: String
    /// The lines, sorted.
    var keys: [String]

    /// The section without what netplan writes its own way: the protocol (netplan sets none), a host prefix's
    /// length, `Family=` (netplan takes it from the addresses), IPv6 `Scope=`.
    var comparable: Section {
      let dropped = ["Protocol=", "Family=", "Scope=global"]
      var keys = self.keys.filter { key in !dropped.contains { key.hasPrefix($0) } }
      keys = keys.map { $0.hasSuffix("/32") || $0.hasSuffix("/128") ? String($0.split(separator: "/")[0]) : $0 }
      if keys.contains(where: { $0.contains(":") && $0.hasPrefix("Destination=") }) {
        keys.removeAll { $0 == "Scope=link" }
      }
      return Section(name: name, keys: keys.sorted())
    }
  }

  /// The sections of a networkd file, comparable.
  static func comparableSections(_ text: String) -> Set<Section> {
    Set(parse(text).map(\.comparable))
  }

  /// Splits a networkd file into sections.
  static func parse(_ text: String) -> [Section] {
    var sections: [Section] = []
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
      if line.hasPrefix("[") {
        sections.append(Section(name: String(line.dropFirst().dropLast()), keys: []))
      } else if !sections.isEmpty {
        sections[sections.count - 1].keys.append(String(line))
      }
    }
    return sections.map { Section(name: $0.name, keys: $0.keys.sorted()) }
  }

  /// Whether netplan's routing-policy can hold a rule written as a networkd section.
  static func netplanCarries(_ section: Section) -> Bool {
    guard section.name == "RoutingPolicyRule" else { return false }
    let allowed = ["From=", "To=", "Table=", "Priority=", "Family=", "TypeOfService="]
    return section.keys.allSatisfy { key in allowed.contains { key.hasPrefix($0) } }
      && section.keys.contains { $0.hasPrefix("From=") || $0.hasPrefix("To=") }
  }

  /// Whether two sets of keyfile route lines hold the same routes, whatever their numbers.
  static func sameRoutes(_ left: [String], _ right: [String]) -> Bool {
    func routes(_ lines: [String]) -> Set<String> {
      var byNumber: [String: String] = [:]
      for line in lines {
        let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { continue }
        let key = parts[0].replacingOccurrences(of: "_options", with: "")
        if parts[0].hasSuffix("_options") {
          byNumber[key, default: ""] += " " + parts[1].split(separator: ",").sorted().joined(separator: ",")
        } else {
          // DEST,GATEWAY,METRIC: an unset gateway is empty or the family's any address.
          var fields = parts[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
          if fields.count > 1, ["0.0.0.0", "::"].contains(fields[1]) { fields[1] = "" }
          byNumber[key] = fields.joined(separator: ",") + (byNumber[key] ?? "")
        }
      }
      return Set(byNumber.values)
    }
    return routes(left) == routes(right)
  }
}
