import Foundation
import TestSupport
import Testing

@testable import MPCLService

/// The healthcheck's probe follows the server's configuration: the recorded port and TLS.
@Suite("Health probe", .serialized)
struct HealthProbeTests {
    static var opensslAvailable: Bool { FileManager.default.isExecutableFile(atPath: SelfSignedCertificate.opensslPath) }

    @Test func aRecordRoundTripsAndAStrayFileIsIgnored() throws {
        let directory = try TemporaryDirectory("probe")
        defer { directory.remove() }
        let path = directory.file("probe.json")
        #expect(ProbeTarget.recorded(at: path) == nil)
        let target = ProbeTarget(bindHost: "0.0.0.0", port: 9000, tls: true)
        try target.record(to: path)
        #expect(ProbeTarget.recorded(at: path) == ProbeTarget(host: "localhost", port: 9000, tls: true))
        for stray in ["", "{", "{\"host\":\"a\",\"port\":70000,\"tls\":false}", "{\"host\":\"a\",\"port\":80}"] {
            try stray.write(toFile: path, atomically: true, encoding: .utf8)
            #expect(ProbeTarget.recorded(at: path) == nil, "\(stray)")
        }
    }

    @Test func wildcardBindsAreProbedOnLoopbackAndSpecificOnesOnThemselves() {
        #expect(ProbeTarget(bindHost: "::", port: 1, tls: false).host == "localhost")
        #expect(ProbeTarget(bindHost: "0.0.0.0", port: 1, tls: false).host == "localhost")
        #expect(ProbeTarget(bindHost: "10.1.2.3", port: 1, tls: false).host == "10.1.2.3")
    }

    @Test(.enabled(if: opensslAvailable))
    func aTLSServerIsProbedOverTLS() throws {
        let directory = try TemporaryDirectory("probe")
        defer { directory.remove() }
        let certificate = try SelfSignedCertificate(in: directory.path)
        try withServer(configure: {
            $0.tlsCertificatePath = certificate.certificatePath
            $0.tlsPrivateKeyPath = certificate.keyPath
        }) { server in
            #expect(HealthProbe.isReady(ProbeTarget(host: "127.0.0.1", port: server.port, tls: true)))
            // A plain-text probe of a TLS server is what made TLS containers unhealthy.
            #expect(!HealthProbe.isReady(ProbeTarget(host: "127.0.0.1", port: server.port, tls: false), timeout: 1))
            server.service.markDrainingForTesting()
            #expect(!HealthProbe.isReady(ProbeTarget(host: "127.0.0.1", port: server.port, tls: true)))
        }
    }
}
