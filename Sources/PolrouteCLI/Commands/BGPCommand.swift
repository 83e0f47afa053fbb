import PolrouteCore
import PolrouteSystem

/// `polroute bgp`: FRR configuration for a site with primary and backup providers.
enum BGPCommand: Subcommand {
  /// The targets `--format` takes.
  static let formats = ["frr"]

  /// The command's description.
  static let spec = CommandSpec(
    name: "bgp",
    abstract: "Render FRR's BGP configuration for a site with primary, backup or load-shared providers.",
    discussion: """
      Reads the site file (.json for JSON) and prints /etc/frr/frr.conf: local preference 70 on routes from a \
      backup, the site's prefixes prepended and tagged with the backup's community towards it, a prefix filter \
      out to every provider, and sane filters in. Warnings say where the recipe cannot hold. With --output FILE or \
      --root DIR it writes the file instead (--root keeps a backup and never replaces a file polroute did not \
      write); with --diff it shows the change against that file (default /etc/frr/frr.conf) and changes nothing.
      """,
    options: [site, format, output, CommonOptions.root, diff, detailedExitCode, CommonOptions.json])

  /// `--site`.
  static let site = OptionSpec(
    "site", value: "file", help: "The site file (required; - for stdin, .json for the JSON form).")
  /// `--format`.
  static let format = OptionSpec("format", value: "format", help: "The target: frr (the default and only one).")
  /// `--output`.
  static let output = OptionSpec(
    "output", value: "file", help: "Write the configuration to this file instead of stdout.")
  /// `--diff`.
  static let diff = OptionSpec(
    "diff", help: "Show the change against the file on disk instead of writing; changes nothing.")
  /// `--detailed-exitcode`.
  static let detailedExitCode = OptionSpec(
    "detailed-exitcode", help: "With --diff: exit 0 when nothing would change, 2 when it would, 1 on errors.")

  /// The options, typed.
  struct Options {
    /// The site file.
    var site: String
    /// Where to write, if anywhere but stdout.
    var output: String?
    /// The root to write under or compare with, if given.
    var root: String?
    /// Whether to compare instead of writing.
    var diff: Bool
    /// Whether 2 means "changes pending".
    var detailedExitCode: Bool
    /// Whether to print JSON.
    var json: Bool

    /// Reads and checks the parsed arguments.
    init(_ arguments: ParsedArguments) throws(UsageError) {
      guard let site = arguments.value(BGPCommand.site) else {
        throw UsageError("Missing expected option '--site <file>'", command: spec.name)
      }
      self.site = site
      if let format = arguments.value(BGPCommand.format), !formats.contains(format) {
        let hint = Suggestion.closest(to: format, among: formats).map { " (did you mean '\($0)'?)" } ?? ""
        throw UsageError(
          "Unknown format '\(MessageText.quoted(format))'\(hint); expected one of: \(formats.joined(separator: ", "))",
          command: spec.name)
      }
      output = arguments.value(BGPCommand.output)
      root = arguments.value(CommonOptions.root)
      if output != nil && root != nil {
        throw UsageError("'--output' and '--root' cannot be used together", command: spec.name)
      }
      diff = arguments.has(BGPCommand.diff)
      detailedExitCode = arguments.has(BGPCommand.detailedExitCode)
      if detailedExitCode && !diff { throw UsageError("'--detailed-exitcode' needs '--diff'", command: spec.name) }
      json = arguments.has(CommonOptions.json)
    }
  }

  /// Renders, then prints, compares or writes.
  static func run(_ arguments: ParsedArguments, context: CLIContext) throws -> ExitCode {
    let options = try Options(arguments)
    do {
      let site = try SiteResolver.load(try UserFiles.read(options.site), file: options.site)
      var report = BGPReport(site: site, result: FRRRenderer.render(site))
      if let root = options.root, !RootedFileSystem.isDirectory(root) {
        throw FileSystemError.failed(operation: "use --root", path: root, reason: "no such directory")
      }
      let root = options.root ?? "/"
      if options.diff || options.output != nil || options.root != nil {
        try report.compare(output: options.output, root: root)
      }
      if !options.json { context.diagnostics.print(report.diagnostics + report.refusals) }
      if !options.diff, let change = report.change, change.action != .unchanged {
        guard report.refusals.isEmpty else { return .failure }
        try report.write(change, output: options.output, root: root)
      }
      if options.json {
        context.stdout.write(try report.json(diff: options.diff))
      } else if options.diff {
        context.stdout.write(report.text(style: context.style))
      } else if report.change == nil {
        context.stdout.write(report.file.contents)
      }
      if !report.refusals.isEmpty { return .failure }
      return options.detailedExitCode && report.hasChanges ? .changesPending : .success
    } catch let error as PolicyError where options.detailedExitCode {
      // With --detailed-exitcode every error is 1, as with `plan`, so 2 always means "changes pending".
      context.diagnostics.print(error.diagnostics)
      return .failure
    }
  }
}

