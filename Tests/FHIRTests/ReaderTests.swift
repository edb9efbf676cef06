import FHIR
import Testing

func readJSON(_ text: String, limits: FHIRReadLimits = .default) throws -> FHIRReadResult {
    try FHIRJSONReader(limits: limits).read(Array(text.utf8))
}

func readXML(_ text: String, limits: FHIRReadLimits = .default) throws -> FHIRReadResult {
    try FHIRXMLReader(limits: limits).read(Array(text.utf8))
}

func readError(_ body: () throws -> Any) -> FHIRReadError? {
    do {
        _ = try body()
        return nil
    } catch let error as FHIRReadError {
        return error
    } catch {
        return nil
    }
}

@Suite("Primitives keep their lexical form, id and extensions")
struct PrimitiveTests {
    let observationJSON = """
        {"resourceType":"Observation","status":"final","code":{"text":"weight"},
         "valueQuantity":{"value":12500.00,"unit":"g"}}
        """

    @Test("a decimal keeps its exact text through JSON and XML")
    func decimalText() throws {
        let resource = try readJSON(observationJSON).resource
        let quantity = try #require(resource["valueQuantity"].first?.element)
        #expect(quantity["value"].first?.primitive?.value == "12500.00")
        #expect(FHIRJSONWriter(pretty: false).string(resource).contains("\"value\":12500.00"))
        let xml = try FHIRXMLWriter().string(resource)
        #expect(xml.contains("<value value=\"12500.00\"/>"))
        #expect(try readXML(xml).resource == resource)
    }

    @Test("numbers beyond Double range are kept as written")
    func hugeNumber() throws {
        let text = observationJSON.replacingOccurrences(of: "12500.00", with: "1e400")
        let resource = try readJSON(text).resource
        #expect(resource["valueQuantity"].first?.element?["value"].first?.primitive?.value == "1e400")
    }

    @Test("arrays with nulls pair values with their _ companions, and survive XML")
    func arraysWithNulls() throws {
        let text = """
            {"resourceType":"Patient","name":[{"given":["Ann",null,"Cy"],
             "_given":[null,{"id":"g2","extension":[{"url":"http://example.org/x","valueString":"initial"}]},null]}]}
            """
        let resource = try readJSON(text).resource
        let given = try #require(resource["name"].first?.element)["given"].compactMap(\.primitive)
        #expect(given.map(\.value) == ["Ann", nil, "Cy"])
        #expect(given[1].id == "g2")
        #expect(given[1].extensions.first?["valueString"].first?.primitive?.value == "initial")
        let json = FHIRJSONWriter(pretty: false).string(resource)
        #expect(json.contains("\"given\":[\"Ann\",null,\"Cy\"]"))
        #expect(json.contains("\"_given\":[null,{\"id\":\"g2\""))
        let xml = try FHIRXMLWriter().string(resource)
        #expect(xml.contains("<given id=\"g2\">"))
        #expect(try readXML(xml).resource == resource)
    }

    @Test("a primitive's id and extension in XML read like JSON's _name")
    func xmlPrimitiveMetadata() throws {
        let xml = """
            <Patient xmlns="http://hl7.org/fhir"><birthDate id="b" value="1970-03-30">
            <extension url="http://hl7.org/fhir/StructureDefinition/patient-birthTime"><valueDateTime value="1970-03-30T14:35:45-05:00"/></extension>
            </birthDate></Patient>
            """
        let json = """
            {"resourceType":"Patient","birthDate":"1970-03-30","_birthDate":{"id":"b","extension":[
            {"url":"http://hl7.org/fhir/StructureDefinition/patient-birthTime","valueDateTime":"1970-03-30T14:35:45-05:00"}]}}
            """
        #expect(try readXML(xml).resource == readJSON(json).resource)
    }

