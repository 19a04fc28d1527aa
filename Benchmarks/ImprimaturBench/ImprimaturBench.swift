/// `make bench`: prints the figures each issue asks for. Benchmarks print; they never assert
/// a speed (a test that times itself is flaky and proves nothing on another machine).
@main
struct ImprimaturBench {
    static func main() async throws {
        print("Imprimatur benchmarks (release build, this machine)")
        try ProtocolBenchmarks.run()
        try AgentStoreBenchmarks.run()
        try await AgentBenchmarks.run()
    }
}
