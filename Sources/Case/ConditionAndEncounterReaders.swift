import FHIR
import Foundation
import Terminology

extension Context {
    /// The value sets of the back-pain phenotypes (an encounter coded with one belongs to the episode).
    static let backPainSets = ValueSetMembership(
        phenotypeSets.filter { Phenotype.backPain.contains($0.1) }.map(\.0))

    static let phenotypeSets: [(ValueSetID, Phenotype)] = [
        (.lowBackPain, .axialLowBackPain), (.radicularPain, .radicular), (.neuropathicPain, .neuropathic),
        (.peripheralNeuropathicPain, .peripheralNeuropathic), (.spinalCordInjury, .spinalCordInjury),
        (.vertebralCompressionFracture, .vertebralCompressionFracture),
        (.failedBackSurgerySyndrome, .failedBackSurgery),
        (.spinalStenosis, .spinalStenosis), (.facetJointPain, .facetJoint), (.sacroiliacJointPain, .sacroiliacJoint),
        (.spinalInstability, .spinalInstability),
    ]
    /// SNOMED CT 24484000 |Severe|, the R4 condition-severity code.
    static let severeCode = CodeKey(CodeSystems.snomed, "24484000")

    mutating func readConditions(_ resources: [FHIRElement], into facts: inout ClinicalCase) {
        for resource in resources where resource.type == "Condition" {
            guard let condition = Condition(resource), !isRefuted(condition) else { continue }
            let code = condition.code
            let reference = ref(resource)
            let label = label(code)
            let active = isActiveCondition(condition)

            // Red flags count whether active or past (a history of cancer is a red flag).
            if terminology.contains(.malignancy, code) { facts.redFlags[.malignancy, default: []].append(reference) }
            if active {
                let flags: [(ValueSetID, RedFlag)] = [
                    (.spinalInfection, .spinalInfection), (.vertebralCompressionFracture, .vertebralFracture),
                    (.unexplainedWeightLoss, .weightLoss), (.fever, .fever), (.ivDrugUse, .ivDrugUse),
                    (.immunosuppression, .immunosuppression),
                    (.caudaEquinaSyndrome, .caudaEquina),
                ]
                for (set, flag) in flags where terminology.contains(set, code) {
                    facts.redFlags[flag, default: []].append(reference)
                }
                if terminology.contains(.opioidUseDisorder, code) { facts.opioidUseDisorder.append(reference) }
                if terminology.contains(.depression, code) {
                    facts.psychosocialFactors.append(PsychosocialFactor(.depression(label: label), [reference]))
                }
                if terminology.contains(.anxiety, code) {
                    facts.psychosocialFactors.append(PsychosocialFactor(.anxiety(label: label), [reference]))
                }
                if terminology.contains(.neuroDeficit, code) {
                    facts.deficits.append(
                        deficit(
                            reference: reference, label: label,
                            concepts: [code, condition.severity].compactMap { $0 } + condition.stageSummaries,
                            text: code?.text, caudaEquina: terminology.contains(.caudaEquinaSyndrome, code)))
                }
                contraindications(condition: condition, reference: reference, label: label, into: &facts)
            }
            // GI bleeding or ulcer counts against NSAIDs even when healed.
            if !active, terminology.contains(.giBleedOrPepticUlcer, code) {
                facts.contraindications[.nsaid, default: []].append(
                    Contraindication(.pastGIBleed(label: label), [reference]))
            }

            guard active else { continue }
            var phenotypes = Set<Phenotype>()
            for (set, phenotype) in Self.phenotypeSets where terminology.contains(set, code) {
                phenotypes.insert(phenotype)
            }
            guard !phenotypes.isEmpty else { continue }
            let severe =
                condition.severity.map {
                    $0.codings.contains { CodeKey($0.system ?? "", $0.code ?? "") == Self.severeCode }
                        || ($0.text ?? $0.codings.first?.display ?? "").lowercased().includes("severe")
                } ?? false
            let fact = ConditionFact(
                reference: reference, label: label, phenotypes: phenotypes,
                onset: date(of: condition.onset), recorded: ClinicalDate.parse(condition.recordedDate), severe: severe,
                bodySites: condition.bodySites.map {
                    $0.codings.first.map { "\($0.system ?? "")|\($0.code ?? "")" } ?? ($0.text ?? "")
                },
                codeKey: code?.codings.first.map { "\($0.system ?? "")|\($0.code ?? "")" } ?? label)
            facts.conditions.append(fact)
            for phenotype in phenotypes { facts.phenotypes[phenotype, default: []].append(reference) }
        }
    }

