#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whole-file reads and crash-safe writes.
public enum AtomicFile {
    /// Writes `bytes` to `path` so that readers see either the old file or the complete new one:
    /// a temporary file in the same directory, fsync, rename over the target, fsync the directory.
    /// A failure at any step removes the temporary file and leaves the target untouched.
    public static func write(_ bytes: [UInt8], to path: String) throws(FileError) {
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let temporary = "\(directory)/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(path: path, reason: "cannot create a file in \(directory): \(errorText())") }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { systemWrite(fd, $0.baseAddress! + written, bytes.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                let reason = errorText()
                close(fd)
                unlink(temporary)
                throw FileError(path: path, reason: "write failed: \(reason)")
            }
            written += result
        }
        if fsync(fd) != 0 {
            let reason = errorText()
            close(fd)
            unlink(temporary)
            throw FileError(path: path, reason: "fsync failed: \(reason)")
        }
        close(fd)
        if rename(temporary, path) != 0 {
            let reason = errorText()
            unlink(temporary)
            throw FileError(path: path, reason: "rename failed: \(reason)")
        }
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// The whole content of `path`, refusing files over `limit` bytes.
    public static func read(_ path: String, limit: Int = 1 << 31) throws(FileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: path, reason: errorText()) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw FileError(path: path, reason: errorText()) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw FileError(path: path, reason: "not a regular file") }
        guard Int(status.st_size) <= limit else { throw FileError(path: path, reason: "file is larger than \(limit) bytes") }
        let size = Int(status.st_size)
        var bytes = [UInt8](repeating: 0, count: size)
        var total = 0
        while total < size {
            let result = bytes.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress! + total, size - total) }
            if result < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, reason: "read failed: \(errorText())")
            }
            if result == 0 { break }
            total += result
        }
        return total == size ? bytes : Array(bytes[..<total])
    }

    static func errorText() -> String { String(cString: strerror(errno)) }
}

/// A file that could not be read or written, and why.
public struct FileError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "\(path): \(reason)" }
}

// `write(2)` and `read(2)` at file scope, where `AtomicFile.write`/`read` do not shadow them
// (one spelling for Glibc and Darwin).
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, buffer, count) }
