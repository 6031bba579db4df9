import Foundation

@testable import HTTP1

/// Runs `body` against a started server on an ephemeral port and stops it afterwards.
func withServer(
    limits: HTTPLimits = HTTPLimits(),
    loops: Int = 2,
    configure: (inout HTTPServerConfiguration) -> Void = { _ in },
    handler: @escaping HTTPServer.Handler,
    _ body: (HTTPServer) throws -> Void
) throws {
    var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, limits: limits, eventLoopCount: loops)
    configure(&configuration)
    let server = HTTPServer(configuration: configuration, handler: handler)
    try server.start()
    defer { server.stop() }
    try body(server)
}

/// Echoes method, target and body; used by most server tests.
let echoHandler: HTTPServer.Handler = { request, responder in
    var headers = HTTPHeaders()
    headers.add(name: "X-Method", value: request.method)
    headers.add(name: "X-Target", value: request.target)
    responder.send(HTTPResponse(status: .ok, headers: headers, body: request.body))
}
