import GRDB
import Protocol

/// A firmware image the server offered, as the agent holds it (docs/agent-store.md).
public struct StoredFirmwareDownload: Hashable, Sendable {
    public let offer: UplinkMessage.FirmwareOffer
    public let state: UplinkMessage.FirmwareState
    /// Bytes of the image held, from 0 on without gaps.
    public let received: UInt64
    public let message: String

    public var imageID: UInt64 { offer.imageID }
    public var isFinal: Bool { state == .confirmed || state == .rolledBack || state == .failed }

    /// What the server is told about it.
    public func status() throws(WireError) -> UplinkMessage.FirmwareStatus {
        try UplinkMessage.FirmwareStatus(imageID: offer.imageID, state: state, bytesReceived: received, message: message)
    }
}

extension AgentStore {
    /// Keeps a new offer in `receiving` with nothing held, or in `state` when refused at once.
    /// False when the image id is already held (its stored state is the answer).
    @discardableResult
    public func storeFirmwareOffer(_ offer: UplinkMessage.FirmwareOffer, state: UplinkMessage.FirmwareState = .receiving, message: String = "",
                                   at time: Timestamp) throws(AgentStoreError) -> Bool {
        try write("store firmware offer \(offer.imageID)") { db in
            try db.execute(sql: "INSERT OR IGNORE INTO firmware_downloads (image_id, offer, state, received, message, updated) VALUES (?, ?, ?, 0, ?, ?)",
                           arguments: [storedBits(offer.imageID), blobValue(offer.wireBytes()), Int64(state.rawValue), message, time.millisecondsSinceEpoch])
            return db.changesCount == 1
        }
    }

    public func firmwareDownload(_ imageID: UInt64) throws(AgentStoreError) -> StoredFirmwareDownload? {
        try read("look up firmware download \(imageID)") { db in
            try Row.fetchOne(db, sql: "SELECT offer, state, received, message, image_id FROM firmware_downloads WHERE image_id = ?",
                             arguments: [storedBits(imageID)])
                .map { row throws(AgentStoreError) in try Self.download(row) }
        }
    }

    /// Downloads in one of `states`, oldest image id first.
    public func firmwareDownloads(in states: Set<UplinkMessage.FirmwareState>) throws(AgentStoreError) -> [StoredFirmwareDownload] {
        try read("list firmware downloads") { db in
            try Row.fetchAll(db, sql: "SELECT offer, state, received, message, image_id FROM firmware_downloads ORDER BY image_id")
                .map { row throws(AgentStoreError) in try Self.download(row) }
                .filter { states.contains($0.state) }
        }
    }

    /// Appends a chunk that continues what is held, in one transaction; returns the bytes held
    /// after it. Nil when the chunk does not continue the held bytes, runs past the offered
    /// size, or the download is not receiving (nothing written).
    public func appendFirmwareChunk(_ chunk: UplinkMessage.FirmwareChunk, at time: Timestamp) throws(AgentStoreError) -> UInt64? {
        try write("store firmware chunk \(chunk.imageID)@\(chunk.offset)") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT offer, state, received, message, image_id FROM firmware_downloads WHERE image_id = ?",
                                             arguments: [storedBits(chunk.imageID)]) else { return nil }
            let download = try Self.download(row)
            let end = chunk.offset + UInt64(chunk.data.count)
            guard download.state == .receiving, chunk.offset == download.received, end <= download.offer.imageSize else { return nil }
            try db.execute(sql: "INSERT INTO firmware_download_chunks (image_id, offset, data) VALUES (?, ?, ?)",
                           arguments: [storedBits(chunk.imageID), storedBits(chunk.offset), blobValue(chunk.data)])
            try db.execute(sql: "UPDATE firmware_downloads SET received = ?, updated = ? WHERE image_id = ?",
                           arguments: [storedBits(end), time.millisecondsSinceEpoch, storedBits(chunk.imageID)])
            return end
        }
    }

    /// The bytes held of an image, in order.
    public func firmwareImageBytes(_ imageID: UInt64) throws(AgentStoreError) -> [UInt8] {
        try read("read firmware image \(imageID)") { db in
            var bytes: [UInt8] = []
            let rows = try Row.fetchCursor(db, sql: "SELECT data FROM firmware_download_chunks WHERE image_id = ? ORDER BY offset",
                                           arguments: [storedBits(imageID)])
            while let row = try rows.next() {
                bytes += try required(row.bytes(0), table: "firmware_download_chunks", key: "\(imageID)", column: "data")
            }
            return bytes
        }
    }

    /// Moves a download to `state`; a final state drops its chunks (the image is not needed
    /// again: a retry is a new rollout with a new image id). With `restart`, the chunks are
    /// dropped and the download receives again from 0.
    public func setFirmwareState(_ imageID: UInt64, _ state: UplinkMessage.FirmwareState, message: String, restart: Bool = false,
                                 at time: Timestamp) throws(AgentStoreError) {
        let final = state == .confirmed || state == .rolledBack || state == .failed
        try write("set firmware download \(imageID) \(state)") { db in
            if final || restart {
                try db.execute(sql: "DELETE FROM firmware_download_chunks WHERE image_id = ?", arguments: [storedBits(imageID)])
            }
            let received = restart ? "0" : "received"
            try db.execute(sql: "UPDATE firmware_downloads SET state = ?, message = ?, received = \(received), updated = ? WHERE image_id = ?",
                           arguments: [Int64(state.rawValue), message, time.millisecondsSinceEpoch, storedBits(imageID)])
        }
    }

    private static func download(_ row: Row) throws(AgentStoreError) -> StoredFirmwareDownload {
        let key = row.integer(4).map { "\(UInt64(bitPattern: $0))" } ?? "?"
        let offerBytes = try required(row.bytes(0), table: "firmware_downloads", key: key, column: "offer")
        let offer: UplinkMessage.FirmwareOffer
        do { offer = try UplinkMessage.FirmwareOffer(wireBytes: offerBytes) } catch {
            throw .damaged(.invalidRow(table: "firmware_downloads", key: key, problem: "offer: \(error)"))
        }
        let stateCode = try required(row.integer(1), table: "firmware_downloads", key: key, column: "state")
        let state = try required(UplinkMessage.FirmwareState(rawValue: UInt8(clamping: stateCode)), table: "firmware_downloads", key: key, column: "state")
        let received = UInt64(bitPattern: try required(row.integer(2), table: "firmware_downloads", key: key, column: "received"))
        let message = try required(row.text(3), table: "firmware_downloads", key: key, column: "message")
        return StoredFirmwareDownload(offer: offer, state: state, received: received, message: message)
    }
}
