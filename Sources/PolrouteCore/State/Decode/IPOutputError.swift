/// Why the output of an `ip -j` command could not be understood.
public enum IPOutputError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The output is not the JSON `ip` prints.
  case json(command: String, error: JSONScanError)
  /// A field holds a value polroute cannot interpret.
  case invalidValue(command: String, field: String, value: String)

  /// The message shown to the user.
  public var description: String {
    switch self {
    case .json(let command, .truncated):
      return "`\(command)` printed truncated JSON"
    case .json(let command, .unexpected(let byte, let offset, let expected)):
      return
        "`\(command)` printed invalid JSON at byte \(offset): found '\(Character(Unicode.Scalar(byte)))', expected \(expected)"
    case .json(let command, .wrongType(let field, let offset, let expected)):
      return "`\(command)` printed invalid JSON at byte \(offset): field '\(field)' should be \(expected)"
    case .json(let command, .nestedTooDeep(let offset)):
      return "`\(command)` printed invalid JSON at byte \(offset): \(JSONScanError.nestingProblem)"
    case .invalidValue(let command, let field, let value):
      return "`\(command)` printed \(field) '\(value)', which polroute cannot interpret"
    }
  }
}
