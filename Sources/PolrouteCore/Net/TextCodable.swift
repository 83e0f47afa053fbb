/// A value that snapshots store as the text people read (`192.0.2.0/24`, `lookup 101`, `1000-2000`), decoded by
/// the same parser that reads it elsewhere.
public protocol TextCodable: Codable, CustomStringConvertible {
  /// Parses the text `description` prints; the error's text becomes the decoding error's.
  init(codingText text: String) throws
}

extension TextCodable {
  /// Encodes as `description`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }

  /// Decodes by parsing the text.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    do {
      self = try Self(codingText: text)
    } catch {
      throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(error)")
    }
  }
}
