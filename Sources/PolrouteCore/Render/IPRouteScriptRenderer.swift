/// Renders the policy as a POSIX sh script of `ip` commands that converges any host to the policy.
///
/// The script is idempotent: routes are set with `ip route replace` (atomic, so a route that is already right is
/// never missing), rules are added unless the kernel says they exist. Then it removes what polroute owns and the
/// policy no longer wants: rules marked `protocol 177` at priorities the policy does not use, routes in polroute's
/// tables that the policy does not have, and `proto 177` routes left in tables polroute no longer owns. At a
/// priority the policy uses, polroute's rules must then be exactly the wanted rule, compared with the line
/// `ip -N rule show` prints; if not, the priority is rebuilt (its marked rules deleted, the wanted rule added) and
/// the script says so on stderr, because the kernel can neither add a rule it takes for an existing one nor delete
/// one rule by all its attributes. Nothing without polroute's marker outside its tables is ever touched.
public enum IPRouteScriptRenderer: Renderer {
  /// The script file.
  public static func render(_ policy: Policy, context: RenderContext) -> RenderResult {
    RenderResult(files: [
      RenderedFile(path: RenderContext.scriptPath, contents: script(policy, context: context), mode: 0o755)
    ])
  }

  /// The script text.
  public static func script(_ policy: Policy, context: RenderContext) -> String {
    var lines = ["#!/bin/sh"] + context.header(policy)
    lines += preamble
    if !policy.settings.isEmpty {
      lines.append("")
      lines.append("# 0. Kernel settings the policy asks for (uplink groups).")
      for setting in policy.settings {
        // An interface that is not there yet has no setting to write: the rest of the script still runs.
        let assignment = ShellQuoting.quote(setting.assignment)
        lines.append("# \(setting.reason)")
        let message = ShellQuoting.alwaysQuote("polroute: cannot set \(setting.name)")
        lines.append("sysctl -q -w \(assignment) || echo \(message) >&2")
      }
    }
    lines.append("")
    lines.append(
      "# 1. Routes of polroute's tables: 'replace' adds a missing route and changes a different one in place.")
    for route in policy.routesInAddOrder {
      lines.append("route_set \(route.family.ipOption) \(words(RouteText.words(route)))")
    }
    lines.append("")
    lines.append("# 2. Rules, each with its own priority so that running again adds no duplicate.")
    for rule in policy.rules {
      lines.append("rule_add \(rule.family.ipOption) \(words(RuleText.addWords(rule)))")
    }
    lines.append("")
    lines.append("# 3. The wanted rule at each priority as 'ip -N rule show' prints it (numbers for tables,")
    lines.append("# actions and protocols, whatever this host's names), and how to add it again.")
    lines.append("wanted_rule() {")
    lines.append("  case \"$1 $2\" in")
    for rule in policy.rules {
      let line = ShellQuoting.alwaysQuote(numericShowLine(rule))
      lines.append("    '\(rule.family.ipOption) \(rule.priority)') printf '%s\\n' \(line) ;;")
    }
    lines.append("    *) return 0 ;;")
    lines.append("  esac")
    lines.append("}")
    lines.append("")
    lines.append("add_wanted_rule() {")
    lines.append("  case \"$1 $2\" in")
    for rule in policy.rules {
      let add = "rule_add \(rule.family.ipOption) \(words(RuleText.addWords(rule)))"
      lines.append("    '\(rule.family.ipOption) \(rule.priority)') \(add) ;;")
    }
    lines.append("    *) return 0 ;;")
    lines.append("  esac")
    lines.append("}")
    lines.append("")
    lines.append("# 4. Remove what polroute owns and the policy no longer wants.")
    for family in AddressFamily.allCases {
      lines.append("sweep_rules \(family.ipOption)")
    }
    // Grouped once: a policy may have thousands of tables.
    let keysByTable = Dictionary(grouping: policy.routes) { "\($0.family.ipOption) \($0.table)" }
    for table in policy.tables {
      for family in AddressFamily.allCases {
        let keys = (keysByTable["\(family.ipOption) \(table.number)"] ?? []).map(routeKey)
        lines.append("sweep_routes \(family.ipOption) \(table.number) '\(keys.joined(separator: " "))'")
      }
    }
    let tableWords = policy.tables.flatMap { [String($0.number), $0.name] }
    for family in AddressFamily.allCases {
      lines.append("sweep_tables \(family.ipOption) '\(tableWords.joined(separator: " "))'")
    }
    lines.append("")
    lines.append("exit 0")
    return lines.joined(separator: "\n") + "\n"
  }

