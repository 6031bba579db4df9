/// Why a data file, a layout or a dataset cannot be used.
///
/// Every message names the file, the variable (when there is one) and the problem, because the
/// person reading it has a directory of subject files and needs to know which one to fix and how.
public struct DataError: Error, Equatable, CustomStringConvertible {
    /// The broad class of problem, for callers and tests that branch on it.
    public enum Kind: String, Equatable, Sendable {
        /// The file could not be opened or read.
        case unreadable
        /// Not a file of the expected format (magic, header text, version).
        case wrongFormat
        /// A MAT v7.3 (HDF5) file: must be re-saved as v7.
        case hdf5
        /// The file ends before a structure it announces.
        case truncated
        /// A structure is internally inconsistent (bad tag, impossible size, bad checksum).
        case malformed
        /// A valid construct that this reader does not handle (complex, cell, pickled object…).
        case unsupported
        /// A variable the layout needs is absent.
        case missingVariable
        /// A variable's shape disagrees with the layout or with another variable.
        case shapeMismatch
        /// Values that cannot be used (NaN/Inf features, negative or zero-sum labels, bad clip index).
        case invalidValue
        /// The layout description itself is wrong.
        case invalidLayout
        /// A `--layout` value that is neither a built-in layout's name nor an existing file.
        case unknownLayout
    }

    public var kind: Kind
    /// The file's name (or path) as the user gave it.
    public var file: String
    /// The variable concerned, if any.
    public var variable: String?
    /// What is wrong, in words.
    public var problem: String

    public init(_ kind: Kind, file: String, variable: String? = nil, _ problem: String) {
        self.kind = kind
        self.file = file
        self.variable = variable
        self.problem = problem
    }

    public var description: String {
        if let variable { return "\(file): variable '\(variable)': \(problem)" }
        return "\(file): \(problem)"
    }
}
