import EmotionData
import JSON
import MPCL
import MPCLMath

extension TrainingError {
    /// Any error of the layers below as one user-facing line with its exit class: a file, layout or
    /// dataset problem is a data error; a `TrainingError` keeps its own class.
    static func from(_ error: Error) -> TrainingError {
        switch error {
        case let error as TrainingError: return error
        case let error as DataError: return .data(error.description)
        case let error as ProtocolError: return .data("protocol: \(error.message)")
        case let error as FileError: return .data(error.description)
        case let error as CheckpointError: return .data(error.description)
        case let error as ConfigError: return .data(error.description)
        case let error as JSONParseError: return .data("invalid JSON: \(error.description)")
        default: return .data("\(error)")
        }
    }
}
