/// Finds the cloud agents that rewrite a host's network configuration, routes or rules, from their files.
enum CloudAgentDetector {
  /// The agents found.
  static func detect(_ files: HostFiles, notes: inout [Diagnostic]) -> [CloudAgent] {
    var agents: [CloudAgent] = []
    if let cloudInit = cloudInit(files, notes: &notes) { agents.append(cloudInit) }
    let ec2 = HostConfigurationPaths.ec2NetUtilsMarkers.filter(files.exists)
    if !ec2.isEmpty { agents.append(CloudAgent(kind: .amazonEC2NetUtils, evidence: ec2)) }
    let google = HostConfigurationPaths.googleGuestAgentMarkers.filter(files.exists)
    if !google.isEmpty {
      var agent = CloudAgent(kind: .googleGuestAgent, evidence: google)
      // instance_configs.cfg, then the distribution's defaults: `[NetworkInterfaces] setup = false` stops it from
      // configuring secondary interfaces.
      for path in HostConfigurationPaths.googleInstanceConfigs {
        guard let text = files.text(path) else { continue }
        let document = INIDocument.parse(text, file: path, dialect: .keyFile)
        if let entry = document.last("NetworkInterfaces", "setup"), let value = BooleanWord.parse(entry.value) {
          agent.managesNetworkConfiguration = value
          agent.location = document.location(entry)
          break
        }
      }
      agents.append(agent)
    }
    return agents
  }

  /// cloud-init, when /etc/cloud/cloud.cfg exists: whether its network configuration is on (`network: {config:
  /// disabled}` in cloud.cfg or a cloud.cfg.d file, later files winning; /etc/cloud/cloud-init.disabled turns
  /// cloud-init off entirely), and the files it generated (their names or headers say so).
  static func cloudInit(_ files: HostFiles, notes: inout [Diagnostic]) -> CloudAgent? {
    guard files.exists(HostConfigurationPaths.cloudConfig) else { return nil }
    var agent = CloudAgent(kind: .cloudInit, evidence: [HostConfigurationPaths.cloudConfig])
    let dropIns = files.names(in: HostConfigurationPaths.cloudConfigDirectory).filter { $0.hasSuffix(".cfg") }.map {
      HostConfigurationPaths.cloudConfigDirectory + "/" + $0
    }
    for path in [HostConfigurationPaths.cloudConfig] + dropIns {
      guard let text = files.text(path), let fragment = networkFragment(text) else { continue }
      do {
        let document = try YAMLReader.parse(fragment, file: path)
        if let config = document["network"]?["config"], let value = config.text {
          agent.managesNetworkConfiguration = value != "disabled"
          agent.location = config.location
        }
      } catch {
        notes.append(
          Diagnostic(.note, "cloud-init's 'network:' setting not read: \(error.message)", at: error.location))
      }
    }
    if files.exists(HostConfigurationPaths.cloudInitDisabled) {
      agent.managesNetworkConfiguration = false
      agent.location = SourceLocation(file: HostConfigurationPaths.cloudInitDisabled, line: 1, column: 1)
      agent.evidence.append(HostConfigurationPaths.cloudInitDisabled)
    }
    let configurationDirectories =
      HostConfigurationPaths.networkdDirectories + HostConfigurationPaths.keyfileDirectories
      + NetplanConfiguration.directories + [HostConfigurationPaths.networkScripts, DebianPlacement.directory]
    for directory in configurationDirectories {
      for name in files.names(in: directory) {
        let path = directory + "/" + name
        guard let bytes = files.contents[path] else { continue }
        // The headers cloud-init writes are in the first lines: no need to decode a whole file.
        let head = String(decoding: bytes.prefix(512), as: UTF8.self)
        if name.containsBytes("cloud-init") || head.containsBytes("Created by cloud-init")
          || head.containsBytes("generated from information provided by the datasource")
        {
          agent.generatedFiles.append(path)
        }
      }
    }
    return agent
  }

  /// The top-level `network:` entry of a cloud-config file, other lines blanked so that positions stay right:
  /// cloud-init's files use YAML this reader does not (anchors and block scalars in 05_logging.cfg), and only this
  /// entry matters here. Nil when the file has none.
  static func networkFragment(_ text: String) -> String? {
    // Most cloud.cfg files have no `network:` entry: find out without splitting them into lines.
    guard text.hasPrefix("network:") || text.containsBytes("\nnetwork:") else { return nil }
    var inside = false
    var found = false
    var kept: [String] = []
    for line in text.byteLines {
      let topLevel = !line.isEmpty && line.first != " " && line.first != "\t" && line.first != "#"
      if topLevel { inside = line.hasPrefix("network:") }
      if inside { found = true }
      kept.append(inside ? String(line) : "")
    }
    return found ? kept.joined(separator: "\n") : nil
  }
}
