import COpenSSL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Server-side OpenSSL context built once from PEM files.
public struct TLSError: Error, CustomStringConvertible {
    public let description: String
}

final class TLSContext: @unchecked Sendable {
    let ctx: OpaquePointer

    init(certificatePath: String, privateKeyPath: String) throws {
        guard let ctx = SSL_CTX_new(TLS_server_method()) else { throw TLSError(description: "SSL_CTX_new failed") }
        self.ctx = ctx
        // Partial writes and a moving buffer: our output array may grow or move between retries.
        _ = SSL_CTX_ctrl(
            ctx, SSL_CTRL_MODE,
            Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER), nil)
        _ = SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, Int(TLS1_2_VERSION), nil)
        guard SSL_CTX_use_certificate_chain_file(ctx, certificatePath) == 1 else {
            throw TLSError(description: "cannot load certificate \(certificatePath): \(Self.lastError())")
        }
        guard SSL_CTX_use_PrivateKey_file(ctx, privateKeyPath, SSL_FILETYPE_PEM) == 1 else {
            throw TLSError(description: "cannot load private key \(privateKeyPath): \(Self.lastError())")
        }
        guard SSL_CTX_check_private_key(ctx) == 1 else {
            throw TLSError(description: "certificate and private key do not match")
        }
    }

    deinit { SSL_CTX_free(ctx) }

    static func lastError() -> String {
        let code = ERR_get_error()
        guard code != 0 else { return "unknown error" }
        var buf = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buf, buf.count)
        return String(cString: buf)
    }
}

/// One TLS connection over a non-blocking socket. OpenSSL's WANT_READ / WANT_WRITE map onto
/// `IOResult.wouldBlock` so the connection waits on the right source.
final class TLSSession {
    private let ssl: OpaquePointer
    private(set) var handshakeDone = false

    init?(context: TLSContext, fd: Int32) {
        guard let ssl = SSL_new(context.ctx) else { return nil }
        self.ssl = ssl
        SSL_set_fd(ssl, fd)
        SSL_set_accept_state(ssl)
    }

    deinit { SSL_free(ssl) }

    /// Advances the handshake; `.bytes(0)` means done.
    func handshake() -> IOResult {
        ERR_clear_error()
        let rc = SSL_do_handshake(ssl)
        if rc == 1 {
            handshakeDone = true
            return .bytes(0)
        }
        return map(rc)
    }

    func read(_ buffer: UnsafeMutableRawPointer, _ count: Int) -> IOResult {
        ERR_clear_error()
        let rc = SSL_read(ssl, buffer, Int32(clamping: count))
        return rc > 0 ? .bytes(Int(rc)) : map(rc)
    }

    func write(_ buffer: UnsafeRawPointer, _ count: Int) -> IOResult {
        ERR_clear_error()
        let rc = SSL_write(ssl, buffer, Int32(clamping: count))
        return rc > 0 ? .bytes(Int(rc)) : map(rc)
    }

    /// Decrypted bytes OpenSSL holds that no read source can report.
    var hasBufferedData: Bool { SSL_pending(ssl) > 0 }

    /// Sends close_notify, best effort (the socket is closed right after).
    func shutdown() {
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
    }

    private func map(_ rc: Int32) -> IOResult {
        switch SSL_get_error(ssl, rc) {
        case SSL_ERROR_WANT_READ: return .wouldBlock(wantWrite: false)
        case SSL_ERROR_WANT_WRITE: return .wouldBlock(wantWrite: true)
        case SSL_ERROR_ZERO_RETURN: return .eof
        case SSL_ERROR_SYSCALL where rc == 0: return .eof
        default: return .failed
        }
    }
}
