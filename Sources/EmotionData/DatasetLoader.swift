import Foundation

/// Turns files into an `EmotionDataset` through a `DataLayout`: one file, or a directory of
/// per-subject files (`*.mat`, `*.npz`, sorted by name; subject = file stem unless declared).
public enum DatasetLoader {
    /// Loads `path` (a file or a directory) with `layout`.
    public static func load(path: String, layout: DataLayout) throws -> EmotionDataset {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataError(.unreadable, file: path, "no such file or directory")
        }
        guard isDirectory.boolValue else { return try load(file: path, layout: layout) }
        let names = try subjectFiles(in: path)
        if layout.subject != nil, names.count > 1 {
            throw DataError(
                .invalidLayout, file: path,
                "the layout declares one subject id but the directory holds \(names.count) files: leave 'subject' out")
        }
        let datasets = try names.map { try load(file: (path as NSString).appendingPathComponent($0), layout: layout) }
        return try EmotionDataset.concatenate(datasets)
    }

    /// The per-subject data files of a directory, sorted by name.
    public static func subjectFiles(in directory: String) throws -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw DataError(.unreadable, file: directory, "cannot list the directory")
        }
        let files = names.filter { ["mat", "npz"].contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
        guard !files.isEmpty else {
            throw DataError(.unreadable, file: directory, "no .mat or .npz files in the directory")
        }
        return files
    }

    /// Loads one file; its subject id is the layout's or the file stem.
    public static func load(file path: String, layout: DataLayout) throws -> EmotionDataset {
        let data = try DataFile.load(path: path)
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return try dataset(from: data, layout: layout, subject: layout.subject ?? stem)
    }

    /// Applies `layout` to variables already read.
    public static func dataset(from file: DataFile, layout: DataLayout, subject: String) throws -> EmotionDataset {
        if let problem = layout.input.validationErrors().first ?? layout.labelSet.validationErrors().first {
            throw DataError(.invalidLayout, file: file.name, "layout '\(layout.name)': \(problem)")
        }
        let featureAssembly = FeatureAssembly(file: file, layout: layout)
        let labelAssembly = LabelAssembly(file: file, layout: layout)
        var features: [Float] = []
        var targets: [Float] = []
        var clips: [Int] = []
        var parts: [DataPart] = []
        for part in layout.parts {
            let (rows, partFeatures) = try featureAssembly.features(part.features)
            let partClips = try labelAssembly.clips(part.clips, rows: rows)
            let partTargets = try labelAssembly.targets(part.labels, rows: rows, clips: partClips)
            features += partFeatures
            targets += partTargets
            clips += partClips
            parts += [DataPart](repeating: part.part ?? .train, count: rows)
        }
        let hasSplit = layout.parts.contains { $0.part != nil }
        return EmotionDataset(
            layout: layout.input, labels: layout.labelSet, features: features, targets: targets,
            subjects: [String](repeating: subject, count: clips.count), clips: clips, part: hasSplit ? parts : nil)
    }
}
