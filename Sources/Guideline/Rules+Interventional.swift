import Case
import Foundation
import Terminology

/// §2.5 Interventional and surgical.
extension Rules {
    static let interventional = [
        epiduralSteroidInjection, vertebralAugmentation, spinalCordStimulationTrial, radiofrequencyDenervation,
        sacroiliacRadiofrequency, surgicalConsultation, mriLumbarSpine,
    ]

    /// An interventional or surgical option: a service request named by its rule.
    static func option(
        _ id: RuleID, _ title: String, cites: [SourceText], reads: [RuleSelector] = [],
        evaluate: @escaping @Sendable (ClinicalCase, RuleContext) -> RuleOutcome
    ) -> Rule {
        Rule(
            id, .serviceRequest, in: .interventional, title, cites: cites, reads: reads, tags: [.interventionalOption],
            evaluate: evaluate)
    }

    static func request(_ id: RuleID, _ title: String, _ detail: String, _ codes: [ProposalCode]) -> Proposal {
        Proposal(key: .service(id), title: title, detail: detail, codes: codes)
    }

    static let epiduralSteroidInjection = option(
        .epiduralSteroidInjection, "Fluoroscopically guided epidural steroid injection", cites: [.s000, .s003, .s004]
    ) { c, _ in
        guard c.has(.radicular) else { return .skip("no radicular pain") }
        var reasons: [Reason] = []
        if c.has(.vertebralCompressionFracture) {
            let fracture = c.sources(.vertebralCompressionFracture)
            reasons.append(Reason("radicular pain with a vertebral compression fracture (at once)", fracture))
        } else if let weeks = c.duration?.weeks, weeks >= 6, !c.improved {
            let persisting = "radicular pain persisting \(Int(weeks)) weeks despite conservative care"
            reasons.append(Reason(persisting, c.sources(.radicular)))
        } else {
            let why = c.improved ? c.improvedReason.text : "radicular pain for less than 6 weeks"
            return .skip(why, c.sources(.radicular))
        }
        // At most 3 injections in 6 months.
        let recent = c.done(.epiduralSteroidInjection).filter { Criteria.withinSixMonths($0.date, of: c) }
        guard recent.count < 3 else {
            return .skip("\(recent.count) epidural injections in the last 6 months (limit 3)", recent.map(\.reference))
        }
        let open = c.therapies.first {
            $0.kind == .epiduralSteroidInjection && $0.requested && $0.status != "completed"
        }
        if let open { return .skip("an epidural steroid injection is already requested", [open.reference]) }
        if !recent.isEmpty {
            reasons.append(Reason("\(recent.count) injection(s) in the last 6 months (< 3)", recent.map(\.reference)))
        }
        return .fire(
            reasons,
            request(
                .epiduralSteroidInjection, "Epidural steroid injection under fluoroscopic guidance",
                "Fluoroscopically guided epidural steroid injection targeting the affected nerve root; series of 1–3 "
                    + "spaced 2–4 weeks apart. Image guidance required.",
                [.cpt("64483", "Transforaminal epidural injection, lumbar/sacral, with imaging guidance")]))
    }

    static let vertebralAugmentation = option(
        .vertebralAugmentation, "Vertebroplasty or kyphoplasty", cites: [.s004]
    ) { c, _ in
        guard c.has(.vertebralCompressionFracture) else { return .skip("no vertebral compression fracture") }
        if let existing = c.therapies([.vertebralAugmentation]).first {
            return .skip("vertebral augmentation already \(existing.state)", [existing.reference])
        }
        return .fire(
            [Reason("painful vertebral compression fracture", c.sources(.vertebralCompressionFracture))],
            request(
                .vertebralAugmentation, "Vertebroplasty or kyphoplasty",
                "Evaluate for vertebroplasty or kyphoplasty of the compression fracture.",
                [.cpt("22511", "Percutaneous vertebroplasty, lumbosacral")]))
    }

    static let spinalCordStimulationTrial = option(
        .spinalCordStimulationTrial, "Spinal cord stimulation trial", cites: [.s000, .s004]
    ) { c, _ in
        var indication: [Reason] = []
        let surgery = c.done(.spinalSurgery)
        if c.has(.radicular), !surgery.isEmpty {
            indication.append(Reason("persistent radicular pain after surgery", surgery.map(\.reference)))
        }
        if c.has(.failedBackSurgery) {
            indication.append(Reason("failed back surgery syndrome", c.sources(.failedBackSurgery)))
        }
        if c.has(.peripheralNeuropathic) {
            indication.append(Reason("PHN, CRPS or peripheral neuropathic pain", c.sources(.peripheralNeuropathic)))
        }
        guard !indication.isEmpty else {
            return .skip("no indication (post-surgical radicular pain, FBSS, PHN, CRPS, peripheral neuropathic pain)")
        }
        guard c.isChronic else { return .skip(c.durationReason.text + " (not chronic)") }
        guard let failed = Criteria.conservativeCareFailed(c) else {
            return .skip("conservative care not documented as failed")
        }
        // Interpretation: for a neuropathic indication alone (PHN, CRPS, peripheral neuropathic pain),
        // conservative care has failed only when a first-line neuropathic medicine has (000, 001).
        let neuropathicOnly = c.has(.peripheralNeuropathic) && indication.count == 1
        if neuropathicOnly, !Criteria.firstLineNeuropathicFailed(c) {
            return .skip(
                "neuropathic indication, but no first-line neuropathic medicine (gabapentinoid, TCA, SNRI) has failed")
        }
        // A trial on record, or an implant already in place, makes a trial moot; an implant merely
        // requested does not (scs-implant-without-trial warns about it, and the trial comes first).
        if let existing = c.therapies([.scsTrial]).first ?? c.done(.scsImplant).first {
            let what = existing.kind == .scsTrial ? "trial" : "implant"
            return .skip("spinal cord stimulation \(what) already \(existing.state)", [existing.reference])
        }
        return .fire(
            indication + [c.durationReason] + failed,
            request(
                .spinalCordStimulationTrial, "Spinal cord stimulation trial", "SCS trial before any permanent implant.",
                [.cpt("63650", "Percutaneous implantation of neurostimulator electrode array, epidural")]))
    }

