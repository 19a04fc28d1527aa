import TestSupport
import Testing
@testable import Protocol

/// RFC 9162's definitions transcribed literally (MTH, PATH, PROOF/SUBPROOF), O(n) per call:
/// the tree's cached answers must equal these.
private enum Reference {
    static func split(_ n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    static func root(_ leaves: ArraySlice<Hash32>) -> Hash32 {
        switch leaves.count {
        case 0: return MerkleHash.emptyRoot
        case 1: return leaves.first!
        default:
            let k = split(leaves.count)
            let mid = leaves.startIndex + k
            return MerkleHash.node(root(leaves[..<mid]), root(leaves[mid...]))
        }
    }

    static func path(_ m: Int, _ leaves: ArraySlice<Hash32>) -> [Hash32] {
        guard leaves.count > 1 else { return [] }
        let k = split(leaves.count)
        let mid = leaves.startIndex + k
        return m < k
            ? path(m, leaves[..<mid]) + [root(leaves[mid...])]
            : path(m - k, leaves[mid...]) + [root(leaves[..<mid])]
    }

    static func subproof(_ m: Int, _ leaves: ArraySlice<Hash32>, _ complete: Bool) -> [Hash32] {
        if m == leaves.count { return complete ? [] : [root(leaves)] }
        let k = split(leaves.count)
        let mid = leaves.startIndex + k
        return m <= k
            ? subproof(m, leaves[..<mid], complete) + [root(leaves[mid...])]
            : subproof(m - k, leaves[mid...], false) + [root(leaves[..<mid])]
    }
}

@Suite("Merkle tree: properties")
struct MerklePropertyTests {
    static let leafCount = 300

    let leaves: [Hash32]
    let tree: MerkleTree

