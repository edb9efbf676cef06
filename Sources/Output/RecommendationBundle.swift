import Case
import FHIR
import Foundation
import Guideline

/// Recommendations → the output Bundle (DESIGN.md Output): a CarePlan with one activity per
/// recommendation, a ServiceRequest or MedicationRequest per request recommendation, a DetectedIssue
/// per warning, and a Provenance over all of them. Pure: the same facts, result, input digest and
/// options give the same bundle.
public struct RecommendationBundleBuilder: Sendable {
    public let options: OutputOptions
    public let profilesDigest: String

    public init(options: OutputOptions = OutputOptions(), profilesDigest: String) {
        self.options = options
        self.profilesDigest = profilesDigest
    }

    public func build(facts: ClinicalCase, result: GuidelineResult, inputSHA256: String) -> FHIRElement {
        let now = ClinicalDate.dateTime(facts.now)
        let ids = DeterministicIds(inputSHA256: inputSHA256, now: now, profilesDigest: profilesDigest)
        let context = OutputContext(
            facts: facts, result: result, now: now, canonicals: options.canonicals, ids: ids, node: options.node)

        // Requests first, so the CarePlan activities and the DetectedIssues can point at them.
        var requests: [(key: ProposalKey, resource: FHIRElement)] = []
        for (position, recommendation) in result.recommendations.enumerated() {
            let why = context.whyOfRecommendations[position]
            switch recommendation.kind {
            case .serviceRequest:
                requests.append(
                    (recommendation.proposal.key, context.serviceRequest(recommendation, why: why).resource))
            case .medicationRequest:
                requests.append(
                    (recommendation.proposal.key, context.medicationRequest(recommendation, why: why).resource))
            case .activity, .warning: break
            }
        }
        let requestURLs = Dictionary(
            requests.map { ($0.key, context.fullUrl($0.resource)) }, uniquingKeysWith: { first, _ in first })
        let issues = result.warnings.indices.map { position in
            context.detectedIssue(
                result.warnings[position], why: context.whyOfWarnings[position], requestURLs: requestURLs
            ).resource
        }
        let carePlan = context.carePlan(result: result, requestURLs: requestURLs, issues: issues).resource
        let produced = [carePlan] + requests.map(\.resource) + issues
        let provenance = context.provenance(targets: produced, inputSHA256: inputSHA256).resource

        var bundle = Bundle()
        bundle.id = ids.uuid("Bundle")
        bundle.resource.set(
            "meta",
            .element(
                FHIRElement(type: "Meta")
                    .with(
                        "profile",
                        .primitive("canonical", options.canonicals.structureDefinition(Canonicals.Profile.outputBundle))
                    )))
        bundle.type = options.bundleType.rawValue
        bundle.timestamp = now
        bundle.entries = (produced + [provenance]).map { resource in
            Bundle.Entry(
                fullUrl: context.fullUrl(resource), resource: resource,
                requestMethod: options.bundleType == .transaction ? "POST" : nil,
                requestURL: options.bundleType == .transaction ? resource.type : nil)
        }
        return bundle.resource
    }
}

/// What every resource builder needs: the facts, *now*, the canonicals and the ids; and what several resources
/// say, made once per bundle: the pain conditions, and each recommendation's and warning's reasons as a sentence
/// (a request's note and the narrative both give a recommendation's, an issue's detail and the narrative a
/// warning's).
struct OutputContext {
    let facts: ClinicalCase
    let now: String
    let canonicals: Canonicals
    let ids: DeterministicIds
    let node: String?
    /// The pain conditions the plan addresses: conditions with a pain phenotype.
    let painConditions: [String]
    /// `describe` of each recommendation's reasons, by its position in the result.
    let whyOfRecommendations: [String]
    /// `describe` of each warning's reasons, by its position in the result.
    let whyOfWarnings: [String]

