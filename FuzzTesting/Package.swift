// swift-tools-version: 6.1
import Foundation
import PackageDescription

/// libFuzzer targets for mpcl's untrusted-input parsers. Build only with the sanitizer flags
/// (`run.sh` does it): `swift build -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library`.
/// Each executable defines `LLVMFuzzerTestOneInput`; libFuzzer supplies `main`.
///
/// `FuzzRequestBody` fuzzes MPCLService's own `/predict` body decoder (and checks it against the
/// reference decoder in FuzzSupport) as soon as the root package has one; before that, or with
/// `FUZZ_REFERENCE_DECODER=1`, it fuzzes the reference alone. To pin the choice instead, replace the
/// condition below with `true` or `false` (one line).
let hasServiceDecoder =
    FileManager.default.fileExists(
        atPath: Context.packageDirectory + "/../Sources/MPCLService/PredictRequestDecoder.swift")
    && Context.environment["FUZZ_REFERENCE_DECODER"] != "1"
let serviceDecoder: [SwiftSetting] = hasServiceDecoder ? [.define("SERVICE_DECODER")] : []

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
