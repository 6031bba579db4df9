import Testing

@testable import EmotionData

@Suite struct NumPyReaderTests {
    @Test(arguments: ["le_f4", "be_f8", "fortran_cube", "le_i2", "le_u8", "bools", "bytes_u1", "bytes_i1", "scalar"])
    func readsEachDtypeAndOrderExactly(name: String) throws {
        let data = try DataFile.load(path: try Fixtures.path("\(name).npy"))
        let variable = try #require(data.variables.first)
        #expect(variable.name == name)
        Fixtures.expectMatches(variable, try Fixtures.expected()["npy"]?[name])
    }

    @Test(arguments: ["stored.npz", "deflated.npz"])
    func readsSavezAndSavezCompressed(file: String) throws {
        let data = try DataFile.load(path: try Fixtures.path(file))
        #expect(data.variables.map(\.name).sorted() == ["dis_label", "feas", "vids"])
        for name in ["feas", "vids", "dis_label"] {
            Fixtures.expectMatches(try data.variable(name), try Fixtures.expected()["npz"]?[name])
        }
        #expect(try data.variable("feas").elementType == .float32)
    }

    @Test func headerDictParsesAnyKeyOrderAndSpacing() throws {
        let literal = try PythonLiteral.parse("{ \"shape\" : (3,) , 'fortran_order':False,'descr':'<f8', }  ")
        #expect(literal["shape"] == .sequence([.integer(3)]))
        #expect(literal["fortran_order"] == .boolean(false))
        #expect(literal["descr"] == .string("<f8"))
        #expect(try PythonLiteral.parse("()") == .sequence([]))
        #expect(throws: PythonLiteralError.self) { try PythonLiteral.parse("{'a': 1") }
        #expect(throws: PythonLiteralError.self) { try PythonLiteral.parse("{'a': 1} extra") }
    }

    @Test func objectArraysAreRefused() {
        let header = "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }"
        let bytes = npy(header: header, data: [UInt8](repeating: 0, count: 16))
        expectDataError(.unsupported, mentioning: ["obj.npy", "x", "pickle"]) {
            _ = try NPYFile.read(bytes, file: "obj.npy", variable: "x")
        }
    }

    @Test func shortDataAndBadMagicAreTypedErrors() throws {
        let header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }"
        expectDataError(.truncated, mentioning: ["huge.npy"]) {
            _ = try NPYFile.read(npy(header: header, data: [1, 2, 3]), file: "huge.npy", variable: "v")
        }
        expectDataError(.wrongFormat, mentioning: ["plain.npy"]) {
            _ = try NPYFile.read(Array("hello world".utf8), file: "plain.npy", variable: "v")
        }
        let bytes = try Fixtures.bytes("fortran_cube.npy")
        for cut in 0..<bytes.count {
            #expect(throws: DataError.self) { _ = try NPYFile.read(bytes.prefix(cut), file: "cut.npy", variable: "v") }
        }
    }

    @Test(arguments: ["stored.npz", "deflated.npz"])
    func truncatedArchivesAreTypedErrors(file: String) throws {
        let bytes = try Fixtures.bytes(file)
        for cut in 0..<bytes.count {
            #expect(throws: DataError.self) { _ = try NPZFile.read(Array(bytes.prefix(cut)), file: file) }
        }
    }

    @Test func corruptedEntryFailsItsChecksum() throws {
        var bytes = try Fixtures.bytes("stored.npz")
        // The first entry's data begins after its local header; flip a byte well inside it.
        bytes[150] ^= 0xFF
        expectDataError(.malformed, mentioning: ["bad.npz"]) { _ = try NPZFile.read(bytes, file: "bad.npz") }
    }

    /// A version 1.0 .npy file with `header` padded as NumPy does.
    func npy(header: String, data: [UInt8]) -> [UInt8] {
        var text = Array(header.utf8)
        while (10 + text.count + 1) % 64 != 0 { text.append(0x20) }
        text.append(0x0A)
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(text.count & 0xFF), UInt8(text.count >> 8)] + text + data
    }
}
