import Foundation
import JSON
import MPCL

/// The models being served, swapped atomically on reload.
///
/// Loading and validation happen before the swap and off the request path; a request holds the
/// `LoadedModel` it resolved, so in-flight work finishes on the old model. A file that fails to
/// load (corrupt, wrong format, or a different input layout or label set than the model it would
/// replace) is refused with its reason and the previous model keeps serving.
public final class ModelRepository: @unchecked Sendable {
    /// What one scan did, reported by `POST /admin/reload` and logged on SIGHUP.
    public struct ReloadReport: Sendable {
        public var loaded: [LoadedModel] = []
        public var unchanged: [String] = []
        public var removed: [String] = []
        public var failed: [(file: String, reason: String)] = []

        public var json: JSON {
            [
                "loaded": .array(loaded.map { $0.reference }),
                "unchanged": JSON(strings: unchanged),
                "removed": JSON(strings: removed),
                "failed": .array(failed.map { ["file": .string($0.file), "reason": .string($0.reason)] }),
            ]
        }
    }

    public let directory: String?
    private let preferredDefault: String?
    private let lock = NSLock()
    private let reloadLock = NSLock()
    private var models: [String: LoadedModel] = [:]
    private var defaultName: String?

    /// Called with every load outcome (for metrics and logs): model name or file, success, reason.
    var onLoad: (@Sendable (_ name: String, _ ok: Bool, _ reason: String?) -> Void)?

    public init(directory: String?, defaultModel: String?) {
        self.directory = directory
        self.preferredDefault = defaultModel
    }

    /// The model answering requests that do not name one.
    public var defaultModel: LoadedModel? {
        lock.withLock { defaultName.flatMap { models[$0] } }
    }

    public var defaultModelName: String? { lock.withLock { defaultName } }

    public func model(named name: String) -> LoadedModel? { lock.withLock { models[name] } }

    /// All models, sorted by name.
    public var all: [LoadedModel] { lock.withLock { models.values.sorted { $0.name < $1.name } } }

    public var isEmpty: Bool { lock.withLock { models.isEmpty } }

    /// Scans the directory (or loads the built-in default) and swaps in what loaded.
    @discardableResult
    public func reload() -> ReloadReport {
        reloadLock.lock()
        defer { reloadLock.unlock() }
        var report = ReloadReport()
        let current = lock.withLock { models }
        var next = current
        var candidates: [(name: String, path: String)] = []
        if let directory {
            do {
                let files = try FileManager.default.contentsOfDirectory(atPath: directory)
                for file in files.sorted() where file.hasSuffix(".safetensors") && !file.hasPrefix(".") {
                    let name = String(file.dropLast(".safetensors".count))
                    guard !name.isEmpty else { continue }
                    candidates.append((name, directory + "/" + file))
                }
            } catch {
                report.failed.append((directory, "cannot list the model directory: \(error.localizedDescription)"))
                onLoad?(directory, false, "cannot list directory")
                return report
            }
            let present = Set(candidates.map(\.name))
            for name in current.keys.sorted() where !present.contains(name) {
                next[name] = nil
                report.removed.append(name)
            }
        } else if let path = Self.builtInCheckpointPath {
            candidates.append(("default", path))
        } else {
            report.failed.append(("default.safetensors", "the built-in default checkpoint is missing from the bundle"))
        }
        for (name, path) in candidates {
            switch load(name: name, path: path, replacing: current[name]) {
            case .success(let model):
                if let old = current[name], old.sha256 == model.sha256 {
                    report.unchanged.append(name)
                } else {
                    next[name] = model
                    report.loaded.append(model)
                    onLoad?(name, true, nil)
                }
            case .failure(let reason):
                report.failed.append((URL(fileURLWithPath: path).lastPathComponent, reason))
                onLoad?(name, false, reason)
            }
        }
        let chosenDefault = Self.chooseDefault(preferred: preferredDefault, names: next.keys.sorted())
        lock.withLock {
            models = next
            defaultName = chosenDefault
        }
        return report
    }

    private enum LoadResult {
        case success(LoadedModel)
        case failure(String)
    }

    private func load(name: String, path: String, replacing old: LoadedModel?) -> LoadResult {
        let checkpoint: Checkpoint, bytes: [UInt8]
        do { (checkpoint, bytes) = try Checkpoint.readKeepingBytes(from: path) } catch { return .failure(error.description) }
        // Model identity is the file's exact content: an unchanged file keeps its loaded model.
        let sha256 = SHA256.hex(bytes)
        if let old, old.sha256 == sha256 { return .success(old) }
        let model = LoadedModel(name: name, path: path, checkpoint: checkpoint, sha256: sha256)
        if let old {
            if model.layout != old.layout {
                return .failure("input layout differs from the serving model's; clients would break (restart to change it)")
            }
            if model.labels != old.labels {
                return .failure("label set differs from the serving model's; clients would break (restart to change it)")
            }
        }
        if let problem = model.selfTest() { return .failure(problem) }
        return .success(model)
    }

    static func chooseDefault(preferred: String?, names: [String]) -> String? {
        if let preferred { return names.contains(preferred) ? preferred : nil }
        if names.contains("default") { return "default" }
        return names.first
    }

    /// The checkpoint shipped inside the service's resource bundle.
    public static var builtInCheckpointPath: String? {
        Bundle.module.path(forResource: "default", ofType: "safetensors")
    }
}
