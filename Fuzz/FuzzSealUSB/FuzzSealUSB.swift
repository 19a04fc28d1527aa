import Foundation
import Protocol
import SealSimulator

/// libFuzzer entry point for the simulated seal's side of the USB link: `SealFirmware`, the
/// state machine behind the bulk endpoints (the existing fuzz-seal-frame fuzzes the frame
/// decoder alone; this one fuzzes what the seal does with what it decodes). The seal is
/// provisioned with a fixed server key and a fixed random source, so the seeds can carry a
/// real grant and echo the seal's first nonce, and mutations reach an open session.
///
/// An input is a script of steps: `[op] [time step ×10 ms] [operands...]`; op 0-1 is one bulk
/// OUT transfer `[length] [bytes]`, 2 a press of the seal, 3 time passing, 4 a USB reset,
/// 5 the seal taken out of or put back in its position `[seated]`. Properties after every step:
/// - no crash or sanitizer report, and the seal's status can always be built;
/// - everything the seal sends is a frame for the agent that decodes to itself;
/// - after a framing error the seal says nothing and stays locked until a USB reset;
/// - it opens only by answering `unlocked`, for a grant the server key really signed, and each
///   grant opens one session; it is open only while seated, with a use left and a live watchdog;
/// - a press stamps only when it was open, and the stamp and refusal counters count the
///   presses exactly; at most 16 stamp reports wait for an ack.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSealUSB(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var seal = SealFuzz.freshSeal()
    var reader = Script(bytes: bytes)
    var uptime: Int64 = 0
    var opened = Set<GrantID>()
    while let op = reader.next() {
        uptime += 10 * Int64(reader.next() ?? 0)
        let now = SealFuzz.at(uptime)
        let before = (open: seal.isUnlocked, seated: seal.seated, discarding: seal.discardingInput, memory: seal.memory)
        var frames: [SealFrame] = []
        var expired = true
        var stamped = false
        switch op % 6 {
        case 0, 1:
            let length = Int(reader.next() ?? 0)
            frames = seal.receive(reader.take(length), at: now)
            if before.discarding {
                guard frames.isEmpty, !seal.isUnlocked else { fatalError("the seal answered after a framing error") }
            }
        case 2:
            let press = seal.press(at: now)
            frames = press.frames
            if case .stamped = press.outcome {
                stamped = true
                guard before.open, before.seated else { fatalError("a locked seal stamped") }
                guard seal.memory.totalStamps == before.memory.totalStamps &+ 1 else { fatalError("a stamp was not counted") }
            } else {
                guard seal.memory.refusedPresses == before.memory.refusedPresses &+ 1 else { fatalError("a refused press was not counted") }
            }
        case 3:
            frames = seal.tick(at: now)
        case 4:
            seal.usbReset()
            expired = false
            guard !seal.isUnlocked, !seal.discardingInput else { fatalError("a USB reset left the seal open or deaf") }
        default:
            seal.setSeated((reader.next() ?? 0) & 1 == 1)
            expired = false
        }
        if !stamped && op % 6 != 2 {
            guard seal.memory.totalStamps == before.memory.totalStamps, seal.memory.refusedPresses == before.memory.refusedPresses else {
                fatalError("the counters moved without a press")
            }
        }
        for frame in frames {
            guard frame.type.direction != .toSeal else { fatalError("the seal sent a \(frame.type) frame") }
            var decoder = SealFrameDecoder()
            decoder.append(frame.encode())
            guard let copy = try? decoder.next(), copy == frame, decoder.bufferedByteCount == 0 else {
                fatalError("the seal sent a frame that does not decode to itself: \(frame)")
            }
            // (A retried unlock, same type and sequence, gets the same `unlocked` answer again
            // without a new session: that is a resend, so grants are counted by the sessions.)
            if case let .unlocked(unlocked) = frame.message {
                guard unlocked.grantID.high == SealFuzz.grantIDHigh else { fatalError("opened for grant \(unlocked.grantID), which the server key never signed") }
            }
        }
        if !before.open, let session = seal.session {
            guard frames.contains(where: { if case .unlocked = $0.message { return true } else { return false } }) else {
                fatalError("the seal opened without answering unlocked")
            }
            guard opened.insert(session.grantID).inserted else { fatalError("grant \(session.grantID) opened the seal twice") }
        }
        if let session = seal.session {
            guard seal.seated, session.usesRemaining >= 1 else { fatalError("open while unseated or with no use left") }
            if expired, session.watchdogDeadline <= uptime { fatalError("open past its watchdog") }
            guard !seal.discardingInput else { fatalError("open while discarding input") }
        }
        guard seal.pendingReportCount <= SealFirmware.maximumPendingReports else { fatalError("\(seal.pendingReportCount) reports pending") }
        _ = seal.status
    }
    return 0
}

