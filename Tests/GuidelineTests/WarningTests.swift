import Case
import Foundation
import Guideline
import PainPathTestKit
import Terminology
import Testing

@Suite("§3 warnings")
struct WarningRuleTests {
    func warning(_ id: RuleID, _ fixture: CaseFixture) throws -> DetectedWarning? {
        try fixture.evaluate().warnings.first { $0.ruleId == id }
    }

    @Test func opioidAndBenzodiazepine() throws {
        let both = chronicBack {
            $0.medication("1049717", start: "2026-09-01", doseMg: 10, perDay: 4)
            $0.medication("197591", start: "2026-09-01", doseUnits: (1, "tablet"), statement: false)
        }
        let fired = try both.fired()
        for id in [
            "opioid-benzodiazepine", "benzodiazepine-for-pain", "opioid-first-line", "opioid-high-dose",
            "opioid-without-functional-gain",
        ] {
            #expect(fired.contains(id), "\(id)")
        }
        #expect(try warning("benzodiazepine-for-pain", both)?.warning.severity == .high)
        #expect(try warning("opioid-high-dose", both)?.warning.severity == .moderate)  // 10 mg × 4 × 1.5 = 60 MME
        let benzoOnly = chronicBack { $0.medication("197591", start: "2026-09-01") }
        #expect(try warning("benzodiazepine-for-pain", benzoOnly)?.warning.severity == .moderate)
        #expect(try !benzoOnly.fired().contains("opioid-benzodiazepine"))
    }

    @Test func fentanylPatchMMEAndExtendedReleaseStart() throws {
        let patch = chronicBack { $0.medication("197696", start: "2026-09-01", perDay: 1, doseUnits: (1, "patch")) }
        let facts = try patch.facts()
        #expect(facts.mme.known == 180)  // 75 mcg/h × 2.4
        #expect(try warning("opioid-high-dose", patch)?.warning.severity == .high)
        #expect(try patch.fired().contains("opioid-extended-release-start"))
        let afterIR = chronicBack {
            $0.medication("1049717", status: "completed", start: "2026-06-01", end: "2026-08-01")
            $0.medication("1049502", start: "2026-09-01")
        }
        #expect(try !afterIR.fired().contains("opioid-extended-release-start"))
    }

    @Test func substanceUseAndSerotonergic() throws {
        let sud = chronicBack {
            $0.condition(sct, "75544000", onset: "2020-01-01")
            $0.medication("1049717", start: "2026-10-01")
        }
        #expect(try sud.fired().contains("opioid-with-substance-use-disorder"))
        #expect(
            try !chronicBack { $0.medication("1049717", start: "2026-10-01") }.fired().contains(
                "opioid-with-substance-use-disorder"))
        let serotonergic = chronicBack {
            $0.medication("10689", start: "2026-10-01")
            $0.medication("72625", start: "2026-10-01")
        }
        #expect(try serotonergic.fired().contains("serotonergic-combination"))
        #expect(
            try !chronicBack { $0.medication("10689", start: "2026-10-01") }.fired().contains(
                "serotonergic-combination"))
    }

    @Test func monotherapyAndIneffectiveMedicines() throws {
        var neuropathic = CaseFixture()
        neuropathic.condition(sct, neuropathicPain, onset: chronicOnset)
        neuropathic.medication("5640", start: "2026-06-01", doseMg: 600, perDay: 3)
        #expect(try neuropathic.fired().contains("analgesic-monotherapy-neuropathic"))
        let acetaminophen = chronicBack {
            $0.medication("198440", start: "2026-06-01", perDay: 3, doseUnits: (2, "tablet"))
            $0.pain(6, on: "2026-06-01")
            $0.pain(6, on: "2026-11-10")
        }
        let fired = try acetaminophen.fired()
        #expect(
            fired.contains("acetaminophen-monotherapy") && fired.contains("ineffective-medication-continued")
                && fired.contains("medications-without-nonpharmacological"))
        let improving = acetaminophen.with {
            $0.pain(2, on: "2026-11-20")
            $0.procedure(sct, "229065009", on: "2026-10-01")
        }
        let improvingFired = try improving.fired()
        #expect(
            !improvingFired.contains("ineffective-medication-continued")
                && !improvingFired.contains("medications-without-nonpharmacological"))
    }

    @Test func corticosteroidAndContraindicatedNSAID() throws {
        #expect(
            try chronicBack { $0.medication("8640", start: "2026-10-01") }.fired().contains(
                "systemic-corticosteroid-for-back-pain"))
        let nsaid = chronicBack {
            $0.medication("5640", start: "2026-10-01")
            $0.observation(loinc, "98979-8", value: 24, date: "2026-11-01")
        }
        #expect(try warning("nsaid-contraindicated", nsaid)?.warning.severity == .high)
        #expect(
            try !chronicBack { $0.medication("5640", start: "2026-10-01") }.fired().contains("nsaid-contraindicated"))
    }

    @Test func referralOverdueAndRepeatedAssessments() throws {
        var fixture = CaseFixture()
        let condition = fixture.condition(sct, sciatica, onset: "2026-09-15", severe: true)
        for date in ["2026-09-16", "2026-10-01", "2026-10-20"] { fixture.encounter(on: date, reason: condition) }
        let fired = try fixture.fired()
        #expect(fired.contains("referral-overdue") && fired.contains("repeated-primary-care-assessments"))
        let referred = fixture.with { $0.request(sct, "306265007", on: "2026-09-20") }
        let referredFired = try referred.fired()
        #expect(
            !referredFired.contains("referral-overdue") && !referredFired.contains("repeated-primary-care-assessments"))
    }

    @Test func injectionsScsAndImaging() throws {
        let unguided = chronicBack { $0.procedure(sct, "171787008", on: "2026-10-01") }
        #expect(try unguided.fired().contains("injection-without-image-guidance"))
        #expect(
            try !chronicBack { $0.procedure(cptSystem, "64483", on: "2026-10-01") }.fired().contains(
                "injection-without-image-guidance"))
        #expect(
            try chronicBack { $0.request(cptSystem, "63685", on: "2026-11-01") }.fired().contains(
                "scs-implant-without-trial"))
        #expect(
            try !chronicBack {
                $0.procedure(cptSystem, "63650", on: "2026-10-01", note: "successful trial")
                $0.request(cptSystem, "63685", on: "2026-11-01")
            }
            .fired().contains("scs-implant-without-trial"))
        #expect(
            try chronicBack { $0.request(sct, "394451000119106", on: "2026-11-01") }.fired().contains(
                "mri-without-red-flags"))
        #expect(
            try !chronicBack {
                $0.request(sct, "394451000119106", on: "2026-11-01")
                $0.condition(sct, "363346000", onset: "2019-01-01")
            }
            .fired().contains("mri-without-red-flags"))
        var discordant = CaseFixture()
        discordant.condition(sct, sciatica, onset: chronicOnset)
        discordant.mriReport(on: "2026-10-01", conclusion: "Mild degenerative change; no nerve root compression.")
        #expect(try discordant.fired().contains("mri-clinical-discordance"))
        var concordant = CaseFixture()
        concordant.condition(sct, sciatica, onset: chronicOnset)
        concordant.mriReport(on: "2026-10-01", conclusion: "Nerve root compression at L5.")
        #expect(try !concordant.fired().contains("mri-clinical-discordance"))
    }

    @Test func psychosocialFactorsAddressed() throws {
        let addressed = chronicBack {
            $0.observation(loinc, "70274-6", value: 12, date: "2026-11-01")
            $0.request(sct, "228557008", on: "2026-11-02")
        }
        #expect(try !addressed.fired().contains("psychosocial-factors-unaddressed"))
    }
}

