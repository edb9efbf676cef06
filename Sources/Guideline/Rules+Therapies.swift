import Case
import Foundation
import Terminology

/// §2.4 Non-pharmacological therapy, §2.5 Interventional and surgical.
extension Rules {
    static func therapy(_ id: String, _ kind: RuleKind, _ title: String, cites: [String], therapy: TherapyKind?, codes: [ProposalCode],
                        detail: String, when test: @escaping @Sendable (ClinicalCase) -> [Reason]?, otherwise: String) -> Rule {
        Rule(id, kind, title, cites: cites) { c, _ in
            guard let reasons = test(c) else { return .skip(otherwise) }
            if let therapy, let existing = c.therapies([therapy]).first {
                return .skip("\(therapy.rawValue) already \(existing.done ? "done" : "requested")", [existing.reference])
            }
            return .fire(reasons, Proposal(key: "\(kind == .activity ? "activity" : "service"):\(id)", title: title, detail: detail, codes: codes))
        }
    }

    static func chronicBackPain(_ c: ClinicalCase) -> [Reason]? { c.hasChronicBackPain ? [c.durationReason] : nil }

    static let exerciseTherapy = therapy("exercise-therapy", .serviceRequest, "Exercise therapy", cites: ["001", "002", "003"], therapy: .exercise,
                                         codes: [.snomed("390864007", "Referral for exercise therapy")],
                                         detail: "Aerobic, strengthening or flexibility exercise programme.",
                                         when: { c in c.hasBackPain && c.isSubacuteOrChronic ? [c.durationReason] : nil }, otherwise: "no subacute or chronic back pain")

    static let cognitiveBehaviouralTherapy = Rule("cognitive-behavioural-therapy", .serviceRequest, "Cognitive behavioural therapy",
                                                  cites: ["000", "002", "004"]) { c, _ in
        var reasons: [Reason] = []
        if c.hasChronicPain { reasons.append(c.durationReason) }
        reasons += c.psychosocialFactors.map { Reason("psychosocial factor: \($0.text)", $0.sources) }
        let surgery = c.therapies.filter { $0.kind == .spinalSurgery && $0.done }
        if c.has(.failedBackSurgery) || (!surgery.isEmpty && !c.improved && !c.phenotypes.isEmpty) {
            reasons.append(Reason("persistent pain after surgery (intensive CBT)", c.sources(.failedBackSurgery) + surgery.map(\.reference)))
        }
        guard !reasons.isEmpty else { return .skip("no chronic pain, psychosocial factor or persistent pain after surgery") }
        if let existing = c.therapies([.psychological]).first { return .skip("psychological therapy already \(existing.done ? "done" : "requested")", [existing.reference]) }
        return .fire(reasons, Proposal(key: "service:cognitive-behavioural-therapy", title: "Cognitive behavioural therapy",
                                       detail: "CBT targeting pain beliefs and catastrophizing; biofeedback or relaxation as alternatives.",
                                       codes: [.snomed("228557008", "Cognitive and behavioral therapy")]))
    }

    static let multidisciplinaryRehabilitation = therapy("multidisciplinary-rehabilitation", .serviceRequest, "Multidisciplinary rehabilitation",
        cites: ["002"], therapy: .multidisciplinaryRehabilitation, codes: [.snomed("78429003", "Referral to physical rehabilitation service")],
        detail: "Combined physical, psychological and occupational programme.",
        when: { c in
            guard c.hasChronicBackPain, let odi = c.currentODI, odi.value >= 21 else { return nil }
            return [c.durationReason, Reason("ODI \(format(odi.value)) (moderate or worse disability)", [odi.reference])]
        }, otherwise: "no chronic low back pain with ODI ≥ 21")

