import FHIR
import Foundation
import Terminology

extension Context {
    /// LOINC answers of STarT Back risk (91352-5).
    static let startBackRiskAnswers: [String: StartBackResult.Risk] = [
        "LA9194-7": .low, "LA8982-6": .medium, "LA9193-9": .high,
    ]

    /// The value sets an Observation's code must be in for `readObservations` to read it.
    static let observationSets = ValueSetMembership([
        .painIntensity, .oswestryScore, .startBackRisk, .startBackTotal, .startBackDistress, .phq9Total, .gad7Total,
        .egfr, .opioidRiskAssessment, .neuroDeficit,
    ])

    /// Whether the observation or one of its components has a code in a set `readObservations` reads, or a
    /// coded value that is a neurological deficit; asked of the model itself.
    func observationMayMatter(_ resource: FHIRElement) -> Bool {
        func matters(_ element: FHIRElement) -> Bool {
            concepts.membership(of: element, property: "code").intersects(Self.observationSets)
                || concepts.membership(of: element, property: "valueCodeableConcept").contains(.neuroDeficit)
        }
        if matters(resource) { return true }
        var anyComponent = false
        resource.forEachElement(of: "component") { component in
            if !anyComponent && matters(component) { anyComponent = true }
        }
        return anyComponent
    }

    func observationDate(_ observation: Observation) -> Date? {
        date(of: observation.effective) ?? ClinicalDate.parse(observation.issued)
    }

    func number(_ value: ChoiceValue?) -> Double? {
        // Read through the optional, not unwrapped: unwrapping copied the value and destroyed the copy (`date(of:)`).
        switch value?.type {
        case "Quantity": return value?.quantityNumber
        case "integer", "decimal": return value?.text.flatMap(Double.init(fhirNumber:))
        default: return nil
        }
    }

    func readObservations(_ resources: [FHIRElement], into facts: inout ClinicalCase) {
        var startBackRisk: (StartBackResult.Risk, Date?, String)?
        var startBackTotal: (Int, Date?, String)?
        var startBackDistress: (Int, Date?, String)?
        var deficitSeries: [String: [(Date, Double, String, String)]] = [:]
        for resource in resources where resource.type == "Observation" {
            // Most observations of a real record (vitals, labs) are in none of the sets read here: they are
            // passed over on the model, before any view, date or reference is made.
            guard observationMayMatter(resource), let observation = Observation(resource),
                !["entered-in-error", "cancelled", "registered"].contains(observation.status ?? "")
            else { continue }
            // The observation itself and its components are read alike (a panel may carry its scores as components).
            // Each part's value sets are asked on the model (observationMayMatter asked most of them already); its
            // value is read as a view, its code and interpretations only for a finding (the one branch using them).
            let reference = ref(resource)
            let when = observationDate(observation)
            for part in [resource] + resource.children("component") {
                let sets = concepts.membership(of: part, property: "code")
                let value = part.choiceValue("value")
                if sets.contains(.painIntensity), let score = number(value) {
                    facts.painScores.append(ClinicalMeasurement(value: score, date: when, reference: reference))
                }
                if sets.contains(.oswestryScore), let score = number(value) {
                    facts.odiScores.append(ClinicalMeasurement(value: score, date: when, reference: reference))
                }
                if sets.contains(.startBackRisk),
                    let risk = value?.codeableConcept?.codings.lazy.compactMap({
                        Self.startBackRiskAnswers[$0.code ?? ""]
                    }).first,
                    startBackRisk == nil || (when ?? .distantPast) > (startBackRisk!.1 ?? .distantPast)
                {
                    startBackRisk = (risk, when, reference)
                }
                if sets.contains(.startBackTotal), let score = number(value),
                    startBackTotal == nil || (when ?? .distantPast) > (startBackTotal!.1 ?? .distantPast)
                {
                    startBackTotal = (Int(score), when, reference)
                }
                if sets.contains(.startBackDistress), let score = number(value),
                    startBackDistress == nil || (when ?? .distantPast) > (startBackDistress!.1 ?? .distantPast)
                {
                    startBackDistress = (Int(score), when, reference)
                }
                if sets.contains(.phq9Total), let score = number(value), score >= 10 {
                    facts.psychosocialFactors.append(PsychosocialFactor(.phq9(score), [reference]))
                }
                if sets.contains(.gad7Total), let score = number(value), score >= 10 {
                    facts.psychosocialFactors.append(PsychosocialFactor(.gad7(score), [reference]))
                }
                if sets.contains(.egfr), let rate = number(value),
                    facts.latestEGFR == nil || (when ?? .distantPast) >= (facts.latestEGFR!.date ?? .distantPast)
                {
                    facts.latestEGFR = ClinicalMeasurement(value: rate, date: when, reference: reference)
                }
                if sets.contains(.opioidRiskAssessment) { facts.opioidRiskAssessments.append(reference) }
                let findingConcept =
                    sets.contains(.neuroDeficit)
                    ? part.concept("code")
                    : (concepts.membership(of: part, property: "valueCodeableConcept").contains(.neuroDeficit)
                        ? value?.codeableConcept : nil)
                if let findingConcept {
                    let code = part.concept("code")
                    let interpretations = part.concepts("interpretation")
                    // A coded "absent" finding is not a deficit.
                    if value?.type == "boolean", value?.text == "false" { continue }
                    facts.deficits.append(
                        deficit(
                            reference: reference, label: label(findingConcept),
                            concepts: [findingConcept, value?.codeableConcept].compactMap { $0 },
                            text: findingConcept.text,
                            interpretations: interpretations,
                            caudaEquina: terminology.contains(.caudaEquinaSyndrome, findingConcept)))
                    if let when, let measured = number(value),
                        let key = code?.codings.first.map({ "\($0.system ?? "")|\($0.code ?? "")" })
                    {
                        deficitSeries[key, default: []].append((when, measured, reference, label(findingConcept)))
                    }
                }
            }
        }
        // Two dated results of one measure that fall (a motor grade, a sensory score) make the deficit progressive.
        for (_, series) in deficitSeries where series.count >= 2 {
            let sorted = series.sorted { $0.0 < $1.0 }
            if let last = sorted.last, let previous = sorted.dropLast().last, last.1 < previous.1 {
                facts.deficits.append(
                    DeficitFinding(
                        reference: last.2, label: last.3,
                        progression: .worsened(from: previous.1, to: last.1, previous: previous.2, latest: last.2),
                        caudaEquina: false))
            }
        }
        if let (risk, when, reference) = startBackRisk {
            facts.startBack = StartBackResult(
                risk: risk, total: startBackTotal?.0, distress: startBackDistress?.0, date: when,
                sources: [reference], how: "STarT Back risk level \(risk.rawValue) (91352-5)")
        } else if let (total, when, reference) = startBackTotal {
            let distress = startBackDistress?.0
            facts.startBack = StartBackResult(
                risk: Self.startBackRisk(total: total, distress: distress), total: total, distress: distress,
                date: when, sources: [reference] + (startBackDistress.map { [$0.2] } ?? []),
                how: "STarT Back total \(total)" + (distress.map { ", distress \($0)" } ?? ""))
        }
    }