enum SealFuzz {
    static let serverKey = try! SigningKey(seed: Array(repeating: 0x5E, count: 32))
    static let box = try! DeviceID("box-1")
    static let serial = try! ResourceID("seal-hq-1")
    static let t0 = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)
    static let grantIDHigh: UInt64 = 0x5EA1
    static let identity = SealIdentity(serial: serial, trustedKeys: TrustedKeys([TrustedKey(serverKey.publicKey)]), deviceID: box)

    /// Powered on with no memory and the same random source every time: the first nonce is fixed.
    static func freshSeal() -> SealFirmware {
        SealFirmware(identity: identity, memory: SealMemory(), firmwareBank: nil, random: FixedRandom())
    }

    static func at(_ milliseconds: Int64) -> SealInstant {
        SealInstant(wall: t0.adding(milliseconds: milliseconds), uptimeMilliseconds: milliseconds)
    }

    static func grant(id: UInt64, uses: UInt32, device: DeviceID = box, type: ResourceType = .seal) -> [UInt8] {
        let claims = try! GrantClaims(
            grantID: GrantID(high: grantIDHigh, low: id), keyID: serverKey.keyID, deviceID: device, subject: try! UserID("alice"),
            resourceID: serial, resourceType: type, allowance: type == .seal ? .seal(uses: uses) : .copier(pages: uses, copies: uses, colourAllowed: false),
            applicationID: type == .seal ? try! ApplicationID("app-1") : nil, issuedAt: t0, notBefore: t0, expires: t0.adding(seconds: 600)
        )
        return SignedGrant.sign(claims, with: serverKey).wireBytes()
    }
}

/// SplitMix64 (the seal's nonces need not be secret here, only the same on every run).
struct FixedRandom: RandomNumberGenerator {
    var state: UInt64 = 0x5EA1_5EA1

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Reads a script's bytes; past the end, nothing.
struct Script {
    let bytes: [UInt8]
    var offset = 0

    mutating func next() -> UInt8? {
        guard offset < bytes.count else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func take(_ count: Int) -> [UInt8] {
        let end = min(bytes.count, offset + count)
        defer { offset = end }
        return Array(bytes[offset..<end])
    }
}

/// `FUZZ_WRITE_SEEDS=<dir> fuzz-seal-usb -runs=0` writes the seed corpus (Fuzz/corpus/seal-usb):
/// an agent's sessions as the seal sees them, with the seal's own first nonce echoed.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    guard let directory = ProcessInfo.processInfo.environment["FUZZ_WRITE_SEEDS"] else { return 0 }
    var probe = SealFuzz.freshSeal()
    let info = SealFrame(sequence: 1, message: .deviceInfoRequest).encode()
    guard case let .deviceInfo(answer)? = probe.receive(info, at: SealFuzz.at(0)).first?.message else { fatalError("no device info") }
    let nonce = answer.nonce
    func out(_ frames: [SealFrame], after ticks: UInt8 = 1) -> [UInt8] {
        let bytes = frames.flatMap { $0.encode() }
        precondition(bytes.count <= 255, "a seed step carries at most 255 bytes")
        return [0, ticks, UInt8(bytes.count)] + bytes
    }
    func unlock(_ grant: [UInt8], uses: UInt16, sequence: UInt16 = 2) -> SealFrame {
        SealFrame(sequence: sequence, message: .unlock(try! SealUnlock(grantToken: grant, uses: uses, nonce: nonce)))
    }
    let hello = out([SealFrame(sequence: 1, message: .deviceInfoRequest)], after: 0)
    let heartbeat = out([SealFrame(sequence: 3, message: .heartbeat(try! SealHeartbeat(watchdogMilliseconds: 2000)))])
    let press: [UInt8] = [2, 5]
    let ack = out([SealFrame(sequence: 1, message: .ack)])
    let status = out([SealFrame(sequence: 4, message: .statusRequest)])
    // One unlock frame in two bulk transfers.
    let unlockFrame = unlock(SealFuzz.grant(id: 2, uses: 1), uses: 1).encode()
    let split: [UInt8] = [0, 1, 40] + Array(unlockFrame.prefix(40)) + [1, 0, UInt8(unlockFrame.count - 40)] + Array(unlockFrame.dropFirst(40))
    let seeds: [(String, [UInt8])] = [
        ("session.bin", hello + out([unlock(SealFuzz.grant(id: 1, uses: 3), uses: 2)]) + heartbeat + press + ack + press + status),
        ("session-split-transfers.bin", hello + split + press + [3, 60] + ack + press),
        ("watchdog-and-resend.bin", hello + out([unlock(SealFuzz.grant(id: 3, uses: 5), uses: 5)]) + press + [3, 60, 3, 255, 3, 255] + status),
        ("replayed-grant.bin", hello + out([unlock(SealFuzz.grant(id: 4, uses: 2), uses: 2)]) + out([SealFrame(sequence: 5, message: .lock)])
            + hello + out([unlock(SealFuzz.grant(id: 4, uses: 2), uses: 2, sequence: 6)])),
        ("refused-grants.bin", hello + out([unlock(SealFuzz.grant(id: 5, uses: 2, device: try! DeviceID("box-2")), uses: 1)])
            + hello + out([unlock(SealFuzz.grant(id: 6, uses: 2, type: .copier), uses: 1, sequence: 3)])),
        ("unseated-and-reset.bin", hello + out([unlock(SealFuzz.grant(id: 7, uses: 2), uses: 2)]) + [5, 1, 0] + press + [5, 1, 1, 4, 1] + status),
        ("framing-error.bin", hello + [0, 1, 6, 0x5E, 0xA1, 0x0F, 0xF6, 0x04, 0x00] + status + [4, 1] + status),
        ("retry-and-firmware.bin", status + status + out([SealFrame(sequence: 9, message: .firmwareStatusRequest)])),
    ]
    try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for (name, bytes) in seeds {
        guard FileManager.default.createFile(atPath: "\(directory)/\(name)", contents: Data(bytes)) else { fatalError("cannot write \(directory)/\(name)") }
    }
    print("wrote \(seeds.count) seeds to \(directory)")
    exit(0)
}
