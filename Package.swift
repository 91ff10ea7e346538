// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "soalloc",
    products: [
        .executable(name: "soalloc", targets: ["soalloc"]),
        .library(name: "SOAllocRules", targets: ["SOAllocRules"]),
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
        .systemLibrary(
            name: "CZip",
            path: "Sources/CZip",
            pkgConfig: "libzip",
            providers: [.apt(["libzip-dev"])]
        ),
        .systemLibrary(
            name: "CLibXML2",
            path: "Sources/CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // The technical document's rules as data: values, slots, conditions,
        // rules, the derivation program and the explainer. No I/O.
        .target(name: "SOAllocRules"),
        // Reading, the pipeline, aggregation, the method and the outputs.
        .target(
            name: "SOAllocCore",
            dependencies: [
                "SOAllocRules",
                "CLibCSV",
                "CXLSXWriter",
                "CZip",
                "CLibXML2",
                "CZlib",
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
        .executableTarget(name: "soalloc-fuzz", dependencies: ["SOAllocRules", "SOAllocCore"]),
        .testTarget(name: "SOAllocCoreTests", dependencies: ["SOAllocRules", "SOAllocCore"]),
        .testTarget(name: "soallocTests", dependencies: ["soalloc"]),
    ]
)
