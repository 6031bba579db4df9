import Randomness
import Testing

@testable import EmotionData

/// Flipping bytes anywhere in a valid file must give a value or a DataError, never a crash.
@Suite struct CorruptionFuzzTests {
    @Test(arguments: [
        "mat_plain.mat", "mat_compressed.mat", "mat_bigendian.mat", "stored.npz", "deflated.npz", "fortran_cube.npy",
    ])
    func byteFlipsNeverCrash(file: String) throws {
        let original = try Fixtures.bytes(file)
        var random = SeededGenerator(seed: 2024)
        for _ in 0..<400 {
            var bytes = original
            for _ in 0..<random.nextInt(in: 1...4) {
                bytes[random.nextInt(in: 0...(bytes.count - 1))] = UInt8(truncatingIfNeeded: random.next())
            }
            do {
                if file.hasSuffix(".mat") {
                    _ = try MATFile.read(bytes, file: file)
                } else if file.hasSuffix(".npz") {
                    _ = try NPZFile.read(bytes, file: file)
                } else {
                    _ = try NPYFile.read(bytes, file: file, variable: "v")
                }
            } catch let error as DataError {
                #expect(error.description.hasPrefix(file))
            }
        }
    }
}
