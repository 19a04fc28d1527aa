// swift-tools-version:6.0
// Imprimatur: device agent, central server, shared protocol and simulated devices.
// Layout and choices: ../shared/DESIGN.md and docs/architecture.md.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Imprimatur",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "imprimatur-server", targets: ["ImprimaturServer"]),
        .executable(name: "imprimatur-agent", targets: ["ImprimaturAgent"]),
        .executable(name: "firmware-sim", targets: ["FirmwareSim"]),
        .executable(name: "imprimatur-bench", targets: ["ImprimaturBench"]),
        .executable(name: "fuzz-uplink-frame", targets: ["FuzzUplinkFrame"]),
        .executable(name: "fuzz-seal-frame", targets: ["FuzzSealFrame"]),
        .executable(name: "fuzz-grant", targets: ["FuzzGrant"]),
        .executable(name: "fuzz-firmware-image", targets: ["FuzzFirmwareImage"]),
        .executable(name: "fuzz-copier-modbus", targets: ["FuzzCopierModbus"]),
        .executable(name: "fuzz-seal-usb", targets: ["FuzzSealUSB"]),
        .executable(name: "fuzz-agent-config", targets: ["FuzzAgentConfig"]),
        .executable(name: "fuzz-bill", targets: ["FuzzBill"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.20.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.10.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.30.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.20.0"),
        // The web pages' templates (issue 7).
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // Pure: wire frames, grants, events and their chain, Merkle proofs, Modbus map, seal frames.
        .target(
            name: "Protocol",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // Thin wrappers over system C libraries; errno and return codes become Swift errors
        // in the module that imports them, nowhere else.
        .systemLibrary(
            name: "CModbus",
            pkgConfig: "libmodbus",
            providers: [.apt(["libmodbus-dev"])]
        ),
        .systemLibrary(
            name: "CLibUSB",
            pkgConfig: "libusb-1.0",
            providers: [.apt(["libusb-1.0-0-dev"])]
        ),
        .systemLibrary(
            name: "CUMockdev",
            pkgConfig: "umockdev-1.0",
            providers: [.apt(["libumockdev-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // libmodbus as Swift: a client for the agent, a server for the simulated copier.
        .target(name: "ModbusIO", dependencies: ["CModbus"], swiftSettings: strict),
        // Line protocols over loopback TCP or Unix sockets: the copier's panel, the agent's local API.
        .target(name: "LineIO", swiftSettings: strict),
        // Generated pictures: the simulated camera's photos and the simulated copier's scans.
        .target(name: "Imaging", dependencies: ["CZlib"], swiftSettings: strict),
        // agent.toml parsed and checked (pure): apart from DeviceAgent so that the config fuzzer
        // links it without the agent's TLS, SQLite and HTTP stacks. DeviceAgent re-exports it.
        .target(name: "AgentConfiguration", dependencies: ["Protocol", "ModbusIO", "LineIO"], swiftSettings: strict),
        .target(
            name: "DeviceAgent",
            dependencies: [
                "Protocol", "ModbusIO", "Imaging", "LineIO", "CModbus", "CLibUSB", "AgentConfiguration",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "CentralServer",
            dependencies: [
                "Protocol",
                // The demo history's scanned pages (Web/Demo).
                "Imaging",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                // The connection guard sits in the HTTP/1 pipeline (HTTP/Guard).
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                // The webhook's outbound POSTs (already a dependency of the agent).
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // The web pages (Web/): templates in the target's resources.
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("Web/Templates"), .copy("Web/Static")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "ImprimaturServer",
            dependencies: [
                "CentralServer",
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "ImprimaturAgent",
            dependencies: [
                "DeviceAgent",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // A simulated device's A/B firmware slots: boot record, trial and rollback, transfer
        // into the spare slot (docs/firmware.md). Shared by the copier and the seal simulators.
        .target(
            name: "FirmwareSlots",
            dependencies: ["Protocol"],
            path: "firmware-sim/Sources/FirmwareSlots",
            swiftSettings: strict
        ),
        // The simulated copier controller: the Modbus map's rules, its memory, scans, front panel.
        .target(
            name: "CopierSimulator",
            dependencies: ["Protocol", "ModbusIO", "Imaging", "LineIO", "FirmwareSlots"],
            path: "firmware-sim/Sources/CopierSimulator",
            swiftSettings: strict
        ),
        // The simulated seal: its firmware (pure), its memory, and the umockdev USB device.
        .target(
            name: "CSealUSB",
            dependencies: ["CUMockdev"],
            path: "firmware-sim/Sources/CSealUSB"
        ),
        .target(
            name: "SealSimulator",
            dependencies: ["Protocol", "LineIO", "CSealUSB", "CUMockdev", "FirmwareSlots"],
            path: "firmware-sim/Sources/SealSimulator",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "FirmwareSim",
            dependencies: [
                "Protocol", "ModbusIO", "Imaging", "LineIO", "CopierSimulator", "SealSimulator", "FirmwareSlots",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "firmware-sim/Sources/FirmwareSim",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "ImprimaturBench",
            dependencies: [
                "Protocol", "DeviceAgent", "ModbusIO", "CopierSimulator", "LineIO", "TestSupport", "CentralServer",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/ImprimaturBench",
            swiftSettings: strict
        ),
        // libFuzzer entry points; built only by `make fuzz` (-sanitize=fuzzer -parse-as-library).
        .executableTarget(name: "FuzzUplinkFrame", dependencies: ["Protocol"], path: "Fuzz/FuzzUplinkFrame"),
        .executableTarget(name: "FuzzSealFrame", dependencies: ["Protocol"], path: "Fuzz/FuzzSealFrame"),
        .executableTarget(name: "FuzzGrant", dependencies: ["Protocol"], path: "Fuzz/FuzzGrant"),
        .executableTarget(name: "FuzzFirmwareImage", dependencies: ["Protocol", "FirmwareSlots"], path: "Fuzz/FuzzFirmwareImage"),
        .executableTarget(name: "FuzzCopierModbus", dependencies: ["CopierSimulator", "ModbusIO", "Protocol"], path: "Fuzz/FuzzCopierModbus"),
        .executableTarget(name: "FuzzSealUSB", dependencies: ["SealSimulator", "Protocol"], path: "Fuzz/FuzzSealUSB"),
        .executableTarget(name: "FuzzAgentConfig", dependencies: ["AgentConfiguration"], path: "Fuzz/FuzzAgentConfig"),
        .executableTarget(name: "FuzzBill", dependencies: ["Protocol"], path: "Fuzz/FuzzBill"),
        .testTarget(
            name: "ProtocolTests",
            dependencies: ["Protocol", "TestSupport", .product(name: "Crypto", package: "swift-crypto")],
            resources: [.copy("Vectors")],
            swiftSettings: strict
        ),
        // Helpers shared by test targets and benchmarks (pty pairs, process runners, temp dirs).
        .target(name: "CPty"),
        .target(name: "TestSupport", dependencies: ["CPty"], swiftSettings: strict),
        .testTarget(name: "ModbusIOTests", dependencies: ["ModbusIO", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"], swiftSettings: strict),
        .testTarget(name: "FirmwareSlotsTests", dependencies: ["FirmwareSlots", "Protocol", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "CopierSimulatorTests",
            dependencies: ["CopierSimulator", "TestSupport", "ModbusIO", "LineIO"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SealSimulatorTests",
            dependencies: ["SealSimulator", "FirmwareSlots", "Protocol", "TestSupport", "LineIO", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // Tests that talk to the simulated seal over libusb: run under umockdev-wrapper by
        // scripts/test.sh (skipped otherwise).
        .testTarget(
            name: "SealUSBTests",
            dependencies: ["DeviceAgent", "Protocol", "TestSupport", "LineIO"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CentralServerTests",
            dependencies: [
                "CentralServer", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The seal reports' golden files, read by path (#filePath).
            exclude: ["Golden"],
            swiftSettings: strict
        ),
        // Whole system, real processes: server, agent and simulators on loopback.
        .testTarget(
            name: "SystemTests",
            dependencies: [
                "CentralServer", "DeviceAgent", "Protocol", "TestSupport", "ModbusIO",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DeviceAgentTests",
            dependencies: ["DeviceAgent", "TestSupport", "LineIO"],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
