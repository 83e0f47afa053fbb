import PolrouteCore
import Testing

@Suite("Host file parsing")
struct HostFileParsingTests {
  @Test("rt_tables: numbers, hex numbers, comments, malformed lines, CRLF line ends")
  func routingTables() {
    let text = "#\r\n255\tlocal\r\n0x64 data # comment\r\n\r\n7 bad name\r\nnonsense\r\n101\tmgmt"
    let parsed = RoutingTableFile.parse(text, file: "/etc/iproute2/rt_tables")
    #expect(
      parsed.entries.map { "\($0.number) \($0.name) \($0.line)" } == [
        "255 local 2", "100 data 3", "7 bad 5", "101 mgmt 7",
      ])
    #expect(parsed.malformedLines == [6])
  }

  @Test("os-release: quoted and plain values, escapes, CRLF line ends")
  func osRelease() {
    let values = OSRelease.parse(
      "ID=rocky\r\nID_LIKE=\"rhel centos fedora\"\r\nPRETTY_NAME='Rocky \\'9\\''\r\n# comment\r\nVERSION_ID=\"9.4\"")
    #expect(values["ID"] == "rocky")
    #expect(values["ID_LIKE"] == "rhel centos fedora")
    #expect(values["PRETTY_NAME"] == "Rocky '9'")
    #expect(values["VERSION_ID"] == "9.4")
  }

  @Test("lines splits LF and CRLF alike")
  func lines() {
    #expect("a\r\nb\nc\r\n".lines == ["a", "b", "c", ""])
  }

  @Test("trimming: ASCII whitespace or only blanks at either end, inner text and non-ASCII kept")
  func trimming() {
    #expect(" \t2\r\n".trimmingASCIIWhitespace() == "2")
    #expect("\n\n".trimmingASCIIWhitespace() == "")
    #expect("".trimmingASCIIWhitespace() == "")
    #expect("  é a\tb ü\n".trimmingASCIIWhitespace() == "é a\tb ü")
    #expect("\t source x \n".trimmingBlanks() == "source x \n")
    #expect("  x  "[...].trimmingBlanks() == "x")
  }
}