    init() {
        var random = SplitMix64(seed: 6962)
        leaves = (0..<Self.leafCount).map { _ in
            MerkleHash.leaf((0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
        }
        tree = MerkleTree(leafHashes: leaves)
    }

    private func flippingOneBit(of proof: [Hash32], using random: inout SplitMix64) -> [Hash32] {
        var proof = proof
        let element = Int.random(in: 0..<proof.count, using: &random)
        var bytes = proof[element].bytes
        let bit = Int.random(in: 0..<256, using: &random)
        bytes[bit / 8] ^= 1 << UInt8(bit % 8)
        proof[element] = try! Hash32(bytes: bytes)
        return proof
    }

    @Test func rootsAndProofsEqualTheRFCDefinitions() throws {
        for size in [1, 2, 3, 5, 7, 8, 9, 16, 17, 31, 64, 100, 255, 256, 257, 300] {
            let prefix = leaves[..<size]
            #expect(try tree.root(atSize: UInt64(size)) == Reference.root(prefix), "size \(size)")
            for index in stride(from: 0, to: size, by: max(1, size / 9)) {
                #expect(try tree.inclusionProof(leafIndex: UInt64(index), treeSize: UInt64(size)) == Reference.path(index, prefix))
            }
            for oldSize in stride(from: 1, through: size, by: max(1, size / 9)) {
                #expect(try tree.consistencyProof(from: UInt64(oldSize), to: UInt64(size)) == Reference.subproof(oldSize, prefix, true))
            }
        }
    }

    @Test("every inclusion proof verifies; a flipped bit or another index does not", arguments: [UInt64(1), 2, 3])
    func inclusionProofs(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        for _ in 0..<12 {
            let size = UInt64.random(in: 1...UInt64(Self.leafCount), using: &random)
            let root = try tree.root(atSize: size)
            for index in 0..<size {
                let leaf = leaves[Int(index)]
                let proof = try tree.inclusionProof(leafIndex: index, treeSize: size)
                #expect(proof.count <= 64 - size.leadingZeroBitCount)
                #expect(MerkleTree.verifyInclusion(leafHash: leaf, index: index, treeSize: size, proof: proof, root: root))
                if !proof.isEmpty {
                    let damaged = flippingOneBit(of: proof, using: &random)
                    #expect(!MerkleTree.verifyInclusion(leafHash: leaf, index: index, treeSize: size, proof: damaged, root: root))
                    #expect(!MerkleTree.verifyInclusion(leafHash: leaf, index: index, treeSize: size, proof: Array(proof.dropLast()), root: root))
                }
                for wrong in [index &- 1, index + 1, index ^ 2] where wrong != index && wrong < size {
                    #expect(!MerkleTree.verifyInclusion(leafHash: leaf, index: wrong, treeSize: size, proof: proof, root: root), "leaf \(index) claimed as \(wrong) of \(size)")
                }
                #expect(!MerkleTree.verifyInclusion(leafHash: leaf, index: index, treeSize: size, proof: proof + [root], root: root))
            }
        }
    }

    @Test("every consistency proof verifies; a flipped bit or another size does not", arguments: [UInt64(4), 5, 6])
    func consistencyProofs(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        for _ in 0..<8 {
            let newSize = UInt64.random(in: 1...UInt64(Self.leafCount), using: &random)
            let newRoot = try tree.root(atSize: newSize)
            for oldSize in 0...newSize {
                let oldRoot = try tree.root(atSize: oldSize)
                let proof = try tree.consistencyProof(from: oldSize, to: newSize)
                #expect(MerkleTree.verifyConsistency(oldSize: oldSize, newSize: newSize, oldRoot: oldRoot, newRoot: newRoot, proof: proof))
                guard !proof.isEmpty else { continue }
                let damaged = flippingOneBit(of: proof, using: &random)
                #expect(!MerkleTree.verifyConsistency(oldSize: oldSize, newSize: newSize, oldRoot: oldRoot, newRoot: newRoot, proof: damaged))
                #expect(!MerkleTree.verifyConsistency(oldSize: oldSize, newSize: newSize, oldRoot: oldRoot, newRoot: newRoot, proof: Array(proof.dropLast())))
                #expect(!MerkleTree.verifyConsistency(oldSize: oldSize, newSize: newSize, oldRoot: newRoot, newRoot: oldRoot, proof: proof))
                for wrong in [oldSize - 1, oldSize + 1, oldSize ^ 2] where wrong != oldSize && wrong <= newSize {
                    #expect(!MerkleTree.verifyConsistency(oldSize: wrong, newSize: newSize, oldRoot: oldRoot, newRoot: newRoot, proof: proof), "\(oldSize) claimed as \(wrong) to \(newSize)")
                }
            }
        }
    }

    /// A tree large enough to have 18 levels: proofs stay logarithmic and still verify.
    @Test func aLargeTree() throws {
        var random = SplitMix64(seed: 9162)
        var large = MerkleTree()
        var hashes: [Hash32] = []
        for index in 0..<(1 << 17) + 5 {
            var bytes = ByteWriter()
            bytes.u64(UInt64(index))
            hashes.append(large.append(leafData: bytes.bytes))
        }
        let size = large.size
        #expect(large.root == Reference.root(hashes[...]))
        for _ in 0..<50 {
            let index = UInt64.random(in: 0..<size, using: &random)
            let proof = try large.inclusionProof(leafIndex: index, treeSize: size)
            #expect(proof.count <= 18)
            #expect(MerkleTree.verifyInclusion(leafHash: hashes[Int(index)], index: index, treeSize: size, proof: proof, root: large.root))
            let oldSize = UInt64.random(in: 1...size, using: &random)
            let consistency = try large.consistencyProof(from: oldSize, to: size)
            #expect(consistency.count <= 2 * 18)
            #expect(MerkleTree.verifyConsistency(oldSize: oldSize, newSize: size, oldRoot: try large.root(atSize: oldSize), newRoot: large.root, proof: consistency))
        }
    }
}
