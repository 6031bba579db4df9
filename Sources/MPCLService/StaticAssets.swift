import Foundation
import HTTP1

/// The self-contained page at `/` (HTML + JS, no CDN, no build step) and the example request bodies
/// it offers, read once from the bundled resources.
struct StaticAssets: Sendable {
    let page: [UInt8]
    let examples: [UInt8]

    /// Loads both resources; a missing one is served as a plain 404 rather than failing startup.
    init(bundle: Bundle = .module) {
        func read(_ name: String, _ type: String) -> [UInt8] {
            guard let path = bundle.path(forResource: name, ofType: type), let data = FileManager.default.contents(atPath: path) else {
                return []
            }
            return Array(data)
        }
        page = read("index", "html")
        examples = read("examples", "json")
    }

    /// The page: scripts only from itself, data only from this server.
    var pageResponse: HTTPResponse {
        HTTPResponse(
            status: .ok,
            headers: [
                "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache",
                "Content-Security-Policy": "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
                "X-Content-Type-Options": "nosniff",
            ], body: page)
    }

    var examplesResponse: HTTPResponse {
        HTTPResponse(status: .ok, headers: ["Content-Type": "application/json", "Cache-Control": "no-cache"], body: examples)
    }
}