    init(
        facts: ClinicalCase, result: GuidelineResult, now: String, canonicals: Canonicals, ids: DeterministicIds,
        node: String?
    ) {
        self.facts = facts
        self.now = now
        self.canonicals = canonicals
        self.ids = ids
        self.node = node
        painConditions =
            facts.conditions.filter { !$0.phenotypes.isEmpty }.map(\.reference).uniqued().filter(isLiteralReference)
        whyOfRecommendations = result.recommendations.map { Self.describe($0.reasons) }
        whyOfWarnings = result.warnings.map { Self.describe($0.reasons) }
    }

    func fullUrl(_ resource: FHIRElement) -> String { "urn:uuid:" + (resource.string("id") ?? "") }

    var patient: Reference { Reference(reference: facts.patientReference) }

    func meta(_ profile: String) -> FHIRValue {
        .element(
            FHIRElement(type: "Meta").with("profile", .primitive("canonical", canonicals.structureDefinition(profile))))
    }

    func concept(_ proposal: Proposal) -> CodeableConcept {
        CodeableConcept(
            codings: proposal.codes.map { Coding(system: $0.system, code: $0.code, display: $0.display) },
            text: proposal.title)
    }

    /// `period` for timing: a due date gives now → due (now → now when overdue); a scheduled window
    /// gives that window.
    func period(_ proposal: Proposal) -> Period? {
        if let start = proposal.scheduledStart, let end = proposal.scheduledEnd {
            return Period(start: ClinicalDate.dateTime(start), end: ClinicalDate.dateTime(end))
        }
        // Overdue (the due date has passed): the request is for now, and the narrative says it is late.
        if let due = proposal.dueBy { return Period(start: now, end: ClinicalDate.dateTime(max(due, facts.now))) }
        return nil
    }

    /// The rationale as notes: what the rules are, then why they fired, with the source resources.
    func rationale(ruleIds: [RuleID], why: String) -> [Annotation] {
        let proposedBy: String
        if ruleIds.count == 1, let note = Self.proposedByOneRule[ruleIds[0]] {
            proposedBy = note
        } else {
            let rules = ruleIds.map { Self.ruleNames[$0] ?? "`\($0.rawValue)`" }
            proposedBy = Self.proposedBy(rules, count: ruleIds.count)
        }
        return [Annotation(text: proposedBy, time: now), Annotation(text: "Why: " + why + ".", time: now)]
    }

    static func proposedBy(_ ruleNames: [String], count: Int) -> String {
        "Proposed by PainPath \(Engine.version) under guideline rule\(count == 1 ? "" : "s") "
            + ruleNames.joined(separator: ", ") + "."
    }

    /// Each rule as a rationale names it — "`id` (title; sources …)" — written once, not for every request.
    static let ruleNames: [RuleID: String] = Dictionary(
        // Through the checked rule book, which holds one rule for every id.
        uniqueKeysWithValues: RuleID.allCases.compactMap(Rules.rule).map { rule in
            let sources = rule.citation.map(\.rawValue).joined(separator: ", ")
            return (rule.id, "`\(rule.id.rawValue)` (\(rule.title); sources \(sources))")
        })

    /// The first rationale note of a request proposed by one rule (most are), written once, not for every request.
    static let proposedByOneRule: [RuleID: String] = ruleNames.mapValues { proposedBy([$0], count: 1) }

    static func describe(_ reasons: [Reason]) -> String {
        // A rule's reasons are its criteria, a handful. Each is written into the sentence's bytes, and taken back
        // when it repeats one already written (compared as bytes, as the text it would have made): no string is
        // made per reason.
        var sentence: [UInt8] = []
        var written: [Range<Int>] = []
        written.reserveCapacity(reasons.count)
        for reason in reasons {
            let separator = sentence.count
            if !written.isEmpty { sentence.append(contentsOf: "; ".utf8) }
            let start = sentence.count
            sentence.append(contentsOf: reason.text.utf8)
            for (index, source) in reason.sources.enumerated() {
                sentence.append(contentsOf: index == 0 ? " (".utf8 : ", ".utf8)
                sentence.append(contentsOf: source.utf8)
            }
            if !reason.sources.isEmpty { sentence.append(UInt8(ascii: ")")) }
            let piece = start..<sentence.count
            if written.contains(where: { sentence[$0].elementsEqual(sentence[piece]) }) {
                sentence.removeSubrange(separator...)
            } else {
                written.append(piece)
            }
        }
        return String(decoding: sentence, as: UTF8.self)
    }

