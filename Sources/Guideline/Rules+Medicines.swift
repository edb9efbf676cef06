import Case
import Foundation
import Terminology

/// §2.3 Medicines. No drug is proposed that is active (except a titration), failed, allergic or
/// contraindicated: `DrugChoice` passes over such drugs and the reasons say which and why.
extension Rules {
    typealias C = DrugChoice.Candidate
    static let gabapentin = C(ingredient: "gabapentin", medicationClass: .gabapentinoid, contraindication: nil)
    static let pregabalin = C(ingredient: "pregabalin", medicationClass: .gabapentinoid, contraindication: nil)
    static let duloxetine = C(ingredient: "duloxetine", medicationClass: .snri, contraindication: .duloxetine)
    static let nortriptyline = C(ingredient: "nortriptyline", medicationClass: .tca, contraindication: .tca)
    static let venlafaxine = C(ingredient: "venlafaxine", medicationClass: .snri, contraindication: nil)
    static let naproxen = C(ingredient: "naproxen", medicationClass: .nsaid, contraindication: .nsaid)
    static let ibuprofen = C(ingredient: "ibuprofen", medicationClass: .nsaid, contraindication: .nsaid)
    static let tramadol = C(ingredient: "tramadol", medicationClass: .tramadol, contraindication: .tramadol)

    static let drugCodes: [String: ProposalCode] = [
        "gabapentin": .rxnorm("25480", "gabapentin"), "pregabalin": .rxnorm("187832", "pregabalin"),
        "carbamazepine": .rxnorm("2002", "carbamazepine"), "oxcarbazepine": .rxnorm("32624", "oxcarbazepine"),
        "duloxetine": .rxnorm("72625", "duloxetine"), "nortriptyline": .rxnorm("7531", "nortriptyline"),
        "venlafaxine": .rxnorm("39786", "venlafaxine"), "naproxen": .rxnorm("7258", "naproxen"), "ibuprofen": .rxnorm("5640", "ibuprofen"),
        "lidocaine": .rxnorm("6387", "lidocaine"), "tramadol": .rxnorm("10689", "tramadol"), "oxycodone": .rxnorm("7804", "oxycodone"),
        "morphine": .rxnorm("7052", "morphine"), "cyclobenzaprine": .rxnorm("21949", "cyclobenzaprine"),
        "methocarbamol": .rxnorm("6845", "methocarbamol"), "baclofen": .rxnorm("1292", "baclofen"),
    ]

    static func drug(_ candidate: C, title: String, detail: String, dose: ProposedDose?) -> Proposal {
        Proposal(key: "drug:\(candidate.ingredient)", title: title, detail: detail, codes: drugCodes[candidate.ingredient].map { [$0] } ?? [],
                 dose: dose, ingredient: candidate.ingredient, medicationClass: candidate.medicationClass)
    }

    static let startGabapentinoid = Rule("start-gabapentinoid", .medicationRequest, "Start a gabapentinoid", cites: ["000", "002", "003", "004"]) { c, _ in
        guard c.has(.radicular) || c.hasNeuropathicComponent else { return .skip("no radicular or neuropathic component") }
        var reasons = [Reason("radicular or neuropathic component", c.sources(.radicular) + c.sources(.neuropathic))]
        if let active = c.active(.gabapentinoid).first { return .skip("a gabapentinoid is already active (\(active.label))", [active.reference]) }
        let renal = c.contraindicationReasons(.gabapentinoidRenalDose)
        let renalNote = renal.isEmpty ? "" : " Reduce the dose for renal function (\(renal.map(\.text).joined(separator: "; ")))."
        let sci = c.has(.spinalCordInjury)
        let (choice, passed) = DrugChoice.pick(sci ? [pregabalin, gabapentin] : [gabapentin, pregabalin], in: c)
        reasons += passed + renal
        guard let choice else { return .skip(reasons + [Reason("no gabapentinoid can be proposed")]) }
        if choice.ingredient == "gabapentin" {
            return .fire(reasons, drug(choice, title: "Gabapentin", detail: "Gabapentin 300 mg at night, titrate to 300–1200 mg three times daily." + renalNote,
                                       dose: ProposedDose(300, "mg", timesPerDay: 1)))
        }
        let detail = sci ? "Pregabalin 150–600 mg/day for spinal cord injury pain (start 75 mg twice daily)." : "Pregabalin 75 mg twice daily, titrate to 150–300 mg twice daily."
        return .fire(reasons, drug(choice, title: "Pregabalin", detail: detail + renalNote, dose: ProposedDose(75, "mg", timesPerDay: 2)))
    }

