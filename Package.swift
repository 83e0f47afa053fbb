// swift-tools-version:6.0
// polroute: a multi-homing configurator for Linux. Foundation only, no package dependencies.
import PackageDescription

let package = Package(
  name: "polroute",
  products: [
    .executable(name: "polroute", targets: ["polroute"])
  ],
  targets: [
    // Pure values and functions: no processes, no disk, no printing.
    .target(name: "PolrouteCore"),
    // The only code that touches the operating system.
    .target(name: "PolrouteSystem", dependencies: ["PolrouteCore"]),
    // Argument parsing, help, output formatting and exit codes.
    .target(name: "PolrouteCLI", dependencies: ["PolrouteCore", "PolrouteSystem"]),
    .executableTarget(name: "polroute", dependencies: ["PolrouteCLI"]),
    // Shared by the test targets: fixture hosts, golden files, network namespaces for live tests.
    .target(name: "TestSupport", dependencies: ["PolrouteCore", "PolrouteSystem"], path: "Tests/TestSupport"),
    .testTarget(name: "PolrouteCoreTests", dependencies: ["PolrouteCore", "TestSupport"]),
    .testTarget(name: "PolrouteSystemTests", dependencies: ["PolrouteSystem", "PolrouteCore", "TestSupport"]),
    .testTarget(
      name: "PolrouteCLITests", dependencies: ["PolrouteCLI", "PolrouteSystem", "PolrouteCore", "TestSupport"]),
    .testTarget(name: "LiveTests", dependencies: ["PolrouteCore", "PolrouteSystem", "TestSupport"]),
  ]
)
