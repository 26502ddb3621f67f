// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "daxkit",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "NDCtl", targets: ["NDCtl"]),
        .library(name: "DAXMemory", targets: ["DAXMemory"]),
        .library(name: "DaxKit", targets: ["DaxKit"]),
        .executable(name: "daxkit", targets: ["daxkit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CNDCtl",
            pkgConfig: "libndctl libdaxctl",
            providers: [.apt(["libndctl-dev", "libdaxctl-dev"])]
        ),
        .target(
            name: "NDCtl",
            dependencies: [
                "CNDCtl",
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .target(
            name: "DAXMemory",
            dependencies: [.product(name: "SystemPackage", package: "swift-system")]
        ),
        .target(
            name: "DaxKit",
            dependencies: ["NDCtl"]
        ),
        .executableTarget(
            name: "daxkit",
            dependencies: [
                "DaxKit",
                "DAXMemory",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "DaxKitTests", dependencies: ["DaxKit"]),
        .testTarget(name: "DAXMemoryTests", dependencies: ["DAXMemory"]),
        .testTarget(name: "IntegrationTests", dependencies: ["DaxKit", "NDCtl", "DAXMemory"]),
    ],
    swiftLanguageModes: [.v6]
)