    static let startSodiumChannelAnticonvulsant = Rule("start-sodium-channel-anticonvulsant", .medicationRequest,
                                                       "Start a sodium-channel anticonvulsant", cites: ["000", "004"]) { c, _ in
        guard c.hasNeuropathicComponent else { return .skip("no neuropathic component") }
        let blocked = [gabapentin, pregabalin].map { (candidate: $0, reasons: DrugChoice.blockers($0, in: c, allowActive: true)) }
        guard blocked.allSatisfy({ !$0.reasons.isEmpty }) else { return .skip("gabapentinoids have not failed and are not contraindicated") }
        if let active = c.active(.sodiumChannelAnticonvulsant).first { return .skip("already active (\(active.label))", [active.reference]) }
        let (choice, passed) = DrugChoice.pick([C(ingredient: "carbamazepine", medicationClass: .sodiumChannelAnticonvulsant, contraindication: nil),
                                                C(ingredient: "oxcarbazepine", medicationClass: .sodiumChannelAnticonvulsant, contraindication: nil)], in: c)
        let reasons = [Reason("neuropathic component", c.sources(.neuropathic))] + blocked.flatMap(\.reasons) + passed
        guard let choice else { return .skip(reasons + [Reason("no sodium-channel anticonvulsant can be proposed")]) }
        return .fire(reasons, drug(choice, title: choice.ingredient.capitalized,
                                   detail: choice.ingredient == "carbamazepine" ? "Carbamazepine 100 mg twice daily, titrate to effect (monitor sodium and blood count)."
                                                                                : "Oxcarbazepine 150 mg twice daily, titrate to effect (monitor sodium).",
                                   dose: ProposedDose(choice.ingredient == "carbamazepine" ? 100 : 150, "mg", timesPerDay: 2)))
    }

    static let startSNRIorTCA = Rule("start-snri-or-tca", .medicationRequest, "Start an SNRI or a TCA", cites: ["000", "001"]) { c, _ in
        guard c.hasNeuropathicComponent else { return .skip("no neuropathic component") }
        if let active = (c.active(.snri) + c.active(.tca)).first { return .skip("an SNRI or TCA is already active (\(active.label))", [active.reference]) }
        let depression = c.psychosocialFactors.filter { $0.text.hasPrefix("depression") }
        let preferDuloxetine = c.hasBackPain || !depression.isEmpty || (c.age ?? 0) >= 65
        var reasons = [Reason("neuropathic component (multimodal with the anticonvulsant)", c.sources(.neuropathic))]
        if preferDuloxetine { reasons.append(Reason("duloxetine preferred: " + [c.hasBackPain ? "back pain coexists" : nil, depression.isEmpty ? nil : "depression",
                                                                              (c.age ?? 0) >= 65 ? "age ≥ 65" : nil].compactMap { $0 }.joined(separator: ", "))) }
        let order = preferDuloxetine ? [duloxetine, nortriptyline, venlafaxine] : [nortriptyline, duloxetine, venlafaxine]
        let (choice, passed) = DrugChoice.pick(order, in: c)
        reasons += passed
        guard let choice else { return .skip(reasons + [Reason("no SNRI or TCA can be proposed")]) }
        switch choice.ingredient {
        case "duloxetine":
            return .fire(reasons, drug(choice, title: "Duloxetine", detail: "Duloxetine 30 mg daily for 1 week, then 60 mg daily.", dose: ProposedDose(30, "mg", timesPerDay: 1)))
        case "nortriptyline":
            return .fire(reasons, drug(choice, title: "Nortriptyline", detail: "Nortriptyline 10–25 mg at night.", dose: ProposedDose(10, "mg", timesPerDay: 1)))
        default:
            return .fire(reasons, drug(choice, title: "Venlafaxine", detail: "Venlafaxine 37.5 mg daily, titrate to 75–225 mg daily.", dose: ProposedDose(37.5, "mg", timesPerDay: 1)))
        }
    }

