import DeviceAgent
import Foundation
import Protocol
import Testing
import TestSupport

/// Issue 14: the uplink under attack, as real processes. Frames that are garbage, cut short or
/// over the size limit, before and after authentication: each connection is told why and
/// closed, nothing of it is stored, and the server goes on serving an honest device.
/// (Identities: UplinkIdentityAttackSystemTests; slow and silent clients: UplinkSlowClientSystemTests.)
@Suite("Uplink under attack: bad frames", .serialized)
struct UplinkAttackSystemTests {
    /// How long the server may take to close a connection it refused (it never should need it).
    static let patience = Duration.seconds(10)

    /// Runs `attack` on its own connection and returns what the server said and whether it closed.
    static func attack(_ target: UplinkAttackTarget, as device: (id: DeviceID, key: SigningKey)? = nil,
                       _ attack: @escaping @Sendable (UplinkConnection) async throws -> Void) async throws -> Refusal {
        let observed = Observed()
        let close = try await UplinkScript.session(target.uplink) { connection in
            if let device { try await connection.authenticate(device.id, key: device.key) }
            try await attack(connection)
            (observed.frames, observed.closed) = await connection.untilClosed(within: patience)
        }
        return Refusal(errors: observed.frames.compactMap { if case let .error(error) = $0.message { error } else { nil } },
                       refusals: observed.frames.compactMap { if case let .authResult(.refused(refusal)) = $0.message { refusal } else { nil } },
                       closeCode: close.map { "\($0.closeCode)" }, closeReason: close?.reason, closed: observed.closed)
    }

    @Test func garbageTruncatedAndOversizedFramesAreRefusedWithAReason() async throws {
        let target = try await UplinkAttackTarget()
        defer { target.stop() }
        // A device of the attacker's, properly enrolled, for the attacks after authentication.
        let attacker = (id: try DeviceID("copier-7"), key: SigningKey())
        try await target.system.enrollScriptedDevice(attacker.id, key: attacker.key)
        let before = try target.stored()
        var random = SplitMix64(seed: 14)
        let garbage = (0..<300).map { _ in UInt8.random(in: 0...255, using: &random) }
        // Past the header checks: a hello's header, then noise for its payload.
        let helloHeader = Array(try Self.hello(attacker.id).encode().prefix(UplinkFrame.headerSize))
        let noisyHello = Self.withLength(helloHeader, 200) + garbage.prefix(200)
        let batch = try Self.eventBatch(attacker.id).encode()

        // (a) Garbage, before and after authentication.
        var refusal = try await Self.attack(target) { try await $0.send(bytes: garbage) }
        refusal.expect(error: .malformedFrame, "bad frame magic", close: "protocolError")
        try await target.expectUnharmed(after: "garbage before authentication", rows: before)
        refusal = try await Self.attack(target) { try await $0.send(bytes: noisyHello) }
        refusal.expect(error: .malformedFrame, "invalid hello payload", close: "protocolError")
        try await target.expectUnharmed(after: "a hello header with a garbage payload", rows: before)
        refusal = try await Self.attack(target, as: attacker) { try await $0.send(bytes: garbage) }
        refusal.expect(error: .malformedFrame, "bad frame magic", close: "protocolError")
        try await target.expectUnharmed(after: "garbage after authentication", rows: before)

        // (b) A valid frame cut short: a hello before authentication, an event batch after it.
        refusal = try await Self.attack(target) { try await $0.send(bytes: Array(try Self.hello(attacker.id).encode().dropLast(5))) }
        refusal.expect(error: .malformedFrame, "incomplete frame", close: "protocolError")
        try await target.expectUnharmed(after: "a truncated hello", rows: before)
        refusal = try await Self.attack(target, as: attacker) { try await $0.send(bytes: Array(batch.prefix(batch.count * 2 / 3))) }
        refusal.expect(error: .malformedFrame, "incomplete frame", close: "protocolError")
        try await target.expectUnharmed(after: "a truncated event batch", rows: before)

        // (c) Over the limit (UplinkLimits.defaultMaximumFrameSize, 2 MiB). An uplink header that
        //     announces 16 MiB, in a small message: refused from the header.
        let maximum = UplinkLimits.defaultMaximumFrameSize
        refusal = try await Self.attack(target, as: attacker) { try await $0.send(bytes: Self.withLength(Array(batch.prefix(UplinkFrame.headerSize)), 16 << 20) + [1, 2, 3]) }
        refusal.expect(error: .frameTooLarge, "frame too large", close: "messageTooLarge")
        try await target.expectUnharmed(after: "a header announcing 16 MiB", rows: before)
        // The same in a message of 1 MiB fragments: refused at the first, not buffered to 3 MiB.
        let fragments = [Self.withLength(Array(batch.prefix(UplinkFrame.headerSize)), 3 << 20) + [UInt8](repeating: 0, count: 1 << 20),
                         [UInt8](repeating: 0, count: 1 << 20), [UInt8](repeating: 0, count: 1 << 20)]
        refusal = try await Self.attack(target) { try? await $0.send(fragments: fragments) }
        refusal.expect(error: .frameTooLarge, "the maximum is \(maximum)", close: "messageTooLarge")
        try await target.expectUnharmed(after: "a fragmented message announcing 3 MiB", rows: before)
        // A frame that fits, in a message that goes on after it: refused where the frame ends.
        refusal = try await Self.attack(target, as: attacker) { try? await $0.send(fragments: [batch, [UInt8](repeating: 0, count: 1 << 20), [0]]) }
        refusal.expect(error: .malformedFrame, "goes on after its uplink frame ended", close: "protocolError")
        try await target.expectUnharmed(after: "an event batch with 1 MiB after it", rows: before)

        // One WebSocket frame over the limit, on a raw socket: its header announces 64 MiB and 64 KiB
        // follow. The WebSocket layer refuses it from that header (code 1009; it writes no reason
        // text) and closes: the rest is never waited for.
        let port = target.port
        let oversized = try await onThread {
            let socket = try RawWebSocket(port: port)
            socket.send([UInt8](repeating: 0x55, count: 65_536), claimedLength: 64 << 20)
            return socket.readUntilClosed(limit: Self.patience)
        }.value
        #expect(oversized.upgraded && oversized.close?.code == 1009, "\(oversized)")
        #expect(oversized.closedAfter.map { $0 < .seconds(5) } == true, "closed without the rest of 64 MiB: \(oversized)")
        try await target.expectUnharmed(after: "a WebSocket frame announcing 64 MiB", rows: before)
    }

