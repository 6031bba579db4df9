import EmotionVocabulary
import Foundation
import JSON
import MPCL
import Testing

@testable import MPCLTraining

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The SVG report: well-formed, and drawing exactly what the report and predictions hold.
@Suite struct ReportPlotTests {
    static let labels = LabelSet(names: ["joy", "calm", "fear"], valence: [1, 1, -1])

    static func metrics(_ value: Double) -> JSON {
        .object(Metric.allCases.map { (key: $0.rawValue, value: ["mean": .number(value), "std": 0.01] as JSON) })
    }

    static func report(folds: Int, epochs: Int) -> JSON {
        var entries: [JSON] = []
        for fold in 0..<folds {
            var history: [JSON] = []
            for epoch in 1...epochs {
                history.append(["epoch": .number(Double(epoch)), "train_loss": .number(0.5 / Double(epoch)), "validation_kl": 0.3])
            }
            entries.append(["fold": .number(Double(fold)), "metrics": metrics(0.1), "history": .array(history)])
        }
        return ["model": "mpcl", "protocol": "kfold:2", "normalize": "global", "folds": .array(entries), "metrics": metrics(0.2)]
    }

    static func predictions() -> PredictionTable {
        // Two subjects × two clips, two windows each; one clip's label contains "<&>" to test escaping.
        var table = PredictionTable(labels: ["joy", "calm", "fear"])
        for subject in ["s<1>", "s2"] {
            for clip in [0, 5] {
                for _ in 0..<2 {
                    table.subjects.append(subject)
                    table.clips.append(clip)
                    table.truth += [0.5, 0.3, 0.2]
                    table.predicted += [0.4, 0.4, 0.2]
                }
            }
        }
        return table
    }

    /// Counts elements by their `class` attribute.
    final class Counter: NSObject, XMLParserDelegate {
        var classes: [String: Int] = [:]
        var texts: [String] = []
        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            if let role = attributes["class"] { classes[role, default: 0] += 1 }
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { texts.append(string) }
    }

    func parse(_ svg: String) throws -> Counter {
        let parser = XMLParser(data: Data(svg.utf8))
        let counter = Counter()
        parser.delegate = counter
        #expect(parser.parse(), "the SVG is not well-formed XML: \(String(describing: parser.parserError))")
        return counter
    }

    @Test func drawsEveryFoldMetricAndClip() throws {
        let svg = ReportPlot.svg(
            report: Self.report(folds: 2, epochs: 5), predictions: Self.predictions(), labels: Self.labels, clipCount: 4)
        let counted = try parse(svg)
        #expect(counted.classes["training-curve"] == 2)
        #expect(counted.classes["validation-curve"] == 2)
        #expect(counted.classes["metric-bar"] == 6 * 3)  // two folds and the pooled bar, per metric
        #expect(counted.classes["true-bar"] == 4 * 3)
        #expect(counted.classes["predicted-bar"] == 4 * 3)
        #expect(counted.texts.joined().contains("s<1>, clip 0"))
    }

    @Test func aModelWithoutHistoryStillGetsAReport() throws {
        let svg = ReportPlot.svg(
            report: Self.report(folds: 1, epochs: 1), predictions: PredictionTable(labels: ["joy", "calm", "fear"]), labels: Self.labels)
        let counted = try parse(svg)
        #expect(counted.classes["true-bar"] == nil)
        #expect(counted.classes["metric-bar"] == 6 * 2)
    }
}
