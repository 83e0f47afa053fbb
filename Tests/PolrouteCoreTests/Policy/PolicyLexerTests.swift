import Testing

@testable import PolrouteCore

/// The policy lexer: words with their positions, comments, continuation lines, quotes.
struct PolicyLexerTests {
  /// Each statement as its words, and each word as `LINE:COL:TEXT`.
  static func lex(_ text: String) -> (words: [[String]], errors: [String]) {
    let lexed = PolicyLexer.statements(text, file: "p.conf")
    let words = lexed.statements.map { $0.map { "\($0.location.line):\($0.location.column):\($0.text)" } }
    return (words, lexed.errors.map(\.description))
  }

  @Test func wordsCarryLineAndColumn() {
    let lexed = Self.lex("uplink isp1 dev eth0")
    #expect(lexed.words == [["1:1:uplink", "1:8:isp1", "1:13:dev", "1:17:eth0"]])
    #expect(lexed.errors == [])
  }

  @Test func tokensKeepTheFileName() {
    let lexed = PolicyLexer.statements("auto", file: "/etc/polroute.conf")
    #expect(
      lexed.statements == [
        [Token("auto", at: PolrouteCore.SourceLocation(file: "/etc/polroute.conf", line: 1, column: 1))]
      ])
  }

  @Test func spacesAndTabsSeparateWordsAndCountOneColumnEach() {
    #expect(Self.lex("  table\t\tvpn   200  ").words == [["1:3:table", "1:10:vpn", "1:16:200"]])
  }

  @Test func eachLineIsAStatementAndBlankLinesCount() {
    let lexed = Self.lex("auto\n\n   \nexclude eth1\n\t\ninclude br0\n")
    #expect(lexed.words == [["1:1:auto"], ["4:1:exclude", "4:9:eth1"], ["6:1:include", "6:9:br0"]])
  }

  @Test func commentsRunToTheEndOfTheLine() {
    let lexed = Self.lex("# a whole line\nexclude eth1 # why\n   # indented\nexclude eth2#no space")
    #expect(lexed.words == [["2:1:exclude", "2:9:eth1"], ["4:1:exclude", "4:9:eth2"]])
  }

  @Test func aFileOfOnlyCommentsHasNoStatements() {
    #expect(Self.lex("# nothing\n\n# here\n").words == [])
    #expect(Self.lex("").words == [])
  }

  @Test func aBackslashAtTheEndOfALineContinuesTheStatement() {
    let lexed = Self.lex("route 192.0.2.0/24 \\\n    via 198.51.100.1 \\   \n\ttable mgmt\nauto")
    #expect(
      lexed.words == [
        ["1:1:route", "1:7:192.0.2.0/24", "2:5:via", "2:9:198.51.100.1", "3:2:table", "3:8:mgmt"], ["4:1:auto"],
      ])
  }

  @Test func aBackslashRightAfterAWordContinuesTheStatementToo() {
    // `dev eth0\` must not read as the device `eth0\` followed by a separate `table 100` statement.
    let lexed = Self.lex("uplink isp1 dev eth0\\\n  table 100")
    #expect(lexed.words == [["1:1:uplink", "1:8:isp1", "1:13:dev", "1:17:eth0", "2:3:table", "2:9:100"]])
  }

  @Test func aContinuationOnTheLastLineEndsTheStatementAtTheEndOfTheFile() {
    #expect(Self.lex("exclude \\").words == [["1:1:exclude"]])
    #expect(Self.lex("exclude eth1 \\\n").words == [["1:1:exclude", "1:9:eth1"]])
  }

  @Test func aBackslashInsideAWordIsAnOrdinaryCharacter() {
    #expect(Self.lex(#"exclude a\b \c"#).words == [["1:1:exclude", #"1:9:a\b"#, #"1:13:\c"#]])
  }

  @Test func aBackslashBeforeACommentDoesNotContinue() {
    #expect(
      Self.lex("exclude eth1 \\ # comment\nauto").words == [["1:1:exclude", "1:9:eth1", #"1:14:\"#], ["2:1:auto"]])
  }

  @Test func doubleQuotesKeepSpacesAndHashesAndStartTheWordAtTheQuote() {
    let lexed = Self.lex(#"exclude "my eth" "a#b" x"y z"w """#)
    #expect(lexed.words == [["1:1:exclude", "1:9:my eth", "1:18:a#b", "1:24:xy zw", "1:32:"]])
    #expect(lexed.errors == [])
  }

  @Test func backslashEscapesQuotesAndBackslashesInsideQuotes() {
    #expect(Self.lex(#"exclude "a\"b" "c\\d" "e\f""#).words == [["1:1:exclude", #"1:9:a"b"#, #"1:16:c\d"#, "1:23:ef"]])
  }

  @Test func aQuoteLeftOpenIsAnErrorAtTheStartOfItsWord() {
    let lexed = Self.lex("auto\nexclude \"eth0 # not a comment\nauto")
    #expect(lexed.errors == ["p.conf:2:9: error: unterminated quote"])
    #expect(lexed.words == [["1:1:auto"], ["2:1:exclude", "2:9:eth0 # not a comment"], ["3:1:auto"]])
  }

  @Test func aQuoteDoesNotSpanLines() {
    let lexed = Self.lex("exclude \"eth0\nauto\"")
    #expect(lexed.errors == ["p.conf:1:9: error: unterminated quote", "p.conf:2:1: error: unterminated quote"])
    #expect(lexed.words == [["1:1:exclude", "1:9:eth0"], ["2:1:auto"]])
  }

  @Test func windowsLineEndingsAreAccepted() {
    #expect(Self.lex("exclude eth1\r\nauto\r\n").words == [["1:1:exclude", "1:9:eth1"], ["2:1:auto"]])
  }

  @Test func columnsCountCharactersNotBytes() {
    #expect(Self.lex("exclude \"é\" eth1").words == [["1:1:exclude", "1:9:é", "1:13:eth1"]])
  }
}
