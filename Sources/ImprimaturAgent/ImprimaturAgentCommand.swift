import ArgumentParser
import DeviceAgent
import Protocol

@main
struct ImprimaturAgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "imprimatur-agent",
        abstract: "Imprimatur's device agent: unlocks the copier and the seal on grants signed by the server.",
        discussion: "Linked with libmodbus \(SystemLibraries.libmodbusVersion) and libusb \(SystemLibraries.libusbVersion).",
        version: "\(ImprimaturVersion.string) (protocol \(ImprimaturVersion.protocolVersion), libmodbus \(SystemLibraries.libmodbusVersion), libusb \(SystemLibraries.libusbVersion))"
    )
}
