import Case
import Foundation
import Terminology

/// §2.7 Opioid safety, as the CDC opioid prescribing CDS applies the CDC 2022 guideline
/// (recommendation numbers in each title). "An opioid current or proposed": a current opioid
/// course that is not treatment of opioid use disorder, or the opioid trial fired.
extension Rules {
    static let opioidSafety = [naloxoneOffer, pdmpReview, urineDrugTesting, opioidTreatmentAgreement, moudOffer]

    /// The opioids current, and the trial when it fired, as reasons; empty when neither.
    static func opioidsCurrentOrProposed(_ c: ClinicalCase, _ context: RuleContext) -> [Reason] {
        Criteria.currentOpioids(c).map { Reason("current opioid: \($0.summary)", $0.references) }
            + c.proposedOpioids.map { Reason("opioid being ordered: \($0.label)", [$0.reference]) }
            + (context.fired(.opioidTrialLastResort)
                ? [Reason("an opioid trial is proposed (opioid-trial-last-resort)")] : [])
    }

    static let naloxoneOffer = Rule(
        .naloxoneOffer, .medicationRequest, in: .opioidSafety, "Offer naloxone (CDC rec. 8)", cites: [.cdc2022],
        reads: [.rule(.opioidTrialLastResort)]
    ) { c, context in
        let opioids = opioidsCurrentOrProposed(c, context)
        guard !opioids.isEmpty else { return .skip("no opioid current or proposed") }
        var risks: [Reason] = []
        // With the order being written, as the CDC CDS counts it.
        let mme = c.mme.known + c.proposedOpioids.compactMap(\.mmePerDay).reduce(0, +)
        let mmeSources = c.mme.sources + c.proposedOpioids.filter { $0.mmePerDay != nil }.map(\.reference)
        if mme >= 50 { risks.append(Reason("\(format(mme)) MME/day (≥ 50)", mmeSources)) }
        risks += c.active(.benzodiazepine).map { Reason("benzodiazepine current: \($0.summary)", $0.references) }
        risks += c.substanceUseDisorders.map { $0.reason }
        if !c.opioidOverdoses.isEmpty { risks.append(Reason("a past opioid overdose", c.opioidOverdoses)) }
        if !c.sleepDisorderedBreathing.isEmpty {
            risks.append(Reason("sleep-disordered breathing", c.sleepDisorderedBreathing))
        }
        guard !risks.isEmpty else {
            return .skip(
                opioids + [Reason("no overdose risk (MME/day < 50, no benzodiazepine, SUD, overdose or sleep apnoea)")])
        }
        guard c.naloxoneCurrent.isEmpty else { return .skip("naloxone is already current", c.naloxoneCurrent) }
        return .fire(opioids + risks, Regimen.naloxoneNasalSpray.proposal("."))
    }

    static let pdmpReview = Rule(
        .pdmpReview, .activity, in: .opioidSafety, "Review the PDMP record (CDC rec. 9)", cites: [.cdc2022],
        reads: [.rule(.opioidTrialLastResort)]
    ) { c, context in
        let opioids = opioidsCurrentOrProposed(c, context)
        guard !opioids.isEmpty else { return .skip("no opioid current or proposed") }
        if let recent = c.pdmpReviews.filter({ Criteria.within(13, $0.value, of: c) }).max(by: { $0.value < $1.value })
        {
            return .skip("PDMP reviewed on \(ClinicalDate.day(recent.value)) (within 90 days)", recent.sources)
        }
        return .fire(
            opioids + [Reason("no PDMP review in the last 90 days", c.pdmpReviews.flatMap(\.sources))],
            Proposal(
                key: .activity(.pdmpReview), title: "Review the prescription drug monitoring programme record",
                detail: "Review the PDMP record for other controlled substances and prescribers, before prescribing "
                    + "and at least every 3 months.",
                codes: [.snomed("461621000124108", "Review of prescription drug monitoring program record")]))
    }

