import EmotionVocabulary
import JSON
import Testing

@testable import MPCLService

/// The streaming `/predict` decoder on its own (bytes + a model lookup, no server): it reads the
/// bytes in document order, yet refuses in the contract's order — a malformed document before any
/// field error, unknown members before modalities, eeg before peripheral before face, a count
/// before the elements — and finds the model wherever its member stands.
@Suite("PredictRequestDecoder")
struct PredictRequestDecoderTests {
    struct Target: PredictTarget {
        var name: String
        var layout: InputLayout
        var needsCalibration: Bool
    }

    static let layout = InputLayout.emotionDictSample

    static func resolve(_ name: String?) throws(ServiceError) -> Target {
        switch name {
        case nil, "plain": return Target(name: "plain", layout: layout, needsCalibration: false)
        case "per-subject": return Target(name: "per-subject", layout: layout, needsCalibration: true)
        case let name?: throw .unknownModel(name)
        }
    }

    /// A window whose feature i is i (flat eeg and face, peripheral as its named groups).
    static func window(order: [String] = ["eeg", "peripheral", "face"]) -> String {
        let eeg = (0..<layout.eegDims).map { String($0) }.joined(separator: ",")
        var offset = layout.eegDims
        var groups: [String] = []
        for group in layout.peripheralGroups {
            groups.append("\"\(group.name)\":[" + (offset..<(offset + group.dims)).map { String($0) }.joined(separator: ",") + "]")
            offset += group.dims
        }
        let face = (offset..<layout.featureCount).map { String($0) }.joined(separator: ",")
        let parts = [
            "eeg": "\"eeg\":[\(eeg)]", "peripheral": "\"peripheral\":{\(groups.joined(separator: ","))}", "face": "\"face\":[\(face)]",
        ]
        return "{" + order.map { parts[$0]! }.joined(separator: ",") + "}"
    }

    func decode(_ text: String, pathModel: String? = nil) -> Result<DecodedPredictBody<Target>, ServiceError> {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(ServiceError) in
                try PredictRequestDecoder(maxWindows: 4).decode(buffer, pathModel: pathModel, resolve: Self.resolve)
            }
        }
    }

    func refusal(_ text: String, pathModel: String? = nil) -> ServiceError? {
        if case .failure(let error) = decode(text, pathModel: pathModel) { return error }
        return nil
    }

    @Test func readsWindowsInAnyMemberOrderIntoTheLayout() throws {
        let expected = (0..<Self.layout.featureCount).map(Float.init)
        for order in [["eeg", "peripheral", "face"], ["face", "eeg", "peripheral"], ["peripheral", "face", "eeg"]] {
            let body = try decode("{\"windows\":[\(Self.window(order: order)),\(Self.window())],\"aggregate\":true}").get()
            #expect(body.windows == 2 && body.aggregate && body.target.name == "plain")
            #expect(body.features == expected + expected)
        }
        let single = try decode(Self.window(order: ["face", "peripheral", "eeg"])).get()
        #expect(single.windows == 1 && single.features == expected)
    }

    @Test func findsTheModelAfterTheWindows() throws {
        let named = try decode("{\"windows\":[\(Self.window())],\"model\":\"plain\"}").get()
        #expect(named.target.name == "plain")
        let unknown = refusal("{\"windows\":[\(Self.window())],\"model\":\"nope\"}")
        #expect(unknown?.code == "unknown_model")
        let calibrationMissing = refusal("{\"windows\":[\(Self.window())],\"model\":\"per-subject\"}")
        #expect(calibrationMissing?.code == "missing_calibration")
        #expect(refusal("{\"windows\":[\(Self.window())],\"model\":\"plain\"}", pathModel: "plain")?.field == "model")
    }

    @Test func malformedJSONAnywhereComesBeforeFieldErrors() {
        // The first window is wrong (a string in eeg); the document breaks after it.
        let broken = "{\"windows\":[{\"eeg\":[\"x\"]}, [1,2,]]}"
        #expect(refusal(broken)?.code == "malformed_json")
        #expect(refusal("{\"windows\":[\(Self.window())],\"windows\":[]}")?.message.contains("duplicate member name 'windows'") == true)
        #expect(refusal("{\"eeg\":[NaN]}")?.code == "malformed_json")
    }

    @Test func refusesInContractOrderNotDocumentOrder() {
        let face = String(repeating: "0,", count: 3) + "0"
        // face is wrong and comes first, eeg is missing: eeg is reported.
        #expect(refusal("{\"windows\":[{\"face\":[\(face)],\"peripheral\":[]}]}")?.field == "windows[0].eeg")
        // An unknown member after a broken modality still ranks first.
        #expect(refusal("{\"windows\":[{\"eeg\":[true],\"x\":1}]}")?.field == "windows[0].x")
        // A wrong count outranks a wrong element before it.
        let wrongCount = refusal("{\"eeg\":[\"a\",1],\"peripheral\":[],\"face\":[]}")
        #expect(wrongCount?.code == "invalid_shape" && wrongCount?.field == "eeg")
        // Too many windows outranks an error in the first.
        let tooMany = refusal("{\"windows\":[1,2,3,4,5]}")
        #expect(tooMany?.code == "payload_too_large")
        // An unknown top-level member after the windows outranks an error inside them.
        #expect(refusal("{\"windows\":[1],\"agregate\":true}")?.field == "agregate")
        // Rows before their contents; an element's path names its row.
        let rows = Self.layout.eegChannels
        let badRow =
            "["
            + Array(repeating: "[" + Array(repeating: "1", count: Self.layout.eegBands).joined(separator: ",") + "]", count: rows - 1)
            .joined(separator: ",") + ",[1e39" + String(repeating: ",1", count: Self.layout.eegBands - 1) + "]]"
        let nonFinite = refusal("{\"eeg\":\(badRow),\"peripheral\":[],\"face\":[]}")
        #expect(nonFinite?.code == "non_finite" && nonFinite?.field == "eeg[\(rows - 1)][0]")
    }
}
