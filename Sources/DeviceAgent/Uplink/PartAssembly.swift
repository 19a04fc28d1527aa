import Protocol

/// A released split part's PDF put together from its `partChunk`s (docs/protocol-uplink.md):
/// pure. Chunks must come in order, each continuing what is held; the whole must have the
/// offered size and SHA-256.
struct PartAssembly: Sendable {
    enum Step: Equatable, Sendable {
        case incomplete
        case complete([UInt8])
        /// The assembly is void; the part comes again on the next connection.
        case refused(String)
    }

    let offer: UplinkMessage.PartOffer
    private(set) var bytes: [UInt8] = []

    init(offer: UplinkMessage.PartOffer) {
        self.offer = offer
        bytes.reserveCapacity(Int(offer.pdfSize))
    }

    mutating func add(_ chunk: UplinkMessage.PartChunk) -> Step {
        guard chunk.offset == bytes.count else {
            return .refused("a chunk at offset \(chunk.offset) does not continue the \(bytes.count) byte(s) held")
        }
        guard bytes.count + chunk.data.count <= Int(offer.pdfSize) else {
            return .refused("chunks run past the offered size \(offer.pdfSize)")
        }
        bytes += chunk.data
        guard bytes.count == Int(offer.pdfSize) else { return .incomplete }
        guard Hash32.sha256(bytes) == offer.pdfHash else { return .refused("the PDF's SHA-256 is not the offered one") }
        return .complete(bytes)
    }
}