    static let startDuloxetine = Rule("start-duloxetine", .medicationRequest, "Start duloxetine for chronic low back pain", cites: ["002"]) { c, _ in
        guard c.hasChronicBackPain else { return .skip(c.hasBackPain ? c.durationReason.text + " (not chronic)" : "no back-pain condition") }
        let initial = (c.tried(.nsaid) + c.tried(.acetaminophen)).filter { $0.failed || !c.improved }
        guard !initial.isEmpty else { return .skip("no NSAID or acetaminophen tried without improvement") }
        let (choice, passed) = DrugChoice.pick([duloxetine], in: c)
        let reasons = [c.durationReason] + initial.map { Reason("initial medicine tried without improvement: \($0.label)", [$0.reference]) } + passed
        guard let choice else { return .skip(reasons) }
        return .fire(reasons, drug(choice, title: "Duloxetine", detail: "Duloxetine 30 mg daily for 1 week, then 60 mg daily.", dose: ProposedDose(30, "mg", timesPerDay: 1)))
    }

    static let titrateDuloxetine = Rule("titrate-duloxetine", .medicationRequest, "Increase duloxetine to 60 mg", cites: ["002"]) { c, _ in
        guard let active = c.medications(ingredient: "duloxetine").first(where: { $0.state == .active }) else { return .skip("duloxetine not active") }
        guard let dose = active.dailyDoseMilligrams, dose < 60 else { return .skip("duloxetine dose is not below 60 mg/day (or not known)", [active.reference]) }
        guard (active.weeksTaken ?? 0) >= 1 else { return .skip("duloxetine active less than 1 week", [active.reference]) }
        guard !c.improved else { return .skip("improved: \(c.improvementReason ?? "")") }
        return .fire([Reason("duloxetine \(format(dose)) mg/day for \(Int(active.weeksTaken ?? 0)) weeks, not improved", [active.reference])],
                     drug(duloxetine, title: "Duloxetine 60 mg (titration)", detail: "Increase duloxetine to 60 mg daily.", dose: ProposedDose(60, "mg", timesPerDay: 1)))
    }

    static let optimizeNSAID = Rule("optimize-nsaid", .medicationRequest, "Optimize the NSAID", cites: ["002"]) { c, _ in
        guard c.hasBackPain else { return .skip("no back-pain component") }
        let contraindications = c.contraindicationReasons(.nsaid)
        guard contraindications.isEmpty else { return .skip(contraindications.map { Reason("NSAID contraindicated: \($0.text)", $0.sources) }) }
        if let sources = c.allergicClasses[.nsaid] { return .skip("NSAID allergy", sources) }
        let active = c.active(.nsaid).filter { !$0.isTopical }
        if let current = active.first {
            guard let dose = current.dailyDoseMilligrams, let ingredient = current.ingredientNames.first(where: { Derivations.adequateDailyDose[$0] != nil }),
                  let adequate = Derivations.adequateDailyDose[ingredient], dose < adequate else {
                return .skip("active NSAID at an adequate (or unknown) dose: \(current.label)", [current.reference])
            }
            let candidate = ingredient == "ibuprofen" ? ibuprofen : naproxen
            let proposal = drug(candidate, title: "\(ingredient.capitalized) at full dose", detail: ingredient == "ibuprofen"
                                ? "Ibuprofen 600–800 mg three times daily before declaring failure." : "Naproxen 500 mg twice daily before declaring failure.",
                                dose: ingredient == "ibuprofen" ? ProposedDose(600, "mg", timesPerDay: 3) : ProposedDose(500, "mg", timesPerDay: 2))
            return .fire([Reason("back-pain component", c.backPainSources), Reason("\(current.label) under-dosed: \(format(dose)) mg/day (< \(format(adequate)))", [current.reference])],
                         Proposal(key: proposal.key, title: proposal.title, detail: proposal.detail, codes: proposal.codes, dose: proposal.dose,
                                  ingredient: ingredient, medicationClass: .nsaid))
        }
        let (choice, passed) = DrugChoice.pick([naproxen, ibuprofen], in: c)
        let reasons = [Reason("back-pain component", c.backPainSources), Reason("no NSAID active")] + passed
        guard let choice else { return .skip(reasons) }
        return .fire(reasons, choice.ingredient == "naproxen"
            ? drug(choice, title: "Naproxen", detail: "Naproxen 500 mg twice daily (full dose before declaring failure).", dose: ProposedDose(500, "mg", timesPerDay: 2))
            : drug(choice, title: "Ibuprofen", detail: "Ibuprofen 600–800 mg three times daily (full dose before declaring failure).", dose: ProposedDose(600, "mg", timesPerDay: 3)))
    }