    /// Low: total ≤ 3; high: distress ≥ 4; medium otherwise.
    static func startBackRisk(total: Int, distress: Int?) -> StartBackResult.Risk {
        if total <= 3 { return .low }
        if let distress, distress >= 4 { return .high }
        return .medium
    }

    func readQuestionnaires(_ resources: [FHIRElement], into facts: inout ClinicalCase) {
        for resource in resources where resource.type == "QuestionnaireResponse" {
            guard let response = QuestionnaireResponse(resource), response.status != "entered-in-error",
                response.status != "stopped"
            else { continue }
            let kind = questionnaireKind(response)
            guard kind != nil else { continue }
            let reference = ref(resource)
            let when = ClinicalDate.parse(response.authored)
            let answered = Self.scoredAnswers(resource)
            if kind == "odi" {
                let values = answered.compactMap { answerNumber($0) }.filter { (0...5).contains($0) }
                guard !values.isEmpty else { continue }
                let percent = values.reduce(0, +) / (5 * Double(min(values.count, 10))) * 100
                facts.odiScores.append(
                    ClinicalMeasurement(value: (percent * 10).rounded() / 10, date: when, reference: reference))
            } else if kind == "startback", answered.count >= 9 {
                var points: [Int] = []
                for (index, answer) in answered.prefix(9).enumerated() {
                    points.append(index < 8 ? agreePoint(answer) : extremePoint(answer))
                }
                let total = points.reduce(0, +)
                let distress = points[4...8].reduce(0, +)
                let risk = Self.startBackRisk(total: total, distress: distress)
                if facts.startBack == nil || (when ?? .distantPast) > (facts.startBack!.date ?? .distantPast) {
                    facts.startBack = StartBackResult(
                        risk: risk, total: total, distress: distress, date: when, sources: [reference],
                        how: "computed from the STarT Back questionnaire: total \(total), distress \(distress)")
                }
            }
        }
    }

    /// The first answers of the scored items of a response, depth first: items with an answer value and no nested
    /// items, those whose link id or text says "score" or "total" left out. Read on the model (item views were
    /// built, nested and flattened for every item of every response; this is what the scores ask of them).
    static func scoredAnswers(_ response: FHIRElement) -> [ChoiceValue] {
        var answers: [ChoiceValue] = []
        response.forEachElement(of: "item") { appendScoredAnswers(of: $0, to: &answers) }
        return answers
    }

