import ArgumentParser
import FHIR

/// `painpath`: the integration tester's command. Each subcommand is a thin shell over a function
/// that returns a `CommandResult`, so tests run the same code without a process.
public struct PainPathCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "painpath",
        abstract: "See what PainPath decides for FHIR R4 bundles, and why: the integration tester's tool.",
        discussion: """
            A typical session: check a feed's file, see the decision and its reasons, then replay a \
            directory of cases against their expected outputs after a change.

              painpath validate feed/admission-42.xml          # readable FHIR? where is it wrong?
              painpath explain samples/progressive-foot-drop.json   # every rule: fired or not, why
              painpath evaluate samples/progressive-foot-drop.json  # the bundle painpathd would write
              painpath replay samples                          # every decision as expected? (exit 1 if not)
              painpath synth --count 500 --seed 7 --out /tmp/feed   # synthetic load
              painpath bench samples/*.json                    # per-stage timings

            Exit codes: 0 success, 1 replay found differences, 64 a bad option value, 65 the input is \
            not readable FHIR (an OperationOutcome on stdout says what and where), 66 the file cannot \
            be read, 78 the profiles cannot be loaded. `painpath help SUBCOMMAND` shows each one.
            """,
        subcommands: [
            Validate.self, Convert.self, Explain.self, Evaluate.self, Replay.self, Codes.self, Synth.self,
            Profiles.self,
            Bench.self,
        ]
    )

    public init() {}
}

/// Options shared by every command that reads a FHIR file.
struct ReadOptions: ParsableArguments {
    @Option(name: .long, help: "Refuse inputs larger than this many bytes.")
    var maxBytes: Int = FHIRReadLimits.default.maxInputBytes

    @Option(name: .long, help: "Refuse inputs nested deeper than this.")
    var maxDepth: Int = FHIRReadLimits.default.maxDepth

    @Option(name: .long, help: "Refuse strings longer than this many bytes.")
    var maxStringBytes: Int = FHIRReadLimits.default.maxStringBytes

    var limits: FHIRReadLimits {
        FHIRReadLimits(maxInputBytes: maxBytes, maxDepth: maxDepth, maxStringBytes: maxStringBytes)
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that a file is readable FHIR R4 (JSON or XML, told from the content).",
        discussion: """
            Prints an OperationOutcome on stdout: warnings for what was accepted but untidy, or the \
            error that makes the file unreadable, with line, column and element path. Exits 0 when \
            readable, 65 when not (with a one-line message on stderr), 66 when the file cannot be read.

            Example:
              painpath validate inbox/admission-42.xml
            """
    )

    @Argument(help: "The FHIR JSON or XML file.")
    var file: String

    @OptionGroup var options: ReadOptions

    func run() throws {
        try CommandResult.validate(path: file, limits: options.limits).emit()
    }
}

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a FHIR resource in the other encoding (or the same one, canonically ordered).",
        discussion: """
            Reads JSON or XML (told from the content) and writes the same resource to stdout in the \
            encoding given by --to. Exits 65 with an OperationOutcome on stdout when the input is not \
            readable FHIR or cannot be written in that encoding, 66 when the file cannot be read.

            Example:
              painpath convert observation.xml --to json > observation.json
            """
    )

    @Argument(help: "The FHIR JSON or XML file.")
    var file: String

    @Option(name: .long, help: "The output encoding: json or xml.")
    var to: OutputFormat

    @Flag(name: .long, help: "Write without indentation.")
    var compact = false

    @OptionGroup var options: ReadOptions

    func run() throws {
        try CommandResult.convert(path: file, to: to.format, pretty: !compact, limits: options.limits).emit()
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case json, xml
    var format: FHIRFormat { FHIRFormat(rawValue: rawValue)! }
}
