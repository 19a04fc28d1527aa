import HummingbirdWebSocket
import NIOCore
import Protocol

/// The agents connected right now, so the server can push to them (SPEC B3: new limits reach
/// the devices when they change; E7: revocations at once).
public actor UplinkHub {
    /// Writes one encoded frame on a connection.
    typealias Send = @Sendable ([UInt8]) async throws -> Void
    /// Closes a connection, saying why.
    typealias Close = @Sendable (String) async -> Void
    /// The newest connection of each device, with the number `register` gave it.
    private var writers: [DeviceID: (connection: UInt64, send: Send, close: Close?)] = [:]
    private var lastConnection: UInt64 = 0
    /// The connections whose agent asked for signed audit heads (`auditHeadRequest`), by device.
    private var auditHeadConnections: [DeviceID: UInt64] = [:]
    private let metrics: ServerMetrics

    public init(metrics: ServerMetrics) { self.metrics = metrics }

    public var connectedDevices: [DeviceID] { Array(writers.keys).sorted() }

    /// Makes `writer` the device's connection for pushes; the number to unregister it with.
    /// A restarted agent (killed, say) connects again before the server has noticed its old
    /// connection is dead: the new one takes over at once.
    func register(_ device: DeviceID, _ writer: WebSocketOutboundWriter) -> UInt64 {
        register(device, send: { bytes in try await writer.write(.binary(ByteBuffer(bytes: bytes))) }, close: { reason in
            if let frame = try? UplinkFrame(.error(UplinkMessage.ProtocolError(code: .notAuthenticated, text: reason))).encode() {
                try? await writer.write(.binary(ByteBuffer(bytes: frame)))
            }
            try? await writer.close(.policyViolation, reason: UplinkEnding.closeReason(reason))
        })
    }

    func register(_ device: DeviceID, send: @escaping Send, close: Close? = nil) -> UInt64 {
        lastConnection += 1
        writers[device] = (lastConnection, send, close)
        metrics.connectedAgents.record(Double(writers.count))
        return lastConnection
    }

    /// Forgets the connection numbered `connection`, if it is still the device's: the old
    /// connection's late close must not remove the new one (issue 21: revocations were lost).
    func unregister(_ device: DeviceID, connection: UInt64) {
        guard writers[device]?.connection == connection else { return }
        writers.removeValue(forKey: device)
        auditHeadConnections.removeValue(forKey: device)
        metrics.connectedAgents.record(Double(writers.count))
    }

    /// Cuts `device`'s connection (it was disabled, issue 21): nothing more it sends is taken,
    /// nothing more is pushed to it. The connection's own close then unregisters it.
    public func disconnect(_ device: DeviceID, reason: String) async {
        guard let close = writers[device]?.close else { return }
        await close(reason)
    }

    /// Sends `message` to `device` if it is connected; false when it is not (it will learn at
    /// its next connection, from what the server sends after authentication).
    @discardableResult
    /// A `requestID` other than 0 makes it a request (`firmwareOffer`); the answer arrives on
    /// the device's connection like any frame.
    public func push(_ message: UplinkMessage, to device: DeviceID, requestID: UInt32 = 0) async -> Bool {
        guard let send = writers[device]?.send else { return false }
        do {
            try await send(UplinkFrame(message, requestID: requestID).encode())
            return true
        } catch {
            return false
        }
    }

    /// Sends the device's connection `connection` each newly signed audit head from now on.
    func subscribeAuditHeads(_ device: DeviceID, connection: UInt64) {
        auditHeadConnections[device] = connection
    }

    /// Sends `head` to every connected agent that asked for audit heads (only those: an agent
    /// built before the message would drop the connection). Returns how many were sent.
    @discardableResult
    public func pushAuditHead(_ head: UplinkMessage.AuditHeadAnswer) async -> Int {
        let frame = UplinkFrame(.auditHead(head)).encode()
        var sent = 0
        for (device, connection) in auditHeadConnections {
            guard let writer = writers[device], writer.connection == connection else { continue }
            if (try? await writer.send(frame)) != nil { sent += 1 }
        }
        return sent
    }
}