    /// Items and answers are walked in place (`forEachElement`): a response of ten items copied each item, its
    /// answers and their values on the way. The item's own properties are walked once, by name (its link id, text,
    /// answers and nested items were each looked up, the answers twice).
    private static func appendScoredAnswers(of item: FHIRElement, to answers: inout [ChoiceValue]) {
        var answerIndex: Int?
        var itemIndex: Int?
        var namesAScore = false
        for index in item.properties.indices {
            switch ItemProperty(item.properties[index].name) {
            case .linkIdOrText:
                namesAScore = namesAScore || Self.namesAScore(item.properties[index].values.firstPrimitiveValue)
            case .answer: answerIndex = index
            case .item: itemIndex = index
            case nil: break
            }
        }
        // The first answer's value is appended as it is found, and taken back if a later answer has nested items:
        // an optional value held across the walk was destroyed through the runtime's generic value witness.
        var hasNestedItems = itemIndex.map { !item.properties[$0].values.isEmpty } ?? false
        if let answerIndex {
            var appended = false
            item.properties[answerIndex].values.forEachElement { answer in
                if !appended, !hasNestedItems, !namesAScore, let value = answer.choiceValue("value") {
                    answers.append(value)
                    appended = true
                }
                if answer.has("item") { hasNestedItems = true }
            }
            if appended && hasNestedItems { answers.removeLast() }
        }
        // Depth first: the item's nested items, then those under its answers.
        if let itemIndex {
            item.properties[itemIndex].values.forEachElement { appendScoredAnswers(of: $0, to: &answers) }
        }
        if let answerIndex {
            item.properties[answerIndex].values.forEachElement { answer in
                answer.forEachElement(of: "item") { appendScoredAnswers(of: $0, to: &answers) }
            }
        }
    }

    /// The properties of a questionnaire response item the scores read, told apart by the name's length first.
    private enum ItemProperty {
        case linkIdOrText, answer, item

        init?(_ name: String) {
            switch name.utf8.count {
            case 4 where name == "text": self = .linkIdOrText
            case 4 where name == "item": self = .item
            case 6 where name == "linkId": self = .linkIdOrText
            case 6 where name == "answer": self = .answer
            default: return nil
            }
        }
    }

    /// Whether a link id or item text says "score" or "total", in any case. (ASCII case folding is enough: no
    /// other character lowercases to one of their letters, and the two are searched in each text apart — joined
    /// with a space they could not meet across it.)
    static func namesAScore(_ text: String?) -> Bool {
        guard var text else { return false }
        return text.withUTF8 { containsFolded($0, "score") || containsFolded($0, "total") }
    }

    private static func containsFolded(_ bytes: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        let needle = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard bytes.count >= needle.count else { return false }
        for start in 0...(bytes.count - needle.count) {
            var matched = 0
            while matched < needle.count, bytes[start + matched] | 0x20 == needle[matched] { matched += 1 }
            if matched == needle.count { return true }
        }
        return false
    }

    /// "odi", "startback" or nil, from the questionnaire canonical or a Questionnaire in the bundle.
    func questionnaireKind(_ response: QuestionnaireResponse) -> String? {
        var text = (response.questionnaire ?? "").lowercased()
        if let canonical = response.questionnaire,
            let questionnaire = resolver.resources(ofType: "Questionnaire").first(where: {
                $0.resource.string("url") == canonical || $0.fullUrl == canonical
            })?.resource
        {
            text += " " + questionnaire.concepts("code").flatMap(\.codings).compactMap(\.code).joined(separator: " ")
            text += " " + questionnaire.children("code").compactMap { $0.string("code") }.joined(separator: " ")
        }
        if text.includes("97908-8") || text.includes("oswestry") { return "odi" }
        if text.includes("91349-1") || text.includes("startback") || text.includes("start-back")
            || text.includes("start back")
        {
            return "startback"
        }
        return nil
    }

    func answerNumber(_ answer: ChoiceValue?) -> Double? {
        guard let answer else { return nil }
        if let value = number(answer) { return value }
        if answer.type == "Coding", let element = answer.value.element {
            for ext in element.children("extension")
            where (ext.string("url") ?? "").hasSuffix("ordinalValue")
                || (ext.string("url") ?? "").hasSuffix("itemWeight")
            {
                if let value = ext.string("valueDecimal").flatMap(Double.init(fhirNumber:)) { return value }
            }
            return answer.coding?.code.flatMap(Double.init(fhirNumber:))
        }
        return nil
    }

    func answerWords(_ answer: ChoiceValue?) -> String {
        if let coding = answer?.coding { return ((coding.display ?? "") + " " + (coding.code ?? "")).lowercased() }
        return (answer?.text ?? "").lowercased()
    }

    func agreePoint(_ answer: ChoiceValue?) -> Int {
        if answer?.type == "boolean" { return answer?.text == "true" ? 1 : 0 }
        let words = answerWords(answer)
        if words.includes("disagree") { return 0 }
        if words.includes("agree") || words.hasPrefix("yes") { return 1 }
        return answerNumber(answer) == 1 ? 1 : 0
    }

    func extremePoint(_ answer: ChoiceValue?) -> Int {
        let words = answerWords(answer)
        if words.includes("very much") || words.includes("extremely") { return 1 }
        if let value = answerNumber(answer), value >= 4 { return 1 }
        return 0
    }
}
