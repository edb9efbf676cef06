import FHIR
import Terminology

/// What was computed of a concept element, remembered for the bundle being read: a record repeats its concepts (a
/// lab code over years, a medicine re-ordered monthly), and the reader's element memo makes a repeated concept share
/// its storage.
///
/// Keyed by the concept's storage identity, with a copy of the concept kept beside its value: while the copy is held
/// no other element can have that storage, and the concept cannot change under the key. An element without
/// properties has no identity; its value is made each time.
final class ConceptMemo<Value> {
    /// Unchecked: only this class's methods touch it, none while another is in it; the dynamic exclusivity check
    /// of a class's stored property was a tenth of the lookup.
    @exclusivity(unchecked)
    private var remembered: [StorageKey: (concept: FHIRElement, value: Value)] = [:]

    /// `expected`: room made at once (growing the table from empty rehashed it a dozen times on a long record).
    init(expected: Int = 0) { remembered.reserveCapacity(expected) }

    /// How many concepts are remembered (tests).
    var count: Int { remembered.count }

    /// `make()`'s value for this concept, made once per concept storage.
    func value(of concept: FHIRElement, make: () -> Value) -> Value {
        guard let identity = concept.storageIdentity else { return make() }
        if let found = remembered[StorageKey(identity)] { return found.value }
        let value = make()
        remembered[StorageKey(identity)] = (concept, value)
        return value
    }
}

/// A storage identity as a dictionary key, hashed by `fibonacciHash` (as `HashedByCase` is): an address hashed by the
/// seeded SipHasher cost about 90 instructions a lookup, and the memo is asked for every concept the case stage
/// reads. Addresses come from the allocator, not from the input: no key is chosen by it.
struct StorageKey: Hashable {
    let address: UnsafeRawPointer

    init(_ address: UnsafeRawPointer) { self.address = address }

    func hash(into hasher: inout Hasher) { hasher.combine(address) }

    func _rawHashValue(seed: Int) -> Int {
        fibonacciHash(UInt64(UInt(bitPattern: address)), seed: seed)
    }
}

/// The value sets of the concepts asked of the model, remembered for the bundle being read: an Observation's
/// code is asked by the observation reader, the opioid-safety reader and the unmatched-code report, and its
/// codings' lookups were a tenth of the case stage on a Synthea record.
final class ConceptMemberships {
    private let terminology: Terminology
    private let memo: ConceptMemo<ValueSetMembership>

    /// `expectedConcepts`: about one concept per resource is asked.
    init(terminology: Terminology, expectedConcepts: Int = 0) {
        self.terminology = terminology
        memo = ConceptMemo(expected: expectedConcepts)
    }

    /// The union over the codings of one CodeableConcept element.
    func membership(conceptElement concept: FHIRElement) -> ValueSetMembership {
        memo.value(of: concept) { terminology.membership(conceptElement: concept) }
    }

    /// How many concepts are remembered (tests).
    var rememberedCount: Int { memo.count }

    /// The union over the CodeableConcepts of a property (one or repeating) of an element.
    func membership(of element: FHIRElement, property name: String) -> ValueSetMembership {
        var union = ValueSetMembership.none
        element.forEachElement(of: name) { union.formUnion(membership(conceptElement: $0)) }
        return union
    }
}

/// Whether a medicine's label names a member of a value set in words (a display of the set is in it), remembered
/// per label for the bundle: a record's monthly re-orders repeat their label, and each ask searches the label
/// for the displays of the set (150 for the anticoagulants; see `DisplayNames`).
final class LabelMatches {
    private let terminology: Terminology
    private var remembered: [ValueSetID: [String: Bool]] = [:]

    init(terminology: Terminology) { self.terminology = terminology }

    /// How many labels are remembered (tests).
    var rememberedCount: Int { remembered.values.reduce(0) { $0 + $1.count } }

    /// `lowercasedLabel` lowercased already (the displays are).
    func label(_ lowercasedLabel: String, namesAMemberOf valueSet: ValueSetID) -> Bool {
        if let known = remembered[valueSet]?[lowercasedLabel] { return known }
        let names = terminology.namesAMember(of: valueSet, in: lowercasedLabel)
        remembered[valueSet, default: [:]][lowercasedLabel] = names
        return names
    }
}

/// Medicines recognised by their RxNorm-style name, remembered per concept for the bundle: a record re-orders
/// the same product month after month, and each reading of its name (lowercasing, splitting, numbers) cost
/// more than all the rest of the order.
final class RecognisedMedicines {
    private let terminology: Terminology
    private var remembered: [CodeableConcept: RecognisedMedicine?] = [:]

    init(terminology: Terminology) { self.terminology = terminology }

    /// How many concepts are remembered (tests).
    var rememberedCount: Int { remembered.count }

    /// `Terminology.recognise`, once per distinct concept.
    func recognise(_ concept: CodeableConcept?) -> RecognisedMedicine? {
        guard let concept else { return nil }
        if let known = remembered[concept] { return known }
        let recognised = terminology.recognise(concept)
        remembered[concept] = .some(recognised)
        return recognised
    }
}
