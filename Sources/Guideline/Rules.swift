import Case

/// Every rule of GUIDELINE.md, in the order of the document. Rule ids are the output contract.
public enum Rules {
    public static let all: [Rule] =
        stratification + referralTiming + medicines + nonPharmacological
        + interventional + monitoring + opioidSafety + warnings

    /// The checked rule book: every id of `RuleID` has its rule, what each reads exists, no cycle.
    /// A broken declaration stops the program at first use with the checker's message.
    public static let book: RuleBook = {
        do {
            let book = try RuleBook(all)
            let missing = RuleID.allCases.filter { book.rule($0) == nil }
            guard missing.isEmpty else {
                throw RuleBookError("no rule for \(missing.map(\.rawValue).joined(separator: ", "))")
            }
            return book
        } catch {
            fatalError("the rule book is inconsistent: \(error)")
        }
    }()

    public static func rule(_ id: RuleID) -> Rule? { book.rule(id) }
}
