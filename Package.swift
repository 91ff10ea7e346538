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
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibCSV",
            path: "Sources/CLibCSV",
            providers: [.apt(["libcsv-dev"])]
        ),
        .systemLibrary(
            name: "CXLSXWriter",
            path: "Sources/CXLSXWriter",
            providers: [.apt(["libxlsxwriter-dev"])]
        ),
        .target(
            name: "SOAllocCore",
            dependencies: [
                "CLibCSV",
                "CXLSXWriter",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [
                // ILR code lists (2018-19, with validity dates), compiled into the binary.
                .embedInCode("Codes/domicile.csv"),
                .embedInCode("Codes/mstufee.csv"),
                .embedInCode("Codes/qualent3.csv"),
            ]
        ),
        .executableTarget(
            name: "soalloc",
            dependencies: [
                "SOAllocCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The fuzz target of scripts/fuzz; built normally, it replays inputs.
        .executableTarget(name: "soalloc-fuzz", dependencies: ["SOAllocCore"]),
        .testTarget(name: "SOAllocCoreTests", dependencies: ["SOAllocCore"]),
        .testTarget(name: "soallocTests", dependencies: ["soalloc"]),
    ]
)
