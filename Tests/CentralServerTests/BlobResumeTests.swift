import Foundation
import Protocol
import Testing
@testable import CentralServer

/// Issue 13: the server wrote a chunk to the blob's `.part` file, then crashed before the
/// database recorded the progress. It answered the database's figure (0), refused the chunk the
/// agent then sent at 0 (the file held more) with the same figure, and the upload stalled for
/// ever (583 of 584 events acknowledged). The file is now the one source of "bytes held".
@Suite("Blob upload: resuming after a server crash")
struct BlobResumeTests {
    static let bytes: [UInt8] = Array("twelve bytes".utf8) + Array(repeating: 0x42, count: 20)
    static var hash: Hash32 { Hash32.sha256(bytes) }

    static func setUp() async throws -> (TestServer, IngestionService, UplinkMessage.BlobOffer) {
        let server = try TestServer()
        _ = try await server.enroll()
        let ingestion = IngestionService(store: server.store, blobs: BlobFiles(dataDirectory: server.directory.path),
                                         metrics: server.services.metrics, logger: server.services.logger)
        let offer = try UplinkMessage.BlobOffer(hash: hash, totalSize: UInt64(bytes.count), mediaType: try MediaType("image/jpeg"))
        return (server, ingestion, offer)
    }

    @Test func chunkBytesOnDiskButNotInTheDatabaseAreResumedAfter() async throws {
        let (server, ingestion, offer) = try await Self.setUp()
        let device = try DeviceID("agent-1")
        #expect(try await ingestion.offer(offer, device: device, now: Fixture.now) == .receiving(bytesHeld: 0))
        // The crash: the first 12 bytes reached the file; the database still says 0.
        _ = try ingestion.blobs.append(Self.hash, offset: 0, data: Array(Self.bytes[0..<12]), size: UInt64(Self.bytes.count))
        #expect(try await server.store.blobProgress(Self.hash) == .receiving(bytesHeld: 0))

        // The agent, reconnected, offers again and is told where to resume.
        #expect(try await ingestion.offer(offer, device: device, now: Fixture.now) == .receiving(bytesHeld: 12))
        // A chunk at 0 (the agent trusted the old answer) is refused with the file's figure.
        let refused = try await ingestion.chunk(try UplinkMessage.BlobChunk(hash: Self.hash, offset: 0, data: Array(Self.bytes[0..<12])),
                                                device: device, now: Fixture.now)
        guard case .failure(.offsetMismatch(expected: 12, got: 0)) = refused else { Issue.record("\(refused)"); return }
        #expect(try await ingestion.held(Self.hash) == .receiving(bytesHeld: 12))
        // Resumed at 12: complete, verified, in place.
        let done = try await ingestion.chunk(try UplinkMessage.BlobChunk(hash: Self.hash, offset: 12, data: Array(Self.bytes[12...])),
                                             device: device, now: Fixture.now)
        #expect(done == .success(.complete))
        #expect(ingestion.blobs.contents(Self.hash) == Self.bytes)
    }

    @Test func aBlobInPlaceWhoseCompletionTheDatabaseMissedIsComplete() async throws {
        let (server, ingestion, offer) = try await Self.setUp()
        let device = try DeviceID("agent-1")
        _ = try await ingestion.offer(offer, device: device, now: Fixture.now)
        // The crash after the rename into place, before the database was told.
        #expect(try ingestion.blobs.append(Self.hash, offset: 0, data: Self.bytes, size: UInt64(Self.bytes.count)).complete)
        #expect(try await ingestion.offer(offer, device: device, now: Fixture.now) == .complete)
        #expect(try await server.store.blobProgress(Self.hash) == .complete)
    }
}
