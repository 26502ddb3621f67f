/// "Did you mean" for every front end: the known word nearest to a mistyped one.
public enum Nearest {
    /// The Levenshtein distance between `a` and `b`: the fewest one-character
    /// insertions, deletions and substitutions that turn one into the other.
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var prev = row[0]
            row[0] = i
            for j in 1...b.count {
                let cur = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1))
                prev = cur
            }
        }
        return row[b.count]
    }

    /// The word of `known` nearest to `word`, when it is at most `within` edits away
    /// (the first of equally near ones); nil otherwise.
    public static func word(to word: String, among known: [String], within: Int = 2) -> String? {
        var best: (String, Int)?
        for k in known {
            let d = distance(word, k)
            if d <= within, d < (best?.1 ?? .max) { best = (k, d) }
        }
        return best?.0
    }
}
