import PolrouteCore
import Testing

/// `polroute watch`'s reading of `ip -o monitor link address route` (lines as iproute2 6.1 printed them in a
/// namespace) and its debouncing.
@Suite("watch: monitor lines and debouncing")
struct MonitorEventsTests {
  @Test("links, global addresses and main's routes name their interface; the rest is passed over")
  func lines() {
    let named: [(String, String?)] = [
      (
        "3: a0@b0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default \\    link/ether"
          + " ae:64:44:72:c4:97 brd ff:ff:ff:ff:ff:ff", "a0"
      ),
      ("Deleted 7: isp2: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default", "isp2"),
      (
        "3: a0    inet 203.0.113.5/24 scope global a0\\       valid_lft forever preferred_lft forever", "a0"
      ),
      (
        "Deleted 3: isp2    inet 203.0.113.60/24 brd 203.0.113.255 scope global dynamic isp2\\       valid_lft 3599sec",
        "isp2"
      ),
      ("4: isp2    inet6 2001:db8:b::10/64 scope global \\       valid_lft forever preferred_lft forever", "isp2"),
      ("default via 203.0.113.254 dev isp2 metric 100 ", "isp2"),
      ("Deleted 203.0.113.0/24 dev a0 proto kernel scope link src 203.0.113.5 ", "a0"),
      // Passed over: link-local addresses, the local table, polroute's own tables, multicast, the loopback.
      ("3: a0    inet6 fe80::ac64:44ff:fe72:c497/64 scope link tentative \\       valid_lft forever", nil),
      ("local 203.0.113.5 dev a0 table local proto kernel scope host src 203.0.113.5 ", nil),
      ("198.51.100.0/24 via 203.0.113.1 dev a0 table 100 proto 177 ", nil),
      ("multicast ff00::/8 dev b0 table local proto kernel metric 256 pref medium", nil),
      ("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN", nil),
      ("", nil),
      ("Deleted ", nil),
      ("12345", nil),
    ]
    for (line, name) in named {
      #expect(MonitorLine.interface(line[...]) == name, "\(line)")
    }
  }

  @Test("due once quiet for the debounce time, or at the longest after the first change; each name once")
  func debouncing() {
    var pending = PendingInterfaces(quiet: 300, longest: 1500)
    #expect(pending.dueAt == nil)
    #expect(pending.takeDue(at: 0) == [])
    pending.add("isp2", at: 1000)
    pending.add("isp1", at: 1100)
    pending.add("isp2", at: 1200)
    #expect(pending.dueAt == 1500)
    #expect(pending.takeDue(at: 1499) == [])
    #expect(pending.takeDue(at: 1500) == ["isp2", "isp1"])
    #expect(pending.dueAt == nil)
    // A link that keeps flapping is still converged, at the longest delay after its first change.
    for step in 0..<20 { pending.add("isp3", at: 5000 + Int64(step) * 200) }
    #expect(pending.dueAt == 6500)
    #expect(pending.takeDue(at: 6500) == ["isp3"])
  }
}