    /// Reason resources a request may name in `reasonReference` (by type), led by the pain conditions
    /// when the reasons name no Condition; every other source goes to `supportingInfo`.
    func reasonSplit(_ reasons: [Reason], allowed: [String]) -> (reasons: [Reference], supporting: [Reference]) {
        let sources = reasons.flatMap(\.sources).uniqued().filter(isLiteralReference)
        // Literal references (`Type/id`): their type is compared in place, not made a string and hashed.
        var because = sources.filter { source in allowed.contains { isLiteralReference(source, to: $0) } }
        if !because.contains(where: { isLiteralReference($0, to: "Condition") }) {
            because = (painConditions + because).uniqued()
        }
        // A record may give hundreds of sources (every pain condition of years of visits): the reasons are looked up
        // by hash then, not by comparing each source with each reason.
        let supporting: [String]
        if because.count > 16 {
            let isReason = Set(because)
            supporting = sources.filter { !isReason.contains($0) }
        } else {
            supporting = sources.filter { !because.contains($0) }
        }
        return (because.map { Reference(reference: $0) }, supporting.map { Reference(reference: $0) })
    }

    func serviceRequest(_ recommendation: Recommendation, why: String) -> ServiceRequest {
        let proposal = recommendation.proposal
        var request = ServiceRequest()
        request.id = ids.uuid("request:\(proposal.key)")
        request.resource.set("meta", meta(Canonicals.Profile.serviceRequest))
        request.instantiatesCanonical = recommendation.ruleIds.map(canonicals.activityDefinition)
        request.status = "draft"
        request.intent = "proposal"
        request.priority = proposal.priority.rawValue
        request.code = concept(proposal)
        request.subject = patient
        request.occurrencePeriod = period(proposal)
        request.authoredOn = now
        let split = reasonSplit(
            recommendation.reasons, allowed: ["Condition", "Observation", "DiagnosticReport", "DocumentReference"])
        request.reasonReferences = split.reasons
        request.supportingInfo = split.supporting
        request.notes =
            [Annotation(text: proposal.detail, time: now)]
            + rationale(ruleIds: recommendation.ruleIds, why: why)
        request.patientInstruction = proposal.detail
        return request
    }

    func medicationRequest(_ recommendation: Recommendation, why: String) -> MedicationRequest {
        let proposal = recommendation.proposal
        var request = MedicationRequest()
        request.id = ids.uuid("request:\(proposal.key)")
        request.resource.set("meta", meta(Canonicals.Profile.medicationRequest))
        request.status = "draft"
        request.intent = "proposal"
        request.priority = proposal.priority.rawValue
        request.medicationCodeableConcept = concept(proposal)
        request.subject = patient
        request.authoredOn = now
        request.reasonReferences = reasonSplit(recommendation.reasons, allowed: ["Condition", "Observation"]).reasons
        request.instantiatesCanonical = recommendation.ruleIds.map(canonicals.activityDefinition)
        request.notes = rationale(ruleIds: recommendation.ruleIds, why: why)
        var dosage = Dosage(text: proposal.detail)
        if let dose = proposal.dose {
            let ucum = ["mg", "mcg", "g", "mL"].contains(dose.unit)
            dosage.dose = Quantity(
                value: format(dose.dose), unit: dose.unit, system: ucum ? "http://unitsofmeasure.org" : nil,
                code: ucum ? (dose.unit == "mcg" ? "ug" : dose.unit) : nil)
            dosage.frequency = dose.timesPerDay
            dosage.period = "1"
            dosage.periodUnit = "d"
        }
        request.dosageInstructions = [dosage]
        return request
    }

