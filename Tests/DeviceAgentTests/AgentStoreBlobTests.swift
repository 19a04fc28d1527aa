import Foundation
import Protocol
import Testing
@testable import DeviceAgent

@Suite("Agent store: blobs")
struct AgentStoreBlobTests {
    static let png = try! MediaType("image/png")
    static let jpeg = try! MediaType("image/jpeg")

    @Test func aBlobIsStoredOnceUnderItsHashInItsOwnFile() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let hash = try store.putBlob(bytes, mediaType: Self.png)
        #expect(hash == Hash32.sha256(bytes))
        #expect(try store.putBlob(bytes, mediaType: Self.jpeg) == hash)  // idempotent: the first type stays
        #expect(try store.blob(hash) == StoredBlob(bytes: bytes, mediaType: Self.png))
        #expect(try store.unsentBlobs(limit: 10) == [hash])
        let hex = hash.hex
        let file = fixture.directory.appending("blobs/\(hex.prefix(2))/\(hex.dropFirst(2))")
        #expect(FileManager.default.contents(atPath: file).map { [UInt8]($0) } == bytes)
        #expect(try store.blob(Hash32.sha256([1])) == nil)
        try store.close()
    }

    @Test func sentBlobsLeaveTheListButStay() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let hashes = try (1...3).map { try store.putBlob([UInt8](repeating: UInt8($0), count: $0 * 10), mediaType: Self.jpeg) }
        #expect(try store.unsentBlobs(limit: 10) == hashes)
        #expect(try store.unsentBlobs(limit: 2) == Array(hashes[0..<2]))
        try store.markBlobSent(hashes[1])
        #expect(try store.unsentBlobs(limit: 10) == [hashes[0], hashes[2]])
        #expect(try store.blob(hashes[1])?.bytes == [UInt8](repeating: 2, count: 20))
        #expect(throws: AgentStoreError.unknownBlob(Hash32.sha256([9]))) { try store.markBlobSent(Hash32.sha256([9])) }
        try store.close()
        let reopened = try fixture.open()
        #expect(try reopened.unsentBlobs(limit: 10) == [hashes[0], hashes[2]])
        try reopened.close()
    }

    @Test func anOversizedBlobIsRefused() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let size = AgentStore.maximumBlobSize + 1
        #expect(throws: AgentStoreError.blobTooLarge(size: size, limit: AgentStore.maximumBlobSize)) {
            try store.putBlob([UInt8](repeating: 0, count: size), mediaType: Self.png)
        }
        try store.close()
    }

    /// Sent blobs are not hashed at open (the device keeps every photo and scan for years), but
    /// every read checks the bytes, and `verifyAllBlobs` checks them all.
    @Test func aChangedSentBlobIsFoundWhenReadOrVerified() throws {
        let fixture = try StoreFixture()
        var store = try fixture.open()
        let hash = try store.putBlob(Array("scan of page 1".utf8), mediaType: Self.png)
        try store.markBlobSent(hash)
        try store.close()
        let file = BlobFiles.path(of: hash, in: fixture.directory.appending("blobs"))
        let forged = Array("scan of page 2".utf8)
        try Data(forged).write(to: URL(fileURLWithPath: file))

        store = try fixture.open()
        let damage = AgentStoreError.damaged(.blobHashMismatch(hash, found: Hash32.sha256(forged)))
        #expect(throws: damage) { try store.blob(hash) }
        #expect(throws: damage) { try store.verifyAllBlobs() }
        try store.close()
    }

    @Test func aTemporaryFileLeftByACrashIsRemovedAtOpen() throws {
        let fixture = try StoreFixture()
        var store = try fixture.open()
        let hash = try store.putBlob([1, 2, 3], mediaType: Self.png)
        try store.close()
        let folder = fixture.directory.appending("blobs/\(hash.hex.prefix(2))")
        let leftover = folder + "/\(BlobFiles.temporaryPrefix)half-written"
        try Data([1]).write(to: URL(fileURLWithPath: leftover))
        store = try fixture.open()
        #expect(!FileManager.default.fileExists(atPath: leftover))
        #expect(try store.blob(hash)?.bytes == [1, 2, 3])
        try store.verifyAllBlobs()
        try store.close()
    }
}
