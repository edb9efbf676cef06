import FHIR
import PainPathCLI

// The commands that read many bundles in one process start again with glibc's tunable set (see AllocatorTuning);
// a one-bundle command would pay the second start (about 6 ms) for nothing.
if ["bench", "replay"].contains(CommandLine.arguments.dropFirst().first ?? "") {
    AllocatorTuning.startWithThreadCacheTunable()
}
AllocatorTuning.disableFastBins()  // before any work: reading XML frees libxml2's trees (see AllocatorTuning)
PainPathCommand.main()
