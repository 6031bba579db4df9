import CZlib

/// CRC-32 (ISO 3309, the polynomial of gzip and ZIP), via zlib's table-driven implementation.
public enum CRC32 {
    /// The CRC-32 of `bytes`, continuing from `initial` (0 to start a new checksum).
    public static func checksum<Bytes: Collection>(_ bytes: Bytes, continuing initial: UInt32 = 0) -> UInt32
    where Bytes.Element == UInt8 {
        let compute = { (buffer: UnsafeBufferPointer<UInt8>) -> UInt32 in
            guard let base = buffer.baseAddress else { return initial }
            var crc = uLong(initial)
            var offset = 0
            // zlib's length is a 32-bit uInt: feed very large inputs in pieces.
            while offset < buffer.count {
                let length = min(buffer.count - offset, 1 << 30)
                crc = crc32(crc, base + offset, uInt(length))
                offset += length
            }
            return UInt32(truncatingIfNeeded: crc)
        }
        if let result = bytes.withContiguousStorageIfAvailable(compute) { return result }
        return Array(bytes).withUnsafeBufferPointer(compute)
    }
}
