/// One-shot decompression with a hard cap on the output size.
///
/// The cap is what makes it safe to decode untrusted input: a few kilobytes of DEFLATE can expand
/// to gigabytes, so decoding stops (and throws) as soon as the output would pass `maximumOutputSize`,
/// and memory never grows beyond the cap plus one 64 KiB step.
public enum Inflate {
    /// Decodes a complete stream in `format`. Trailing bytes after the stream are an error, since
    /// every caller knows the exact extent of its compressed data.
    public static func decompress<Bytes: Collection>(
        _ bytes: Bytes, format: CompressionFormat, maximumOutputSize: Int
    ) throws(CompressionError) -> [UInt8] where Bytes.Element == UInt8 {
        let stream = try InflateStream(bytes, format: format)
        var output: [UInt8] = []
        while !stream.isFinished {
            let room = maximumOutputSize - output.count
            // Ask for one byte more than the room left: getting it proves the cap is exceeded.
            let piece = try stream.read(upTo: min(room + 1, 1 << 16))
            if piece.count > room { throw .outputLimitExceeded(format: format, limit: maximumOutputSize) }
            output.append(contentsOf: piece)
        }
        if stream.remainingInputCount > 0 {
            throw .corrupt(format: format, reason: "\(stream.remainingInputCount) bytes after the end of the stream")
        }
        return output
    }

    /// Decodes an RFC 1950 zlib stream.
    public static func zlib<Bytes: Collection>(_ bytes: Bytes, maximumOutputSize: Int) throws(CompressionError)
        -> [UInt8]
    where Bytes.Element == UInt8 {
        try decompress(bytes, format: .zlib, maximumOutputSize: maximumOutputSize)
    }

    /// Decodes an RFC 1951 raw DEFLATE stream.
    public static func raw<Bytes: Collection>(_ bytes: Bytes, maximumOutputSize: Int) throws(CompressionError)
        -> [UInt8]
    where Bytes.Element == UInt8 {
        try decompress(bytes, format: .raw, maximumOutputSize: maximumOutputSize)
    }

    /// Decodes RFC 1952 gzip data: all members, concatenated.
    public static func gzip<Bytes: Collection>(_ bytes: Bytes, maximumOutputSize: Int) throws(CompressionError)
        -> [UInt8]
    where Bytes.Element == UInt8 {
        try decompress(bytes, format: .gzip, maximumOutputSize: maximumOutputSize)
    }
}
