import CZlib

/// One-shot compression: gzip for HTTP responses, zlib for writing MAT data.
public enum Deflate {
    /// The default trade-off zlib recommends (6); 1 is fastest, 9 smallest, 0 stores.
    public static let defaultLevel = 6

    /// Compresses `bytes` as one gzip member (RFC 1952).
    public static func gzip(_ bytes: [UInt8], level: Int = defaultLevel) throws(CompressionError) -> [UInt8] {
        try compress(bytes, format: .gzip, level: level)
    }

    /// Compresses `bytes` as a zlib stream (RFC 1950).
    public static func zlib(_ bytes: [UInt8], level: Int = defaultLevel) throws(CompressionError) -> [UInt8] {
        try compress(bytes, format: .zlib, level: level)
    }

    /// Compresses in a single `deflate(Z_FINISH)` call into a buffer of `deflateBound` size, which
    /// zlib guarantees is enough; the stream is heap-allocated because zlib rejects one that moves.
    public static func compress(_ bytes: [UInt8], format: CompressionFormat, level: Int) throws(CompressionError)
        -> [UInt8]
    {
        guard (0...9).contains(level) else { throw .library(reason: "compression level \(level) is not in 0...9") }
        guard bytes.count < Int(UInt32.max) else {
            throw .library(reason: "input of \(bytes.count) bytes is too large")
        }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer {
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
        let status = deflateInit2_(
            stream, Int32(level), Z_DEFLATED, format.windowBits, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
            Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw .library(reason: "deflateInit2 returned \(status)") }
        defer { deflateEnd(stream) }
        // deflateBound does not count the gzip header/trailer beyond zlib's: add headroom.
        let bound = Int(deflateBound(stream, uLong(bytes.count))) + 64
        var output = [UInt8](repeating: 0, count: bound)
        var input = bytes
        let result = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target -> (Int32, Int) in
                stream.pointee.next_in = source.baseAddress
                stream.pointee.avail_in = UInt32(source.count)
                stream.pointee.next_out = target.baseAddress
                stream.pointee.avail_out = UInt32(target.count)
                let status = deflate(stream, Z_FINISH)
                return (status, target.count - Int(stream.pointee.avail_out))
            }
        }
        guard result.0 == Z_STREAM_END else { throw .library(reason: "deflate returned \(result.0)") }
        output.removeSubrange(result.1...)
        return output
    }
}
