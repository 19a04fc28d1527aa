import Crypto

/// The hashing of RFC 9162 section 2.1.1 (the same as RFC 6962 section 2.1) with SHA-256:
/// distinct one-byte prefixes for leaves and interior nodes, so that no leaf can be passed off
/// as a subtree or the other way round (the second-preimage defence of both RFCs).
public enum MerkleHash {
    /// The root of the tree with no leaves: SHA-256 of the empty string.
    public static let emptyRoot = Hash32.sha256([UInt8]())

    /// SHA-256(0x00 || data).
    public static func leaf(_ data: [UInt8]) -> Hash32 {
        var hasher = SHA256()
        update(&hasher, prefix: 0x00)
        hasher.update(data: data)
        return Hash32(unchecked: Array(hasher.finalize()))
    }

    /// SHA-256(0x01 || left || right).
    public static func node(_ left: Hash32, _ right: Hash32) -> Hash32 {
        var hasher = SHA256()
        update(&hasher, prefix: 0x01)
        hasher.update(data: left.bytes)
        hasher.update(data: right.bytes)
        return Hash32(unchecked: Array(hasher.finalize()))
    }

    /// SHA-256(0x01 || the 64 bytes at `offset` in `pair`): a parent straight from the flat
    /// storage of `MerkleTree`, without building two `Hash32` values first.
    static func node(pairIn pair: [UInt8], at offset: Int) -> SHA256.Digest {
        var hasher = SHA256()
        update(&hasher, prefix: 0x01)
        pair.withUnsafeBytes { raw in
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: raw[offset..<offset + 2 * Hash32.byteCount]))
        }
        return hasher.finalize()
    }

    // One byte without allocating an array for it: appends hash this twice per leaf.
    private static func update(_ hasher: inout SHA256, prefix: UInt8) {
        withUnsafeBytes(of: prefix) { hasher.update(bufferPointer: $0) }
    }
}
