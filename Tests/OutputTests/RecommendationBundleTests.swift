import Case
import FHIR
import Foundation
import Guideline
import Output
import PainPathTestKit
import Pipeline
import Testing

@Suite("the recommendation bundle")
struct RecommendationBundleTests {
    @Test(arguments: Scenarios.all.map(\.name))
    func everyScenarioConformsToTheProfiles(_ name: String) throws {
        let scenario = try #require(Scenarios.all.first { $0.name == name })
        for options in [
            OutputOptions(format: .json), OutputOptions(format: .xml),
            OutputOptions(format: .json, bundleType: .transaction),
        ] {
            let recommendation = try recommend(
                scenario.fixture(), name: "\(name)-\(options.bundleType.rawValue)", options: options)
            let issues = repositoryProfileChecker.check(recommendation.bundle)
            #expect(issues.isEmpty, "\(issues)")
        }
    }

    @Test func requestsCarryTheirRulesActivityDefinitionsAndMergedRulesBoth() throws {
        let recommendation = try recommend(Scenarios.multisiteNeuropathic.fixture(), name: "canonicals")
        let bundle = recommendation.bundle
        let base = "https://painpath.example.org/fhir/ActivityDefinition/"
        let medications = bundle.entries("MedicationRequest").compactMap(MedicationRequest.init)
        let duloxetine = try #require(
            medications.first {
                $0.medicationCodeableConcept?.contains(
                    system: "http://www.nlm.nih.gov/research/umls/rxnorm", code: "72625") == true
            })
        #expect(Set(duloxetine.instantiatesCanonical) == [base + "start-snri-or-tca", base + "start-duloxetine"])
        #expect(duloxetine.status == "draft" && duloxetine.intent == "proposal")
        let dose = try #require(duloxetine.dosageInstructions.first)
        #expect(
            dose.text?.contains("30 mg") == true && dose.dose?.value == "30" && dose.dose?.code == "mg"
                && dose.frequency == 1 && dose.periodUnit == "d")
        // The first rationale note names each of the request's rules with its title and sources, in the result's order.
        let rules = try #require(
            recommendation.evaluation.result.recommendations.first { $0.proposal.key == .medicine("duloxetine") }
        ).ruleIds
        let named = try rules.map { id in
            let rule = try #require(Rules.rule(id))
            return "`\(id.rawValue)` (\(rule.title); sources \(rule.citation.map(\.rawValue).joined(separator: ", ")))"
        }
        #expect(rules.count == 2)
        #expect(
            duloxetine.notes.first?.text
                == "Proposed by PainPath \(Engine.version) under guideline rules " + named.joined(separator: ", ") + "."
        )
        // A request of one rule names it alone (its note is written once per process).
        let oneRule = try #require(
            (bundle.entries("ServiceRequest").compactMap(ServiceRequest.init).map(\.resource)
                + medications.map(\.resource)).first { $0.strings("instantiatesCanonical").count == 1 })
        let id = try #require(
            RuleID(rawValue: String(oneRule.strings("instantiatesCanonical")[0].dropFirst(base.count))))
        let rule = try #require(Rules.rule(id))
        let sources = rule.citation.map(\.rawValue).joined(separator: ", ")
        #expect(
            oneRule.children("note").compactMap { $0.string("text") }.contains(
                "Proposed by PainPath \(Engine.version) under guideline rule `\(id.rawValue)` (\(rule.title); sources \(sources))."
            )
        )
        // Every fired request rule appears in exactly one request's instantiatesCanonical.
        let result = recommendation.evaluation.result
        let requestRules = result.recommendations.filter { $0.kind != .activity }.flatMap(\.ruleIds).map(\.rawValue)
        let canonicals =
            (bundle.entries("ServiceRequest").compactMap(ServiceRequest.init).flatMap(\.instantiatesCanonical)
                + medications.flatMap(\.instantiatesCanonical))
        #expect(canonicals.sorted() == requestRules.map { base + $0 }.sorted())
        // Activities without a request carry the canonical in the detail.
        let plan = try #require(bundle.entries("CarePlan").first.flatMap(CarePlan.init))
        let details = plan.activities.flatMap(\.detailInstantiatesCanonical)
        #expect(details.contains(base + "patient-education"))
        #expect(plan.activities.count == result.recommendations.count)
    }

    @Test func warningsAreDetectedIssuesWithTheRuleIdAsCode() throws {
        let recommendation = try recommend(Scenarios.opioidBenzodiazepine.fixture(), name: "warnings")
        let issues = recommendation.bundle.entries("DetectedIssue").compactMap(DetectedIssue.init)
        #expect(issues.count == recommendation.evaluation.result.warnings.count)
        let both = try #require(
            issues.first {
                $0.code?.contains(
                    system: "https://painpath.example.org/fhir/CodeSystem/detected-issue", code: "opioid-benzodiazepine"
                ) == true
            })
        #expect(both.severity == "high")
        #expect(Set(both.implicated.compactMap(\.reference)) == ["MedicationRequest/med-2", "MedicationRequest/med-3"])
        #expect(both.detail?.contains("Why:") == true)
        #expect(both.referenceURI == "https://painpath.example.org/fhir/PlanDefinition/painpath-pain-management")
        let taper = try #require(issues.first { $0.code?.codings.first?.code == "opioid-without-functional-gain" })
        #expect(
            taper.resource.child("mitigation")?.concept("action")?.contains(
                system: "http://snomed.info/sct", code: "874903005") == true)
    }

    @Test func aWarningAboutAProposedDrugImplicatesItsRequest() throws {
        // Tramadol active; neuropathic pain makes the engine propose an SNRI/TCA.
        var fixture = CaseFixture()
        fixture.condition(sct, "279039007", onset: "2026-03-01")
        fixture.condition(sct, "247398009", onset: "2026-03-01")
        fixture.medication("10689", start: "2026-08-10", doseMg: 50, perDay: 3)
        let recommendation = try recommend(fixture, name: "serotonergic")
        let result = recommendation.evaluation.result
        let proposed = try #require(
            result.recommendations.first { $0.ruleIds.contains("start-snri-or-tca") }, "\(result.firedRuleIds)")
        let issue = try #require(
            recommendation.bundle.entries("DetectedIssue").compactMap(DetectedIssue.init)
                .first { $0.code?.codings.first?.code == "serotonergic-combination" })
        let request = try #require(
            recommendation.bundle.entries("MedicationRequest").compactMap(MedicationRequest.init)
                .first { $0.instantiatesCanonical.contains { $0.hasSuffix("/start-snri-or-tca") } })
        #expect(issue.implicated.compactMap(\.reference).contains("urn:uuid:" + (request.id ?? "")))
        #expect(issue.implicated.compactMap(\.reference).contains("MedicationRequest/med-3"))
        #expect(proposed.proposal.ingredient != nil)
    }

    @Test func provenanceNamesTheInputByItsSHA256AndTargetsEverything() throws {
        let fixture = Scenarios.conservativeFailed.fixture()
        let recommendation = try recommend(fixture, name: "provenance")
        let provenance = try #require(recommendation.bundle.entries("Provenance").first.flatMap(Provenance.init))
        let entity = try #require(provenance.entities.first)
        #expect(entity.string("role") == "source")
        #expect(entity.child("what")?.child("identifier")?.string("value") == SHA256.hex(fixture.bundleJSON))
        #expect(
            provenance.policies == [
                "https://painpath.example.org/fhir/PlanDefinition/painpath-pain-management|\(Engine.version)"
            ])
        let others = recommendation.bundle.children("entry").filter { $0.child("resource")?.type != "Provenance" }
            .compactMap { $0.string("fullUrl") }
        #expect(provenance.targets.compactMap(\.reference) == others)
        #expect(
            provenance.agents.first?.child("who")?.child("identifier")?.string("value") == "PainPath \(Engine.version)")
    }

    @Test func timingReasonsAndNotesOnAnUrgentReferral() throws {
        let recommendation = try recommend(Scenarios.progressiveDeficit.fixture(), name: "timing")
        let requests = recommendation.bundle.entries("ServiceRequest").compactMap(ServiceRequest.init)
        let surgical = try #require(
            requests.first { $0.instantiatesCanonical.contains { $0.hasSuffix("/refer-surgical-urgent") } })
        #expect(surgical.priority == "asap")
        let specialist = try #require(
            requests.first { $0.instantiatesCanonical.contains { $0.hasSuffix("/refer-specialist-urgent") } })
        // Presentation 2026-11-02 + 14 days has passed at 2026-11-21: overdue, so the period is now → now.
        let period = try #require(specialist.occurrencePeriod)
        #expect(period.start == "2026-11-21T09:00:00Z" && period.end == "2026-11-21T09:00:00Z")
        #expect(specialist.reasonReferences.compactMap(\.reference).contains("Condition/cond-1"))
        #expect(specialist.notes.contains { $0.text.contains("Why:") && $0.text.contains("Observation/obs-") })
        #expect(specialist.notes.contains { $0.text.contains("`refer-specialist-urgent`") })
    }

    @Test func transactionEntriesArePOSTsToTheirType() throws {
        let recommendation = try recommend(
            Scenarios.chronicRefractory.fixture(), name: "transaction", options: OutputOptions(bundleType: .transaction)
        )
        let bundle = Bundle(recommendation.bundle)!
        #expect(bundle.type == "transaction")
        for entry in bundle.entries {
            #expect(entry.requestMethod == "POST" && entry.requestURL == entry.resource?.type)
            #expect(entry.fullUrl == "urn:uuid:" + (entry.resource?.string("id") ?? ""))
        }
        let collection = try recommend(Scenarios.chronicRefractory.fixture(), name: "collection").bundle
        #expect(Bundle(collection)!.entries.allSatisfy { $0.requestMethod == nil })
    }
}
