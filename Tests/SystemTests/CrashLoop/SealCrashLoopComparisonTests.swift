import Testing

/// The seal crash loop's counting: each fault it is for shows in its own figure.
@Suite struct SealCrashLoopComparisonTests {
    let seal = [SealCrashLoopApplication(id: "a", approved: 3, stamped: 2), SealCrashLoopApplication(id: "b", approved: 1, stamped: 0)]

    @Test func eachStampOnceIsClean() {
        #expect(SealCrashLoopComparison(seal: seal, server: ["a": SealServerCount(usesMade: 2, useNumbers: [1, 2], flagged: 0)]).clean)
    }

    @Test func aStampTheServerNeverCountedIsLost() {
        let result = SealCrashLoopComparison(seal: seal, server: ["a": SealServerCount(usesMade: 1, useNumbers: [1], flagged: 0)])
        #expect(result == { var r = SealCrashLoopComparison(); r.lost = 1; return r }())
    }

    @Test func aStampCountedTwiceIsDuplicated() {
        let result = SealCrashLoopComparison(seal: seal, server: ["a": SealServerCount(usesMade: 3, useNumbers: [1, 2, 3], flagged: 0)])
        #expect(result == { var r = SealCrashLoopComparison(); r.duplicated = 1; return r }())
    }

    @Test func usesPastTheApprovedCountAreCountedAndFlaggedRecordsMismatch() {
        let over = [SealCrashLoopApplication(id: "a", approved: 2, stamped: 3)]
        let result = SealCrashLoopComparison(seal: over, server: ["a": SealServerCount(usesMade: 3, useNumbers: [1, 2, 3], flagged: 1)])
        #expect(result == { var r = SealCrashLoopComparison(); r.usesOverApproved = 1; r.mismatched = 1; return r }())
    }

    @Test func recordsNumberedOutOfTurnMismatch() {
        let result = SealCrashLoopComparison(seal: seal, server: ["a": SealServerCount(usesMade: 2, useNumbers: [1, 1], flagged: 0)])
        #expect(result == { var r = SealCrashLoopComparison(); r.mismatched = 1; return r }())
    }
}
