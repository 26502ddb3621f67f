/// The version of the daxkit library and tool.
public enum DaxKitVersion {
    /// The release, `MAJOR.MINOR.PATCH`: what `daxkit --version` prints.
    public static let string = "0.1.0"
}
