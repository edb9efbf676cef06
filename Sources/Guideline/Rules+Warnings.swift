import Case
import Foundation
import Terminology

/// §3 Warnings (DetectedIssue).
extension Rules {
    static let warnings = [
        benzodiazepineForPain, systemicCorticosteroidForBackPain, opioidFirstLine, opioidExtendedReleaseStart,
        opioidHighDose, opioidBenzodiazepine, opioidWithSubstanceUseDisorder, opioidWithoutFunctionalGain,
        analgesicMonotherapyNeuropathic, acetaminophenMonotherapy, ineffectiveMedicationContinued,
        medicationsWithoutNonPharmacological, referralOverdue, repeatedPrimaryCareAssessments,
        injectionWithoutImageGuidance, scsImplantWithoutTrial, mriWithoutRedFlags, mriClinicalDiscordance,
        serotonergicCombination, nsaidContraindicated, psychosocialFactorsUnaddressed, opioidDoseUnknown,
    ]

    static func warning(
        _ id: RuleID, _ title: String, cites: [SourceText], reads: [RuleSelector] = [],
        _ test: @escaping @Sendable (ClinicalCase, RuleContext) -> RuleOutcome
    ) -> Rule {
        Rule(id, .warning, in: .warnings, title, cites: cites, reads: reads, evaluate: test)
    }

    static let benzodiazepineForPain = warning(
        .benzodiazepineForPain, "Benzodiazepine for pain", cites: [.s000, .s002]
    ) { c, _ in
        let benzodiazepines = c.active(.benzodiazepine)
        guard !benzodiazepines.isEmpty else { return .skip("no active benzodiazepine") }
        let opioids = c.active(.opioid)
        let withOpioid = !opioids.isEmpty
        return .warn(
            benzodiazepines.map { Reason("active benzodiazepine: \($0.summary)", $0.references) }
                + (withOpioid ? [Reason("with an active opioid", opioids.flatMap(\.references))] : []),
            Warning(
                severity: withOpioid ? .high : .moderate,
                detail: "Benzodiazepines are not recommended for back or neuropathic pain"
                    + (withOpioid ? "; combined with an opioid the risk is high." : "."),
                implicated: benzodiazepines.flatMap(\.references) + opioids.flatMap(\.references)))
    }

    static let systemicCorticosteroidForBackPain = warning(
        .systemicCorticosteroidForBackPain, "Systemic corticosteroid for back pain", cites: [.s002]
    ) { c, _ in
        let steroids = c.active(.systemicCorticosteroid).filter { !$0.isEpidural && !$0.isTopical }
        guard !steroids.isEmpty else { return .skip("no active systemic corticosteroid") }
        guard c.hasChronicBackPain else { return .skip("no chronic back pain") }
        return .warn(
            steroids.map { Reason("active systemic corticosteroid: \($0.summary)", $0.references) } + [
                c.durationReason
            ],
            Warning(
                severity: .moderate, detail: "Systemic corticosteroids are not recommended for chronic back pain.",
                implicated: steroids.flatMap(\.references)))
    }

    static let opioidFirstLine = warning(
        .opioidFirstLine, "Opioid without first-line treatment", cites: [.s000, .s002]
    ) { c, _ in
        if let scope = Criteria.outOfCDCScope(c) { return .skip([scope]) }
        let opioids = c.active(.opioid)
        guard let opioid = opioids.first else { return .skip("no active opioid") }
        // First-line medicines begun no later than the opioid.
        let medicines = c.medications.filter {
            $0.isIn(MedicationClass.firstLineSystemic) && ($0.start ?? .distantPast) <= (opioid.start ?? .distantFuture)
        }
        let therapies = c.nonPharmacologicalTherapies
        if !medicines.isEmpty && !therapies.isEmpty {
            return .skip([
                Reason("first-line medicines tried", medicines.flatMap(\.references)),
                Reason("non-pharmacological therapy tried", therapies.map(\.reference)),
            ])
        }
        let missing = [
            medicines.isEmpty ? "first-line medicines" : nil, therapies.isEmpty ? "non-pharmacological therapy" : nil,
        ].compactMap { $0 }
        return .warn(
            [
                Reason("active opioid: \(opioid.summary)", opioid.references),
                Reason("no trial of \(missing.joined(separator: " or "))"),
            ],
            Warning(
                severity: .high, detail: "Opioid active without a trial of \(missing.joined(separator: " and ")).",
                implicated: opioids.flatMap(\.references)))
    }

