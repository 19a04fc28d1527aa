import Crypto
import Foundation
import Protocol

/// Blob bytes on the server's disk: `<data>/blobs/ab/<sha256 hex>`, assembled from chunks in a
/// `.part` file and moved into place only when its SHA-256 matches its name (resumable upload,
/// stored once).
public struct BlobFiles: Sendable {
    public let directory: String

    public init(dataDirectory: String) { directory = dataDirectory + "/blobs" }

    public func path(_ hash: Hash32) -> String {
        let hex = hash.hex
        return "\(directory)/\(hex.prefix(2))/\(hex)"
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case offsetMismatch(expected: UInt64, got: UInt64)
        case tooLong(size: UInt64)
        case hashMismatch
        case io(String)

        public var description: String {
            switch self {
            case let .offsetMismatch(expected, got): return "a chunk at offset \(got), but \(expected) bytes are held"
            case let .tooLong(size): return "more bytes than the \(size) offered"
            case .hashMismatch: return "the bytes do not hash to the blob's name"
            case let .io(text): return text
            }
        }
    }

    /// The bytes held of the blob: its size once it is in place, else the length of its
    /// `.part` file. The one source of truth for "bytes held" (issue 13): the file is written
    /// (and fsynced) before the database records progress, so after a crash between the two the
    /// database figure is behind, and answering it made the agent resend a chunk the server
    /// refused for ever.
    public func held(_ hash: Hash32, size: UInt64) -> UInt64 {
        let final = path(hash)
        if FileManager.default.fileExists(atPath: final) { return size }
        return UInt64((try? FileManager.default.attributesOfItem(atPath: final + ".part")[.size] as? UInt64) ?? 0)
    }

    public func isComplete(_ hash: Hash32) -> Bool { FileManager.default.fileExists(atPath: path(hash)) }

    /// Appends `data` at `offset` (which must be what is held); returns what is held after, and
    /// whether the blob is complete (then verified and in place).
    public func append(_ hash: Hash32, offset: UInt64, data: [UInt8], size: UInt64) throws(Failure) -> (held: UInt64, complete: Bool) {
        let final = path(hash)
        let part = final + ".part"
        let folder = (final as NSString).deletingLastPathComponent
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch { throw .io("\(error)") }
        let held = UInt64((try? FileManager.default.attributesOfItem(atPath: part)[.size] as? UInt64) ?? 0)
        guard offset == held else { throw .offsetMismatch(expected: held, got: offset) }
        guard held + UInt64(data.count) <= size else { throw .tooLong(size: size) }
        let fd = open(part, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        guard fd >= 0 else { throw .io("cannot open \(part): \(String(cString: strerror(errno)))") }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, data.count) }
        fsync(fd)
        close(fd)
        guard written == data.count else { throw .io("short write to \(part)") }
        let now = held + UInt64(data.count)
        guard now == size else { return (now, false) }
        guard let bytes = FileManager.default.contents(atPath: part), Hash32.sha256(bytes) == hash else {
            unlink(part)
            throw .hashMismatch
        }
        guard rename(part, final) == 0 else { throw .io("cannot move \(part) into place") }
        return (now, true)
    }

    public func contents(_ hash: Hash32) -> [UInt8]? {
        FileManager.default.contents(atPath: path(hash)).map(Array.init)
    }
}
