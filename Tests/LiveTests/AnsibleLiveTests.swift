import Foundation
import PolrouteCore
import PolrouteSystem
import TestSupport
import Testing

/// ansible-core and ansible-lint from PyPI, in a virtual environment under .build/ansible made once and reused.
struct Ansible: Sendable {
  /// The virtual environment.
  static let directory = TestPaths.packageRoot + "/.build/ansible"
  /// The versions installed: ansible-core supported on Python 3.11, ansible-lint that knows it.
  static let requirements = ["ansible-core>=2.15,<2.20", "ansible-lint>=24"]

  /// The environment, made on first use; the error says why it could not be.
  static let shared: Result<Ansible, MissingTools> = {
    let bin = directory + "/bin/"
    let ready = ["ansible-playbook", "ansible-lint"].allSatisfy {
      FileManager.default.isExecutableFile(atPath: bin + $0)
    }
    if !ready {
      do {
        let venv = try Live.run(["python3", "-m", "venv", "--clear", directory])
        guard venv.status == 0 else {
          return .failure(MissingTools(message: "python3 -m venv failed: \(venv.errorText)"))
        }
        let pip = try Live.run([bin + "pip", "install", "--quiet", "--disable-pip-version-check"] + requirements)
        guard pip.status == 0 else {
          return .failure(
            MissingTools(
              message: "pip install \(requirements.joined(separator: " ")) failed (is PyPI reachable?): "
                + String(pip.errorText.suffix(600))))
        }
      } catch {
        return .failure(MissingTools(message: "could not make the Ansible environment: \(error)"))
      }
    }
    return .success(Ansible())
  }()

  /// The environment, or a skip (a failure with CI=true) saying why there is none.
  static func require() throws -> Ansible {
    switch shared {
    case .success(let ansible): return ansible
    case .failure(let error):
      if ProcessInfo.processInfo.environment["CI"] == "true" { throw error }
      print("\u{279C} skipped: \(error.message)")
      try Test.cancel(Comment(rawValue: error.message))
    }
  }

  /// Examples/ansible.
  static let examples = TestPaths.examples + "/ansible"

  /// Runs an Ansible program with the environment's bin first on PATH, its state in `home`, and no colour.
  func run(_ program: String, _ arguments: [String], home: String, in directory: String = Ansible.examples) throws
    -> CommandResult
  {
    let path = Self.directory + "/bin:" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
    let environment = [
      "PATH=\(path)", "HOME=\(home)", "ANSIBLE_HOME=\(home)/.ansible", "ANSIBLE_NOCOLOR=1", "ANSIBLE_FORCE_COLOR=0",
      "ANSIBLE_LOCAL_TEMP=\(home)/tmp", "ANSIBLE_REMOTE_TEMP=\(home)/tmp", "ANSIBLE_RETRY_FILES_ENABLED=0",
    ]
    let script = "cd \"$1\" && shift && exec \"$@\""
    return try Live.run(
      ["env"] + environment + ["sh", "-c", script, "sh", directory, Self.directory + "/bin/" + program] + arguments)
  }
}

/// The recap line of a playbook run: `ok=5 changed=2 ... failed=0`.
struct PlayRecap: Equatable {
  /// Tasks that reported a change.
  var changed: Int
  /// Tasks that failed.
  var failed: Int

  /// Reads the recap of the one host from ansible-playbook's output.
  init?(_ output: String) {
    guard let line = output.split(separator: "\n").last(where: { $0.contains("changed=") && $0.contains("failed=") })
    else { return nil }
    func count(_ key: String) -> Int? {
      line.split(separator: " ").first { $0.hasPrefix(key + "=") }.flatMap { Int($0.dropFirst(key.count + 1)) }
    }
    guard let changed = count("changed"), let failed = count("failed") else { return nil }
    self.changed = changed
    self.failed = failed
  }
}

/// The example role and playbook under the real ansible-core and ansible-lint.
@Suite("Ansible role, static", .requires(TestTool("python3")), .serialized)
struct AnsibleStaticTests {
  @Test("ansible-playbook --syntax-check accepts the example playbook and role")
  func syntax() throws {
    let ansible = try Ansible.require()
    let home = try TemporaryDirectory("ansible-home")
    let run = try ansible.run(
      "ansible-playbook", ["-i", "inventory.ini", "--syntax-check", "site.yml"], home: home.path)
    #expect(run.status == 0, "\(run.outputText)\(run.errorText)")
    #expect(run.outputText.contains("playbook: site.yml"))
  }