@Suite("Rule ids: GUIDELINE.md, code and tests in step")
struct RuleIdTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let guidelinePath = root.deletingLastPathComponent().appendingPathComponent("shared/GUIDELINE.md").path
    static let guidelineIsPresent = FileManager.default.fileExists(atPath: guidelinePath)

    /// The ids in the first column of GUIDELINE.md's rule tables.
    static func guidelineIds() throws -> [String] {
        let text = try String(contentsOfFile: guidelinePath, encoding: .utf8)
        var ids: [String] = []
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cell = line.dropFirst(2).prefix { $0 != "|" }
            let quoted = cell.split(separator: "`", omittingEmptySubsequences: false).enumerated()
            ids += quoted.filter { $0.offset % 2 == 1 }.map { String($0.element) }
        }
        return ids
    }

    @Test(.enabled(if: guidelineIsPresent, "../shared/GUIDELINE.md is absent"))
    func everyGuidelineIdIsARuleAndTested() throws {
        let ids = try Self.guidelineIds()
        let code = Set(RuleID.allCases.map(\.rawValue))
        #expect(Set(ids).count == ids.count, "an id appears twice in GUIDELINE.md")
        #expect(code.subtracting(ids).isEmpty, "only in code: \(code.subtracting(ids))")
        #expect(Set(ids) == code, "only in GUIDELINE: \(Set(ids).subtracting(code))")
        let folder = Self.root.appendingPathComponent("Tests/GuidelineTests")
        let tests = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .map { try String(contentsOfFile: folder.appendingPathComponent($0).path, encoding: .utf8) }.joined()
        for id in code.sorted() {
            #expect(tests.contains("\"\(id)\""), "no test names \(id)")
        }
    }

    /// Every rule is in profiles/ — an action of the PlanDefinition, and an ActivityDefinition
    /// (requests, activities) or a code of the detected-issue CodeSystem (warnings).
    @Test func everyRuleIsInProfiles() throws {
        let profiles = Self.root.appendingPathComponent("profiles")
        func json(_ name: String) throws -> [String: Any] {
            let data = try Data(contentsOf: profiles.appendingPathComponent(name))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
        let plan = try json("PlanDefinition-painpath-pain-management.json")
        let actions = Set(((plan["action"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String })
        let ids = Set(RuleID.allCases.map(\.rawValue))
        #expect(actions == ids, "PlanDefinition actions differ: \(actions.symmetricDifference(ids))")
        let concepts = (try json("CodeSystem-detected-issue.json")["concept"] as? [[String: Any]]) ?? []
        let codes = Set(concepts.compactMap { $0["code"] as? String })
        for rule in Rules.all {
            if rule.kind == .warning {
                #expect(codes.contains(rule.id.rawValue), "\(rule.id.rawValue) is not a detected-issue code")
            } else {
                let definition = try json("ActivityDefinition-\(rule.id.rawValue).json")
                let url = "https://painpath.example.org/fhir/ActivityDefinition/\(rule.id.rawValue)"
                #expect(definition["url"] as? String == url)
            }
        }
        #expect(codes.count == Rules.all.filter { $0.kind == .warning }.count)
    }

    @Test func everyValueSetTheCodeNeedsIsInProfiles() {
        for id in ValueSetID.allCases {
            #expect(repositoryTerminology.valueSet(id)?.isEmpty == false, "\(id.rawValue)")
        }
        #expect(repositoryTerminology.classes(of: "oxycodone") == [.opioid])
        #expect(repositoryTerminology.classes(of: "acetaminophen") == [.acetaminophen])
    }
}
