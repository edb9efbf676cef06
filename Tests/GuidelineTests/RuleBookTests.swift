import Case
import PainPathTestKit
import Testing

@testable import Guideline

/// The rule book: what each rule reads decides the evaluation order; a dependency on a rule that is
/// not there, or a cycle, is refused with a message that names the rules.
@Suite("the rule book")
struct RuleBookTests {
    static func rule(_ id: RuleID, _ kind: RuleKind = .activity, reads: [RuleSelector] = [], tags: Set<RuleTag> = [])
        -> Rule
    {
        Rule(id, kind, in: .monitoring, "test rule", cites: [.s000], reads: reads, tags: tags) { _, _ in .skip("test") }
    }

    func error(_ rules: [Rule]) -> String? {
        do {
            _ = try RuleBook(rules)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func selectorsNameTheSameRulesWhetherAskedOftenOrNot() {
        // The selectors rules read are answered from a table made with the book; any other by a search.
        let book = Rules.book
        let asked = Set(book.rules.flatMap(\.reads)).union([
            .kind(.warning), .tagged(.lowerEvidence), .rule(.patientEducation),
        ])
        for selector in asked {
            #expect(book.ids(selector) == book.rules.filter { $0.matches(selector) }.map(\.id), "\(selector)")
        }
    }

    @Test func theStandardBookHasEveryIdOnce() {
        #expect(Rules.book.rules.map(\.id) == RuleID.allCases)
        #expect(Rules.all.count == RuleID.allCases.count)
    }

    @Test func everyRuleIsEvaluatedAfterWhatItReads() {
        let order = Rules.book.evaluationOrder.map(\.id)
        #expect(Set(order) == Set(RuleID.allCases))
        for rule in Rules.book.rules {
            for selector in rule.reads {
                for read in Rules.book.ids(selector) where read != rule.id {
                    let before = order.firstIndex(of: read)!
                    let after = order.firstIndex(of: rule.id)!
                    #expect(before < after, "\(rule.id.rawValue) must come after \(read.rawValue)")
                }
            }
        }
        // Rules that read nothing keep the order of the document.
        let independent = order.filter { Rules.rule($0)?.reads.isEmpty == true }
        #expect(independent == independent.sorted())
    }

    @Test func listsOfRulesComeFromTheirDeclarations() {
        #expect(
            Rules.book.ids(.tagged(.interventionalOption)) == [
                "epidural-steroid-injection", "vertebral-augmentation", "spinal-cord-stimulation-trial",
                "radiofrequency-denervation", "sacroiliac-radiofrequency", "surgical-consultation",
            ])
        #expect(
            Rules.book.ids(.painMedicines) == [
                "start-gabapentinoid", "start-sodium-channel-anticonvulsant", "start-snri-or-tca", "start-duloxetine",
                "titrate-duloxetine", "optimize-nsaid", "topical-agent", "start-tramadol", "opioid-trial-last-resort",
                "muscle-relaxant-short-course",
            ])
        #expect(Rules.book.ids(.tagged(.shortCourse)) == ["muscle-relaxant-short-course"])
        #expect(Rules.book.ids(.kind(.medicationRequest)).suffix(2) == ["naloxone-offer", "moud-offer"])
        #expect(Rules.book.rules.filter { $0.section == .warnings }.allSatisfy { $0.kind == .warning })
    }

    @Test func aDependencyOnAMissingRuleIsRefused() {
        let message = error([Self.rule("tens", reads: [.rule("acupuncture")])])
        #expect(message == "rule tens reads rule acupuncture, which no rule is")
        let none = error([Self.rule("tens", reads: [.tagged(.interventionalOption)])])
        #expect(none == "rule tens reads rules tagged interventionalOption, which no rule is")
    }

    @Test func aCycleIsRefusedWithItsPath() {
        let message = error([
            Self.rule("tens", reads: [.rule("massage")]), Self.rule("massage", reads: [.rule("acupuncture")]),
            Self.rule("acupuncture", reads: [.rule("tens")]),
        ])
        #expect(message == "rules read each other in a cycle: acupuncture → tens → massage → acupuncture")
    }

    @Test func aRuleDeclaredTwiceIsRefused() {
        #expect(error([Self.rule("tens"), Self.rule("tens")]) == "rule tens is declared twice")
    }

    @Test func orderFollowsDeclarationsNotTheList() throws {
        let book = try RuleBook([
            Self.rule("tens", reads: [.kind(.medicationRequest)]), Self.rule("optimize-nsaid", .medicationRequest),
        ])
        #expect(book.evaluationOrder.map(\.id) == ["optimize-nsaid", "tens"])
        #expect(book.rules.map(\.id) == ["optimize-nsaid", "tens"])
    }
}
