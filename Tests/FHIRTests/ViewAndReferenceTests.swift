import Testing

@testable import FHIR

@Suite("Bundle reference resolution")
struct ReferenceTests {
    let bundle = try! readJSON(
        """
        {"resourceType":"Bundle","type":"collection","entry":[
         {"fullUrl":"urn:uuid:8f1c3e2a-1111-4c1b-9a2e-000000000001","resource":{"resourceType":"Patient","id":"p1"}},
         {"fullUrl":"https://ehr.example.org/fhir/Condition/c1","resource":{"resourceType":"Condition","id":"c1",
           "contained":[{"resourceType":"Medication","id":"m1"}],"subject":{"reference":"Patient/p1"}}},
         {"fullUrl":"https://ehr.example.org/fhir/Encounter/e1","resource":{"resourceType":"Encounter","id":"e1","status":"finished","class":{"code":"AMB"}}},
         {"resource":{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"x"}}}
        ]}
        """
    ).resource

    @Test("the reference indexes are built on the first resolution, not for a bundle nobody resolves in")
    func indexesBuiltOnFirstUse() {
        let resolver = BundleResolver(bundle: bundle)
        #expect(!resolver.hasBuiltReferenceIndex)
        #expect(resolver.resources(ofType: "Patient").count == 1)
        #expect(!resolver.hasBuiltReferenceIndex, "listing by type needs no reference index")
        #expect(resolver.resolve("#m1", container: bundle) == nil)
        #expect(!resolver.hasBuiltReferenceIndex, "a #contained reference needs no reference index")
        #expect(resolver.resolve("Patient/p1")?.string("id") == "p1")
        #expect(resolver.hasBuiltReferenceIndex)
        // A copy shares the index built once.
        let copy = resolver
        #expect(copy.hasBuiltReferenceIndex && copy.resolve("Condition/c1")?.string("id") == "c1")
    }

    @Test("a literal reference indexes only its own type's ids; urn: and absolute ones index the fullUrls")
    func indexesBuiltPerNeed() {
        let resolver = BundleResolver(bundle: bundle)
        #expect(resolver.resolve("Patient/p1")?.string("id") == "p1")
        #expect(resolver.typesIndexedById == ["Patient"])
        #expect(!resolver.hasBuiltFullUrlIndex, "no fullUrl is relative: a relative reference cannot be one")
        #expect(resolver.resolve("Observation/o1")?.string("id") == "o1")
        #expect(resolver.typesIndexedById == ["Patient", "Observation"])
        #expect(!resolver.hasBuiltFullUrlIndex)
        #expect(resolver.resolve("urn:uuid:8f1c3e2a-1111-4c1b-9a2e-000000000001")?.string("id") == "p1")
        #expect(resolver.hasBuiltFullUrlIndex)
    }

    @Test("a relative fullUrl (not valid FHIR, but sent) is still found by a reference written the same way")
    func relativeFullUrl() throws {
        let bundle = try readJSON(
            """
            {"resourceType":"Bundle","type":"collection","entry":[
             {"fullUrl":"Patient/p1","resource":{"resourceType":"Patient","id":"other","gender":"female"}},
             {"resource":{"resourceType":"Patient","id":"p1","gender":"male"}}
            ]}
            """
        ).resource
        let resolver = BundleResolver(bundle: bundle)
        #expect(resolver.resolve("Patient/p1")?.string("gender") == "female", "the fullUrl comes first, as before")
        #expect(resolver.resolve("Patient/other")?.string("gender") == "female")
    }

    @Test(
        "a fullUrl is relative when it is neither urn: nor absolute",
        arguments: [
            ("Patient/p1", true), ("urn:uuid:8f1c3e2a", false), ("urn:oid:1.2.3", false),
            ("https://ehr.example.org/fhir/Patient/1", false), ("urnal/1", true), ("urn", true),
            ("file:///x", false), ("Pätient/ü://", false), ("", true),
        ])
    func relativeFullUrlOnBytes(_ fullUrl: String, _ relative: Bool) {
        #expect(BundleResolver.isRelativeFullUrl(fullUrl) == relative)
    }

    @Test(
        "a literal reference is the type, a slash and the id, byte for byte, whatever their lengths",
        arguments: [
            ("Patient", "p1"), ("QuestionnaireResponse", "8f1c3e2a-1111-4c1b-9a2e-000000000001"), ("Observation", ""),
            ("Condition", "é-ß-東京"), ("", "x"),
        ])
    func literalReferenceJoinsTypeAndId(type: String, id: String) {
        let joined = literalReference(type: type, id: id)
        #expect(joined == type + "/" + id)
        #expect(Array(joined.utf8) == Array(type.utf8) + [UInt8(ascii: "/")] + Array(id.utf8))
    }

