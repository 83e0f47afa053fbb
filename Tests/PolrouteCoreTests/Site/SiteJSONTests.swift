import Testing

@testable import PolrouteCore

/// The JSON form of a site file: the same statements as the text form, and errors at the JSON's own positions.
struct SiteJSONTests {
  /// Parses JSON text as `s.json`; every diagnostic as text.
  static func parse(_ json: String) -> (document: SiteDocument, messages: [String]) {
    let parsed = SiteJSON.parse(Array(json.utf8), file: "s.json")
    return (parsed.document, parsed.diagnostics.map(\.description))
  }

  /// A document's statements without positions, to compare the two forms.
  static func withoutLocations(_ statements: [SiteStatement]) -> [String] {
    statements.map { statement in
      switch statement {
      case .site(let site):
        "site \(site.asn.value) \(site.routerID?.value.description ?? "-") \(site.prepend?.value.description ?? "-")"
      case .announce(let announcement): "announce \(announcement.prefix.value) \(announcement.via?.value ?? "-")"
      case .provider(let provider):
        "provider \(provider.name.value) \(provider.neighbor.value) \(provider.asn.value) \(provider.role.value)"
          + " \(provider.backupCommunity?.value.description ?? "-")"
      case .prefer(let preference): "prefer \(preference.destination.value) \(preference.via.value)"
      }
    }
  }

  @Test func everyKeyGivesTheTextFormsStatements() {
    let json = """
      {
        "site": {"as": 65055, "router-id": "192.0.2.1", "prepend": "4"},
        "announce": ["192.0.2.0/24", {"prefix": "2001:db8:55::/48", "via": "isp2"},
                     {"via": "isp1", "prefix": "198.51.100.0/24"}],
        "providers": [
          {"name": "isp1", "neighbor": "203.0.113.1", "as": 65066, "role": "primary"},
          {"role": "backup", "as": "4200000077", "neighbor": "2001:db8:2::1", "name": "isp2",
           "backup-community": "4200000077:0:70"}
        ],
        "prefer": [{"prefix": "100.64.0.0/16", "via": "isp1"}]
      }
      """
    let text = """
      site as 65055 router-id 192.0.2.1 prepend 4
      announce 192.0.2.0/24
      announce 2001:db8:55::/48 via isp2
      announce 198.51.100.0/24 via isp1
      provider isp1 neighbor 203.0.113.1 as 65066 role primary
      provider isp2 neighbor 2001:db8:2::1 as 4200000077 role backup backup-community 4200000077:0:70
      prefer 100.64.0.0/16 via isp1
      """
    let fromJSON = Self.parse(json)
    let fromText = SiteParser.parse(text, file: "s.conf")
    #expect(fromJSON.messages == [])
    #expect(fromText.diagnostics == [])
    #expect(fromJSON.document.statements.count == 7)
    #expect(Self.withoutLocations(fromJSON.document.statements) == Self.withoutLocations(fromText.document.statements))
  }

  @Test func valuesAreLocatedInTheJSON() throws {
    let parsed = Self.parse("{\"site\": {\"as\": 0}}")
    #expect(parsed.messages == ["s.json:1:17: error: AS 0 is reserved (RFC 7607) and cannot be used"])
    let multiline = Self.parse(
      "{\n  \"providers\": [\n    {\"name\": \"isp1\", \"neighbor\": \"fe80::1\", \"as\": 2, \"role\": \"primary\"}]}")
    #expect(
      multiline.messages == [
        "s.json:3:34: error: neighbor fe80::1 is link-local: give the provider's global address"
          + " (a link-local session needs an interface, which a site file does not name)"
      ])
  }

  @Test(
    "errors in the JSON's shape",
    arguments: [
      ("[]", "s.json:1:1: error: a JSON site file must be an object"),
      ("{\"sites\": {}}", "s.json:1:2: error: unknown key 'sites' in the site file (did you mean 'site'?)"),
      ("{\"site\": {\"as\": 1}, \"site\": {\"as\": 2}}", "s.json:1:21: error: key 'site' is given more than once"),
      ("{\"site\": 65055}", "s.json:1:10: error: 'site' must be an object"),
      ("{\"site\": {\"asn\": 1}}", "s.json:1:11: error: unknown key 'asn' in the site (did you mean 'as'?)"),
      ("{\"site\": {\"as\": true}}", "s.json:1:17: error: 'as' must be a string or a number"),
      ("{\"site\": {\"router-id\": \"192.0.2.1\"}}", "s.json:1:10: error: 'site' needs 'as ASN'"),
      ("{\"announce\": \"192.0.2.0/24\"}", "s.json:1:14: error: 'announce' must be an array"),
      ("{\"announce\": [24]}", "s.json:1:15: error: each element of 'announce' must be a prefix or an object"),
      ("{\"announce\": [{\"via\": \"a\"}]}", "s.json:1:15: error: an announcement needs 'prefix'"),
      (
        "{\"announce\": [{\"prefix\": \"192.0.2.0/24\", \"by\": \"a\"}]}",
        "s.json:1:42: error: unknown key 'by' in an announcement"
      ),
      ("{\"prefer\": [\"100.64.0.0/16\"]}", "s.json:1:13: error: each element of 'prefer' must be an object"),
      (
        "{\"prefer\": [{\"prefix\": \"100.64.0.0/16\"}]}",
        "s.json:1:13: error: prefer 100.64.0.0/16 needs 'via PROVIDER'"
      ),
      ("{\"providers\": [{\"neighbor\": \"203.0.113.1\"}]}", "s.json:1:16: error: a provider needs 'name'"),
      (
        "{\"providers\": [{\"name\": \"a\", \"name\": \"b\"}]}",
        "s.json:1:30: error: key 'name' is given more than once"
      ),
      (
        "{\"providers\": [{\"name\": \"a\", \"neighbor\": \"203.0.113.1\", \"as\": 2, \"role\": \"primary\","
          + " \"comunity\": 1}]}",
        "s.json:1:85: error: unknown key 'comunity' in a provider"
      ),
      ("{\"site\": ", "s.json:1:10: error: the JSON document ends too early"),
      ("{\"site\": {}} x", "s.json:1:14: error: invalid JSON: found 'x', expected the end of the document"),
    ])
  func shapeError(_ json: String, _ message: String) {
    #expect(Self.parse(json).messages == [message])
  }
}
