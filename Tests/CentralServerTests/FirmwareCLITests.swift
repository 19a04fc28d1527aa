import Foundation
import Protocol
import TestSupport
import Testing
@testable import CentralServer

/// `imprimatur-server firmware upload|images|rollout|status` as an administrator runs them,
/// against a data folder with one enrolled device.
@Suite("imprimatur-server firmware")
struct FirmwareCLITests {
    static func run(_ arguments: [String], _ data: TemporaryDirectory) throws -> (status: Int32, output: String, error: String) {
        try ChildProcess.run(try BuildProducts.executable("imprimatur-server"), arguments + ["--data", data.path], timeout: .seconds(30))
    }

    /// A data folder with device agent-1 (a copier and a seal) enrolled.
    static func dataWithDevice() async throws -> TemporaryDirectory {
        let data = try TemporaryDirectory()
        let services = try ServerServices.open(dataDirectory: data.path)
        let (token, _) = try await services.admin.createEnrollmentToken(name: "Copier", lifetime: 3_600_000, by: TestServer.actor)
        _ = try await services.enrollment.enroll(EnrollmentService.Request(
            token: token, deviceID: "agent-1", publicKey: Hex.encode(Fixture.deviceKey.publicKey.bytes), model: "sim", firmware: "1.0.0",
            resources: [("copier-1", "copier")]
        ), source: "test")
        try await services.store.close()
        return data
    }

    @Test func uploadRolloutAndStatus() async throws {
        let data = try await Self.dataWithDevice()
        let path = data.appending("copier-1.3.0.img")
        try Data(try FirmwareAPITests.image()).write(to: URL(fileURLWithPath: path))
        let uploaded = try Self.run(["firmware", "upload", path], data)
        #expect(uploaded.status == 0, "\(uploaded.error)")
        #expect(uploaded.output.hasPrefix("firmware image 1: copier 1.3.0,"), "\(uploaded.output)")
        #expect(try Self.run(["firmware", "images"], data).output.contains("copier  1.3.0"))

        let rollout = try Self.run(["firmware", "rollout", "--image", "1", "--device", "agent-1"], data)
        #expect(rollout.status == 0, "\(rollout.error)")
        #expect(rollout.output.contains("firmware rollout 1: copier 1.3.0 to 1 device(s)"))
        let status = try Self.run(["firmware", "status", "1"], data)
        #expect(status.output.contains("agent-1"), "\(status.output)")
        #expect(status.output.contains("queued"), "\(status.output)")
        #expect(try Self.run(["firmware", "status"], data).output.contains("agent-1"))
    }

    @Test func badInputGetsOneClearLine() async throws {
        let data = try await Self.dataWithDevice()
        let unsigned = data.appending("unsigned.img")
        try Data(try FirmwareAPITests.image(signed: false)).write(to: URL(fileURLWithPath: unsigned))
        let seal = data.appending("seal.img")
        try Data(try FirmwareAPITests.image(.seal)).write(to: URL(fileURLWithPath: seal))
        #expect(try Self.run(["firmware", "upload", seal], data).status == 0)
        let cases: [([String], String)] = [
            (["firmware", "upload", data.appending("missing.img")], "cannot read"),
            (["firmware", "upload", unsigned], "not signed"),
            (["firmware", "upload", seal], "already stored as firmware image 1"),
            (["firmware", "rollout", "--image", "9", "--device", "agent-1"], "firmware image 9 not found"),
            (["firmware", "rollout", "--image", "1", "--device", "agent-7"], "no enrolled device agent-7"),
            (["firmware", "rollout", "--image", "1", "--device", "agent-1"], "device agent-1 has no seal"),
            (["firmware", "rollout", "--image", "1"], "1 to 1000 devices"),
            (["firmware", "status", "4"], "firmware rollout 4 not found"),
        ]
        for (arguments, message) in cases {
            let result = try Self.run(arguments, data)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.error.contains(message), "\(arguments): \(result.error)")
        }
        #expect(try Self.run(["firmware", "status"], data).output.split(separator: "\n").count == 1, "no rollout was stored")
    }
}
