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
/// and also checks it against the reference (same accept/refuse decision, same status, same floats).
/// The adapter below is the only code that knows the service's names; if they change, only it does.
public enum BodyDecoderUnderTest {
    #if SERVICE_DECODER
        public static let name = "MPCLService.PredictRequestDecoder"
        public static let comparesWithReference = true

        public static func windows(_ body: JSON, layout: InputLayout, maxWindows: Int) throws(BodyDecodeError) -> DecodedWindows {
            do {
                // What `PredictRequestDecoder.decode` checks before the windows (it needs a repository,
                // so the harness calls its two steps itself).
                if case .object(let members) = body {
                    try rejectUnknownKeys(
                        members,
                        allowed: body["windows"] == nil ? PredictRequestDecoder.singleWindowKeys : PredictRequestDecoder.requestKeys,
                        prefix: "")
                }
                let (features, count) = try PredictRequestDecoder.windows(body, layout: layout, maxWindows: maxWindows)
                return DecodedWindows(features: features, count: count)
            } catch {
                throw BodyDecodeError(status: Int(error.status.code), code: error.code, message: error.message, field: error.field)
            }
        }

        public static func calibration(_ value: JSON, featureCount: Int) throws(BodyDecodeError) -> (mean: [Float], std: [Float]) {
            do {
                let n = try PredictRequestDecoder.calibration(value, featureCount: featureCount)
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
