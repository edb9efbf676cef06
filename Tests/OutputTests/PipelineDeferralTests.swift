import Case
import FHIR
import Foundation
import Guideline
import Output
import PainPathTestKit
import Pipeline
import Testing

/// The pipeline reads bundles deferring the resource types the case stage does not read (`Pipeline.deferral`).
/// Deferring must change nothing the pipeline decides or writes, and the case stage must build none of them: a
/// reader of a type missing from `CaseBuilder.resourceTypesRead` would still be right, but would pay for building.
@Suite("pipeline: deferred resources")
struct PipelineDeferralTests {
    static let samples: [String] = {
        let folder = repositoryRoot.appendingPathComponent("samples").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".json") }.sorted().map { folder + "/" + $0 }
    }()

    private static let now = Date(timeIntervalSince1970: 1_795_251_600)  // 2026-11-21T09:00:00Z

    /// The recommendation bundle's bytes from a bundle read with this deferral, and the bundle as read.
    private func recommendation(_ bytes: [UInt8], deferral: ResourceDeferral) throws -> (
        bytes: [UInt8], bundle: FHIRElement
    ) {
        let bundle = try FHIRReader(deferral: deferral).read(bytes).result.resource
        let facts = try CaseBuilder(terminology: repositoryTerminology, options: CaseOptions(now: Self.now))
            .build(bundle: bundle)
        let result = GuidelineEngine().evaluate(facts)
        let output = RecommendationBundleBuilder(profilesDigest: repositoryTerminology.digest)
            .build(facts: facts, result: result, inputSHA256: "0")
        return (FHIRJSONWriter().write(output), bundle)
    }

    @Test("every sample gives the same recommendation, and the case stage builds no deferred resource")
    func samplesDecideTheSame() throws {
        #expect(Self.samples.count > 25)
        var deferred = 0
        for path in Self.samples {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            let built = try recommendation(bytes, deferral: .none)
            let lazy = try recommendation(bytes, deferral: Pipeline.deferral)
            #expect(lazy.bytes == built.bytes, "\(path)")
            for value in lazy.bundle.children("entry").compactMap({ $0["resource"].first }) {
                guard case .deferred(let resource) = value else { continue }
                deferred += 1
                #expect(!resource.isBuilt, "the case stage built a deferred \(resource.type) in \(path)")
            }
        }
        #expect(deferred > 40, "the samples' Organizations and Practitioners are deferred")
    }

    @Test("deferring every resource but the Patient decides the same: each reader builds what it reads")
    func everythingDeferred() throws {
        // Every type the case stage reads is then deferred: its readers, its reference resolution (a Medication
        // behind an order, an encounter's reasons) and its date checks all go through building on first use.
        var fixture = chronicBack {
            $0.add([
                "resourceType": "Medication", "id": "m1",
                "code": ["coding": [["system": rxnorm, "code": "596930"]]],  // duloxetine 30 MG DR capsule
            ])
            $0.add([
                "resourceType": "MedicationRequest", "id": "mr1", "status": "active", "intent": "order",
                "subject": ["reference": "Patient/p1"], "medicationReference": ["reference": "Medication/m1"],
                "authoredOn": "2026-09-01",
            ])
            $0.add(["resourceType": "Organization", "id": "o1", "name": "Clinic"])
        }
        fixture.timestamp = "2026-11-21T09:00:00Z"
        var cases = Scenarios.all.map { ($0.name, $0.fixture().bundleJSON) }
        cases.append(("medication behind a reference", fixture.bundleJSON))
        for (name, bytes) in cases {
            let built = try recommendation(bytes, deferral: .none)
            let deferred = try recommendation(bytes, deferral: .allExcept(["Patient"]))
            #expect(deferred.bytes == built.bytes, "\(name)")
        }
        #expect(cases.count > 5)
    }

    @Test("the pipeline defers only types the case stage does not read, and reads every type it asks for")
    func deferralList() {
        for type in ["Claim", "ExplanationOfBenefit", "Organization", "Practitioner", "CarePlan", "Goal"] {
            #expect(!CaseBuilder.resourceTypesRead.contains(type), "\(type)")
        }
        for type in ["Patient", "Condition", "Observation", "MedicationRequest", "Medication", "Immunization"] {
            #expect(CaseBuilder.resourceTypesRead.contains(type), "\(type)")
        }
    }
}
