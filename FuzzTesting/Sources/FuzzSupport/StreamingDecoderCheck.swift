import EmotionVocabulary
import JSON

#if SERVICE_DECODER
    @testable import MPCLService

    /// A model as the `/predict` decoder sees it, for the harness (no checkpoint needed).
    struct FuzzTarget: PredictTarget {
        let name: String
        let layout: InputLayout
        let needsCalibration: Bool
    }
#endif

/// The streaming `/predict` decoder (bytes → features, no tree) against the tree decoder it
/// replaced (`TreePredictDecoder`): on every input, JSON or not, both must give the same features
/// (bit for bit), window count, aggregate flag and calibration, or the same error — status, code,
/// message and field. Both resolve models through the same lookup: the model `fuzz` (also the
/// default) and `per-subject` (the same layout, needing calibration); any other name is a 404.
public enum StreamingDecoderCheck {
    public static let enabled: Bool = {
        #if SERVICE_DECODER
            return true
        #else
            return false
        #endif
    }()

    public static func check(_ bytes: UnsafeBufferPointer<UInt8>, layout: InputLayout, maxWindows: Int, pathModel: String?) {
        #if SERVICE_DECODER
            func resolve(_ name: String?) throws(ServiceError) -> FuzzTarget {
                switch name {
                case nil, "fuzz": return FuzzTarget(name: "fuzz", layout: layout, needsCalibration: false)
                case "per-subject": return FuzzTarget(name: "per-subject", layout: layout, needsCalibration: true)
                case let name?: throw .unknownModel(name)
                }
            }
            let streaming: Result<DecodedPredictBody<FuzzTarget>, ServiceError>
            do throws(ServiceError) {
                streaming = .success(
                    try PredictRequestDecoder(maxWindows: maxWindows).decode(bytes, pathModel: pathModel, resolve: resolve))
            } catch {
                streaming = .failure(error)
            }
            let tree: Result<DecodedPredictBody<FuzzTarget>, ServiceError>
            do throws(ServiceError) {
                let json: JSON
                do { json = try JSON.parse(bytes) } catch { throw ServiceError.malformedJSON(error.description) }
                tree = .success(try TreePredictDecoder(maxWindows: maxWindows, resolve: resolve).decode(json, pathModel: pathModel))
            } catch {
                tree = .failure(error)
            }
            let what = "streaming /predict decoder, \(layout.featureCount) features, path model \(pathModel ?? "none")"
            switch (streaming, tree) {
            case (.failure(let a), .failure(let b)):
                fuzzCheck(
                    a.status.code == b.status.code && a.code == b.code && a.message == b.message && a.field == b.field,
                    "\(what): refuses with \(a.status.code) \(a.code) '\(a.message)' (\(a.field ?? "-")), the tree decoder with \(b.status.code) \(b.code) '\(b.message)' (\(b.field ?? "-"))"
                )
            case (.success(let a), .success(let b)):
                fuzzCheck(a.target.name == b.target.name, "\(what): model \(a.target.name) against \(b.target.name)")
                fuzzCheck(a.windows == b.windows, "\(what): \(a.windows) windows against \(b.windows)")
                fuzzCheck(a.aggregate == b.aggregate, "\(what): aggregate \(a.aggregate) against \(b.aggregate)")
                fuzzCheck(
                    a.features.map(\.bitPattern) == b.features.map(\.bitPattern), "\(what): different features")
                fuzzCheck(
                    a.calibration?.mean.map(\.bitPattern) == b.calibration?.mean.map(\.bitPattern)
                        && a.calibration?.std.map(\.bitPattern) == b.calibration?.std.map(\.bitPattern),
                    "\(what): different calibration")
            case (.success, .failure(let b)):
                fuzzFailure("\(what): accepts what the tree decoder refuses with \(b.status.code) \(b.code) '\(b.message)'")
            case (.failure(let a), .success):
                fuzzFailure("\(what): refuses with \(a.status.code) \(a.code) '\(a.message)' what the tree decoder accepts")
            }
        #endif
    }
}
