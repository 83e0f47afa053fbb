/// The statements of a policy file, sorted by kind.
struct Declarations {
  /// `uplink` statements.
  var uplinks: [UplinkStatement] = []
  /// `table` statements.
  var tables: [TableStatement] = []
  /// `route` statements.
  var routes: [RouteStatement] = []
  /// `rule` statements.
  var rules: [RuleStatement] = []
  /// `balance` and `failover` statements (each also declares its table, in `tables`).
  var groups: [GroupStatement] = []
  /// Excluded interfaces, and where.
  var excludes: [String: SourceLocation] = [:]
  /// Included interfaces, and where.
  var includes: [String: SourceLocation] = [:]
}

/// Step 1: the statements of a policy file, and the declarations given twice.
extension ResolutionContext {
  /// Sorts the statements by kind, checking the interfaces `exclude` and `include` name and the declarations
  /// given twice.
  mutating func sortStatements(_ statements: [PolicyStatement]) -> Declarations {
    var declarations = Declarations()
    // Policies of thousands of statements are nearly all routes and rules: growing these arrays step by step copied
    // them a dozen times over. Untouched capacity costs no memory.
    declarations.routes.reserveCapacity(statements.count)
    declarations.rules.reserveCapacity(statements.count)
    for statement in statements {
      switch statement {
      case .uplink(let uplink): declarations.uplinks.append(uplink)
      case .table(let table): declarations.tables.append(table)
      case .route(let route): declarations.routes.append(route)
      case .rule(let rule): declarations.rules.append(rule)
      case .exclude(let name):
        _ = checkInterface(name, role: "exclude")
        declarations.excludes[name.value] = name.location
      case .include(let name):
        _ = checkInterface(name, role: "include")
        declarations.includes[name.value] = name.location
      case .auto: break
      case .group(let group):
        declarations.groups.append(group)
        declarations.tables.append(TableStatement(location: group.location, name: group.name, number: group.table))
      }
    }
    checkDuplicateDeclarations(declarations.uplinks, declarations.tables)
    return declarations
  }

  /// Errors for uplinks and tables declared twice.
  mutating func checkDuplicateDeclarations(_ uplinks: [UplinkStatement], _ tables: [TableStatement]) {
    var names: [String: SourceLocation] = [:]
    var devices: [String: SourceLocation] = [:]
    var numbers: [UInt32: SourceLocation] = [:]
    for uplink in uplinks {
      if let first = names[uplink.name.value] {
        error(
          "table name '\(uplink.name.value.echoed)' is declared twice (first at line \(first.line))",
          at: uplink.name.location)
      }
      names[uplink.name.value] = uplink.name.location
      if let first = devices[uplink.device.value] {
        error(
          "interface '\(uplink.device.value.echoed)' has two uplinks (first at line \(first.line))",
          at: uplink.device.location
        )
      }
      devices[uplink.device.value] = uplink.device.location
      if let table = uplink.table {
        if let first = numbers[table.value] {
          error("table \(table.value) is declared twice (first at line \(first.line))", at: table.location)
        }
        numbers[table.value] = table.location
      }
    }
    for table in tables {
      if let first = names[table.name.value] {
        error(
          "table name '\(table.name.value.echoed)' is declared twice (first at line \(first.line))",
          at: table.name.location)
      }
      names[table.name.value] = table.name.location
      if let number = table.number {
        if let first = numbers[number.value] {
          error("table \(number.value) is declared twice (first at line \(first.line))", at: number.location)
        }
        numbers[number.value] = number.location
      }
    }
  }

  /// A table name for a derived uplink: the interface name when rt_tables accepts it and nothing else uses it.
}
