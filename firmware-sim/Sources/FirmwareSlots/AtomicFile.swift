import Foundation
import Glibc

/// A failed file operation, naming the file and what the system said.
public struct FileError: Error, Hashable, Sendable, CustomStringConvertible {
    public let operation: String
    public let path: String
    public let errno: Int32
    /// Set instead of an errno when the problem is not the system's (a file too large).
    public let reason: String?

    public init(_ operation: String, _ path: String, errno code: Int32 = Glibc.errno) {
        self.operation = operation
        self.path = path
        errno = code
        reason = nil
    }

    public init(_ operation: String, _ path: String, reason: String) {
        self.operation = operation
        self.path = path
        errno = 0
        self.reason = reason
    }

    public var description: String {
        "cannot \(operation) \(path): \(reason ?? String(cString: strerror(errno)))"
    }
}

/// Whole-file reads and writes for the simulated devices' state (the copier's memory, scans and
/// tray pages, both devices' firmware slots and boot record). A write goes to a temporary file in
/// the same directory that is then renamed over the target, so a reader (or a device booting after
/// a power cut) sees the old file or the new one, never a part.
public enum AtomicFile {
    /// Writes `bytes` to `path`. `durable` also flushes the file and the directory to the disk
    /// before and after the rename (for the controller's memory; scans can do without).
    public static func write(_ bytes: [UInt8], to path: String, durable: Bool) throws(FileError) {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = (directory.isEmpty ? "" : directory + "/") + ".\(name).\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError("create", temporary) }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                let error = FileError("write", temporary)
                close(fd)
                unlink(temporary)
                throw error
            }
            written += result
        }
        if durable && fsync(fd) != 0 {
            let error = FileError("flush", temporary)
            close(fd)
            unlink(temporary)
            throw error
        }
        guard close(fd) == 0 else {
            let error = FileError("close", temporary)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let error = FileError("rename \(temporary) to", path)
            unlink(temporary)
            throw error
        }
        if durable {
            let directoryFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if directoryFD >= 0 {
                _ = fsync(directoryFD)
                close(directoryFD)
            }
        }
    }

    /// The whole file, or nil when it does not exist; refuses files over `limit` bytes.
    public static func read(_ path: String, limit: Int) throws(FileError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 && errno == ENOENT { return nil }
        guard fd >= 0 else { throw FileError("open", path) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = Glibc.read(fd, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw FileError("read", path) }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
            guard bytes.count <= limit else { throw FileError("read", path, reason: "larger than \(limit) bytes") }
        }
    }

    /// `mkdir -p`.
    public static func createDirectory(_ path: String) throws(FileError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw FileError("create directory", path, reason: "\(error.localizedDescription)")
        }
    }
}