/// A rendered site, and its comparison with the file on disk when one was asked for.
struct BGPReport {
  /// The site.
  var site: Site
  /// The rendered file.
  var file: RenderedFile
  /// The site's warnings, the target's, and the host's FRR setup's.
  var diagnostics: [Diagnostic]
  /// The change against the file on disk, when compared.
  var change: FileChange?
  /// Why the file under the root cannot be replaced, if it cannot.
  var refusals: [Diagnostic] = []
  /// Where the file was compared: `--output FILE`, or the root its real path is under.
  var place: String?

  /// Builds the report.
  init(site: Site, result: RenderResult) {
    self.site = site
    // The FRR target renders exactly one file.
    file = result.files[0]
    diagnostics = PolicyParser.inFileOrder(site.diagnostics + result.diagnostics)
  }

  /// Compares with `output` when given, else with the file's real path under `root`, and warns when the root's
  /// FRR would not start bgpd.
  mutating func compare(output: String?, root: String) throws {
    if let output {
      let old = try RootedFileSystem().readText(output)
      let target = RenderedFile(path: output, contents: file.contents, mode: file.mode)
      change = PersistencePlan.wholeFile(target, old: old, root: "/").0
      place = output
      return
    }
    let files = RootedFileSystem(root: root)
    let old = try files.readText(file.path)
    let (change, refusal) = PersistencePlan.wholeFile(file, old: old, root: root)
    self.change = change
    refusals = refusal.map { [$0] } ?? []
    place = root
    if let daemons = try files.readText(FRRRenderer.daemonsPath) {
      diagnostics += FRRRenderer.daemonsDiagnostics(daemons, file: files.realPath(FRRRenderer.daemonsPath))
    }
  }

  /// Writes the change: to `--output` as `render` does, or under the root as `apply --persist` does (a backup of
  /// the file it replaces; a file polroute did not write was refused before).
  func write(_ change: FileChange, output: String?, root: String) throws {
    guard let new = change.new else { return }
    if output != nil {
      try RootedFileSystem().write(change.path, contents: Array(new.contents.utf8), mode: new.mode)
      return
    }
    _ = try Persister(files: RootedFileSystem(root: root)).write([change], stamp: Persister.timestamp())
  }

  /// Whether the file would change.
  var hasChanges: Bool { change.map { $0.action != .unchanged } ?? false }

  /// The `--diff` text: a summary line, then the unified diff.
  func text(style: Style) -> String {
    var text = style.bold("polroute bgp for site \(site.file), AS \(site.asn.value), target frr") + "\n\n"
    guard let change else { return text }
    let what: String
    switch change.action {
    case .create: what = "to create"
    case .update: what = "to update"
    case .delete: what = "to delete"
    case .unchanged: what = "no changes"
    }
    let name = place == change.path ? change.path : "\(change.path) under \(place ?? "/")"
    text += "\(name): \(what).\n"
    if change.action != .unchanged { text += "\n" + PlanReport.colorDiff(change.diff, style: style) }
    return text
  }

  /// The machine-readable document: the file, the diagnostics, and the change when compared (its diff with
  /// `--diff`).
  func json(diff: Bool) throws -> String {
    /// The rendered file.
    struct File: Encodable {
      /// Where it goes: its real path, or `--output`'s.
      var path: String
      /// Its permission bits, in octal.
      var mode: String
      /// Its text.
      var contents: String
      /// create, update or unchanged, when compared.
      var action: String?
      /// The unified diff from the file on disk, with `--diff`.
      var diff: String?
    }
    /// The whole document.
    struct Document: Encodable {
      /// The site file.
      var site: String
      /// The site's AS.
      var asn: UInt32
      /// The target.
      var format: String
      /// The root the file was compared or written under, if any.
      var root: String?
      /// Whether the file would change (or did), when compared.
      var changes: Bool?
      /// The rendered files.
      var files: [File]
      /// Warnings.
      var diagnostics: [Diagnostic]
    }
    let compared = change != nil
    let document = Document(
      site: site.file, asn: site.asn.value, format: "frr", root: compared && place != change?.path ? place : nil,
      changes: compared ? hasChanges : nil,
      files: [
        File(
          path: change?.path ?? file.path, mode: "0" + String(file.mode, radix: 8), contents: file.contents,
          action: change?.action.rawValue, diff: diff ? change?.diff : nil)
      ],
      diagnostics: diagnostics)
    return try JSONOutput.encode(document)
  }
}
