import Case
import Foundation
import Terminology

/// §2.6 Monitoring: these read the medicine rules' verdicts, so they run after them.
extension Rules {
    static let medicineRuleIds = ["start-gabapentinoid", "start-sodium-channel-anticonvulsant", "start-snri-or-tca", "start-duloxetine",
                                  "titrate-duloxetine", "optimize-nsaid", "topical-agent", "start-tramadol", "opioid-trial-last-resort",
                                  "muscle-relaxant-short-course"]

    static let reassessPainAndFunction = Rule("reassess-pain-and-function", .activity, "Reassess pain and function in 2–4 weeks", cites: ["002"]) { c, context in
        let proposed = medicineRuleIds.filter { context.fired($0) }
        guard !proposed.isEmpty else { return .skip("no medicine proposed or changed") }
        var proposal = Proposal(key: "activity:reassess", title: "Reassess pain and function", detail: "Reassess in 2–4 weeks with the pain NRS and the ODI.",
                                codes: [.loinc("72514-3", "Pain severity 0-10 verbal numeric rating")])
        proposal.scheduledStart = ClinicalDate.adding(days: 14, to: c.now)
        proposal.scheduledEnd = ClinicalDate.adding(days: 28, to: c.now)
        return .fire([Reason("medicine proposed or changed: \(proposed.joined(separator: ", "))")], proposal)
    }

    static let baselineOutcomeMeasures = Rule("baseline-outcome-measures", .activity, "Collect baseline NRS and ODI", cites: ["002"]) { c, _ in
        guard !c.phenotypes.isEmpty else { return .skip("no pain condition") }
        let missing = [c.painScores.isEmpty ? "pain NRS" : nil, c.odiScores.isEmpty ? "ODI" : nil].compactMap { $0 }
        guard !missing.isEmpty else { return .skip("NRS and ODI recorded in the episode", [c.painScores.last?.reference, c.odiScores.last?.reference].compactMap { $0 }) }
        return .fire([Reason("no \(missing.joined(separator: " and ")) in the episode")],
                     Proposal(key: "activity:baseline-measures", title: "Baseline outcome measures", detail: "Record \(missing.joined(separator: " and ")).",
                              codes: (c.painScores.isEmpty ? [ProposalCode.loinc("72514-3", "Pain severity 0-10 verbal numeric rating")] : [])
                                + (c.odiScores.isEmpty ? [ProposalCode.loinc("97908-8", "Oswestry Disability Index panel")] : [])))
    }

    static let medicationMonitoringPlan = Rule("medication-monitoring-plan", .activity, "Medication monitoring plan", cites: ["000"]) { c, context in
        let longTerm = medicineRuleIds.filter { $0 != "muscle-relaxant-short-course" && context.fired($0) }
        guard !longTerm.isEmpty else { return .skip("no long-term medicine proposed") }
        return .fire([Reason("long-term medicine proposed: \(longTerm.joined(separator: ", "))")],
                     Proposal(key: "activity:medication-monitoring", title: "Medication monitoring plan",
                              detail: "Monitor side effects, adverse effects and adherence."))
    }

    static let functionalGoals = Rule("functional-goals", .activity, "Functional goals", cites: ["002"]) { c, _ in
        guard c.hasChronicPain else { return .skip("no chronic pain") }
        return .fire([c.durationReason], Proposal(key: "activity:functional-goals", title: "Functional goals",
                                                  detail: "Agree functional goals: return to work, sleep, activity."))
    }
}
