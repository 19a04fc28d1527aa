import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few system calls the TLS folder needs, with errno turned into `TLSError`.
enum TLSFileIO {
    /// PEM files here are a few KiB; anything much larger is not ours.
    static let maximumFileSize = 256 * 1024

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Creates the folder 0700 if missing, then checks it as `checkPrivate` does.
    static func ensurePrivateFolder(_ path: String) throws(TLSError) {
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw .io(path: path, operation: "create", errno: errno)
        }
        try checkPrivate(path, expected: 0o700)
    }

    /// Refuses a file or folder that group or others may use, or that another user owns: whoever
    /// can read a private key can pose as the server.
    static func checkPrivate(_ path: String, expected: UInt32) throws(TLSError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw .io(path: path, operation: "inspect", errno: errno) }
        let mode = UInt32(info.st_mode) & 0o7777
        guard mode & 0o077 == 0 else { throw .insecurePermissions(path: path, mode: mode, expected: expected) }
        guard info.st_uid == geteuid() else { throw .wrongOwner(path: path, owner: info.st_uid, expected: geteuid()) }
    }

    static func read(_ path: String) throws(TLSError) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .io(path: path, operation: "read", errno: errno) }
        guard Int(info.st_size) <= maximumFileSize else { throw .malformed(path: path, reason: "larger than \(maximumFileSize) bytes") }
        guard let data = FileManager.default.contents(atPath: path) else { throw .io(path: path, operation: "read", errno: errno) }
        guard let text = String(data: data, encoding: .utf8) else { throw .malformed(path: path, reason: "not UTF-8 text") }
        return text
    }

    /// Writes atomically: a new file with exactly `mode` beside the target, flushed, renamed over
    /// it, and the folder flushed, so a crash leaves the old file or the new one, never half.
    static func writeAtomically(_ text: String, to path: String, mode: mode_t) throws(TLSError) {
        let temporary = (path as NSString).deletingLastPathComponent + "/." + (path as NSString).lastPathComponent + ".tmp"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .io(path: temporary, operation: "create", errno: errno) }
        // The umask may have narrowed the mode, never widened it; make it exact.
        fchmod(fd, mode)
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let saved = errno
        guard written == bytes.count, fsync(fd) == 0 else {
            close(fd)
            unlink(temporary)
            throw .io(path: temporary, operation: "write", errno: saved)
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let saved = errno
            unlink(temporary)
            throw .io(path: path, operation: "rename into", errno: saved)
        }
        let folder = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }
}
