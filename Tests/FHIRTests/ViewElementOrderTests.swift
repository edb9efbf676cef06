import Testing

@testable import FHIR

/// The datatype views build their elements in the definitions' order without looking it up. Checked against
/// `set`, which finds each property's place in the definitions, with the properties set in reverse order, for every
/// combination of present and absent fields.
@Suite("datatype views build elements in canonical order")
struct ViewElementOrderTests {
    /// The element `set` builds from these properties, set last to first.
    private func bySet(_ type: String, _ properties: [(String, FHIRValue?)]) -> FHIRElement {
        var element = FHIRElement(type: type)
        for (name, value) in properties.reversed() { element.set(name, value.map { [$0] } ?? []) }
        return element
    }

    private func combinations(_ count: Int) -> [[Bool]] {
        (0..<(1 << count)).map { mask in (0..<count).map { mask & (1 << $0) != 0 } }
    }

    @Test func coding() {
        for present in combinations(4) {
            let coding = Coding(
                system: present[0] ? "http://loinc.org" : nil, code: present[2] ? "72514-3" : nil,
                display: present[3] ? "Pain severity" : nil, version: present[1] ? "2.74" : nil)
            let expected = bySet(
                "Coding",
                [
                    ("system", coding.system.map { .uri($0) }), ("version", coding.version.map { .string($0) }),
                    ("code", coding.code.map { .code($0) }), ("display", coding.display.map { .string($0) }),
                ])
            #expect(coding.element == expected, "\(present)")
            #expect(Coding(coding.element) == coding)
        }
    }

    @Test func codeableConceptReferencePeriodAnnotation() {
        let codings = [Coding(system: "http://snomed.info/sct", code: "279039007")]
        for present in combinations(3) {
            let concept = CodeableConcept(codings: present[0] ? codings : [], text: present[1] ? "Low back pain" : nil)
            var expected = FHIRElement(type: "CodeableConcept")
            if let text = concept.text { expected.set("text", .string(text)) }
            if !concept.codings.isEmpty { expected.set("coding", concept.codings.map { .element($0.element) }) }
            #expect(concept.element == expected, "\(present)")

            let reference = Reference(
                reference: present[0] ? "Condition/c1" : nil, type: present[1] ? "Condition" : nil,
                display: present[2] ? "Sciatica" : nil)
            #expect(
                reference.element
                    == bySet(
                        "Reference",
                        [
                            ("reference", reference.reference.map { .string($0) }),
                            ("type", reference.type.map { .uri($0) }),
                            ("display", reference.display.map { .string($0) }),
                        ]), "\(present)")

            let period = Period(start: present[0] ? "2026-01-01" : nil, end: present[1] ? "2026-02-01" : nil)
            #expect(
                period.element
                    == bySet(
                        "Period",
                        [
                            ("start", period.start.map { .primitive("dateTime", $0) }),
                            ("end", period.end.map { .primitive("dateTime", $0) }),
                        ]), "\(present)")

            let annotation = Annotation(text: "Why: chronic pain.", time: present[0] ? "2026-01-01T09:00:00Z" : nil)
            #expect(
                annotation.element
                    == bySet(
                        "Annotation",
                        [
                            ("time", annotation.time.map { .primitive("dateTime", $0) }),
                            ("text", .primitive("markdown", annotation.text)),
                        ]), "\(present)")
        }
    }

    @Test func carePlanActivity() {
        let reference = Reference(reference: "urn:uuid:1", type: "ServiceRequest", display: "Physiotherapy")
        #expect(
            CarePlan.Activity(reference: reference).element
                == bySet("CarePlan.activity", [("detail", nil), ("reference", .element(reference.element))]))
        for present in combinations(5) {
            var activity = CarePlan.Activity(
                kind: present[0] ? "ServiceRequest" : nil,
                instantiatesCanonical: present[1] ? ["https://example.org/ActivityDefinition/a", "b"] : [],
                code: present[2] ? CodeableConcept(codings: [], text: "Yoga") : nil, status: "not-started",
                description: present[3] ? "Yoga or tai chi." : nil)
            activity.detailScheduledPeriod = present[4] ? Period(start: "2026-01-01", end: "2026-02-01") : nil
            var detail = bySet(
                "CarePlan.activity.detail",
                [
                    ("kind", activity.detailKind.map { .code($0) }),
                    ("code", activity.detailCode.map { .element($0.element) }),
                    ("status", .code("not-started")),
                    ("scheduledPeriod", activity.detailScheduledPeriod.map { .element($0.element) }),
                    ("description", activity.detailDescription.map { .string($0) }),
                ])
            detail.set(
                "instantiatesCanonical", activity.detailInstantiatesCanonical.map { .primitive("canonical", $0) })
            #expect(
                activity.element == bySet("CarePlan.activity", [("detail", .element(detail))]), "\(present)")
            #expect(CarePlan.Activity(activity.element) == activity)
        }
    }
}
