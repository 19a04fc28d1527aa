import FirmwareSlots
import Glibc

/// The controller's memory in a state directory: one file, `copier-state.json`, replaced
/// atomically and flushed to disk on every save.
public struct CopierMemoryStore: Hashable, Sendable {
    public static let fileName = "copier-state.json"
    /// A state file is a few kilobytes; anything much larger is not one.
    public static let maximumFileSize = 1 << 20

    public let directory: String

    public init(directory: String) { self.directory = directory }

    public var path: String { directory + "/" + Self.fileName }

    /// The stored memory, or nil when the directory holds none yet. A file that is there but
    /// cannot be read back is an error naming the file and the problem, never a fresh start.
    public func load() throws(CopierMemoryError) -> CopierMemory? {
        let bytes: [UInt8]?
        do { bytes = try AtomicFile.read(path, limit: Self.maximumFileSize) } catch { throw .file(error) }
        guard let bytes else { return nil }
        do {
            return try CopierMemory(fileBytes: bytes)
        } catch {
            throw .corrupt(path: path, error)
        }
    }

    public func save(_ memory: CopierMemory) throws(CopierMemoryError) {
        do {
            try AtomicFile.createDirectory(directory)
            try AtomicFile.write(memory.fileBytes, to: path, durable: true)
        } catch {
            throw .file(error)
        }
    }

    /// Forgets the stored memory (`--reset-state`).
    public func erase() throws(CopierMemoryError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw .file(FileError("remove", path)) }
    }
}

public enum CopierMemoryError: Error, Hashable, Sendable, CustomStringConvertible {
    case file(FileError)
    case corrupt(path: String, CopierMemoryProblem)

    public var description: String {
        switch self {
        case let .file(error): return error.description
        case let .corrupt(path, problem):
            return "state file \(path) is corrupt: \(problem); it was left as it is (start with --reset-state to discard it)"
        }
    }
}
