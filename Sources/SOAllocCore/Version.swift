import SOAllocRules

/// Facts about this build of soalloc.
public enum SOAlloc {
    public static let version = "0.1.0"
}
