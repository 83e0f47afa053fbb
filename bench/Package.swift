// swift-tools-version:6.0
// polroute's benchmark harness: a separate package so that polroute itself keeps no benchmark code. Foundation only,
// no package dependencies; it spawns polroute and iproute2 and times them (see README.md).
import PackageDescription

let package = Package(
  name: "polroute-bench",
  targets: [
    .executableTarget(name: "polroute-bench")
  ]
)
