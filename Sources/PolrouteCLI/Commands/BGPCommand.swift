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
    options: [
      OptionSpec("site", value: "file", help: "The site file (required; - for stdin, .json for the JSON form)."),
      OptionSpec("format", value: "format", help: "The target: frr (the default and only one)."),
      OptionSpec("output", value: "file", help: "Write the configuration to this file instead of stdout."),
      CommonOptions.root,
      OptionSpec("diff", help: "Show the change against the file on disk instead of writing; changes nothing."),
      OptionSpec(
        "detailed-exitcode", help: "With --diff: exit 0 when nothing would change, 2 when it would, 1 on errors."),
      CommonOptions.json,
    ])

  /// Renders, then prints, compares or writes.
  static func run(_ arguments: ParsedArguments, context: CLIContext) throws -> ExitCode {
    guard let sitePath = arguments.value("site") else {
      throw UsageError("Missing expected option '--site <file>'", command: spec.name)
    }
    if let format = arguments.value("format"), !formats.contains(format) {
      let hint = Suggestion.closest(to: format, among: formats).map { " (did you mean '\($0)'?)" } ?? ""
      throw UsageError(
        "Unknown format '\(format)'\(hint); expected one of: \(formats.joined(separator: ", "))", command: spec.name)
    }
    let output = arguments.value("output")
    if output != nil && arguments.value("root") != nil {
      throw UsageError("'--output' and '--root' cannot be used together", command: spec.name)
    }
    let diff = arguments.has("diff")
    let detailed = arguments.has("detailed-exitcode")
    if detailed && !diff { throw UsageError("'--detailed-exitcode' needs '--diff'", command: spec.name) }
    do {
      let site = try SiteResolver.load(try UserFiles.read(sitePath), file: sitePath)
      var report = BGPReport(site: site, result: FRRRenderer.render(site))
      let root = arguments.value("root") ?? "/"
      if diff || output != nil || arguments.value("root") != nil {
        try report.compare(output: output, root: root)
      }
      if !arguments.has("json") {
        for diagnostic in report.diagnostics {
          let text = diagnostic.description
          context.stderr.write((diagnostic.severity == .warning ? context.style.yellow(text) : text) + "\n")
        }
      }
      if !diff, let change = report.change, change.action != .unchanged {
        try report.write(change, output: output, root: root)
      }
      if arguments.has("json") {
        context.stdout.write(try report.json(diff: diff))
      } else if diff {
        context.stdout.write(report.text(style: context.style))
      } else if report.change == nil {
        context.stdout.write(report.file.contents)
      }
      return detailed && report.hasChanges ? .changesPending : .success
    } catch let error as PolicyError where detailed {
      // With --detailed-exitcode every error is 1, as with `plan`, so 2 always means "changes pending".
      for diagnostic in error.diagnostics { context.stderr.write(context.style.red(diagnostic.description) + "\n") }
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
      change = FilePlan.make(rendered: [target], existing: old.map { [output: $0] } ?? [:], candidates: [])[0]
      place = output
      return
    }
    let files = RootedFileSystem(root: root)
    let old = try files.readText(file.path)
    change = FilePlan.make(rendered: [file], existing: old.map { [file.path: $0] } ?? [:], candidates: [])[0]
    place = root
    if let daemons = try files.readText(FRRRenderer.daemonsPath) {
      diagnostics += FRRRenderer.daemonsDiagnostics(daemons, file: files.realPath(FRRRenderer.daemonsPath))
    }
  }

  /// Writes the change: to `--output` as `render` does, or under the root as `apply --persist` does (a backup of
  /// the file it replaces, and never over a file polroute did not write).
  func write(_ change: FileChange, output: String?, root: String) throws {
    guard let new = change.new else { return }
    if output != nil {
      try RootedFileSystem().write(change.path, contents: Array(new.contents.utf8), mode: new.mode)
      return
    }
    let persister = Persister(files: RootedFileSystem(root: root))
    try persister.check([change])
    _ = try persister.write([change], stamp: Persister.timestamp())
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
