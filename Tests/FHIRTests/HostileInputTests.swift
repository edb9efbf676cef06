import FHIR
import Testing

/// Hostile inputs end in a clean error of the right kind, never a crash or a hang.
@Suite("Hostile input and limits")
struct HostileInputTests {
    @Test("an external entity (XXE) is refused before parsing")
    func externalEntity() {
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE Patient [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <Patient xmlns="http://hl7.org/fhir"><id value="&xxe;"/></Patient>
            """
        let error = readError { try readXML(xml) }
        #expect(error?.kind == .forbidden)
        #expect(error?.line == 2)
    }

    @Test("billion laughs is refused")
    func billionLaughs() {
        var xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        for level in 1...9 {
            xml +=
                "<!ENTITY lol\(level) \""
                + String(repeating: "&lol\(level - 1 == 0 ? "" : String(level - 1));", count: 10) + "\">"
        }
        xml += "]>\n<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"&lol9;\"/></Patient>"
        #expect(readError { try readXML(xml) }?.kind == .forbidden)
    }

    @Test("a DOCTYPE after comments and processing instructions is still found")
    func doctypeAfterComment() {
        let xml =
            "<?xml version=\"1.0\"?><!-- hi --><?pi x?>\n<!DOCTYPE Patient><Patient xmlns=\"http://hl7.org/fhir\"/>"
        #expect(readError { try readXML(xml) }?.kind == .forbidden)
    }

    @Test("an undeclared entity is a syntax error")
    func undeclaredEntity() {
        #expect(
            readError { try readXML("<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"&reg;\"/></Patient>") }?.kind
                == .syntax)
    }

    @Test("10,000-deep JSON nesting is a limit error")
    func deepJSON() {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(readError { try readJSON(text) }?.kind == .limit)
    }

    @Test("10,000-deep XML nesting is an error, not a crash")
    func deepXML() {
        let text =
            "<Patient xmlns=\"http://hl7.org/fhir\">" + String(repeating: "<a>", count: 10_000)
            + String(repeating: "</a>", count: 10_000) + "</Patient>"
        let error = readError { try readXML(text) }
        #expect(error != nil)
    }

    @Test("deep but well-formed FHIR nesting beyond the limit is a limit error")
    func deepFHIR() {
        var item = "{\"linkId\":\"x\"}"
        for _ in 0..<40 { item = "{\"linkId\":\"x\",\"item\":[\(item)]}" }
        let text = "{\"resourceType\":\"Questionnaire\",\"status\":\"active\",\"item\":[\(item)]}"
        #expect(readError { try readJSON(text, limits: FHIRReadLimits(maxDepth: 30)) }?.kind == .limit)
        #expect((try? readJSON(text)) != nil, "41 levels of items are within the default limit")
    }

    @Test("input over the size limit is refused")
    func inputSize() {
        let text = "{\"resourceType\":\"Patient\"}" + String(repeating: " ", count: 100)
        #expect(readError { try readJSON(text, limits: FHIRReadLimits(maxInputBytes: 64)) }?.kind == .limit)
        #expect(
            readError {
                try readXML(
                    "<Patient xmlns=\"http://hl7.org/fhir\"/>" + String(repeating: " ", count: 100),
                    limits: FHIRReadLimits(maxInputBytes: 64))
            }?.kind == .limit)
    }

    @Test("a string over the length limit is refused")
    func longString() {
        let text = "{\"resourceType\":\"Patient\",\"id\":\"" + String(repeating: "a", count: 5000) + "\"}"
        #expect(readError { try readJSON(text, limits: FHIRReadLimits(maxStringBytes: 1000)) }?.kind == .limit)
        let xml =
            "<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"" + String(repeating: "a", count: 5000)
            + "\"/></Patient>"
        #expect(readError { try readXML(xml, limits: FHIRReadLimits(maxStringBytes: 1000)) }?.kind == .limit)
    }

    @Test("invalid UTF-8, lone surrogates and NUL bytes are syntax errors")
    func badText() {
        var bytes = Array("{\"resourceType\":\"Patient\",\"id\":\"".utf8) + [0xC3, 0x28] + Array("\"}".utf8)
        #expect(readError { try FHIRJSONReader().read(bytes) }?.kind == .syntax)
        #expect(readError { try readJSON("{\"resourceType\":\"Patient\",\"id\":\"\\ud800\"}") }?.kind == .syntax)
        bytes = Array("{\"resourceType\":\"Patient\",\"id\":\"a".utf8) + [0] + Array("\"}".utf8)
        #expect(readError { try FHIRJSONReader().read(bytes) }?.kind == .syntax)
        bytes = [0xFF, 0xFE] + Array("{}".utf8)
        #expect(readError { try FHIRReader().read(bytes) }?.kind == .syntax)
    }

    @Test("garbage, empty input and trailing content are syntax errors")
    func garbage() {
        #expect(readError { try FHIRReader().read([]) }?.kind == .syntax)
        #expect(readError { try FHIRReader().read(Array("hello".utf8)) }?.kind == .syntax)
        #expect(readError { try FHIRReader().read(Array("{\"resourceType\":\"Patient\"} {}".utf8)) }?.kind == .syntax)
        #expect(
            readError { try FHIRReader().read(Array("<Patient xmlns=\"http://hl7.org/fhir\">".utf8)) }?.kind == .syntax)
        #expect(readError { try readJSON("[1,2]") }?.kind == .structure)
        #expect(readError { try readJSON("{\"resourceType\":\"Patient\",\"active\":tru}") }?.kind == .syntax)
    }
}

@Suite("Format sniffing and OperationOutcome")
struct FormatAndOutcomeTests {
    @Test("the format is told from the content, after a BOM and whitespace")
    func sniffing() throws {
        #expect(try FHIRFormat.sniff(Array("\u{FEFF}  {}".utf8)) == .json)
        #expect(try FHIRFormat.sniff(Array("\n<?xml version=\"1.0\"?><a/>".utf8)) == .xml)
        #expect(throws: FHIRReadError.self) { try FHIRFormat.sniff(Array("abc".utf8)) }
    }

    @Test(
        "an error becomes an OperationOutcome issue with severity, code, line and column, and writes as both encodings")
    func outcome() throws {
        let error = FHIRReadError(.structure, "bad", line: 3, column: 7, path: "Patient.gender")
        let outcome = OperationOutcomeBuilder.outcome(error: error, warnings: [FHIRReadWarning("odd", line: 1)])
        let issues = outcome["issue"].compactMap(\.element)
        #expect(issues.count == 2)
        #expect(issues[0]["severity"].first?.primitive?.value == "error")
        #expect(issues[0]["code"].first?.primitive?.value == "structure")
        #expect(issues[0]["expression"].first?.primitive?.value == "Patient.gender")
        let extensions = issues[0]["extension"].compactMap(\.element)
        #expect(extensions.map { $0["valueInteger"].first?.primitive?.value } == ["3", "7"])
        #expect(issues[1]["severity"].first?.primitive?.value == "warning")
        let json = FHIRJSONWriter().write(outcome)
        #expect(try FHIRJSONReader().read(json).resource == outcome)
        #expect(try FHIRXMLReader().read(FHIRXMLWriter().write(outcome)).resource == outcome)
    }
}
