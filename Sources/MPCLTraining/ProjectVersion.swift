/// The project version recorded in checkpoints and reports (provenance).
public enum ProjectVersion {
    public static let current = "0.1.0"
}