  /// The words of a command, each quoted for sh where needed; words from outside polroute (interface names) are
  /// always quoted.
  static func words(_ words: [String]) -> String {
    var result: [String] = []
    var quoteNext = false
    for word in words {
      result.append(quoteNext ? ShellQuoting.alwaysQuote(word) : ShellQuoting.quote(word))
      quoteNext = word == "dev" || word == "iif" || word == "oif"
    }
    return result.joined(separator: " ")
  }

  /// `type:destination:metric`, as the route sweep recognises a route it keeps.
  static func routeKey(_ route: Route) -> String {
    "\(route.type.rawValue):\(route.destination.routeText):\(route.metric)"
  }

  /// The line `ip -N rule show` prints for a rule, whitespace collapsed and `[detached]`/`[unresolved]` tags left
  /// out, as the sweep reads it: numbers for tables, actions (6 blackhole, 7 unreachable, 8 prohibit) and
  /// protocols (`ipproto-6`), so that neither this host's rt_tables nor /etc/protocols can change it.
  static func numericShowLine(_ rule: Rule) -> String {
    var words = ["\(rule.priority):"] + rule.selector.words(.numericShow)
    switch rule.action {
    case .lookup(let table):
      if !rule.selector.l3mdev { words += ["lookup", String(table)] }
      // ip prints suppress_prefixlength only with the table it belongs to.
      if let suppress = rule.suppressPrefixLength { words += ["suppress_prefixlength", String(suppress)] }
    case .goto(let target): words += ["goto", String(target)]
    case .nop: words.append("nop")
    case .blackhole: words.append("6")
    case .unreachable: words.append("7")
    case .prohibit: words.append("8")
    }
    if let number = rule.protocolNumber { words += ["proto", String(number)] }
    return words.joined(separator: " ")
  }