    func detectedIssue(_ detected: DetectedWarning, why: String, requestURLs: [ProposalKey: String]) -> DetectedIssue {
        let rule = Rules.rule(detected.ruleId)
        var issue = DetectedIssue()
        issue.id = ids.uuid("issue:" + detected.ruleId.rawValue)
        issue.resource.set("meta", meta(Canonicals.Profile.detectedIssue))
        issue.status = "preliminary"
        issue.code = CodeableConcept(
            codings: [
                Coding(system: canonicals.detectedIssueSystem, code: detected.ruleId.rawValue, display: rule?.title)
            ],
            text: rule?.title)
        issue.severity = detected.warning.severity.rawValue
        issue.patient = patient
        issue.identified = now
        let implicated =
            detected.warning.implicated.uniqued().filter(isLiteralReference)
            + detected.warning.implicatedProposals.compactMap { requestURLs[$0] }
        issue.implicated = implicated.map { Reference(reference: $0) }
        issue.detail = detected.warning.detail + " Why: " + why + "."
        issue.referenceURI = canonicals.planDefinition
        if let mitigation = detected.warning.mitigation {
            let action = CodeableConcept(
                codings: [Coding(system: mitigation.system, code: mitigation.code, display: mitigation.display)],
                text: mitigation.display)
            issue.resource.set(
                "mitigation",
                .element(
                    FHIRElement(type: "DetectedIssue.mitigation")
                        .with("action", .element(action.element))
                        .with("date", .primitive("dateTime", now))))
        }
        return issue
    }

    func carePlan(result: GuidelineResult, requestURLs: [ProposalKey: String], issues: [FHIRElement]) -> CarePlan {
        var plan = CarePlan()
        plan.id = ids.uuid("CarePlan")
        plan.resource.set("meta", meta(Canonicals.Profile.carePlan))
        let summary = CarePlanNarrative.summary(facts: facts, result: result)
        plan.narrative = (
            status: "generated",
            div: CarePlanNarrative(
                facts: facts, result: result, now: now, summary: summary, whyOfRecommendations: whyOfRecommendations,
                whyOfWarnings: whyOfWarnings
            ).xhtml
        )
        plan.instantiatesCanonical = [canonicals.planDefinition]
        plan.status = "draft"
        plan.intent = "proposal"
        plan.title = "Pain management proposal"
        plan.description = summary
        plan.subject = patient
        plan.created = now
        plan.addresses = painConditions.map { Reference(reference: $0) }
        let used = result.recommendations.flatMap(\.reasons) + result.warnings.flatMap(\.reasons)
        plan.supportingInfo =
            used.flatMap(\.sources).uniqued().filter(isLiteralReference).map { Reference(reference: $0) }
            + issues.map { Reference(reference: fullUrl($0)) }
        plan.activities = result.recommendations.map { recommendation in
            if let url = requestURLs[recommendation.proposal.key], recommendation.kind != .activity {
                return CarePlan.Activity(
                    reference: Reference(
                        reference: url,
                        type: recommendation.kind == .medicationRequest ? "MedicationRequest" : "ServiceRequest",
                        display: recommendation.proposal.title))
            }
            var activity = CarePlan.Activity(
                kind: nil, instantiatesCanonical: recommendation.ruleIds.map(canonicals.activityDefinition),
                code: recommendation.proposal.codes.isEmpty
                    ? CodeableConcept(codings: [], text: recommendation.proposal.title)
                    : concept(recommendation.proposal),
                status: "not-started", description: recommendation.proposal.detail)
            activity.detailScheduledPeriod = period(recommendation.proposal)
            return activity
        }
        return plan
    }

