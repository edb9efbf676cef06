import FHIR
import PainPathCLI

AllocatorTuning.disableFastBins()  // before any work: reading XML frees libxml2's trees (see AllocatorTuning)
PainPathCommand.main()
