import ArgumentParser
import CentralServer
import Foundation
import Protocol

struct FirmwareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "firmware",
        abstract: "Upload signed firmware images, roll them out to devices and follow each device's progress.",
        discussion: "A rollout started here is offered by the running server (it looks for new ones every 2 seconds).",
        subcommands: [Upload.self, Images.self, Rollout.self, Status.self]
    )

    static func service(_ store: SQLiteServerStore) -> FirmwareService { .withoutUplink(store: store) }

    struct Upload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Store a signed image (firmware-sim image build + sign); prints its id.")
        @OptionGroup var options: DataOptions
        @Argument(help: "The image file.") var file: String

        func run() async throws {
            try await reporting {
                let bytes: [UInt8]
                do { bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file))) } catch { throw CLIError("cannot read \(file): \(error.localizedDescription)") }
                let store = try options.openStore()
                let image: FirmwareImageRecord
                do { image = try await FirmwareCommand.service(store).upload(bytes, by: CLIActor.current) } catch {
                    try? await store.close()
                    throw error
                }
                try await store.close()
                print("firmware image \(image.id): \(image.model) \(image.version), \(image.size) bytes, sha256 \(image.sha256)")
            }
        }
    }

    struct Images: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List stored images, newest first.")
        @OptionGroup var options: DataOptions

        func run() async throws {
            try await reporting {
                let store = try options.openStore()
                let images = try await store.firmwareImages(limit: 1000)
                try await store.close()
                printTable(["ID", "MODEL", "VERSION", "MINIMUM", "SIZE", "UPLOADED", "BY", "SHA-256"], images.map {
                    ["\($0.id)", $0.model.description, $0.version.description, $0.minimumVersion?.description ?? "-", "\($0.size)",
                     TimeText.iso8601($0.uploaded), $0.uploadedBy, $0.sha256.description]
                })
            }
        }
    }

    struct Rollout: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Roll an image out to devices; prints the rollout's id.")
        @OptionGroup var options: DataOptions
        @Option(help: "The image id (firmware upload / firmware images).") var image: UInt64
        @Option(help: "A device id; repeat for more.") var device: [String] = []

        func run() async throws {
            try await reporting {
                let store = try options.openStore()
                let rollout: FirmwareRollout
                do { rollout = try await FirmwareCommand.service(store).startRollout(image: image, devices: device, by: CLIActor.current) } catch {
                    try? await store.close()
                    throw error
                }
                try await store.close()
                print("firmware rollout \(rollout.id): \(rollout.image.model) \(rollout.image.version) to \(rollout.targets.count) device(s)")
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a rollout's devices (or every rollout with none given).")
        @OptionGroup var options: DataOptions
        @Argument(help: "The rollout id.") var id: UInt64?

        func run() async throws {
            try await reporting {
                let store = try options.openStore()
                let rollouts: [FirmwareRollout]
                do {
                    if let id {
                        guard let rollout = try await store.firmwareRollout(id: id) else { throw CLIError("firmware rollout \(id) not found") }
                        rollouts = [rollout]
                    } else {
                        rollouts = try await store.firmwareRollouts(limit: 1000)
                    }
                } catch {
                    try? await store.close()
                    throw error
                }
                try await store.close()
                printTable(["ROLLOUT", "IMAGE", "DEVICE", "STATE", "RECEIVED", "SIZE", "UPDATED", "MESSAGE"], rollouts.flatMap { rollout in
                    rollout.targets.map {
                        ["\(rollout.id)", "\(rollout.image.id) \(rollout.image.model) \(rollout.image.version)", $0.device.value, $0.state.rawValue,
                         "\($0.bytesReceived)", "\($0.imageSize)", TimeText.iso8601($0.updated), $0.message]
                    }
                })
            }
        }
    }
}
