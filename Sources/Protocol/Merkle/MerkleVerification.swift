extension MerkleTree {
    /// Verifies an inclusion proof exactly as RFC 9162 section 2.1.3.2 describes: true when
    /// `proof` shows that the leaf with `leafHash` is leaf number `index` (from 0) of the tree
    /// of `treeSize` leaves whose root is `root`.
    public static func verifyInclusion(leafHash: Hash32, index: UInt64, treeSize: UInt64, proof: [Hash32], root: Hash32) -> Bool {
        guard index < treeSize else { return false }
        var fn = index
        var sn = treeSize - 1
        var r = leafHash
        for p in proof {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                r = MerkleHash.node(p, r)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                r = MerkleHash.node(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// Verifies a consistency proof: that the tree of `oldSize` leaves with root `oldRoot` is a
    /// prefix of the tree of `newSize` leaves with root `newRoot`.
    ///
    /// For 0 < oldSize < newSize this is RFC 9162 section 2.1.4.2 step by step. The RFC leaves
    /// the other cases to the caller; here: a larger old size is refused, equal sizes need an
    /// empty proof and equal roots, and old size 0 needs an empty proof and `oldRoot` equal to
    /// the empty tree's root (the only root a tree of no leaves has).
    public static func verifyConsistency(oldSize: UInt64, newSize: UInt64, oldRoot: Hash32, newRoot: Hash32, proof: [Hash32]) -> Bool {
        guard oldSize <= newSize else { return false }
        if oldSize == newSize { return proof.isEmpty && oldRoot == newRoot }
        if oldSize == 0 { return proof.isEmpty && oldRoot == MerkleHash.emptyRoot }

        // Step 1.
        guard !proof.isEmpty else { return false }
        // Step 2: an old tree that is one complete subtree is itself the first node.
        let path = oldSize & (oldSize - 1) == 0 ? [oldRoot] + proof : proof
        // Steps 3 and 4.
        var fn = oldSize - 1
        var sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        // Step 5.
        var fr = path[0]
        var sr = path[0]
        // Step 6.
        for c in path.dropFirst() {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                fr = MerkleHash.node(c, fr)
                sr = MerkleHash.node(c, sr)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                sr = MerkleHash.node(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        // Step 7.
        return fr == oldRoot && sr == newRoot && sn == 0
    }
}
