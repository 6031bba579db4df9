// swift-tools-version: 6.1
import PackageDescription

/// Benchmarks live in their own package so that users of mpcl never build them.
let package = Package(
    name: "mpcl-benchmarks",
    dependencies: [.package(name: "mpcl", path: "..")],
    targets: [
        .executableTarget(
            name: "mpcl-bench",
            dependencies: [
                .product(name: "MPCL", package: "mpcl"), .product(name: "Randomness", package: "mpcl"),
                .product(name: "Timekeeping", package: "mpcl"),
            ],
            swiftSettings: [.unsafeFlags(["-Xcc", "-fno-math-errno"])]),
        // Request decoding speed; needs `-Xswiftc -enable-testing` (it reaches MPCLService's
        // internal decoders, as FuzzTesting does).
        .executableTarget(
            name: "mpcl-decode-bench",
            dependencies: [
                .product(name: "JSON", package: "mpcl"), .product(name: "MPCL", package: "mpcl"),
                .product(name: "MPCLService", package: "mpcl"), .product(name: "Timekeeping", package: "mpcl"),
            ]),
    ],
    swiftLanguageModes: [.v5]
)
