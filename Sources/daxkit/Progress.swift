import DaxCore
import DAXMemory
#if canImport(Glibc)
import Glibc
#endif

/// Progress on stderr. On a terminal (`.redraw`): one line redrawn in place,
/// drawn only once the run is long (more than 256 MiB, or more than a
/// second). Elsewhere (`.lines`, `--progress`): a plain line every few
/// seconds of a phase, "touch: 37% (192 MiB of 512 MiB)", and a closing
/// line for a phase that printed any.
final class ProgressLine {
    enum Style { case off, redraw, lines }

    /// Seconds between two lines in `.lines` style.
    static let lineInterval = 3.0

    let style: Style
    var enabled: Bool { style != .off }
    private var drawn = false
    private let start = ContinuousClock.now
    /// `.lines`: elapsed seconds of the phase at the last line, and whether
    /// this phase printed one.
    private var lastLine = 0.0
    private var phasePrinted = false

    /// What the two phases of a touch are called in the lines (the first pass, and the
    /// baseline pass over populated pages).
    private let labels: (touch: String, baseline: String)

    init(style: Style, labels: (touch: String, baseline: String) = ("touch", "baseline")) {
        self.style = style
        self.labels = labels
    }

    /// `.redraw` on a terminal, `.lines` when asked for (`--progress`) elsewhere,
    /// nothing when refused (`--no-progress`) or not asked for in a pipe.
    static func style(asked: Bool, refused: Bool) -> Style {
        refused ? .off : isatty(2) == 1 ? .redraw : asked ? .lines : .off
    }

    func draw(_ p: TouchProgress) {
        switch style {
        case .off: return
        case .redraw: redraw(p)
        case .lines: line(p)
        }
    }

    private func line(_ p: TouchProgress) {
        let label = p.phase == .touch ? labels.touch : labels.baseline
        // Whole MiB keep the lines short; smaller runs are shown exactly.
        func amount(_ bytes: Int) -> String {
            ByteCount.format(p.totalBytes >= 16 << 20 ? (bytes >> 20) << 20 : bytes)
        }
        if p.bytesDone == 0 && p.elapsedSeconds == 0 {
            lastLine = 0
            phasePrinted = false
            return
        }
        if p.bytesDone >= p.totalBytes {
            if phasePrinted {
                CLI.writeAll(
                    2, "\(label): 100% (\(amount(p.totalBytes)) of \(amount(p.totalBytes))) in \(TouchCommand.fixed(p.elapsedSeconds, 1)) s\n")
            }
            phasePrinted = false
            return
        }
        guard p.elapsedSeconds - lastLine >= Self.lineInterval else { return }
        lastLine = p.elapsedSeconds
        phasePrinted = true
        CLI.writeAll(
            2, "\(label): \(Int(p.fraction * 100))% (\(amount(p.bytesDone)) of \(amount(p.totalBytes)))\n")
    }

    private func redraw(_ p: TouchProgress) {
        let long = p.totalBytes > 256 << 20 || ContinuousClock.now - start > .seconds(1)
        guard long else { return }
        let percent = Int(p.fraction * 100)
        let width = max(labels.touch.count, labels.baseline.count)
        let name = p.phase == .touch ? labels.touch : labels.baseline
        let label = name + String(repeating: " ", count: width - name.count)
        CLI.writeAll(
            2,
            "\r\u{1B}[2K\(label) \(percent < 10 ? "  " : percent < 100 ? " " : "")\(percent)%  "
                + "\(ByteCount.format(p.bytesDone)) / \(ByteCount.format(p.totalBytes))")
        drawn = true
    }

    func clear() {
        if style == .redraw, drawn { CLI.writeAll(2, "\r\u{1B}[2K") }
        drawn = false
    }
}
