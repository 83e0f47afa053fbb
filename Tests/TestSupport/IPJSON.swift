import Foundation
import PolrouteCore

/// The JSON `ip -j` prints for interfaces, rules and routes, made from the state model: what a scripted kernel
/// answers with, so polroute's own decoder reads it back (a round trip that `IPOutputDecoderTests` pin).
public enum IPJSON {
  /// `ip -d -j addr show`.
  public static func interfaces(_ interfaces: [Interface]) -> [UInt8] {
    encode(
      interfaces.map { interface -> [String: Any] in
        var object: [String: Any] = [
          "ifindex": interface.index, "ifname": interface.name, "flags": interface.flags,
          "operstate": interface.operState,
          "addr_info": interface.addresses.map { address -> [String: Any] in
            var info: [String: Any] = [
              "family": address.family.rawValue, "local": address.address.address.description,
              "prefixlen": Int(address.address.length), "scope": address.scope,
              "valid_life_time": address.validLifetime.map(Int.init) ?? 4_294_967_295,
              "preferred_life_time": address.preferredLifetime.map(Int.init) ?? 4_294_967_295,
            ]
            if let peer = address.peer { info["address"] = peer.address.description }
            if let label = address.label { info["label"] = label }
            for flag in address.flags { info[flag.rawValue] = true }
            return info
          },
        ]
        if let mtu = interface.mtu { object["mtu"] = mtu }
        if let linkType = interface.linkType { object["link_type"] = linkType }
        if let master = interface.master { object["master"] = master }
        object["group"] = interface.group ?? "default"
        if let kind = interface.kind { object["linkinfo"] = ["info_kind": kind] }
        return object
      })
  }

  /// `ip -j -s link show`: each interface's `stats64` (zero where `counters` has none).
  public static func counters(_ names: [String], _ counters: [String: InterfaceCounters]) -> [UInt8] {
    encode(
      names.map { name -> [String: Any] in
        let entry =
          counters[name]
          ?? InterfaceCounters(
            name: name, received: Counters(packets: 0, bytes: 0), sent: Counters(packets: 0, bytes: 0))
        return [
          "ifname": name,
          "stats64": [
            "rx": ["bytes": entry.received.bytes, "packets": entry.received.packets, "errors": 0],
            "tx": ["bytes": entry.sent.bytes, "packets": entry.sent.packets, "errors": 0],
          ],
        ]
      })
  }

  /// `ip -j rule show` of one family.
  public static func rules(_ rules: [Rule]) -> [UInt8] { encode(rules.map(rule)) }

  /// One rule object.
  static func rule(_ rule: Rule) -> [String: Any] {
    let selector = rule.selector
    var object: [String: Any] = ["priority": Int(rule.priority)]
    if selector.invert { object["not"] = NSNull() }
    if let source = selector.source {
      object["src"] = source.address.description
      object["srclen"] = Int(source.length)
    } else {
      object["src"] = "all"
    }
    if let destination = selector.destination {
      object["dst"] = destination.address.description
      object["dstlen"] = Int(destination.length)
    }
    if let tos = selector.tos { object["tos"] = RuleSelector.hex(UInt32(tos)) }
    if let mark = selector.fwmark {
      object["fwmark"] = RuleSelector.hex(mark)
      if let mask = selector.fwmask { object["fwmask"] = RuleSelector.hex(mask) }
    }
    if let iif = selector.inputInterface { object["iif"] = iif }
    if let oif = selector.outputInterface { object["oif"] = oif }
    if selector.l3mdev { object["l3mdev"] = NSNull() }
    if let uids = selector.uidRange {
      object["uid_start"] = Int(uids.start)
      object["uid_end"] = Int(uids.end)
    }
    if let proto = selector.ipProtocol { object["ipproto"] = String(proto) }
    if let ports = selector.sourcePort {
      object["sport_start"] = Int(ports.start)
      object["sport_end"] = Int(ports.end)
    }
    if let ports = selector.destinationPort {
      object["dport_start"] = Int(ports.start)
      object["dport_end"] = Int(ports.end)
    }
    switch rule.action {
    case .lookup(let table): if !selector.l3mdev { object["table"] = String(table) }
    case .goto(let target): object["goto"] = Int(target)
    case .nop: object["nop"] = NSNull()
    case .blackhole, .unreachable, .prohibit: object["action"] = rule.action.description
    }
    if let suppress = rule.suppressPrefixLength { object["suppress_prefixlen"] = suppress }
    if let group = rule.suppressInterfaceGroup { object["suppress_ifgroup"] = group }
    if let number = rule.protocolNumber { object["protocol"] = String(number) }
    return object
  }

  /// `ip -j route show table all` of one family.
  public static func routes(_ routes: [Route]) -> [UInt8] { encode(routes.map(route)) }

  /// One route object.
  public static func route(_ route: Route) -> [String: Any] {
    var object: [String: Any] = [
      "dst": route.destination.isDefault ? "default" : route.destination.routeText,
      "protocol": String(route.protocolNumber), "scope": String(route.scope), "table": String(route.table),
      "flags": route.flags,
    ]
    if route.type != .unicast { object["type"] = route.type.rawValue }
    if let source = route.source { object["from"] = source.description }
    if let gateway = route.gateway { object["gateway"] = gateway.description }
    if let device = route.device { object["dev"] = device }
    if route.metric != 0 { object["metric"] = Int(route.metric) }
    if let source = route.preferredSource { object["prefsrc"] = source.description }
    if let realm = route.realm { object["flow"] = ["to": String(realm)] }
    if !route.nexthops.isEmpty {
      object["nexthops"] = route.nexthops.map { hop -> [String: Any] in
        var entry: [String: Any] = ["weight": hop.weight, "flags": hop.flags]
        if let gateway = hop.gateway { entry["gateway"] = gateway.description }
        if let device = hop.device { entry["dev"] = device }
        return entry
      }
    }
    return object
  }

  /// One JSON document.
  public static func encode(_ value: Any) -> [UInt8] {
    Array(try! JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])) + [
      UInt8(ascii: "\n")
    ]
  }
}
