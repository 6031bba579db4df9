import Foundation
import TestSupport
import Testing

@testable import HTTP1

@Suite("TLS", .serialized)
struct TLSTests {
    static var toolsAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: SelfSignedCertificate.opensslPath)
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")
    }

    @Test(.enabled(if: toolsAvailable))
    func servesRequestsOverTLS() throws {
        let dir = try TemporaryDirectory("tls")
        defer { dir.remove() }
        let certificate = try SelfSignedCertificate(in: dir.path)

        try withServer(
            configure: {
                $0.tlsCertificatePath = certificate.certificatePath
                $0.tlsPrivateKeyPath = certificate.keyPath
            }, handler: echoHandler
        ) { server in
            let url = "https://127.0.0.1:\(server.port)/secure"
            // Two requests on one connection (keep-alive over TLS) plus a POST body.
            let get = try ChildProcess.run("/usr/bin/curl", ["-sk", "--max-time", "60", "-w", "%{http_code} %{num_connects};", url, url])
            #expect(get.status == 0)
            #expect(get.stdout == "200 1;200 0;")
            let post = try ChildProcess.run("/usr/bin/curl", ["-sk", "--max-time", "60", "-D", "-", "--data-binary", "tls-body", url])
            #expect(post.status == 0)
            #expect(post.stdout.hasPrefix("HTTP/1.1 200 OK"))
            #expect(post.stdout.contains("X-Target: /secure"))
            #expect(post.stdout.hasSuffix("tls-body"))
            // A larger body crosses many TLS records and partial reads.
            let bodyFile = URL(fileURLWithPath: dir.file("body.bin"))
            let big = Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            try big.write(to: bodyFile)
            let echoed = URL(fileURLWithPath: dir.file("echoed.bin"))
            let large = try ChildProcess.run(
                "/usr/bin/curl",
                [
                    "-sk", "--max-time", "60", "-o", echoed.path,
                    "--data-binary", "@" + bodyFile.path, url,
                ])
            #expect(large.status == 0)
            #expect(try Data(contentsOf: echoed) == big)
            // A plain-text client is refused without taking the server down.
            let plain = try TestClient(port: server.port)
            plain.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(plain.waitForClose())
            #expect(eventually { server.openConnections == 0 })
        }
    }

    @Test func missingCertificateFailsToStart() {
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(
                tlsCertificatePath: "/nonexistent/c.pem", tlsPrivateKeyPath: "/nonexistent/k.pem"), handler: echoHandler)
        #expect(throws: TLSError.self) { try server.start() }
    }
}
