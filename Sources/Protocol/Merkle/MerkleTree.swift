/// An append-only Merkle tree of RFC 9162 section 2.1 over leaf hashes, able to give the root,
/// inclusion proofs and consistency proofs for its current size or any earlier one.
///
/// It keeps the hash of every complete, aligned subtree (2^k leaves starting at a multiple of
/// 2^k), level by level. An append adds one leaf hash and then one parent per level that the
/// new leaf completes: fewer than 2 hashes per append on average, and about 2n stored hashes
/// (64 MB for a million leaves). Every range hash the RFC's definitions need is then either
/// one stored subtree or a fold of O(log n) of them along the right edge, so roots and proofs
/// cost O(log n) hashes.
public struct MerkleTree: Hashable, Sendable {
    /// `levels[k]` holds the 32-byte hashes of the complete subtrees of 2^k leaves, back to
    /// back, left to right. Flat byte arrays, because a million `Hash32` values would each be a
    /// separate heap allocation.
    private var levels: [[UInt8]] = [[]]

    public init() {}

    public init<S: Sequence>(leafHashes: S) where S.Element == Hash32 {
        for leafHash in leafHashes { append(leafHash: leafHash) }
    }

    /// The number of leaves.
    public var size: UInt64 { UInt64(count) }

    var count: Int { levels[0].count / Hash32.byteCount }

    public mutating func append(leafHash: Hash32) {
        levels[0].append(contentsOf: leafHash.bytes)
        var level = 0
        var nodes = count
        // A level with an even number of nodes has just completed a pair: hash it upward.
        while nodes % 2 == 0 {
            let parent = MerkleHash.node(pairIn: levels[level], at: (nodes - 2) * Hash32.byteCount)
            if level + 1 == levels.count { levels.append([]) }
            levels[level + 1].append(contentsOf: parent)
            level += 1
            nodes = levels[level].count / Hash32.byteCount
        }
    }

    /// Appends the leaf for `leafData` and returns its leaf hash.
    @discardableResult
    public mutating func append(leafData: [UInt8]) -> Hash32 {
        let leafHash = MerkleHash.leaf(leafData)
        append(leafHash: leafHash)
        return leafHash
    }

    public func leafHash(at index: UInt64) throws(MerkleTreeError) -> Hash32 {
        guard index < size else { throw .leafIndexOutOfRange(index: index, treeSize: size) }
        return stored(level: 0, index: Int(index))
    }

    /// The root of the whole tree.
    public var root: Hash32 { count == 0 ? MerkleHash.emptyRoot : rangeHash(0, count) }

    /// The root the tree had when it held its first `treeSize` leaves.
    public func root(atSize treeSize: UInt64) throws(MerkleTreeError) -> Hash32 {
        let end = try checkedSize(treeSize)
        return end == 0 ? MerkleHash.emptyRoot : rangeHash(0, end)
    }

    func checkedSize(_ treeSize: UInt64) throws(MerkleTreeError) -> Int {
        guard treeSize <= size else { throw .treeSizeBeyondTree(requested: treeSize, size: size) }
        return Int(treeSize)
    }

    private func stored(level: Int, index: Int) -> Hash32 {
        let offset = index * Hash32.byteCount
        return Hash32(unchecked: Array(levels[level][offset..<offset + Hash32.byteCount]))
    }

    /// MTH(D[start:end]) of RFC 9162 for the ranges its definitions produce: `start` is a
    /// multiple of the smallest power of two not below `end - start`, and `end` is at most the
    /// tree's size. Such a range is one stored subtree when its width is a power of two, or
    /// else its left complete part next to the (recursively) hashed rest.
    func rangeHash(_ start: Int, _ end: Int) -> Hash32 {
        let width = end - start
        if width & (width - 1) == 0 {
            let level = width.trailingZeroBitCount
            return stored(level: level, index: start >> level)
        }
        let split = Self.largestPowerOfTwo(below: width)
        return MerkleHash.node(rangeHash(start, start + split), rangeHash(start + split, end))
    }

    /// The k of RFC 9162: the largest power of two smaller than `n` (for n >= 2).
    static func largestPowerOfTwo(below n: Int) -> Int {
        1 << (Int.bitWidth - 1 - (n - 1).leadingZeroBitCount)
    }
}
