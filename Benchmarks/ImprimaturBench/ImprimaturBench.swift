/// `make bench`: prints the figures each issue asks for. Benchmarks print; they never assert
/// a speed (a test that times itself is flaky and proves nothing on another machine).
/// `imprimatur-bench protocol agent-store agent server bills web firmware` runs only the sections named;
/// `seal` runs only when named, under umockdev-wrapper (with the seal's flash throughput).
@main
struct ImprimaturBench {
    static func main() async throws {
        let chosen = Set(CommandLine.arguments.dropFirst())
        func wanted(_ section: String) -> Bool { chosen.isEmpty || chosen.contains(section) }
        print("Imprimatur benchmarks (release build, this machine)")
        if wanted("protocol") { try ProtocolBenchmarks.run() }
        if wanted("agent-store") { try AgentStoreBenchmarks.run() }
        if wanted("agent") { try await AgentBenchmarks.run() }
        if wanted("server") { try await ServerBenchmarks.run() }
        // Needs umockdev's preload: `make bench` runs it alone under umockdev-wrapper.
        if chosen.contains("seal") { try await SealBenchmarks.run() }
        if wanted("bills") { try BillBenchmarks.run() }
        if wanted("firmware") { try await FirmwareBenchmarks.copier() }
        if wanted("web") { try WebBenchmarks.run() }
    }
}
