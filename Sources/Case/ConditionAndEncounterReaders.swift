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

    func readConditions(_ resources: [FHIRElement], into facts: inout ClinicalCase) {
        for resource in resources where resource.type == "Condition" {
            guard let condition = Condition(resource), !isRefuted(condition) else { continue }
            let code = condition.code
            let reference = ref(resource)
            let label = label(code)
            let active = isActiveCondition(condition)
            // The code's value sets, asked once for the twenty-odd sets tested below.
            let sets = terminology.membership(code)

            // Red flags count whether active or past (a history of cancer is a red flag).
            if sets.contains(.malignancy) { facts.redFlags[.malignancy, default: []].append(reference) }
            if active {
                let flags: [(ValueSetID, RedFlag)] = [
                    (.spinalInfection, .spinalInfection), (.vertebralCompressionFracture, .vertebralFracture),
                    (.unexplainedWeightLoss, .weightLoss), (.fever, .fever), (.ivDrugUse, .ivDrugUse),
                    (.immunosuppression, .immunosuppression),
                    (.caudaEquinaSyndrome, .caudaEquina),
                ]
                for (set, flag) in flags where sets.contains(set) {
                    facts.redFlags[flag, default: []].append(reference)
                }
                if sets.contains(.opioidUseDisorder) { facts.opioidUseDisorder.append(reference) }
                if sets.contains(.depression) {
                    facts.psychosocialFactors.append(PsychosocialFactor(.depression(label: label), [reference]))
                }
                if sets.contains(.anxiety) {
                    facts.psychosocialFactors.append(PsychosocialFactor(.anxiety(label: label), [reference]))
                }
                if sets.contains(.neuroDeficit) {
                    facts.deficits.append(
                        deficit(
                            reference: reference, label: label,
                            concepts: [code, condition.severity].compactMap { $0 } + condition.stageSummaries,
                            text: code?.text, caudaEquina: sets.contains(.caudaEquinaSyndrome)))
                }
                contraindications(sets, reference: reference, label: label, into: &facts)
            }
            // GI bleeding or ulcer counts against NSAIDs even when healed.
            if !active, sets.contains(.giBleedOrPepticUlcer) {
                facts.contraindications[.nsaid, default: []].append(
                    Contraindication(.pastGIBleed(label: label), [reference]))
            }

            guard active else { continue }
            var phenotypes = Set<Phenotype>()
            for (set, phenotype) in Self.phenotypeSets where sets.contains(set) {
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
    func contraindications(
        _ sets: ValueSetMembership, reference: String, label: String, into facts: inout ClinicalCase
    ) {
        for cause in ContraindicatingCondition.allCases where sets.contains(cause.valueSet) {
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

    func readEncounters(_ resources: [FHIRElement], into facts: inout ClinicalCase) {
        let backPainConditions = Set(
            facts.conditions.filter { !$0.phenotypes.isDisjoint(with: Phenotype.backPain) }.map(\.reference))
        // Every encounter of a long record passes here: what it is asked is read on the model, and a reference
        // string is made only for the encounters kept.
        var candidates: [(start: Date, inProgress: Bool, resource: FHIRElement)] = []
        var episodeEncounters: [(Date, String, Bool)] = []
        var resolved: [String: Bool] = [:]
        for resource in resources where resource.type == "Encounter" {
            let status = resource.string("status")
            guard status != "entered-in-error", status != "cancelled" else { continue }
            let start = ClinicalDate.parse(resource.string("period", "start"))
            if let start, start <= facts.now {
                candidates.append((start, status == "in-progress", resource))
            }
            guard let start else { continue }
            // Reasons are resolved only when the episode has back-pain conditions to point to.
            let coded = terminology.membership(of: resource, property: "reasonCode").intersects(Self.backPainSets)
            guard
                coded
                    || (!backPainConditions.isEmpty
                        && refersToAny(backPainConditions, from: resource, resolved: &resolved))
            else {
                continue
            }
            episodeEncounters.append((start, ref(resource), isSpecialistSetting(resource)))
        }
        // The current encounter: the latest one in progress, else the latest that has started.
        let current =
            candidates.filter(\.inProgress).max { $0.start < $1.start } ?? candidates.max { $0.start < $1.start }
        if let current, isSpecialistSetting(current.resource) {
            facts.setting = Sourced(.specialist, [ref(current.resource)])
        }
        episodeEncounters.sort { $0.0 < $1.0 }
        if let first = episodeEncounters.first {
            facts.presentation = Sourced(first.0, [first.1])
        }
        facts.primaryCareEncountersInEpisode = episodeEncounters.filter { !$0.2 }.map(\.1)
    }

    /// An encounter's service type or type is a specialist setting (its types are asked again by the
    /// opioid-safety reader: remembered).
    func isSpecialistSetting(_ encounter: FHIRElement) -> Bool {
        terminology.membership(of: encounter, property: "serviceType").contains(.specialistSetting)
            || concepts.membership(of: encounter, property: "type").contains(.specialistSetting)
    }

    /// Whether a reason reference or diagnosis condition of an encounter leads to one of these conditions.
    /// A long record's encounters point at the same few conditions: each reference text is resolved once
    /// (`#contained` ones, which depend on the encounter, every time). The references are read on the model, reasons
    /// first, up to the first that leads (an array of Reference views per encounter was a third of this).
    func refersToAny(
        _ conditions: Set<String>, from encounter: FHIRElement, resolved: inout [String: Bool]
    ) -> Bool {
        var leads = false
        func follow(_ text: String?) {
            guard !leads, let text else { return }
            if let known = resolved[text] {
                leads = known
                return
            }
            leads = resolver.resolve(text, container: encounter).map { conditions.contains(ref($0)) } ?? false
            if !text.hasPrefix("#") { resolved[text] = leads }
        }
        encounter.forEachElement(of: "reasonReference") { follow($0.string("reference")) }
        encounter.forEachElement(of: "diagnosis") { follow($0.string("condition", "reference")) }
        return leads
    }
}
