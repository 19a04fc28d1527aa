import Foundation
import Protocol
import Testing
import TestSupport

/// `firmware-sim image keygen|build|sign|show`, the real executable: what the vendor does, and
/// that what it writes is what `FirmwareImageCheck` accepts.
@Suite("firmware-sim image")
struct FirmwareSimImageTests {
    @Test func keygenBuildSignShowAndTheImageIsAccepted() throws {
        let executable = try BuildProducts.executable("firmware-sim")
        let directory = try TemporaryDirectory("fw-image")
        let keys = directory.appending("vendor")
        let payload = directory.appending("payload.txt")
        let image = directory.appending("copier.img")
        try "name=fast\npage-rate=30\nfeature=stapling\n".write(toFile: payload, atomically: true, encoding: .utf8)

        #expect(try ChildProcess.run(executable, ["image", "keygen", "--out", keys]).status == 0)
        let again = try ChildProcess.run(executable, ["image", "keygen", "--out", keys])
        #expect(again.status == 1 && again.error.contains("refusing to overwrite a vendor key"))
        let mode = try FileManager.default.attributesOfItem(atPath: keys + "/vendor.key")[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let build = try ChildProcess.run(executable, ["image", "build", "--model", "copier", "--version", "1.2.0", "--min-version", "1.1.0",
                                                      "--payload", payload, "--out", image])
        #expect(build.status == 0, "\(build.error)")
        let unsigned = try FirmwareImage.decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: image))))
        #expect(unsigned.signature == nil && unsigned.manifest.version == FirmwareVersion(major: 1, minor: 2, patch: 0))
        #expect(unsigned.manifest.minimumVersion == FirmwareVersion(major: 1, minor: 1, patch: 0))

        #expect(try ChildProcess.run(executable, ["image", "sign", "--key", keys + "/vendor.key", image]).status == 0)
        let show = try ChildProcess.run(executable, ["image", "show", image, "--vendor-key", keys + "/vendor.pub"])
        #expect(show.status == 0 && show.output.contains("signature: valid") && show.output.contains("page-rate=30"), "\(show.output)")

        let publicText = try String(contentsOfFile: keys + "/vendor.pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let vendorKey = try PublicKey(bytes: try #require(Hex.decode(publicText)))
        let device = FirmwareDeviceState(model: .copier, runningVersion: FirmwareVersion(major: 1, minor: 1, patch: 0), minimumVersion: FirmwareVersion(major: 1, minor: 0, patch: 0))
        let checked = FirmwareImageCheck.check([UInt8](try Data(contentsOf: URL(fileURLWithPath: image))), vendorKeys: VendorKeys([vendorKey]), device: device)
        #expect((try? checked.get()) != nil, "\(checked)")
    }

    @Test func badInputsAreRefusedSayingWhat() throws {
        let executable = try BuildProducts.executable("firmware-sim")
        let directory = try TemporaryDirectory("fw-image-bad")
        let payload = directory.appending("payload.txt")
        try "not a setting\n".write(toFile: payload, atomically: true, encoding: .utf8)
        let badPayload = try ChildProcess.run(executable, ["image", "build", "--model", "seal", "--version", "1.0.1", "--payload", payload, "--out", directory.appending("x.img")])
        #expect(badPayload.status == 1 && badPayload.error.contains("line 1 is not key=value"), "\(badPayload.error)")
        let badVersion = try ChildProcess.run(executable, ["image", "build", "--model", "seal", "--version", "1.0", "--payload", payload, "--out", directory.appending("x.img")])
        #expect(badVersion.status != 0 && badVersion.error.contains("--version must be MAJOR.MINOR.PATCH"))
        try Data([0x49, 0x4D, 0x46, 0x57, 1]).write(to: URL(fileURLWithPath: directory.appending("cut.img")))
        let cut = try ChildProcess.run(executable, ["image", "show", directory.appending("cut.img")])
        #expect(cut.status == 1 && cut.error.contains("is not a valid firmware image: truncated"), "\(cut.error)")
        try "zz".write(toFile: directory.appending("bad.key"), atomically: true, encoding: .utf8)
        let badKey = try ChildProcess.run(executable, ["image", "sign", "--key", directory.appending("bad.key"), directory.appending("cut.img")])
        #expect(badKey.status == 1 && badKey.error.contains("expected 64 hex digits"), "\(badKey.error)")
    }
}
