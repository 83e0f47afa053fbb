import Testing

@testable import PolrouteCore

/// The YAML subset netplan files use, and the located errors for what it refuses.
struct YAMLReaderTests {
  /// Parses or fails the test.
  func parse(_ text: String) throws -> YAMLNode {
    try YAMLReader.parse(text, file: "t.yaml")
  }

  /// The error a text gives, as `FILE:LINE:COL: error: ...`.
  func failure(_ text: String) -> String? {
    do {
      _ = try YAMLReader.parse(text, file: "t.yaml")
      return nil
    } catch {
      return error.description
    }
  }

  @Test("block mappings and sequences, a sequence at its key's indentation, compact '- key: value' items")
  func blocks() throws {
    let node = try parse(
      """
      # comment
      network:
        version: 2
        ethernets:
          eth0:
            addresses:
            - 192.0.2.10/24   # trailing comment
            - "2001:db8::10/64"
            routes:
              - to: default
                via: 192.0.2.1
              - to: 198.51.100.0/24
                via: 192.0.2.2
                table: 200
      """)
    let eth0 = node["network"]?["ethernets"]?["eth0"]
    #expect(node["network"]?["version"]?.text == "2")
    #expect(eth0?["addresses"]?.items?.map(\.text) == ["192.0.2.10/24", "2001:db8::10/64"])
    #expect(eth0?["routes"]?.items?.count == 2)
    #expect(eth0?["routes"]?.items?[1]["table"]?.text == "200")
    #expect(eth0?["routes"]?.items?[1]["via"]?.location == at("t.yaml", 13, 16))
    #expect(eth0?["addresses"]?.items?[0].location == at("t.yaml", 7, 9))
  }

  @Test("flow sequences and mappings, over several lines, with quoted scalars and comments")
  func flow() throws {
    let node = try parse(
      """
      a: [1, 'two', "th\\"ree", {k: v, e: }]
      b: {to: default, via: 192.0.2.1,   # first
          metric: 100}
      c: []
      d: {}
      """)
    #expect(node["a"]?.items?.prefix(3).map(\.text) == ["1", "two", "th\"ree"])
    #expect(node["a"]?.items?[3]["k"]?.text == "v")
    #expect(node["a"]?.items?[3]["e"]?.text == "")
    #expect(node["b"]?["metric"]?.text == "100")
    #expect(node["b"]?["metric"]?.location == at("t.yaml", 3, 13))
    #expect(node["c"]?.items == [])
    #expect(node["d"]?.pairs == [])
  }

  @Test("scalars: single quotes double '' , double-quoted escapes, null, a leading document marker")
  func scalars() throws {
    let node = try parse("---\nsingle: 'it''s'\ndouble: \"a\\tb\\u00e9\\x41\"\nnothing:\ntilde: ~\nurl: http://x/y\n")
    #expect(node["single"]?.text == "it's")
    #expect(node["double"]?.text == "a\tbéA")
    if case .scalar(let scalar)? = node["nothing"] { #expect(scalar.isNull) } else { Issue.record("not a scalar") }
    if case .scalar(let scalar)? = node["tilde"] { #expect(scalar.isNull) } else { Issue.record("not a scalar") }
    #expect(node["url"]?.text == "http://x/y")
  }

  @Test("an empty file is null; a file of comments too")
  func empty() throws {
    if case .scalar(let scalar) = try parse("") { #expect(scalar.isNull) } else { Issue.record("not null") }
    if case .scalar(let scalar) = try parse("# only\n\n") { #expect(scalar.isNull) } else { Issue.record("not null") }
  }

  @Test("what the subset refuses gets FILE:LINE:COL and a reason")
  func errors() {
    #expect(failure("a:\n\tb: 1\n") == "t.yaml:2:1: error: a tab character indents this line (YAML allows only spaces)")
    #expect(failure("a: 1\na: 2\n") == "t.yaml:2:1: error: duplicate key 'a' (first at line 1)")
    #expect(failure("a: &x 1\n") == "t.yaml:1:4: error: anchors and aliases ('&') are not supported in netplan files")
    #expect(failure("a: |\n  text\n") == "t.yaml:1:4: error: block scalars ('|') are not supported in netplan files")
    #expect(failure("a: !!str 1\n") == "t.yaml:1:4: error: tags ('!') are not supported in netplan files")
    #expect(failure("a: [1, 2\n") == "t.yaml:1:4: error: unterminated flow collection")
    #expect(failure("a: [1 2]\n") == nil)
    #expect(failure("a: {b: 1 c}\n") == nil)
    #expect(failure("a: [1, 2] x\n") == "t.yaml:1:11: error: unexpected text after the value")
    #expect(
      failure("a: 'x\n")
        == "t.yaml:1:4: error: unterminated single-quoted scalar (quoted scalars over several lines are not supported)")
    #expect(
      failure("a:\n  b: 1\n   c: 2\n") == "t.yaml:3:4: error: unexpected indentation (a key was expected at column 3)")
    #expect(
      failure("a: 1\n  continued\n") == "t.yaml:2:3: error: unexpected indentation (a key was expected at column 1)")
    #expect(
      failure("a: b: c\n")
        == "t.yaml:1:4: error: a mapping cannot start on its key's line (put it on the next line, indented)")
    #expect(failure("a: \"\\q\"\n") == "t.yaml:1:5: error: unknown escape '\\q' in a double-quoted scalar")
    #expect(
      failure("a: 1\n---\nb: 2\n") == "t.yaml:2:1: error: a second document ('---') is not supported in a netplan file")
    #expect(failure("- a\nb: 1\n") == "t.yaml:2:1: error: unexpected content after the document's top-level value")
  }

  @Test("no input crashes the reader: every prefix of a valid file parses or fails with a location")
  func prefixes() {
    let text =
      "network:\n  ethernets:\n    eth0: {dhcp4: true, routes: [{to: default, via: \"192.0.2.1\"}]}\n  x: 'a'\n"
    let characters = Array(text)
    for end in 0...characters.count {
      let prefix = String(characters[0..<end])
      do {
        _ = try YAMLReader.parse(prefix, file: "p.yaml")
      } catch {
        #expect(error.location.file == "p.yaml")
        #expect(error.location.line >= 1)
      }
    }
  }
}
