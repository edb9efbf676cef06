import CLibXML2

/// glibc's fast bins, turned off for the process. Reading XML builds libxml2's tree and frees it whole: tens of
/// thousands of small blocks, which glibc keeps unmerged in its fast bins and then walks (`malloc_consolidate`) at
/// the next large request — 14 % of reading a 1 MB XML bundle (`perf`). Without fast bins a small free merges at
/// once, and the per-thread cache still serves the sizes in use. Measured with `painpath bench`, alternated: XML read
/// faster by a sixth, JSON unchanged (README, Performance). The commands call it first thing.
public enum AllocatorTuning {
    /// Turns the fast bins off (`mallopt(M_MXFAST, 0)`); true when the allocator took it (false without glibc).
    @discardableResult
    public static func disableFastBins() -> Bool { painpath_disable_fast_bins() == 1 }
}
