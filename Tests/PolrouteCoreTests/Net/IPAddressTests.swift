import Foundation
import Testing

@testable import PolrouteCore

/// Parsing, ordering, classification and coding of `IPAddress`, and the `AddressFamily` it reports.
struct IPAddressTests {
  /// The error `init(parsing:)` throws for `text`, or nil when it parses.
  func parseError(_ text: String) -> AddressError? {
    do {
      _ = try IPAddress(parsing: text)
      return nil
    } catch {
      return error
    }
  }

  /// Text with a colon is IPv6, without is IPv4, and both print canonically.
  @Test(arguments: [
    ("192.0.2.1", AddressFamily.inet, "192.0.2.1"),
    ("0.0.0.0", .inet, "0.0.0.0"),
    ("2001:DB8:0::1", .inet6, "2001:db8::1"),
    ("::", .inet6, "::"),
    ("::ffff:198.51.100.1", .inet6, "::ffff:198.51.100.1"),
  ])
  func parsesEitherFamily(text: String, family: AddressFamily, canonical: String) throws {
    let address = try IPAddress(parsing: text)
    #expect(address.family == family)
    #expect(address.description == canonical)
    #expect(IPAddress(text) == address)
    switch (address, family) {
    case (.v4(let v4), .inet): #expect(v4 == IPv4Address(text))
    case (.v6(let v6), .inet6): #expect(v6 == IPv6Address(text))
    default: Issue.record("\(text) parsed as the wrong case")
    }
  }

  /// Errors name the family the text looked like.
  @Test(arguments: [
    ("", "empty IP address"),
    ("192.0.2", "invalid IPv4 address '192.0.2': expected 4 octets, found 3"),
    ("192.0.02.1", "invalid IPv4 address '192.0.02.1': leading zero in octet '02'"),
    ("data", "invalid IPv4 address 'data': unexpected character 'd'"),
    ("192.0.2.1:80", "invalid IPv6 address '192.0.2.1:80': an embedded IPv4 address must be valid and come last"),
    ("2001:db8::g", "invalid IPv6 address '2001:db8::g': group 'g' is not hexadecimal"),
    ("fe80::1%eth0", "invalid IPv6 address 'fe80::1%eth0': a zone index is not allowed here"),
  ])
  func refuses(text: String, message: String) {
    #expect(parseError(text)?.description == message)
    #expect(IPAddress(text) == nil)
  }

  /// IPv4 sorts before IPv6, then each family numerically.
  @Test func ordersFamiliesThenNumbers() throws {
    let texts = ["2001:db8::1", "203.0.113.1", "::", "192.0.2.10", "::ffff:192.0.2.1", "192.0.2.9", "0.0.0.0"]
    let sorted = try texts.map { try IPAddress(parsing: $0) }.sorted().map(\.description)
    #expect(sorted == ["0.0.0.0", "192.0.2.9", "192.0.2.10", "203.0.113.1", "::", "::ffff:192.0.2.1", "2001:db8::1"])
    let highestV4 = IPAddress.v4(IPv4Address(.max))
    let lowestV6 = IPAddress.v6(IPv6Address(high: 0, low: 0))
    #expect(highestV4 < lowestV6)
    #expect(!(lowestV6 < highestV4))
    // An IPv4 address and the IPv4-mapped IPv6 address are different values.
    #expect(IPAddress("192.0.2.1") != IPAddress("::ffff:192.0.2.1"))
  }

  /// Global unicast means not loopback, link-local, multicast, unspecified or limited broadcast;
  /// documentation and shared address space count as global here.
  @Test(arguments: [
    ("192.0.2.1", true),
    ("198.51.100.200", true),
    ("203.0.113.255", true),
    ("100.64.0.1", true),
    ("0.0.0.0", false),
    ("0.1.2.3", false),
    ("127.0.0.1", false),
    ("127.255.255.254", false),
    ("169.254.0.1", false),
    ("169.254.255.255", false),
    ("224.0.0.1", false),
    ("239.255.255.250", false),
    ("255.255.255.255", false),
    ("2001:db8::1", true),
    ("2001:db8:ffff::", true),
    ("::", false),
    ("::1", false),
    ("fe80::1", false),
    ("febf:ffff::1", false),
    ("ff02::1", false),
    ("ff05::1:3", false),
    ("ff0e::101", false),
  ])
  func globalUnicast(text: String, global: Bool) throws {
    #expect(try IPAddress(parsing: text).isGlobalUnicast == global)
  }

  /// Addresses encode as canonical text and decode from any valid text.
  @Test func codesAsText() throws {
    let addresses = try ["192.0.2.1", "2001:0DB8::0001"].map { try IPAddress(parsing: $0) }
    let data = try JSONEncoder().encode(addresses)
    #expect(String(decoding: data, as: UTF8.self) == #"["192.0.2.1","2001:db8::1"]"#)
    #expect(try JSONDecoder().decode([IPAddress].self, from: data) == addresses)
  }

  /// Decoding invalid text fails with the parse message.
  @Test func decodingInvalidTextFails() {
    do {
      _ = try JSONDecoder().decode([IPAddress].self, from: Data(#"["192.0.2.1","192.0.2.256"]"#.utf8))
      Issue.record("decoded an invalid address")
    } catch DecodingError.dataCorrupted(let context) {
      #expect(context.debugDescription == "invalid IPv4 address '192.0.2.256': octet 256 is out of range 0-255")
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }

  /// The family's names and sizes as iproute2 and messages use them.
  @Test func familyProperties() {
    #expect(AddressFamily.inet.ipOption == "-4")
    #expect(AddressFamily.inet6.ipOption == "-6")
    #expect(AddressFamily.inet.bitWidth == 32)
    #expect(AddressFamily.inet6.bitWidth == 128)
    #expect(AddressFamily.inet.displayName == "IPv4")
    #expect(AddressFamily.inet6.displayName == "IPv6")
    #expect(AddressFamily.inet.rawValue == "inet")
    #expect(AddressFamily.inet6.rawValue == "inet6")
    #expect(AddressFamily.allCases == [.inet, .inet6])
  }

  /// IPv4 sorts before IPv6, and neither before itself.
  @Test func familyOrder() {
    #expect(AddressFamily.inet < .inet6)
    #expect(!(AddressFamily.inet6 < .inet))
    #expect(!(AddressFamily.inet < .inet))
    #expect(!(AddressFamily.inet6 < .inet6))
    #expect([AddressFamily.inet6, .inet].sorted() == [.inet, .inet6])
  }
}
