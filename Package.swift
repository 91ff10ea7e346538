// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "soalloc",
    products: [
        .executable(name: "soalloc", targets: ["soalloc"]),
        .library(name: "SOAllocCore", targets: ["SOAllocCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibCSV",
            path: "Sources/CLibCSV",
            providers: [.apt(["libcsv-dev"])]
        ),
        .target(
            name: "SOAllocCore",
            dependencies: ["CLibCSV"]
        ),
        .executableTarget(
            name: "soalloc",
            dependencies: [
                "SOAllocCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "SOAllocCoreTests", dependencies: ["SOAllocCore"]),
        .testTarget(name: "soallocTests", dependencies: ["soalloc"]),
    ]
)
