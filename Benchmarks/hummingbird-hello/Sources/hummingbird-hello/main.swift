import Hummingbird

/// GET /healthz → "ok\n" (text/plain), on 127.0.0.1:PORT (argv[1], default 8081). No per-request logging.
let port = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 8081 : 8081
let router = Router()
router.get("healthz") { _, _ in "ok\n" }
// No request-logging middleware: the default logger only reports startup.
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
