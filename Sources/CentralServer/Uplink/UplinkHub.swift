import HummingbirdWebSocket
import NIOCore
import Protocol

/// The agents connected right now, so the server can push to them (SPEC B3: new limits reach
/// the devices when they change; E7: revocations at once).
public actor UplinkHub {
    private var writers: [DeviceID: WebSocketOutboundWriter] = [:]
    private let metrics: ServerMetrics

    public init(metrics: ServerMetrics) { self.metrics = metrics }

    public var connectedDevices: [DeviceID] { Array(writers.keys).sorted() }

    func register(_ device: DeviceID, _ writer: WebSocketOutboundWriter) {
        writers[device] = writer
        metrics.connectedAgents.record(Double(writers.count))
    }

    func unregister(_ device: DeviceID) {
        writers.removeValue(forKey: device)
        metrics.connectedAgents.record(Double(writers.count))
    }

    /// Sends `message` to `device` if it is connected; false when it is not (it will learn at
    /// its next connection, from what the server sends after authentication).
    @discardableResult
    /// A `requestID` other than 0 makes it a request (`firmwareOffer`); the answer arrives on
    /// the device's connection like any frame.
    public func push(_ message: UplinkMessage, to device: DeviceID, requestID: UInt32 = 0) async -> Bool {
        guard let writer = writers[device] else { return false }
        do {
            try await writer.write(.binary(ByteBuffer(bytes: UplinkFrame(message, requestID: requestID).encode())))
            return true
        } catch {
            return false
        }
    }
}