  @Test("ansible-lint finds nothing, at its strictest profile")
  func lint() throws {
    let ansible = try Ansible.require()
    let home = try TemporaryDirectory("ansible-home")
    let run = try ansible.run("ansible-lint", ["--offline", "--profile", "production"], home: home.path)
    #expect(run.status == 0, "ansible-lint:\n\(run.outputText)\(run.errorText)")
    #expect(run.errorText.contains("Passed: 0 failure(s), 0 warning(s)"), "\(run.outputText)\(run.errorText)")
  }
}

/// The role run for real against a dual-homed host in a namespace: ansible-core connects locally and the role runs
/// polroute inside the namespace through `polroute_command_prefix`.
@Suite(
  "Ansible role, live", .enabled(if: Live.enabled), .requires(TestTool.namespaceHost + [TestTool("python3")]),
  .serialized)
struct AnsibleLiveTests {
  /// The NFS rule the test policy adds to the derived one.
  static let policy = ["auto", "rule to 192.0.2.0/25 ipproto tcp dport 2049 lookup data"]

  @Test("first run changes, second run is ok, check mode reports drift with its diff and leaves the kernel alone")
  func runs() throws {
    let ansible = try Ansible.require()
    let topology = try Topology.dualHomed("ans")
    let server = topology.server
    let scratch = try TemporaryDirectory("ansible")
    let installed = scratch.path + "/bin/polroute"
    let config = scratch.path + "/etc/polroute.conf"
    for directory in ["etc", "bin"] {
      try FileManager.default.createDirectory(atPath: scratch.path + "/" + directory, withIntermediateDirectories: true)
    }
    let variables: [String: Any] = [
      "polroute_binary_src": TestPaths.binary,
      "polroute_binary_path": installed,
      "polroute_config_path": config,
      "polroute_policy_template": "polroute.conf.j2",
      "polroute_policy": Self.policy,
      "polroute_command_prefix": ["ip", "netns", "exec", server.name, "env", "POLROUTE_RUN_DIR=\(scratch.path)/run"],
      "ansible_become": false,
      "ansible_python_interpreter": Ansible.directory + "/bin/python3",
    ]
    let variablesFile = scratch.path + "/vars.json"
    try JSONSerialization.data(withJSONObject: variables).write(to: URL(fileURLWithPath: variablesFile))
    let inventory = try scratch.write("inventory.ini", "[multihomed]\nlocalhost ansible_connection=local\n")
    func play(_ extra: [String] = []) throws -> (recap: PlayRecap?, output: String) {
      let run = try ansible.run(
        "ansible-playbook", ["-i", inventory, "-e", "@" + variablesFile, "site.yml"] + extra, home: scratch.path)
      #expect(run.status == 0, "ansible-playbook \(extra.joined(separator: " ")):\n\(run.outputText)\(run.errorText)")
      return (PlayRecap(run.outputText), run.outputText)
    }

    // Check mode before polroute is there: reported as a change, nothing installed, the kernel untouched.
    let fresh = try server.dump()
    let precheck = try play(["--check"])
    #expect(precheck.recap == PlayRecap(changed: 3, failed: 0), "\(precheck.output)")
    #expect(precheck.output.contains("is not installed yet"))
    #expect(!FileManager.default.fileExists(atPath: installed))
    #expect(try server.dump() == fresh)

    // The first run installs polroute, writes the policy and applies it.
    let first = try play()
    try #require(first.recap == PlayRecap(changed: 3, failed: 0), "\(first.output)")
    #expect(
      try server.owned().contains("-4 rule 10000: from all to 192.0.2.0/25 ipproto tcp dport 2049 lookup 100 proto 177")
    )
    #expect(scratch.read("etc/polroute.conf")?.contains("\nauto\nrule to 192.0.2.0/25") == true)
    #expect(try server.polroute(["plan", "--detailed-exitcode", "--policy", config]).status == 0)

    // The second finds nothing to do.
    let second = try play()
    #expect(second.recap == PlayRecap(changed: 0, failed: 0), "\(second.output)")

    // Drift: a rule removed by hand. Check mode with --diff reports it and shows the diff, and changes nothing.
    try server.ip("-4 rule del priority 20000")
    let drifted = try server.dump()
    let check = try play(["--check", "--diff"])
    #expect(check.recap == PlayRecap(changed: 1, failed: 0), "\(check.output)")
    #expect(check.output.contains("+20000: from 203.0.113.10 lookup data proto 177"), "\(check.output)")
    #expect(try server.dump() == drifted, "check mode changed the kernel")

    // A real run repairs it.
    let repair = try play()
    #expect(repair.recap == PlayRecap(changed: 1, failed: 0), "\(repair.output)")
    #expect(try server.polroute(["plan", "--detailed-exitcode", "--policy", config]).status == 0)
  }
}

extension PlayRecap {
  /// A recap with these counts.
  init(changed: Int, failed: Int) {
    self.changed = changed
    self.failed = failed
  }
}
