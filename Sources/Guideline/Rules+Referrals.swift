import Case
import Foundation
import Terminology

/// §2.2 Referral timing.
extension Rules {
    static let referralTiming = [
        referSpecialistUrgent, referSurgicalUrgent, referSpecialistRoutine, referMultidisciplinaryPain,
        specialistBiopsychosocialAssessment,
    ]

    static let painClinicReferral = ProposalCode.snomed("306265007", "Referral to pain clinic")
    static let surgeonReferral = ProposalCode.snomed("308481009", "Referral to orthopaedic surgeon")

    static let referSpecialistUrgent = Rule(
        .referSpecialistUrgent, .serviceRequest, in: .referralTiming, "Urgent specialist spinal/pain referral",
        cites: [.s000, .s002, .s004]
    ) { c, _ in
        let reasons = Criteria.urgentReferral(c)
        guard !reasons.isEmpty else { return .skip("no severe radicular pain and no neurological deficit") }
        let due = ClinicalDate.adding(days: 14, to: c.presentationOrNow)
        let timing = "presentation \(ClinicalDate.day(c.presentationOrNow)); due by \(ClinicalDate.day(due))"
        return .fire(
            reasons + [Reason(timing, c.presentationSources)],
            Proposal(
                key: .referral(.specialist), title: "Urgent referral to a specialist spinal/pain service",
                detail: "Specialist spinal or pain service assessment within 14 days of presentation.",
                codes: [painClinicReferral], priority: .urgent, dueBy: due))
    }

    static let referSurgicalUrgent = Rule(
        .referSurgicalUrgent, .serviceRequest, in: .referralTiming, "Urgent surgical evaluation", cites: [.s002, .s004]
    ) { c, _ in
        let cauda = c.caudaEquinaSources
        let progressive = c.progressiveDeficits
        guard !cauda.isEmpty || !progressive.isEmpty else {
            return .skip("no progressive neurological deficit and no cauda equina syndrome")
        }
        var reasons = progressive.map {
            Reason("progressive deficit: \($0.label) (\($0.progression?.text ?? ""))", [$0.reference])
        }
        if !cauda.isEmpty { reasons.append(Reason("cauda equina syndrome", cauda)) }
        // Cauda equina syndrome is an emergency (stat, today); a progressive deficit is asap.
        let emergency = !cauda.isEmpty
        return .fire(
            reasons,
            Proposal(
                key: .referral(.surgical),
                title: emergency ? "Emergency surgical evaluation" : "Urgent surgical evaluation",
                detail: "Spinal surgical evaluation now; never delayed.", codes: [surgeonReferral],
                priority: emergency ? .stat : .asap, dueBy: ClinicalDate.adding(days: emergency ? 0 : 2, to: c.now)))
    }

    static let referSpecialistRoutine = Rule(
        .referSpecialistRoutine, .serviceRequest, in: .referralTiming, "Specialist pain referral within 3 months",
        cites: [.s000, .s004]
    ) { c, _ in
        guard c.has(.radicular) else { return .skip("no radicular pain") }
        guard let reasons = Criteria.routineReferral(c) else {
            if c.isSevereRadicular { return .skip("radicular pain is severe: the urgent referral applies") }
            if c.improved { return .skip([c.improvedReason]) }
            return .skip("less than 6 weeks since presentation", c.presentationSources)
        }
        let due = ClinicalDate.adding(months: 3, to: c.presentationOrNow)
        return .fire(
            reasons + [Reason("due by \(ClinicalDate.day(due)) (presentation + 3 months)")],
            Proposal(
                key: .referral(.specialist), title: "Referral to a specialist pain service",
                detail: "Specialist pain service assessment no later than 3 months after presentation.",
                codes: [painClinicReferral], priority: .routine, dueBy: due))
    }

    static let referMultidisciplinaryPain = Rule(
        .referMultidisciplinaryPain, .serviceRequest, in: .referralTiming, "Multidisciplinary pain centre",
        cites: [.s002],
        reads: [.tagged(.interventionalOption)]
    ) { c, context in
        var reasons: [Reason] = []
        if c.hasChronicPain, !c.improved, let weeks = c.optimizedTherapyWeeks, weeks >= 12 {
            reasons.append(Reason("chronic pain not improved after \(Int(weeks)) weeks of optimized therapy"))
        }
        if let odi = c.currentODI, odi.value >= 41 {
            reasons.append(Reason("ODI \(format(odi.value)) (≥ 41)", [odi.reference]))
        }
        if let result = c.startBack, result.risk == .high, c.hasChronicPain {
            reasons.append(Reason("STarT Back high with chronic pain", result.sources))
        }
        let interventional = context.fired(.tagged(.interventionalOption))
        if c.inPrimaryCare, !interventional.isEmpty {
            let names = interventional.map(\.rawValue).joined(separator: ", ")
            reasons.append(Reason("interventional option indicated in primary care: \(names)"))
        }
        guard !reasons.isEmpty else {
            return .skip(
                "no criterion met (chronic pain after 12 weeks optimized therapy, ODI ≥ 41, STarT Back high, "
                    + "interventional option)")
        }
        return .fire(
            reasons,
            Proposal(
                key: .referral(.multidisciplinary), title: "Referral to a multidisciplinary pain centre",
                detail: "Multidisciplinary pain centre assessment and management.", codes: [painClinicReferral]))
    }

    static let specialistBiopsychosocialAssessment = Rule(
        .specialistBiopsychosocialAssessment, .activity, in: .referralTiming,
        "Comprehensive biopsychosocial assessment",
        cites: [.s000]
    ) { c, _ in
        guard c.inSpecialistCare else { return .skip("primary care setting") }
        guard c.hasPainCondition else { return .skip("no pain condition") }
        return .fire(
            [Reason("specialist setting", c.setting.sources)],
            Proposal(
                key: .activity(.specialistBiopsychosocialAssessment), title: "Comprehensive biopsychosocial assessment",
                detail:
                    "Biopsychosocial assessment; stepped plan in a multidisciplinary team; vocational rehabilitation "
                    + "and return to work; high-intensity CBT for complex cases."))
    }
}
