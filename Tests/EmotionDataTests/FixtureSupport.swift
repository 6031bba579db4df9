import Foundation
import JSON
import Testing

@testable import EmotionData

/// Access to the files written by scripts/make_fixtures.py.
enum Fixtures {
    static func path(_ name: String) throws -> String {
        let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")
        return try #require(url, "fixture \(name) is missing: run scripts/make_fixtures.py").path
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: try path(name))))
    }

    /// expected.json: group → variable → {shape, values (row-major)}.
    static func expected() throws -> JSON {
        try JSON.parse(try bytes("expected.json"))
    }

    /// Checks that `variable` has exactly the shape and values recorded in `entry`.
    static func expectMatches(_ variable: Variable, _ entry: JSON?, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let entry, let shape = entry["shape"]?.arrayValue, let values = entry["values"]?.arrayValue else {
            Issue.record("no expected entry for \(variable.name)", sourceLocation: sourceLocation)
            return
        }
        #expect(
            variable.shape == shape.compactMap(\.intValue), "shape of \(variable.name)", sourceLocation: sourceLocation)
        #expect(
            variable.values == values.compactMap(\.doubleValue), "values of \(variable.name)",
            sourceLocation: sourceLocation)
    }
}

/// Expects `body` to throw a DataError of `kind` whose message mentions each of `mentions`.
func expectDataError(
    _ kind: DataError.Kind, mentioning mentions: [String] = [], sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected a \(kind) error, nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as DataError {
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        for mention in mentions {
            #expect(
                error.description.contains(mention), "'\(error)' should mention \(mention)",
                sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("expected a DataError, got \(error)", sourceLocation: sourceLocation)
    }
}
