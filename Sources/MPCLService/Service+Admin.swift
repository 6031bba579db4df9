import Foundation
import JSON

extension Service {
    /// `POST /admin/reload`: rescans the model repository off the event loop and reports what
    /// loaded, stayed, went and failed. With no admin token configured the endpoint does not exist
    /// (404); otherwise a missing or wrong bearer token is 401.
    func adminReload(_ exchange: Exchange) {
        guard let token = configuration.adminToken else { return exchange.fail(.notFound(exchange.request.path)) }
        guard let presented = Self.bearerToken(exchange.request.headers["Authorization"]),
            Self.constantTimeEquals(Array(presented.utf8), Array(token.utf8))
        else { return exchange.fail(.unauthorized) }
        DispatchQueue.global().async { [self] in
            let report = reload(trigger: "admin")
            exchange.respond(report.json)
        }
    }

    /// The credentials of `Authorization: Bearer <token>` (scheme case-insensitive, RFC 6750 §2.1).
    static func bearerToken(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.trimmedOWS().split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].trimmedOWS()
    }

    /// Compares in time that depends only on the lengths, so response timing does not reveal how
    /// many leading bytes of a guess were right.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        let count = max(a.count, b.count)
        for i in 0..<count {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            difference |= x ^ y
        }
        return difference == 0 && a.count == b.count
    }
}
