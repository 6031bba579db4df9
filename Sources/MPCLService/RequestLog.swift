import Foundation
import JSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Structured logging: one JSON object per line (request lines and service events), written with a
/// single `write(2)` each so concurrent lines never interleave.
final class RequestLog: Sendable {
    let logRequests: Bool
    private let sink: @Sendable ([UInt8]) -> Void

    init(logRequests: Bool, sink: (@Sendable ([UInt8]) -> Void)? = nil) {
        self.logRequests = logRequests
        self.sink = sink ?? RequestLog.standardOutput
    }

    static let standardOutput: @Sendable ([UInt8]) -> Void = { line in
        line.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(1, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }

    /// method, path, status, duration_ms, bytes (response body), request_id.
    func request(method: String, path: Substring, status: Int, durationSeconds: Double, bytes: Int, requestId: String) {
        guard logRequests else { return }
        let line: JSON = [
            "ts": .string(LoadedModel.timestamp(Date())), "level": "info", "msg": "request",
            "method": .string(String(method.prefix(16))), "path": .string(String(path.prefix(256))),
            "status": .number(Double(status)), "duration_ms": .number((durationSeconds * 1e6).rounded() / 1e3),
            "bytes": .number(Double(bytes)), "request_id": .string(requestId),
        ]
        emit(line)
    }

    /// A service event (startup, model load, reload, shutdown) with extra fields.
    func event(_ message: String, level: String = "info", _ fields: [(String, JSON)] = []) {
        var members: [(key: String, value: JSON)] = [
            ("ts", .string(LoadedModel.timestamp(Date()))), ("level", .string(level)), ("msg", .string(message)),
        ]
        for (key, value) in fields { members.append((key, value)) }
        emit(.object(members))
    }

    private func emit(_ line: JSON) {
        var bytes = line.serialized()
        bytes.append(0x0A)
        sink(bytes)
    }
}
