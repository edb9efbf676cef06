import FHIR

/// A value set's member displays, to find whether a text names one of them ("warfarin sodium 5 mg oral tablet"
/// in a medicine's label): grouped by first word, since a text can hold a display only if it holds the display's
/// first word, and a set's displays share a few first words (their ingredients). A search asks each first word
/// once, then the displays of the groups found — a dozen searches where there were 150.
public struct DisplayNames: Sendable {
    private let groups: [(firstWord: String, displays: [String])]

    /// `displays` lowercased, as `ValueSetIndex` keeps them.
    init(_ displays: [String]) {
        var groups: [(firstWord: String, displays: [String])] = []
        var positions: [String: Int] = [:]
        for display in displays {
            let firstWord = String(display.prefix { $0 != " " })
            if let position = positions[firstWord] {
                groups[position].displays.append(display)
            } else {
                positions[firstWord] = groups.count
                groups.append((firstWord, [display]))
            }
        }
        self.groups = groups
    }

    /// Whether the text holds one of the displays (`lowercasedText` lowercased, as the displays are).
    public func anyNamed(in lowercasedText: String) -> Bool {
        groups.contains { group in
            lowercasedText.includes(group.firstWord) && group.displays.contains { lowercasedText.includes($0) }
        }
    }
}
