/// Why `mpcl-train` stopped: one line for the user and the exit code scripts branch on.
///
/// Usage errors (a value the command line should not have held: unknown protocol, fold out of
/// range, resume state of another run) exit with 2; data errors (a file that cannot be read or does
/// not fit its layout, too few subjects for the protocol) exit with 1.
public struct TrainingError: Error, Equatable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        case usage, data
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public static func usage(_ message: String) -> TrainingError { TrainingError(.usage, message) }
    public static func data(_ message: String) -> TrainingError { TrainingError(.data, message) }

    /// The process exit code: 2 for usage, 1 for data.
    public var exitCode: Int32 { kind == .usage ? 2 : 1 }

    public var description: String { message }
}
