// swift-tools-version: 6.1
import PackageDescription

/// The `/healthz` peer of docs/PERFORMANCE.md: a release Hummingbird 2.28.1 hello-world.
/// `swift build -c release --scratch-path ../../.build-hummingbird` → `hummingbird-hello PORT`.
let package = Package(
    name: "hummingbird-hello",
    platforms: [.macOS(.v14)],
    dependencies: [.package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1")],
    targets: [
        .executableTarget(
            name: "hummingbird-hello",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")])
    ]
)
