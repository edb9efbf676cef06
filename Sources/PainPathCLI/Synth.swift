import ArgumentParser
import FHIR
import Foundation
import Synth

extension CommandResult {
    /// `painpath synth`: N synthetic bundles into a directory, deterministic by seed.
    public static func synth(count: Int, seed: UInt64, out: String, format: FHIRFormat, size: SyntheticBundles.Size)
        -> CommandResult
    {
        guard count >= 0 else {
            return CommandResult(exitCode: 64, stdout: [], stderr: "painpath: --count must be ≥ 0\n")
        }
        do { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) } catch {
            return CommandResult(exitCode: 73, stdout: [], stderr: "painpath: cannot create \(out)\n")
        }
        let generator = SyntheticBundles(seed: seed, size: size)
        let writer = FHIRWriter(pretty: false)
        var bytes = 0
        for index in 0..<count {
            let data: [UInt8]
            do { data = try writer.write(generator.bundle(index), as: format) } catch {
                return CommandResult(
                    exitCode: 70, stdout: [], stderr: "painpath: bundle \(index) cannot be written: \(error)\n")
            }
            let path = "\(out)/synth-\(seed)-\(String(format: "%06d", index)).\(format.rawValue)"
            guard FileManager.default.createFile(atPath: path, contents: Data(data)) else {
                return CommandResult(exitCode: 73, stdout: [], stderr: "painpath: cannot write \(path)\n")
            }
            bytes += data.count
        }
        let average = count == 0 ? 0 : bytes / count
        return CommandResult(
            exitCode: 0, stdout: [],
            stderr: "\(count) \(size.rawValue) bundle(s) written to \(out), \(bytes) bytes (average \(average) bytes)\n"
        )
    }
}

struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write realistic synthetic case bundles for load and performance tests.",
        discussion: """
            Each bundle is one patient: one or two pain conditions (low back pain, sciatica, neuropathic \
            pain, PHN, diabetic neuropathy, compression fracture, failed back surgery, sacroiliac pain) \
            with onsets from one to 150 weeks back, sometimes a comorbidity (depression, opioid \
            dependence, epilepsy), a medication history with product-level RxNorm codes and stop \
            reasons, therapies, MRI reports, ODI and STarT Back questionnaires, and the encounters and \
            vitals of an EHR export. Sizes: small (~10 KB), typical (~50 KB), large (~1 MB, years of \
            history). The same --seed gives the same files.

            Examples:
              painpath synth --count 1000 --seed 7 --out /tmp/feed
              painpath synth --count 20 --seed 1 --out /tmp/big --size large --format xml
            """
    )

    @Option(name: .long, help: "How many bundles.")
    var count: Int

    @Option(name: .long, help: "The seed; the same seed gives the same bundles.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "The directory to write into.")
    var out: String

    @Option(name: .long, help: "Encoding: json or xml.")
    var format: OutputFormat = .json

    @Option(name: .long, help: "small, typical or large.")
    var size: SizeOption = .typical

    func run() throws {
        try CommandResult.synth(count: count, seed: seed, out: out, format: format.format, size: size.size).emit()
    }
}

enum SizeOption: String, ExpressibleByArgument, CaseIterable {
    case small, typical, large
    var size: SyntheticBundles.Size { SyntheticBundles.Size(rawValue: rawValue)! }
}
