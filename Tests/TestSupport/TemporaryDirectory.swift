import Foundation

/// A fresh directory under the system temporary directory, for every suite that needs files.
///
/// Names are `mpcl-tests-LABEL-UUID`, so a crashed run's leftovers are recognisable in /tmp. The
/// directory is removed explicitly (`defer { directory.remove() }`), never from a deinitialiser:
/// ARC may end an object's life after its last use, before a path taken from it is used.
public struct TemporaryDirectory: Sendable {
    public let path: String

    /// Creates the directory.
    public init(_ label: String) throws {
        path = Self.unusedPath(label)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A fresh path that does not exist yet, for tools that create their own output directory.
    public static func unusedPath(_ label: String) -> String {
        (NSTemporaryDirectory() as NSString).appendingPathComponent("mpcl-tests-\(label)-\(UUID().uuidString)")
    }

    /// The path of `name` inside the directory.
    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Writes `bytes` to `name` inside the directory and returns the file's path.
    public func write(_ bytes: [UInt8], name: String) throws -> String {
        let file = file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }

    /// Removes the directory and everything in it.
    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}
