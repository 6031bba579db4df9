import EmotionVocabulary

/// Builds the canonical flat feature rows of one part from a file's variables, checking shapes
/// against the input layout and values for NaN/Inf.
struct FeatureAssembly {
    let file: DataFile
    let layout: DataLayout

    var input: InputLayout { layout.input }

    /// windows × featureCount in canonical order, plus the window count.
    func features(_ source: DataLayout.Features) throws -> (rows: Int, values: [Float]) {
        switch source {
        case .fused(let name):
            let variable = try file.variable(name)
            let rows = try rowCount(variable, columns: input.featureCount, what: fusedDescription)
            var values = try floats(variable)
            if layout.eegOrder == .bandMajor { reorderBandMajor(&values, rows: rows, width: input.featureCount) }
            return (rows, values)
        case .modalities(let eegName, let peripheralNames, let faceName):
            guard peripheralNames.count == input.peripheralGroups.count else {
                throw DataError(
                    .invalidLayout, file: file.name,
                    "layout names \(peripheralNames.count) peripheral variables for \(input.peripheralGroups.count) groups"
                )
            }
            var blocks: [(variable: Variable, width: Int)] = []
            let eeg = try file.variable(eegName)
            try checkEEGShape(eeg)
            blocks.append((eeg, input.eegDims))
            for (group, name) in zip(input.peripheralGroups, peripheralNames) {
                blocks.append((try file.variable(name), group.dims))
            }
            blocks.append((try file.variable(faceName), input.faceDims))
            let rows = try rowCount(blocks[0].variable, columns: blocks[0].width, what: "EEG")
            for block in blocks.dropFirst() {
                let blockRows = try rowCount(block.variable, columns: block.width, what: "this modality")
                guard blockRows == rows else {
                    throw DataError(
                        .shapeMismatch, file: file.name, variable: block.variable.name,
                        "has \(blockRows) windows but '\(eegName)' has \(rows)")
                }
            }
            var values = [Float](repeating: 0, count: rows * input.featureCount)
            var offset = 0
            for (index, block) in blocks.enumerated() {
                var blockValues = try floats(block.variable)
                if index == 0, layout.eegOrder == .bandMajor {
                    reorderBandMajor(&blockValues, rows: rows, width: block.width)
                }
                for row in 0..<rows {
                    let target = row * input.featureCount + offset
                    values.replaceSubrange(
                        target..<(target + block.width),
                        with: blockValues[(row * block.width)..<((row + 1) * block.width)])
                }
                offset += block.width
            }
            return (rows, values)
        }
    }

    var fusedDescription: String {
        let groups = input.peripheralGroups.map { "\($0.name) \($0.dims)" }.joined(separator: " | ")
        return "the layout (EEG \(input.eegDims) | \(groups) | face \(input.faceDims))"
    }

    /// The number of windows of a variable whose rows must hold `columns` values: shape [N, …]
    /// with the product of the trailing dimensions equal to `columns`.
    func rowCount(_ variable: Variable, columns: Int, what: String) throws -> Int {
        let shape = variable.shape
        guard let rows = shape.first, shape.count >= 2 || columns == 1 else {
            throw DataError(
                .shapeMismatch, file: file.name, variable: variable.name,
                "has shape \(variable.shapeText); expected windows × \(columns) for \(what)")
        }
        let width = shape.dropFirst().reduce(1, *)
        guard variable.values.count == variable.count else {
            throw DataError(
                .malformed, file: file.name, variable: variable.name,
                "holds \(variable.values.count) values but its shape \(variable.shapeText) needs \(variable.count)")
        }
        guard width == columns else {
            throw DataError(
                .shapeMismatch, file: file.name, variable: variable.name,
                "has shape \(variable.shapeText), i.e. \(width) values per window; \(what) needs \(columns)")
        }
        return rows
    }

    /// A 3-D EEG variable's trailing dims must be channels × bands (or bands × channels when band-major).
    func checkEEGShape(_ eeg: Variable) throws {
        guard eeg.shape.count == 3 else { return }
        let expected =
            layout.eegOrder == .channelMajor
            ? [input.eegChannels, input.eegBands] : [input.eegBands, input.eegChannels]
        guard Array(eeg.shape.dropFirst()) == expected else {
            throw DataError(
                .shapeMismatch, file: file.name, variable: eeg.name,
                "has shape \(eeg.shapeText); a \(layout.eegOrder.rawValue) EEG variable should be windows×\(expected[0])×\(expected[1])"
            )
        }
    }

    /// Converts to Float, refusing NaN/Inf with the window and column that hold it.
    func floats(_ variable: Variable) throws -> [Float] {
        let width = max(variable.shape.dropFirst().reduce(1, *), 1)
        var result = [Float](repeating: 0, count: variable.values.count)
        for (index, value) in variable.values.enumerated() {
            let single = Float(value)
            guard single.isFinite else {
                throw DataError(
                    .invalidValue, file: file.name, variable: variable.name,
                    "window \(index / width), column \(index % width) is \(value) (features must be finite)")
            }
            result[index] = single
        }
        return result
    }

    /// Rewrites the EEG block of each row from band-major (`b * C + c`) to channel-major (`c * B + b`).
    func reorderBandMajor(_ values: inout [Float], rows: Int, width: Int) {
        let channels = input.eegChannels
        let bands = input.eegBands
        for row in 0..<rows {
            let start = row * width
            let block = Array(values[start..<(start + channels * bands)])
            for channel in 0..<channels {
                for band in 0..<bands {
                    values[start + channel * bands + band] = block[band * channels + channel]
                }
            }
        }
    }
}
