import Testing

@testable import PolrouteCore

/// No site file crashes polroute: mangled copies of valid files, text and JSON, are parsed, checked and rendered,
/// and every one either renders or has an error with a position.
struct SiteFuzzTests {
  /// A valid site using every statement and word.
  static let text = """
    site as 65055 router-id 192.0.2.1 prepend 4
    announce 192.0.2.0/24
    announce 2001:db8:55::/48 via isp2
    provider isp1 neighbor 203.0.113.1 as 65066 role primary backup-community 65066:80
    provider isp2 neighbor 2001:db8:2::1 as 4200000077 role backup backup-community 4200000077:0:70
    provider isp3 neighbor 203.0.113.9 as 65067 role backup
    prefer 100.64.0.0/16 via isp1
    """

  /// The same site as JSON.
  static let json = """
    {"site": {"as": 65055, "router-id": "192.0.2.1", "prepend": 4},
     "announce": ["192.0.2.0/24", {"prefix": "2001:db8:55::/48", "via": "isp2"}],
     "providers": [{"name": "isp1", "neighbor": "203.0.113.1", "as": 65066, "role": "primary"},
                   {"name": "isp2", "neighbor": "2001:db8:2::1", "as": 4200000077, "role": "backup",
                    "backup-community": "4200000077:0:70"}],
     "prefer": [{"prefix": "100.64.0.0/16", "via": "isp1"}]}
    """

  /// Bytes that matter to the lexers and parsers.
  static let interesting = Array("\"\\#:/.,{}[] \n\t0123456789abcdefx-".utf8) + [0, 0xC3, 0xA9, 0xFF]

  /// A copy of `bytes` with a few random bytes replaced, inserted or removed.
  static func mangle(_ bytes: [UInt8], using generator: inout SeededGenerator) -> [UInt8] {
    var result = bytes
    for _ in 0..<Int.random(in: 1...4, using: &generator) {
      let index = Int.random(in: 0..<max(1, result.count), using: &generator)
      let byte = interesting.randomElement(using: &generator)!
      switch Int.random(in: 0..<3, using: &generator) {
      case 0 where !result.isEmpty: result[index] = byte
      case 1: result.insert(byte, at: min(index, result.count))
      default: if !result.isEmpty { result.remove(at: index) }
      }
    }
    return result
  }

  @Test(arguments: [("s.conf", text), ("s.json", json)])
  func mangledFilesNeverCrash(_ file: String, _ original: String) {
    var generator = SeededGenerator(seed: 14)
    var rendered = 0
    for _ in 0..<1500 {
      let bytes = Self.mangle(Array(original.utf8), using: &generator)
      do {
        let site = try SiteResolver.load(bytes, file: file)
        let result = FRRRenderer.render(site)
        #expect(result.files.count == 1)
        #expect(result.files[0].contents.hasSuffix("exit\n!\n"))
        rendered += 1
      } catch {
        let errors = error.diagnostics.filter { $0.severity == .error }
        #expect(!errors.isEmpty)
        #expect(errors.allSatisfy { $0.location?.file == file && $0.location!.line >= 1 })
      }
    }
    // Some mangled copies stay valid (a changed digit in an address), so both paths run.
    #expect(rendered > 0)
  }
}
