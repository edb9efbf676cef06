import Case
import FHIR
import Foundation

/// Realistic synthetic case bundles for load and performance tests (`painpath synth`): varied pain
/// phenotypes, durations, comorbidities, medication histories, questionnaires and, for `large`, a
/// full EHR history of about 1 MB. Deterministic: the same seed and index give the same bundle.
/// Codes are the verified ones of `shared/terminology`; resources unrelated to pain are coded by text.
public struct SyntheticBundles: Sendable {
    public enum Size: String, Sendable, CaseIterable {
        case small, typical, large
        /// Encounters in the history; the other resources scale with them.
        var encounters: Int {
            switch self {
            case .small: 2
            case .typical: 28
            case .large: 1000
            }
        }
    }

    public let seed: UInt64
    public let size: Size

    public init(seed: UInt64, size: Size) {
        self.seed = seed
        self.size = size
    }

    /// Bundle number `index` as a model (write it with `FHIRWriter` in either encoding).
    public func bundle(_ index: Int) -> FHIRElement {
        var builder = BundleBuilder(
            index: index, random: SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(index)))
        builder.build(size: size)
        return builder.bundle
    }
}

/// A small, fast, well-distributed PRNG (SplitMix64): the same seed gives the same sequence everywhere.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

struct BundleBuilder {
    static let sct = "http://snomed.info/sct", loinc = "http://loinc.org",
        rxnorm = "http://www.nlm.nih.gov/research/umls/rxnorm"
    static let icd = "http://hl7.org/fhir/sid/icd-10-cm", cpt = "http://www.ama-assn.org/go/cpt"

    /// Pain conditions (system, code, display) from terminology/codes.csv.
    static let painConditions: [(String, String, String)] = [
        (sct, "279039007", "Low back pain"), (sct, "23056005", "Sciatica"), (sct, "247398009", "Neuropathic pain"),
        (sct, "2177002", "Postherpetic neuralgia"),
        (icd, "E11.42", "Type 2 diabetes mellitus with diabetic polyneuropathy"),
        (sct, "42942008", "Compression fracture of vertebral column"), (sct, "27151001", "Post-laminectomy syndrome"),
        (sct, "202487003", "Sacroiliac joint pain"),
    ]
    static let comorbidities: [(String, String, String)] = [
        (sct, "35489007", "Depressive disorder"), (sct, "75544000", "Opioid dependence"), (sct, "84757009", "Epilepsy"),
    ]
    /// Product-level RxNorm codes (terminology/rxnorm_product_codes_by_ingredient.csv): code, display, mg per unit.
    static let products: [(String, String, Double)] = [
        ("197806", "ibuprofen 600 MG Oral Tablet", 600), ("198014", "naproxen 500 MG Oral Tablet", 500),
        ("198440", "acetaminophen 500 MG Oral Tablet", 500), ("310431", "gabapentin 300 MG Oral Capsule", 300),
        ("483450", "pregabalin 75 MG Oral Capsule", 75),
        ("596930", "duloxetine 30 MG Delayed Release Oral Capsule", 30),
        ("1049621", "oxycodone hydrochloride 5 MG Oral Tablet", 5), ("197591", "diazepam 5 MG Oral Tablet", 5),
        ("828348", "cyclobenzaprine hydrochloride 10 MG Oral Tablet", 10),
        ("835603", "tramadol hydrochloride 50 MG Oral Tablet", 50),
        ("317136", "nortriptyline 25 MG Oral Capsule", 25), ("312615", "Prednisone 20 MG Oral Tablet", 20),
        ("152695", "meloxicam 15 MG Oral Tablet", 15),
    ]
    static let stopReasons = [
        "no relief", "ineffective", "not tolerated: nausea", "intolerance: dizziness", "course completed",
        "patient preference",
    ]
    static let procedures: [(String, String, String)] = [
        (sct, "229065009", "Exercise therapy"),
        (cpt, "97810", "Acupuncture, 1 or more needles; without electrical stimulation"),
        (
            cpt, "64483",
            "Injection, anesthetic agent and/or steroid, transforaminal epidural, with imaging guidance; lumbar or sacral, single level"
        ),
        (cpt, "64493", "Injection, paravertebral facet joint, lumbar or sacral, with image guidance; single level"),
    ]
    static let given = [
        "Maria", "James", "Aisha", "Peter", "Hannah", "Robert", "Grace", "Linda", "Tomasz", "Samuel", "Elena", "Yuki",
        "Ahmed", "Ingrid", "Noah", "Chloe",
    ]
    static let family = [
        "Lopez", "Carter", "Khan", "Novak", "Schmidt", "Evans", "Oduya", "Moreau", "Wojcik", "Greene", "Rossi",
        "Tanaka", "Hassan", "Larsen",
    ]
    static let notes = [
        "Pain worse in the morning, eases with walking.", "Sleep disturbed by pain most nights.",
        "Works as a warehouse operative; off work two weeks.",
        "Reports tingling down the left leg to the foot.", "No bladder or bowel symptoms. No fever or weight loss.",
        "Home exercise programme reviewed.", "Discussed activity pacing and realistic goals.",
    ]

