import Case
import Foundation
import Terminology

/// §2.1 Stratification and self-management, §2.2 Referral timing.
extension Rules {
    static let patientEducation = Rule("patient-education", .activity, "Education, reassurance, stay active, realistic goals", cites: ["001", "002"]) { c, _ in
        guard c.hasBackPain else { return .skip("no back-pain condition") }
        return .fire([Reason("back-pain episode", c.backPainSources)],
                     Proposal(key: "activity:patient-education", title: "Patient education and reassurance",
                              detail: "Explain the back pain, reassure, advise staying active; agree realistic goals: function over pain elimination.",
                              codes: [.snomed("311401005", "Patient education")]))
    }

    static let startBackScreen = Rule("startback-screen", .activity, "Administer the STarT Back tool", cites: ["000"]) { c, _ in
        guard c.hasBackPain else { return .skip("no back-pain condition") }
        guard let start = c.onset ?? c.presentation else { return .skip("no onset or presentation date") }
        let days = c.now.timeIntervalSince(start) / 86400
        guard days >= 14 else { return .skip("\(Int(days)) days since onset (< 14)", c.onsetSources) }
        guard c.setting == .primary else { return .skip("specialist setting", c.settingSources) }
        if let result = c.startBack, let date = result.date, ClinicalDate.weeks(from: date, to: c.now) <= 12 {
            return .skip("STarT Back result on \(ClinicalDate.day(date)) (within 12 weeks)", result.sources)
        }
        return .fire([Reason("\(Int(days)) days since onset", c.onsetSources), Reason("primary care"),
                      Reason(c.startBack == nil ? "no STarT Back result" : "last STarT Back result older than 12 weeks", c.startBack?.sources ?? [])],
                     Proposal(key: "activity:startback", title: "STarT Back screening", detail: "Administer the STarT Back tool (LOINC 91349-1) to stratify care.",
                              codes: [.loinc("91349-1", "STarT Back panel")]))
    }

    static let selfManagement = Rule("self-management", .activity, "Self-management plan", cites: ["000"]) { c, _ in
        guard let result = c.startBack else { return .skip("no STarT Back result") }
        guard result.risk == .low else { return .skip("STarT Back risk \(result.risk.rawValue)", result.sources) }
        return .fire([Reason(result.how, result.sources)],
                     Proposal(key: "activity:self-management", title: "Self-management plan",
                              detail: "Self-management: advice, reassurance and activity for low-risk back pain.",
                              codes: [.snomed("710157009", "Self-management support")]))
    }

    static let referPhysiotherapy = Rule("refer-physiotherapy", .serviceRequest, "Physiotherapy with a patient-centred plan", cites: ["000"]) { c, _ in
        var reasons: [Reason] = []
        if let result = c.startBack, result.risk == .medium { reasons.append(Reason(result.how, result.sources)) }
        if c.hasBackPain, c.isSubacuteOrChronic, c.therapies([.physiotherapy, .exercise]).isEmpty {
            reasons.append(c.durationReason)
            reasons.append(Reason("no physiotherapy or exercise therapy tried"))
        }
        guard !reasons.isEmpty else { return .skip("STarT Back not medium, and no subacute/chronic back pain without physiotherapy") }
        return .fire(reasons, Proposal(key: "service:physiotherapy", title: "Referral to physiotherapy",
                                       detail: "Physiotherapy with a patient-centred management plan.",
                                       codes: [.snomed("308447003", "Referral to physiotherapist")]))
    }

    static let referPhysiotherapyBiopsychosocial = Rule("refer-physiotherapy-biopsychosocial", .serviceRequest,
                                                        "Physiotherapy with biopsychosocial assessment", cites: ["000"]) { c, _ in
        guard let result = c.startBack, result.risk == .high else { return .skip("STarT Back risk not high", c.startBack?.sources ?? []) }
        return .fire([Reason(result.how, result.sources)],
                     Proposal(key: "service:physiotherapy", title: "Referral to physiotherapy with biopsychosocial assessment",
                              detail: "Physiotherapy with a biopsychosocial assessment (STarT Back high risk).",
                              codes: [.snomed("308447003", "Referral to physiotherapist")]))
    }

    // MARK: §2.2

    /// The urgent referral criteria (also used by the overdue warnings).
    static func urgentReferralReasons(_ c: ClinicalCase) -> [Reason] {
        var reasons = c.severeRadicular ? [Reason("severe radicular pain")] + c.severeRadicularReasons : []
        reasons += c.deficits.map { Reason("neurological deficit: \($0.label)", [$0.reference]) }
        return reasons
    }

    /// The routine referral criteria: radicular, not severe, not improved, ≥ 6 weeks from presentation.
    static func routineReferralReasons(_ c: ClinicalCase) -> [Reason]? {
        guard c.has(.radicular), !c.severeRadicular, !c.improved, let weeks = c.weeksSincePresentation, weeks >= 6 else { return nil }
        return [Reason("radicular pain, not severe", c.sources(.radicular)), Reason("not improved"),
                Reason("\(Int(weeks)) weeks since presentation \(ClinicalDate.day(c.presentationOrNow))", c.presentationSources)]
    }