    static let opioidExtendedReleaseStart = warning(
        .opioidExtendedReleaseStart, "Extended-release opioid started first", cites: [.s002]
    ) { c, _ in
        if let scope = Criteria.outOfCDCScope(c) { return .skip([scope]) }
        let extended = c.active(.opioid).filter(\.extendedRelease)
        guard let first = extended.first else { return .skip("no active extended-release opioid") }
        let immediate = c.medications(.opioid).filter {
            !$0.extendedRelease && ($0.start ?? .distantPast) < (first.start ?? .distantFuture)
        }
        guard immediate.isEmpty else {
            return .skip("immediate-release course before", immediate.flatMap(\.references))
        }
        return .warn(
            [
                Reason(
                    "extended-release opioid without a prior immediate-release course: \(first.summary)",
                    first.references)
            ],
            Warning(
                severity: .high, detail: "Extended-release opioids must not be used to start opioid therapy.",
                implicated: extended.flatMap(\.references)))
    }

    static let opioidHighDose = warning(.opioidHighDose, "High opioid dose", cites: [.s002]) { c, _ in
        if let scope = Criteria.outOfCDCScope(c) { return .skip([scope]) }
        // The known part alone decides; opioids of unknown dose are named, never counted as zero.
        let mme = c.mme
        let unknown = mme.unknownDose.map { Reason("dose unknown: \($0.summary)", $0.references) }
        guard mme.known >= 50 else {
            return .skip([Reason("\(format(mme.known)) MME/day (< 50)", mme.sources)] + unknown)
        }
        // Moderate from 50 MME/day, high from 90 (CDC 2022).
        let threshold = mme.known >= 90 ? 90 : 50
        let known = unknown.isEmpty ? "" : " known"
        return .warn(
            [Reason("\(format(mme.known)) MME/day\(known) (CDC 2022 factors)", mme.sources)] + unknown,
            Warning(
                severity: threshold == 90 ? .high : .moderate,
                detail: "Opioid dose \(format(mme.known)) MME/day\(known) (≥ \(threshold)): reassess benefit and risk; "
                    + "consider tapering.",
                implicated: mme.sources))
    }

    static let opioidDoseUnknown = warning(.opioidDoseUnknown, "Opioid of unknown dose", cites: [.s002]) { c, _ in
        let unknown = c.mme.unknownDose
        guard !unknown.isEmpty else { return .skip("every current opioid has a readable dose (or none is current)") }
        return .warn(
            unknown.map { Reason("current opioid without a readable dose: \($0.summary)", $0.references) }
                + [Reason("MME/day \(format(c.mme.known)) is the known part only", c.mme.sources)],
            Warning(
                severity: .low,
                detail: "The daily dose of a current opioid cannot be read (no dosage, no supply): MME/day cannot be "
                    + "checked; ask for the dose.",
                implicated: unknown.flatMap(\.references)))
    }

    static let opioidBenzodiazepine = warning(
        .opioidBenzodiazepine, "Opioid with a benzodiazepine", cites: [.s000, .s002]
    ) { c, _ in
        let opioids = c.active(.opioid)
        let benzodiazepines = c.active(.benzodiazepine)
        guard !opioids.isEmpty, !benzodiazepines.isEmpty else {
            return .skip("not both an opioid and a benzodiazepine active")
        }
        let references = opioids.flatMap(\.references) + benzodiazepines.flatMap(\.references)
        return .warn(
            [Reason("opioid and benzodiazepine both active", references)],
            Warning(
                severity: .high, detail: "Concurrent opioid and benzodiazepine: risk of fatal respiratory depression.",
                implicated: references))
    }

    static let opioidWithSubstanceUseDisorder = warning(
        .opioidWithSubstanceUseDisorder, "Opioid with substance use disorder", cites: [.s002],
        reads: [.rule(.opioidTrialLastResort)]
    ) { c, context in
        let disorders = c.substanceUseDisorders
        guard !disorders.isEmpty else { return .skip("no substance or opioid use disorder") }
        // Buprenorphine or methadone for the disorder is its treatment, not an opioid here.
        let opioids = c.active(.opioid).filter { !$0.isMOUD }
        let proposed = context.proposals(.rule(.opioidTrialLastResort)).map(\.key)
        let ordering = c.proposedOpioids
        guard !opioids.isEmpty || !proposed.isEmpty || !ordering.isEmpty else {
            return .skip("no opioid active or proposed")
        }
        return .warn(
            disorders.map(\.reason) + opioids.map { Reason("active opioid: \($0.summary)", $0.references) }
                + ordering.map { Reason("opioid being ordered: \($0.label)", [$0.reference]) },
            Warning(
                severity: .high, detail: "Opioid with a substance or opioid use disorder.",
                implicated: opioids.flatMap(\.references) + ordering.map(\.reference) + disorders.flatMap(\.sources),
                implicatedProposals: proposed))
    }

