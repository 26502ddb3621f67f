import DaxCore

extension Parameter {
    /// The regular file to map instead of a device (`MemoryTarget.openFile`; `daxkit
    /// touch --file`).
    public static let file = Parameter("file")
    /// The seed of a touch's pattern (`TouchOptions.seed`; `daxkit touch --seed`).
    public static let seed = Parameter("seed")
}