    @Test("a number where a string must be is a structure error with line, column and path")
    func wrongJSONType() {
        let error = readError { try readJSON("{\"resourceType\":\"Patient\",\n  \"gender\": 1}") }
        #expect(error?.kind == .structure)
        #expect(error?.line == 2)
        #expect(error?.column == 13, "the column of the offending value")
        #expect(error?.path == "Patient.gender")
    }

    @Test("an error deep in repeating elements names each step and index of its path")
    func deepPath() {
        let json = """
            {"resourceType":"Observation","status":"final","code":{"text":"x"},"component":[
            {"code":{"text":"a"}},{"code":{"coding":[{"code":"ok"},{"system":1}]}}]}
            """
        let error = readError { try readJSON(json) }
        #expect(error?.kind == .structure)
        #expect(error?.path == "Observation.component[1].code.coding[1].system")
    }

    @Test("a boolean given as a string is an error in JSON, and a bad boolean in XML too")
    func booleans() {
        #expect(readError { try readJSON("{\"resourceType\":\"Patient\",\"active\":\"true\"}") }?.kind == .structure)
        #expect(
            readError { try readXML("<Patient xmlns=\"http://hl7.org/fhir\"><active value=\"yes\"/></Patient>") }?.kind
                == .structure)
    }

    @Test("an untidy date is kept with a warning")
    func untidyDate() throws {
        let result = try readJSON("{\"resourceType\":\"Patient\",\"birthDate\":\"30/03/1970\"}")
        #expect(result.resource["birthDate"].first?.primitive?.value == "30/03/1970")
        #expect(result.warnings.count == 1)
    }
}

