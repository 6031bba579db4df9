import Foundation
import Glibc
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
            let before = cpuSeconds(), userBefore = cpuSeconds(userOnly: true)
            let result = try run("/usr/bin/wrk", ["-t", env["HTTP1_BENCH_THREADS"] ?? "2", "-c", "64", "-d",
                                                  env["HTTP1_BENCH_SECONDS"] ?? "5", "http://127.0.0.1:\(server.port)/"])
            let cpu = cpuSeconds() - before, user = cpuSeconds(userOnly: true) - userBefore
            print(result.output)
            // Server CPU per request is the stable figure on a shared machine; req/s is not.
            let words = result.output.split(whereSeparator: { $0 == " " || $0 == "\n" })
            if let i = words.firstIndex(of: "requests"), i > 0, let count = Double(words[i - 1]) {
                print("server CPU per request: \(Int(cpu / count * 1e9)) ns (user \(Int(user / count * 1e9)) ns)")
            }
            fflush(stdout)
            #expect(result.status == 0)
            #expect(!result.output.contains("Non-2xx"))
        }
    }
}

/// User plus system CPU seconds consumed by this process so far.
func cpuSeconds(userOnly: Bool = false) -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    return userOnly ? user : user + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}
