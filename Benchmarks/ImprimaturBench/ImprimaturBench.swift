/// `make bench`: prints the figures each issue asks for. Benchmarks print; they never assert
/// a speed (a test that times itself is flaky and proves nothing on another machine).
@main
struct ImprimaturBench {
    static func run() throws {
        print("Imprimatur benchmarks (release build, one process, this machine)")
        try ProtocolBenchmarks.run()
        try AgentStoreBenchmarks.run()
    }

    static func main() throws { try run() }
}
