// The configuration (agent.toml) lives in its own pure target, AgentConfiguration, so that the
// config fuzzer links it alone; re-exported so that `import DeviceAgent` still brings
// ConfigFile, AgentConfig, SealConfig and SealPhotoMode.
@_exported import AgentConfiguration
