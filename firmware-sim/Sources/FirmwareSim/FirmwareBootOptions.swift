import ArgumentParser
import FirmwareSlots
import Foundation
import Protocol

/// The firmware options both simulated devices take (docs/firmware.md).
struct FirmwareBootOptions: ParsableArguments {
    @Option(name: .customLong("vendor-key"), help: "A vendor public key to trust for firmware images: a vendor.pub file or 64 hex digits. Read at the first start only (kept in <state-dir>/firmware/boot.state); repeatable.")
    var vendorKeys: [String] = []

    @Option(help: "Seconds a flashed image gets, from each of its boots, to be confirmed before it rolls back.")
    var trialSeconds: Int64 = 60

    @Option(help: "Boots a flashed image gets without being confirmed before it rolls back.")
    var trialBoots: UInt16 = 3

    func validate() throws {
        guard (1...86_400).contains(trialSeconds) else { throw ValidationError("--trial-seconds must be from 1 to 86400") }
        guard (1...100).contains(trialBoots) else { throw ValidationError("--trial-boots must be from 1 to 100") }
    }

    var configuration: FirmwareBank.Configuration {
        FirmwareBank.Configuration(trialBoots: trialBoots, trialSeconds: trialSeconds)
    }

    func vendorPublicKeys() throws -> [PublicKey] {
        try vendorKeys.map { argument in
            var text = argument
            if Hex.decode(argument)?.count != 32 {
                guard let data = FileManager.default.contents(atPath: argument) else {
                    throw ValidationError("--vendor-key \(argument): neither 64 hex digits nor a readable file")
                }
                text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard let bytes = Hex.decode(text), let key = try? PublicKey(bytes: bytes) else {
                throw ValidationError("--vendor-key \(argument): not a 32-byte Ed25519 public key in hex")
            }
            return key
        }
    }
}
