import ArgumentParser
import Protocol

@main
struct FirmwareSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "firmware-sim",
        abstract: "Simulated Imprimatur devices: a Modbus copier controller and a USB seal, with flashable firmware.",
        discussion: "The copier serves the Modbus map of docs/modbus-map.md and has a front panel (docs/copier-simulator.md). The seal is a USB device through umockdev with a front panel (docs/seal-simulator.md). `image` builds and signs firmware images for them (docs/firmware.md).",
        version: ImprimaturVersion.string,
        subcommands: [CopierCommand.self, SealCommand.self, ImageCommand.self]
    )
}
