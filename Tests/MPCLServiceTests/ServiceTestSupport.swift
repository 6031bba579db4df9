import EmotionVocabulary
import Foundation
import JSON
import MPCL
import Randomness
import Testing

@testable import MPCLService

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A response as read by the test client.
struct Reply {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSON { (try? JSON.parse(body)) ?? .null }
    /// `error.code` of a service error body.
    var errorCode: String? { json["error"]?["code"]?.stringValue }
    var errorField: String? { json["error"]?["field"]?.stringValue }
}

struct ClientError: Error, CustomStringConvertible { let description: String }

/// Blocking HTTP/1.1 client on a raw socket: exact bytes out, responses read by Content-Length.
final class Client {
    let fd: Int32
    private var pending: [UInt8] = []

    /// `timeout` bounds every read and write; generous, so a busy machine slows a test, not fails it.
    init(port: Int, timeout: Int = 30) throws {
        #if canImport(Glibc)
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            fd = socket(AF_INET, SOCK_STREAM, 0)
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        var interval = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            closeSocket(fd)
            throw ClientError(description: "connect failed")
        }
    }

    deinit { closeSocket(fd) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { sendNoSignal(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n <= 0 { return }
            offset += n
        }
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    /// Sends one request with a Content-Length body and reads the response.
    func request(
        _ method: String, _ target: String, body: [UInt8]? = nil, contentType: String? = "application/json",
        headers: [(String, String)] = []
    ) throws -> Reply {
        send(Self.encode(method, target, body: body, contentType: contentType, headers: headers))
        return try readReply(isHEAD: method == "HEAD")
    }

    func post(_ target: String, json: JSON, headers: [(String, String)] = []) throws -> Reply {
        try request("POST", target, body: json.serialized(), headers: headers)
    }

    func get(_ target: String, headers: [(String, String)] = []) throws -> Reply {
        try request("GET", target, body: nil, contentType: nil, headers: headers)
    }

    static func encode(
        _ method: String, _ target: String, body: [UInt8]?, contentType: String? = "application/json", headers: [(String, String)] = []
    ) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: test\r\n"
        if let contentType, body != nil { head += "Content-Type: \(contentType)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + (body ?? [])
    }

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &chunk, chunk.count, 0)
        guard n > 0 else { return false }
        pending.append(contentsOf: chunk[0..<n])
        return true
    }

    func readReply(isHEAD: Bool = false) throws -> Reply {
        var headEnd: Int?
        while headEnd == nil {
            headEnd = findHeadEnd()
            if headEnd == nil, !fill() { throw ClientError(description: "closed before a response head") }
        }
        let head = String(decoding: pending[0..<headEnd!], as: UTF8.self)
        pending.removeFirst(headEnd! + 4)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw ClientError(description: "bad status line") }
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var reply = Reply(status: status, headers: headers, body: [])
        let length = isHEAD ? 0 : Int(reply.header("Content-Length") ?? "0") ?? 0
        while pending.count < length {
            guard fill() else { throw ClientError(description: "closed mid-body") }
        }
        reply.body = Array(pending[0..<length])
        pending.removeFirst(length)
        return reply
    }

    private func findHeadEnd() -> Int? {
        guard pending.count >= 4 else { return nil }
        for i in 0...(pending.count - 4) where pending[i] == 13 && pending[i + 1] == 10 && pending[i + 2] == 13 && pending[i + 3] == 10 {
            return i
        }
        return nil
    }
}

/// A started service on port 0 with its models in a temporary directory; stopped afterwards.
struct TestServer {
    let service: Service
    let directory: String
    var port: Int { service.port }

    /// In-process reference predictions for the model stored as `name`.
    func predictor(_ name: String = "default") throws -> Predictor {
        Predictor(checkpoint: try Checkpoint.read(from: "\(directory)/\(name).safetensors").checkpoint)
    }

    func client() throws -> Client { try Client(port: port) }
}

