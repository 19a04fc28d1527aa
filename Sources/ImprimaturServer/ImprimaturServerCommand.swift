import ArgumentParser
import CentralServer

@main
struct ImprimaturServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "imprimatur-server",
        abstract: "Imprimatur's central server: users, cards, quotas, grants, the event archive and the web pages.",
        discussion: "Every command takes --data DIR (default ./var/server). See docs/server.md.",
        version: "\(ServerInfo.version) (protocol \(ServerInfo.protocolVersion))",
        subcommands: [
            ServeCommand.self, UserCommand.self, DeviceCommand.self, PriceCommand.self, QuotaCommand.self, PaymentsCommand.self,
            KeysCommand.self, WebhookCommand.self, TokenCommand.self, AuditCommand.self, OpenAPICommand.self,
            TLSCommand.self, BillCommand.self, DemoCommand.self, FirmwareCommand.self,
        ]
    )
}
