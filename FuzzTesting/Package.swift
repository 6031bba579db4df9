// swift-tools-version: 6.1
import PackageDescription

/// libFuzzer targets for mpcl's untrusted-input parsers. Build only with the sanitizer flags
/// (`run.sh` does it): `swift build -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library`.
/// Each executable defines `LLVMFuzzerTestOneInput`; libFuzzer supplies `main`.
///
/// `FuzzRequestBody` fuzzes the reference predict-body decoder in `FuzzSupport` by default; define
/// `SERVICE_DECODER` (one line below) to fuzz MPCLService's own decoder instead.
let serviceDecoder: [SwiftSetting] = [
    // .define("SERVICE_DECODER"),
]

let package = Package(
    name: "FuzzTesting",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "mpcl", path: "..")
    ],
    targets: [
        .target(name: "CFuzzDriver"),
        .target(
            name: "FuzzSupport",
            dependencies: [
                .product(name: "HTTP1", package: "mpcl"),
                .product(name: "JSON", package: "mpcl"),
                .product(name: "MPCL", package: "mpcl"),
                .product(name: "MPCLService", package: "mpcl"),
            ],
            swiftSettings: serviceDecoder),
        .executableTarget(
            name: "FuzzHTTPParser",
            dependencies: ["FuzzSupport", "CFuzzDriver", .product(name: "HTTP1", package: "mpcl")]),
        .executableTarget(
            name: "FuzzRequestBody",
            dependencies: [
                "FuzzSupport", "CFuzzDriver",
                .product(name: "JSON", package: "mpcl"),
                .product(name: "MPCL", package: "mpcl"),
            ],
            swiftSettings: serviceDecoder),
    ],
    swiftLanguageModes: [.v5]
)
