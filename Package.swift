// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "daxkit",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "DaxCore", targets: ["DaxCore"]),
        .library(name: "NDCtl", targets: ["NDCtl"]),
        .library(name: "DAXMemory", targets: ["DAXMemory"]),
        .library(name: "DaxKit", targets: ["DaxKit"]),
        .executable(name: "daxkit", targets: ["daxkit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // What every module shares: the one error, byte counts and the size parser,
        // the sysfs/procfs reader and system-call funnel, the JSON writer.
        .target(
            name: "DaxCore",
            dependencies: [.product(name: "SystemPackage", package: "swift-system")]
        ),
        .systemLibrary(
            name: "CNDCtl",
            pkgConfig: "libndctl libdaxctl",
            providers: [.apt(["libndctl-dev", "libdaxctl-dev"])]
        ),
        .systemLibrary(
            name: "CKmod",
            pkgConfig: "libkmod",
            providers: [.apt(["libkmod-dev"])]
        ),
        // Waiting for device nodes (udev monitor) without sleeping.
        .systemLibrary(
            name: "CUdev",
            pkgConfig: "libudev",
            providers: [.apt(["libudev-dev"])]
        ),
        .target(
            name: "NDCtl",
            dependencies: [
                "CNDCtl",
                "DaxCore",
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .target(
            name: "DAXMemory",
            dependencies: ["DaxCore", .product(name: "SystemPackage", package: "swift-system")]
        ),
        .target(
            name: "DaxKit",
            dependencies: ["CKmod", "CUdev", "DaxCore", "DAXMemory", "NDCtl", .product(name: "Yams", package: "Yams")]
        ),
        .executableTarget(
            name: "daxkit",
            dependencies: [
                "DaxCore",
                "DaxKit",
                "DAXMemory",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmarks that need no lab (scripts/bench plan): built on demand with
        // `swift build -c release --product daxkit-bench`; not shipped (scripts/package
        // takes only the daxkit product).
        .executableTarget(name: "daxkit-bench", dependencies: ["DaxCore", "DaxKit"]),
        .testTarget(name: "DaxCoreTests", dependencies: ["DaxCore"]),
        .testTarget(name: "DaxKitTests", dependencies: ["DaxCore", "DaxKit", "NDCtl"], exclude: ["Fixtures"]),
        .testTarget(name: "DAXMemoryTests", dependencies: ["DaxCore", "DAXMemory"]),
        .testTarget(name: "IntegrationTests", dependencies: ["DaxCore", "DaxKit", "NDCtl", "DAXMemory"]),
    ],
    swiftLanguageModes: [.v6]
)
// DaxKit imports Yams, and Yams imports Foundation: without MemberImportVisibility,
// Foundation's String methods (contains, range(of:), padding) win overload resolution
// in every DaxKit and daxkit file that never imported Foundation, and they go through
// CFString and ICU (240 `contains` calls of one provision apply cost 7.5M instructions,
// an eighth of all it ran). With it, a file sees the members of what it
// imports: the standard library's.
for t in package.targets where ["DaxKit", "daxkit"].contains(t.name) {
    t.swiftSettings = (t.swiftSettings ?? []) + [.enableUpcomingFeature("MemberImportVisibility")]
}

