// swift-tools-version:6.2
import PackageDescription

let strictSwift: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Vitals",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "HealthChecks", targets: ["HealthChecks"]),
        .library(name: "HealthProbes", targets: ["HealthProbes"]),
        .executable(name: "vitals", targets: ["vitals"]),
        .executable(name: "vitals-bench", targets: ["VitalsBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.0.0"),
    ],
    targets: [
        // Domain: the health-check engine. No networking, no server.
        .target(
            name: "HealthChecks",
            dependencies: [
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        // Domain: the Nacos-compatible naming registry. No HTTP, no SQL.
        .target(
            name: "Registry",
            dependencies: [
                "HealthChecks",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        // Domain: users, password hashes, access tokens and namespace permissions. No HTTP, no SQL.
        .target(
            name: "Auth",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strictSwift
        ),
        // Adapter: the registry's and auth's persistent data in SQLite.
        .target(
            name: "SQLiteStore",
            dependencies: ["Registry", "Auth", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSwift
        ),
        // Built-in network checks (HTTP, TCP, DNS) on SwiftNIO channels.
        .target(
            name: "HealthProbes",
            dependencies: [
                "HealthChecks",
                "GRPCHealthWire",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strictSwift
        ),
        // Adapter: AvalancheGo-style /ext/health, JSON-RPC, /livez, /readyz over Hummingbird.
        .target(
            name: "NodeHealthAPI",
            dependencies: [
                "HealthChecks",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strictSwift
        ),
        // Nacos wire shapes shared by the HTTP and gRPC adapters (ServiceInfo JSON, a byte JSON writer).
        .target(
            name: "NacosWire",
            dependencies: ["Registry"],
            swiftSettings: strictSwift
        ),
        // Generated protobuf/gRPC code (scripts/generate-protos), committed, never regenerated by builds.
        .target(
            name: "NacosGRPCWire",
            dependencies: [
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .target(
            name: "GRPCHealthWire",
            dependencies: [
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Adapter: the Nacos 2.x gRPC protocol (requests, bi-stream, push) over grpc-swift.
        .target(
            name: "NacosGRPC",
            dependencies: [
                "Registry", "Auth", "NacosWire", "NacosGRPCWire",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        // Adapter: grpc.health.v1 for the server and every registry service.
        .target(
            name: "GRPCHealth",
            dependencies: [
                "Registry", "GRPCHealthWire",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        // Adapter: the Nacos naming Open API (v1, v2) over Hummingbird.
        .target(
            name: "NacosHTTP",
            dependencies: ["Registry", "Auth", "NacosWire", .product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: strictSwift
        ),
        // Composition root: configuration, lifecycle, routing, the server's own checks.
        .target(
            name: "VitalsServer",
            dependencies: [
                "Auth",
                "HealthChecks",
                "HealthProbes",
                "NodeHealthAPI",
                "Registry",
                "NacosHTTP",
                "NacosGRPC",
                "GRPCHealth",
                "SQLiteStore",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "vitals",
            dependencies: [
                "VitalsServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "VitalsBench",
            dependencies: [
                "HealthChecks",
                "HealthProbes",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "HealthProbes",
                "GRPCHealthWire",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "AuthTests",
            dependencies: ["Auth", "SQLiteStore"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "SQLiteStoreTests",
            dependencies: ["SQLiteStore", "Registry", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "RegistryTests",
            dependencies: ["Registry", "HealthChecks"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "HealthChecksTests",
            dependencies: ["HealthChecks"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "HealthProbesTests",
            dependencies: ["HealthProbes", "TestSupport"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "NodeHealthAPITests",
            dependencies: ["NodeHealthAPI", "HealthChecks"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "NacosHTTPTests",
            dependencies: ["NacosHTTP", "NacosWire", "Registry"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "VitalsServerTests",
            dependencies: [
                "VitalsServer", "TestSupport", "HealthProbes", .product(name: "NIOHTTP1", package: "swift-nio"),
                "Registry", .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSwift
        ),
    ]
)