    static let topicalAgent = Rule("topical-agent", .medicationRequest, "Topical lidocaine or capsaicin", cites: ["000"]) { c, _ in
        guard c.has(.peripheralNeuropathic) else { return .skip("no peripheral neuropathic component") }
        if let active = c.active(.topical).first { return .skip("a topical agent is already active (\(active.label))", [active.reference]) }
        let (choice, passed) = DrugChoice.pick([C(ingredient: "lidocaine", medicationClass: .topical, contraindication: nil),
                                                C(ingredient: "capsaicin", medicationClass: .topical, contraindication: nil)], in: c)
        let reasons = [Reason("peripheral neuropathic component", c.sources(.peripheralNeuropathic))] + passed
        guard let choice else { return .skip(reasons) }
        return .fire(reasons, choice.ingredient == "lidocaine"
            ? drug(choice, title: "Lidocaine 5 % patch", detail: "Lidocaine 5 % patch to the painful area, up to 12 hours on and 12 hours off.", dose: ProposedDose(1, "patch", timesPerDay: 1))
            : drug(choice, title: "Capsaicin (topical)", detail: "Topical capsaicin to the painful area.", dose: nil))
    }

    /// NSAIDs failed or contraindicated.
    static func nsaidsExhausted(_ c: ClinicalCase) -> [Reason]? {
        let failed = c.failed(.nsaid)
        if !failed.isEmpty { return failed.map { Reason("NSAID failed: \($0.label) (\($0.failureReason ?? ""))", [$0.reference]) } }
        let contraindicated = c.contraindicationReasons(.nsaid)
        if !contraindicated.isEmpty { return contraindicated.map { Reason("NSAID contraindicated: \($0.text)", $0.sources) } }
        return nil
    }

    static let startTramadol = Rule("start-tramadol", .medicationRequest, "Start tramadol", cites: ["002"]) { c, _ in
        guard c.hasChronicBackPain else { return .skip("no chronic low back pain") }
        guard let nsaids = nsaidsExhausted(c) else { return .skip("NSAIDs neither failed nor contraindicated") }
        let duloxetineFailed = c.medications(ingredient: "duloxetine").filter(\.failed)
        let duloxetineBlocked = c.contraindicationReasons(.duloxetine)
        guard !duloxetineFailed.isEmpty || !duloxetineBlocked.isEmpty else { return .skip("duloxetine neither failed nor contraindicated") }
        let (choice, passed) = DrugChoice.pick([tramadol], in: c)
        let reasons = [c.durationReason] + nsaids + duloxetineFailed.map { Reason("duloxetine failed: \($0.failureReason ?? "")", [$0.reference]) }
            + duloxetineBlocked.map { Reason("duloxetine contraindicated: \($0.text)", $0.sources) } + passed
        guard let choice else { return .skip(reasons) }
        let maximum = (c.age ?? 0) > 75 ? 300 : 400
        return .fire(reasons, drug(choice, title: "Tramadol", detail: "Tramadol 50–100 mg every 6–8 hours, maximum \(maximum) mg/day.",
                                   dose: ProposedDose(50, "mg", timesPerDay: 4)))
    }

    /// The opioid trial's criteria (GUIDELINE §2.3), shared with the risk assessment and SUD warning.
    static func opioidTrialReasons(_ c: ClinicalCase) -> (applies: Bool, reasons: [Reason]) {
        guard !c.phenotypes.isEmpty else { return (false, [Reason("no pain condition")]) }
        guard let nsaids = c.failed(.nsaid).isEmpty ? nil : c.failed(.nsaid) else { return (false, [Reason("no documented NSAID failure")]) }
        let second = c.medications(ingredient: "duloxetine").filter(\.failed) + c.failed(.tramadol)
        guard !second.isEmpty else { return (false, [Reason("no documented failure of duloxetine or tramadol")]) }
        let kinds = Set(c.nonPharmacologicalTherapies.map(\.kind))
        guard kinds.count >= 2 else { return (false, [Reason("\(kinds.count) non-pharmacological therapies tried (< 2)")]) }
        let blockers = c.contraindicationReasons(.opioid)
        guard blockers.isEmpty else { return (false, blockers.map { Reason("opioid contraindicated: \($0.text)", $0.sources) }) }
        if let active = c.active(.opioid).first { return (false, [Reason("an opioid is already active (\(active.label))", [active.reference])]) }
        return (true, nsaids.map { Reason("NSAID failed: \($0.label)", [$0.reference]) } + second.map { Reason("failed: \($0.label)", [$0.reference]) }
                + [Reason("non-pharmacological therapies tried: \(kinds.map(\.rawValue).sorted().joined(separator: ", "))", c.nonPharmacologicalTherapies.map(\.reference))])
    }

