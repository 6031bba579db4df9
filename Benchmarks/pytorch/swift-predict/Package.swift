// swift-tools-version: 6.1
import PackageDescription

/// The Swift side of the PyTorch parity check (Benchmarks/pytorch/parity.py): reads a checkpoint and
/// a float32 .npy matrix of raw features, writes the predicted distributions as .npy; can also make
/// seeded, untrained checkpoints of every architecture and ablation. A benchmark tool only.
let package = Package(
    name: "mpcl-swift-predict",
    dependencies: [.package(name: "mpcl", path: "../../..")],
    targets: [
        .executableTarget(
            name: "mpcl-swift-predict",
            dependencies: [.product(name: "MPCL", package: "mpcl"), .product(name: "Randomness", package: "mpcl")],
            swiftSettings: [.unsafeFlags(["-Xcc", "-fno-math-errno"])])
    ],
    swiftLanguageModes: [.v5]
)
