/// Turns read errors and warnings into a FHIR OperationOutcome an integration engineer can act on:
/// each issue with severity, a code, the message, the element path in `expression`, and the line
/// and column in the standard R4 extensions (operationoutcome-issue-line / -col).
public enum OperationOutcomeBuilder {
    static let lineExtension = "http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-line"
    static let columnExtension = "http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-col"

    public static func outcome(error: FHIRReadError?, warnings: [FHIRReadWarning] = []) -> FHIRElement {
        var issues: [FHIRValue] = []
        if let error {
            let (severity, code) =
                switch error.kind {
                case .syntax: ("fatal", "invalid")
                case .structure: ("error", "structure")
                case .forbidden: ("fatal", "security")
                case .limit: ("fatal", "too-costly")
                case .encoding: ("error", "not-supported")
                }
            issues.append(
                issue(
                    severity: severity, code: code, message: error.description,
                    line: error.line, column: error.column, path: error.path))
        }
        for warning in warnings {
            issues.append(
                issue(
                    severity: "warning", code: "informational", message: warning.description,
                    line: warning.line, column: warning.column, path: warning.path))
        }
        if issues.isEmpty {
            issues.append(
                issue(
                    severity: "information", code: "informational", message: "the resource was read without problems",
                    line: nil, column: nil, path: nil))
        }
        return FHIRElement(type: "OperationOutcome").with("issue", issues)
    }

    private static func issue(severity: String, code: String, message: String, line: Int?, column: Int?, path: String?)
        -> FHIRValue
    {
        var issue = FHIRElement(type: "OperationOutcome.issue")
        var extensions: [FHIRValue] = []
        if let line {
            extensions.append(
                .element(
                    FHIRElement(type: "Extension")
                        .with("url", .uri(lineExtension)).with("valueInteger", .integer(line))))
        }
        if let column {
            extensions.append(
                .element(
                    FHIRElement(type: "Extension")
                        .with("url", .uri(columnExtension)).with("valueInteger", .integer(column))))
        }
        issue.set("extension", extensions)
        issue.set("severity", .code(severity))
        issue.set("code", .code(code))
        issue.set("diagnostics", .string(message))
        if let path { issue.set("expression", .string(path)) }
        return .element(issue)
    }
}

extension FHIRElement {
    /// `with` taking an array (the variadic form is for literals).
    func with(_ name: String, _ values: [FHIRValue]) -> FHIRElement {
        var copy = self
        copy.set(name, values)
        return copy
    }
}
