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

    static func metrics(_ value: Double) -> MetricSummaries {
        var metrics = MetricSummaries(json: nil)
        for metric in Metric.allCases { metrics.summaries[metric] = MetricSummary(mean: value, std: 0.01) }
        return metrics
    }

    static func report(folds: Int, epochs: Int) -> TrainingReport {
        let entries = (0..<folds).map { fold in
            FoldReport(
                fold: fold, testSubjects: [], metrics: metrics(0.1), trainSubjects: [], validationSubjects: [],
                windows: .init(train: 0, validation: 0, test: 0), bestEpoch: epochs, bestValidationKL: 0.3,
                stop: StopEntry(reason: "fixed_epochs", epochs: epochs, steps: epochs, bestEpoch: epochs, bestStep: epochs),
                history: (1...epochs).map { EpochRecord(epoch: $0, trainLoss: 0.5 / Double($0), validationKL: 0.3, seconds: 0) },
                seconds: 0)
        }
        return TrainingReport(
            run: ["model": "mpcl", "protocol": "kfold:2", "normalize": "global"], folds: entries, metrics: metrics(0.2),
            testWindows: 0, modelFileFold: nil)
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
