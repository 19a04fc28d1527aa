import Foundation
import Protocol

/// Blob bytes live in files named by their SHA-256: `blobs/ab/cdef...` (the first two hex
/// digits name a directory, so no directory grows past 1/256 of the blobs). A file is written
/// whole to a temporary name, fsynced, renamed into place and its directory fsynced, so after a
/// crash a blob's file is either absent or complete.
enum BlobFiles {
    static let temporaryPrefix = ".tmp-"

    static func path(of hash: Hash32, in directory: String) -> String {
        let hex = hash.hex
        return "\(directory)/\(hex.prefix(2))/\(hex.dropFirst(2))"
    }

    /// Writes `bytes` as the file of `hash`, durably.
    static func write(_ bytes: [UInt8], as hash: Hash32, in directory: String) throws(AgentStoreError) {
        let final = path(of: hash, in: directory)
        let folder = (final as NSString).deletingLastPathComponent
        try makeDirectory(directory, parent: (directory as NSString).deletingLastPathComponent)
        try makeDirectory(folder, parent: directory)
        let temporary = "\(folder)/\(temporaryPrefix)\(hash.hex.dropFirst(2))-\(UInt64.random(in: 0...UInt64.max))"
        let fd = Foundation.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .blobFile(operation: "create", path: temporary, errno: errno) }
        var failure: AgentStoreError?
        var written = 0
        while written < bytes.count, failure == nil {
            let result = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if result > 0 {
                written += result
            } else if result < 0, errno == EINTR {
                continue
            } else {
                failure = .blobFile(operation: "write", path: temporary, errno: errno)
            }
        }
        if failure == nil, !synchronize(fd) { failure = .blobFile(operation: "fsync", path: temporary, errno: errno) }
        Foundation.close(fd)
        if failure == nil, rename(temporary, final) != 0 { failure = .blobFile(operation: "rename", path: final, errno: errno) }
        if let failure {
            unlink(temporary)
            throw failure
        }
        try synchronizeDirectory(folder)
    }

    /// The bytes of `hash`'s file, checked against the name: a file whose bytes no longer hash
    /// to it is damage.
    static func read(_ hash: Hash32, in directory: String) throws(AgentStoreError) -> [UInt8] {
        let file = path(of: hash, in: directory)
        guard let data = FileManager.default.contents(atPath: file) else {
            if FileManager.default.fileExists(atPath: file) { throw .blobFile(operation: "read", path: file, errno: errno) }
            throw .damaged(.blobMissing(hash))
        }
        let bytes = [UInt8](data)
        let found = Hash32.sha256(bytes)
        guard found == hash else { throw .damaged(.blobHashMismatch(hash, found: found)) }
        return bytes
    }

    /// The file of `hash` exists with `size` bytes and, when `hashing`, its bytes hash to `hash`.
    static func check(_ hash: Hash32, size: Int, in directory: String, hashing: Bool) throws(AgentStoreError) {
        let file = path(of: hash, in: directory)
        var status = stat()
        guard stat(file, &status) == 0 else {
            if errno == ENOENT { throw .damaged(.blobMissing(hash)) }
            throw .blobFile(operation: "stat", path: file, errno: errno)
        }
        guard Int(status.st_size) == size else { throw .damaged(.blobSizeMismatch(hash, recorded: size, found: Int(status.st_size))) }
        if hashing { _ = try read(hash, in: directory) }
    }

    /// Removes the temporary files a crash mid-write left behind: they were never renamed into
    /// place, so no row names them.
    static func removeTemporaryFiles(in directory: String) {
        let manager = FileManager.default
        guard let folders = try? manager.contentsOfDirectory(atPath: directory) else { return }
        for folder in folders {
            let names = (try? manager.contentsOfDirectory(atPath: "\(directory)/\(folder)")) ?? []
            for name in names where name.hasPrefix(temporaryPrefix) {
                unlink("\(directory)/\(folder)/\(name)")
            }
        }
    }

    private static func makeDirectory(_ path: String, parent: String) throws(AgentStoreError) {
        if mkdir(path, 0o700) == 0 {
            // The new directory's entry must be durable too, or the file inside can vanish.
            try synchronizeDirectory(parent)
        } else if errno != EEXIST {
            throw .blobFile(operation: "create directory", path: path, errno: errno)
        }
    }

    private static func synchronizeDirectory(_ path: String) throws(AgentStoreError) {
        let fd = Foundation.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .blobFile(operation: "open directory", path: path, errno: errno) }
        defer { Foundation.close(fd) }
        guard synchronize(fd) else { throw .blobFile(operation: "fsync directory", path: path, errno: errno) }
    }

    /// fsync; on macOS F_FULLFSYNC, since its fsync does not flush the drive's cache.
    private static func synchronize(_ fd: Int32) -> Bool {
        #if canImport(Darwin)
        if fcntl(fd, F_FULLFSYNC) == 0 { return true }
        #endif
        return fsync(fd) == 0
    }
}
