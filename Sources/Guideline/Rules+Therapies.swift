import Case
import Foundation
import Terminology

/// §2.4 Non-pharmacological therapy: the foundation, not an add-on.
extension Rules {
    static let nonPharmacological = [
        exerciseTherapy, cognitiveBehaviouralTherapy, multidisciplinaryRehabilitation, acupuncture,
        mindfulnessStressReduction, yogaOrTaiChi, spinalManipulation, massage, progressiveRelaxation, tens,
    ]

    /// A therapy rule: proposed when `criterion` holds and the therapy is not already done or requested.
    static func therapy(
        _ id: RuleID, _ kind: RuleKind, _ title: String, cites: [SourceText], tags: Set<RuleTag> = [],
        therapy: TherapyKind,
        codes: [ProposalCode], detail: String, when criterion: @escaping @Sendable (ClinicalCase) -> [Reason]?,
        otherwise: String
    ) -> Rule {
        Rule(id, kind, in: .nonPharmacological, title, cites: cites, tags: tags) { c, _ in
            guard let reasons = criterion(c) else { return .skip(otherwise) }
            if let existing = c.therapies([therapy]).first {
                return .skip("\(therapy.rawValue) already \(existing.state)", [existing.reference])
            }
            let key: ProposalKey = kind == .activity ? .activity(id) : .service(id)
            return .fire(reasons, Proposal(key: key, title: title, detail: detail, codes: codes))
        }
    }

    /// The options of GUIDELINE §2.4 offered for chronic back pain, with their evidence level.
    static func chronicBackPainOption(
        _ id: RuleID, _ title: String, cites: [SourceText], evidence: RuleTag, therapy: TherapyKind,
        codes: [ProposalCode], detail: String
    ) -> Rule {
        Rules.therapy(
            id, .activity, title, cites: cites, tags: [evidence], therapy: therapy, codes: codes, detail: detail,
            when: Criteria.chronicBackPain, otherwise: "no chronic back pain")
    }

    static let exerciseTherapy = therapy(
        .exerciseTherapy, .serviceRequest, "Exercise therapy", cites: [.s001, .s002, .s003], therapy: .exercise,
        codes: [.snomed("390864007", "Referral for exercise therapy")],
        detail: "Aerobic, strengthening or flexibility exercise programme.",
        when: { c in c.hasBackPain && c.isSubacuteOrChronic ? [c.durationReason] : nil },
        otherwise: "no subacute or chronic back pain")

    static let cognitiveBehaviouralTherapy = Rule(
        .cognitiveBehaviouralTherapy, .serviceRequest, in: .nonPharmacological, "Cognitive behavioural therapy",
        cites: [.s000, .s002, .s004]
    ) { c, _ in
        var reasons: [Reason] = []
        if c.hasChronicPain { reasons.append(c.durationReason) }
        reasons += c.psychosocialFactors.map { Reason("psychosocial factor: \($0.text)", $0.sources) }
        let surgery = c.done(.spinalSurgery)
        if c.has(.failedBackSurgery) || (!surgery.isEmpty && !c.improved && c.hasPainCondition) {
            reasons.append(
                Reason(
                    "persistent pain after surgery (intensive CBT)",
                    c.sources(.failedBackSurgery) + surgery.map(\.reference)))
        }
        guard !reasons.isEmpty else {
            return .skip("no chronic pain, psychosocial factor or persistent pain after surgery")
        }
        if let existing = c.therapies([.psychological]).first {
            return .skip("psychological therapy already \(existing.state)", [existing.reference])
        }
        return .fire(
            reasons,
            Proposal(
                key: .service(.cognitiveBehaviouralTherapy), title: "Cognitive behavioural therapy",
                detail: "CBT targeting pain beliefs and catastrophizing; biofeedback or relaxation as alternatives.",
                codes: [.snomed("228557008", "Cognitive and behavioral therapy")]))
    }

    static let multidisciplinaryRehabilitation = therapy(
        .multidisciplinaryRehabilitation, .serviceRequest, "Multidisciplinary rehabilitation", cites: [.s002],
        therapy: .multidisciplinaryRehabilitation,
        codes: [.snomed("78429003", "Referral to physical rehabilitation service")],
        detail: "Combined physical, psychological and occupational programme.",
        when: { c in
            guard c.hasChronicBackPain, let odi = c.currentODI, odi.value >= 21 else { return nil }
            return [
                c.durationReason, Reason("ODI \(format(odi.value)) (moderate or worse disability)", [odi.reference]),
            ]
        }, otherwise: "no chronic low back pain with ODI ≥ 21")

    // Moderate-quality evidence (002).
    static let acupuncture = chronicBackPainOption(
        .acupuncture, "Acupuncture", cites: [.s002], evidence: .moderateEvidence, therapy: .acupuncture,
        codes: [.snomed("44868003", "Acupuncture")],
        detail: "Acupuncture (moderate-quality evidence).")
    static let mindfulnessStressReduction = chronicBackPainOption(
        .mindfulnessStressReduction, "Mindfulness-based stress reduction", cites: [.s002], evidence: .moderateEvidence,
        therapy: .mindfulness,
        codes: [], detail: "Mindfulness-based stress reduction (moderate-quality evidence).")
    // Lower-quality evidence (002, 003, 001).
    static let yogaOrTaiChi = chronicBackPainOption(
        .yogaOrTaiChi, "Yoga or tai chi", cites: [.s002], evidence: .lowerEvidence, therapy: .yogaOrTaiChi,
        codes: [.snomed("229294001", "Yoga")],
        detail: "Yoga or tai chi (lower-quality evidence).")
    static let spinalManipulation = chronicBackPainOption(
        .spinalManipulation, "Spinal manipulation", cites: [.s002, .s003], evidence: .lowerEvidence,
        therapy: .spinalManipulation,
        codes: [.snomed("182548004", "Chiropractic manipulation")],
        detail: "Spinal manipulation (lower-quality evidence).")
    static let massage = chronicBackPainOption(
        .massage, "Massage", cites: [.s002, .s001], evidence: .lowerEvidence, therapy: .massage,
        codes: [.snomed("387854002", "Massage")],
        detail: "Massage (lower-quality evidence).")
    static let progressiveRelaxation = chronicBackPainOption(
        .progressiveRelaxation, "Progressive relaxation", cites: [.s002, .s001], evidence: .lowerEvidence,
        therapy: .relaxation,
        codes: [.snomed("710124007", "Progressive muscle relaxation")],
        detail: "Progressive relaxation (lower-quality evidence).")
    static let tens = chronicBackPainOption(
        .tens, "TENS", cites: [.s000], evidence: .lowerEvidence, therapy: .tens,
        codes: [.cpt("97014", "Electrical stimulation, unattended")],
        detail: "TENS within multimodal care.")
}
