import Foundation
import Protocol
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The server's signing keys on disk: `<data>/keys/`, mode 0700, one file per key,
/// `<key id hex>.key`, mode 0600:
///
///     imprimatur-server-key 1
///     seed <64 hex digits: the Ed25519 seed>
///     created <ms since epoch>
///     retired <ms since epoch>        (only once rotated out)
///
/// Every load checks the folder and each file: owned by this process's user and with no
/// permission bits for group or others; anything else is refused with the fix to apply.
public struct KeyDirectory: Sendable {
    public static let folderName = "keys"
    static let header = "imprimatur-server-key 1"

    public let path: String

    public init(dataDirectory: String) {
        path = dataDirectory + "/" + Self.folderName
    }

    public init(path: String) {
        self.path = path
    }

    /// Loads the keys, creating the folder and a first key when there are none yet.
    public func loadOrCreate(now: Timestamp) throws(KeyStoreError) -> ServerKeySet {
        try ensureFolder()
        let keys = try loadKeys()
        if keys.isEmpty {
            let first = ServerSigningKey(signingKey: SigningKey(), created: now)
            try save(first)
            return try ServerKeySet(keys: [first])
        }
        return try ServerKeySet(keys: keys)
    }

    /// Loads the keys; refuses an empty or missing folder.
    public func load() throws(KeyStoreError) -> ServerKeySet {
        guard FileManager.default.fileExists(atPath: path) else { throw .noKeys(directory: path) }
        try checkSecure(path, expected: 0o700)
        let keys = try loadKeys()
        guard !keys.isEmpty else { throw .noKeys(directory: path) }
        return try ServerKeySet(keys: keys)
    }

    /// Adds a new current key and retires the current one at `now` (with no key yet, only
    /// creates the first). Returns the new set.
    @discardableResult
    public func rotate(now: Timestamp) throws(KeyStoreError) -> ServerKeySet {
        try ensureFolder()
        guard !(try loadKeys()).isEmpty else { return try loadOrCreate(now: now) }
        let existing = try loadOrCreate(now: now)
        let old = existing.current
        let new = ServerSigningKey(signingKey: SigningKey(), created: now)
        // New key first: a crash between the two writes leaves two current keys, which the next
        // load refuses loudly rather than signing with the wrong one.
        try save(new)
        try save(old.retiring(at: now))
        return try ServerKeySet(keys: existing.keys.filter { $0.keyID != old.keyID } + [old.retiring(at: now), new])
    }

    /// The folder's modification time, so a running server notices a rotation.
    func modificationStamp() -> timespec? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mtim
    }

    // MARK: Files

    private func ensureFolder() throws(KeyStoreError) {
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw .io(path: path, operation: "create", errno: errno)
        }
        try checkSecure(path, expected: 0o700)
    }

    private func loadKeys() throws(KeyStoreError) -> [ServerSigningKey] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw .io(path: path, operation: "list", errno: EACCES)
        }
        var keys: [ServerSigningKey] = []
        for name in names.sorted() where name.hasSuffix(".key") {
            let file = path + "/" + name
            try checkSecure(file, expected: 0o600)
            let key = try parse(file: file, text: try read(file))
            guard name == "\(key.keyID).key" else {
                throw .malformedKeyFile(path: file, reason: "the file name does not match its key id \(key.keyID)")
            }
            keys.append(key)
        }
        return keys
    }

    private func checkSecure(_ file: String, expected: UInt32) throws(KeyStoreError) {
        var info = stat()
        guard lstat(file, &info) == 0 else { throw .io(path: file, operation: "inspect", errno: errno) }
        let mode = UInt32(info.st_mode) & 0o7777
        guard mode & 0o077 == 0 else { throw .insecurePermissions(path: file, mode: mode, expected: expected) }
        guard info.st_uid == geteuid() else { throw .wrongOwner(path: file, owner: info.st_uid, expected: geteuid()) }
    }

    private func read(_ file: String) throws(KeyStoreError) -> String {
        guard let data = FileManager.default.contents(atPath: file) else { throw .io(path: file, operation: "read", errno: errno) }
        guard data.count <= 4096 else { throw .malformedKeyFile(path: file, reason: "too large") }
        return String(decoding: data, as: UTF8.self)
    }

    func parse(file: String, text: String) throws(KeyStoreError) -> ServerSigningKey {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard lines.first == Self.header else { throw .malformedKeyFile(path: file, reason: "the first line must be \"\(Self.header)\"") }
        lines.removeFirst()
        var fields: [String: String] = [:]
        for line in lines {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2, ["seed", "created", "retired"].contains(parts[0]), fields[parts[0]] == nil else {
                throw .malformedKeyFile(path: file, reason: "unexpected line \"\(line.prefix(40))\"")
            }
            fields[parts[0]] = parts[1]
        }
        guard let seedText = fields["seed"], let seed = Hex.decode(seedText), seed.count == 32,
              let key = try? SigningKey(seed: seed)
        else { throw .malformedKeyFile(path: file, reason: "seed must be 64 hex digits") }
        guard let createdText = fields["created"], let created = Int64(createdText), created >= 0 else {
            throw .malformedKeyFile(path: file, reason: "created must be milliseconds since 1970")
        }
        var retired: Timestamp?
        if let retiredText = fields["retired"] {
            guard let value = Int64(retiredText), value >= 0 else {
                throw .malformedKeyFile(path: file, reason: "retired must be milliseconds since 1970")
            }
            retired = Timestamp(millisecondsSinceEpoch: value)
        }
        return ServerSigningKey(signingKey: key, created: Timestamp(millisecondsSinceEpoch: created), retired: retired)
    }

    static func render(_ key: ServerSigningKey) -> String {
        var text = "\(header)\nseed \(Hex.encode(key.signingKey.seed))\ncreated \(key.created.millisecondsSinceEpoch)\n"
        if let retired = key.retired { text += "retired \(retired.millisecondsSinceEpoch)\n" }
        return text
    }

    /// Writes a key file atomically: a new 0600 file beside it, flushed, then renamed over.
    private func save(_ key: ServerSigningKey) throws(KeyStoreError) {
        let final = path + "/\(key.keyID).key"
        let temporary = path + "/.\(key.keyID).key.tmp"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io(path: temporary, operation: "create", errno: errno) }
        // The umask may have narrowed the mode; never widened it. Make it exact.
        fchmod(fd, 0o600)
        let bytes = Array(Self.render(key).utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let saved = errno
        guard written == bytes.count, fsync(fd) == 0 else {
            close(fd)
            unlink(temporary)
            throw .io(path: temporary, operation: "write", errno: saved)
        }
        close(fd)
        guard rename(temporary, final) == 0 else { throw .io(path: final, operation: "rename into", errno: errno) }
    }
}