@Suite("Structure: choices, order, resources inside resources, narrative")
struct StructureTests {
    @Test("properties come out in canonical order whatever the input order")
    func canonicalOrder() throws {
        let resource = try readJSON("{\"gender\":\"male\",\"id\":\"p1\",\"resourceType\":\"Patient\",\"active\":true}")
            .resource
        #expect(resource.properties.map(\.name) == ["id", "active", "gender"])
        #expect(
            FHIRJSONWriter(pretty: false).string(resource)
                == "{\"resourceType\":\"Patient\",\"id\":\"p1\",\"active\":true,\"gender\":\"male\"}")
    }

    @Test("two choices of one value[x] are an error")
    func choiceClash() {
        let error = readError {
            try readJSON("{\"resourceType\":\"Observation\",\"valueString\":\"a\",\"valueBoolean\":true}")
        }
        #expect(error?.kind == .structure)
        #expect(error?.message.contains("value[x]") == true)
    }

    @Test("a repeating element given as an object, and a single one as an array, are errors")
    func arrayShape() {
        #expect(
            readError { try readJSON("{\"resourceType\":\"Patient\",\"name\":{\"family\":\"X\"}}") }?.kind == .structure
        )
        #expect(readError { try readJSON("{\"resourceType\":\"Patient\",\"gender\":[\"male\"]}") }?.kind == .structure)
    }

    @Test("missing, non-string and unknown resourceType are errors")
    func resourceType() {
        #expect(readError { try readJSON("{\"id\":\"x\"}") }?.message.contains("no resourceType") == true)
        #expect(readError { try readJSON("{\"resourceType\":7}") }?.kind == .structure)
        #expect(
            readError { try readJSON("{\"resourceType\":\"Patiant\"}") }?.message.contains("unknown resourceType")
                == true)
        #expect(readError { try readJSON("{\"resourceType\":\"DomainResource\"}") }?.kind == .structure)
        #expect(readError { try readXML("<Patiant xmlns=\"http://hl7.org/fhir\"/>") }?.kind == .structure)
        // A type name written with escapes is looked up by its text (the bytes path takes only unescaped names),
        // as the document and as a bundle entry; an escaped unknown one is named in the message as it reads.
        #expect((try? readJSON(#"{"resourceType":"Pati\u0065nt","id":"p"}"#))?.resource.type == "Patient")
        let entry = try? readJSON(
            #"{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"\u0050atient"}}]}"#)
        #expect(entry?.resource.children("entry").first?.child("resource")?.type == "Patient")
        #expect(
            readError { try readJSON(#"{"resourceType":"Pati\u0061nt"}"#) }?.message.contains("'Patiant'") == true)
    }

    @Test("duplicate JSON keys are an error")
    func duplicateKeys() {
        #expect(
            readError { try readJSON("{\"resourceType\":\"Patient\",\"gender\":\"male\",\"gender\":\"female\"}") }?.kind
                == .structure)
    }

    @Test("unknown properties are dropped with a warning naming them")
    func unknownProperty() throws {
        let result = try readJSON("{\"resourceType\":\"Patient\",\"colour\":\"blue\"}")
        #expect(result.resource.properties.isEmpty)
        #expect(result.warnings.first?.path == "Patient.colour")
    }

    @Test("contained resources, Bundle entries and Parameters resources are read as resources, both encodings")
    func nestedResources() throws {
        let json = """
            {"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:uuid:1",
             "resource":{"resourceType":"Condition","contained":[{"resourceType":"Patient","id":"p"}],
                         "subject":{"reference":"#p"}}},
             {"resource":{"resourceType":"Parameters","parameter":[{"name":"r","resource":{"resourceType":"Patient","id":"q"}}]}}]}
            """
        let resource = try readJSON(json).resource
        let condition = try #require(resource["entry"].first?.element?["resource"].first?.element)
        #expect(condition.type == "Condition")
        #expect(condition["contained"].first?.element?.type == "Patient")
        let xml = try FHIRXMLWriter().string(resource)
        #expect(xml.contains("<contained>\n"))
        #expect(try readXML(xml).resource == resource)
    }

    @Test("the narrative div from a JSON string and from an XML element is the same canonical XHTML")
    func narrative() throws {
        let json = """
            {"resourceType":"Patient","text":{"status":"generated",
             "div":"<div xmlns='http://www.w3.org/1999/xhtml'><p class=\\"x\\">Ann &amp; Bo<br/></p></div>"}}
            """
        let xml = """
            <Patient xmlns="http://hl7.org/fhir"><text><status value="generated"/>
            <div xmlns="http://www.w3.org/1999/xhtml"><p class='x'>Ann &amp; Bo<br></br></p></div></text></Patient>
            """
        let fromJSON = try readJSON(json).resource
        #expect(fromJSON == (try readXML(xml).resource))
        let div = fromJSON["text"].first?.element?["div"].first
        #expect(div == .xhtml("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p class=\"x\">Ann &amp; Bo<br/></p></div>"))
    }

    @Test("a div that is not well-formed, or outside the XHTML namespace, is an error")
    func badNarrative() {
        #expect(
            readError {
                try readJSON(
                    "{\"resourceType\":\"Patient\",\"text\":{\"status\":\"generated\",\"div\":\"<div>&nbsp;</div>\"}}")
            }?.kind == .structure)
        #expect(
            readError {
                try readXML(
                    "<Patient xmlns=\"http://hl7.org/fhir\"><text><status value=\"generated\"/><div>x</div></text></Patient>"
                )
            }?.kind == .structure)
    }
}

@Suite("XML specifics")
struct XMLTests {
    @Test("the root must be in the FHIR namespace")
    func namespace() {
        let error = readError { try readXML("<Patient><id value=\"x\"/></Patient>") }
        #expect(error?.kind == .structure)
        #expect(error?.message.contains("FHIR namespace") == true)
    }