    static let opioidWithoutFunctionalGain = warning(
        .opioidWithoutFunctionalGain, "Opioid without functional gain", cites: [.s002]
    ) { c, _ in
        if let scope = Criteria.outOfCDCScope(c) { return .skip([scope]) }
        let long = c.active(.opioid).filter { ($0.weeksTaken ?? 0) >= 4 }
        guard !long.isEmpty else { return .skip("no opioid active for ≥ 4 weeks") }
        guard !c.improved else { return .skip([c.improvedReason]) }
        return .warn(
            long.map { Reason("opioid active \(Int($0.weeksTaken ?? 0)) weeks: \($0.summary)", $0.references) }
                + [Reason("function not improved")],
            Warning(
                severity: .moderate, detail: "Opioid for ≥ 4 weeks without functional gain: taper.",
                implicated: long.flatMap(\.references), mitigation: .snomed("874903005", "Opioid tapering management")))
    }

    static let analgesicMonotherapyNeuropathic = warning(
        .analgesicMonotherapyNeuropathic, "Neuropathic pain on simple analgesics only", cites: [.s000]
    ) { c, _ in
        guard c.hasNeuropathicComponent else { return .skip("no neuropathic component") }
        let active = c.activePainMedicines
        guard !active.isEmpty, active.allSatisfy({ $0.classes.isSubset(of: [.acetaminophen, .nsaid]) }) else {
            return .skip(active.isEmpty ? "no pain medicine active" : "treated with more than acetaminophen/NSAIDs")
        }
        return .warn(
            [Reason("neuropathic component", c.sources(.neuropathic))]
                + active.map { Reason("only \($0.summary)", $0.references) },
            Warning(
                severity: .moderate, detail: "Neuropathic pain treated only with acetaminophen and/or NSAIDs.",
                implicated: active.flatMap(\.references)))
    }

    static let acetaminophenMonotherapy = warning(
        .acetaminophenMonotherapy, "Chronic low back pain on acetaminophen alone", cites: [.s002]
    ) { c, _ in
        guard c.hasChronicBackPain else { return .skip("no chronic low back pain") }
        let active = c.activePainMedicines
        guard !active.isEmpty, active.allSatisfy({ $0.classes == [.acetaminophen] }) else {
            return .skip("not on acetaminophen alone")
        }
        return .warn(
            [c.durationReason] + active.map { Reason("only \($0.summary)", $0.references) },
            Warning(
                severity: .low, detail: "Acetaminophen alone has little effect on chronic low back pain.",
                implicated: active.flatMap(\.references)))
    }

    static let ineffectiveMedicationContinued = warning(
        .ineffectiveMedicationContinued, "Ineffective medicine continued", cites: [.s002]
    ) { c, _ in
        guard !c.painScores.isEmpty || !c.odiScores.isEmpty else { return .skip("no pain or ODI measurements") }
        guard !c.improved else { return .skip([c.improvedReason]) }
        // Out of the CDC guideline's scope, opioids are not judged here (GUIDELINE §2.7).
        let outOfScope = Criteria.outOfCDCScope(c)
        let long = c.activePainMedicines.filter {
            ($0.weeksTaken ?? 0) >= 12 && !(outOfScope != nil && $0.classes.contains(.opioid))
        }
        guard !long.isEmpty else {
            return .skip([Reason("no pain medicine active for ≥ 12 weeks")] + (outOfScope.map { [$0] } ?? []))
        }
        return .warn(
            long.map {
                Reason("\($0.summary) active \(Int($0.weeksTaken ?? 0)) weeks without improvement", $0.references)
            },
            Warning(
                severity: .moderate, detail: "Pain medicine continued ≥ 12 weeks without improvement: reconsider.",
                implicated: long.flatMap(\.references)))
    }