    /// The contraindications a condition brings (GUIDELINE §1); CKD 4–5 also asks for renal dosing
    /// of gabapentinoids.
    func contraindications(condition: Condition, reference: String, label: String, into facts: inout ClinicalCase) {
        for cause in ContraindicatingCondition.allCases where terminology.contains(cause.valueSet, condition.code) {
            let against = cause.against + (cause == .ckdStage4to5 ? [.gabapentinoidRenalDose] : [])
            for target in against {
                facts.contraindications[target, default: []].append(
                    Contraindication(.condition(cause, label: label), [reference]))
            }
        }
    }

    func deficit(
        reference: String, label: String, concepts: [CodeableConcept], text: String?,
        interpretations: [CodeableConcept] = [],
        caudaEquina: Bool
    ) -> DeficitFinding {
        var progression: DeficitProgression?
        if concepts.contains(where: { terminology.contains(.progressionQualifier, $0) }) {
            progression = .coded
        } else if interpretations.contains(where: {
            $0.contains(system: CodeSystems.observationInterpretation, code: "W")
        }) {
            progression = .interpretationWorse
        } else if let text = text?.lowercased(), text.includes("progressive") || text.includes("worsening") {
            progression = .described(word: text.includes("progressive") ? "progressive" : "worsening")
        }
        return DeficitFinding(reference: reference, label: label, progression: progression, caudaEquina: caudaEquina)
    }

    mutating func readEncounters(_ resources: [FHIRElement], into facts: inout ClinicalCase) {
        let backPainConditions = Set(
            facts.conditions.filter { !$0.phenotypes.isDisjoint(with: Phenotype.backPain) }.map(\.reference))
        var candidates: [(Date, Encounter, String)] = []
        var episodeEncounters: [(Date, String, Bool)] = []
        for resource in resources where resource.type == "Encounter" {
            guard let encounter = Encounter(resource), encounter.status != "entered-in-error",
                encounter.status != "cancelled"
            else { continue }
            let reference = ref(resource)
            let start = ClinicalDate.parse(encounter.period?.start)
            let specialist = terminology.membership([encounter.serviceType].compactMap { $0 } + encounter.types)
                .contains(.specialistSetting)
            if let start, start <= facts.now { candidates.append((start, encounter, reference)) }
            // Reasons are resolved only when the episode has back-pain conditions to point to.
            let referred =
                !backPainConditions.isEmpty
                && (encounter.reasonReferences + encounter.diagnosisConditions).contains { reference in
                    guard let target = reference.reference.flatMap({ resolver.resolve($0, container: resource) })
                    else {
                        return false
                    }
                    return backPainConditions.contains(ref(target))
                }
            let coded = terminology.membership(encounter.reasonCodes).intersects(Self.backPainSets)
            if referred || coded, let start { episodeEncounters.append((start, reference, specialist)) }
        }
        // The current encounter: the latest one in progress, else the latest that has started.
        let current =
            candidates.filter { $0.1.status == "in-progress" }.max { $0.0 < $1.0 } ?? candidates.max { $0.0 < $1.0 }
        if let (_, encounter, reference) = current,
            terminology.contains(.specialistSetting, encounter.serviceType)
                || terminology.containsAny(.specialistSetting, encounter.types)
        {
            facts.setting = Sourced(.specialist, [reference])
        }
        episodeEncounters.sort { $0.0 < $1.0 }
        if let first = episodeEncounters.first {
            facts.presentation = Sourced(first.0, [first.1])
        }
        facts.primaryCareEncountersInEpisode = episodeEncounters.filter { !$0.2 }.map(\.1)
    }
}
