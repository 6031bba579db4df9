import Foundation
import Testing
@testable import HTTP1

/// Throughput check with `wrk`, off by default (needs a release build to mean anything):
/// `HTTP1_BENCH=1 swift test -c release --scratch-path .build-http1 --filter HTTP1Tests.Benchmark`
@Suite("Benchmark")
struct Benchmark {
    static var enabled: Bool {
        ProcessInfo.processInfo.environment["HTTP1_BENCH"] != nil
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk")
    }

    @Test(.enabled(if: enabled))
    func tinyGET() throws {
        let env = ProcessInfo.processInfo.environment
        let loops = Int(env["HTTP1_BENCH_LOOPS"] ?? "") ?? 2
        let body: [UInt8] = Array("ok".utf8)
        try withServer(loops: loops, handler: { _, responder in responder.send(HTTPResponse(body: body)) }) { server in
            let result = try run("/usr/bin/wrk", ["-t", env["HTTP1_BENCH_THREADS"] ?? "2", "-c", "64", "-d",
                                                  env["HTTP1_BENCH_SECONDS"] ?? "5", "http://127.0.0.1:\(server.port)/"])
            print(result.output)
            #expect(result.status == 0)
            #expect(!result.output.contains("Non-2xx"))
        }
    }
}
