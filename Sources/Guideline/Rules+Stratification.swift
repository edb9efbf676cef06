import Case
import Foundation
import Terminology

/// §2.1 Stratification and self-management.
extension Rules {
    static let stratification = [
        patientEducation, startBackScreen, selfManagement, referPhysiotherapy, referPhysiotherapyBiopsychosocial,
    ]

    static let patientEducation = Rule(
        .patientEducation, .activity, in: .stratification, "Education, reassurance, stay active, realistic goals",
        cites: [.s001, .s002]
    ) { c, _ in
        guard c.hasBackPain else { return .skip("no back-pain condition") }
        return .fire(
            [Reason("back-pain episode", c.backPainSources)],
            Proposal(
                key: .activity(.patientEducation), title: "Patient education and reassurance",
                detail: "Explain the back pain, reassure, advise staying active; agree realistic goals: "
                    + "function over pain elimination.",
                codes: [.snomed("311401005", "Patient education")]))
    }

    static let startBackScreen = Rule(
        .startBackScreen, .activity, in: .stratification, "Administer the STarT Back tool", cites: [.s000]
    ) { c, _ in
        guard c.hasBackPain else { return .skip("no back-pain condition") }
        guard let start = c.onset?.value ?? c.presentation?.value else { return .skip("no onset or presentation date") }
        let onsetSources = c.onset?.sources ?? []
        let days = c.now.timeIntervalSince(start) / 86400
        guard days >= 14 else { return .skip("\(Int(days)) days since onset (< 14)", onsetSources) }
        guard c.inPrimaryCare else { return .skip("specialist setting", c.setting.sources) }
        if let result = c.startBack, let date = result.date, ClinicalDate.weeks(from: date, to: c.now) <= 12 {
            return .skip("STarT Back result on \(ClinicalDate.day(date)) (within 12 weeks)", result.sources)
        }
        let last = c.startBack == nil ? "no STarT Back result" : "last STarT Back result older than 12 weeks"
        return .fire(
            [
                Reason("\(Int(days)) days since onset", onsetSources), Reason("primary care"),
                Reason(last, c.startBack?.sources ?? []),
            ],
            Proposal(
                key: .activity(.startBackScreen), title: "STarT Back screening",
                detail: "Administer the STarT Back tool (LOINC 91349-1) to stratify care.",
                codes: [.loinc("91349-1", "STarT Back panel")]))
    }

    static let selfManagement = Rule(
        .selfManagement, .activity, in: .stratification, "Self-management plan", cites: [.s000]
    ) { c, _ in
        guard let result = c.startBack else { return .skip("no STarT Back result") }
        guard result.risk == .low else { return .skip("STarT Back risk \(result.risk.rawValue)", result.sources) }
        return .fire(
            [Reason(result.how, result.sources)],
            Proposal(
                key: .activity(.selfManagement), title: "Self-management plan",
                detail: "Self-management: advice, reassurance and activity for low-risk back pain.",
                codes: [.snomed("710157009", "Self-management support")]))
    }

    static let physiotherapyCode = ProposalCode.snomed("308447003", "Referral to physiotherapist")

    static let referPhysiotherapy = Rule(
        .referPhysiotherapy, .serviceRequest, in: .stratification, "Physiotherapy with a patient-centred plan",
        cites: [.s000]
    ) { c, _ in
        var reasons: [Reason] = []
        if let result = c.startBack, result.risk == .medium { reasons.append(Reason(result.how, result.sources)) }
        if c.hasBackPain, c.isSubacuteOrChronic, c.therapies([.physiotherapy, .exercise]).isEmpty {
            reasons += [c.durationReason, Reason("no physiotherapy or exercise therapy tried")]
        }
        guard !reasons.isEmpty else {
            return .skip("STarT Back not medium, and no subacute/chronic back pain without physiotherapy")
        }
        return .fire(
            reasons,
            Proposal(
                key: .physiotherapy, title: "Referral to physiotherapy",
                detail: "Physiotherapy with a patient-centred management plan.", codes: [physiotherapyCode]))
    }

    static let referPhysiotherapyBiopsychosocial = Rule(
        .referPhysiotherapyBiopsychosocial, .serviceRequest, in: .stratification,
        "Physiotherapy with biopsychosocial assessment", cites: [.s000]
    ) { c, _ in
        guard let result = c.startBack, result.risk == .high else {
            return .skip("STarT Back risk not high", c.startBack?.sources ?? [])
        }
        return .fire(
            [Reason(result.how, result.sources)],
            Proposal(
                key: .physiotherapy, title: "Referral to physiotherapy with biopsychosocial assessment",
                detail: "Physiotherapy with a biopsychosocial assessment (STarT Back high risk).",
                codes: [physiotherapyCode]))
    }
}