    static func hello(_ device: DeviceID) throws -> UplinkFrame {
        UplinkFrame(.hello(try UplinkMessage.Hello(deviceID: device, agentVersion: "attack", lastEventSequence: nil, trustedKeyIDs: [])))
    }

    /// Three chained fault events of `device`, as one batch.
    static func eventBatch(_ device: DeviceID) throws -> UplinkFrame {
        var events: [Event] = []
        for index in 1...3 {
            let body = EventBody.fault(try FaultEvent(component: "attack", code: UInt32(index), message: "event \(index)"))
            let time = Timestamp(secondsSinceEpoch: 1_800_000_000 + Int64(index))
            events.append(try events.last.map { try Event(following: $0, time: time, body: body) }
                ?? Event(deviceID: device, sequence: 1, previousHash: .zero, time: time, body: body))
        }
        return UplinkFrame(.eventBatch(try UplinkMessage.EventBatch(firstSequence: 1, events: events.map { $0.wireBytes() })))
    }

    /// `header` (13 bytes) announcing a payload of `length` bytes (big-endian at offset 9).
    static func withLength(_ header: [UInt8], _ length: Int) -> [UInt8] {
        Array(header.prefix(9)) + (0..<4).reversed().map { UInt8((length >> ($0 * 8)) & 0xff) }
    }
}

/// What the server said to a refused connection.
struct Refusal {
    var errors: [UplinkMessage.ProtocolError]
    var refusals: [UplinkMessage.Refusal]
    /// The WebSocket close code's name (e.g. "protocolError") and reason text.
    var closeCode: String?
    var closeReason: String?
    var closed: Bool

    /// One `error` frame with `code` whose text contains `text`, then a close with the code
    /// named `close` whose reason says the same; the server closed the connection.
    func expect(error code: UplinkMessage.ErrorCode, _ text: String, close: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(errors.count == 1 && errors.first?.code == code && errors.first?.text.contains(text) == true,
                "error frames: \(errors.map { "\($0.code): \($0.text)" })", sourceLocation: sourceLocation)
        #expect(closeCode == close && closeReason?.contains(text) == true,
                "close frame: \(closeCode ?? "none") \(closeReason ?? "")", sourceLocation: sourceLocation)
        #expect(closed, "the server did not close the connection", sourceLocation: sourceLocation)
    }

    /// One refusing `authResult` for `reason`, no `error` frame, then a close 1008 whose reason
    /// names it; the server closed the connection.
    func expect(refused reason: UplinkMessage.RefusalReason, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(refusals.map(\.reason) == [reason] && errors.isEmpty, "refusals \(refusals), errors \(errors)", sourceLocation: sourceLocation)
        #expect(closeCode == "policyViolation" && closeReason?.contains("\(reason)") == true,
                "close frame: \(closeCode ?? "none") \(closeReason ?? "")", sourceLocation: sourceLocation)
        #expect(closed, "the server did not close the connection", sourceLocation: sourceLocation)
    }
}

/// Filled in by a script, read after its connection ended.
final class Observed: @unchecked Sendable {
    var frames: [UplinkFrame] = []
    var closed = false
}