    static let referSpecialistUrgent = Rule("refer-specialist-urgent", .serviceRequest, "Urgent specialist spinal/pain referral",
                                            cites: ["000", "002", "004"]) { c, _ in
        let reasons = urgentReferralReasons(c)
        guard !reasons.isEmpty else { return .skip("no severe radicular pain and no neurological deficit") }
        let due = ClinicalDate.adding(days: 14, to: c.presentationOrNow)
        return .fire(reasons + [Reason("presentation \(ClinicalDate.day(c.presentationOrNow)); due by \(ClinicalDate.day(due))", c.presentationSources)],
                     Proposal(key: "service:specialist-referral", title: "Urgent referral to a specialist spinal/pain service",
                              detail: "Specialist spinal or pain service assessment within 14 days of presentation.",
                              codes: [.snomed("306265007", "Referral to pain clinic")], priority: .urgent, dueBy: due))
    }

    static let referSurgicalUrgent = Rule("refer-surgical-urgent", .serviceRequest, "Urgent surgical evaluation", cites: ["002", "004"]) { c, _ in
        let cauda = c.caudaEquinaSources
        let progressive = c.progressiveDeficits
        guard !cauda.isEmpty || !progressive.isEmpty else { return .skip("no progressive neurological deficit and no cauda equina syndrome") }
        var reasons = progressive.map { Reason("progressive deficit: \($0.label) (\($0.progressionReason ?? ""))", [$0.reference]) }
        if !cauda.isEmpty { reasons.append(Reason("cauda equina syndrome", cauda)) }
        return .fire(reasons, Proposal(key: "service:surgical-evaluation", title: cauda.isEmpty ? "Urgent surgical evaluation" : "Emergency surgical evaluation",
                                       detail: "Spinal surgical evaluation now; never delayed.",
                                       codes: [.snomed("308481009", "Referral to orthopaedic surgeon")], priority: cauda.isEmpty ? .asap : .stat,
                                       dueBy: ClinicalDate.adding(days: cauda.isEmpty ? 2 : 0, to: c.now)))
    }

    static let referSpecialistRoutine = Rule("refer-specialist-routine", .serviceRequest, "Specialist pain referral within 3 months",
                                             cites: ["000", "004"]) { c, _ in
        guard c.has(.radicular) else { return .skip("no radicular pain") }
        guard let reasons = routineReferralReasons(c) else {
            if c.severeRadicular { return .skip("radicular pain is severe: the urgent referral applies") }
            if c.improved { return .skip("improved: \(c.improvementReason ?? "")") }
            return .skip("less than 6 weeks since presentation", c.presentationSources)
        }
        let due = ClinicalDate.adding(months: 3, to: c.presentationOrNow)
        return .fire(reasons + [Reason("due by \(ClinicalDate.day(due)) (presentation + 3 months)")],
                     Proposal(key: "service:specialist-referral", title: "Referral to a specialist pain service",
                              detail: "Specialist pain service assessment no later than 3 months after presentation.",
                              codes: [.snomed("306265007", "Referral to pain clinic")], priority: .routine, dueBy: due))
    }

    static let referMultidisciplinaryPain = Rule("refer-multidisciplinary-pain", .serviceRequest, "Multidisciplinary pain centre",
                                                 cites: ["002"]) { c, context in
        var reasons: [Reason] = []
        if c.hasChronicPain, !c.improved, let weeks = c.optimizedTherapyWeeks, weeks >= 12 {
            reasons.append(Reason("chronic pain not improved after \(Int(weeks)) weeks of optimized therapy"))
        }
        if let odi = c.currentODI, odi.value >= 41 { reasons.append(Reason("ODI \(format(odi.value)) (≥ 41)", [odi.reference])) }
        if let result = c.startBack, result.risk == .high, c.hasChronicPain { reasons.append(Reason("STarT Back high with chronic pain", result.sources)) }
        let interventional = Rules.interventionalIds.filter { context.fired($0) }
        if c.setting == .primary, !interventional.isEmpty {
            reasons.append(Reason("interventional option indicated in primary care: \(interventional.joined(separator: ", "))"))
        }
        guard !reasons.isEmpty else { return .skip("no criterion met (chronic pain after 12 weeks optimized therapy, ODI ≥ 41, STarT Back high, interventional option)") }
        return .fire(reasons, Proposal(key: "service:multidisciplinary-pain", title: "Referral to a multidisciplinary pain centre",
                                       detail: "Multidisciplinary pain centre assessment and management.",
                                       codes: [.snomed("306265007", "Referral to pain clinic")]))
    }

    static let specialistBiopsychosocialAssessment = Rule("specialist-biopsychosocial-assessment", .activity,
                                                          "Comprehensive biopsychosocial assessment", cites: ["000"]) { c, _ in
        guard c.setting == .specialist else { return .skip("primary care setting") }
        guard !c.phenotypes.isEmpty else { return .skip("no pain condition") }
        return .fire([Reason("specialist setting", c.settingSources)],
                     Proposal(key: "activity:biopsychosocial-assessment", title: "Comprehensive biopsychosocial assessment",
                              detail: "Biopsychosocial assessment; stepped plan in a multidisciplinary team; vocational rehabilitation and return to work; high-intensity CBT for complex cases."))
    }
}

extension ClinicalDate {
    /// The same day `months` calendar months later (clamped to the month's last day).
    public static func adding(months: Int, to date: Date) -> Date {
        let days = Int((date.timeIntervalSince1970 / 86400).rounded(.down))
        let seconds = date.timeIntervalSince1970 - Double(days) * 86400
        let (y, m, d) = civil(fromDays: days)
        let total = y * 12 + (m - 1) + months
        let year = total / 12, month = total % 12 + 1
        let lengths = [31, (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        let newDays = daysFromCivil(year: year, month: month, day: min(d, lengths[month - 1]))
        return Date(timeIntervalSince1970: Double(newDays) * 86400 + seconds)
    }
}
