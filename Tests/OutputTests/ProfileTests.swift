import FHIR
import Foundation
import Guideline
import Output
import PainPathTestKit
import Testing

@Suite("profiles: in step with the code, and enforced")
struct ProfileTests {
    @Test func publishedArtifactsAreWhatTheRulesGenerate() throws {
        let directory = repositoryRoot.appendingPathComponent("profiles")
        for (name, resource) in KnowledgeArtifacts().all() {
            let onDisk = try #require(
                FileManager.default.contents(atPath: directory.appendingPathComponent(name).path),
                "\(name) is missing: run painpath profiles --out profiles")
            #expect(
                [UInt8](onDisk) == FHIRJSONWriter(pretty: true).write(resource) + [UInt8(ascii: "\n")],
                "\(name) is out of step: run painpath profiles --out profiles")
        }
        // And nothing published that the code no longer makes.
        let generated = Set(KnowledgeArtifacts().all().map(\.fileName))
        let published = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter {
                $0.hasPrefix("ActivityDefinition-") || $0.hasPrefix("PlanDefinition-")
                    || $0.hasPrefix("StructureDefinition-") || $0.hasSuffix("-detected-issue.json")
            }
        #expect(Set(published) == generated)
    }

    @Test func planDefinitionHasOneActionPerRuleCitingItsSources() {
        let plan = KnowledgeArtifacts().planDefinition()
        let actions = plan.children("action")
        #expect(actions.map { $0.string("id") } == Rules.all.map(\.id.rawValue))
        for (action, rule) in zip(actions, Rules.all) {
            #expect(action.children("documentation").compactMap { $0.string("label") } == rule.citation.map(\.rawValue))
            let definition = action.string("definitionCanonical")
            #expect(
                (definition == "https://painpath.example.org/fhir/ActivityDefinition/\(rule.id.rawValue)")
                    == (rule.kind != .warning))
        }
    }

    func validBundle() throws -> FHIRElement {
        try recommend(Scenarios.chronicRefractory.fixture(), name: "profile-base").bundle
    }

    func mutateFirst(_ type: String, in bundle: FHIRElement, _ change: (inout FHIRElement) -> Void) -> FHIRElement {
        var copy = bundle
        guard let index = copy.properties.firstIndex(where: { $0.name == "entry" }) else { return copy }
        for (position, value) in copy.properties[index].values.enumerated() {
            guard var entry = value.element, var resource = entry.child("resource"), resource.type == type else {
                continue
            }
            change(&resource)
            entry.setElement("resource", resource)
            copy.properties[index].values[position] = .element(entry)
            break
        }
        return copy
    }

    @Test func checkerCatchesWhatTheModelValidatorDoesNot() throws {
        let bundle = try validBundle()
        #expect(repositoryProfileChecker.check(bundle).isEmpty)
        let active = mutateFirst("ServiceRequest", in: bundle) { $0.setPrimitive("status", "code", "active") }
        #expect(repositoryProfileChecker.check(active).contains { $0.message.contains("must be draft") })
        let noPriority = mutateFirst("MedicationRequest", in: bundle) { $0.set("priority", []) }
        #expect(
            repositoryProfileChecker.check(noPriority).contains {
                $0.message.contains("MedicationRequest.priority is required")
            })
        let badPriority = mutateFirst("ServiceRequest", in: bundle) { $0.setPrimitive("priority", "code", "whenever") }
        #expect(
            repositoryProfileChecker.check(badPriority).contains {
                $0.message.contains("not in http://hl7.org/fhir/ValueSet/request-priority")
            })
        let noCanonical = mutateFirst("MedicationRequest", in: bundle) { $0.set("instantiatesCanonical", []) }
        #expect(
            repositoryProfileChecker.check(noCanonical).contains {
                $0.message.contains("instantiatesCanonical is required")
            })
        let badIntent = mutateFirst("CarePlan", in: bundle) { $0.setPrimitive("intent", "code", "order") }
        #expect(!repositoryProfileChecker.check(badIntent).isEmpty)
        var noProvenance = bundle
        noProvenance.properties[noProvenance.properties.firstIndex { $0.name == "entry" }!].values.removeLast()
        #expect(repositoryProfileChecker.check(noProvenance).contains { $0.message.contains("painpath-ob-2") })
    }

    @Test func detectedIssueCodesMustBeRuleIds() throws {
        let recommendation = try recommend(Scenarios.opioidBenzodiazepine.fixture(), name: "profile-issues")
        #expect(repositoryProfileChecker.check(recommendation.bundle).isEmpty)
        let unknown = mutateFirst("DetectedIssue", in: recommendation.bundle) { issue in
            issue.setElement(
                "code",
                CodeableConcept(codings: [
                    Coding(system: "https://painpath.example.org/fhir/CodeSystem/detected-issue", code: "made-up")
                ]).element)
        }
        #expect(repositoryProfileChecker.check(unknown).contains { $0.message.contains("made-up") })
    }

    @Test func anUnimplementedInvariantIsReportedNotPassed() throws {
        var profile = OutputProfilesProbe.profile(withInvariant: "painpath-zz-9")
        profile.setPrimitive("url", "uri", "https://example.org/p")
        let checker = ProfileChecker(artifacts: [profile])
        var resource = FHIRElement(type: "Bundle")
        resource.setElement(
            "meta", FHIRElement(type: "Meta").with("profile", .primitive("canonical", "https://example.org/p")))
        #expect(checker.check(resource).contains { $0.message.contains("no implementation") })
    }
}

/// A minimal StructureDefinition with one invariant on its root, for the checker's own test.
enum OutputProfilesProbe {
    static func profile(withInvariant key: String) -> FHIRElement {
        let constraint = FHIRElement(type: "ElementDefinition.constraint")
            .with("key", .primitive("id", key)).with("severity", .code("error")).with("human", .string("probe"))
        let root = FHIRElement(type: "ElementDefinition").with("path", .string("Bundle")).with(
            "constraint", .element(constraint))
        return FHIRElement(type: "StructureDefinition")
            .with("id", .primitive("id", "probe"))
            .with(
                "differential",
                .element(FHIRElement(type: "StructureDefinition.differential").with("element", .element(root))))
    }
}
