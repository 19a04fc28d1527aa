import DeviceAgent
import Foundation
import LineIO
import Protocol
import TestSupport

/// USB tests need umockdev's preload library in this process (libusb's open and ioctl go
/// through it); scripts/test.sh runs this target under `umockdev-wrapper`, the main run skips it.
enum UMockdev {
    static var preloaded: Bool { ProcessInfo.processInfo.environment["LD_PRELOAD"]?.contains("umockdev") ?? false }
}

/// A running `firmware-sim seal serve`, seen by this process through its UMOCKDEV_DIR.
final class SealRig {
    static let serverKey = try! SigningKey(seed: Array(repeating: 0x5E, count: 32))
    static let otherKey = try! SigningKey(seed: Array(repeating: 0x66, count: 32))
    static let box = try! DeviceID("box-1")
    static let serial = try! ResourceID("seal-hq-1")
    static let alice = try! UserID("alice")
    static let application = try! ApplicationID("app-1")

    let directory: TemporaryDirectory
    let process: ChildProcess
    let panelPort: Int
    let umockdevDirectory: String

    /// `directory`: another rig's, to start the seal again on the same state (after a kill).
    init(directory existing: TemporaryDirectory? = nil, extra: [String] = []) throws {
        signal(SIGPIPE, SIG_IGN)  // a seal that goes away must not take the test process with it
        directory = try existing ?? TemporaryDirectory("seal-usb")
        process = try ChildProcess(try BuildProducts.executable("firmware-sim"), [
            "seal", "serve", "--state-dir", directory.appending("state"), "--panel", "127.0.0.1:0",
            "--serial", Self.serial.value, "--device-id", Self.box.value,
            "--trusted-key", Hex.encode(Self.serverKey.publicKey.bytes),
        ] + extra)
        let ready = try process.readLine(timeout: .seconds(30))
        guard let object = try JSONSerialization.jsonObject(with: Data(ready.utf8)) as? [String: Any],
              let port = object["panel"] as? Int, let dir = object["umockdev_dir"] as? String else {
            throw ProcessFailure(description: "seal serve printed \(ready); stderr: \(process.standardError)")
        }
        panelPort = port
        umockdevDirectory = dir
        // The preload library reads UMOCKDEV_DIR at each call: from now on libusb in this
        // process sees this testbed (the suite runs its tests one at a time).
        setenv("UMOCKDEV_DIR", dir, 1)
    }

    deinit {
        process.send(SIGKILL)
        _ = try? process.waitForExit(timeout: .seconds(10))
    }

    /// One panel command; the JSON answer as an object.
    func panel(_ command: String) throws -> [String: Any] {
        let client = LineClient(socket: try LineSocket.connect(to: SocketAddress(host: "127.0.0.1", port: panelPort)), peer: "seal panel")
        let answer = try client.exchange(line: command, timeout: .seconds(10))
        guard let object = try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any] else {
            throw ProcessFailure(description: "panel answered \(answer)")
        }
        return object
    }

    func channel() throws -> SealChannel {
        SealChannel(link: try SealUSBLink(vendorID: 0xCAFE, productID: 0x4010))
    }

    static func grant(id: UInt64 = 1, uses: UInt32 = 3, key: SigningKey = serverKey, lifetimeSeconds: Int64 = 600) -> [UInt8] {
        let now = Timestamp(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000))
        let claims = try! GrantClaims(
            grantID: GrantID(high: UInt64(UInt32.random(in: 1...UInt32.max)), low: id), keyID: key.keyID, deviceID: box,
            subject: alice, resourceID: serial, resourceType: .seal, allowance: .seal(uses: uses), applicationID: application,
            issuedAt: now, notBefore: now, expires: now.adding(seconds: lifetimeSeconds)
        )
        return SignedGrant.sign(claims, with: key).wireBytes()
    }
}
