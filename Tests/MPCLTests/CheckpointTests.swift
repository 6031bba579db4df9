import Foundation
import JSON
import MPCL
import MPCLMath
import TestSupport
import Testing

@Suite struct CheckpointTests {
    static func checkpoint() throws -> Checkpoint {
        let config = ModelFixtures.tinyConfig()
        let model = try Model<Float>(
            config: config, labelStatistics: LabelStatistics(targets: [0.4, 0.3, 0.2, 0.1, 0.1, 0.2, 0.3, 0.4], classes: 4), seed: 7)
        return Checkpoint(model: model, normalization: .identity(count: config.layout.featureCount), training: ["protocol": "loso"])
    }

    func expectRefusal(_ bytes: [UInt8], mentioning fragment: String) {
        do {
            _ = try Checkpoint(container: SafeTensors(bytes: bytes))
            Issue.record("a damaged checkpoint was accepted (expected: \(fragment))")
        } catch {
            #expect(error.description.contains(fragment), "\(error.description)")
        }
    }

    @Test func roundTripsThroughBytes() throws {
        let original = try Self.checkpoint()
        let bytes = original.container.serialized()
        let reread = try Checkpoint(container: SafeTensors(bytes: bytes))
        #expect(reread.container == original.container)
        #expect(bytes.count % 4 == 0)
        #expect(original.container.metadata("format") == "mpcl-checkpoint")
        let config = try JSON.parse(original.container.metadata("config")!)
        #expect(config["labels"] == ["joy", "calm", "fear", "anger"])
        #expect(config["valence"] == [1, 1, -1, -1])
    }

    /// The shipped default model reads into the one parameter buffer and writes back the same
    /// tensors, names, shapes, order and bits: a checkpoint's layout does not depend on the buffer's.
    @Test func theShippedDefaultModelWritesBackItsOwnTensors() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/MPCLService/Resources/default.safetensors").path
        let stored = try SafeTensors(bytes: AtomicFile.read(path))
        let checkpoint = try Checkpoint.read(from: path)
        let written = checkpoint.container.entries
        #expect(written.map(\.name) == stored.entries.map(\.name))
        #expect(written.map(\.shape) == stored.entries.map(\.shape))
        #expect(written.map { $0.values.map(\.bitPattern) } == stored.entries.map { $0.values.map(\.bitPattern) })
        #expect(checkpoint.model.parameters.scalarCount == checkpoint.model.parameters.slots.map(\.count).reduce(0, +))
    }

    @Test func everyTruncationIsRefused() throws {
        let bytes = try Self.checkpoint().container.serialized()
        for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 97)) {
            #expect(throws: CheckpointError.self) { try Checkpoint(container: SafeTensors(bytes: Array(bytes[..<cut]))) }
        }
    }

    @Test func corruptHeadersAreNamed() throws {
        var bytes = try Self.checkpoint().container.serialized()
        expectRefusal(Array("not a checkpoint at all".utf8), mentioning: "header")
        bytes[9] = UInt8(ascii: "#")
        expectRefusal(bytes, mentioning: "JSON")
    }

    @Test func incompatibleContentsAreNamed() throws {
        let good = try Self.checkpoint().container
        var wrongFormat = good
        wrongFormat.metadata[0].value = "something-else"
        expectRefusal(wrongFormat.serialized(), mentioning: "something-else")
        var newerVersion = good
        newerVersion.metadata[1].value = "2"
        expectRefusal(newerVersion.serialized(), mentioning: "format_version")
        var missing = good
        missing.entries.removeAll { $0.name == "head.label_bias" }
        expectRefusal(missing.serialized(), mentioning: "head.label_bias")
        var reshaped = good
        let index = reshaped.entries.firstIndex { $0.name == "queries.label_embedding" }!
        reshaped.entries[index].shape = [reshaped.entries[index].values.count]
        expectRefusal(reshaped.serialized(), mentioning: "queries.label_embedding")
        var poisoned = good
        poisoned.entries[0].values[0] = .nan
        expectRefusal(poisoned.serialized(), mentioning: "NaN")
        var extra = good
        extra.entries.append(.init(name: "stray.tensor", shape: [1], values: [0]))
        expectRefusal(extra.serialized(), mentioning: "stray.tensor")
    }

    @Test func pythonSafetensorsLoadsIt() throws {
        let directory = try TemporaryDirectory("checkpoint")
        defer { directory.remove() }
        let path = directory.file("model.safetensors")
        let checkpoint = try Self.checkpoint()
        try checkpoint.write(to: path)
        let script = """
            import json, sys
            from safetensors import safe_open
            with safe_open(sys.argv[1], framework="numpy") as f:
                meta = f.metadata()
                names = list(f.keys())
                total = sum(float(f.get_tensor(n).astype("float64").sum()) for n in names)
                print(json.dumps({"format": meta["format"], "count": len(names), "total": total,
                                  "labels": json.loads(meta["config"])["labels"]}))
            """
        let python = try ChildProcess.run("/usr/bin/env", ["python3", "-c", script, path])
        #expect(python.status == 0, "python safetensors failed (pip install safetensors numpy): \(python.stdout)\(python.stderr)")
        let answer = try JSON.parse(python.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(answer["format"] == "mpcl-checkpoint")
        #expect(answer["count"]?.intValue == checkpoint.container.entries.count)
        #expect(answer["labels"] == ["joy", "calm", "fear", "anger"])
        let expected = checkpoint.container.entries.reduce(0.0) { $0 + $1.values.reduce(0.0) { $0 + Double($1) } }
        #expect(abs(answer["total"]!.doubleValue! - expected) < 1e-6 * max(1, abs(expected)))
    }
}
