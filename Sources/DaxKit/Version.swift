public enum DaxKitVersion { public static let string = "0.1.0" }
