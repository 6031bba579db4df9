/// Reader of NumPy `.npz` archives (`np.savez`, `np.savez_compressed`): a ZIP of `.npy` files,
/// one per variable, named after the keyword (or `arr_0`, `arr_1`… for positional arrays).
public enum NPZFile {
    /// Parses a complete `.npz` archive held in memory.
    public static func read(_ bytes: [UInt8], file: String) throws -> DataFile {
        let archive = try ZipArchive(bytes, file: file)
        var result = DataFile(name: file, variables: [])
        for entry in archive.entries {
            guard entry.name.hasSuffix(".npy") else {
                result.skipped[entry.name] = "not a .npy entry"
                continue
            }
            let name = String(entry.name.dropLast(4))
            do {
                let contents = try archive.contents(of: entry)
                result.variables.append(try NPYFile.read(contents, file: file, variable: name))
            } catch let error as DataError where error.kind == .unsupported {
                result.skipped[name] = error.problem
            }
        }
        return result
    }
}