    static let acupuncture = therapy("acupuncture", .activity, "Acupuncture", cites: ["002"], therapy: .acupuncture,
                                     codes: [.snomed("44868003", "Acupuncture")], detail: "Acupuncture (moderate-quality evidence).",
                                     when: chronicBackPain, otherwise: "no chronic back pain")
    static let mindfulnessStressReduction = therapy("mindfulness-stress-reduction", .activity, "Mindfulness-based stress reduction", cites: ["002"],
                                                    therapy: .mindfulness, codes: [], detail: "Mindfulness-based stress reduction (moderate-quality evidence).",
                                                    when: chronicBackPain, otherwise: "no chronic back pain")
    static let yogaOrTaiChi = therapy("yoga-or-tai-chi", .activity, "Yoga or tai chi", cites: ["002"], therapy: .yogaOrTaiChi,
                                      codes: [.snomed("229294001", "Yoga")], detail: "Yoga or tai chi (lower-quality evidence).",
                                      when: chronicBackPain, otherwise: "no chronic back pain")
    static let spinalManipulation = therapy("spinal-manipulation", .activity, "Spinal manipulation", cites: ["002", "003"], therapy: .spinalManipulation,
                                            codes: [.snomed("182548004", "Chiropractic manipulation")], detail: "Spinal manipulation (lower-quality evidence).",
                                            when: chronicBackPain, otherwise: "no chronic back pain")
    static let massage = therapy("massage", .activity, "Massage", cites: ["002", "001"], therapy: .massage,
                                 codes: [.snomed("387854002", "Massage")], detail: "Massage (lower-quality evidence).",
                                 when: chronicBackPain, otherwise: "no chronic back pain")
    static let progressiveRelaxation = therapy("progressive-relaxation", .activity, "Progressive relaxation", cites: ["002", "001"], therapy: .relaxation,
                                               codes: [.snomed("710124007", "Progressive muscle relaxation")], detail: "Progressive relaxation (lower-quality evidence).",
                                               when: chronicBackPain, otherwise: "no chronic back pain")
    static let tens = therapy("tens", .activity, "TENS", cites: ["000"], therapy: .tens, codes: [.cpt("97014", "Electrical stimulation, unattended")],
                              detail: "TENS within multimodal care.", when: chronicBackPain, otherwise: "no chronic back pain")

    // MARK: §2.5

    static let interventionalIds = ["epidural-steroid-injection", "vertebral-augmentation", "spinal-cord-stimulation-trial",
                                    "radiofrequency-denervation", "sacroiliac-radiofrequency", "surgical-consultation"]

    static func request(_ id: String, _ title: String, _ detail: String, _ codes: [ProposalCode]) -> Proposal {
        Proposal(key: "service:\(id)", title: title, detail: detail, codes: codes)
    }

    static let epiduralSteroidInjection = Rule("epidural-steroid-injection", .serviceRequest, "Fluoroscopically guided epidural steroid injection",
                                               cites: ["000", "003", "004"]) { c, _ in
        guard c.has(.radicular) else { return .skip("no radicular pain") }
        var reasons: [Reason] = []
        if c.has(.vertebralCompressionFracture) {
            reasons.append(Reason("radicular pain with a vertebral compression fracture (at once)", c.sources(.vertebralCompressionFracture)))
        } else if let weeks = c.durationWeeks, weeks >= 6, !c.improved {
            reasons.append(Reason("radicular pain persisting \(Int(weeks)) weeks despite conservative care", c.sources(.radicular)))
        } else {
            return .skip(c.improved ? "improved: \(c.improvementReason ?? "")" : "radicular pain for less than 6 weeks", c.sources(.radicular))
        }
        let recent = c.therapies.filter { $0.kind == .epiduralSteroidInjection && $0.done && ($0.date.map { ClinicalDate.weeks(from: $0, to: c.now) <= 26 } ?? true) }
        guard recent.count < 3 else { return .skip("\(recent.count) epidural injections in the last 6 months (limit 3)", recent.map(\.reference)) }
        if let open = c.therapies.first(where: { $0.kind == .epiduralSteroidInjection && $0.requested && $0.status != "completed" }) {
            return .skip("an epidural steroid injection is already requested", [open.reference])
        }
        if !recent.isEmpty { reasons.append(Reason("\(recent.count) injection(s) in the last 6 months (< 3)", recent.map(\.reference))) }
        return .fire(reasons, request("epidural-steroid-injection", "Epidural steroid injection under fluoroscopic guidance",
                                      "Fluoroscopically guided epidural steroid injection targeting the affected nerve root; series of 1–3 spaced 2–4 weeks apart. Image guidance required.",
                                      [.cpt("64483", "Transforaminal epidural injection, lumbar/sacral, with imaging guidance")]))
    }

