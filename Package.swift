// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "lake",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lake", targets: ["lake"]),
        .library(name: "Columnar", targets: ["Columnar"]),
        .library(name: "Parquet", targets: ["Parquet"]),
        .library(name: "DataFrame", targets: ["DataFrame"]),
        .library(name: "ObjectStore", targets: ["ObjectStore"]),
        .library(name: "DeltaLog", targets: ["DeltaLog"]),
        .library(name: "Lake", targets: ["Lake"]),
        .library(name: "LakeServer", targets: ["LakeServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
    ],
    targets: [
        // System compression libraries used by the Parquet codecs (Debian -dev packages).
        .systemLibrary(name: "CCompression", path: "Sources/CCompression"),
        // libcurl and OpenSSL libcrypto for S3Store: HTTP and SigV4 request signing (Debian -dev packages).
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto"),
        .target(name: "CAllocator"),
        .target(name: "Columnar"),
        .target(name: "Parquet", dependencies: ["Columnar", "CCompression"]),
        .target(name: "DataFrame", dependencies: ["Columnar", "Parquet"]),
        .target(name: "ObjectStore", dependencies: ["CCurl", "CCrypto"]),
        .target(name: "DeltaLog", dependencies: ["Columnar", "Parquet", "DataFrame", "ObjectStore"]),
        .target(name: "Lake", dependencies: ["Columnar", "Parquet", "DataFrame", "ObjectStore", "DeltaLog"]),
        // The HTTP service: thin adapters from Hummingbird routes to Lake operations.
        .target(
            name: "LakeServer",
            dependencies: [
                "Columnar", "DataFrame", "DeltaLog", "Lake", "Parquet",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "lake",
            dependencies: [
                "CAllocator", "Columnar", "Parquet", "DataFrame", "ObjectStore", "DeltaLog", "Lake", "LakeServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "ColumnarTests", dependencies: ["Columnar"]),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet", "Columnar"]),
        .testTarget(name: "DataFrameTests", dependencies: ["DataFrame", "Columnar", "Parquet"]),
        .testTarget(name: "ObjectStoreTests", dependencies: ["ObjectStore"]),
        .testTarget(name: "DeltaLogTests", dependencies: ["DeltaLog", "ObjectStore", "Columnar"]),
        .testTarget(
            name: "LakeServerTests",
            dependencies: [
                "LakeServer", "Lake", "DeltaLog", "Columnar",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "LakeTests", dependencies: ["Lake", "DeltaLog", "ObjectStore", "DataFrame", "Columnar"]),
    ],
    swiftLanguageModes: [.v6]
)
