import FHIR
import Foundation
import Output
import PainPathTestKit
import Pipeline
import Synth
import Testing

@Suite("painpath synth bundles")
struct SynthTests {
    @Test(arguments: SyntheticBundles.Size.allCases)
    func everySizeEvaluatesAndConformsToTheProfiles(_ size: SyntheticBundles.Size) throws {
        let generator = SyntheticBundles(seed: 11, size: size)
        var total = 0
        let count = size == .large ? 2 : 12
        for index in 0..<count {
            let bytes = FHIRJSONWriter(pretty: false).write(generator.bundle(index))
            total += bytes.count
            let recommendation = try pipeline().run(bytes)
            #expect(repositoryProfileChecker.check(recommendation.bundle).isEmpty)
            if index < 2 { keepForValidation(bytes, name: "synth-input-\(size.rawValue)-\(index).json") }
            if index < 2 {
                keepForValidation(recommendation.bytes, name: "synth-output-\(size.rawValue)-\(index).json")
            }
        }
        let average = total / count
        switch size {
        case .small: #expect(average < 20_000)
        case .typical: #expect((30_000...80_000).contains(average), "typical averages \(average) bytes")
        case .large: #expect((800_000...1_300_000).contains(average), "large averages \(average) bytes")
        }
    }

    @Test func theSameSeedGivesTheSameBundlesAndAnotherSeedOthers() throws {
        let a = SyntheticBundles(seed: 5, size: .typical)
        let b = SyntheticBundles(seed: 5, size: .typical)
        let c = SyntheticBundles(seed: 6, size: .typical)
        for index in 0..<5 {
            #expect(FHIRJSONWriter().write(a.bundle(index)) == FHIRJSONWriter().write(b.bundle(index)))
            #expect(FHIRJSONWriter().write(a.bundle(index)) != FHIRJSONWriter().write(c.bundle(index)))
        }
        #expect(FHIRJSONWriter().write(a.bundle(0)) != FHIRJSONWriter().write(a.bundle(1)))
    }

    @Test func bundlesVaryInWhatTheyShow() throws {
        let generator = SyntheticBundles(seed: 2, size: .typical)
        var fired = Set<String>()
        var phenotypes = Set<String>()
        for index in 0..<40 {
            let evaluation = try pipeline().evaluate(FHIRJSONWriter().write(generator.bundle(index)))
            fired.formUnion(evaluation.result.firedRuleIds.map(\.rawValue))
            phenotypes.formUnion(evaluation.facts.phenotypes.keys.map(\.rawValue))
        }
        #expect(phenotypes.count >= 5, "\(phenotypes)")
        #expect(fired.count >= 30, "\(fired.count) rules fired over 40 synthetic cases")
    }

    @Test func xmlAndJsonOfOneSyntheticBundleAreOneModel() throws {
        let bundle = SyntheticBundles(seed: 9, size: .small).bundle(3)
        let xml = try FHIRWriter().write(bundle, as: .xml)
        #expect(try FHIRReader().read(xml).result.resource == bundle)
    }
}