    @Test("names and namespaces are matched exactly: foreign elements, near-miss names and attributes are warned")
    func namesAndNamespaces() throws {
        let xml = """
            <Patient xmlns="http://hl7.org/fhir" xmlns:x="urn:other">
              <id value="p1"/>
              <x:gender value="male"/>
              <gende value="male"/>
              <genderr value="male"/>
              <birthDate id="b" value="1970-01-02" valuex="1" x:value="2"><extension url="urn:e"><valueString value="s"/></extension></birthDate>
              <div xmlns="http://www.w3.org/1999/xhtml">stray</div>
              <active xmlns="http://hl7.org/fhirx" value="true"/>
            </Patient>
            """
        let result = try readXML(xml)
        let patient = result.resource
        #expect(patient.properties.map(\.name) == ["id", "birthDate"])
        let birthDate = try #require(patient["birthDate"].first?.primitive)
        #expect(birthDate.value == "1970-01-02" && birthDate.id == "b")
        #expect(birthDate.extensions.first?.string("url") == "urn:e")
        let messages = result.warnings.map(\.message)
        // x:gender, and active in the near-miss namespace http://hl7.org/fhirx.
        #expect(messages.filter { $0.contains("outside the FHIR namespace") }.count == 2, "\(messages)")
        #expect(messages.contains("unknown element <gende> ignored"))
        #expect(messages.contains("unknown element <genderr> ignored"))
        #expect(messages.contains("unknown element <div> ignored"), "an XHTML div where the type has none")
        // valuex, and value in another namespace.
        #expect(messages.filter { $0.hasPrefix("unknown attribute") }.count == 2, "\(messages)")
    }

    @Test("text inside a FHIR element is an error with its line")
    func textInElement() {
        let error = readError {
            try readXML("<Patient xmlns=\"http://hl7.org/fhir\">\n<gender value=\"male\">male</gender></Patient>")
        }
        #expect(error?.kind == .structure)
        #expect(error?.line == 2)
    }

