import Foundation
import JSON
import MPCL
import TestSupport
import Testing

@testable import MPCLService

/// The page at `/`, loaded from the running server by a real headless browser (Debian's chromium):
/// it must fetch an example, call /predict, and draw the ten-emotion distribution and the valence
/// split that the API returns for that example.
@Suite(.serialized) struct PageBrowserTests {
    static let browser = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// The DOM after the page's scripts ran (virtual time lets fetches and rendering settle).
    func renderedDOM(_ url: String) throws -> String {
        let browser = try #require(Self.browser, "no chromium found: scripts/install-system-packages --test installs it")
        let profile = try TemporaryDirectory("chromium")
        defer { profile.remove() }
        let rendered = try ChildProcess.run(
            browser,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--user-data-dir=\(profile.path)", "--virtual-time-budget=15000", "--dump-dom", url,
            ])
        #expect(rendered.status == 0)
        return rendered.stdout
    }

    /// Values of `attribute` on every element that has it, in document order.
    func attributeValues(_ attribute: String, in html: String) -> [String] {
        html.components(separatedBy: "\(attribute)=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
    }

    @Test func drawsThePredictionOfTheChosenExample() throws {
        try withServer { server in
            let examples = try JSON.parse(StaticAssets().examples)
            let example = try #require(examples["examples"]?.arrayValue?[0]["body"])
            let expected = try server.client().post("/predict", json: example)
            #expect(expected.status == 200)
            let answer = try JSON.parse(expected.body)
            let labelList = answer["labels"]?.arrayValue?.compactMap(\.stringValue)
            let labels = try #require(labelList)
            let distribution = try #require(answer["predictions"]?.arrayValue?.first?["distribution"])

            let dom = try renderedDOM("http://127.0.0.1:\(server.port)/?example=0&predict")
            #expect(dom.contains("data-state=\"drawn\""), "the page did not draw a result")
            let drawnLabels = attributeValues("data-label", in: dom)
            let drawnProbabilities = attributeValues("data-probability", in: dom).compactMap(Double.init)
            #expect(Set(drawnLabels) == Set(labels))
            #expect(drawnProbabilities.count == labels.count)
            for (label, probability) in zip(drawnLabels, drawnProbabilities) {
                let api = try #require(distribution[label]?.doubleValue)
                #expect(abs(api - probability) < 1e-6, "\(label): page \(probability), API \(api)")
            }
            #expect(abs(drawnProbabilities.reduce(0, +) - 1) < 1e-5)
            #expect(dom.contains("positive "), "no valence split drawn")
            // The model's metadata is shown.
            #expect(dom.contains(server.service.repository.defaultModel!.sha256))
        }
    }

    @Test func pageAndExamplesAreServedWithTheirTypes() throws {
        try withServer { server in
            let page = try server.client().get("/")
            #expect(page.status == 200)
            #expect(page.header("Content-Type")?.hasPrefix("text/html") == true)
            #expect(String(decoding: page.body, as: UTF8.self).contains("/predict"))
            let examples = try server.client().get("/examples.json")
            #expect(examples.status == 200)
            #expect(try JSON.parse(examples.body)["examples"]?.arrayValue?.count == 4)
        }
    }
}
