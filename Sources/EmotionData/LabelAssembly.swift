/// Builds per-window target distributions and clip ids of one part, checking every label.
struct LabelAssembly {
    let file: DataFile
    let layout: DataLayout

    /// Clip ids per window (after subtracting the declared base).
    func clips(_ source: DataLayout.Clips, rows: Int) throws -> [Int] {
        switch source {
        case .constant(let value):
            return [Int](repeating: value, count: rows)
        case .variable(let name, let base):
            let variable = try file.variable(name)
            guard variable.values.count == rows, variable.squeezedShape.count <= 1 else {
                throw DataError(
                    .shapeMismatch, file: file.name, variable: name,
                    "has shape \(variable.shapeText); expected a vector of \(rows) clip ids (one per window)")
            }
            return try variable.values.enumerated().map { window, value in
                guard value.isFinite, value == value.rounded(), value - Double(base) >= 0, abs(value) < 1e9 else {
                    throw DataError(
                        .invalidValue, file: file.name, variable: name,
                        "window \(window) has clip id \(value); expected an integer ≥ \(base) (clip ids are \(base)-based)"
                    )
                }
                return Int(value) - base
            }
        }
    }

    /// windows × labels targets, each row normalised to sum 1.
    func targets(_ source: DataLayout.Labels, rows: Int, clips: [Int]) throws -> [Float] {
        let labelCount = layout.labelSet.count
        switch source {
        case .perWindow(let name):
            let variable = try file.variable(name)
            guard variable.shape.count == 2, variable.shape[0] == rows, variable.shape[1] == labelCount else {
                throw DataError(
                    .shapeMismatch, file: file.name, variable: name,
                    "has shape \(variable.shapeText); expected \(rows) windows × \(labelCount) labels")
            }
            var targets: [Float] = []
            targets.reserveCapacity(rows * labelCount)
            for row in 0..<rows {
                targets += try distribution(variable, row: row, what: "window")
            }
            return targets
        case .perClip(let name):
            let variable = try file.variable(name)
            guard variable.shape.count == 2, variable.shape[1] == labelCount else {
                throw DataError(
                    .shapeMismatch, file: file.name, variable: name,
                    "has shape \(variable.shapeText); expected clips × \(labelCount) labels")
            }
            let clipCount = variable.shape[0]
            var rowsByClip: [Int: [Float]] = [:]
            var targets: [Float] = []
            targets.reserveCapacity(rows * labelCount)
            for (window, clip) in clips.enumerated() {
                guard clip >= 0, clip < clipCount else {
                    throw DataError(
                        .invalidValue, file: file.name, variable: name,
                        "window \(window) refers to clip \(clip), outside its \(clipCount) rows (check the clip base)")
                }
                if rowsByClip[clip] == nil { rowsByClip[clip] = try distribution(variable, row: clip, what: "clip") }
                targets += rowsByClip[clip] ?? []
            }
            return targets
        }
    }

    /// Row `row` of a labels matrix divided by its sum, refusing negative, non-finite and zero-sum rows.
    func distribution(_ variable: Variable, row: Int, what: String) throws -> [Float] {
        let width = variable.shape[1]
        let values = variable.values[(row * width)..<((row + 1) * width)]
        var sum = 0.0
        for (column, value) in values.enumerated() {
            guard value.isFinite, value >= 0 else {
                throw DataError(
                    .invalidValue, file: file.name, variable: variable.name,
                    "\(what) \(row), label \(layout.labelSet.names[column]) is \(value) (labels must be finite and ≥ 0)"
                )
            }
            sum += value
        }
        guard sum > 0 else {
            throw DataError(.invalidValue, file: file.name, variable: variable.name, "\(what) \(row) sums to zero")
        }
        return values.map { Float($0 / sum) }
    }
}
