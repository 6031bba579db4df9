import EmotionVocabulary
import FuzzSupport
import JSON
import MPCL

/// libFuzzer entry point for request bodies: the streaming `/predict` and V2 `infer` decoders
/// against the tree decoders they replaced, on the raw bytes (`StreamingDecoderCheck`,
/// `StreamingV2DecoderCheck`), `JSON.parse` on them, then — when the bytes
/// are JSON — the `/predict` body decoder under test (`BodyDecoderUnderTest`), the calibration
/// decoder and the V2 infer decoder, each against two layouts (the EmotionDict sample with a
/// window limit of 3, and DMER's 913 features with the production limit of 1024).
///
/// Invariants: no crash or hang; JSON errors are `JSONParseError` with an offset inside the input;
/// accepted JSON survives serialise → parse; decoder errors are `BodyDecodeError` with a status of
/// 400/413/422 and a short message; decoded windows have exactly `count × featureCount` floats, all
/// finite; decoded windows re-encoded flat decode to the same floats.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    // The streaming decoders against the tree decoders, on every input (JSON or not); the path
    // model (`/v1/models/{name}/predict`) and whether the V2 model is per-subject are chosen by
    // the input's length.
    for (layout, maxWindows) in [(InputLayout.emotionDictSample, 3), (InputLayout.dmer, 1024)] {
        let pathModel = [nil, "fuzz", "per-subject", "other"][size % 4]
        StreamingDecoderCheck.check(bytes, layout: layout, maxWindows: maxWindows, pathModel: pathModel)
        StreamingV2DecoderCheck.check(bytes, layout: layout, maxWindows: maxWindows, needsCalibration: size % 3 == 1)
    }
    let json: JSON
    do {
        json = try JSON.parse(bytes)
    } catch {
        fuzzCheck(error.offset >= 0 && error.offset <= size, "JSON error offset \(error.offset) outside 0...\(size)")
        fuzzCheck(!error.message.isEmpty, "JSON error without a message")
        return 0
    }
    BodyInvariants.checkJSONRoundTrip(json)
    for (layout, maxWindows) in [(InputLayout.emotionDictSample, 3), (InputLayout.dmer, 1024)] {
        BodyInvariants.checkPredict(json, layout: layout, maxWindows: maxWindows)
        if let calibration = json["calibration"] {
            BodyInvariants.checkCalibration(calibration, featureCount: layout.featureCount)
        }
        BodyInvariants.checkV2(json, layout: layout, maxWindows: maxWindows)
    }
    return 0
}
