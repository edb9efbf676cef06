import Foundation
import Guideline

/// What a sample declares next to its input (`NAME.rules`): the rules it must fire and the near
/// misses it must not. Lines `fire: ID ID…` and `quiet: ID ID…`; `#` starts a comment.
struct DeclaredRules: Equatable {
    var fire: [RuleID] = []
    var quiet: [RuleID] = []

    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    init(fire: [RuleID] = [], quiet: [RuleID] = []) {
        self.fire = fire
        self.quiet = quiet
    }

    init(parsing text: String) throws(ParseError) {
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.prefix { $0 != "#" }.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { continue }
            guard let colon = line.firstIndex(of: ":") else {
                throw ParseError(description: "line \(number + 1): expected `fire:` or `quiet:`")
            }
            var ids: [RuleID] = []
            for word in line[line.index(after: colon)...].split(separator: " ") {
                guard let id = RuleID(rawValue: String(word)) else {
                    throw ParseError(description: "line \(number + 1): \(word) is not a rule id")
                }
                ids.append(id)
            }
            switch line[..<colon] {
            case "fire": fire += ids
            case "quiet": quiet += ids
            default: throw ParseError(description: "line \(number + 1): expected `fire:` or `quiet:`")
            }
        }
    }

    /// What the fired rules break of the declaration, in words; empty when it holds.
    func violations(fired: [RuleID]) -> [String] {
        let fired = Set(fired)
        return fire.filter { !fired.contains($0) }.map { "declared to fire, but quiet: \($0.rawValue)" }
            + quiet.filter { fired.contains($0) }.map { "declared quiet, but fires: \($0.rawValue)" }
    }
}
