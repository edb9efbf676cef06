import ArgumentParser
import Testing

@testable import PainPathCLI

@Suite("help that teaches")
struct HelpTests {
    @Test func everySubcommandHasAnAbstractAndAnExample() {
        let commands: [any ParsableCommand.Type] = [PainPathCommand.self] + PainPathCommand.configuration.subcommands
        for command in commands {
            let help = command.helpMessage()
            #expect(!command.configuration.abstract.isEmpty, "\(command) has no abstract")
            #expect(help.contains("painpath "), "\(command) shows no example invocation")
            #expect(
                command.configuration.discussion.contains("Example") || command == PainPathCommand.self,
                "\(command) has no Examples section")
        }
    }
}
