import Foundation
import MPCL
import MPCLMath

/// Test-window predictions: what `predictions.csv` holds and what every reported metric is computed
/// from, so a report can always be recomputed (and merged) from its CSV files.
///
/// CSV: header `subject,clip,y_<label>…,p_<label>…`, one row per test window; numbers are written
/// with `%#.9g` (9 significant digits, trailing zeros kept), which reads back to the identical Float, so metrics recomputed from the file equal
/// those computed in memory.
public struct PredictionTable: Equatable, Sendable {
    public var labels: [String]
    public var subjects: [String]
    public var clips: [Int]
    /// rows × labels, the true distributions.
    public var truth: [Float]
    /// rows × labels, the predicted distributions.
    public var predicted: [Float]

    public init(labels: [String], subjects: [String] = [], clips: [Int] = [], truth: [Float] = [], predicted: [Float] = []) {
        self.labels = labels
        self.subjects = subjects
        self.clips = clips
        self.truth = truth
        self.predicted = predicted
    }

    public var rowCount: Int { subjects.count }

    /// Every metric of every row.
    public var scores: MetricScores { MetricScores(truth: truth, predictions: predicted, classes: labels.count) }

    /// Appends `other`'s rows (same labels).
    public mutating func append(_ other: PredictionTable) {
        subjects += other.subjects
        clips += other.clips
        truth += other.truth
        predicted += other.predicted
    }

    public var header: String {
        (["subject", "clip"] + labels.map { "y_\($0)" } + labels.map { "p_\($0)" }).joined(separator: ",")
    }

    /// The CSV text (header and rows, each line ending in `\n`).
    public var csv: String {
        var text = header + "\n"
        let classes = labels.count
        for row in 0..<rowCount {
            var fields = [Self.quoted(subjects[row]), String(clips[row])]
            for c in 0..<classes { fields.append(Self.number(truth[row * classes + c])) }
            for c in 0..<classes { fields.append(Self.number(predicted[row * classes + c])) }
            text += fields.joined(separator: ",") + "\n"
        }
        return text
    }

    /// Parses a CSV written by `csv`; `file` names it in errors.
    public init(csv text: String, file: String) throws(TrainingError) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard !lines.isEmpty else { throw .data("\(file): empty file, expected a predictions.csv header") }
        let header = Self.fields(lines.removeFirst())
        guard header.count >= 4, header[0] == "subject", header[1] == "clip", (header.count - 2) % 2 == 0 else {
            throw .data("\(file): header must be subject,clip,y_<label>…,p_<label>…")
        }
        let classes = (header.count - 2) / 2
        let yNames = header[2..<(2 + classes)]
        let pNames = header[(2 + classes)...]
        guard yNames.allSatisfy({ $0.hasPrefix("y_") }), pNames.allSatisfy({ $0.hasPrefix("p_") }),
            yNames.map({ $0.dropFirst(2) }) == pNames.map({ $0.dropFirst(2) })
        else { throw .data("\(file): header must be subject,clip,y_<label>…,p_<label>… with the same labels twice") }
        self.init(labels: yNames.map { String($0.dropFirst(2)) })
        for (number, line) in lines.enumerated() {
            let row = Self.fields(line)
            guard row.count == header.count, let clip = Int(row[1]) else {
                throw .data("\(file): line \(number + 2): expected \(header.count) fields with an integer clip")
            }
            var values: [Float] = []
            for field in row[2...] {
                guard let value = Float(field), value.isFinite else {
                    throw .data("\(file): line \(number + 2): '\(field)' is not a finite number")
                }
                values.append(value)
            }
            subjects.append(row[0])
            clips.append(clip)
            truth += values[..<classes]
            predicted += values[classes...]
        }
    }

    static func number(_ value: Float) -> String { String(format: "%#.9g", Double(value)) }

    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Splits one CSV line, honouring double-quoted fields.
    static func fields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var inQuotes = false
        var characters = Array(line.hasSuffix("\r") ? String(line.dropLast()) : line)
        characters.append(",")
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if inQuotes {
                if character == "\"" {
                    if index + 1 < characters.count && characters[index + 1] == "\"" {
                        current.append("\"")
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                inQuotes = true
            } else if character == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
            index += 1
        }
        return fields
    }
}
