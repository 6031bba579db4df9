import EmotionVocabulary
import JSON
import MPCL

/// The properties every decoded (or refused) request body must have.
public enum BodyInvariants {
    static let allowedStatuses: Set<Int> = [400, 413, 422]

    static func checkError(_ error: BodyDecodeError, _ what: String) {
        fuzzCheck(allowedStatuses.contains(error.status), "\(what): status \(error.status) for \(error)")
        fuzzCheck(!error.code.isEmpty && !error.message.isEmpty, "\(what): error without code or message")
        // docs/SERVICE.md: messages never echo request bytes at length.
        fuzzCheck(error.message.utf8.count <= 1024, "\(what): \(error.message.utf8.count)-byte error message")
        if let field = error.field { fuzzCheck(field.utf8.count <= 1024, "\(what): \(field.utf8.count)-byte field path") }
    }

    static func checkWindows(_ decoded: DecodedWindows, layout: InputLayout, maxWindows: Int, _ what: String) {
        fuzzCheck(decoded.count >= 1 && decoded.count <= maxWindows, "\(what): \(decoded.count) windows (limit \(maxWindows))")
        fuzzCheck(
            decoded.features.count == decoded.count * layout.featureCount,
            "\(what): \(decoded.features.count) floats for \(decoded.count) windows of \(layout.featureCount)")
        fuzzCheck(decoded.features.allSatisfy(\.isFinite), "\(what): non-finite float decoded")
    }

    public static func checkPredict(_ json: JSON, layout: InputLayout, maxWindows: Int) {
        let what = "\(BodyDecoderUnderTest.name) with \(layout.featureCount) features"
        let result: Result<DecodedWindows, BodyDecodeError>
        do {
            result = .success(try BodyDecoderUnderTest.windows(json, layout: layout, maxWindows: maxWindows))
        } catch {
            result = .failure(error)
        }
        switch result {
        case .failure(let error):
            checkError(error, what)
        case .success(let decoded):
            checkWindows(decoded, layout: layout, maxWindows: maxWindows, what)
            // Re-encode every window flat (the canonical form) and decode again: same floats.
            let flat = JSON.object([
                (
                    "windows",
                    .array(
                        (0..<decoded.count).map { i in
                            let row = decoded.features[(i * layout.featureCount)..<((i + 1) * layout.featureCount)]
                            return [
                                "eeg": JSON(numbers: row[row.startIndex..<(row.startIndex + layout.eegDims)]),
                                "peripheral": JSON(
                                    numbers: row[
                                        (row.startIndex + layout.eegDims)..<(row.startIndex + layout.eegDims + layout.peripheralDims)]),
                                "face": JSON(numbers: row[(row.startIndex + layout.eegDims + layout.peripheralDims)...]),
                            ]
                        })
                )
            ])
            do {
                let again = try BodyDecoderUnderTest.windows(flat, layout: layout, maxWindows: maxWindows)
                fuzzCheck(again == decoded, "\(what): flat re-encoding decodes to different floats")
            } catch {
                fuzzFailure("\(what): flat re-encoding of accepted windows refused: \(error)")
            }
        }
        if BodyDecoderUnderTest.comparesWithReference {
            let reference: Result<DecodedWindows, BodyDecodeError>
            do {
                reference = .success(try ReferencePredictDecoder.windows(json, layout: layout, maxWindows: maxWindows))
            } catch {
                reference = .failure(error)
            }
            switch (result, reference) {
            case (.success(let a), .success(let b)):
                fuzzCheck(a == b, "\(what) and the reference decode different floats")
            case (.failure(let a), .failure(let b)):
                fuzzCheck(a.status == b.status, "\(what) refuses with \(a), the reference with \(b)")
            default:
                fuzzFailure("\(what) says \(result), the reference says \(reference)")
            }
        }
    }

    public static func checkCalibration(_ value: JSON, featureCount: Int) {
        do {
            let (mean, std) = try BodyDecoderUnderTest.calibration(value, featureCount: featureCount)
            fuzzCheck(mean.count == featureCount && std.count == featureCount, "calibration sizes \(mean.count), \(std.count)")
            fuzzCheck(mean.allSatisfy(\.isFinite) && std.allSatisfy { $0.isFinite && $0 >= 0 }, "calibration values")
        } catch {
            checkError(error, "calibration")
        }
    }

    public static func checkV2(_ json: JSON, layout: InputLayout, maxWindows: Int) {
        do {
            let decoded = try ReferenceV2Decoder.windows(json, layout: layout, maxWindows: maxWindows)
            checkWindows(decoded, layout: layout, maxWindows: maxWindows, "V2 infer")
        } catch {
            checkError(error, "V2 infer")
        }
    }

    /// serialise → parse gives the same document. Numbers that are exactly a Float are written in
    /// Float's shortest form (JSONWriter's documented choice), so they compare as Floats.
    public static func checkJSONRoundTrip(_ json: JSON) {
        let text = json.serialized()
        do {
            let back = try JSON.parse(text)
            fuzzCheck(equivalent(json, back), "JSON changed in a round trip: \(String(decoding: text.prefix(512), as: UTF8.self))")
        } catch {
            fuzzFailure("serialised JSON does not parse: \(error); text: \(String(decoding: text.prefix(512), as: UTF8.self))")
        }
    }

    static func equivalent(_ a: JSON, _ b: JSON) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)):
            if x == y { return true }
            if !x.isFinite { return false }  // written as null: compared below
            return Double(Float(x)) == x && Float(y) == Float(x)
        case (.number(let x), .null):
            return !x.isFinite
        case (.array(let p), .array(let q)):
            return p.count == q.count && zip(p, q).allSatisfy { equivalent($0, $1) }
        case (.object(let p), .object(let q)):
            return p.count == q.count && zip(p, q).allSatisfy { $0.key == $1.key && equivalent($0.value, $1.value) }
        default:
            return a == b
        }
    }
}
