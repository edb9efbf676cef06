import Case
import Foundation
import Terminology

/// §2.6 Monitoring. Two of these read the medicine rules' verdicts.
extension Rules {
    static let monitoring = [
        reassessPainAndFunction, baselineOutcomeMeasures, medicationMonitoringPlan, functionalGoals,
    ]

    static let painScaleCode = ProposalCode.loinc("72514-3", "Pain severity 0-10 verbal numeric rating")

    static let reassessPainAndFunction = Rule(
        .reassessPainAndFunction, .activity, in: .monitoring, "Reassess pain and function in 2–4 weeks", cites: [.s002],
        reads: [.painMedicines]
    ) { c, context in
        let proposed = context.fired(.painMedicines)
        guard !proposed.isEmpty else { return .skip("no medicine proposed or changed") }
        var proposal = Proposal(
            key: .activity(.reassessPainAndFunction), title: "Reassess pain and function",
            detail: "Reassess in 2–4 weeks with the pain NRS and the ODI.", codes: [painScaleCode])
        proposal.scheduledStart = ClinicalDate.adding(days: 14, to: c.now)
        proposal.scheduledEnd = ClinicalDate.adding(days: 28, to: c.now)
        let names = proposed.map(\.rawValue).joined(separator: ", ")
        return .fire([Reason("medicine proposed or changed: \(names)")], proposal)
    }

    static let baselineOutcomeMeasures = Rule(
        .baselineOutcomeMeasures, .activity, in: .monitoring, "Collect baseline NRS and ODI", cites: [.s002]
    ) { c, _ in
        guard c.hasPainCondition else { return .skip("no pain condition") }
        var missing: [String] = []
        var codes: [ProposalCode] = []
        if c.painScores.isEmpty {
            missing.append("pain NRS")
            codes.append(painScaleCode)
        }
        if c.odiScores.isEmpty {
            missing.append("ODI")
            codes.append(.loinc("97908-8", "Oswestry Disability Index panel"))
        }
        guard !missing.isEmpty else {
            let latest = [c.painScores.last?.reference, c.odiScores.last?.reference].compactMap { $0 }
            return .skip("NRS and ODI recorded in the episode", latest)
        }
        let what = missing.joined(separator: " and ")
        return .fire(
            [Reason("no \(what) in the episode")],
            Proposal(
                key: .activity(.baselineOutcomeMeasures), title: "Baseline outcome measures", detail: "Record \(what).",
                codes: codes))
    }

    static let medicationMonitoringPlan = Rule(
        .medicationMonitoringPlan, .activity, in: .monitoring, "Medication monitoring plan", cites: [.s000],
        reads: [.painMedicines]
    ) { _, context in
        let longTerm = context.fired(.painMedicines).filter { !context.rule($0, isTagged: .shortCourse) }
        guard !longTerm.isEmpty else { return .skip("no long-term medicine proposed") }
        let names = longTerm.map(\.rawValue).joined(separator: ", ")
        return .fire(
            [Reason("long-term medicine proposed: \(names)")],
            Proposal(
                key: .activity(.medicationMonitoringPlan), title: "Medication monitoring plan",
                detail: "Monitor side effects, adverse effects and adherence."))
    }

    static let functionalGoals = Rule(
        .functionalGoals, .activity, in: .monitoring, "Functional goals", cites: [.s002]
    ) { c, _ in
        guard c.hasChronicPain else { return .skip("no chronic pain") }
        return .fire(
            [c.durationReason],
            Proposal(
                key: .activity(.functionalGoals), title: "Functional goals",
                detail: "Agree functional goals: return to work, sleep, activity."))
    }
}
