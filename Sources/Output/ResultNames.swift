import FHIR

/// The file names of results (DESIGN.md: input `abc.json` gives `abc.careplan.json`), shared by
/// the daemon, which writes them, and `painpath replay`, which looks for them.
public enum ResultNames {
    /// The name without its last extension; a leading dot is not an extension separator.
    public static func stem(_ name: String) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }

    /// `STEM.careplan.EXT`; with a digest, `STEM.<12 hex>.careplan.EXT` (the name used when a
    /// different earlier result holds the plain one).
    public static func result(forInput name: String, format: FHIRFormat, digest: String? = nil) -> String {
        "\(stem(name))\(digest.map { "." + $0.prefix(12) } ?? "").careplan.\(format.rawValue)"
    }

    /// `STEM.outcome.json` (or with a digest, as above) beside a rejected input in error/.
    public static func outcome(forInput name: String, digest: String? = nil) -> String {
        "\(stem(name))\(digest.map { "." + $0.prefix(12) } ?? "").outcome.json"
    }
}
