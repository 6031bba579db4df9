import JSON
import MPCL

/// Where a running server can be probed: the address it actually listens on and whether it speaks
/// TLS. The server records it in a small runtime file once bound, so that `mpcl-serve healthcheck`
/// (a separate process started by the container runtime, which sees the container's environment but
/// not the server's command line) probes the server as configured, whether by flag or variable, and
/// even on a port the kernel chose.
public struct ProbeTarget: Equatable, Sendable {
    public var host: String
    public var port: Int
    public var tls: Bool

    /// The default runtime file. /tmp because it is the one directory a read-only container still
    /// has writable by convention (podman's --read-only mounts a tmpfs there; docker needs
    /// `--tmpfs /tmp`, Kubernetes an emptyDir, see deploy/).
    public static let defaultPath = "/tmp/mpcl-serve.probe.json"

    public init(host: String, port: Int, tls: Bool) {
        self.host = host
        self.port = port
        self.tls = tls
    }

    /// The target for a server bound to `bindHost`: a wildcard bind (0.0.0.0, ::, or empty) is
    /// probed on loopback ("localhost": the probe tries 127.0.0.1, then ::1), a specific address on
    /// itself.
    public init(bindHost: String, port: Int, tls: Bool) {
        let wildcard = ["", "0.0.0.0", "::", "[::]", "*"].contains(bindHost)
        self.init(host: wildcard ? "localhost" : bindHost, port: port, tls: tls)
    }

    /// Writes the record atomically, so a concurrent probe reads the old or the new one.
    public func record(to path: String = ProbeTarget.defaultPath) throws(FileError) {
        let json: JSON = ["host": .string(host), "port": .number(Double(port)), "tls": .bool(tls)]
        try AtomicFile.write(json.serialized(), to: path)
    }

    /// The record at `path`; nil when there is none or it is not one (a probe then falls back to
    /// the environment rather than failing on a stray file).
    public static func recorded(at path: String = ProbeTarget.defaultPath) -> ProbeTarget? {
        guard let bytes = try? AtomicFile.read(path, limit: 4096), let json = try? JSON.parse(bytes),
            let host = json["host"]?.stringValue, !host.isEmpty,
            let port = json["port"]?.intValue, (1...65535).contains(port),
            let tls = json["tls"]?.boolValue
        else { return nil }
        return ProbeTarget(host: host, port: port, tls: tls)
    }
}