  /// The checks and shell functions every script starts with.
  static let preamble: [String] = {
    let marker = String(Ownership.marker)
    // The reserved tables by name and number: `ip route show` prints main, local and default by name.
    let numbers = Ownership.neverTouched.sorted()
    let reserved = (numbers.compactMap { RoutingTable.builtinNames[$0] } + numbers.map(String.init))
      .joined(separator: " | ")
    return [
      "#",
      "# Makes the kernel's rules and routes match the policy: adds what is missing, replaces what differs, and",
      "# removes the rules and routes an earlier polroute policy left (marked protocol \(marker)). It never touches rules",
      "# or routes polroute does not own, and running it again changes nothing. Run it as root.",
      "set -eu",
      "export LC_ALL=C",
      "# How 'ip rule show' marks the rules polroute made (awk turns \\t into a tab).",
      "marker='[ \\t]proto \(marker)([ \\t]|$)'",
      "",
      "die() {",
      "  printf 'polroute.sh: %s\\n' \"$*\" >&2",
      "  exit 1",
      "}",
      "",
      "note() {",
      "  printf 'polroute.sh: %s\\n' \"$*\" >&2",
      "}",
      "",
      "# 'protocol' on rules, and ipproto/sport/dport, need iproute2 4.17 or newer.",
      "command -v ip >/dev/null 2>&1 || die \"'ip' (iproute2) is not installed\"",
      "version=$(ip -V 2>&1) || die \"'ip -V' failed: $version\"",
      "case $version in",
      "  *iproute2-ss[0-9]*)",
      "    stamp=${version##*iproute2-ss}",
      "    stamp=${stamp%%[!0-9]*}",
      "    [ \"$stamp\" -ge 180608 ] || die \"iproute2 4.17 or newer is needed, found: $version\"",
      "    ;;",
      "  *iproute2-[0-9]* | *iproute2-v[0-9]*)",
      "    number=${version##*iproute2-}",
      "    number=${number#v}",
      "    major=${number%%[!0-9]*}",
      "    rest=${number#\"$major\".}",
      "    minor=${rest%%[!0-9]*}",
      "    [ \"$major\" -gt 4 ] || { [ \"$major\" -eq 4 ] && [ \"${minor:-0}\" -ge 17 ]; } ||",
      "      die \"iproute2 4.17 or newer is needed, found: $version\"",
      "    ;;",
      "  *) die \"cannot tell the iproute2 version from: $version\" ;;",
      "esac",
      "",
      "# route_set FAMILY WORDS...: add or replace a route of polroute's tables.",
      "route_set() {",
      "  family=$1",
      "  shift",
      "  ip \"$family\" route replace \"$@\" || die \"ip $family route replace $* failed\"",
      "}",
      "",
      "# rule_add FAMILY WORDS...: add a rule unless the kernel already has the same one.",
      "rule_add() {",
      "  family=$1",
      "  shift",
      "  if ! output=$(ip \"$family\" rule add \"$@\" 2>&1); then",
      "    case $output in",
      "      *'File exists'*) ;;",
      "      *) die \"ip $family rule add $*: $output\" ;;",
      "    esac",
      "  fi",
      "}",
      "",
      "# sweep_rules FAMILY: make polroute's rules exactly the wanted ones. At a priority the policy does not use",
      "# they are deleted. At one it uses, anything but exactly the wanted rule rebuilds the priority: its polroute",
      "# rules are deleted and the wanted one added again, as the kernel allows nothing finer. It refuses as 'File",
      "# exists' a rule that differs from one it has only in 'not', a goto target or a selector the new rule lacks,",
      "# and 'ip rule del' deletes the first rule having the words given, which may be the wanted one.",
      "sweep_rules() {",
      "  family=$1",
      "  owned=$(ip -N \"$family\" rule show | awk -v marker=\"$marker\" '",
      "    $0 ~ marker { gsub(/ \\[(detached|unresolved)\\]/, \"\"); $1 = $1; print }') ||",
      "    die \"cannot list $family rules\"",
      "  [ -n \"$owned\" ] || return 0",
      "  for priority in $(printf '%s\\n' \"$owned\" | awk -F: '{ print $1 }' | sort -un); do",
      "    rules=$(printf '%s\\n' \"$owned\" | awk -v p=\"$priority:\" '$1 == p')",
      "    wanted=$(wanted_rule \"$family\" \"$priority\")",
      "    [ \"$rules\" = \"$wanted\" ] && continue",
      "    count=$(printf '%s\\n' \"$rules\" | awk 'END { print NR }')",
      "    while [ \"$count\" -gt 0 ]; do",
      "      ip \"$family\" rule del priority \"$priority\" protocol \(marker) ||",
      "        die \"cannot delete the rules at priority $priority\"",
      "      count=$((count - 1))",
      "    done",
      "    [ -n \"$wanted\" ] || continue",
      "    note \"rebuilt the $family rules at priority $priority\"",
      "    add_wanted_rule \"$family\" \"$priority\"",
      "  done",
      "}",
      "",
      "# sweep_routes FAMILY TABLE KEYS: delete the routes of polroute's TABLE whose type:destination:metric is not in KEYS.",
      "sweep_routes() {",
      "  family=$1",
      "  table=$2",
      "  wanted=\" $3 \"",
      "  # A table that never held a route of this family does not exist for it: nothing to sweep.",
      "  if ! listing=$(ip \"$family\" route show table \"$table\" 2>&1); then",
      "    case $listing in",
      "      *'does not exist'*) return 0 ;;",
      "      *) die \"cannot list table $table: $listing\" ;;",
      "    esac",
      "  fi",
      "  [ -n \"$listing\" ] || return 0",
      "  printf '%s\\n' \"$listing\" | while IFS= read -r line; do",
      "    case $line in '' | ' '* | '\t'*) continue ;; esac",
      "    set -f",
      "    # shellcheck disable=SC2086 # the words ip printed, split on purpose; globbing is off",
      "    set -- $line",
      "    set +f",
      "    type=unicast",
      "    case $1 in",
      "      unicast | local | broadcast | anycast | multicast | blackhole | unreachable | prohibit | throw | nat)",
      "        type=$1",
      "        shift",
      "        ;;",
      "    esac",
      "    destination=$1",
      "    metric=0",
      "    while [ $# -gt 1 ]; do",
      "      [ \"$1\" = metric ] && metric=$2",
      "      shift",
      "    done",
      "    case $wanted in *\" $type:$destination:$metric \"*) continue ;; esac",
      "    ip \"$family\" route del \"$type\" \"$destination\" metric \"$metric\" table \"$table\" ||",
      "      die \"cannot delete route $destination from table $table\"",
      "  done || exit 1",
      "}",
      "",
      "# sweep_tables FAMILY TABLES: flush polroute's routes (proto \(marker)) from tables the policy no longer has.",
      "sweep_tables() {",
      "  family=$1",
      "  wanted=\" $2 \"",
      "  tables=$(ip \"$family\" route show table all proto \(marker) |",
      "    awk '{ for (i = 1; i < NF; i++) if ($i == \"table\") print $(i + 1) }' | sort -u) || die \"cannot list tables\"",
      "  for table in $tables; do",
      "    case $wanted in *\" $table \"*) continue ;; esac",
      "    case $table in \(reserved)) continue ;; esac",
      "    ip \"$family\" route flush table \"$table\" proto \(marker) || die \"cannot flush table $table\"",
      "  done",
      "}",
    ]
  }()
}
