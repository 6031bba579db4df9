import EmotionVocabulary
import JSON

#if SERVICE_DECODER
    @testable import MPCLService
#endif

/// The streaming V2 `infer` decoder (`V2InferDecoder`: bytes → features, no tree) against the tree
/// decoder it replaced (`TreeV2Decoder`): on every input, JSON or not, both must give the same
/// features (bit for bit), window count, calibration, id and output form, or the same error —
/// status, code, message and field.
///
/// An input that starts with a 0 byte (never the start of JSON) carries a binary tensor tail: the
/// next 4 bytes are the JSON header's length (big-endian, clamped to the body, as
/// `Inference-Header-Content-Length` would state it) and the rest is the body; any other input is
/// a body that is all JSON header.
public enum StreamingV2DecoderCheck {
    public static func check(_ input: UnsafeBufferPointer<UInt8>, layout: InputLayout, maxWindows: Int, needsCalibration: Bool) {
        #if SERVICE_DECODER
            var body = input
            var headerLength = input.count
            if input.count >= 5, input[0] == 0 {
                body = UnsafeBufferPointer(rebasing: input[5...])
                let stated = input[1...4].reduce(0) { $0 << 8 | Int($1) }
                headerLength = min(stated, body.count)
            }
            let target = FuzzTarget(name: "fuzz", layout: layout, needsCalibration: needsCalibration)
            let streaming: Result<DecodedInferBody<FuzzTarget>, ServiceError>
            let tree: Result<DecodedInferBody<FuzzTarget>, ServiceError>
            if headerLength == 0 {
                return  // V2RequestBody refuses an empty header before either decoder runs.
            }
            do throws(ServiceError) {
                streaming = .success(try V2InferDecoder(target: target, maxWindows: maxWindows).decode(body, headerLength: headerLength))
            } catch {
                streaming = .failure(error)
            }
            do throws(ServiceError) {
                let json: JSON
                do { json = try JSON.parse(body[..<headerLength]) } catch { throw ServiceError.malformedJSON(error.description) }
                tree = .success(
                    try TreeV2Decoder.decode(json, binary: ArraySlice(body[headerLength...]), model: target, maxWindows: maxWindows))
            } catch {
                tree = .failure(error)
            }
            let what =
                "streaming V2 decoder, \(layout.featureCount) features, calibration \(needsCalibration), header \(headerLength) of \(body.count) bytes"
            switch (streaming, tree) {
            case (.failure(let a), .failure(let b)):
                fuzzCheck(
                    a.status.code == b.status.code && a.code == b.code && a.message == b.message && a.field == b.field,
                    "\(what): refuses with \(a.status.code) \(a.code) '\(a.message.prefix(300))' (\(a.field ?? "-")), the tree decoder with \(b.status.code) \(b.code) '\(b.message.prefix(300))' (\(b.field ?? "-"))"
                )
            case (.success(let a), .success(let b)):
                fuzzCheck(a.windows == b.windows, "\(what): \(a.windows) windows against \(b.windows)")
                fuzzCheck(a.id == b.id && a.binaryOutput == b.binaryOutput, "\(what): id or output form differ")
                fuzzCheck(a.features.map(\.bitPattern) == b.features.map(\.bitPattern), "\(what): different features")
                fuzzCheck(
                    a.calibration?.mean.map(\.bitPattern) == b.calibration?.mean.map(\.bitPattern)
                        && a.calibration?.std.map(\.bitPattern) == b.calibration?.std.map(\.bitPattern),
                    "\(what): different calibration")
            case (.success, .failure(let b)):
                fuzzFailure("\(what): accepts what the tree decoder refuses with \(b.status.code) \(b.code) '\(b.message.prefix(300))'")
            case (.failure(let a), .success):
                fuzzFailure("\(what): refuses with \(a.status.code) \(a.code) '\(a.message.prefix(300))' what the tree decoder accepts")
            }
        #endif
    }
}
