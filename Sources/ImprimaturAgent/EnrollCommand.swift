import ArgumentParser
import DeviceAgent
import Foundation
import Protocol

struct EnrollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll",
        abstract: "Enrol this box with the server using a one-time token: creates the device key if needed, sends only its public half, and stores the server's keys."
    )

    @OptionGroup var options: ConfigOption
    @Option(name: .long, help: "The server's base URL, e.g. https://imprimatur.example:8443 (default: server.url of --config).")
    var server: String?
    @Option(name: .long, help: "The one-time enrolment token from `imprimatur-server device token`.")
    var token: String
    @Option(name: .long, help: "The model of the copier this box drives.") var model: String = "IMP-SIM-C45"
    @Option(name: .long, help: "The box's firmware/agent version.") var firmware: String = ImprimaturVersion.string

    func run() async throws {
        let config = try options.load()
        guard let server = server ?? config.serverURL else { throw ValidationError("give --server or set server.url in \(options.config)") }
        // The enrolment token and the device's key cross this connection: the same rule as server.url.
        if let refusal = NetworkAddress.plainURLRefusal(server, insecure: config.insecureHTTP) { throw ValidationError("--server: \(refusal)") }
        let key: SigningKey
        if FileManager.default.fileExists(atPath: config.deviceKeyFile) {
            do { key = try DeviceKeyFile.load(config.deviceKeyFile) } catch { throw ValidationError("\(error)") }
        } else {
            do { key = try DeviceKeyFile.create(config.deviceKeyFile) } catch { throw ValidationError("\(error)") }
        }
        let result: Enrollment.Result
        do {
            result = try await Enrollment.enroll(
                server: server, token: token, deviceID: config.deviceID, publicKey: key.publicKey, model: model, firmware: firmware,
                resources: resources(config), caFile: config.serverCAFile
            )
        } catch {
            throw ValidationError("enrolment failed: \(error)")
        }
        let store = try AgentStore.open(path: "\(config.stateDirectory)/agent.sqlite", deviceID: config.deviceID, deviceKey: key)
        defer { try? store.close() }
        try store.storeServerKeys(result.serverKeys)
        print("enrolled \(result.deviceID) with server \(result.serverID); trusting \(result.serverKeys.count) server key(s)")
    }

    /// What the box drives, as the server records it: the copier and/or the seal.
    private func resources(_ config: AgentConfig) -> [(ResourceID, ResourceType)] {
        var list: [(ResourceID, ResourceType)] = []
        if config.modbus != nil { list.append((config.copierID, .copier)) }
        if let seal = config.seal { list.append((seal.sealID, .seal)) }
        return list
    }
}
