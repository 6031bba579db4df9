import Compression
import Foundation
import JSON
import Testing

@testable import EmotionData

@Suite struct MATReaderTests {
    @Test(arguments: ["mat_plain.mat", "mat_compressed.mat"])
    func readsEveryNumericClassExactly(file: String) throws {
        let data = try DataFile.load(path: try Fixtures.path(file))
        let expected = try Fixtures.expected()
        let names = try #require(expected["mat"]?.objectValue).map(\.key)
        for name in names {
            Fixtures.expectMatches(try data.variable(name), expected["mat"]?[name])
        }
        #expect(try data.variable("single2d").elementType == .float32)
        #expect(try data.variable("int16row").elementType == .int16)
        #expect(try data.variable("flag").elementType == .bool)
    }

    @Test(arguments: ["mat_plain.mat", "mat_compressed.mat"])
    func threeDimensionalArraysAreRowMajor(file: String) throws {
        let cube = try DataFile.load(path: try Fixtures.path(file)).variable("cube")
        #expect(cube.shape == [2, 3, 4])
        // numpy: np.arange(24).reshape(2,3,4) * 0.5 - 3 → element (1,2,3) = 23 * 0.5 - 3
        #expect(cube.values[((1 * 3) + 2) * 4 + 3] == 8.5)
    }

    @Test(arguments: ["mat_plain.mat", "mat_compressed.mat"])
    func charArraysReadAsText(file: String) throws {
        let data = try DataFile.load(path: try Fixtures.path(file))
        #expect(try data.variable("label").text == "mixed")
    }

    @Test(arguments: ["mat_plain.mat", "mat_compressed.mat"])
    func unsupportedVariablesAreSkippedNotFatal(file: String) throws {
        let data = try DataFile.load(path: try Fixtures.path(file))
        #expect(data.skipped.keys.sorted() == ["cellvar", "cplx"])
        expectDataError(.unsupported, mentioning: [file, "cplx", "complex"]) { _ = try data.variable("cplx") }
        expectDataError(.unsupported, mentioning: [file, "cellvar", "cell"]) { _ = try data.variable("cellvar") }
        expectDataError(.missingVariable, mentioning: [file, "absent"]) { _ = try data.variable("absent") }
    }

    @Test func readsBigEndianFilesAndNarrowStorage() throws {
        let data = try DataFile.load(path: try Fixtures.path("mat_bigendian.mat"))
        let expected = try Fixtures.expected()["mat_bigendian"]
        for name in ["bevals", "benarrow", "bei8"] {
            Fixtures.expectMatches(try data.variable(name), expected?[name])
        }
        #expect(try data.variable("benarrow").elementType == .float64)
    }

    @Test func writerOutputReadsBack() throws {
        let cube = Variable(name: "cube", shape: [3, 2, 4], values: (0..<24).map { Double($0) * 1.25 - 7 })
        let single = Variable(name: "s", shape: [2, 2], values: [0.5, 1.5, -2, 3], elementType: .float32)
        let vector = Variable(name: "vector", shape: [5], values: [1, 2, 3, 4, 5])
        for compressed in [false, true] {
            let bytes = try MATWriter.encode([cube, single, vector], compressed: compressed)
            let data = try MATFile.read(bytes, file: "written.mat")
            #expect(try data.variable("cube") == cube)
            #expect(try data.variable("s") == single)
            #expect(try data.variable("vector").shape == [5, 1])
            #expect(try data.variable("vector").values == vector.values)
        }
    }
}

@Suite struct MATReaderErrorTests {
    @Test(arguments: ["mat_plain.mat", "mat_compressed.mat", "mat_bigendian.mat"])
    func truncationAtEveryCutIsATypedError(file: String) throws {
        let bytes = try Fixtures.bytes(file)
        for cut in 0..<bytes.count {
            do {
                let data = try MATFile.read(Array(bytes.prefix(cut)), file: file)
                // A cut exactly between two variables is a valid, shorter file.
                #expect(data.variables.count + data.skipped.count < 20)
            } catch let error as DataError {
                #expect(error.description.hasPrefix(file))
                #expect([.truncated, .malformed, .wrongFormat].contains(error.kind), "cut \(cut): \(error)")
            }
        }
    }

    @Test func wrongMagicIsRejected() {
        var bytes = [UInt8](repeating: 0x41, count: 300)
        expectDataError(.wrongFormat, mentioning: ["junk.mat", "MAT"]) { _ = try MATFile.read(bytes, file: "junk.mat") }
        bytes = Array("PK\u{3}\u{4}".utf8)
        expectDataError(.truncated, mentioning: ["tiny.mat"]) { _ = try MATFile.read(bytes, file: "tiny.mat") }
    }

    @Test func version73IsDetectedBySignatureAndByText() {
        var bytes = [UInt8](repeating: 0, count: 1024)
        let text = Array("MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon".utf8)
        bytes.replaceSubrange(0..<text.count, with: text)
        expectDataError(.hdf5, mentioning: ["v73.mat", "-v7"]) { _ = try MATFile.read(bytes, file: "v73.mat") }
        var signed = [UInt8](repeating: 0x20, count: 1024)
        signed.replaceSubrange(512..<520, with: [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A])
        expectDataError(.hdf5, mentioning: ["h5.mat", "save("]) { _ = try MATFile.read(signed, file: "h5.mat") }
    }

    @Test func lyingCompressedSizeIsRefusedWithoutAllocating() throws {
        var bytes = try MATWriter.encode(
            [Variable(name: "x", shape: [2, 2], values: [1, 2, 3, 4])], compressed: false)
        // Wrap a tag that claims 2 GiB into a small zlib stream.
        let inner: [UInt8] = [14, 0, 0, 0, 0, 0, 0, 0x80] + [UInt8](repeating: 0, count: 64)
        let packed = try Deflate.zlib(inner)
        bytes =
            Array(bytes.prefix(128)) + [15, 0, 0, 0]
            + withUnsafeBytes(of: UInt32(packed.count).littleEndian, Array.init) + packed
        expectDataError(.malformed, mentioning: ["lie.mat", "claims"]) { _ = try MATFile.read(bytes, file: "lie.mat") }
    }

    @Test func corruptCompressedDataIsMalformed() throws {
        var bytes = try Fixtures.bytes("mat_compressed.mat")
        for index in 140..<200 { bytes[index] ^= 0x5A }
        do {
            _ = try MATFile.read(bytes, file: "flipped.mat")
            Issue.record("corrupt data was accepted")
        } catch let error as DataError {
            #expect(error.description.contains("flipped.mat"))
        }
    }
}
