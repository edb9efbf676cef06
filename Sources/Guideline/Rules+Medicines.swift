import Case
import Foundation
import Terminology

/// §2.3 Medicines. No drug is proposed that is active (except a titration), failed, allergic or
/// contraindicated: `DrugChoice` passes over such drugs and the reasons say which and why. Doses
/// come from the regimen table (`Regimen`).
extension Rules {
    static let medicines = [
        startGabapentinoid, startSodiumChannelAnticonvulsant, startSNRIOrTCA, startDuloxetine, titrateDuloxetine,
        optimizeNSAID, topicalAgent, startTramadol, opioidRiskAssessment, opioidTrialLastResort,
        muscleRelaxantShortCourse,
    ]

    static let startGabapentinoid = Rule(
        .startGabapentinoid, .medicationRequest, in: .medicines, "Start a gabapentinoid",
        cites: [.s000, .s002, .s003, .s004]
    ) { c, _ in
        guard c.has(.radicular) || c.hasNeuropathicComponent else {
            return .skip("no radicular or neuropathic component")
        }
        var reasons = [Reason("radicular or neuropathic component", c.sources(.radicular) + c.sources(.neuropathic))]
        if let active = c.active(.gabapentinoid).first {
            return .skip("a gabapentinoid is already active (\(active.summary))", active.references)
        }
        let renal = c.contraindications(.gabapentinoidRenalDose).map(\.reason)
        let renalNote =
            renal.isEmpty ? "" : " Reduce the dose for renal function (\(renal.map(\.text).joined(separator: "; ")))."
        // Spinal cord injury pain: pregabalin first (003).
        let order: [Regimen] =
            c.has(.spinalCordInjury) ? [.pregabalinSpinalCordInjury, .gabapentin] : [.gabapentin, .pregabalin]
        let (choice, passed) = DrugChoice.pick(order, in: c)
        reasons += passed + renal
        guard let choice else { return .skip(reasons + [Reason("no gabapentinoid can be proposed")]) }
        return .fire(reasons, choice.proposal(".", note: renalNote))
    }

    static let startSodiumChannelAnticonvulsant = Rule(
        .startSodiumChannelAnticonvulsant, .medicationRequest, in: .medicines, "Start a sodium-channel anticonvulsant",
        cites: [.s000, .s004]
    ) { c, _ in
        guard c.hasNeuropathicComponent else { return .skip("no neuropathic component") }
        let blocked = [Drug.gabapentin, .pregabalin].map { DrugChoice.blockers($0, in: c, allowActive: true) }
        guard blocked.allSatisfy({ !$0.isEmpty }) else {
            return .skip("gabapentinoids have not failed and are not contraindicated")
        }
        if let active = c.active(.sodiumChannelAnticonvulsant).first {
            return .skip("already active (\(active.summary))", active.references)
        }
        let (choice, passed) = DrugChoice.pick([.carbamazepine, .oxcarbazepine], in: c)
        let reasons = [Reason("neuropathic component", c.sources(.neuropathic))] + blocked.flatMap { $0 } + passed
        guard let choice else { return .skip(reasons + [Reason("no sodium-channel anticonvulsant can be proposed")]) }
        return .fire(reasons, choice.proposal())
    }

    static let startSNRIOrTCA = Rule(
        .startSNRIOrTCA, .medicationRequest, in: .medicines, "Start an SNRI or a TCA", cites: [.s000, .s001]
    ) { c, _ in
        guard c.hasNeuropathicComponent else { return .skip("no neuropathic component") }
        if let active = (c.active(.snri) + c.active(.tca)).first {
            return .skip("an SNRI or TCA is already active (\(active.summary))", active.references)
        }
        // Duloxetine first when back pain or depression coexists or at 65 and over; else nortriptyline.
        let older = (c.age ?? 0) >= 65
        let why = [
            c.hasBackPain ? "back pain coexists" : nil, c.depression.isEmpty ? nil : "depression",
            older ? "age ≥ 65" : nil,
        ].compactMap { $0 }
        var reasons = [Reason("neuropathic component (multimodal with the anticonvulsant)", c.sources(.neuropathic))]
        if !why.isEmpty { reasons.append(Reason("duloxetine preferred: " + why.joined(separator: ", "))) }
        let order: [Regimen] =
            why.isEmpty
            ? [.nortriptyline, .duloxetineStart, .venlafaxine] : [.duloxetineStart, .nortriptyline, .venlafaxine]
        let (choice, passed) = DrugChoice.pick(order, in: c)
        reasons += passed
        guard let choice else { return .skip(reasons + [Reason("no SNRI or TCA can be proposed")]) }
        return .fire(reasons, choice.proposal())
    }

