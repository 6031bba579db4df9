/// A throwaway RSA key and self-signed certificate for `localhost`, written by openssl into
/// `directory` (as `key.pem` and `cert.pem`) for tests that serve TLS.
public struct SelfSignedCertificate {
    public static let opensslPath = "/usr/bin/openssl"

    public let certificatePath: String
    public let keyPath: String

    public init(in directory: String) throws {
        keyPath = directory + "/key.pem"
        certificatePath = directory + "/cert.pem"
        let openssl = try ChildProcess.run(
            Self.opensslPath,
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1",
                "-keyout", keyPath, "-out", certificatePath,
            ])
        guard openssl.status == 0 else {
            throw ChildProcessError(description: "openssl failed: \(openssl.stderr)")
        }
    }
}
