/// Rows printed as columns padded to their widest cell, two spaces apart, under a header: how the CLI shows
/// lists to people (`lake history`, `lake files`); scripts use `--json`.
struct AlignedTable {
    /// Column titles.
    let header: [String]
    /// Cells, row by row (a short row leaves its last cells empty).
    var rows: [[String]] = []

    /// The lines of the table, header first; the last column is not padded.
    var lines: [String] {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        return all.map { row in
            var line = ""
            for i in 0..<header.count {
                let cell = i < row.count ? row[i] : ""
                line += cell
                if i < header.count - 1 { line += String(repeating: " ", count: widths[i] - cell.count + 2) }
            }
            return line
        }
    }

    /// Prints the table to stdout.
    func print() {
        for line in lines { StandardOutput.line(line) }
    }
}