    let index: Int
    var random: SplitMix64
    var entries: [FHIRValue] = []
    var counter = 0
    let patientId: String
    let now: Int  // days since 1970 of the bundle's timestamp

    init(index: Int, random: SplitMix64) {
        self.index = index
        self.random = random
        patientId = "synth-\(index)"
        now = 20_413 + index % 200  // from 2025-11-21, one day apart
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func pick<T>(_ array: [T]) -> T { array[int(0...array.count - 1)] }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &random) < p }

    static func date(_ days: Int) -> String {
        let (y, m, d) = ClinicalDate.civil(fromDays: days)
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    var bundle: FHIRElement {
        var bundle = FHIRElement(type: "Bundle")
            .with("id", .primitive("id", "synth-bundle-\(index)"))
            .with("type", .code("collection"))
            .with("timestamp", .primitive("instant", Self.date(now) + "T09:00:00Z"))
        bundle.set("entry", entries)
        return bundle
    }

    mutating func add(_ type: String, _ build: (inout FHIRElement) -> Void) -> String {
        counter += 1
        let id = "\(type.lowercased().prefix(4))-\(index)-\(counter)"
        var resource = FHIRElement(type: type).with("id", .primitive("id", id))
        build(&resource)
        let entry = FHIRElement(type: "Bundle.entry")
            .with(
                "fullUrl",
                .uri("urn:uuid:00000000-0000-4000-8000-\(String(format: "%06d%06d", index % 1_000_000, counter))")
            )
            .with("resource", .element(resource))
        entries.append(.element(entry))
        return "\(type)/\(id)"
    }

    static func concept(_ system: String, _ code: String, _ display: String) -> FHIRValue {
        .element(
            CodeableConcept(codings: [Coding(system: system, code: code, display: display)], text: display).element)
    }
    static func text(_ text: String) -> FHIRValue { .element(CodeableConcept(codings: [], text: text).element) }
    var subject: FHIRValue { .element(Reference(reference: "Patient/\(patientId)").element) }
    static func ref(_ reference: String) -> FHIRValue { .element(Reference(reference: reference).element) }

    mutating func build(size: SyntheticBundles.Size) {
        // Locals, so that the resource-building closures do not touch `self` while `add` mutates it.
        let subject = self.subject
        let now = self.now
        let birthYear = int(1940...2000)
        let given = pick(Self.given)
        let family = pick(Self.family)
        let female = chance(0.5)
        let patient = patientId
        counter += 1
        entries.append(
            .element(
                FHIRElement(type: "Bundle.entry").with(
                    "fullUrl", .uri("urn:uuid:00000000-0000-4000-9000-\(String(format: "%012d", index))")
                )
                .with(
                    "resource",
                    .element(
                        FHIRElement(type: "Patient")
                            .with("id", .primitive("id", patient))
                            .with(
                                "identifier",
                                .element(
                                    FHIRElement(type: "Identifier").with(
                                        "system", .uri("urn:oid:2.16.840.1.113883.19.5")
                                    ).with("value", .string("SYN\(index)")))
                            )
                            .with(
                                "name",
                                .element(
                                    FHIRElement(type: "HumanName").with("family", .string(family)).with(
                                        "given", .string(given)))
                            )
                            .with("gender", .code(female ? "female" : "male"))
                            .with(
                                "birthDate",
                                .primitive(
                                    "date",
                                    "\(birthYear)-\(String(format: "%02d", int(1...12)))-\(String(format: "%02d", int(1...28)))"
                                ))))))

        // The episode: one or two pain conditions, onset 1 to 150 weeks ago.
        let onset = now - int(7...1050)
        var painRefs: [String] = []
        for _ in 0..<(chance(0.3) ? 2 : 1) {
            let (system, code, display) = pick(Self.painConditions)
            let condOnset = onset + int(0...20)
            let severe = chance(0.15)
            painRefs.append(
                add("Condition") { c in
                    c.set(
                        "clinicalStatus",
                        Self.concept("http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active"))
                    c.set("code", Self.concept(system, code, display))
                    if severe { c.set("severity", Self.concept(Self.sct, "24484000", "Severe")) }
                    c.set("subject", subject)
                    c.set("onsetDateTime", .primitive("dateTime", Self.date(min(condOnset, now - 1))))
                })
        }
        if chance(0.3) {
            let (system, code, display) = pick(Self.comorbidities)
            let past = onset - int(100...2000)
            _ = add("Condition") { c in
                c.set(
                    "clinicalStatus",
                    Self.concept("http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active"))
                c.set("code", Self.concept(system, code, display))
                c.set("subject", subject)
                c.set("onsetDateTime", .primitive("dateTime", Self.date(past)))
            }
        }

        // Encounters across the episode (and, for long histories, years before it), each with a
        // narrative, a pain score and unrelated vitals; questionnaires now and then.
        let encounters = size.encounters
        let span = max(now - onset, encounters) + (size == .large ? 3000 : 0)
        for visit in 0..<encounters {
            let day = now - span + (span * (visit + 1)) / (encounters + 1)
            let inEpisode = day >= onset
            let note = pick(Self.notes)
            let reason = inEpisode ? painRefs.first : nil
            let encounter = add("Encounter") { e in
                e.set(
                    "text",
                    .element(
                        FHIRElement(type: "Narrative").with("status", .code("generated"))
                            .with(
                                "div",
                                .xhtml(
                                    "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Visit on \(Self.date(day)). \(note)</p></div>"
                                ))))
                e.set("status", .code("finished"))
                e.set(
                    "class",
                    .element(
                        Coding(
                            system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code: "AMB",
                            display: "ambulatory"
                        ).element))
                e.set("subject", subject)
                e.set(
                    "period",
                    .element(Period(start: Self.date(day) + "T09:00:00Z", end: Self.date(day) + "T09:20:00Z").element))
                if let reason { e.set("reasonReference", Self.ref(reason)) }
            }
            let bp = "\(int(105...160))/\(int(65...95)) mmHg"
            _ = add("Observation") { o in
                o.set("status", .code("final"))
                o.set("code", Self.text("Blood pressure"))
                o.set("subject", subject)
                o.set("encounter", Self.ref(encounter))
                o.set("effectiveDateTime", .primitive("dateTime", Self.date(day) + "T09:05:00Z"))
                o.set("valueString", .string(bp))
            }
            if inEpisode {
                let score = int(2...9)
                _ = add("Observation") { o in
                    o.set("status", .code("final"))
                    o.set(
                        "code",
                        Self.concept(
                            Self.loinc, "72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported"))
                    o.set("subject", subject)
                    o.set("effectiveDateTime", .primitive("dateTime", Self.date(day) + "T09:10:00Z"))
                    o.set(
                        "valueQuantity",
                        .element(
                            Quantity(
                                value: String(score), unit: "{score}", system: "http://unitsofmeasure.org",
                                code: "{score}"
                            ).element()))
                }
                if chance(0.2) { questionnaire(day: day, oswestry: chance(0.5)) }
            }
        }

        // Medication history: two to six courses, some stopped with a reason.
        for _ in 0..<int(2...(size == .small ? 3 : 6)) {
            let (code, display, strength) = pick(Self.products)
            let start = onset + int(0...max(1, now - onset))
            let stopped = chance(0.5)
            let end = min(now - 1, start + int(14...120))
            let perDay = int(1...3)
            let reason: String? = stopped && chance(0.6) ? pick(Self.stopReasons) : nil
            _ = add(chance(0.3) ? "MedicationStatement" : "MedicationRequest") { m in
                let statement = m.type == "MedicationStatement"
                m.set("status", .code(stopped ? (statement ? "completed" : "stopped") : "active"))
                if let reason {
                    m.set(
                        "statusReason",
                        statement
                            ? .element(FHIRElement(type: "CodeableConcept").with("text", .string(reason)))
                            : Self.text(reason))
                }
                if !statement { m.set("intent", .code("order")) }
                m.set("medicationCodeableConcept", Self.concept(Self.rxnorm, code, display))
                m.set("subject", subject)
                if statement {
                    m.set(
                        "effectivePeriod",
                        .element(
                            Period(
                                start: Self.date(min(start, now - 1)),
                                end: stopped && end > start ? Self.date(end) : nil
                            ).element))
                } else {
                    m.set("authoredOn", .primitive("dateTime", Self.date(min(start, now - 1))))
                }
                let dosage = Dosage(
                    text: "\(Self.format(strength)) mg \(perDay) times daily",
                    dose: Quantity(
                        value: Self.format(strength), unit: "mg", system: "http://unitsofmeasure.org", code: "mg"),
                    frequency: perDay, period: "1", periodUnit: "d")
                m.set(statement ? "dosage" : "dosageInstruction", .element(dosage.element))
            }
        }

        // Therapies and imaging.
        for _ in 0..<int(0...3) {
            let (system, code, display) = pick(Self.procedures)
            let day = onset + int(0...max(1, now - onset - 1))
            let note =
                code == "64493"
                ? (chance(0.5) ? "Fluoroscopic block: 80% relief" : "Fluoroscopic block: 20% relief") : nil
            _ = add("Procedure") { p in
                p.set("status", .code("completed"))
                p.set("code", Self.concept(system, code, display))
                p.set("subject", subject)
                p.set("performedDateTime", .primitive("dateTime", Self.date(min(day, now - 1))))
                if let note { p.set("note", .element(Annotation(text: note).element)) }
            }
        }
        if chance(0.3) {
            let day = now - int(5...60)
            let compression = chance(0.5)
            _ = add("DiagnosticReport") { r in
                r.set("status", .code("final"))
                r.set("code", Self.concept(Self.loinc, "24968-0", "MR Lumbar spine"))
                r.set("subject", subject)
                r.set("effectiveDateTime", .primitive("dateTime", Self.date(day)))
                r.set(
                    "conclusion",
                    .string(
                        compression
                            ? "L4-L5 disc protrusion with nerve root compression."
                            : "Mild degenerative change; no nerve root compression."))
            }
        }
        let vaccinated = now - int(30...300)
        _ = add("Immunization") { i in
            i.set("status", .code("completed"))
            i.set("vaccineCode", Self.text("Influenza vaccine, seasonal"))
            i.set("patient", subject)
            i.set("occurrenceDateTime", .primitive("dateTime", Self.date(vaccinated)))
        }
    }

    /// An ODI (10 sections, 0–5) or STarT Back (9 items) QuestionnaireResponse.
    mutating func questionnaire(day: Int, oswestry: Bool) {
        let subject = self.subject
        let answers: [FHIRValue] = (1...(oswestry ? 10 : 9)).map { item in
            let answer: FHIRElement
            if oswestry {
                answer = FHIRElement(type: "QuestionnaireResponse.item.answer").with(
                    "valueInteger", .integer(int(0...5)))
            } else if item < 9 {
                answer = FHIRElement(type: "QuestionnaireResponse.item.answer")
                    .with(
                        "valueCoding",
                        .element(Coding(system: nil, code: nil, display: chance(0.5) ? "Agree" : "Disagree").element))
            } else {
                answer = FHIRElement(type: "QuestionnaireResponse.item.answer")
                    .with(
                        "valueCoding",
                        .element(
                            Coding(
                                system: nil, code: nil,
                                display: pick(["Not at all", "Slightly", "Moderately", "Very much", "Extremely"])
                            ).element))
            }
            return .element(
                FHIRElement(type: "QuestionnaireResponse.item").with("linkId", .string("\(item)")).with(
                    "answer", .element(answer)))
        }
        _ = add("QuestionnaireResponse") { q in
            q.set(
                "questionnaire",
                .primitive("canonical", oswestry ? "http://loinc.org/q/97908-8" : "http://loinc.org/q/91349-1"))
            q.set("status", .code("completed"))
            q.set("subject", subject)
            q.set("authored", .primitive("dateTime", Self.date(day) + "T09:12:00Z"))
            q.set("item", answers)
        }
    }

    static func format(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : String(value) }
}
