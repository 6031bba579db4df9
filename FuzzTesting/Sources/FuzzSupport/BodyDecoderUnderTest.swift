import EmotionVocabulary
import JSON
import MPCL

#if SERVICE_DECODER
    @testable import MPCLService
#endif

/// THE plug-in point of the `FuzzRequestBody` target: which `/predict` body decoder it fuzzes.
///
/// By default it is `ReferencePredictDecoder` (this package's reading of docs/SERVICE.md). Once the
/// service's decoder is in `Sources/MPCLService/`, uncomment `.define("SERVICE_DECODER")` in
/// `FuzzTesting/Package.swift` (one line): the harness then fuzzes `PredictRequestDecoder.windows`
/// and also checks it against the reference (same accept/refuse decision, same status, same floats);
/// `StreamingDecoderCheck` compares it with the tree decoder it replaced, on the raw bytes.
/// The adapter below is the only code that knows the service's names; if they change, only it does.
public enum BodyDecoderUnderTest {
    #if SERVICE_DECODER
        public static let name = "MPCLService.PredictRequestDecoder"
        public static let comparesWithReference = true

        public static func windows(_ body: JSON, layout: InputLayout, maxWindows: Int) throws(BodyDecodeError) -> DecodedWindows {
            do {
                // What `PredictRequestDecoder.decode` checks before the windows (the rest needs a
                // model lookup; `StreamingDecoderCheck` drives the whole of it).
                let bytes = body.serialized()
                return try bytes.withUnsafeBufferPointer { buffer throws(ServiceError) in
                    let document = try TopLevelIndex(
                        buffer, interesting: PredictRequestDecoder.requestKeys.union(PredictRequestDecoder.singleWindowKeys))
                    guard document.kind == .object else {
                        throw ServiceError.invalidType("body", expected: "an object", found: document.kind)
                    }
                    let allowed = document["windows"] == nil ? PredictRequestDecoder.singleWindowKeys : PredictRequestDecoder.requestKeys
                    if let name = document.firstName(notIn: allowed) { throw unknownField(String(name.prefix(64)), allowed: allowed) }
                    let (features, count) = try PredictRequestDecoder.windows(document, buffer, layout: layout, maxWindows: maxWindows)
                    return DecodedWindows(features: features, count: count)
                }
            } catch {
                throw BodyDecodeError(status: Int(error.status.code), code: error.code, message: error.message, field: error.field)
            }
        }

        public static func calibration(_ value: JSON, featureCount: Int) throws(BodyDecodeError) -> (mean: [Float], std: [Float]) {
            do {
                let bytes = value.serialized()
                let n = try bytes.withUnsafeBufferPointer { buffer throws(ServiceError) in
                    var reader = JSONReader(bytes: buffer)
                    return try PredictRequestDecoder.calibration(&reader, featureCount: featureCount)
                }
                return (n.mean, n.std)
            } catch {
                throw BodyDecodeError(status: Int(error.status.code), code: error.code, message: error.message, field: error.field)
            }
        }
    #else
        public static let name = "ReferencePredictDecoder"
        public static let comparesWithReference = false

        public static func windows(_ body: JSON, layout: InputLayout, maxWindows: Int) throws(BodyDecodeError) -> DecodedWindows {
            try ReferencePredictDecoder.windows(body, layout: layout, maxWindows: maxWindows)
        }

        public static func calibration(_ value: JSON, featureCount: Int) throws(BodyDecodeError) -> (mean: [Float], std: [Float]) {
            try ReferencePredictDecoder.calibration(value, featureCount: featureCount)
        }
    #endif
}
