import Testing

@testable import Compression

/// A deterministic, mildly compressible payload (text-like, with repeats and variety).
func samplePayload(count: Int, seed: UInt64 = 1) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return UInt8(truncatingIfNeeded: (state >> 59) + 97)
    }
}

@Suite struct InflateRoundTripTests {
    @Test(arguments: [CompressionFormat.zlib, .raw, .gzip])
    func roundTripsEachFormat(format: CompressionFormat) throws {
        let payload = samplePayload(count: 200_000)
        let compressed = try Deflate.compress(payload, format: format, level: 6)
        #expect(compressed.count < payload.count)
        let restored = try Inflate.decompress(compressed, format: format, maximumOutputSize: payload.count)
        #expect(restored == payload)
    }

    @Test func emptyInputRoundTrips() throws {
        let compressed = try Deflate.gzip([])
        #expect(try Inflate.gzip(compressed, maximumOutputSize: 0) == [])
    }

    @Test func gzipHasTheRFC1952MagicAndCRC() throws {
        let payload = Array("hello, gzip".utf8)
        let compressed = try Deflate.gzip(payload)
        #expect(compressed.prefix(2) == [0x1f, 0x8b])
        let trailerCRC = compressed.suffix(8).prefix(4).reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        #expect(trailerCRC == CRC32.checksum(payload))
    }

    @Test func crc32MatchesTheStandardCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        let split = CRC32.checksum(Array("6789".utf8), continuing: CRC32.checksum(Array("12345".utf8)))
        #expect(split == 0xCBF4_3926)
    }

    @Test func gzipMultipleMembersConcatenate() throws {
        let first = Array("first member; ".utf8)
        let second = samplePayload(count: 5000, seed: 7)
        let joined = try Deflate.gzip(first) + Deflate.gzip(second, level: 1) + Deflate.gzip([])
        #expect(try Inflate.gzip(joined, maximumOutputSize: 10_000) == first + second)
    }
}

@Suite struct InflateLimitTests {
    @Test func bombIsStoppedAtTheCap() throws {
        // 64 MiB of zeros compresses to about 64 KiB; the cap is 1 MiB.
        let zeros = [UInt8](repeating: 0, count: 64 << 20)
        let bomb = try Deflate.gzip(zeros, level: 9)
        #expect(bomb.count < 100_000)
        #expect(throws: CompressionError.outputLimitExceeded(format: .gzip, limit: 1 << 20)) {
            try Inflate.gzip(bomb, maximumOutputSize: 1 << 20)
        }
    }

    @Test func outputExactlyAtTheCapIsAccepted() throws {
        let payload = samplePayload(count: 70_000)
        let compressed = try Deflate.zlib(payload)
        #expect(try Inflate.zlib(compressed, maximumOutputSize: 70_000) == payload)
        #expect(throws: CompressionError.outputLimitExceeded(format: .zlib, limit: 69_999)) {
            try Inflate.zlib(compressed, maximumOutputSize: 69_999)
        }
    }

    @Test func streamReadsOnlyWhatIsAsked() throws {
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        let stream = try InflateStream(try Deflate.zlib(zeros), format: .zlib)
        #expect(try stream.read(upTo: 8).count == 8)
        #expect(stream.producedCount == 8)
        #expect(!stream.isFinished)
    }
}

@Suite struct InflateCorruptionTests {
    @Test(arguments: [CompressionFormat.zlib, .raw, .gzip])
    func truncatedStreamsThrowAtEveryCut(format: CompressionFormat) throws {
        let payload = samplePayload(count: 3000)
        let compressed = try Deflate.compress(payload, format: format, level: 6)
        for cut in stride(from: 0, to: compressed.count, by: 7) {
            #expect(throws: CompressionError.self) {
                try Inflate.decompress(compressed.prefix(cut), format: format, maximumOutputSize: 1 << 20)
            }
        }
    }

    @Test func truncationIsReportedAsSuch() throws {
        let compressed = try Deflate.zlib(samplePayload(count: 3000))
        #expect(throws: CompressionError.truncated(format: .zlib)) {
            try Inflate.zlib(compressed.prefix(compressed.count / 2), maximumOutputSize: 1 << 20)
        }
    }

    @Test func badHeaderIsCorrupt() {
        #expect {
            try Inflate.zlib([0x12, 0x34, 0x56, 0x78], maximumOutputSize: 100)
        } throws: { error in
            guard case .corrupt(.zlib, _) = error as? CompressionError else { return false }
            return true
        }
    }

    @Test func flippedChecksumIsCorrupt() throws {
        var compressed = try Deflate.gzip(samplePayload(count: 1000))
        compressed[compressed.count - 6] ^= 0xFF  // inside the CRC-32 trailer
        #expect {
            try Inflate.gzip(compressed, maximumOutputSize: 1 << 20)
        } throws: { error in
            guard case .corrupt(.gzip, let reason) = error as? CompressionError else { return false }
            return reason.contains("check")
        }
    }

    @Test func trailingGarbageIsRejected() throws {
        let compressed = try Deflate.zlib(Array("abc".utf8)) + [1, 2, 3]
        #expect(throws: CompressionError.self) { try Inflate.zlib(compressed, maximumOutputSize: 100) }
    }

    /// Inflation as a value (`Inflate` throws only `CompressionError`, by its signature).
    func inflate(_ bytes: [UInt8], format: CompressionFormat, limit: Int) -> Result<[UInt8], CompressionError> {
        do throws(CompressionError) {
            return .success(try Inflate.decompress(bytes, format: format, maximumOutputSize: limit))
        } catch {
            return .failure(error)
        }
    }

    /// Random bytes either inflate to at most the limit, and that output round-trips, or fail with
    /// a `CompressionError` that names the format (or the cap) asked for.
    @Test func randomBytesInflateWithinTheLimitOrThrowATypedError() throws {
        var state: UInt64 = 99
        let limit = 1 << 16
        for length in [1, 2, 10, 100, 1000] {
            let bytes = (0..<length).map { _ -> UInt8 in
                state = state &* 6_364_136_223_846_793_005 &+ 1
                return UInt8(truncatingIfNeeded: state >> 56)
            }
            for format in [CompressionFormat.zlib, .raw, .gzip] {
                let output: [UInt8]
                switch inflate(bytes, format: format, limit: limit) {
                case .success(let inflated): output = inflated
                case .failure(.outputLimitExceeded(let named, let cap)):
                    #expect(named == format && cap == limit)
                    continue
                case .failure(.truncated(let named)), .failure(.corrupt(let named, _)):
                    #expect(named == format)
                    continue
                case .failure(.library): continue
                }
                #expect(output.count <= limit)
                let again = try Deflate.compress(output, format: format, level: 6)
                #expect(try Inflate.decompress(again, format: format, maximumOutputSize: limit) == output)
            }
        }
    }
}