    static let vertebralAugmentation = Rule("vertebral-augmentation", .serviceRequest, "Vertebroplasty or kyphoplasty", cites: ["004"]) { c, _ in
        guard c.has(.vertebralCompressionFracture) else { return .skip("no vertebral compression fracture") }
        if let done = c.therapies([.vertebralAugmentation]).first { return .skip("vertebral augmentation already \(done.done ? "done" : "requested")", [done.reference]) }
        return .fire([Reason("painful vertebral compression fracture", c.sources(.vertebralCompressionFracture))],
                     request("vertebral-augmentation", "Vertebroplasty or kyphoplasty", "Evaluate for vertebroplasty or kyphoplasty of the compression fracture.",
                             [.cpt("22511", "Percutaneous vertebroplasty, lumbosacral")]))
    }

    static func conservativeCareFailed(_ c: ClinicalCase) -> [Reason]? {
        guard !c.improved else { return nil }
        let failed = c.medications.filter { $0.failed && !$0.classes.isDisjoint(with: MedicationClass.painMedicines) }
        let therapies = c.nonPharmacologicalTherapies.filter(\.done)
        guard !failed.isEmpty || !therapies.isEmpty else { return nil }
        return [Reason("conservative care failed: " + (failed.map(\.label) + therapies.map(\.kind.rawValue)).joined(separator: ", "),
                       failed.map(\.reference) + therapies.map(\.reference))]
    }

    static let spinalCordStimulationTrial = Rule("spinal-cord-stimulation-trial", .serviceRequest, "Spinal cord stimulation trial", cites: ["000", "004"]) { c, _ in
        var indication: [Reason] = []
        let surgery = c.therapies.filter { $0.kind == .spinalSurgery && $0.done }
        if c.has(.radicular), !surgery.isEmpty { indication.append(Reason("persistent radicular pain after surgery", surgery.map(\.reference))) }
        if c.has(.failedBackSurgery) { indication.append(Reason("failed back surgery syndrome", c.sources(.failedBackSurgery))) }
        if c.has(.peripheralNeuropathic) { indication.append(Reason("PHN, CRPS or peripheral neuropathic pain", c.sources(.peripheralNeuropathic))) }
        guard !indication.isEmpty else { return .skip("no indication (post-surgical radicular pain, FBSS, PHN, CRPS, peripheral neuropathic pain)") }
        guard c.isChronic else { return .skip(c.durationReason.text + " (not chronic)") }
        guard let failed = conservativeCareFailed(c) else { return .skip("conservative care not documented as failed") }
        // Interpretation: for a neuropathic indication alone (PHN, CRPS, peripheral neuropathic pain),
        // conservative care has failed only when a first-line neuropathic medicine has (000, 001).
        let neuropathicOnly = c.has(.peripheralNeuropathic) && indication.count == 1
        let firstLine: Set<MedicationClass> = [.gabapentinoid, .tca, .snri]
        if neuropathicOnly, !c.medications.contains(where: { $0.failed && !$0.classes.isDisjoint(with: firstLine) }) {
            return .skip("neuropathic indication, but no first-line neuropathic medicine (gabapentinoid, TCA, SNRI) has failed")
        }
        // A trial on record, or an implant already in place, makes a trial moot; an implant merely
        // requested does not (scs-implant-without-trial warns about it, and the trial comes first).
        if let existing = c.therapies([.scsTrial]).first ?? c.therapies([.scsImplant]).first(where: \.done) {
            return .skip("spinal cord stimulation \(existing.kind == .scsTrial ? "trial" : "implant") already \(existing.done ? "done" : "requested")", [existing.reference])
        }
        return .fire(indication + [c.durationReason] + failed,
                     request("spinal-cord-stimulation-trial", "Spinal cord stimulation trial", "SCS trial before any permanent implant.",
                             [.cpt("63650", "Percutaneous implantation of neurostimulator electrode array, epidural")]))
    }

    static let radiofrequencyDenervation = Rule("radiofrequency-denervation", .serviceRequest, "Facet radiofrequency denervation", cites: ["004"]) { c, _ in
        let positive = c.therapies.filter { $0.kind == .medialBranchBlock && $0.done && $0.successful }
        guard !positive.isEmpty else { return .skip("no positive diagnostic medial branch block") }
        if let existing = c.therapies([.radiofrequencyDenervation]).first { return .skip("radiofrequency denervation already \(existing.done ? "done" : "requested")", [existing.reference]) }
        return .fire([Reason("positive medial branch block (≥ 50 % relief or successful)", positive.map(\.reference))],
                     request("radiofrequency-denervation", "Facet radiofrequency denervation", "Lumbar facet radiofrequency denervation.",
                             [.snomed("178814008", "Radiofrequency denervation of facet joint")]))
    }

