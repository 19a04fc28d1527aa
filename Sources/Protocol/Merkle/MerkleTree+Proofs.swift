extension MerkleTree {
    /// The inclusion proof (audit path) of RFC 9162 section 2.1.3.1, PATH(m, D[n]), for the leaf
    /// at `leafIndex` in the tree of the first `treeSize` leaves; O(log n) hashes, deepest first.
    public func inclusionProof(leafIndex: UInt64, treeSize: UInt64) throws(MerkleTreeError) -> [Hash32] {
        let end = try checkedSize(treeSize)
        guard leafIndex < treeSize else { throw .leafIndexOutOfRange(index: leafIndex, treeSize: treeSize) }
        var proof: [Hash32] = []
        path(Int(leafIndex), 0, end, into: &proof)
        return proof
    }

    /// The consistency proof of RFC 9162 section 2.1.4.1, PROOF(m, D[n]), that the tree of the
    /// first `oldSize` leaves is a prefix of the tree of the first `newSize`. Empty when the
    /// sizes are equal or `oldSize` is 0 (every tree extends the empty one).
    public func consistencyProof(from oldSize: UInt64, to newSize: UInt64) throws(MerkleTreeError) -> [Hash32] {
        let end = try checkedSize(newSize)
        guard oldSize <= newSize else { throw .oldSizeAboveNewSize(oldSize: oldSize, newSize: newSize) }
        var proof: [Hash32] = []
        if oldSize > 0 { subproof(Int(oldSize), 0, end, complete: true, into: &proof) }
        return proof
    }

    /// PATH(m, D[start:end]): the sub-path first, then the sibling at this level.
    private func path(_ m: Int, _ start: Int, _ end: Int, into proof: inout [Hash32]) {
        let width = end - start
        guard width > 1 else { return }
        let k = Self.largestPowerOfTwo(below: width)
        if m < k {
            path(m, start, start + k, into: &proof)
            proof.append(rangeHash(start + k, end))
        } else {
            path(m - k, start + k, end, into: &proof)
            proof.append(rangeHash(start, start + k))
        }
    }

    /// SUBPROOF(m, D[start:end], b), with `complete` standing for the RFC's b.
    private func subproof(_ m: Int, _ start: Int, _ end: Int, complete: Bool, into proof: inout [Hash32]) {
        let width = end - start
        if m == width {
            if !complete { proof.append(rangeHash(start, end)) }
            return
        }
        let k = Self.largestPowerOfTwo(below: width)
        if m <= k {
            subproof(m, start, start + k, complete: complete, into: &proof)
            proof.append(rangeHash(start + k, end))
        } else {
            subproof(m - k, start + k, end, complete: false, into: &proof)
            proof.append(rangeHash(start, start + k))
        }
    }
}
