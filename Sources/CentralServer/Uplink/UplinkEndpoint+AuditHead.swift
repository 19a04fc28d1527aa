import HummingbirdWebSocket
import NIOCore
import Protocol

extension UplinkEndpoint {
    /// `auditHeadRequest` (issue 14): the newest signed head now, and each new one as it is
    /// signed. Subscribed first, so a head signed meanwhile is sent rather than missed.
    func answerAuditHeadRequest(_ request: UplinkMessage.AuditHeadRequest, requestID: UInt32, device: DeviceID, connection: UInt64,
                                outbound: WebSocketOutboundWriter) async throws {
        await hub.subscribeAuditHeads(device, connection: connection)
        let latest = try await services.store.latestSignedAuditHead()
        let answer = UplinkMessage.auditHead(try UplinkMessage.AuditHeadAnswer(token: latest?.wireBytes()))
        let frame = requestID == 0 ? UplinkFrame(answer) : try UplinkFrame.response(answer, to: requestID)
        try await outbound.write(.binary(ByteBuffer(bytes: frame.encode())))
        // An agent keeps a head newer than any this server has: the server's audit log (or its
        // signed heads) went back, a restore or a rewrite. The agent refuses the older head too.
        if let held = request.heldSequence, held > (latest?.head.sequence ?? 0) {
            let detail = "device \(device) keeps a signed audit head at entry \(held); the newest this server has is \(latest.map { "at entry \($0.head.sequence)" } ?? "none")"
            services.logger.critical("audit chain behind an agent's anchor: \(detail)")
            try await services.store.recordSecurityEvent(SecurityEvent(at: services.clock.now(), kind: "audit chain behind an agent's anchor", deviceID: device, detail: detail))
        }
    }
}
