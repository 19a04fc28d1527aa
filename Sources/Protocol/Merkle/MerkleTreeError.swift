/// Why a `MerkleTree` could not answer: the question was about leaves or sizes it does not
/// have, or sizes in the wrong order.
public enum MerkleTreeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A tree size larger than the tree.
    case treeSizeBeyondTree(requested: UInt64, size: UInt64)
    /// A leaf index not below the tree size it was asked about.
    case leafIndexOutOfRange(index: UInt64, treeSize: UInt64)
    /// A consistency proof from a larger tree to a smaller one.
    case oldSizeAboveNewSize(oldSize: UInt64, newSize: UInt64)

    public var description: String {
        switch self {
        case let .treeSizeBeyondTree(requested, size):
            return "tree size \(requested) is beyond the tree's \(size) leaves"
        case let .leafIndexOutOfRange(index, treeSize):
            return "leaf index \(index) is not below the tree size \(treeSize)"
        case let .oldSizeAboveNewSize(oldSize, newSize):
            return "old tree size \(oldSize) is above the new tree size \(newSize)"
        }
    }
}