    /// An opioid course of at least 12 weeks (long-term opioid therapy), or the trial proposed.
    static func longTermOrProposed(_ c: ClinicalCase, _ context: RuleContext) -> [Reason] {
        Criteria.currentOpioids(c).filter { ($0.weeksTaken ?? 0) >= 12 }.map {
            Reason("opioid course of \(Int($0.weeksTaken ?? 0)) weeks: \($0.summary)", $0.references)
        }
            + (context.fired(.opioidTrialLastResort)
                ? [Reason("an opioid trial is proposed (opioid-trial-last-resort)")] : [])
    }

    static let urineDrugTesting = Rule(
        .urineDrugTesting, .serviceRequest, in: .opioidSafety, "Urine drug testing (CDC rec. 10)", cites: [.cdc2022],
        reads: [.rule(.opioidTrialLastResort)]
    ) { c, context in
        if let scope = Criteria.outOfCDCScope(c) { return .skip([scope]) }
        let reasons = longTermOrProposed(c, context)
        guard !reasons.isEmpty else { return .skip("no opioid course of 12 weeks or more, and no trial proposed") }
        if let recent = c.urineDrugScreens.filter({ Criteria.within(52, $0.value, of: c) }).max(by: {
            $0.value < $1.value
        }) {
            return .skip("urine drug screen on \(ClinicalDate.day(recent.value)) (within 12 months)", recent.sources)
        }
        return .fire(
            reasons + [Reason("no urine drug screen in the last 12 months")],
            Proposal(
                key: .service(.urineDrugTesting), title: "Urine drug screening",
                detail: "Urine drug screening before and at least yearly during opioid therapy, discussed with the "
                    + "patient; not a reason to dismiss them.",
                codes: [.snomed("310627008", "Urine drug screening")]))
    }

    static let opioidTreatmentAgreement = Rule(
        .opioidTreatmentAgreement, .activity, in: .opioidSafety, "Opioid treatment agreement (CDC rec. 2)",
        cites: [.s002, .cdc2022], reads: [.rule(.opioidTrialLastResort)]
    ) { c, context in
        if let scope = Criteria.outOfCDCScope(c) { return .skip([scope]) }
        let trial = context.fired(.opioidTrialLastResort)
        let long = Criteria.currentOpioids(c).filter { ($0.weeksTaken ?? 0) >= 12 }
        guard trial || !long.isEmpty else {
            return .skip("no opioid trial proposed and no opioid course of 12 weeks or more")
        }
        let plan = c.painTreatmentPlans.filter { Criteria.within(52, $0.value, of: c) }.max { $0.value < $1.value }
        if !trial, let plan {
            return .skip("pain treatment plan on \(ClinicalDate.day(plan.value)) (within 12 months)", plan.sources)
        }
        let reasons =
            (trial ? [Reason("an opioid trial is proposed (opioid-trial-last-resort)")] : [])
            + long.map { Reason("opioid course of \(Int($0.weeksTaken ?? 0)) weeks: \($0.summary)", $0.references) }
            + (plan == nil ? [Reason("no pain treatment plan in the last 12 months")] : [])
        return .fire(
            reasons,
            Proposal(
                key: .activity(.opioidTreatmentAgreement), title: "Agree or review the opioid treatment plan",
                detail: "Agree or review the treatment plan: functional goals, how opioids will be stopped if benefits "
                    + "do not outweigh risks, and the risks.",
                codes: [.loinc("80764-4", "Pain medicine Plan of care note")]))
    }

    static let moudOffer = Rule(
        .moudOffer, .medicationRequest, in: .opioidSafety, "Offer medication for opioid use disorder (CDC rec. 12)",
        cites: [.cdc2022]
    ) { c, _ in
        guard !c.opioidUseDisorder.isEmpty else { return .skip("no opioid use disorder") }
        guard c.moudCurrent.isEmpty else { return .skip("buprenorphine or methadone is current", c.moudCurrent) }
        let moud = c.medications.filter { $0.isActive && $0.isMOUD }
        guard moud.isEmpty else { return .skip("buprenorphine or methadone is current", moud.flatMap(\.references)) }
        return .fire(
            [Reason("opioid use disorder", c.opioidUseDisorder), Reason("no buprenorphine or methadone current")],
            Regimen.buprenorphineForOpioidUseDisorder.proposal("."))
    }
}
