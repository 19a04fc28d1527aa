import Foundation
import Protocol

/// The seal's memory as `<state-dir>/seal.json`, written whole to a temporary file and renamed
/// over the old one, so a crash leaves either the old or the new counters, never half of them.
///
/// ```json
/// {"format":1,"refused_presses":1,"total_stamps":12,"used_grants":{"<32 hex digits>":1763729000000}}
/// ```
public struct SealMemoryStore: Sendable {
    public static let fileName = "seal.json"
    public let directory: String
    public var path: String { directory + "/" + Self.fileName }

    public init(directory: String) throws(SealStoreError) {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw SealStoreError(path: directory, reason: "cannot create the state directory: \(error.localizedDescription)")
        }
    }

    /// The stored memory, or a new seal's when there is no file yet.
    public func load() throws(SealStoreError) -> SealMemory {
        guard let data = FileManager.default.contents(atPath: path) else { return SealMemory() }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw SealStoreError(path: path, reason: "not JSON: \(error.localizedDescription)")
        }
        guard let root = object as? [String: Any] else { throw SealStoreError(path: path, reason: "not a JSON object") }
        guard (root["format"] as? NSNumber)?.intValue == 1 else { throw SealStoreError(path: path, reason: "format must be 1") }
        guard let total = (root["total_stamps"] as? NSNumber).flatMap({ UInt32(exactly: $0.int64Value) }) else {
            throw SealStoreError(path: path, reason: "total_stamps must be a whole number from 0 to 4294967295")
        }
        let refusedValue = root["refused_presses"] ?? NSNumber(value: 0)
        guard let refused = (refusedValue as? NSNumber).flatMap({ UInt32(exactly: $0.int64Value) }) else {
            throw SealStoreError(path: path, reason: "refused_presses must be a whole number from 0 to 4294967295")
        }
        guard let grants = root["used_grants"] as? [String: Any] else {
            throw SealStoreError(path: path, reason: "used_grants must be an object")
        }
        var used: [GrantID: Timestamp] = [:]
        for (hex, value) in grants {
            guard let bytes = Hex.decode(hex), let id = try? GrantID(bytes: bytes) else {
                throw SealStoreError(path: path, reason: "used_grants: \(hex) is not a 32-digit hex grant id")
            }
            guard let until = (value as? NSNumber)?.int64Value else {
                throw SealStoreError(path: path, reason: "used_grants.\(hex) must be milliseconds since the epoch")
            }
            used[id] = Timestamp(millisecondsSinceEpoch: until)
        }
        return SealMemory(totalStamps: total, refusedPresses: refused, usedGrants: used)
    }

    public func save(_ memory: SealMemory) throws(SealStoreError) {
        var grants: [String: Int64] = [:]
        for (id, until) in memory.usedGrants { grants[Hex.encode(id.bytes)] = until.millisecondsSinceEpoch }
        let root: [String: Any] = ["format": 1, "total_stamps": Int64(memory.totalStamps),
                                   "refused_presses": Int64(memory.refusedPresses), "used_grants": grants]
        do {
            let data = try JSONSerialization.data(withJSONObject: root, options: [.sortedKeys])
            let temporary = path + ".tmp"
            guard FileManager.default.createFile(atPath: temporary, contents: data) else {
                throw SealStoreError(path: temporary, reason: "cannot write")
            }
            guard rename(temporary, path) == 0 else {
                throw SealStoreError(path: path, reason: "cannot rename \(temporary) over it: \(String(cString: strerror(errno)))")
            }
        } catch let error as SealStoreError {
            throw error
        } catch {
            throw SealStoreError(path: path, reason: "cannot encode: \(error.localizedDescription)")
        }
    }
}

public struct SealStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "seal state \(path): \(reason)" }
}
