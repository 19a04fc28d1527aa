import ArgumentParser
import DeviceAgent
import Protocol

@main
struct ImprimaturAgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "imprimatur-agent",
        abstract: "Imprimatur's device agent: unlocks the copier and the seal on grants signed by the server.",
        discussion: "Linked with libmodbus \(SystemLibraries.libmodbusVersion) and libusb \(SystemLibraries.libusbVersion). See docs/agent.md.",
        version: "\(ImprimaturVersion.string) (protocol \(ImprimaturVersion.protocolVersion), libmodbus \(SystemLibraries.libmodbusVersion), libusb \(SystemLibraries.libusbVersion))",
        subcommands: [InitCommand.self, EnrollCommand.self, RunCommand.self, TapCommand.self, FlashCommand.self, LogoutCommand.self, StatusCommand.self, VerifyBillCommand.self, AuditHeadCommand.self]
    )
}

/// `--config FILE`, shared by the commands that need the agent's configuration.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "The agent's configuration file (docs/agent.md).")
    var config: String = "/etc/imprimatur/agent.toml"

    func load() throws -> AgentConfig {
        guard let text = try? String(contentsOfFile: config, encoding: .utf8) else {
            throw ValidationError("cannot read the configuration file \(config)")
        }
        do {
            return try AgentConfig(file: ConfigFile(parsing: text))
        } catch {
            throw ValidationError("\(config): \(error)")
        }
    }
}
