import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

/// Values from outside polroute never reach a shell unquoted: interface names with shell metacharacters (real
/// interfaces in a namespace), a snapshot whose host name holds a newline and a command, and a policy file whose
/// path does. Every rendered format is checked: the script and the Debian lines run with a fake `ip` that records
/// its argv and fake `id`/`touch` that record being run; RHEL refuses the names; the headers stay comments.
@Suite("quoting, live", .enabled(if: Live.enabled), .requires(TestTool.namespaceHost), .serialized)
struct QuotingLiveTests {
  /// The interfaces: names that run `touch x` or `id` or break quoting when a shell reads them unquoted, and one
  /// plain name; each with its address.
  static let interfaces: [(name: String, address: String)] = [
    (#"e;touch${IFS}x"#, "203.0.113.10/24"), ("d$(id)", "198.51.100.10/24"), ("q'x", "192.0.2.10/26"),
    ("b`id`", "100.64.0.10/24"), ("up0", "100.64.1.10/24"),
  ]

  /// The policy with every interface an uplink, and rules naming the odd interfaces.
  static let policy = #"""
    auto
    uplink edge dev "e;touch${IFS}x" table 100 via 203.0.113.1
    rule iif "d$(id)" lookup edge priority 9000
    rule oif "b`id`" fwmark 0x1 lookup edge priority 9100
    rule iif "e;touch${IFS}x" to 192.0.2.0/24 lookup main priority 9200

    """#

  /// A policy ifupdown can take: the stanza is up0's, the odd names are only in its rules.
  static let debianPolicy = #"""
    uplink edge dev up0 table 100 via 100.64.1.1
    route 192.0.2.0/24 via 100.64.1.1 table edge
    rule iif "d$(id)" lookup edge priority 9000
    rule oif "b`id`" fwmark 0x1 lookup edge priority 9100
    rule iif "e;touch${IFS}x" to 192.0.2.0/24 lookup edge priority 9200

    """#

  /// A fake `ip`: records its argv, one word a line and `--` after each call, and answers the script's questions
  /// with a stale rule at 9000, the wanted one at 9100, a stale route in table 100 and a table polroute left.
  static let fakeIP = #"""
    #!/bin/sh
    for word in "$@"; do printf '%s\n' "$word"; done >>"$POLROUTE_FAKE_LOG"
    printf -- '--\n' >>"$POLROUTE_FAKE_LOG"
    case "$*" in
      -V) echo 'ip utility, iproute2-6.1.0' ;;
      '-N -4 rule show')
        printf '%s\n' '0:	from all lookup 255' '9000:	from all iif d$(id) lookup 101 proto 177' \
          '9100:	from all fwmark 0x1 oif b`id` lookup 100 proto 177'
        ;;
      '-4 route show table 100')
        printf '%s\n' 'default via 203.0.113.1 dev e;touch${IFS}x proto 177 ' \
          '192.0.2.0/24 via 203.0.113.1 dev e;touch${IFS}x proto 177 '
        ;;
      '-4 route show table all proto 177') printf '%s\n' 'blackhole 192.0.2.0/24 table 150 proto 177 ' ;;
    esac
    exit 0

    """#

  /// The host name the snapshot claims.
  static let hostname = "host\ntouch${IFS}pwned-host #"

  /// The fakes, the snapshot and the policy files, in one scratch directory.
  struct Setup {
    /// The scratch directory.
    let scratch: ScratchDirectory
    /// The namespace with the interfaces.
    let namespace: Namespace
    /// The snapshot of the namespace, with the odd host name.
    let state: String
    /// The policy file, at a path holding a newline and a command.
    let policy: String
    /// The Debian policy file.
    let debianPolicy: String
    /// `PATH` with the fakes first.
    let fakePath: String
    /// `PATH` with only the fake `id` and `touch` first (the real `ip`).
    let trapPath: String
    /// Where the fake `ip` records.
    var log: String { scratch.path + "/ip.log" }
    /// Where the fake `id` and `touch` record.
    var trap: String { scratch.path + "/trap" }
    /// An empty directory to run in: `touch x` would leave a file there.
    var cwd: String { scratch.path + "/cwd" }

    /// Builds the namespace and the files.
    init() throws {
      scratch = try ScratchDirectory("quot")
      namespace = try Namespace("quot")
      for (index, interface) in QuotingLiveTests.interfaces.enumerated() {
        let peer = "p\(index)"
        let add = ["link", "add", "name", interface.name, "type", "veth", "peer", "name", peer]
        try Live.check(["ip", "-n", namespace.name] + add)
        try Live.check(["ip", "-n", namespace.name, "link", "set", interface.name, "up"])
        try Live.check(["ip", "-n", namespace.name, "link", "set", peer, "up"])
        try Live.check(["ip", "-n", namespace.name, "addr", "add", interface.address, "dev", interface.name])
      }
      try namespace.sysctl("net.ipv6.conf.all.accept_dad=0")
      // Every interface has a gateway (so each is an uplink, and its name reaches every kind of line).
      for command in [
        ["route", "add", "192.0.2.128/25", "via", "203.0.113.1", "dev", #"e;touch${IFS}x"#],
        ["route", "add", "default", "via", "198.51.100.1", "dev", "d$(id)"],
        ["route", "add", "100.65.0.0/16", "via", "192.0.2.1", "dev", "q'x"],
        ["route", "add", "100.66.0.0/16", "via", "100.64.0.1", "dev", "b`id`"],
        ["route", "add", "100.67.0.0/16", "via", "100.64.1.1", "dev", "up0"],
        ["-6", "addr", "add", "2001:db8:a::10/64", "dev", "d$(id)", "nodad"],
        ["-6", "route", "add", "default", "via", "2001:db8:a::1", "dev", "d$(id)"],
      ] {
        try Live.check(["ip", "-n", namespace.name] + command)
      }
      let inspect = try namespace.polroute(["inspect", "--json"])
      #expect(inspect.status == 0)
      var document = try JSONSerialization.jsonObject(with: Data(inspect.output)) as! [String: Any]
      var state = document["state"] as! [String: Any]
      state["hostname"] = QuotingLiveTests.hostname
      document["state"] = state
      let json = String(decoding: try JSONSerialization.data(withJSONObject: document), as: UTF8.self)
      self.state = try scratch.write("state.json", json)
      policy = try scratch.write("p\ntouch pwned-policy #.conf", QuotingLiveTests.policy)
      debianPolicy = try scratch.write("debian.conf", QuotingLiveTests.debianPolicy)
      try scratch.write("fake/ip", QuotingLiveTests.fakeIP, mode: 0o755)
      for trap in ["id", "touch"] {
        let text = "#!/bin/sh\nprintf '%s\\n' \"\(trap) ran: $*\" >>'\(scratch.path)/trap'\n"
        try scratch.write("fake/\(trap)", text, mode: 0o755)
        try scratch.write("traps/\(trap)", text, mode: 0o755)
      }
      try scratch.directory("cwd")
      let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
      fakePath = scratch.path + "/fake:" + path
      trapPath = scratch.path + "/traps:" + path
    }

    /// Runs polroute on the snapshot.
    func render(_ format: String, policy: String) throws -> CommandResult {
      try Live.run([TestPaths.binary, "render", "--state", state, "--policy", policy, "--format", format])
    }

    /// Runs a program in the empty directory with a `PATH`, recording the fake `ip`'s calls afresh.
    func run(_ arguments: [String], path: String, in namespace: Namespace? = nil) throws -> CommandResult {
      try? FileManager.default.removeItem(atPath: log)
      let command = ["env", "-C", cwd, "PATH=" + path, "POLROUTE_FAKE_LOG=" + log] + arguments
      return try namespace.map { try $0.exec(command) } ?? Live.run(command)
    }

    /// The fake `ip`'s calls, each as its words joined by spaces (no recorded word is empty or has whitespace, so
    /// the join is exact).
    func calls() -> [String] {
      let lines = (scratch.read("ip.log") ?? "").split(separator: "\n", omittingEmptySubsequences: false).dropLast()
      #expect(!lines.contains { $0.isEmpty || $0.contains(where: \.isWhitespace) })
      return lines.split(separator: "--").map { $0.joined(separator: " ") }
    }

    /// Nothing but the recordings happened: no file in the empty directory, no fake `id` or `touch` run.
    func checkNoSideEffects() {
      #expect(TestPaths.list(cwd) == [], "a command ran in \(cwd)")
      #expect(scratch.read("trap") == nil, "ran: \(scratch.read("trap") ?? "")")
    }
  }

  @Test("the script passes every odd name to ip as one word, and its header stays a comment", .requires(.shellcheck))
  func script() throws {
    let setup = try Setup()
    let render = try setup.render("script", policy: setup.policy)
    #expect(render.status == 0, "render: \(render.errorText)")
    let script = try setup.scratch.write("polroute.sh", render.outputText, mode: 0o755)
    #expect(
      render.outputText.split(separator: "\n").prefix(3) == [
        "#!/bin/sh",
        "# Generated by polroute \(PolrouteVersion.current) for host?touch${IFS}pwned-host #, policy from "
          + "\(setup.scratch.path)/p?touch pwned-policy #.conf.",
        "# Do not edit: change the policy and run 'polroute render' or 'polroute apply --persist' again.",
      ])
    #expect(try Live.run(["sh", "-n", script]).status == 0)
    // shellcheck only notes that the quoted names would not expand, which is the point.
    let check = try Live.run(["shellcheck", "-s", "sh", "-f", "gcc", script])
    let findings = check.outputText.split(separator: "\n")
    let onlyNotes = findings.allSatisfy { $0.contains(": note: ") && $0.hasSuffix("[SC2016]") }
    #expect(!findings.isEmpty && onlyNotes, "\(findings)")

    let run = try setup.run(["sh", script], path: setup.fakePath)
    #expect(run.status == 0, "script: \(run.errorText)")
    #expect(run.errorText == "polroute.sh: rebuilt the -4 rules at priority 9000")
    setup.checkNoSideEffects()
    // Each uplink's address keeps its replies to the others' networks and static routes: 36 guards, which name no
    // interface. Everything else is pinned word for word.
    let calls = setup.calls()
    let guards = calls.filter {
      $0.range(
        of: #"^-4 rule add from \S+ to \S+ lookup \d+ priority 14\d{3} protocol 177$"#, options: .regularExpression)
        != nil
    }
    #expect(guards.count == 36)
    #expect(
      calls.filter { !guards.contains($0) } == [
        "-V",
        #"-4 route replace 203.0.113.0/24 dev e;touch${IFS}x proto 177 scope link src 203.0.113.10 table 100"#,
        "-4 route replace 100.64.0.0/24 dev b`id` proto 177 scope link src 100.64.0.10 table 101",
        "-4 route replace 198.51.100.0/24 dev d$(id) proto 177 scope link src 198.51.100.10 table 102",
        "-4 route replace 192.0.2.0/26 dev q'x proto 177 scope link src 192.0.2.10 table 103",
        "-4 route replace 100.64.1.0/24 dev up0 proto 177 scope link src 100.64.1.10 table 104",
        "-6 route replace 2001:db8:a::/64 dev d$(id) proto 177 metric 1024 table 102",
        #"-4 route replace default via 203.0.113.1 dev e;touch${IFS}x proto 177 table 100"#,
        "-4 route replace default via 100.64.0.1 dev b`id` proto 177 table 101",
        "-4 route replace default via 198.51.100.1 dev d$(id) proto 177 table 102",
        "-4 route replace default via 192.0.2.1 dev q'x proto 177 table 103",
        "-4 route replace default via 100.64.1.1 dev up0 proto 177 table 104",
        "-6 route replace default via 2001:db8:a::1 dev d$(id) proto 177 metric 1024 table 102",
        "-4 rule add iif d$(id) lookup 100 priority 9000 protocol 177",
        "-4 rule add fwmark 0x1 oif b`id` lookup 100 priority 9100 protocol 177",
        #"-4 rule add to 192.0.2.0/24 iif e;touch${IFS}x lookup 254 priority 9200 protocol 177"#,
        "-4 rule add lookup 254 suppress_prefixlength 0 priority 19000 protocol 177",
        "-4 rule add from 203.0.113.10 lookup 100 priority 20000 protocol 177",
        "-4 rule add from 100.64.0.10 lookup 101 priority 20001 protocol 177",
        "-4 rule add from 198.51.100.10 lookup 102 priority 20002 protocol 177",
        "-4 rule add from 192.0.2.10 lookup 103 priority 20003 protocol 177",
        "-4 rule add from 100.64.1.10 lookup 104 priority 20004 protocol 177",
        "-6 rule add iif d$(id) lookup 100 priority 9000 protocol 177",
        "-6 rule add fwmark 0x1 oif b`id` lookup 100 priority 9100 protocol 177",
        "-6 rule add lookup 254 suppress_prefixlength 0 priority 19000 protocol 177",
        "-6 rule add from 2001:db8:a::10 lookup 102 priority 20000 protocol 177",
        "-N -4 rule show",
        "-4 rule del priority 9000 protocol 177",
        "-4 rule add iif d$(id) lookup 100 priority 9000 protocol 177",
        "-N -6 rule show",
        "-4 route show table 100",
        "-4 route del unicast 192.0.2.0/24 metric 0 table 100",
        "-6 route show table 100",
        "-4 route show table 101",
        "-6 route show table 101",
        "-4 route show table 102",
        "-6 route show table 102",
        "-4 route show table 103",
        "-6 route show table 103",
        "-4 route show table 104",
        "-6 route show table 104",
        "-4 route show table all proto 177",
        "-4 route flush table 150 proto 177",
        "-6 route show table all proto 177",
      ])

    // With the real ip, in the namespace: the kernel gets exactly the policy, and a second run finds every rule,
    // odd names and all, to be the wanted one.
    let live = try setup.namespace.polroute(["render", "--format", "script", "--policy", setup.policy])
    #expect(live.status == 0, "render: \(live.errorText)")
    let liveScript = try setup.scratch.write("live.sh", live.outputText, mode: 0o755)
    for pass in 1...2 {
      let real = try setup.run(["sh", liveScript], path: setup.trapPath, in: setup.namespace)
      #expect(real.status == 0 && real.errorText == "", "real ip, run \(pass): \(real.errorText)")
    }
    setup.checkNoSideEffects()
    let plan = try setup.namespace.polroute(["plan", "--policy", setup.policy, "--detailed-exitcode"])
    #expect(plan.status == 0, "plan: \(plan.outputText)")
  }

  @Test("Debian: every post-up and pre-down line passes the names as one word; odd stanza names are refused")
  func debian() throws {
    let setup = try Setup()
    let render = try setup.render("debian", policy: setup.debianPolicy)
    #expect(render.status == 0, "render: \(render.errorText)")
    let lines = render.outputText.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    // Nothing escaped the header's comments: ifupdown would read a stray line as a stanza or an option.
    let host = "host?touch${IFS}pwned-host #"
    let version = PolrouteVersion.current
    #expect(lines[0] == "# Generated by polroute \(version) for \(host), policy from \(setup.debianPolicy).")
    let commands = lines.filter { $0.hasPrefix("    post-up ") || $0.hasPrefix("    pre-down ") }
    #expect(lines.filter { !$0.isEmpty && !$0.hasPrefix("#") } == ["iface up0 inet manual"] + commands)
    // Each rule's and route's post-up and pre-down, and the local-networks rule's post-up (no pre-down: it is
    // every uplink's).
    #expect(commands.count == 20)

    for line in commands {
      let command = String(line.drop { $0 == " " }.drop { $0 != " " }.dropFirst())
      let run = try setup.run(["/bin/sh", "-c", command], path: setup.fakePath)
      #expect(run.status == 0, "\(command): \(run.errorText)")
      let recorded = setup.calls()
      // Each line is one ip command whose words are the line's, unquoted.
      #expect(recorded.count == 1, "\(command)")
      let expected = command.replacingOccurrences(of: "'", with: "").replacingOccurrences(of: " 2>/dev/null", with: "")
        .replacingOccurrences(of: " || true", with: "")
      #expect(recorded.map { "ip " + $0 } == [expected])
    }
    setup.checkNoSideEffects()
    // The lines with odd names, as written: each name single-quoted for the `sh -c` ifupdown runs.
    let touch = "to 192.0.2.0/24 iif 'e;touch${IFS}x' lookup 100 priority 9200 protocol 177"
    let quoted: [String] = [
      "post-up ip -4 rule add iif 'd$(id)' lookup 100 priority 9000 protocol 177",
      "post-up ip -4 rule add fwmark 0x1 oif 'b`id`' lookup 100 priority 9100 protocol 177",
      "post-up ip -4 rule add \(touch)",
      "post-up ip -6 rule add iif 'd$(id)' lookup 100 priority 9000 protocol 177",
      "post-up ip -6 rule add fwmark 0x1 oif 'b`id`' lookup 100 priority 9100 protocol 177",
      "pre-down ip -4 rule del iif 'd$(id)' lookup 100 priority 9000 protocol 177",
      "pre-down ip -4 rule del fwmark 0x1 oif 'b`id`' lookup 100 priority 9100 protocol 177",
      "pre-down ip -4 rule del \(touch)",
      "pre-down ip -6 rule del iif 'd$(id)' lookup 100 priority 9000 protocol 177",
      "pre-down ip -6 rule del fwmark 0x1 oif 'b`id`' lookup 100 priority 9100 protocol 177",
    ]
    let odd = commands.filter { $0.contains("$") || $0.contains("`") }.map(String.init)
    #expect(odd == quoted.map { "    " + $0 + " 2>/dev/null || true" })

    // ifupdown runs 'ip link set dev NAME up' with the stanza's name unquoted: such names get no stanza.
    let refused = try setup.render("debian", policy: setup.policy)
    #expect(refused.status == 65)
    let errors = refused.errorText.split(separator: "\n").filter { $0.hasPrefix("error: ") }.map(String.init)
    #expect(
      errors
        == [#"b`id`"#, "d$(id)", #"e;touch${IFS}x"#, "q'x"].map { name in
          "error: debian: cannot write the stanza of interface '\(name)' to /etc/network/interfaces.d/polroute: "
            + "ifupdown puts interface names unquoted into the shell commands it runs ('ip link set dev \(name) up'), "
            + "so the shell would run part of this one; rename the interface, or use --format script"
        })
    #expect(refused.outputText == "")
  }

  @Test("RHEL refuses every odd name, naming the setting and its file; rt_tables has only safe names")
  func rhelAndTables() throws {
    let setup = try Setup()
    let rhel = try setup.render("rhel", policy: setup.policy)
    #expect(rhel.status == 65)
    #expect(rhel.outputText == "")
    let directory = "/etc/sysconfig/network-scripts"
    let metacharacters =
      "has a quote, '#', '$' or '`', which network-scripts files may not hold: NetworkManager reads them too"
    func word(_ what: String, _ file: String, _ word: String) -> String {
      "error: rhel: cannot write \(what) to \(directory)/\(file): '\(word)' \(metacharacters)"
    }
    func name(_ what: String, _ file: String, _ device: String) -> String {
      "error: rhel: cannot write \(what) to \(directory)/\(file): interface name '\(device)' cannot be part of a file "
        + "name there"
    }
    let edge = #"e;touch${IFS}x"#
    // The guards (priorities 14000-14999) of uplinks with odd names are refused like the rest: 29 of them.
    let errors = rhel.errorText.split(separator: "\n").filter { $0.hasPrefix("error: ") }.map(String.init)
    let guards = errors.filter { $0.hasPrefix("error: rhel: cannot write rule 14") }
    #expect(guards.count == 29)
    #expect(guards.allSatisfy { $0.hasSuffix("cannot be part of a file name there") })
    #expect(
      errors.filter { !guards.contains($0) } == [
        word("route 203.0.113.0/24", "route-\(edge)", edge),
        word("route 100.64.0.0/24", "route-b`id`", "b`id`"),
        word("route 198.51.100.0/24", "route-d$(id)", "d$(id)"),
        word("route 192.0.2.0/26", "route-q'x", "q'x"),
        word("route 2001:db8:a::/64", "route6-d$(id)", "d$(id)"),
        word("route default", "route-\(edge)", edge),
        word("route default", "route-b`id`", "b`id`"),
        word("route default", "route-d$(id)", "d$(id)"),
        word("route default", "route-q'x", "q'x"),
        word("route default", "route6-d$(id)", "d$(id)"),
        word("rule 9000", "rule-\(edge)", "d$(id)"),
        word("rule 9100", "rule-\(edge)", "b`id`"),
        word("rule 9200", "rule-\(edge)", edge),
        name("rule 19000", "rule-\(edge)", edge),
        name("rule 19000", "rule-b`id`", "b`id`"),
        name("rule 19000", "rule-d$(id)", "d$(id)"),
        name("rule 19000", "rule-q'x", "q'x"),
        name("rule 20000", "rule-\(edge)", edge),
        name("rule 20001", "rule-b`id`", "b`id`"),
        name("rule 20002", "rule-d$(id)", "d$(id)"),
        name("rule 20003", "rule-q'x", "q'x"),
        word("rule 9000", "rule6-\(edge)", "d$(id)"),
        word("rule 9100", "rule6-\(edge)", "b`id`"),
        name("rule 19000", "rule6-\(edge)", edge),
        name("rule 19000", "rule6-b`id`", "b`id`"),
        name("rule 19000", "rule6-d$(id)", "d$(id)"),
        name("rule 19000", "rule6-q'x", "q'x"),
        name("rule 20000", "rule6-d$(id)", "d$(id)"),
      ])

    let tables = try setup.render("rt_tables", policy: setup.policy)
    #expect(tables.status == 0, "render: \(tables.errorText)")
    #expect(
      tables.outputText == """
        # Generated by polroute \(PolrouteVersion.current) for host?touch${IFS}pwned-host #, policy from \
        \(setup.scratch.path)/p?touch pwned-policy #.conf.
        # Do not edit: change the policy and run 'polroute render' or 'polroute apply --persist' again.
        # Routing table names for the tables polroute owns; iproute2 reads this directory.
        100\tedge
        101\tb_id_
        102\td__id_
        103\tq_x
        104\tup0

        """)
  }
}
