import ArgumentParser
import Protocol

@main
struct FirmwareSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "firmware-sim",
        abstract: "Simulated Imprimatur devices: a Modbus copier controller and a USB seal, with flashable firmware.",
        discussion: "The copier (Modbus TCP/RTU), the seal (USB through umockdev) and firmware images arrive with their issues.",
        version: ImprimaturVersion.string
    )
}