    @Test("a non-repeating element twice is an error")
    func repeatedSingle() {
        #expect(
            readError {
                try readXML(
                    "<Patient xmlns=\"http://hl7.org/fhir\"><gender value=\"male\"/><gender value=\"male\"/></Patient>")
            }?.kind == .structure)
    }

    @Test("a non-repeating element twice names the element; two choices of one value[x] name both")
    func repeatedSingleAndChoiceMessages() {
        let twice = readError {
            try readXML(
                "<Patient xmlns=\"http://hl7.org/fhir\"><gender value=\"male\"/><gender value=\"male\"/></Patient>")
        }
        #expect(twice?.message == "<gender> appears more than once but does not repeat")
        let choices = readError {
            try readXML(
                """
                <Observation xmlns="http://hl7.org/fhir"><status value="final"/><code><text value="t"/></code>
                <valueString value="a"/><valueBoolean value="true"/></Observation>
                """)
        }
        #expect(choices?.kind == .structure)
        #expect(
            choices?.message == "both <valueString> and <valueBoolean> are given for value[x]; only one is allowed")
    }

    @Test("repeats apart are read in document order with a warning; elements out of order are put in canonical order")
    func orderOfElements() throws {
        let xml = """
            <Patient xmlns="http://hl7.org/fhir"><name><family value="A"/></name><gender value="male"/>
            <name><family value="B"/></name><active value="true"/><id value="p"/></Patient>
            """
        let result = try readXML(xml)
        #expect(result.resource.properties.map(\.name) == ["id", "active", "name", "gender"])
        #expect(result.resource.children("name").map { $0.string("family") } == ["A", "B"])
        #expect(
            result.warnings.map(\.message) == ["the <name> elements are not together; they are read in document order"])
        let json = """
            {"resourceType":"Patient","id":"p","active":true,"name":[{"family":"A"},{"family":"B"}],"gender":"male"}
            """
        #expect(try readJSON(json).resource == result.resource)
        // Together, no warning.
        let together = try readXML(
            "<Patient xmlns=\"http://hl7.org/fhir\"><name><family value=\"A\"/></name><name><family value=\"B\"/></name></Patient>"
        )
        #expect(together.warnings.isEmpty)
        // Out of order inside an element read after others (its properties sit above its parent's on the reader's
        // stacks): sorted among themselves.
        let nested = try readXML(
            """
            <Patient xmlns="http://hl7.org/fhir"><id value="p"/><active value="true"/><name><given value="G"/>\
            <family value="F"/><use value="official"/></name></Patient>
            """)
        #expect(nested.resource.children("name").first?.properties.map(\.name) == ["use", "family", "given"])
        let nestedJSON = try readJSON(
            #"{"resourceType":"Patient","id":"p","active":true,"name":[{"given":["G"],"family":"F","use":"official"}]}"#
        )
        #expect(nestedJSON.resource == nested.resource)
    }

    @Test("an abstract or unknown resource type is refused as the root and inside a bundle")
    func resourceTypes() {
        #expect(readError { try readXML("<DomainResource xmlns=\"http://hl7.org/fhir\"/>") }?.kind == .structure)
        let inside = readError {
            try readXML(
                """
                <Bundle xmlns="http://hl7.org/fhir"><type value="collection"/><entry><resource><Coding/></resource></entry></Bundle>
                """)
        }
        #expect(inside?.message == "unknown resource type <Coding> (not an R4 resource)")
        #expect(inside?.path == "Bundle.entry[0].resource")
    }

    /// The XML writer places attributes in a first pass over the properties and elements in a second, asking the
    /// definitions without an array of children: an attribute property with no value (only extensions) is written
    /// as an element, and a resource slot wraps its resource.
    @Test("an attribute property without a value is written as an element; contained resources are wrapped")
    func xmlPlacementOfAttributesAndResources() throws {
        let flag = FHIRElement(type: "Extension").with("url", .uri("http://e.org/x")).with(
            "valueBoolean", .boolean(true))
        let name = FHIRElement(type: "HumanName")
            .with("id", .primitive(FHIRPrimitive(type: "string", value: nil, extensions: [flag])))
            .with("family", .string("X"))
        let contained = FHIRElement(type: "Organization").with("id", .primitive("id", "o1"))
        let patient = FHIRElement(type: "Patient").with("contained", .element(contained)).with("name", .element(name))
        #expect(
            try FHIRXMLWriter(pretty: false).string(patient)
                == #"<?xml version="1.0" encoding="UTF-8"?><Patient xmlns="http://hl7.org/fhir"><contained>"#
                + #"<Organization><id value="o1"/></Organization></contained><name><id><extension url="http://e.org/x">"#
                + #"<valueBoolean value="true"/></extension></id><family value="X"/></name></Patient>"# + "\n")
    }

    @Test("Element.id and Extension.url are attributes")
    func attributes() throws {
        let json =
            "{\"resourceType\":\"Patient\",\"name\":[{\"id\":\"n1\",\"extension\":[{\"url\":\"http://e.org/a\",\"valueBoolean\":true}],\"family\":\"X\"}]}"
        let resource = try readJSON(json).resource
        let xml = try FHIRXMLWriter(pretty: false).string(resource)
        #expect(
            xml.contains(
                "<name id=\"n1\"><extension url=\"http://e.org/a\"><valueBoolean value=\"true\"/></extension><family value=\"X\"/></name>"
            ))
        #expect(try readXML(xml).resource == resource)
    }

    @Test("a control character JSON can carry cannot be written as XML: a clean encoding error")
    func controlCharacter() throws {
        let resource = try readJSON("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"a\\u0013b\"}]}").resource
        #expect(throws: FHIRReadError.self) { _ = try FHIRXMLWriter().write(resource) }
    }

    @Test("newlines and quotes in attribute values survive XML")
    func attributeEscaping() throws {
        let resource = try readJSON(
            "{\"resourceType\":\"Patient\",\"name\":[{\"text\":\"a\\n\\\"b\\\" <c> & d\\te\"}]}"
        ).resource
        #expect(try readXML(FHIRXMLWriter().string(resource)).resource == resource)
    }
}
