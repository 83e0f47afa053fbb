import Foundation
import Testing

@testable import PolrouteCore

/// Parsing, networks, ordering and coding of `InterfaceAddress`.
struct InterfaceAddressTests {
  /// The error `init(parsing:)` throws for `text`, or nil when it parses.
  func parseError(_ text: String) -> AddressError? {
    do {
      _ = try InterfaceAddress(parsing: text)
      return nil
    } catch {
      return error
    }
  }

  /// `ADDR/LEN` keeps the host bits and derives the connected network.
  @Test(arguments: [
    ("192.0.2.10/24", "192.0.2.10", 24, "192.0.2.0/24", AddressFamily.inet),
    ("198.51.100.1/32", "198.51.100.1", 32, "198.51.100.1/32", .inet),
    ("203.0.113.130/25", "203.0.113.130", 25, "203.0.113.128/25", .inet),
    ("100.64.1.1/10", "100.64.1.1", 10, "100.64.0.0/10", .inet),
    ("192.0.2.10/0", "192.0.2.10", 0, "0.0.0.0/0", .inet),
    ("2001:DB8::10/64", "2001:db8::10", 64, "2001:db8::/64", .inet6),
    ("fe80::1/64", "fe80::1", 64, "fe80::/64", .inet6),
    ("2001:db8::1/128", "2001:db8::1", 128, "2001:db8::1/128", .inet6),
  ])
  func parses(text: String, address: String, length: Int, network: String, family: AddressFamily) throws {
    let parsed = try InterfaceAddress(parsing: text)
    #expect(parsed.address == IPAddress(address))
    #expect(Int(parsed.length) == length)
    #expect(parsed.network.description == network)
    #expect(parsed.family == family)
    #expect(parsed.description == "\(address)/\(length)")
    #expect(parsed == InterfaceAddress(address: try IPAddress(parsing: address), length: length))
  }

  /// Errors and their exact messages.
  @Test(arguments: [
    ("192.0.2.10", "invalid interface address '192.0.2.10': expected ADDRESS/LENGTH"),
    ("2001:db8::10", "invalid interface address '2001:db8::10': expected ADDRESS/LENGTH"),
    ("192.0.2.10/33", "invalid prefix '192.0.2.10/33': prefix length must be 0 to 32"),
    ("192.0.2.10/-1", "invalid prefix '192.0.2.10/-1': prefix length must be 0 to 32"),
    ("192.0.2.10/", "invalid prefix '192.0.2.10/': prefix length must be 0 to 32"),
    ("192.0.2.10/x", "invalid prefix '192.0.2.10/x': prefix length must be 0 to 32"),
    ("2001:db8::10/129", "invalid prefix '2001:db8::10/129': prefix length must be 0 to 128"),
    ("192.0.2.256/24", "invalid IPv4 address '192.0.2.256': octet 256 is out of range 0-255"),
    ("/24", "empty IP address"),
  ])
  func refuses(text: String, message: String) {
    #expect(parseError(text)?.description == message)
  }

  /// By address, then by length.
  @Test func orders() throws {
    let texts = ["2001:db8::1/64", "192.0.2.10/24", "192.0.2.9/32", "192.0.2.10/16", "198.51.100.1/24"]
    let sorted = try texts.map { try InterfaceAddress(parsing: $0) }.sorted().map(\.description)
    #expect(sorted == ["192.0.2.9/32", "192.0.2.10/16", "192.0.2.10/24", "198.51.100.1/24", "2001:db8::1/64"])
  }

  /// Survives a JSON round trip.
  @Test func codableRoundTrip() throws {
    let addresses = try ["192.0.2.10/24", "2001:db8::10/64"].map { try InterfaceAddress(parsing: $0) }
    let data = try JSONEncoder().encode(addresses)
    #expect(try JSONDecoder().decode([InterfaceAddress].self, from: data) == addresses)
  }
}