    static let medicationsWithoutNonPharmacological = warning(
        .medicationsWithoutNonPharmacological, "Medicines without non-pharmacological therapy", cites: [.s002]
    ) { c, _ in
        guard c.hasChronicBackPain else { return .skip("no chronic back pain") }
        let active = c.activePainMedicines
        guard !active.isEmpty else { return .skip("no pain medicine active") }
        let recent = c.nonPharmacologicalTherapies.filter { Criteria.withinSixMonths($0.date, of: c) }
        guard recent.isEmpty else {
            return .skip("non-pharmacological therapy in the last 6 months", recent.map(\.reference))
        }
        return .warn(
            [c.durationReason] + active.map { Reason("active: \($0.summary)", $0.references) }
                + [Reason("no non-pharmacological therapy in 6 months")],
            Warning(
                severity: .moderate, detail: "Pain medicines without non-pharmacological therapy in the last 6 months.",
                implicated: active.flatMap(\.references)))
    }

    static let referralOverdue = warning(.referralOverdue, "Referral overdue", cites: [.s000, .s004]) { c, _ in
        let referrals = c.referrals([.specialist, .surgical, .multidisciplinary])
        guard referrals.isEmpty else { return .skip("referral on record", referrals.map(\.reference)) }
        let days = c.now.timeIntervalSince(c.presentationOrNow) / 86400
        let urgent = Criteria.urgentReferral(c)
        if !urgent.isEmpty, days > 14 {
            return .warn(
                urgent + [Reason("\(Int(days)) days since presentation (> 14), no referral", c.presentationSources)],
                Warning(
                    severity: .high,
                    detail: "Urgent referral criteria met \(Int(days)) days after presentation and no referral made.",
                    implicated: urgent.flatMap(\.sources)))
        }
        if let routine = Criteria.routineReferral(c), c.now > ClinicalDate.adding(months: 3, to: c.presentationOrNow) {
            return .warn(
                routine + [Reason("more than 3 months since presentation, no referral")],
                Warning(
                    severity: .high,
                    detail: "Routine referral criteria met more than 3 months after presentation and no referral made.",
                    implicated: routine.flatMap(\.sources)))
        }
        return .skip("no referral criteria overdue")
    }

    static let repeatedPrimaryCareAssessments = warning(
        .repeatedPrimaryCareAssessments, "Repeated primary-care assessments", cites: [.s000]
    ) { c, _ in
        let encounters = c.primaryCareEncountersInEpisode
        guard encounters.count >= 3 else {
            return .skip("\(encounters.count) primary-care encounters in the episode (< 3)", encounters)
        }
        let criteria = Criteria.urgentReferral(c) + (Criteria.routineReferral(c) ?? [])
        guard !criteria.isEmpty else { return .skip("referral criteria not met") }
        let referrals = c.referrals([.specialist, .surgical, .multidisciplinary])
        guard referrals.isEmpty else { return .skip("referral on record", referrals.map(\.reference)) }
        return .warn(
            [Reason("\(encounters.count) primary-care encounters in the episode", encounters)] + criteria,
            Warning(
                severity: .moderate,
                detail:
                    "\(encounters.count) primary-care assessments while referral criteria are met "
                    + "and no referral made.",
                implicated: encounters))
    }

    static let injectionWithoutImageGuidance = warning(
        .injectionWithoutImageGuidance, "Spinal injection without image guidance", cites: [.s000, .s004]
    ) { c, _ in
        let unguided = c.therapies.filter {
            TherapyKind.spinalInjections.contains($0.kind) && $0.onRecord && !$0.imageGuided
        }
        guard !unguided.isEmpty else { return .skip("no spinal injection without image guidance") }
        return .warn(
            unguided.map {
                Reason("\($0.kind.rawValue) \($0.state) without recorded image guidance", [$0.reference])
            },
            Warning(
                severity: .high, detail: "Spinal injection without image guidance: use fluoroscopic or CT guidance.",
                implicated: unguided.map(\.reference)))
    }

    static let scsImplantWithoutTrial = warning(
        .scsImplantWithoutTrial, "SCS implant without a successful trial", cites: [.s000]
    ) { c, _ in
        let implants = c.therapies.filter { $0.kind == .scsImplant && $0.onRecord }
        guard !implants.isEmpty else { return .skip("no spinal cord stimulator implant requested") }
        let trials = c.done(.scsTrial).filter(\.successful)
        guard trials.isEmpty else { return .skip("successful trial on record", trials.map(\.reference)) }
        return .warn(
            implants.map { Reason("SCS implant without a successful trial", [$0.reference]) },
            Warning(
                severity: .high, detail: "Spinal cord stimulator implant requested without a successful trial.",
                implicated: implants.map(\.reference)))
    }

