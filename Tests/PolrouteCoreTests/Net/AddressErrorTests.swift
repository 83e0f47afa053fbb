import Testing

@testable import PolrouteCore

/// The user-facing messages of `AddressError`.
struct AddressErrorTests {
  /// Each case's message, lowercase, quoting the text and without a trailing period.
  @Test(arguments: [
    (AddressError.empty(kind: "prefix"), "empty prefix"),
    (
      .malformed(kind: "IPv4 address", text: "192.0.2", reason: "expected 4 octets, found 3"),
      "invalid IPv4 address '192.0.2': expected 4 octets, found 3"
    ),
    (
      .prefixLengthOutOfRange(text: "2001:db8::/129", maximum: 128),
      "invalid prefix '2001:db8::/129': prefix length must be 0 to 128"
    ),
    (
      .hostBitsSet(text: "192.0.2.1/24", suggestion: "192.0.2.0/24"),
      "host bits set in 192.0.2.1/24 (did you mean 192.0.2.0/24?)"
    ),
  ])
  func describes(error: AddressError, message: String) {
    #expect(error.description == message)
    #expect("\(error)" == message)
  }
}
