import CLibXML2

#if canImport(Glibc)
    import Glibc
#endif

/// How the commands set glibc's allocator up, first thing.
///
/// Its fast bins are turned off. Reading XML builds libxml2's tree and frees it whole: tens of thousands of small
/// blocks, which glibc keeps unmerged in its fast bins and then walks (`malloc_consolidate`) at the next large request
/// — 14 % of reading a 1 MB XML bundle (`perf`). Without fast bins a small free merges at once, and the per-thread
/// cache still serves the sizes in use. Measured with `painpath bench`, alternated: XML read faster by a sixth, JSON
/// unchanged (README, Performance).
///
/// Its per-thread cache keeps 32 freed blocks of each size, not 7 (`threadCacheTunable`). A bundle's model is tens
/// of thousands of small blocks made and freed together; past the seventh of a size, each free and each malloc went
/// through the arena's bins (`_int_free`, `_int_malloc`: a tenth of the daemon's CPU in `perf`). glibc reads this only
/// from `GLIBC_TUNABLES` when a program starts, so a command starts itself again with it, once
/// (`startWithThreadCacheTunable`); the systemd unit sets it, and then nothing is started again. Why 32: timed side by
/// side, 32 made every set faster (typical bundles −8 %, large −5 %, Synthea −5 % end to end); 64 to 256 made small
/// and typical bundles faster still but large ones and Synthea slower (up to +6 %: blocks handed back in the order
/// they were freed scatter a large model's memory).
public enum AllocatorTuning {
    /// Turns the fast bins off (`mallopt(M_MXFAST, 0)`); true when the allocator took it (false without glibc).
    @discardableResult
    public static func disableFastBins() -> Bool { painpath_disable_fast_bins() == 1 }

    /// The glibc tunable the commands run with.
    public static let threadCacheTunable = "glibc.malloc.tcache_count=32"
    /// Set in the environment of the second start: a program is never started again twice, even where glibc drops
    /// `GLIBC_TUNABLES` (a program running with raised privileges).
    static let restartedMarker = "PAINPATH_ALLOCATOR_RESTARTED"

    /// Starts this program again, with the same process id, arguments and environment plus `threadCacheTunable`, when
    /// `GLIBC_TUNABLES` does not already set the cache's count (a count set by the caller is kept). Returns when
    /// nothing needs doing or the program could not be started again (it then runs with glibc's defaults). Call it
    /// before anything else: no thread, file or state survives the new start.
    public static func startWithThreadCacheTunable() {
        #if canImport(Glibc)
            let current = getenv("GLIBC_TUNABLES").map { String(cString: $0) }
            guard getenv(restartedMarker) == nil, let tunables = tunables(adding: threadCacheTunable, to: current)
            else { return }
            setenv(restartedMarker, "1", 1)
            setenv("GLIBC_TUNABLES", tunables, 1)
            // Returns only if the exec failed: the environment then names a tunable glibc did not read. It fails
            // without /proc, where a Swift program cannot read its own arguments either (they come from
            // /proc/self/cmdline).
            execv("/proc/self/exe", CommandLine.unsafeArgv)
        #endif
    }

    /// `GLIBC_TUNABLES` with a tunable added (`name=value`, colon-separated); nil when it already sets that name.
    static func tunables(adding tunable: String, to current: String?) -> String? {
        guard let current, !current.isEmpty else { return tunable }
        let name = tunable.prefix { $0 != "=" }
        if current.split(separator: ":").contains(where: { $0.prefix { $0 != "=" } == name }) { return nil }
        return current + ":" + tunable
    }
}
