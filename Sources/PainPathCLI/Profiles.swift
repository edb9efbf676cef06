import ArgumentParser
import FHIR
import Foundation
import Output

extension CommandResult {
    /// `painpath profiles`: writes the knowledge artifacts generated from the rules, or with
    /// `check` only compares them with what the directory holds (exit 1 when they differ).
    public static func profiles(directory: String, check: Bool) -> CommandResult {
        var differing: [String] = []
        for (name, resource) in KnowledgeArtifacts().all() {
            let bytes = FHIRJSONWriter(pretty: true).write(resource) + [UInt8(ascii: "\n")]
            let path = directory + "/" + name
            let existing = FileManager.default.contents(atPath: path).map { [UInt8]($0) }
            guard existing != bytes else { continue }
            differing.append(name)
            if !check {
                guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
                    return CommandResult(exitCode: 73, stdout: [], stderr: "painpath: cannot write \(path)\n")
                }
            }
        }
        if check {
            return CommandResult(
                exitCode: differing.isEmpty ? 0 : 1, stdout: [],
                stderr: differing.isEmpty
                    ? "profiles are in step with the rules\n"
                    : "out of step with the rules: " + differing.joined(separator: ", ") + "\n")
        }
        return CommandResult(exitCode: 0, stdout: [], stderr: "\(differing.count) file(s) written to \(directory)\n")
    }
}

struct Profiles: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Write the knowledge artifacts (PlanDefinition, ActivityDefinitions, detected-issue CodeSystem, StructureDefinitions) generated from the rules.",
        discussion: """
            The rule ids are the output contract; these artifacts publish them. Run after changing a \
            rule, and commit the result: a test fails when profiles/ and the rules differ. The \
            terminology ValueSets are written by scripts/generate-terminology-profiles.py instead.

            Examples:
              painpath profiles --out profiles
              painpath profiles --out profiles --check
            """
    )

    @Option(name: .long, help: "The profiles directory to write into.")
    var out: String = "profiles"

    @Flag(name: .long, help: "Only compare; exit 1 when a file would change.")
    var check = false

    func run() throws {
        try CommandResult.profiles(directory: out, check: check).emit()
    }
}
