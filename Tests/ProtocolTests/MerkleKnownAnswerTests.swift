import Foundation
import Testing
@testable import Protocol

/// The RFC 6962 reference vectors of Certificate Transparency (Vectors/merkle-rfc6962.json).
struct MerkleVectors: Decodable {
    struct Inclusion: Decodable {
        let leafIndex: UInt64
        let treeSize: UInt64
        let proof: [String]
    }

    struct Consistency: Decodable {
        let oldSize: UInt64
        let newSize: UInt64
        let proof: [String]
    }

    let leafInputs: [String]
    let leafHashes: [String]
    let rootsBySize: [String]
    let inclusionProofs: [Inclusion]
    let consistencyProofs: [Consistency]

    static func load() throws -> MerkleVectors {
        let url = try #require(Bundle.module.url(forResource: "merkle-rfc6962", withExtension: "json", subdirectory: "Vectors"))
        return try JSONDecoder().decode(MerkleVectors.self, from: Data(contentsOf: url))
    }

    static func hash(_ hex: String) throws -> Hash32 { try Hash32(bytes: try #require(Hex.decode(hex))) }

    func tree() throws -> MerkleTree {
        var tree = MerkleTree()
        for input in leafInputs { tree.append(leafData: try #require(Hex.decode(input))) }
        return tree
    }

    func root(_ size: UInt64) throws -> Hash32 { try Self.hash(rootsBySize[Int(size)]) }
}

@Suite("Merkle tree: RFC 6962 known answers")
struct MerkleKnownAnswerTests {
    let vectors: MerkleVectors

    init() throws { vectors = try MerkleVectors.load() }

    @Test func emptyTreeRootIsTheHashOfNothing() throws {
        #expect(MerkleHash.emptyRoot.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(MerkleTree().root == MerkleHash.emptyRoot)
        #expect(try MerkleTree().root(atSize: 0) == MerkleHash.emptyRoot)
        #expect(vectors.rootsBySize[0] == MerkleHash.emptyRoot.hex)
    }

    @Test func leafHashes() throws {
        for (input, expected) in zip(vectors.leafInputs, vectors.leafHashes) {
            #expect(MerkleHash.leaf(try #require(Hex.decode(input))).hex == expected)
        }
    }

    @Test func rootsWhileAppendingOneLeafAtATime() throws {
        var tree = MerkleTree()
        #expect(tree.root.hex == vectors.rootsBySize[0])
        for (index, input) in vectors.leafInputs.enumerated() {
            tree.append(leafData: try #require(Hex.decode(input)))
            #expect(tree.size == UInt64(index + 1))
            #expect(tree.root.hex == vectors.rootsBySize[index + 1], "size \(index + 1)")
        }
    }

    @Test func earlierRootsOfTheFullTree() throws {
        let tree = try vectors.tree()
        for size in 0...8 {
            #expect(try tree.root(atSize: UInt64(size)).hex == vectors.rootsBySize[size], "size \(size)")
        }
    }

    @Test func inclusionProofs() throws {
        let tree = try vectors.tree()
        for vector in vectors.inclusionProofs {
            let proof = try tree.inclusionProof(leafIndex: vector.leafIndex, treeSize: vector.treeSize)
            #expect(proof.map(\.hex) == vector.proof, "leaf \(vector.leafIndex) of \(vector.treeSize)")
            let leaf = try MerkleVectors.hash(vectors.leafHashes[Int(vector.leafIndex)])
            #expect(MerkleTree.verifyInclusion(leafHash: leaf, index: vector.leafIndex, treeSize: vector.treeSize, proof: proof, root: try vectors.root(vector.treeSize)))
        }
    }

    @Test func consistencyProofs() throws {
        let tree = try vectors.tree()
        for vector in vectors.consistencyProofs {
            let proof = try tree.consistencyProof(from: vector.oldSize, to: vector.newSize)
            #expect(proof.map(\.hex) == vector.proof, "\(vector.oldSize) to \(vector.newSize)")
            #expect(MerkleTree.verifyConsistency(
                oldSize: vector.oldSize, newSize: vector.newSize,
                oldRoot: try vectors.root(vector.oldSize), newRoot: try vectors.root(vector.newSize), proof: proof
            ))
        }
    }

    /// The published proofs, taken as given (not regenerated), verify; and fail with any other
    /// index or size nearby.
    @Test func publishedProofsVerifyOnlyForTheirOwnPosition() throws {
        for vector in vectors.inclusionProofs {
            let proof = try vector.proof.map(MerkleVectors.hash)
            let root = try vectors.root(vector.treeSize)
            let leaf = try MerkleVectors.hash(vectors.leafHashes[Int(vector.leafIndex)])
            #expect(MerkleTree.verifyInclusion(leafHash: leaf, index: vector.leafIndex, treeSize: vector.treeSize, proof: proof, root: root))
            #expect(!MerkleTree.verifyInclusion(leafHash: leaf, index: vector.leafIndex + 1, treeSize: vector.treeSize, proof: proof, root: root))
            #expect(!MerkleTree.verifyInclusion(leafHash: leaf, index: vector.leafIndex, treeSize: vector.treeSize * 2, proof: proof, root: root))
        }
        for vector in vectors.consistencyProofs where !vector.proof.isEmpty {
            let proof = try vector.proof.map(MerkleVectors.hash)
            let oldRoot = try vectors.root(vector.oldSize)
            let newRoot = try vectors.root(vector.newSize)
            #expect(MerkleTree.verifyConsistency(oldSize: vector.oldSize, newSize: vector.newSize, oldRoot: oldRoot, newRoot: newRoot, proof: proof))
            #expect(!MerkleTree.verifyConsistency(oldSize: vector.oldSize, newSize: vector.newSize, oldRoot: newRoot, newRoot: oldRoot, proof: proof))
            #expect(!MerkleTree.verifyConsistency(oldSize: vector.oldSize - 1, newSize: vector.newSize, oldRoot: oldRoot, newRoot: newRoot, proof: proof))
        }
    }

    @Test func everyProofOfTheVectorTreeVerifies() throws {
        let tree = try vectors.tree()
        for size in UInt64(1)...8 {
            let root = try vectors.root(size)
            for index in 0..<size {
                let proof = try tree.inclusionProof(leafIndex: index, treeSize: size)
                let leaf = try MerkleVectors.hash(vectors.leafHashes[Int(index)])
                #expect(MerkleTree.verifyInclusion(leafHash: leaf, index: index, treeSize: size, proof: proof, root: root))
            }
            for oldSize in 0...size {
                let proof = try tree.consistencyProof(from: oldSize, to: size)
                #expect(MerkleTree.verifyConsistency(oldSize: oldSize, newSize: size, oldRoot: try vectors.root(oldSize), newRoot: root, proof: proof))
            }
        }
    }
}

@Suite("Merkle tree: edge cases")
struct MerkleEdgeCaseTests {
    let vectors: MerkleVectors
    let tree: MerkleTree

    init() throws {
        vectors = try MerkleVectors.load()
        tree = try vectors.tree()
    }

    @Test func questionsBeyondTheTreeAreRefused() {
        #expect(throws: MerkleTreeError.treeSizeBeyondTree(requested: 9, size: 8)) { try tree.root(atSize: 9) }
        #expect(throws: MerkleTreeError.treeSizeBeyondTree(requested: 9, size: 8)) { try tree.inclusionProof(leafIndex: 0, treeSize: 9) }
        #expect(throws: MerkleTreeError.leafIndexOutOfRange(index: 5, treeSize: 5)) { try tree.inclusionProof(leafIndex: 5, treeSize: 5) }
        #expect(throws: MerkleTreeError.leafIndexOutOfRange(index: 0, treeSize: 0)) { try tree.inclusionProof(leafIndex: 0, treeSize: 0) }
        #expect(throws: MerkleTreeError.treeSizeBeyondTree(requested: 9, size: 8)) { try tree.consistencyProof(from: 1, to: 9) }
        #expect(throws: MerkleTreeError.oldSizeAboveNewSize(oldSize: 5, newSize: 4)) { try tree.consistencyProof(from: 5, to: 4) }
        #expect(throws: MerkleTreeError.leafIndexOutOfRange(index: 8, treeSize: 8)) { try tree.leafHash(at: 8) }
    }

    @Test func errorsDescribeThemselves() {
        #expect(MerkleTreeError.oldSizeAboveNewSize(oldSize: 5, newSize: 4).description == "old tree size 5 is above the new tree size 4")
    }

    @Test func leafHashesAreKept() throws {
        for index in 0..<8 {
            #expect(try tree.leafHash(at: UInt64(index)).hex == vectors.leafHashes[index])
        }
        #expect(MerkleTree(leafHashes: try vectors.leafHashes.map(MerkleVectors.hash)) == tree)
    }

    @Test func inclusionNeedsAnIndexInsideTheTree() throws {
        let leaf = try MerkleVectors.hash(vectors.leafHashes[0])
        #expect(!MerkleTree.verifyInclusion(leafHash: leaf, index: 0, treeSize: 0, proof: [], root: MerkleHash.emptyRoot))
        #expect(!MerkleTree.verifyInclusion(leafHash: leaf, index: 1, treeSize: 1, proof: [], root: leaf))
        #expect(MerkleTree.verifyInclusion(leafHash: leaf, index: 0, treeSize: 1, proof: [], root: leaf))
        #expect(!MerkleTree.verifyInclusion(leafHash: leaf, index: 0, treeSize: 1, proof: [leaf], root: leaf))
    }

    @Test func consistencyEdgeCases() throws {
        let empty = MerkleHash.emptyRoot
        let root1 = try vectors.root(1)
        let root2 = try vectors.root(2)
        // Equal sizes: an empty proof and the same root.
        #expect(MerkleTree.verifyConsistency(oldSize: 2, newSize: 2, oldRoot: root2, newRoot: root2, proof: []))
        #expect(!MerkleTree.verifyConsistency(oldSize: 2, newSize: 2, oldRoot: root1, newRoot: root2, proof: []))
        #expect(!MerkleTree.verifyConsistency(oldSize: 2, newSize: 2, oldRoot: root2, newRoot: root2, proof: [root2]))
        // From nothing: an empty proof, and the old root must be the empty tree's.
        #expect(MerkleTree.verifyConsistency(oldSize: 0, newSize: 2, oldRoot: empty, newRoot: root2, proof: []))
        #expect(!MerkleTree.verifyConsistency(oldSize: 0, newSize: 2, oldRoot: root1, newRoot: root2, proof: []))
        #expect(!MerkleTree.verifyConsistency(oldSize: 0, newSize: 2, oldRoot: empty, newRoot: root2, proof: [empty]))
        // Backwards, or a real step with no proof.
        #expect(!MerkleTree.verifyConsistency(oldSize: 2, newSize: 1, oldRoot: root2, newRoot: root1, proof: []))
        #expect(!MerkleTree.verifyConsistency(oldSize: 1, newSize: 2, oldRoot: root1, newRoot: root2, proof: []))
    }
}
