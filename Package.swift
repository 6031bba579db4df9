// swift-tools-version: 6.1
import PackageDescription

/// Release flags that matter for this code (docs/PERFORMANCE.md): `-fno-math-errno` lets `sqrt`/`exp`
/// vectorise, and on x86-64 a modern level enables AVX2/FMA in our own loops (Haswell, 2013, is the
/// oldest x86-64 CPU we target). `-Ounchecked` is deliberately *not* used: bounds checks guard every
/// byte that comes from a client or a file.
let optimised: [SwiftSetting] =
    [.unsafeFlags(["-Xcc", "-fno-math-errno"], .when(configuration: .release))]
    + (targetCPU.map { [.unsafeFlags(["-target-cpu", $0], .when(configuration: .release))] } ?? [])

/// `-target-cpu haswell` only when building for x86-64: it is an x86 CPU name, and any other target
/// (aarch64: an arm64 laptop's `docker build`, a Graviton node) rejects it. SwiftPM's conditions
/// know platforms and configurations but not architectures, so the manifest decides from the
/// architecture it is compiled for, which is the build machine's — the target's in every native
/// build (`swift build`, `docker build` on the same architecture). Cross-compiling from x86-64 to
/// another architecture sets `MPCL_TARGET_CPU=none` (or another CPU name to use instead).
var targetCPU: String? {
    if let chosen = Context.environment["MPCL_TARGET_CPU"], !chosen.isEmpty { return chosen == "none" ? nil : chosen }
    #if arch(x86_64)
        return "haswell"
    #else
        return nil
    #endif
}

let package = Package(
    name: "mpcl",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mpcl-serve", targets: ["mpcl-serve"]),
        .executable(name: "mpcl-train", targets: ["mpcl-train"]),
        .library(name: "MPCL", targets: ["MPCL", "MPCLMath", "EmotionVocabulary"]),
        // For the nested Benchmarks and FuzzTesting packages.
        .library(name: "HTTP1", targets: ["HTTP1"]),
        .library(name: "JSON", targets: ["JSON"]),
        .library(name: "MPCLService", targets: ["MPCLService"]),
        .library(name: "Randomness", targets: ["Randomness"]),
        .library(name: "Timekeeping", targets: ["Timekeeping"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2")
    ],
    targets: [
        // System libraries: a module map and a shim header each.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL"),

        // Foundations with no knowledge of emotions.
        // The one seeded generator and its distributions; the one monotonic clock.
        .target(name: "Randomness", swiftSettings: optimised),
        .target(name: "Timekeeping", swiftSettings: optimised),
        .target(name: "JSON", swiftSettings: optimised),
        .target(name: "Compression", dependencies: ["CZlib"], swiftSettings: optimised),
        // The inference plan's packed-weight matrix product and attention: C, compiled per instruction set and chosen
        // from the CPU's features at run time (AVX-512 where the CPU has it, whatever `targetCPU` is).
        .target(name: "CInferenceKernels"),
        .target(name: "MPCLMath", dependencies: ["CBLAS", "CInferenceKernels", "Randomness"], swiftSettings: optimised),
        .target(name: "HTTP1", dependencies: ["COpenSSL", "Timekeeping"], swiftSettings: optimised),

        // The words the model, the data and the service share: input layouts and label sets.
        .target(name: "EmotionVocabulary", dependencies: ["JSON"], swiftSettings: optimised),

        // The model and its data; neither knows the other.
        .target(name: "MPCL", dependencies: ["EmotionVocabulary", "MPCLMath", "Randomness", "JSON"], swiftSettings: optimised),
        .target(name: "EmotionData", dependencies: ["EmotionVocabulary", "Randomness", "JSON", "Compression"], swiftSettings: optimised),
        .target(
            name: "MPCLTraining",
            dependencies: ["MPCL", "MPCLMath", "EmotionData", "EmotionVocabulary", "Randomness", "Timekeeping", "JSON"],
            swiftSettings: optimised),
        .target(
            name: "MPCLService",
            dependencies: ["HTTP1", "MPCL", "EmotionVocabulary", "Randomness", "Timekeeping", "JSON", "Compression", "COpenSSL"],
            resources: [.copy("Resources/default.safetensors"), .copy("Resources/index.html"), .copy("Resources/examples.json")],
            swiftSettings: optimised),

        // Thin executables: argument parsing and wiring only.
        .executableTarget(
            name: "mpcl-serve",
            dependencies: [
                "MPCLService", "MPCLMath", "EmotionVocabulary", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: optimised),
        .executableTarget(
            name: "mpcl-train",
            dependencies: [
                "MPCLTraining", "MPCL", "MPCLMath", "JSON", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: optimised),

        // What several test targets share (the HTTP test client, bounded waiting, threads, child
        // processes, finite differences), written once; it depends only on the one clock.
        .target(name: "TestSupport", dependencies: ["Timekeeping"], path: "Tests/TestSupport"),

        // One test target per library target.
        .testTarget(name: "RandomnessTests", dependencies: ["Randomness"]),
        .testTarget(name: "TimekeepingTests", dependencies: ["Timekeeping"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "CompressionTests", dependencies: ["Compression"]),
        .testTarget(name: "MPCLMathTests", dependencies: ["MPCLMath", "Randomness", "TestSupport"]),
        .testTarget(name: "HTTP1Tests", dependencies: ["HTTP1", "Randomness", "TestSupport"]),
        .testTarget(name: "EmotionVocabularyTests", dependencies: ["EmotionVocabulary", "JSON"]),
        .testTarget(name: "MPCLTests", dependencies: ["MPCL", "MPCLMath", "EmotionVocabulary", "Randomness", "JSON", "TestSupport"]),
        .testTarget(
            name: "EmotionDataTests",
            dependencies: ["EmotionData", "EmotionVocabulary", "Randomness", "JSON", "Compression", "TestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "MPCLTrainingTests",
            dependencies: [
                "MPCLTraining", "MPCL", "MPCLMath", "EmotionData", "EmotionVocabulary", "Randomness", "JSON", "TestSupport",
            ]),
        .testTarget(
            name: "MPCLServiceTests",
            dependencies: [
                "MPCLService", "MPCL", "EmotionVocabulary", "HTTP1", "Randomness", "JSON", "Compression", "TestSupport",
            ]),
    ],
    swiftLanguageModes: [.v5]
)
