/// Why a compressed stream could not be decoded or encoded.
///
/// Each case names the container format so that a caller that wraps several (MAT, ZIP, HTTP) can
/// pass the message on unchanged and still say what went wrong.
public enum CompressionError: Error, Equatable, CustomStringConvertible {
    /// The decoded output would exceed the caller's limit; decoding stopped at the limit.
    case outputLimitExceeded(format: CompressionFormat, limit: Int)
    /// The input ended before the stream did.
    case truncated(format: CompressionFormat)
    /// The input is not a valid stream of this format (bad header, bad code, bad checksum).
    case corrupt(format: CompressionFormat, reason: String)
    /// zlib itself failed (out of memory, bad parameters): not the data's fault.
    case library(reason: String)

    public var description: String {
        switch self {
        case .outputLimitExceeded(let format, let limit):
            return "\(format) stream decompresses to more than the limit of \(limit) bytes"
        case .truncated(let format):
            return "\(format) stream is truncated (input ended before the end of the stream)"
        case .corrupt(let format, let reason):
            return "\(format) stream is corrupt: \(reason)"
        case .library(let reason):
            return "zlib failed: \(reason)"
        }
    }
}

/// The three framings of a DEFLATE stream that we read and write.
public enum CompressionFormat: String, Equatable, Sendable, CustomStringConvertible {
    /// RFC 1950: 2-byte header, DEFLATE data, Adler-32 (MAT `miCOMPRESSED`).
    case zlib
    /// RFC 1951: bare DEFLATE data (ZIP/NPZ method 8).
    case raw
    /// RFC 1952: one or more gzip members, each with a CRC-32 (HTTP `Content-Encoding: gzip`).
    case gzip

    public var description: String { rawValue }

    /// zlib's `windowBits` selector for this framing (15 = 32 KiB window; negative = raw; +16 = gzip).
    var windowBits: Int32 {
        switch self {
        case .zlib: return 15
        case .raw: return -15
        case .gzip: return 15 + 16
        }
    }
}
