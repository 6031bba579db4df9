import CZlib

/// Incremental decompression of one compressed input, handing out the output in bounded pieces.
///
/// Readers use this when the size of what they need is only known after the first few decoded
/// bytes (a MAT `miCOMPRESSED` element announces its inner size in its first 8 bytes): they pull
/// exactly what they need and never hold more than they asked for, whatever the stream claims.
///
/// The `z_stream` lives on the heap because zlib keeps a pointer back to it and rejects a stream
/// that has moved; the input is copied once so that its address is stable for zlib's lifetime.
public final class InflateStream {
    public let format: CompressionFormat
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableBufferPointer<UInt8>
    /// Whether the (last) member's end marker and checksum have been read.
    public private(set) var isFinished = false
    /// Total bytes produced so far.
    public private(set) var producedCount = 0

    /// Prepares to decode `bytes` in `format`.
    public init<Bytes: Collection>(_ bytes: Bytes, format: CompressionFormat) throws(CompressionError)
    where Bytes.Element == UInt8 {
        self.format = format
        input = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(bytes.count, 1))
        _ = input.initialize(from: bytes)
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        stream.pointee.next_in = input.baseAddress
        stream.pointee.avail_in = UInt32(clamping: bytes.count)
        let status = inflateInit2_(stream, format.windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            input.deallocate()
            throw .library(reason: "inflateInit2 returned \(status)")
        }
        // ZIP/MAT inputs beyond 4 GiB are refused by their readers long before this point.
        if bytes.count > Int(UInt32.max) { isFinished = true }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    /// Bytes of input not consumed yet (after the end of the stream: trailing data).
    public var remainingInputCount: Int { Int(stream.pointee.avail_in) }

    /// Decodes up to `count` more bytes. Returns fewer only when the stream has ended.
    /// Throws `.truncated` when the input runs out first and `.corrupt` on invalid data.
    public func read(upTo count: Int) throws(CompressionError) -> [UInt8] {
        var output: [UInt8] = []
        guard count > 0, !isFinished else { return output }
        // Grow in bounded steps so a large `count` costs memory only as data actually arrives.
        let step = min(count, 1 << 16)
        var chunk = [UInt8](repeating: 0, count: step)
        while output.count < count, !isFinished {
            let want = min(step, count - output.count)
            let produced = try chunk.withUnsafeMutableBufferPointer { buffer throws(CompressionError) -> Int in
                stream.pointee.next_out = buffer.baseAddress
                stream.pointee.avail_out = UInt32(want)
                let status = inflate(stream, Z_NO_FLUSH)
                let produced = want - Int(stream.pointee.avail_out)
                try handle(status: status, produced: produced)
                return produced
            }
            output.append(contentsOf: chunk[0..<produced])
            producedCount += produced
        }
        return output
    }

    /// Maps zlib's status to progress, end of stream, or an error; restarts for a further gzip member.
    private func handle(status: Int32, produced: Int) throws(CompressionError) {
        switch status {
        case Z_OK:
            return
        case Z_STREAM_END:
            if format == .gzip, startsAnotherGzipMember() {
                guard inflateReset(stream) == Z_OK else { throw .library(reason: "inflateReset failed") }
            } else {
                isFinished = true
            }
        case Z_BUF_ERROR:
            // No progress possible: with output space available this means the input ran out.
            if stream.pointee.avail_in == 0 && produced == 0 { throw .truncated(format: format) }
        case Z_NEED_DICT:
            throw .corrupt(format: format, reason: "stream needs a preset dictionary, which is not supported")
        case Z_DATA_ERROR:
            let message = stream.pointee.msg.map { String(cString: $0) } ?? "invalid data"
            throw .corrupt(format: format, reason: message)
        case Z_MEM_ERROR:
            throw .library(reason: "out of memory")
        default:
            throw .library(reason: "inflate returned \(status)")
        }
        if !isFinished && produced == 0 && stream.pointee.avail_in == 0 && status != Z_STREAM_END {
            throw .truncated(format: format)
        }
    }

    /// RFC 1952 §2.2: a gzip file is a series of members; another one starts with 1f 8b.
    private func startsAnotherGzipMember() -> Bool {
        let remaining = Int(stream.pointee.avail_in)
        guard remaining >= 2, let next = stream.pointee.next_in else { return false }
        return next[0] == 0x1f && next[1] == 0x8b
    }
}
