import Foundation

/// All variables read from one file, plus the ones skipped and why.
///
/// Unsupported variables (cell arrays, structs, sparse…) do not fail the file: a layout that never
/// asks for them should still load it. Asking for one gives an error with the recorded reason.
public struct DataFile: Sendable {
    /// The file name used in messages.
    public var name: String
    /// Readable variables in file order.
    public var variables: [Variable]
    /// Variables that were present but not read: name → reason.
    public var skipped: [String: String]

    public init(name: String, variables: [Variable], skipped: [String: String] = [:]) {
        self.name = name
        self.variables = variables
        self.skipped = skipped
    }

    /// Whether a readable variable `name` exists.
    public func contains(_ name: String) -> Bool { variables.contains { $0.name == name } }

    /// The variable `name`, or an error that says whether it is absent or was unreadable.
    public func variable(_ name: String) throws -> Variable {
        if let found = variables.first(where: { $0.name == name }) { return found }
        if let reason = skipped[name] { throw DataError(.unsupported, file: self.name, variable: name, reason) }
        let present = (variables.map(\.name) + skipped.keys.sorted()).joined(separator: ", ")
        throw DataError(.missingVariable, file: self.name, variable: name, "not in the file (it has: \(present))")
    }

    /// Reads a `.mat`, `.npz` or `.npy` file, chosen by extension.
    public static func load(path: String) throws -> DataFile {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError(.unreadable, file: path, "cannot read the file (missing or not permitted)")
        }
        let bytes = [UInt8](data)
        switch (name as NSString).pathExtension.lowercased() {
        case "mat": return try MATFile.read(bytes, file: name)
        case "npz": return try NPZFile.read(bytes, file: name)
        case "npy":
            let stem = (name as NSString).deletingPathExtension
            return DataFile(name: name, variables: [try NPYFile.read(bytes, file: name, variable: stem)])
        default:
            throw DataError(.wrongFormat, file: path, "unknown extension: expected .mat, .npz or .npy")
        }
    }
}
