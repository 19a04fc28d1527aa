import ArgumentParser
import CentralServer

@main
struct ImprimaturServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "imprimatur-server",
        abstract: "Imprimatur's central server: users, cards, quotas, grants, the event archive and the web pages.",
        discussion: "Serving, the admin commands and the web pages arrive with the server issues; see docs/.",
        version: "\(ServerInfo.version) (protocol \(ServerInfo.protocolVersion))"
    )
}