    static let radiofrequencyDenervation = option(
        .radiofrequencyDenervation, "Facet radiofrequency denervation", cites: [.s004]
    ) { c, _ in
        let positive = c.done(.medialBranchBlock).filter(\.successful)
        guard !positive.isEmpty else { return .skip("no positive diagnostic medial branch block") }
        if let existing = c.therapies([.radiofrequencyDenervation]).first {
            return .skip("radiofrequency denervation already \(existing.state)", [existing.reference])
        }
        return .fire(
            [Reason("positive medial branch block (≥ 50 % relief or successful)", positive.map(\.reference))],
            request(
                .radiofrequencyDenervation, "Facet radiofrequency denervation",
                "Lumbar facet radiofrequency denervation.",
                [.snomed("178814008", "Radiofrequency denervation of facet joint")]))
    }

    static let sacroiliacRadiofrequency = option(
        .sacroiliacRadiofrequency, "Sacroiliac radiofrequency ablation", cites: [.s004]
    ) { c, _ in
        guard c.has(.sacroiliacJoint) else { return .skip("no sacroiliac joint pain") }
        // Failed: recorded as unsuccessful, or not recorded as successful while pain has not improved.
        let failed = c.done(.sacroiliacJointInjection).filter { $0.unsuccessful || (!$0.successful && !c.improved) }
        guard !failed.isEmpty else { return .skip("no failed intra-articular sacroiliac steroid injection") }
        return .fire(
            [
                Reason("sacroiliac joint pain", c.sources(.sacroiliacJoint)),
                Reason("intra-articular steroid injection failed", failed.map(\.reference)),
            ],
            request(
                .sacroiliacRadiofrequency, "Sacroiliac joint radiofrequency ablation",
                "Radiofrequency ablation of the sacroiliac joint (lateral branches).", []))
    }

    static let surgicalConsultation = option(
        .surgicalConsultation, "Surgical consultation", cites: [.s004]
    ) { c, _ in
        var reasons: [Reason] = []
        let injections = c.done(.epiduralSteroidInjection)
        if c.isSevereRadicular, !injections.isEmpty, !c.improved {
            let refractory = "severe radicular pain refractory to conservative care including injections"
            reasons.append(Reason(refractory, injections.map(\.reference)))
        }
        let interventions = c.therapies.filter { $0.done && TherapyKind.interventions.contains($0.kind) }
        if !interventions.isEmpty, let odi = c.currentODI, odi.value >= 41 {
            let limitation = "functional limitation after interventions: ODI \(format(odi.value))"
            reasons.append(Reason(limitation, [odi.reference] + interventions.map(\.reference)))
        }
        let compression = c.imaging.filter { $0.nerveRootCompression == true }
        if !compression.isEmpty {
            reasons.append(Reason("nerve-root entrapment confirmed on imaging", compression.map(\.reference)))
        }
        if c.has(.spinalInstability) { reasons.append(Reason("spinal instability", c.sources(.spinalInstability))) }
        guard !reasons.isEmpty else {
            return .skip(
                "no refractory severe radicular pain, post-intervention limitation, imaging-confirmed entrapment or "
                    + "instability")
        }
        return .fire(
            reasons,
            Proposal(
                key: .referral(.surgical), title: "Surgical consultation",
                detail: "Spinal surgical consultation: decompression, discectomy or stabilization as indicated.",
                codes: [surgeonReferral]))
    }

    /// Not an option itself: the imaging that prepares one, so it reads whether one was indicated.
    static let mriLumbarSpine = Rule(
        .mriLumbarSpine, .serviceRequest, in: .interventional, "MRI lumbar spine", cites: [.s000, .s002, .s004],
        reads: [.tagged(.interventionalOption), .rule(.referSurgicalUrgent)]
    ) { c, context in
        guard c.has(.radicular) else { return .skip("no radicular symptoms") }
        if let existing = c.imaging.first {
            return .skip("MRI lumbar spine already \(existing.ordered ? "ordered" : "done")", [existing.reference])
        }
        var reasons = [Reason("radicular symptoms and no MRI in the episode", c.sources(.radicular))]
        if c.hasRedFlags { reasons += c.redFlagReasons.map { $0.prefixed("red flag: ") } }
        if c.inSpecialistCare { reasons.append(Reason("specialist setting", c.setting.sources)) }
        let considered = context.fired(.tagged(.interventionalOption)) + context.fired(.rule(.referSurgicalUrgent))
        if !considered.isEmpty {
            let names = considered.map(\.rawValue).joined(separator: ", ")
            reasons.append(Reason("intervention or surgery considered: \(names)"))
        }
        guard reasons.count > 1 else {
            return .skip("no red flags, not in specialist care, and no intervention or surgery considered")
        }
        return .fire(
            reasons,
            request(
                .mriLumbarSpine, "MRI lumbar spine",
                "MRI lumbar spine without contrast, requested by a clinician able to interpret it.",
                [.snomed("394451000119106", "MRI of lumbar spine without contrast")]))
    }
}
