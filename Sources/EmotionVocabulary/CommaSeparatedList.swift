/// Comma-separated option values (`--seeds 3407,3408`, `--ablate cooccurrence,memory`): the one
/// place that splits them and trims the blanks around each item.
public enum CommaSeparatedList {
    /// Every field with surrounding whitespace removed, empty fields kept (`"1,,2"` → `["1", "", "2"]`),
    /// for callers that reject an empty item rather than skip it.
    public static func fields(_ text: String) -> [String] {
        text.split(separator: ",", omittingEmptySubsequences: false).map(trimmed)
    }

    /// The non-empty fields (`" a, ,b "` → `["a", "b"]`).
    public static func items(_ text: String) -> [String] { fields(text).filter { !$0.isEmpty } }

    static func trimmed(_ field: Substring) -> String {
        String(field.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
