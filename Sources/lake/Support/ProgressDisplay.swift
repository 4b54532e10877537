import Lake
import Synchronization

/// The progress line long commands (optimize, vacuum, maintain) draw on stderr when it is a terminal:
/// files and bytes done of the total, elapsed time and an estimate of the rest, redrawn in place at most ten
/// times a second and erased when the work ends. Off with `--quiet`, `--json`, or when stderr is not a
/// terminal (cron, pipes), so logs never fill with redraws.
final class ProgressDisplay: Sendable {
    /// The tracker to hand to the operation; nil when nothing is drawn.
    let tracker: ProgressTracker?
    private let line: Line?

    /// A display for an operation named `label`; it draws only when `enabled` and stderr is a terminal.
    init(_ label: String, enabled: Bool) {
        guard enabled, StandardError.isTerminal else {
            line = nil
            tracker = nil
            return
        }
        let line = Line(label: label)
        self.line = line
        tracker = ProgressTracker { line.draw($0) }
    }

    /// Erases the line (call when the work is done, before printing results).
    func finish() { line?.erase() }

    /// The drawn line and when it was last drawn.
    private final class Line: Sendable {
        private struct State {
            var lastDraw: ContinuousClock.Instant?
            var drawn = false
        }
        private let state = Mutex(State())
        private let started = ContinuousClock.now
        private let label: String

        init(label: String) { self.label = label }

        func erase() {
            let drawn = state.withLock { s -> Bool in
                defer { s.drawn = false }
                return s.drawn
            }
            if drawn { StandardError.write("\r\u{1B}[2K") }
        }

        func draw(_ p: ProgressUpdate) {
            let now = ContinuousClock.now
            let due = state.withLock { s -> Bool in
                if let last = s.lastDraw, now - last < .milliseconds(100), p.filesDone < p.filesTotal { return false }
                s.lastDraw = now
                s.drawn = true
                return true
            }
            guard due else { return }
            let d = (now - started).components
            let elapsed = Double(d.seconds) + Double(d.attoseconds) / 1e18
            var text = "\(label): \(p.filesDone)/\(p.filesTotal) files, \(ProgressDisplay.size(p.bytesDone))/\(ProgressDisplay.size(p.bytesTotal)), \(ProgressDisplay.duration(elapsed)) elapsed"
            if p.bytesDone > 0, p.bytesTotal > p.bytesDone, elapsed > 1 {
                let rest = elapsed * Double(p.bytesTotal - p.bytesDone) / Double(p.bytesDone)
                text += ", about \(ProgressDisplay.duration(rest)) left"
            }
            StandardError.write("\r\u{1B}[2K" + text)
        }
    }

    /// Bytes as `12.3 MiB`.
    static func size(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(max(0, bytes))
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(Int(value)) B" : String(Int((value * 10).rounded()) / 10) + "." + String(Int((value * 10).rounded()) % 10) + " " + units[unit]
    }

    /// Seconds as `42s` or `3m05s`.
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        let m = s / 60, r = s % 60
        return "\(m)m" + (r < 10 ? "0" : "") + "\(r)s"
    }
}
