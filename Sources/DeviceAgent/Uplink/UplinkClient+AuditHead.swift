import Logging
import Protocol

/// The server's signed audit heads (issue 14): asked for once per connection, verified with
/// the trusted server keys and kept durably when they move forward. A head that goes back, or
/// names another hash for the entry held, is a tamper alarm: logged, and recorded as a fault
/// event in the device's own hash-chained log.
extension UplinkClient {
    func askForAuditHeads() async {
        guard !auditHeadsUnsupported else { return }
        let held: UInt64?
        do { held = try store.auditHead()?.head.sequence } catch {
            logger.error("uplink: cannot read the kept audit head: \(error)")
            return
        }
        guard let answer = await request(.auditHeadRequest(UplinkMessage.AuditHeadRequest(heldSequence: held))) else { return }
        guard case let .auditHead(head) = answer.message else {
            logger.warning("uplink: the server answered auditHeadRequest with \(answer.message.type)")
            return
        }
        await receive(head)
    }

    func receive(_ answer: UplinkMessage.AuditHeadAnswer) async {
        guard let token = answer.token else { return }
        let signed: SignedAuditHead
        do {
            signed = try SignedAuditHead.decode(token)
            try signed.verify(trustedKeys: store.serverKeys())
        } catch {
            logger.warning("uplink: ignored an audit head that does not verify: \(error)")
            return
        }
        let decision: AuditHeadSuccession
        do { decision = try store.keepAuditHead(signed, at: clock.now()) } catch {
            logger.error("uplink: cannot keep the audit head: \(error)")
            return
        }
        switch decision {
        case .advance:
            logger.info("uplink: keeping the server's audit head at entry \(signed.head.sequence) (\(signed.head.hash))")
        case .same:
            break
        case let .alarm(reason):
            logger.critical("uplink: TAMPER ALARM (audit head refused): \(reason)")
            guard reason != lastAuditHeadAlarm else { return }
            lastAuditHeadAlarm = reason
            do {
                let fault = try FaultEvent(component: "audit-head", code: 1, message: String(reason.prefix(FaultEvent.messageLimit)))
                try await store.append(.fault(fault), at: clock.now())
            } catch {
                logger.error("uplink: cannot record the audit head alarm: \(error)")
            }
        }
    }

    /// A server built before `auditHeadRequest` closes the connection naming it as unknown.
    func noteAuditHeadRefusal(_ error: UplinkMessage.ProtocolError) {
        let code = Hex.encode([UplinkMessageType.auditHeadRequest.rawValue])
        guard error.text.contains("unknown message type 0x\(code)") else { return }
        auditHeadsUnsupported = true
        logger.warning("uplink: the server does not know auditHeadRequest; not asking for audit heads until restart")
    }
}