/// Writes `models` (name → seed) into a fresh directory, starts the service, runs `body`, stops it.
func withServer(
    models: [String: UInt64] = ["default": 1], perSubject: Set<String> = [],
    configure: (inout ServiceConfiguration) -> Void = { _ in },
    _ body: (TestServer) throws -> Void
) throws {
    let directory = TestModels.directory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    for (name, seed) in models {
        try TestModels.checkpoint(seed: seed, perSubject: perSubject.contains(name)).write(to: "\(directory)/\(name).safetensors")
    }
    var configuration = ServiceConfiguration()
    configuration.host = "127.0.0.1"
    configuration.port = 0
    configuration.modelsDirectory = directory
    configuration.eventLoops = 2
    configuration.workers = 2
    configuration.logRequests = false
    configuration.drainSeconds = 10
    configuration.shutdownGraceSeconds = 0
    configure(&configuration)
    let service = try buildService(configuration, logSink: { _ in })
    try service.start()
    defer { service.shutdown() }
    try body(TestServer(service: service, directory: directory))
}

/// Deterministic windows in the DMER layout, as raw feature rows and as request JSON.
enum Windows {
    static let layout = InputLayout.dmer

    /// Raw features of window `index` (canonical flat order).
    static func features(_ index: Int) -> [Float] {
        var generator = SeededGenerator.derived(from: 17, UInt64(index))
        return (0..<layout.featureCount).map { _ in Float(generator.nextUnit() * 4 - 2) }
    }

    /// The nested request form: eeg [channels][bands], peripheral object of groups, face flat.
    static func nested(_ features: [Float]) -> JSON {
        let eeg = (0..<layout.eegChannels).map { c in
            JSON(numbers: features[(c * layout.eegBands)..<((c + 1) * layout.eegBands)])
        }
        var groups: [(key: String, value: JSON)] = []
        for (index, group) in layout.peripheralGroups.enumerated() {
            groups.append((group.name, JSON(numbers: features[layout.peripheralGroupRange(index)])))
        }
        return ["eeg": .array(eeg), "peripheral": .object(groups), "face": JSON(numbers: features[layout.faceRange])]
    }

    /// The flat request form: eeg channel-major, peripheral one array in group order.
    static func flat(_ features: [Float]) -> JSON {
        [
            "eeg": JSON(numbers: features[layout.eegRange]), "peripheral": JSON(numbers: features[layout.peripheralRange]),
            "face": JSON(numbers: features[layout.faceRange]),
        ]
    }

    static func body(_ indices: [Int], aggregate: Bool = false, flat: Bool = false) -> JSON {
        let windows = indices.map { flat ? Windows.flat(features($0)) : nested(features($0)) }
        return ["windows": .array(windows), "aggregate": .bool(aggregate)]
    }
}

/// The distributions of a `/predict` reply, row-major in label order.
func distributions(_ reply: Reply) -> [Float] {
    let labels = reply.json["labels"]?.arrayValue?.compactMap(\.stringValue) ?? []
    var out: [Float] = []
    for prediction in reply.json["predictions"]?.arrayValue ?? [] {
        for label in labels { out.append(Float(prediction["distribution"]?[label]?.doubleValue ?? .nan)) }
    }
    return out
}

func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

/// Runs blocking client work on a thread of its own. Not on Dispatch's global queues: the server's
/// event loops and off-loop decoding run on that same small pool, and test clients blocked in
/// `recv` there can starve the server they wait for when the machine is busy.
func onOwnThread(_ work: @escaping @Sendable () -> Void) {
    Thread { work() }.start()
}

/// `body(0..<count)` on `count` threads at once, returning when all are done (bounded by `timeout`;
/// false if some did not finish).
@discardableResult
func concurrently(_ count: Int, timeout: Double = 120, _ body: @escaping @Sendable (Int) -> Void) -> Bool {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        onOwnThread {
            defer { group.leave() }
            body(index)
        }
    }
    return group.wait(timeout: .now() + timeout) == .success
}

/// Polls `condition` until true or `timeout` seconds pass (generous: it returns as soon as it holds).
func eventually(timeout: Double = 30, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(5_000)
    }
    return condition()
}

/// `close(2)` and `send(2)` without SIGPIPE, spelled for Glibc and Darwin (the client type's own
/// `send` shadows the C function inside it).
func closeSocket(_ fd: Int32) {
    #if canImport(Glibc)
        _ = Glibc.close(fd)
    #else
        _ = Darwin.close(fd)
    #endif
}

func sendNoSignal(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.send(fd, buffer, count, Int32(MSG_NOSIGNAL))
    #else
        Darwin.send(fd, buffer, count, 0)  // SO_NOSIGPIPE is set on the socket
    #endif
}