    static let mriWithoutRedFlags = warning(
        .mriWithoutRedFlags, "MRI in primary care without red flags", cites: [.s000, .s002]
    ) { c, _ in
        let orders = c.imaging.filter { $0.ordered && $0.orderedInPrimaryCare }
        guard !orders.isEmpty else { return .skip("no MRI lumbar spine ordered in primary care") }
        guard !c.hasRedFlags else { return .skip(c.redFlagReasons.map { $0.prefixed("red flag: ") }) }
        return .warn(
            orders.map { Reason("MRI lumbar spine ordered in primary care without red flags", [$0.reference]) },
            Warning(
                severity: .moderate, detail: "MRI lumbar spine ordered in primary care without red flags.",
                implicated: orders.map(\.reference)))
    }

    static let mriClinicalDiscordance = warning(
        .mriClinicalDiscordance, "MRI and symptoms disagree", cites: [.s004]
    ) { c, _ in
        let negative = c.imaging.filter { $0.nerveRootCompression == false }
        guard !negative.isEmpty else { return .skip("no MRI report without nerve-root compression") }
        guard c.has(.radicular), !c.improved else { return .skip("radicular symptoms not persisting") }
        return .warn(
            [
                Reason("MRI shows no nerve-root compression", negative.map(\.reference)),
                Reason("radicular symptoms persist", c.sources(.radicular)),
            ],
            Warning(
                severity: .low,
                detail: "MRI shows no nerve-root compression while radicular symptoms persist: re-check the reading "
                    + "and other pain generators.",
                implicated: negative.map(\.reference) + c.sources(.radicular)))
    }

    static let serotonergicCombination = warning(
        .serotonergicCombination, "Tramadol with an SNRI or TCA", cites: [.s002], reads: [.kind(.medicationRequest)]
    ) { c, context in
        let proposed = Set(context.proposals(.kind(.medicationRequest)).compactMap(\.ingredient))
        let tramadolActive = c.active(.tramadol)
        let serotonergicActive = c.active(.snri) + c.active(.tca)
        let tramadolProposed = proposed.contains(Drug.tramadol.ingredient)
        let serotonergicProposed = Drug.serotonergic.map(\.ingredient).filter { proposed.contains($0) }
        guard
            (!tramadolActive.isEmpty || tramadolProposed)
                && (!serotonergicActive.isEmpty || !serotonergicProposed.isEmpty)
        else {
            return .skip("tramadol and an SNRI/TCA are not combined")
        }
        var reasons = (tramadolActive + serotonergicActive).map { Reason("active: \($0.summary)", $0.references) }
        if tramadolProposed { reasons.append(Reason("tramadol proposed")) }
        reasons += serotonergicProposed.map { Reason("\($0) proposed") }
        let implicatedProposals = ((tramadolProposed ? [Drug.tramadol.ingredient] : []) + serotonergicProposed)
            .map { ProposalKey.medicine($0) }
        return .warn(
            reasons,
            Warning(
                severity: .high, detail: "Tramadol with an SNRI or TCA: serotonin syndrome and seizure risk.",
                implicated: tramadolActive.flatMap(\.references) + serotonergicActive.flatMap(\.references),
                implicatedProposals: implicatedProposals))
    }

    static let nsaidContraindicated = warning(
        .nsaidContraindicated, "NSAID despite a contraindication", cites: [.s002]
    ) { c, _ in
        let active = c.active(.nsaid).filter { !$0.isTopical }
        guard !active.isEmpty else { return .skip("no active NSAID") }
        let contraindications = c.contraindications(.nsaid)
        guard !contraindications.isEmpty else { return .skip("no NSAID contraindication") }
        let why = contraindications.map(\.text).joined(separator: "; ")
        return .warn(
            active.map { Reason("active NSAID: \($0.summary)", $0.references) } + contraindications.map(\.reason),
            Warning(
                severity: .high, detail: "Active NSAID with a contraindication: " + why + ".",
                implicated: active.flatMap(\.references) + contraindications.flatMap(\.sources)))
    }

    static let psychosocialFactorsUnaddressed = warning(
        .psychosocialFactorsUnaddressed, "Psychosocial factors unaddressed", cites: [.s002]
    ) { c, _ in
        let factors = c.psychosocialFactors
        guard !factors.isEmpty else { return .skip("no psychosocial factors") }
        let therapy = c.therapies([.psychological])
        guard therapy.isEmpty else { return .skip("psychological therapy on record", therapy.map(\.reference)) }
        return .warn(
            factors.map(\.reason) + [Reason("no psychological therapy")],
            Warning(
                severity: .moderate, detail: "Psychosocial factors without psychological therapy.",
                implicated: factors.flatMap(\.sources)))
    }
}
