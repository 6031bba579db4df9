@testable import JSON

/// Runs `step` on a reader over `text`, then requires the end of the input: what the step returned,
/// or the first error — the one way these tests drive a `JSONReader` over a whole document.
func readingWhole<Value>(
    _ text: String, _ step: (inout JSONReader) throws(JSONParseError) -> Value
) -> Result<Value, JSONParseError> {
    let bytes = Array(text.utf8)
    return bytes.withUnsafeBufferPointer { buffer -> Result<Value, JSONParseError> in
        var reader = JSONReader(bytes: buffer)
        do throws(JSONParseError) {
            let value = try step(&reader)
            try reader.finish()
            return .success(value)
        } catch {
            return .failure(error)
        }
    }
}

extension Result {
    /// The error, or nil on success.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
