import ArgumentParser
import DeviceAgent
import Foundation
import Protocol

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the state folder and the device's key pair (the private key never leaves this box)."
    )

    @OptionGroup var options: ConfigOption

    func run() throws {
        let config = try options.load()
        let key: SigningKey
        do { key = try DeviceKeyFile.create(config.deviceKeyFile) } catch { throw ValidationError("\(error)") }
        print("device \(config.deviceID): key \(config.deviceKeyFile), public key \(Hex.encode(key.publicKey.bytes))")
    }
}
