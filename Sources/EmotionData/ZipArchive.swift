import Compression

/// The entries of a ZIP archive (PKWARE APPNOTE 6.3), read through its central directory:
/// what `np.savez` and `np.savez_compressed` write. Stored (method 0) and deflated (method 8)
/// entries, ZIP64 sizes and offsets; no encryption, no multi-disk archives.
struct ZipArchive {
    struct Entry {
        var name: String
        var method: UInt16
        var crc32: UInt32
        var compressedSize: Int
        var uncompressedSize: Int
        var localHeaderOffset: Int
    }

    let bytes: [UInt8]
    let file: String
    private(set) var entries: [Entry] = []

    init(_ bytes: [UInt8], file: String) throws {
        self.bytes = bytes
        self.file = file
        entries = try readCentralDirectory()
    }

    private func malformed(_ problem: String) -> DataError { DataError(.malformed, file: file, problem) }

    /// Finds the end-of-central-directory record by scanning back over at most a 64 KiB comment.
    private func findEndRecord() throws -> Int {
        let signature: [UInt8] = [0x50, 0x4B, 0x05, 0x06]
        guard bytes.count >= 22 else {
            throw DataError(.wrongFormat, file: file, "not a ZIP archive (too short for an end record)")
        }
        var offset = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 0xFFFF)
        while offset >= lowest {
            if bytes[offset..<(offset + 4)].elementsEqual(signature) { return offset }
            offset -= 1
        }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            throw DataError(.truncated, file: file, "ZIP archive has no end-of-central-directory record (truncated?)")
        }
        throw DataError(.wrongFormat, file: file, "not a ZIP archive (.npz files are ZIP archives)")
    }

    private func readCentralDirectory() throws -> [Entry] {
        let endOffset = try findEndRecord()
        var end = ByteReader(bytes, range: endOffset..<bytes.count, file: file)
        try end.skip(10, for: "the ZIP end record")
        var count = Int(try end.readUInt16(for: "the ZIP end record"))
        var directorySize = Int(try end.readUInt32(for: "the ZIP end record"))
        var directoryOffset = Int(try end.readUInt32(for: "the ZIP end record"))
        if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            (count, directorySize, directoryOffset) = try readZip64EndRecord(before: endOffset)
        }
        guard directoryOffset >= 0, directorySize >= 0, directoryOffset <= bytes.count - directorySize,
            count <= directorySize / 46
        else { throw malformed("ZIP central directory lies outside the file") }
        var reader = ByteReader(bytes, range: directoryOffset..<(directoryOffset + directorySize), file: file)
        var entries: [Entry] = []
        for _ in 0..<count { entries.append(try readDirectoryEntry(&reader)) }
        return entries
    }

    /// The ZIP64 end record, located through the locator just before the classic end record.
    private func readZip64EndRecord(before endOffset: Int) throws -> (Int, Int, Int) {
        guard endOffset >= 20 else { throw malformed("ZIP64 archive has no ZIP64 end locator") }
        var locator = ByteReader(bytes, range: (endOffset - 20)..<endOffset, file: file)
        guard try locator.readUInt32(for: "the ZIP64 locator") == 0x0706_4B50 else {
            throw malformed("ZIP64 archive has no ZIP64 end locator")
        }
        try locator.skip(4, for: "the ZIP64 locator")
        let recordOffset = try locator.readUInt64(for: "the ZIP64 locator")
        guard recordOffset < UInt64(endOffset) else { throw malformed("ZIP64 end record offset is outside the file") }
        var record = ByteReader(bytes, range: Int(recordOffset)..<endOffset, file: file)
        guard try record.readUInt32(for: "the ZIP64 end record") == 0x0606_4B50 else {
            throw malformed("ZIP64 end record signature is missing")
        }
        try record.skip(28, for: "the ZIP64 end record")
        let count = try record.readUInt64(for: "the ZIP64 end record")
        let size = try record.readUInt64(for: "the ZIP64 end record")
        let offset = try record.readUInt64(for: "the ZIP64 end record")
        let limit = UInt64(bytes.count)
        guard count <= limit, size <= limit, offset <= limit else {
            throw malformed("ZIP64 end record values exceed the file")
        }
        return (Int(count), Int(size), Int(offset))
    }

    private func readDirectoryEntry(_ reader: inout ByteReader) throws -> Entry {
        guard try reader.readUInt32(for: "a ZIP directory entry") == 0x0201_4B50 else {
            throw malformed("ZIP central directory entry has a bad signature")
        }
        try reader.skip(4, for: "a ZIP directory entry")
        let flags = try reader.readUInt16(for: "a ZIP directory entry")
        let method = try reader.readUInt16(for: "a ZIP directory entry")
        try reader.skip(4, for: "a ZIP directory entry")
        let crc = try reader.readUInt32(for: "a ZIP directory entry")
        var compressed = UInt64(try reader.readUInt32(for: "a ZIP directory entry"))
        var uncompressed = UInt64(try reader.readUInt32(for: "a ZIP directory entry"))
        let nameLength = Int(try reader.readUInt16(for: "a ZIP directory entry"))
        let extraLength = Int(try reader.readUInt16(for: "a ZIP directory entry"))
        let commentLength = Int(try reader.readUInt16(for: "a ZIP directory entry"))
        try reader.skip(8, for: "a ZIP directory entry")
        var localOffset = UInt64(try reader.readUInt32(for: "a ZIP directory entry"))
        let name = String(decoding: try reader.readBytes(nameLength, for: "a ZIP entry name"), as: UTF8.self)
        var extra = ByteReader(
            bytes, range: reader.position..<(reader.position + min(extraLength, reader.remaining)), file: file)
        try reader.skip(extraLength + commentLength, for: "a ZIP directory entry")
        if flags & 1 != 0 {
            throw DataError(.unsupported, file: file, variable: name, "encrypted ZIP entries are not supported")
        }
        // ZIP64 extended information (id 1): only the fields whose classic value is all ones.
        while extra.remaining >= 4 {
            let id = try extra.readUInt16(for: "a ZIP extra field")
            let size = Int(try extra.readUInt16(for: "a ZIP extra field"))
            guard id == 1 else {
                try extra.skip(size, for: "a ZIP extra field")
                continue
            }
            if uncompressed == 0xFFFF_FFFF { uncompressed = try extra.readUInt64(for: "a ZIP64 field") }
            if compressed == 0xFFFF_FFFF { compressed = try extra.readUInt64(for: "a ZIP64 field") }
            if localOffset == 0xFFFF_FFFF { localOffset = try extra.readUInt64(for: "a ZIP64 field") }
            break
        }
        let limit = UInt64(bytes.count)
        guard compressed <= limit, localOffset <= limit, uncompressed <= UInt64(Int.max / 2) else {
            throw DataError(.malformed, file: file, variable: name, "ZIP entry sizes or offset exceed the file")
        }
        return Entry(
            name: name, method: method, crc32: crc, compressedSize: Int(compressed),
            uncompressedSize: Int(uncompressed), localHeaderOffset: Int(localOffset))
    }

    /// The decompressed bytes of `entry`, checked against its size and CRC-32.
    func contents(of entry: Entry) throws -> [UInt8] {
        let fail = { (kind: DataError.Kind, problem: String) in
            DataError(kind, file: self.file, variable: entry.name, problem)
        }
        var local = ByteReader(bytes, range: entry.localHeaderOffset..<bytes.count, file: file, variable: entry.name)
        guard try local.readUInt32(for: "a ZIP local header") == 0x0403_4B50 else {
            throw fail(.malformed, "ZIP local header has a bad signature")
        }
        try local.skip(22, for: "a ZIP local header")
        let nameLength = Int(try local.readUInt16(for: "a ZIP local header"))
        let extraLength = Int(try local.readUInt16(for: "a ZIP local header"))
        try local.skip(nameLength + extraLength, for: "a ZIP local header")
        let data = try local.readBytes(entry.compressedSize, for: "the compressed entry data")
        let output: [UInt8]
        switch entry.method {
        case 0:
            output = Array(data)
        case 8:
            guard entry.uncompressedSize <= entry.compressedSize * 1032 + 64 else {
                throw fail(
                    .malformed, "entry claims \(entry.uncompressedSize) bytes, more than its compressed data can hold")
            }
            do {
                output = try Inflate.raw(data, maximumOutputSize: entry.uncompressedSize)
            } catch {
                throw fail(error == .truncated(format: .raw) ? .truncated : .malformed, "\(error)")
            }
        default:
            throw fail(.unsupported, "ZIP compression method \(entry.method) is not supported (stored or deflate only)")
        }
        guard output.count == entry.uncompressedSize else {
            throw fail(.truncated, "entry holds \(output.count) bytes, the directory says \(entry.uncompressedSize)")
        }
        guard CRC32.checksum(output) == entry.crc32 else { throw fail(.malformed, "entry fails its CRC-32 check") }
        return output
    }
}