    static let startDuloxetine = Rule(
        .startDuloxetine, .medicationRequest, in: .medicines, "Start duloxetine for chronic low back pain",
        cites: [.s002]
    ) { c, _ in
        guard c.hasChronicBackPain else {
            return .skip(c.hasBackPain ? c.durationReason.text + " (not chronic)" : "no back-pain condition")
        }
        let initial = (c.tried(.nsaid) + c.tried(.acetaminophen)).filter { $0.failed || !c.improved }
        guard !initial.isEmpty else { return .skip("no NSAID or acetaminophen tried without improvement") }
        let (choice, passed) = DrugChoice.pick([.duloxetineStart], in: c)
        let reasons =
            [c.durationReason]
            + initial.map { Reason("initial medicine tried without improvement: \($0.summary)", $0.references) }
            + passed
        guard let choice else { return .skip(reasons) }
        return .fire(reasons, choice.proposal())
    }

    static let titrateDuloxetine = Rule(
        .titrateDuloxetine, .medicationRequest, in: .medicines, "Increase duloxetine to 60 mg", cites: [.s002]
    ) { c, _ in
        guard let active = c.medications(ingredient: Drug.duloxetine.ingredient).first(where: \.isActive) else {
            return .skip("duloxetine not active")
        }
        guard let dose = active.dailyDoseMilligrams, dose < 60 else {
            return .skip("duloxetine dose is not below 60 mg/day (or not known)", active.references)
        }
        let weeks = active.weeksTaken ?? 0
        guard weeks >= 1 else { return .skip("duloxetine active less than 1 week", active.references) }
        guard !c.improved else { return .skip([c.improvedReason]) }
        return .fire(
            [Reason("duloxetine \(format(dose)) mg/day for \(Int(weeks)) weeks, not improved", active.references)],
            Regimen.duloxetineTarget.proposal())
    }

    static let optimizeNSAID = Rule(
        .optimizeNSAID, .medicationRequest, in: .medicines, "Optimize the NSAID", cites: [.s002]
    ) { c, _ in
        guard c.hasBackPain else { return .skip("no back-pain component") }
        let contraindications = c.contraindications(.nsaid)
        guard contraindications.isEmpty else {
            return .skip(contraindications.map { $0.reason(prefixed: "NSAID contraindicated: ") })
        }
        if let sources = c.allergicClasses[.nsaid] { return .skip("NSAID allergy", sources) }
        let component = Reason("back-pain component", c.backPainSources)
        if let current = c.active(.nsaid).first(where: { !$0.isTopical }) {
            // An NSAID is active: raise it to a full dose when under-dosed (002: before declaring failure).
            guard let dose = current.dailyDoseMilligrams,
                let ingredient = current.ingredientNames.first(where: { Derivations.adequateDailyDose[$0] != nil }),
                let adequate = Derivations.adequateDailyDose[ingredient], dose < adequate
            else {
                return .skip("active NSAID at an adequate (or unknown) dose: \(current.summary)", current.references)
            }
            var proposal = (ingredient == Drug.ibuprofen.ingredient ? Regimen.ibuprofen : .naproxen)
                .proposal(" before declaring failure.")
            proposal.title = "\(ingredient.capitalized) at full dose"
            proposal.ingredient = ingredient
            let underDosed = "\(current.summary) under-dosed: \(format(dose)) mg/day (< \(format(adequate)))"
            return .fire([component, Reason(underDosed, current.references)], proposal)
        }
        let (choice, passed) = DrugChoice.pick([.naproxen, .ibuprofen], in: c)
        let reasons = [component, Reason("no NSAID active")] + passed
        guard let choice else { return .skip(reasons) }
        return .fire(reasons, choice.proposal(" (full dose before declaring failure)."))
    }

    static let topicalAgent = Rule(
        .topicalAgent, .medicationRequest, in: .medicines, "Topical lidocaine or capsaicin", cites: [.s000]
    ) { c, _ in
        guard c.has(.peripheralNeuropathic) else { return .skip("no peripheral neuropathic component") }
        if let active = c.active(.topical).first {
            return .skip("a topical agent is already active (\(active.summary))", active.references)
        }
        let (choice, passed) = DrugChoice.pick([.lidocainePatch, .capsaicin], in: c)
        let reasons = [Reason("peripheral neuropathic component", c.sources(.peripheralNeuropathic))] + passed
        guard let choice else { return .skip(reasons) }
        return .fire(reasons, choice.proposal())
    }

