import Crypto
import Foundation
import Protocol

/// Figures for the Protocol module: grants, frames, Merkle tree (issue 2's `make bench` list).
enum ProtocolBenchmarks {
    static func run() throws {
        print("== Protocol")
        try grants()
        try frames()
        try merkle()
    }

    static func grants() throws {
        let key = try SigningKey(seed: Array(repeating: 1, count: 32))
        let device = try DeviceID("copier-1")
        let now = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)
        var generator = SystemRandomNumberGenerator()
        let claims = try GrantClaims(
            grantID: GrantID.random(using: &generator), keyID: key.keyID, deviceID: device,
            subject: try UserID("alice"), resourceID: try ResourceID("copier-1"), resourceType: .copier,
            allowance: .copier(pages: 50, copies: 10, colourAllowed: true),
            issuedAt: now, notBefore: now, expires: now.adding(seconds: 300)
        )
        let token = SignedGrant.sign(claims, with: key).wireBytes()
        let message = Array(token.prefix(token.count - 64))
        let rawKey = try Curve25519.Signing.PublicKey(rawRepresentation: key.publicKey.bytes)
        let rawSignature = Array(token.suffix(64))

        let signs = rate { _ = SignedGrant.sign(claims, with: key) }
        report("grant sign", signs, "grants/s", note: "anchor: Ed25519 ~70k signs/s on one core")
        let rawVerifies = rate { _ = rawKey.isValidSignature(rawSignature, for: message) }
        report("raw Ed25519 verify (same bytes)", rawVerifies, "verifies/s", note: "anchor ~15k/s")
        let verifier = GrantVerifier(trustedKeys: TrustedKeys([TrustedKey(key.publicKey)]), deviceID: device)
        let used = Set<GrantID>()
        let revocations = RevocationState()
        var accepted = 0
        let verifies = rate {
            if case .accepted = verifier.verify(grantToken: token, at: now, usedGrantIDs: used, revocations: revocations) { accepted += 1 }
        }
        precondition(accepted > 0, "the benchmark grant must verify")
        report("grant verify (decode + all checks)", verifies, "verifies/s",
               note: String(format: "%.0f%% of raw verify", 100 * verifies / rawVerifies))
    }

    static func frames() throws {
        let device = try DeviceID("copier-1")
        // A batch of 100 realistic events, each about 100 bytes encoded.
        var previous = Hash32.zero
        var events: [[UInt8]] = []
        for sequence in 1...100 {
            let event = try Event(
                deviceID: device, sequence: UInt64(sequence), previousHash: previous,
                time: Timestamp(millisecondsSinceEpoch: 1_800_000_000_000 + Int64(sequence)),
                body: .fault(try FaultEvent(component: "copier", code: UInt32(sequence), message: "paper jam in tray 2, cleared by the operator"))
            )
            previous = event.hash
            events.append(event.wireBytes())
        }
        let batch = UplinkFrame(.eventBatch(try UplinkMessage.EventBatch(firstSequence: 1, events: events)), requestID: 7)
        let encoded = batch.encode()
        let encodes = rate { _ = batch.encode() }
        report("event-batch frame encode (\(encoded.count) B)", encodes, "frames/s",
               note: String(format: "%.0f MB/s", encodes * Double(encoded.count) / 1e6))
        let decodes = rate {
            var decoder = UplinkFrameDecoder()
            decoder.append(encoded)
            _ = try! decoder.next()
        }
        report("event-batch frame decode", decodes, "frames/s",
               note: String(format: "%.0f MB/s", decodes * Double(encoded.count) / 1e6))

        let ping = UplinkFrame(.ping(UplinkMessage.Ping(nonce: 1, senderTime: Timestamp(millisecondsSinceEpoch: 0))))
        let small = ping.encode()
        let stream = Array((0..<1000).map { _ in small }.joined())
        let smallDecodes = rate(operationsPerCall: 1000) {
            var decoder = UplinkFrameDecoder()
            decoder.append(stream)
            while (try? decoder.next()) != nil {}
        }
        report("small frame decode, streamed (\(small.count) B each)", smallDecodes, "frames/s",
               note: String(format: "%.0f MB/s", smallDecodes * Double(small.count) / 1e6))
        let sha = rate(operationsPerCall: 1) { _ = Hash32.sha256(encoded) }
        report("SHA-256 of that batch", sha * Double(encoded.count) / 1e6, "MB/s", note: "anchor ~1.4 GB/s")
    }

    static func merkle() throws {
        let leaves = 1_000_000
        let leafHashes = (0..<leaves).map { MerkleHash.leaf(withUnsafeBytes(of: UInt64($0).bigEndian) { Array($0) }) }
        var tree = MerkleTree()
        let appendTime = time {
            for hash in leafHashes { tree.append(leafHash: hash) }
        }
        report("Merkle append (10^6 leaves)", Double(leaves) / appendTime.seconds, "appends/s")
        let root = tree.root
        var proofSizes: [Int] = []
        var generator = SystemRandomNumberGenerator()
        let proofCount = 2000
        let proofTime = time {
            for _ in 0..<proofCount {
                let index = UInt64.random(in: 0..<UInt64(leaves), using: &generator)
                let proof = try! tree.inclusionProof(leafIndex: index, treeSize: UInt64(leaves))
                proofSizes.append(proof.count * Hash32.byteCount)
                precondition(MerkleTree.verifyInclusion(leafHash: leafHashes[Int(index)], index: index, treeSize: UInt64(leaves), proof: proof, root: root))
            }
        }
        report("inclusion proof at 10^6 leaves", Double(proofSizes.max() ?? 0), "bytes (max)",
               note: "\((proofSizes.max() ?? 0) / 32) hashes")
        report("inclusion proof make + verify", Double(proofCount) / proofTime.seconds, "proofs/s")
    }
}
