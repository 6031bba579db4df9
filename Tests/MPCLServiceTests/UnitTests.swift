import JSON
import Testing

@testable import MPCLService

@Suite("Pure pieces")
struct UnitTests {
    @Test func routerMatchesEveryEndpoint() {
        #expect(Router.route("/predict") == .predict)
        #expect(Router.route("/v1/models/a.b_c-1/predict") == .modelPredict("a.b_c-1"))
        #expect(Router.route("/v1/models/x/calibrate") == .calibrate("x"))
        #expect(Router.route("/v1/models/x") == .model("x"))
        #expect(Router.route("/v2/models/x/versions/7/infer") == .v2Infer("x", version: "7"))
        #expect(Router.route("/v2/models/x/ready") == .v2ModelReady("x", version: nil))
        #expect(Router.route("/v1/models/../predict") == nil)
        #expect(Router.route("/v1/models/a%2Fb") == nil)
        #expect(Router.route("/predict/") == nil)
        #expect(Router.route("/v1/models/x/predict/extra") == nil)
    }

    @Test func constantTimeComparison() {
        #expect(Service.constantTimeEquals(Array("token".utf8), Array("token".utf8)))
        #expect(!Service.constantTimeEquals(Array("token".utf8), Array("tokem".utf8)))
        #expect(!Service.constantTimeEquals(Array("token".utf8), Array("token2".utf8)))
        #expect(!Service.constantTimeEquals([], Array("a".utf8)))
        #expect(Service.bearerToken("Bearer  abc ") == "abc")
        #expect(Service.bearerToken("Basic abc") == nil)
    }

    /// The model identity the repository reports: FIPS 180-4's "abc" example, and the empty input.
    @Test func checkpointDigestIsSHA256() {
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func acceptEncodingNegotiation() {
        #expect(Exchange.acceptsGzip(["gzip"]))
        #expect(Exchange.acceptsGzip(["br, gzip;q=0.5"]))
        #expect(Exchange.acceptsGzip(["*"]))
        #expect(!Exchange.acceptsGzip(["gzip;q=0"]))
        #expect(!Exchange.acceptsGzip(["br", "identity"]))
    }

    @Test func prometheusTextFormat() {
        let registry = PrometheusRegistry()
        let counter = registry.counter("c_total", "A counter.")
        let histogram = registry.histogram("h_seconds", "A histogram.", buckets: [0.1, 1])
        counter.increment(["a": "x\"y"])
        histogram.observe(0.5)
        histogram.observe(5)
        let text = registry.render()
        #expect(text.contains("# TYPE c_total counter\nc_total{a=\"x\\\"y\"} 1\n"))
        #expect(text.contains("h_seconds_bucket{le=\"0.1\"} 0\nh_seconds_bucket{le=\"1\"} 1\nh_seconds_bucket{le=\"+Inf\"} 2\n"))
        #expect(text.contains("h_seconds_sum 5.5\nh_seconds_count 2\n"))
    }

    @Test func configurationValidation() {
        var configuration = ServiceConfiguration()
        #expect(configuration.validationErrors().isEmpty)
        configuration.port = 70000
        configuration.tlsCertificatePath = "/x"
        #expect(configuration.validationErrors().count == 2)
    }
}
