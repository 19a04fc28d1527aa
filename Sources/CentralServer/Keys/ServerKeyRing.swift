import Foundation
import Protocol

/// The running server's view of its signing keys. Loads them from the key folder and reloads
/// when the folder changes (a `keys rotate` run while the server is up takes effect on the
/// next grant), so the uplink can always ask for the current key set.
public final class ServerKeyRing: @unchecked Sendable {
    private let directory: KeyDirectory?
    private let lock = NSLock()
    private var cached: ServerKeySet
    private var stamp: timespec?

    /// Loads (creating on first start) the keys in `directory`.
    public init(directory: KeyDirectory, now: Timestamp) throws(KeyStoreError) {
        self.directory = directory
        cached = try directory.loadOrCreate(now: now)
        stamp = directory.modificationStamp()
    }

    /// A fixed key set that never reloads (tests, tools).
    public init(fixed keys: ServerKeySet) {
        directory = nil
        cached = keys
    }

    /// The current keys, reloaded first if the key folder changed since the last load. A
    /// reload that fails (a file became readable by others, a bad file appeared) throws, and
    /// is tried again on the next call: grants are refused until the folder is fixed.
    public func keys() throws(KeyStoreError) -> ServerKeySet {
        lock.lock()
        defer { lock.unlock() }
        guard let directory else { return cached }
        let now = directory.modificationStamp()
        if let now, let stamp, now.tv_sec == stamp.tv_sec, now.tv_nsec == stamp.tv_nsec { return cached }
        cached = try directory.load()
        stamp = now
        return cached
    }
}