    static let startTramadol = Rule(
        .startTramadol, .medicationRequest, in: .medicines, "Start tramadol", cites: [.s002]
    ) { c, _ in
        guard c.hasChronicBackPain else { return .skip("no chronic low back pain") }
        guard let nsaids = Criteria.nsaidsExhausted(c) else {
            return .skip("NSAIDs neither failed nor contraindicated")
        }
        let duloxetineFailed = c.medications(ingredient: Drug.duloxetine.ingredient).filter(\.failed)
        let duloxetineBlocked = c.contraindications(.duloxetine)
        guard !duloxetineFailed.isEmpty || !duloxetineBlocked.isEmpty else {
            return .skip("duloxetine neither failed nor contraindicated")
        }
        // Maximum 400 mg/day, 300 mg over age 75 (002).
        let regimen = Regimen.tramadol(maximumPerDay: (c.age ?? 0) > 75 ? 300 : 400)
        let (choice, passed) = DrugChoice.pick([regimen], in: c)
        let reasons =
            [c.durationReason] + nsaids
            + duloxetineFailed.map { Reason("duloxetine failed: \($0.failure?.text ?? "")", $0.references) }
            + duloxetineBlocked.map { $0.reason(prefixed: "duloxetine contraindicated: ") } + passed
        guard let choice else { return .skip(reasons) }
        return .fire(reasons, choice.proposal())
    }

    static let riskAssessment = Proposal(
        key: .service(.opioidRiskAssessment), title: "Opioid misuse risk assessment",
        detail: "Assess the risk of opioid misuse before and during opioid therapy.",
        codes: [.snomed("454281000124100", "Assessment of risk for opioid abuse")])

    static let opioidRiskAssessment = Rule(
        .opioidRiskAssessment, .serviceRequest, in: .medicines, "Opioid misuse risk assessment", cites: [.s002]
    ) { c, _ in
        let assessments = c.opioidRiskAssessments
        let trial = Criteria.opioidTrial(c)
        if trial.applies, assessments.isEmpty {
            return .fire([Reason("an opioid trial is being considered")] + trial.reasons, riskAssessment)
        }
        let active = c.active(.opioid)
        if !active.isEmpty, assessments.isEmpty {
            let reasons = active.map {
                Reason("active opioid without a recorded risk assessment: \($0.summary)", $0.references)
            }
            return .fire(reasons, riskAssessment)
        }
        if !assessments.isEmpty { return .skip("risk assessment recorded", assessments) }
        return .skip("no opioid active or considered")
    }

    static let opioidTrialLastResort = Rule(
        .opioidTrialLastResort, .medicationRequest, in: .medicines, "Immediate-release opioid trial, last resort",
        cites: [.s000, .s002]
    ) { c, _ in
        if let scope = Criteria.outOfCDCScope(c) { return .skip([scope]) }
        let trial = Criteria.opioidTrial(c)
        guard trial.applies else { return .skip(trial.reasons) }
        let (choice, passed) = DrugChoice.pick([.oxycodoneTrial, .morphineTrial], in: c)
        guard let choice else { return .skip(trial.reasons + passed) }
        return .fire(trial.reasons + passed, choice.proposal())
    }

    static let muscleRelaxantShortCourse = Rule(
        .muscleRelaxantShortCourse, .medicationRequest, in: .medicines, "Short course of a muscle relaxant",
        cites: [.s003], tags: [.shortCourse]
    ) { c, _ in
        guard c.hasBackPain else { return .skip("no back-pain condition") }
        guard c.isAcute else { return .skip(c.durationReason.text + " (not acute)", c.durationReason.sources) }
        if let active = c.active(.muscleRelaxant).first {
            return .skip("a muscle relaxant is already active (\(active.summary))", active.references)
        }
        let (choice, passed) = DrugChoice.pick([.cyclobenzaprine, .methocarbamol, .baclofen], in: c)
        let reasons = [c.durationReason] + passed
        guard let choice else { return .skip(reasons) }
        var proposal = choice.proposal()
        proposal.scheduledStart = c.now
        proposal.scheduledEnd = ClinicalDate.adding(days: 14, to: c.now)
        return .fire(reasons, proposal)
    }
}
