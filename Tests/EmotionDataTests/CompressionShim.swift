import Compression

/// zlib-compresses test data (the Compression module is a dependency of EmotionData).
func Compression_zlib(_ bytes: [UInt8]) throws -> [UInt8] { try Deflate.zlib(bytes) }
