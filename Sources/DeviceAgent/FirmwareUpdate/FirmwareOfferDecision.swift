import Protocol

/// What the agent answers to a `firmwareOffer` and does with a finished transfer: pure.
enum FirmwareOfferDecision {
    enum Answer: Equatable, Sendable {
        /// New: store it and answer `receiving` from 0.
        case start
        /// Already held: answer with what is stored (the server lost track, or this is a resume).
        case held(StoredFirmwareDownload)
        /// Refused at once (stored as failed, so the answer stays the same on every offer).
        case refuse(String)
    }

    static func answer(_ offer: UplinkMessage.FirmwareOffer, held: StoredFirmwareDownload?, devices: Set<ResourceType>) -> Answer {
        // The id names the transfer: what is stored for it is the answer, whatever else the
        // offer says (the server never reuses an id for another image).
        if let held { return .held(held) }
        guard devices.contains(offer.deviceKind) else {
            let present = devices.isEmpty ? "nothing to flash" : "only a \(devices.map(\.description).sorted().joined(separator: " and a "))"
            return .refuse("this box has no \(offer.deviceKind) (it drives \(present))")
        }
        return .start
    }

    /// The whole image arrived: nil when it is the offered one, else why not.
    static func check(_ bytes: [UInt8], against offer: UplinkMessage.FirmwareOffer) -> String? {
        guard UInt64(bytes.count) == offer.imageSize else {
            return "the agent holds \(bytes.count) bytes of an image of \(offer.imageSize)"
        }
        let actual = Hash32.sha256(bytes)
        guard actual == offer.imageHash else {
            return "the received image's SHA-256 is \(actual), the offer says \(offer.imageHash); it was dropped (roll the image out again to resend it)"
        }
        return nil
    }

    /// The uplink state and detail for how a flash ended.
    static func final(_ outcome: FlashOutcome, offered version: FirmwareVersion) -> (UplinkMessage.FirmwareState, String) {
        switch outcome {
        case let .confirmed(running):
            return (.confirmed, "the device runs \(running)")
        case let .rolledBack(running, reason):
            return (.rolledBack, "rolled back to \(running): \(reason)")
        case let .refused(refusal):
            // A flash cut off after the device confirmed (the agent restarted before storing
            // it) is retried and refused as not newer: the device runs the image, so it is done.
            if case let .notNewer(image, running) = refusal, image == running, image == version {
                return (.confirmed, "the device already runs \(running)")
            }
            return (.failed, "refused by the device (\(refusal.code)): \(refusal)")
        }
    }
}