    @Test("urn:uuid references resolve by fullUrl")
    func urnUUID() {
        let resolver = BundleResolver(bundle: bundle)
        #expect(resolver.resolve("urn:uuid:8f1c3e2a-1111-4c1b-9a2e-000000000001")?.string("id") == "p1")
        #expect(resolver.resolve("urn:uuid:00000000-0000-0000-0000-000000000000") == nil)
    }

    @Test("literal Type/id references resolve by type and id, and against the referrer's server base")
    func literal() {
        let resolver = BundleResolver(bundle: bundle)
        #expect(resolver.resolve("Patient/p1")?.type == "Patient")
        #expect(resolver.resolve("Observation/o1")?.type == "Observation")
        #expect(
            resolver.resolve("Encounter/e1", containerFullUrl: "https://ehr.example.org/fhir/Condition/c1")?.type
                == "Encounter")
        #expect(resolver.resolve("Patient/nope") == nil)
    }

    @Test("absolute references resolve by fullUrl, with or without a version")
    func absolute() {
        let resolver = BundleResolver(bundle: bundle)
        #expect(resolver.resolve("https://ehr.example.org/fhir/Encounter/e1")?.type == "Encounter")
        #expect(resolver.resolve("https://ehr.example.org/fhir/Encounter/e1/_history/3")?.type == "Encounter")
        #expect(resolver.resolve("https://elsewhere.example.org/fhir/Patient/p1")?.type == "Patient")
    }

    @Test("#contained references resolve inside the referring resource only")
    func contained() throws {
        let resolver = BundleResolver(bundle: bundle)
        let condition = try #require(resolver.resolve("Condition/c1"))
        #expect(resolver.resolve("#m1", container: condition)?.type == "Medication")
        #expect(resolver.resolve("#m1") == nil)
        #expect(resolver.resolve("#", container: condition) == condition)
    }

    @Test("the first entry of a fullUrl or Type/id wins; a versioned fullUrl is indexed without its version")
    func duplicatesAndVersions() throws {
        let bundle = try readJSON(
            """
            {"resourceType":"Bundle","type":"collection","entry":[
             {"fullUrl":"https://ehr.example.org/fhir/Patient/p1/_history/2",
              "resource":{"resourceType":"Patient","id":"p1","gender":"female"}},
             {"fullUrl":"https://ehr.example.org/fhir/Patient/p1","resource":{"resourceType":"Patient","id":"p1","gender":"male"}},
             {"resource":{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"first"}}},
             {"resource":{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"second"}}}
            ]}
            """
        ).resource
        let resolver = BundleResolver(bundle: bundle)
        #expect(resolver.resolve("https://ehr.example.org/fhir/Patient/p1")?.string("gender") == "female")
        #expect(resolver.resolve("Observation/o1")?.child("code")?.string("text") == "first")
        #expect(resolver.resources(ofType: "Observation").count == 2)
        #expect(resolver.resources(ofType: "Observation").first?.resource.child("code")?.string("text") == "first")
        #expect(resolver.resources(ofType: "Encounter").isEmpty)
    }

    @Test(
        "entries are grouped by type in bundle order, however the types interleave; an entry without a resource is skipped"
    )
    func groupsByTypeWhateverTheOrder() throws {
        let types = ["Observation", "Condition", "Observation", "Encounter", "Condition", "Observation", "Observation"]
        let entries = types.enumerated().map { index, type in
            #"{"resource":{"resourceType":"\#(type)","id":"r\#(index)"}}"#
        }
        let bundle = try readJSON(
            #"{"resourceType":"Bundle","type":"collection","entry":["#
                + (entries + [#"{"fullUrl":"urn:uuid:nothing"}"#]).joined(separator: ",") + "]}"
        ).resource
        let resolver = BundleResolver(bundle: bundle)
        #expect(resolver.entries.count == types.count)
        for type in Set(types) {
            let expected = types.indices.filter { types[$0] == type }
            #expect(resolver.positionsByType[type] == expected, "\(type)")
            #expect(resolver.resources(ofType: type).map(\.id) == expected.map { "r\($0)" }, "\(type)")
        }
        #expect(resolver.positionsByType.count == Set(types).count)
    }
}

@Suite("Text search without Foundation")
struct TextSearchTests {
    @Test("includes finds a needle anywhere, in strings, substrings and non-ASCII text")
    func includes() {
        #expect("chronic low back pain".includes("back"))
        #expect("chronic low back pain".includes("chronic low back pain"))
        #expect(!"chronic low back pain".includes("backache"))
        #expect(!"back".includes("back pain"))
        #expect("anything".includes(""))
        #expect(!"".includes("a"))
        #expect("névralgie sciatique".includes("sciatique") && "névralgie".includes("é"))
        #expect(!"nevralgie".includes("é"))
        #expect("xx reduction of pain xx".dropFirst(3).includes("reduction"))
        #expect("aaab".includes("aab"), "a partial match followed by the real one")
    }

    @Test("beginsWith compares the first bytes only, in strings, substrings and non-ASCII text")
    func beginsWith() {
        #expect("urn:uuid:1".beginsWith("urn:") && "urn:".beginsWith("urn:") && "x".beginsWith(""))
        #expect(!"urn".beginsWith("urn:") && !"a urn:".beginsWith("urn:") && !"URN:x".beginsWith("urn:"))
        #expect("élan".beginsWith("é") && !"elan".beginsWith("é"))
        #expect("xxvalueQuantity".dropFirst(2).beginsWith("value"))
        let element = FHIRElement(
            type: "Observation",
            properties: [
                FHIRProperty(name: "valuesX", values: [.string("not a choice")]),
                FHIRProperty(name: "valueString", values: [.string("five")]),
            ])
        #expect(element.choiceValue("value")?.type == "string", "valuesX is not value[x]: lower case after the base")
    }

    @Test("a choice value is the choice element's, by the definitions: its concrete type, or nothing")
    func choiceValueByDefinitions() {
        let quantity = FHIRElement(type: "Quantity").with("value", .primitive("decimal", "5"))
        let observation = FHIRElement(type: "Observation").with("valueQuantity", .element(quantity))
        #expect(observation.choiceValue("value")?.type == "Quantity")
        #expect(observation.choiceValue("effective") == nil)
        // `valueSet` of a binding begins like a choice of `value` but is an element of its own.
        let binding = FHIRElement(type: "ElementDefinition.binding")
            .with("valueSet", .primitive("canonical", "http://example.org/ValueSet/x"))
        #expect(FHIRSchema.r4.type(named: binding.type)?.property("valueSet") != nil)
        #expect(binding.choiceValue("value") == nil)
        // A name the type does not define, and a type the definitions do not know, give nothing.
        #expect(FHIRElement(type: "Observation").with("valueNothing", .string("x")).choiceValue("value") == nil)
        #expect(FHIRElement(type: "NoSuchType").with("valueString", .string("x")).choiceValue("value") == nil)
        let answer = FHIRElement(type: "QuestionnaireResponse.item.answer").with("valueInteger", .integer(3))
        #expect(answer.choiceValue("value")?.type == "integer" && answer.choiceValue("value")?.text == "3")
    }

    @Test("a Quantity value's number is read without its unit; an Age is a quantity but not a Quantity's number")
    func quantityNumber() {
        let quantity = FHIRElement(type: "Quantity").with("value", .primitive("decimal", "7.5"))
            .with("unit", .string("score")).with("code", .code("{score}"))
        let observation = FHIRElement(type: "Observation").with("valueQuantity", .element(quantity))
        let value = observation.choiceValue("value")
        #expect(value?.quantityNumber == 7.5 && value?.quantityNumber == value?.quantity?.number)
        let age = FHIRElement(type: "Observation.component")
            .with("valueString", .string("7.5"))
        #expect(age.choiceValue("value")?.quantityNumber == nil, "a string is no quantity")
        let ageValue = ChoiceValue(
            type: "Age", value: .element(FHIRElement(type: "Age").with("value", .primitive("decimal", "3"))))
        #expect(ageValue.quantity?.number == 3 && ageValue.quantityNumber == nil)
        let unvalued = ChoiceValue(
            type: "Quantity", value: .element(FHIRElement(type: "Quantity").with("unit", .string("mg"))))
        #expect(unvalued.quantityNumber == nil && unvalued.quantity?.unit == "mg")
    }
}

@Suite("Typed views")
struct ViewTests {
    @Test func elementsBuiltPropertyByPropertyKeepCanonicalOrder() {
        // The first property goes in without a definition lookup; later ones still find their place.
        var coding = FHIRElement(type: "Coding")
        coding.set("display", .string("Low back pain"))
        coding.set("system", .uri("http://snomed.info/sct"))
        coding.set("code", .code("279039007"))
        #expect(coding.properties.map(\.name) == ["system", "code", "display"])
    }

    @Test("read views expose choices, codes and references")
    func readViews() throws {
        let resource = try readJSON(
            """
            {"resourceType":"Condition","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},
             "code":{"coding":[{"system":"http://snomed.info/sct","code":"23056005","display":"Sciatica"}]},
             "subject":{"reference":"Patient/p1"},"onsetDateTime":"2026-09-01","severity":{"text":"severe"}}
            """
        ).resource
        let condition = try #require(Condition(resource))
        #expect(condition.code?.contains(system: "http://snomed.info/sct", code: "23056005") == true)
        #expect(condition.onset?.type == "dateTime")
        #expect(condition.onset?.text == "2026-09-01")
        #expect(condition.subject?.reference == "Patient/p1")
        #expect(condition.clinicalStatus?.codings.first?.code == "active")
        #expect(Patient(resource) == nil, "a view only wraps its own type")
    }

    @Test("Observation value[x] and components; QuestionnaireResponse nested answers")
    func observationAndQuestionnaire() throws {
        let observation = try #require(
            Observation(
                readJSON(
                    """
                    {"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"72514-3"}]},
                     "effectiveDateTime":"2026-10-01T10:00:00Z","valueQuantity":{"value":7,"unit":"{score}"},
                     "component":[{"code":{"text":"a"},"valueInteger":3}]}
                    """
                ).resource))
        #expect(observation.value?.quantity?.number == 7)
        #expect(observation.components.first?.value?.type == "integer")
        let response = try #require(
            QuestionnaireResponse(
                readJSON(
                    """
                    {"resourceType":"QuestionnaireResponse","status":"completed","item":[{"linkId":"1","answer":[{"valueInteger":2,
                      "item":[{"linkId":"1.1","answer":[{"valueCoding":{"code":"LA1"}}]}]}]}]}
                    """
                ).resource))
        let flattened = response.items.flatMap(\.flattened)
        #expect(flattened.map(\.linkId) == ["1", "1.1"])
        #expect(flattened[1].answers.first?.coding?.code == "LA1")
    }

    @Test("MedicationRequest dosage reads the dose and timing, and a built one writes valid structure")
    func medicationRequest() throws {
        var request = MedicationRequest()
        request.id = "mr1"
        request.status = "draft"
        request.intent = "proposal"
        request.medicationCodeableConcept = CodeableConcept(codings: [
            Coding(system: "http://www.nlm.nih.gov/research/umls/rxnorm", code: "25480", display: "gabapentin")
        ])
        request.dosageInstructions = [
            Dosage(
                text: "300 mg at night",
                dose: Quantity(value: "300", unit: "mg", system: "http://unitsofmeasure.org", code: "mg"),
                frequency: 1, period: "1", periodUnit: "d")
        ]
        request.subject = Reference(reference: "Patient/p1")
        // The built resource is in canonical order, so it reads back identical from both encodings.
        let json = FHIRJSONWriter().write(request.resource)
        let fromJSON = try FHIRJSONReader().read(json).resource
        #expect(fromJSON == request.resource)
        #expect(try FHIRXMLReader().read(FHIRXMLWriter().write(request.resource)).resource == request.resource)
        let dosage = try #require(MedicationRequest(fromJSON)?.dosageInstructions.first)
        #expect(dosage.dose?.number == 300)
        #expect(dosage.frequency == 1)
        #expect(dosage.periodUnit == "d")
    }

    @Test("CarePlan, DetectedIssue, Provenance and Bundle build in canonical order and read back")
    func writeViews() throws {
        var plan = CarePlan()
        plan.subject = Reference(reference: "Patient/p1")
        plan.intent = "proposal"
        plan.status = "draft"
        plan.activities = [
            CarePlan.Activity(reference: Reference(reference: "ServiceRequest/s1")),
            CarePlan.Activity(
                kind: "CommunicationRequest",
                instantiatesCanonical: ["https://example.org/ActivityDefinition/patient-education"],
                code: nil, status: "not-started", description: "Education"),
        ]
        plan.narrative = ("generated", "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Plan</p></div>")
        #expect(plan.resource.properties.map(\.name) == ["text", "status", "intent", "subject", "activity"])
        var issue = DetectedIssue()
        issue.status = "preliminary"
        issue.severity = "high"
        issue.implicated = [Reference(reference: "MedicationStatement/ms1")]
        var provenance = Provenance()
        provenance.targets = [Reference(reference: "CarePlan/cp1")]
        provenance.recorded = "2026-11-21T10:00:00Z"
        var bundle = Bundle()
        bundle.type = "collection"
        bundle.entries = [plan.resource, issue.resource, provenance.resource].map {
            Bundle.Entry(fullUrl: nil, resource: $0)
        }
        let read = try FHIRJSONReader().read(FHIRJSONWriter().write(bundle.resource)).resource
        #expect(read == bundle.resource)
        #expect(try FHIRXMLReader().read(FHIRXMLWriter().write(bundle.resource)).resource == bundle.resource)
        let readPlan = try #require(Bundle(read).flatMap { CarePlan($0.resources[0]) })
        #expect(readPlan.activities.count == 2)
        #expect(
            readPlan.activities[1].detailInstantiatesCanonical == [
                "https://example.org/ActivityDefinition/patient-education"
            ])
        #expect(readPlan.narrative?.div.contains("<p>Plan</p>") == true)
    }
}
