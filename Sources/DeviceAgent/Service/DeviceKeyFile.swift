import Foundation
import Protocol

/// The device's Ed25519 key on disk: the 32-byte seed, hex, in a file only its owner can read.
/// Created once (by `imprimatur-agent init` or enrolment); the private key never leaves the box.
public enum DeviceKeyFile {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func load(_ path: String) throws -> SigningKey {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw Failure(description: "no device key at \(path): run `imprimatur-agent init --config FILE` (or enrol) first")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw Failure(description: "device key \(path) is readable by others (mode \(String(info.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let seed = Hex.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)), seed.count == 32,
              let key = try? SigningKey(seed: seed)
        else { throw Failure(description: "device key \(path) is not 64 hex digits (an Ed25519 seed)") }
        return key
    }

    /// Creates a new key at `path` (mode 0600); refuses to overwrite one.
    @discardableResult
    public static func create(_ path: String) throws -> SigningKey {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw Failure(description: "a device key already exists at \(path); refusing to replace it")
        }
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let key = SigningKey()
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let text = Array((Hex.encode(key.seed) + "\n").utf8)
        guard write(fd, text, text.count) == text.count, fsync(fd) == 0 else {
            throw Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        return key
    }
}