    static let opioidRiskAssessment = Rule("opioid-risk-assessment", .serviceRequest, "Opioid misuse risk assessment", cites: ["002"]) { c, _ in
        let trial = opioidTrialReasons(c)
        if trial.applies, c.opioidRiskAssessments.isEmpty {
            return .fire([Reason("an opioid trial is being considered")] + trial.reasons, riskAssessment)
        }
        let active = c.active(.opioid)
        if !active.isEmpty, c.opioidRiskAssessments.isEmpty {
            return .fire(active.map { Reason("active opioid without a recorded risk assessment: \($0.label)", [$0.reference]) }, riskAssessment)
        }
        if !c.opioidRiskAssessments.isEmpty { return .skip("risk assessment recorded", c.opioidRiskAssessments) }
        return .skip("no opioid active or considered")
    }
    static let riskAssessment = Proposal(key: "service:opioid-risk-assessment", title: "Opioid misuse risk assessment",
                                         detail: "Assess the risk of opioid misuse before and during opioid therapy.",
                                         codes: [.snomed("454281000124100", "Assessment of risk for opioid abuse")])

    static let opioidTrialLastResort = Rule("opioid-trial-last-resort", .medicationRequest, "Immediate-release opioid trial, last resort", cites: ["000", "002"]) { c, _ in
        let trial = opioidTrialReasons(c)
        guard trial.applies else { return .skip(trial.reasons) }
        let (choice, passed) = DrugChoice.pick([C(ingredient: "oxycodone", medicationClass: .opioid, contraindication: .opioid),
                                                C(ingredient: "morphine", medicationClass: .opioid, contraindication: .opioid)], in: c)
        guard let choice else { return .skip(trial.reasons + passed) }
        let detail = "Immediate-release \(choice.ingredient), lowest dose, ≤ 30 MME/day (start 20–30), with a treatment agreement; reassess in 1–4 weeks and stop if function does not improve. Never extended-release to start."
        return .fire(trial.reasons + passed, drug(choice, title: "Immediate-release \(choice.ingredient) (trial)", detail: detail,
                                                  dose: choice.ingredient == "oxycodone" ? ProposedDose(5, "mg", timesPerDay: 3) : ProposedDose(10, "mg", timesPerDay: 2)))
    }

    static let muscleRelaxantShortCourse = Rule("muscle-relaxant-short-course", .medicationRequest, "Short course of a muscle relaxant", cites: ["003"]) { c, _ in
        guard c.hasBackPain else { return .skip("no back-pain condition") }
        guard c.isAcute else { return .skip(c.durationReason.text + " (not acute)", c.durationReason.sources) }
        if let active = c.active(.muscleRelaxant).first { return .skip("a muscle relaxant is already active (\(active.label))", [active.reference]) }
        let (choice, passed) = DrugChoice.pick(["cyclobenzaprine", "methocarbamol", "baclofen"].map {
            C(ingredient: $0, medicationClass: .muscleRelaxant, contraindication: nil) }, in: c)
        let reasons = [c.durationReason] + passed
        guard let choice else { return .skip(reasons) }
        var proposal = drug(choice, title: "\(choice.ingredient.capitalized), short course", detail: "\(choice.ingredient.capitalized) for up to 2 weeks (short course).",
                            dose: choice.ingredient == "cyclobenzaprine" ? ProposedDose(5, "mg", timesPerDay: 3) : nil)
        proposal.scheduledStart = c.now
        proposal.scheduledEnd = ClinicalDate.adding(days: 14, to: c.now)
        return .fire(reasons, proposal)
    }
}
