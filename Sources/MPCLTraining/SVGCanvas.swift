import Foundation

/// A rectangle of the canvas that holds one chart.
struct PlotArea {
    var x, y, width, height: Double
}

/// A linear value range mapped onto a chart's height.
struct Axis {
    var low, high: Double
    func fraction(_ value: Double) -> Double { high > low ? (value - low) / (high - low) : 0 }
}

/// Accumulates SVG elements; every text is XML-escaped.
struct SVGCanvas {
    var width: Double
    var height = 400.0
    var body: [String] = []

    init(width: Double) { self.width = width }

    var document: String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif">
        <rect width="100%" height="100%" fill="white"/>
        \(body.joined(separator: "\n"))
        </svg>

        """
    }

    mutating func text(_ content: String, x: Double, y: Double, size: Double, weight: String = "normal", anchor: String = "start") {
        body.append(
            "<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size))\" font-weight=\"\(weight)\" text-anchor=\"\(anchor)\">\(escape(content))</text>"
        )
    }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, role: String, title: String? = nil) {
        let tooltip = title.map { "<title>\(escape($0))</title>" } ?? ""
        body.append(
            "<rect class=\"\(role)\" x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(max(width, 0)))\" height=\"\(n(max(height, 0)))\" fill=\"\(fill)\">\(tooltip)</rect>"
        )
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, colour: String = "#333333") {
        body.append("<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(colour)\" stroke-width=\"1\"/>")
    }

    mutating func polyline(_ points: [(Double, Double)], colour: String, dashed: Bool, role: String) {
        let coordinates = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        body.append(
            "<polyline class=\"\(role)\" points=\"\(coordinates)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"\(dashed ? " stroke-dasharray=\"6 4\"" : "")/>"
        )
    }

    /// Left and bottom axes with a few value ticks.
    mutating func axes(_ plot: PlotArea, yAxis: Axis, xLabel: String?, xTicks: [(Double, String)], xRange: (Double, Double)) {
        line(x1: plot.x, y1: plot.y, x2: plot.x, y2: plot.y + plot.height)
        line(x1: plot.x, y1: plot.y + plot.height, x2: plot.x + plot.width, y2: plot.y + plot.height)
        for tick in 0...4 {
            let value = yAxis.low + (yAxis.high - yAxis.low) * Double(tick) / 4
            let y = plot.y + plot.height * (1 - Double(tick) / 4)
            line(x1: plot.x - 4, y1: y, x2: plot.x, y2: y)
            text(ReportPlot.format(value), x: plot.x - 6, y: y + 4, size: 10, anchor: "end")
        }
        let span = max(xRange.1 - xRange.0, 1e-12)
        let every = max(xTicks.count / 16, 1)
        for (index, tick) in xTicks.enumerated() where index % every == 0 {
            let x = plot.x + plot.width * (tick.0 - xRange.0) / span
            text(tick.1, x: x, y: plot.y + plot.height + 14, size: 10, anchor: "middle")
        }
        if let xLabel { text(xLabel, x: plot.x + plot.width / 2, y: plot.y + plot.height + 30, size: 11, anchor: "middle") }
    }

    func n(_ value: Double) -> String { value.isFinite ? String(Double(Int((value * 10).rounded())) / 10) : "0" }

    func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.append(character)
            }
        }
        return result
    }
}
