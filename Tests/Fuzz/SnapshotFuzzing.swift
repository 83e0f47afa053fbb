/// Snapshots from arbitrary bytes: loaded, and when they load, inspected, a policy derived, planned and rendered.
enum SnapshotFuzzing {
  static func run(_ bytes: [UInt8]) {
    let state: HostState
    do {
      state = try Snapshot.decode(bytes, file: "fuzz.json")
    } catch {
      _ = error.description
      return
    }
    FuzzHosts.exercise(state: state, document: nil)
  }
}
