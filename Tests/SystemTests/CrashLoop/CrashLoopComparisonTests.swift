import Testing

/// The crash loop's counting: each fault it is for shows in its own figure.
@Suite struct CrashLoopComparisonTests {
    let copier = [CrashLoopJob(user: "alice", pages: 4), CrashLoopJob(user: "alice", pages: 4), CrashLoopJob(user: "bob", pages: 7)]

    @Test func theSameJobsInAnotherOrderAreClean() {
        #expect(CrashLoopComparison(copier: copier, server: copier.reversed()).clean)
    }

    @Test func aJobNeverChargedIsLost() {
        let result = CrashLoopComparison(copier: copier, server: Array(copier.dropFirst()))
        #expect(result == { var r = CrashLoopComparison(); r.lost = 1; return r }())
    }

    @Test func aJobChargedTwiceIsDuplicated() {
        let result = CrashLoopComparison(copier: copier, server: copier + [copier[2]])
        #expect(result == { var r = CrashLoopComparison(); r.duplicated = 1; return r }())
    }

    @Test func aJobChargedToAnotherPersonOrForOtherPagesIsMismatched() {
        let server = [CrashLoopJob(user: "bob", pages: 4), CrashLoopJob(user: "alice", pages: 4), CrashLoopJob(user: "bob", pages: 6)]
        #expect(CrashLoopComparison(copier: copier, server: server) == { var r = CrashLoopComparison(); r.mismatched = 2; return r }())
    }

    @Test func jobsOfNoPagesAreLeftOut() {
        #expect(CrashLoopComparison(copier: copier + [CrashLoopJob(user: "bob", pages: 0)], server: copier).clean)
    }
}
