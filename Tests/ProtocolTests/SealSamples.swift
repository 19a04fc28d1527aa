@testable import Protocol

/// One valid frame of every type, with fixed values, for round trips, seeds and examples.
enum SealSamples {
    static func grantID() throws -> GrantID { try GrantID(bytes: Array(0x10...0x1F)) }
    static func nonce() throws -> SealNonce { try SealNonce(bytes: Array(0xA0...0xAF)) }

    static func messages() throws -> [SealMessage] {
        [
            .deviceInfoRequest,
            .deviceInfo(SealDeviceInfo(
                model: .simulated, serial: try ResourceID("seal-hq-1"),
                firmware: FirmwareVersion(major: 1, minor: 4, patch: 2), nonce: try nonce(), usesCounter: 1234
            )),
            .unlock(try SealUnlock(grantToken: Array("grant-token".utf8), uses: 3, nonce: try nonce())),
            .unlocked(try SealUnlocked(usesAllowed: 3, grantID: try grantID())),
            .lock,
            .heartbeat(try SealHeartbeat(watchdogMilliseconds: 2000)),
            .statusRequest,
            .status(try SealStatus(lock: .unlocked(grantID: try grantID(), usesRemaining: 2), totalStamps: 1235, watchdogMilliseconds: 2000, seated: true)),
            .status(try SealStatus(lock: .locked, totalStamps: 0, watchdogMilliseconds: 100, seated: false)),
            .stampReport(try SealStampReport(stampNumber: 1235, usesRemaining: 2, grantID: try grantID())),
            .firmwareChunk(try SealFirmwareChunk(imageID: 7, offset: 4096, data: [0xDE, 0xAD, 0xBE, 0xEF])),
            .firmwareChunkReceived(SealFirmwareChunkReceived(imageID: 7, bytesReceived: 4100)),
            .ack,
            .error(try SealErrorReport(code: .replayed, text: "nonce is not current")),
            .firmwareBegin(SealFirmwareBegin(imageID: 7, imageSize: 70_000)),
            .firmwareInstall(SealFirmwareInstall(imageID: 7)),
            .firmwareConfirm,
            .firmwareStatusRequest,
            .firmwareStatus(FirmwareSlotStatus(
                imageID: 7, imageSize: 70_000, bytesReceived: 4100, state: .trial, result: .none,
                runningVersion: FirmwareVersion(major: 1, minor: 5, patch: 0), minimumVersion: FirmwareVersion(major: 1, minor: 0, patch: 0),
                trialBootsLeft: 2, trialSecondsLeft: 55
            )),
        ]
    }

    static func frames() throws -> [SealFrame] {
        try messages().enumerated().map { SealFrame(sequence: UInt16($0.offset + 1), message: $0.element) }
    }

    /// The worked example of docs/seal-usb.md: a heartbeat, sequence 7, watchdog 2000 ms.
    static func heartbeatExample() throws -> SealFrame {
        SealFrame(sequence: 7, message: .heartbeat(try SealHeartbeat(watchdogMilliseconds: 2000)))
    }

    /// Rewrites the CRC of a frame whose bytes were altered, so a test reaches the check after it.
    static func withFixedCRC(_ bytes: [UInt8]) -> [UInt8] {
        var body = Array(bytes.dropLast(4))
        let crc = CRC32.checksum(body)
        body += [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
        return body
    }
}
