import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a finished child process said.
public struct ProcessOutput: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// A child process that did not finish (or did not close its output) in the time a test allows
/// it, or that failed at what a helper here needed it for.
public struct ChildProcessError: Error, CustomStringConvertible {
    public let description: String
}

/// A program the tests start (the trainer binary, openssl, curl, python, a headless browser). Its
/// standard output and error are read on threads of their own while it runs, so a chatty child
/// never blocks on a full pipe, and every wait is bounded: a child still running at the deadline
/// is killed and reported, so a test fails instead of hanging.
public final class ChildProcess: @unchecked Sendable {
    private let process = Process()
    private let exited = DispatchGroup()
    private let drained = DispatchGroup()
    private let stdout = Collector()
    private let stderr = Collector()

    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let exited = exited
        exited.enter()
        process.terminationHandler = { _ in exited.leave() }
        do {
            try process.run()
        } catch {
            exited.leave()
            throw error
        }
        collect(output, into: stdout)
        collect(errors, into: stderr)
    }

    /// Starts `executable` and waits for it (see `finish`).
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, timeout: Double = 600
    ) throws -> ProcessOutput {
        try ChildProcess(executable, arguments, environment: environment).finish(timeout: timeout)
    }

    public var isRunning: Bool { process.isRunning }

    /// SIGKILL: no chance to clean up, as after a crash or an out-of-memory kill.
    public func kill() { _ = signalProcess(process.processIdentifier, SIGKILL) }

    /// Waits at most `timeout` seconds for the child to exit and its output to close. A child still
    /// running then is killed and `ChildProcessError` thrown.
    public func finish(timeout: Double = 600) throws -> ProcessOutput {
        guard exited.wait(timeout: .now() + timeout) == .success else {
            kill()
            _ = exited.wait(timeout: .now() + 30)
            throw ChildProcessError(description: "\(process.executableURL?.path ?? "?") still ran after \(timeout) s and was killed")
        }
        // The pipes close when the child and anything it started that inherited them have gone.
        guard drained.wait(timeout: .now() + 30) == .success else {
            throw ChildProcessError(description: "\(process.executableURL?.path ?? "?") exited but its output stayed open")
        }
        process.waitUntilExit()  // returns at once: the termination handler has run
        return ProcessOutput(status: process.terminationStatus, stdout: stdout.text, stderr: stderr.text)
    }

    private func collect(_ pipe: Pipe, into collector: Collector) {
        drained.enter()
        let drained = drained
        let handle = pipe.fileHandleForReading
        onOwnThread {
            defer { drained.leave() }
            collector.store(handle.readDataToEndOfFile())
        }
    }

    /// Bytes read on one thread and taken on another.
    private final class Collector: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()

        func store(_ bytes: Data) { lock.withLock { data = bytes } }
        var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
    }
}

/// `kill(2)`, named apart from `ChildProcess.kill()` which would shadow it.
private func signalProcess(_ pid: pid_t, _ signal: Int32) -> Int32 { kill(pid, signal) }
