import FHIR
import Testing

@testable import Case

/// The items a questionnaire score counts are read on the model: depth first, an item's nested items before the
/// items under its answers; only items with an answer value and no nested items; "score" and "total" items (any
/// case, in the link id or the text) left out. The same answers as flattening item views and filtering them.
@Suite("questionnaire scored answers")
struct ScoredAnswersTests {
    private func read(_ json: String) throws -> FHIRElement { try FHIRJSONReader().read(Array(json.utf8)).resource }

    /// The reference: the views flattened and filtered with Unicode lowercasing.
    private func viaViews(_ response: FHIRElement) -> [String] {
        var all: [QuestionnaireResponse.Item] = []
        for item in QuestionnaireResponse(unchecked: response).items { item.appendFlattened(to: &all) }
        return all.filter { item in
            guard !item.answers.isEmpty && item.items.isEmpty else { return false }
            let words = ((item.linkId ?? "") + " " + (item.text ?? "")).lowercased()
            return !words.includes("score") && !words.includes("total")
        }.compactMap { $0.answers.first?.text }
    }

    @Test func nestedItemsInOrderScoresAndTotalsLeftOut() throws {
        let response = try read(
            """
            {"resourceType":"QuestionnaireResponse","status":"completed","item":[
             {"linkId":"q1","text":"Pain intensity","answer":[{"valueInteger":1},{"valueInteger":9}]},
             {"linkId":"group","text":"Personal care","item":[
               {"linkId":"q2","answer":[{"valueString":"two"}]},
               {"linkId":"q3","text":"Lifting","answer":[{"valueInteger":3,"item":[
                 {"linkId":"q3a","answer":[{"valueInteger":4}]}]}]},
               {"linkId":"q4","text":"Walking","answer":[{}, {"valueInteger":5}]}]},
             {"linkId":"q5-TOTAL","answer":[{"valueInteger":40}]},
             {"linkId":"q6","text":"Sub-Score (derived)","answer":[{"valueInteger":7}]},
             {"linkId":"q7","text":"Schlaf – Ruhe é","answer":[{"valueInteger":6}]},
             {"linkId":"q8","text":"no answer"},
             {"linkId":"q9","text":"Sc ore and tot al, apart","answer":[{"valueInteger":8}]},
             {"linkId":"q10","answer":[{"valueInteger":9},{"valueInteger":1,"item":[
               {"linkId":"q10a","answer":[{"valueInteger":2}]}]}]}
            ]}
            """)
        let answers = Context.scoredAnswers(response).map(\.text)
        // q10's first answer is not counted: a later answer of it has nested items (q10a's is counted).
        #expect(answers == ["1", "two", "4", "5", "6", "8", "2"])
        #expect(answers == viaViews(response))
    }

    @Test func scoreAndTotalAreFoundInAnyCaseAnywhere() {
        for text in ["score", "SCORE", "Total", "subtotal", "xScOrEx", "Gesamt-Total"] {
            #expect(Context.namesAScore(text), "\(text)")
        }
        for text in ["scor", "otal", "s c o r e", "scöre", "", "tot al"] {
            #expect(!Context.namesAScore(text), "\(text)")
        }
        #expect(!Context.namesAScore(nil))
    }
}