    func provenance(targets: [FHIRElement], inputSHA256: String) -> Provenance {
        var provenance = Provenance()
        provenance.id = ids.uuid("Provenance")
        provenance.resource.set("meta", meta(Canonicals.Profile.provenance))
        provenance.targets = targets.map { Reference(reference: fullUrl($0), type: $0.type) }
        provenance.recorded = now
        provenance.policies = [canonicals.versionedPlanDefinition]
        let engineIdentifier = FHIRElement(type: "Identifier")
            .with("system", .uri(canonicals.engineSystem))
            .with("value", .string("\(Engine.name) \(Engine.version)"))
        let agentType = CodeableConcept(codings: [
            Coding(
                system: "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                code: "assembler", display: "Assembler")
        ])
        provenance.agents = [
            FHIRElement(type: "Provenance.agent")
                .with("type", .element(agentType.element))
                .with(
                    "who",
                    .element(
                        FHIRElement(type: "Reference")
                            .with("identifier", .element(engineIdentifier))
                            .with(
                                "display", .string("\(Engine.name) clinical decision support engine \(Engine.version)"))
                    ))
        ]
        if let node {
            // Which painpathd instance produced it (several may share one inbox).
            let performer = CodeableConcept(codings: [
                Coding(
                    system: "http://terminology.hl7.org/CodeSystem/provenance-participant-type", code: "performer",
                    display: "Performer")
            ])
            provenance.agents.append(
                FHIRElement(type: "Provenance.agent")
                    .with("type", .element(performer.element))
                    .with(
                        "who",
                        .element(
                            FHIRElement(type: "Reference")
                                .with(
                                    "identifier",
                                    .element(
                                        FHIRElement(type: "Identifier")
                                            .with("system", .uri(canonicals.engineSystem + "/node"))
                                            .with("value", .string(node)))
                                )
                                .with("display", .string("painpathd node \(node)")))))
        }
        let inputIdentifier = FHIRElement(type: "Identifier")
            .with("system", .uri(canonicals.inputDigestSystem))
            .with("value", .string(inputSHA256))
        provenance.entities = [
            FHIRElement(type: "Provenance.entity")
                .with("role", .code("source"))
                .with(
                    "what",
                    .element(
                        FHIRElement(type: "Reference")
                            .with("type", .uri("Bundle"))
                            .with("identifier", .element(inputIdentifier))
                            .with("display", .string("input bundle, SHA-256 \(inputSHA256)"))))
        ]
        return provenance
    }
}

/// `Type/id` (what the case records for resources with an id); other forms are left out of output
/// references because they would not resolve outside the input bundle.
func isLiteralReference(_ reference: String) -> Bool {
    // `Type/id` with an R4 id ([A-Za-z0-9-.]{1,64}), checked on the contiguous bytes (this runs for every source of
    // every reason; through the UTF-8 view's index it cost about 2,000 instructions a reference).
    var reference = reference
    return reference.withUTF8 { bytes in
        func isLetter(_ byte: UInt8) -> Bool {
            (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
        }
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        guard let slash = bytes.firstIndex(of: UInt8(ascii: "/")), slash > 0,
            bytes[0] >= UInt8(ascii: "A"), bytes[0] <= UInt8(ascii: "Z"),
            (1...64).contains(bytes.count - slash - 1)
        else { return false }
        for index in 1..<slash where !isLetter(bytes[index]) { return false }
        for index in (slash + 1)..<bytes.count {
            let byte = bytes[index]
            guard isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") else {
                return false
            }
        }
        return true
    }
}

/// Whether a literal reference (`Type/id`) is to a resource of `type`: the part before the first slash is the type,
/// compared on bytes.
func isLiteralReference(_ reference: String, to type: String) -> Bool {
    let bytes = reference.utf8
    let typeBytes = type.utf8
    guard bytes.count > typeBytes.count, bytes.starts(with: typeBytes) else { return false }
    return bytes[bytes.index(bytes.startIndex, offsetBy: typeBytes.count)] == UInt8(ascii: "/")
}
