import COpenSSL

/// SHA-256 through OpenSSL's EVP interface: identifies the exact checkpoint a server runs. It lives
/// with the model repository, which decides model identity (an unchanged file keeps its model
/// across a reload), so the model library needs no OpenSSL.
enum SHA256 {
    /// The lowercase hex digest of `bytes`.
    static func hex(_ bytes: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        bytes.withUnsafeBytes { buffer in
            _ = EVP_Digest(buffer.baseAddress, buffer.count, &digest, &length, EVP_sha256(), nil)
        }
        let hex = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in digest { text.append(contentsOf: [hex[Int(byte >> 4)], hex[Int(byte & 15)]]) }
        return String(decoding: text, as: UTF8.self)
    }
}