    static let sacroiliacRadiofrequency = Rule("sacroiliac-radiofrequency", .serviceRequest, "Sacroiliac radiofrequency ablation", cites: ["004"]) { c, _ in
        guard c.has(.sacroiliacJoint) else { return .skip("no sacroiliac joint pain") }
        let failed = c.therapies.filter { $0.kind == .sacroiliacJointInjection && $0.done && ($0.unsuccessful || (!$0.successful && !c.improved)) }
        guard !failed.isEmpty else { return .skip("no failed intra-articular sacroiliac steroid injection") }
        return .fire([Reason("sacroiliac joint pain", c.sources(.sacroiliacJoint)), Reason("intra-articular steroid injection failed", failed.map(\.reference))],
                     request("sacroiliac-radiofrequency", "Sacroiliac joint radiofrequency ablation", "Radiofrequency ablation of the sacroiliac joint (lateral branches).", []))
    }

    static let surgicalConsultation = Rule("surgical-consultation", .serviceRequest, "Surgical consultation", cites: ["004"]) { c, _ in
        var reasons: [Reason] = []
        let injections = c.therapies.filter { $0.kind == .epiduralSteroidInjection && $0.done }
        if c.severeRadicular, !injections.isEmpty, !c.improved {
            reasons.append(Reason("severe radicular pain refractory to conservative care including injections", injections.map(\.reference)))
        }
        let interventions = c.therapies.filter { $0.done && [.epiduralSteroidInjection, .radiofrequencyDenervation, .vertebralAugmentation, .scsTrial,
                                                              .sacroiliacJointInjection, .medialBranchBlock].contains($0.kind) }
        if !interventions.isEmpty, let odi = c.currentODI, odi.value >= 41 {
            reasons.append(Reason("functional limitation after interventions: ODI \(format(odi.value))", [odi.reference] + interventions.map(\.reference)))
        }
        let compression = c.imaging.filter { $0.nerveRootCompression == true }
        if !compression.isEmpty { reasons.append(Reason("nerve-root entrapment confirmed on imaging", compression.map(\.reference))) }
        if c.has(.spinalInstability) { reasons.append(Reason("spinal instability", c.sources(.spinalInstability))) }
        guard !reasons.isEmpty else { return .skip("no refractory severe radicular pain, post-intervention limitation, imaging-confirmed entrapment or instability") }
        return .fire(reasons, Proposal(key: "service:surgical-evaluation", title: "Surgical consultation",
                                       detail: "Spinal surgical consultation: decompression, discectomy or stabilization as indicated.",
                                       codes: [.snomed("308481009", "Referral to orthopaedic surgeon")]))
    }

    static let mriLumbarSpine = Rule("mri-lumbar-spine", .serviceRequest, "MRI lumbar spine", cites: ["000", "002", "004"]) { c, context in
        guard c.has(.radicular) else { return .skip("no radicular symptoms") }
        if let existing = c.imaging.first { return .skip("MRI lumbar spine already \(existing.ordered ? "ordered" : "done")", [existing.reference]) }
        var reasons = [Reason("radicular symptoms and no MRI in the episode", c.sources(.radicular))]
        if c.hasRedFlags { reasons += c.redFlagReasons.map { Reason("red flag: \($0.text)", $0.sources) } }
        if c.setting == .specialist { reasons.append(Reason("specialist setting", c.settingSources)) }
        let considered = (interventionalIds + ["refer-surgical-urgent"]).filter { context.fired($0) }
        if !considered.isEmpty { reasons.append(Reason("intervention or surgery considered: \(considered.joined(separator: ", "))")) }
        guard reasons.count > 1 else { return .skip("no red flags, not in specialist care, and no intervention or surgery considered") }
        return .fire(reasons, request("mri-lumbar-spine", "MRI lumbar spine", "MRI lumbar spine without contrast, requested by a clinician able to interpret it.",
                                      [.snomed("394451000119106", "MRI of lumbar spine without contrast")]))
    }
}
