/// Typed views of the datatypes the engine reads and writes. A view reads from the model and
/// builds back into it (`element`); nothing is lost because the model stays the source of truth.

/// Reading helpers on the model, used by every view.
extension FHIRElement {
    /// The lexical value of a single primitive property.
    @inlinable
    public func string(_ name: String) -> String? {
        guard let index = propertyIndex(name) else { return nil }
        return properties[index].values.firstPrimitiveValue
    }

    /// Whether a property has a value (`answer.has("item")`), without copying its values.
    @inlinable
    public func has(_ name: String) -> Bool {
        guard let index = propertyIndex(name) else { return false }
        return !properties[index].values.isEmpty
    }

    /// The lexical values of a repeating primitive property (values without a lexical form skipped).
    public func strings(_ name: String) -> [String] { self[name].compactMap { $0.primitive?.value } }

    /// Calls `body` with each element of a complex property in place (see `FHIRValues.forEachElement`).
    @inlinable
    public func forEachElement(of name: String, _ body: (FHIRElement) -> Void) {
        guard let index = propertyIndex(name) else { return }
        properties[index].values.forEachElement(body)
    }

    /// The lexical value of a primitive of a single complex property (`string("period", "start")`), read in place:
    /// `child("period")?.string("start")` copied the period to ask it one thing.
    @inlinable
    public func string(_ child: String, _ name: String) -> String? {
        guard let index = propertyIndex(child) else { return nil }
        return properties[index].values.withFirstElement { $0.string(name) } ?? nil
    }

    /// `body` applied in place to the single element of a complex property (a deferred resource built), nil when
    /// there is none: `child(name)` returns a copy, retained and released to be asked one thing.
    @inlinable
    public func withChild<Result>(_ name: String, _ body: (FHIRElement) -> Result) -> Result? {
        guard let index = propertyIndex(name) else { return nil }
        return properties[index].values.withFirstElement(body)
    }

    /// How many values of a primitive property have a lexical form: `strings(name).count` without the array.
    public func lexicalValueCount(_ name: String) -> Int {
        guard let index = propertyIndex(name) else { return 0 }
        return properties[index].values.lexicalCount
    }

    /// The single element of a complex property.
    public func child(_ name: String) -> FHIRElement? {
        guard let index = propertyIndex(name) else { return nil }
        return properties[index].values.first?.element  // a deferred resource built on first use
    }

    /// The elements of a repeating complex property.
    public func children(_ name: String) -> [FHIRElement] { self[name].compactMap(\.element) }

    /// A choice element (`value[x]`) by its base name: its concrete type and value. Only a property named
    /// `<baseName><Type>` is looked up in the definitions (this runs for every dated resource).
    public func choiceValue(_ baseName: String, schema: FHIRSchema = .r4) -> ChoiceValue? {
        // Names compared on their bytes (`isPrefix`, as `beginsWith`), the base's bytes taken once.
        baseName.withUTF8Bytes { base in
            for index in properties.indices
            where properties[index].name.withUTF8Bytes({ Self.namesAChoice($0, of: base) }) {
                guard let valueType = schema.choiceType(of: type, property: properties[index].name, base: baseName),
                    let value = properties[index].values.first
                else { continue }
                return ChoiceValue(type: valueType, value: value)
            }
            return nil
        }
    }

    /// Whether a property name is `<base><Type>`: the base, then an upper-case letter.
    @inline(__always)
    static func namesAChoice(_ name: UnsafeBufferPointer<UInt8>, of base: UnsafeBufferPointer<UInt8>) -> Bool {
        guard name.count > base.count, String.isPrefix(base, of: name) else { return false }
        let next = name[base.count]
        return next >= UInt8(ascii: "A") && next <= UInt8(ascii: "Z")
    }
}

extension Optional where Wrapped == String {
    fileprivate var primitiveValues: [FHIRValue] { self.map { [.string($0)] } ?? [] }
}

/// The value of a choice element with its concrete type (`valueQuantity` → type `Quantity`).
public struct ChoiceValue: Hashable, Sendable {
    public let type: String
    public let value: FHIRValue

    public var text: String? { value.primitive?.value }
    public var quantity: Quantity? {
        switch type {
        case "Quantity", "Age", "Duration", "Distance", "Count": value.element.map(Quantity.init)
        default: nil
        }
    }
    /// The number of a Quantity value (`quantity?.number` without reading its unit, system and code).
    public var quantityNumber: Double? {
        guard type == "Quantity", case .element(let element) = value else { return nil }
        return element.string("value").flatMap(Double.init(fhirNumber:))
    }
    public var codeableConcept: CodeableConcept? {
        type == "CodeableConcept" ? value.element.map(CodeableConcept.init) : nil
    }
    public var period: Period? { type == "Period" ? value.element.map(Period.init) : nil }
    public var reference: Reference? { type == "Reference" ? value.element.map(Reference.init) : nil }
    public var coding: Coding? { type == "Coding" ? value.element.map(Coding.init) : nil }
}

public struct Coding: Hashable, Sendable {
    public var system: String?
    public var version: String?
    public var code: String?
    public var display: String?

    public init(system: String?, code: String?, display: String? = nil, version: String? = nil) {
        self.system = system
        self.code = code
        self.display = display
        self.version = version
    }

    /// Read in one pass over the coding's properties (four lookups scanned them four times; the case stage reads a
    /// coding of nearly every concept it reads).
    public init(_ element: FHIRElement) {
        element.properties.withUnsafeBufferPointer { properties in
            for index in properties.indices {
                let name = properties[index].name
                switch name.utf8.count {
                case 4 where name == "code": code = properties[index].values.firstPrimitiveValue
                case 6 where name == "system": system = properties[index].values.firstPrimitiveValue
                case 7 where name == "version": version = properties[index].values.firstPrimitiveValue
                case 7 where name == "display": display = properties[index].values.firstPrimitiveValue
                default: continue
                }
            }
        }
    }

    /// Built in the definitions' order (system, version, code, display) without looking it up: the output builds
    /// these by the hundred. `ViewElementOrderTests` checks the order against `set`.
    public var element: FHIRElement {
        var properties: [FHIRProperty] = []
        properties.reserveCapacity(4)
        if let system { properties.append(FHIRProperty(name: "system", values: FHIRValues(.uri(system)))) }
        if let version { properties.append(FHIRProperty(name: "version", values: FHIRValues(.string(version)))) }
        if let code { properties.append(FHIRProperty(name: "code", values: FHIRValues(.code(code)))) }
        if let display { properties.append(FHIRProperty(name: "display", values: FHIRValues(.string(display)))) }
        return FHIRElement(type: "Coding", properties: properties)
    }
}

public struct CodeableConcept: Hashable, Sendable {
    public var codings: [Coding]
    public var text: String?

    public init(codings: [Coding], text: String? = nil) {
        self.codings = codings
        self.text = text
    }

    public init(_ element: FHIRElement) {
        var codings: [Coding] = []
        element.forEachElement(of: "coding") { codings.append(Coding($0)) }  // one array, not three
        self.codings = codings
        text = element.string("text")
    }

    /// True when any coding has this system and code.
    public func contains(system: String, code: String) -> Bool {
        codings.contains { $0.system == system && $0.code == code }
    }

    /// Built in the definitions' order (coding, text), as `Coding.element`.
    public var element: FHIRElement {
        var properties: [FHIRProperty] = []
        properties.reserveCapacity(2)
        if !codings.isEmpty {
            properties.append(FHIRProperty(name: "coding", values: FHIRValues(codings.map { .element($0.element) })))
        }
        if let text { properties.append(FHIRProperty(name: "text", values: FHIRValues(.string(text)))) }
        return FHIRElement(type: "CodeableConcept", properties: properties)
    }
}

public struct Reference: Hashable, Sendable {
    public var reference: String?
    public var type: String?
    public var display: String?

    public init(reference: String?, type: String? = nil, display: String? = nil) {
        self.reference = reference
        self.type = type
        self.display = display
    }

    public init(_ element: FHIRElement) {
        reference = element.string("reference")
        type = element.string("type")
        display = element.string("display")
    }

    /// Built in the definitions' order (reference, type, display), as `Coding.element`.
    public var element: FHIRElement {
        var properties: [FHIRProperty] = []
        properties.reserveCapacity(3)
        if let reference { properties.append(FHIRProperty(name: "reference", values: FHIRValues(.string(reference)))) }
        if let type { properties.append(FHIRProperty(name: "type", values: FHIRValues(.uri(type)))) }
        if let display { properties.append(FHIRProperty(name: "display", values: FHIRValues(.string(display)))) }
        return FHIRElement(type: "Reference", properties: properties)
    }
}

extension Double {
    /// A number of FHIR text (a decimal or integer's lexical form): `Double(text)`, with whole numbers of up to 15
    /// digits read from their digits (exact, so the same value) — doses, frequencies and most observation values
    /// are, and the general parse cost more than the rest of reading them.
    public init?(fhirNumber text: String) {
        let whole: Double? =
            text.utf8.withContiguousStorageIfAvailable { bytes -> Double? in
                let negative = bytes.first == UInt8(ascii: "-")
                let digits = negative ? UnsafeBufferPointer(rebasing: bytes.dropFirst()) : bytes
                guard !digits.isEmpty, digits.count <= 15 else { return nil }
                var value: Int64 = 0
                for byte in digits {
                    guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                    value = value * 10 + Int64(byte - UInt8(ascii: "0"))
                }
                return negative ? -Double(value) : Double(value)
            } ?? nil
        if let whole {
            self = whole
        } else if let parsed = Double(text) {
            self = parsed
        } else {
            return nil
        }
    }
}

/// A quantity; `value` keeps the exact decimal text, `number` is its value as a Double.
public struct Quantity: Hashable, Sendable {
    public var value: String?
    public var comparator: String?
    public var unit: String?
    public var system: String?
    public var code: String?

    public init(
        value: String?, unit: String? = nil, system: String? = nil, code: String? = nil, comparator: String? = nil
    ) {
        self.value = value
        self.unit = unit
        self.system = system
        self.code = code
        self.comparator = comparator
    }

    /// Read in one pass over the quantity's properties, as `Coding` is (five lookups scanned them five times; every
    /// observation value and every dose is a Quantity).
    public init(_ element: FHIRElement) {
        element.properties.withUnsafeBufferPointer { properties in
            for index in properties.indices {
                let name = properties[index].name
                switch name.utf8.count {
                case 4 where name == "code": code = properties[index].values.firstPrimitiveValue
                case 4 where name == "unit": unit = properties[index].values.firstPrimitiveValue
                case 5 where name == "value": value = properties[index].values.firstPrimitiveValue
                case 6 where name == "system": system = properties[index].values.firstPrimitiveValue
                case 10 where name == "comparator": comparator = properties[index].values.firstPrimitiveValue
                default: continue
                }
            }
        }
    }

    public var number: Double? { value.flatMap(Double.init(fhirNumber:)) }

    public func element(type: String = "Quantity") -> FHIRElement {
        var element = FHIRElement(type: type)
        element.set("value", value.map { [.primitive("decimal", $0)] } ?? [])
        element.set("comparator", comparator.map { [.code($0)] } ?? [])
        element.set("unit", unit.primitiveValues)
        element.set("system", system.map { [.uri($0)] } ?? [])
        element.set("code", code.map { [.code($0)] } ?? [])
        return element
    }
}

public struct Period: Hashable, Sendable {
    public var start: String?
    public var end: String?

    public init(start: String?, end: String?) {
        self.start = start
        self.end = end
    }

    public init(_ element: FHIRElement) {
        start = element.string("start")
        end = element.string("end")
    }

    /// Built in the definitions' order (start, end), as `Coding.element`.
    public var element: FHIRElement {
        var properties: [FHIRProperty] = []
        properties.reserveCapacity(2)
        if let start {
            properties.append(FHIRProperty(name: "start", values: FHIRValues(.primitive("dateTime", start))))
        }
        if let end { properties.append(FHIRProperty(name: "end", values: FHIRValues(.primitive("dateTime", end)))) }
        return FHIRElement(type: "Period", properties: properties)
    }
}

public struct Annotation: Hashable, Sendable {
    public var text: String
    public var time: String?

    public init(text: String, time: String? = nil) {
        self.text = text
        self.time = time
    }

    public init?(_ element: FHIRElement) {
        guard let text = element.string("text") else { return nil }
        self.text = text
        time = element.string("time")
    }

    /// Built in the definitions' order (time, text), as `Coding.element`.
    public var element: FHIRElement {
        var properties: [FHIRProperty] = []
        properties.reserveCapacity(2)
        if let time { properties.append(FHIRProperty(name: "time", values: FHIRValues(.primitive("dateTime", time)))) }
        properties.append(FHIRProperty(name: "text", values: FHIRValues(.primitive("markdown", text))))
        return FHIRElement(type: "Annotation", properties: properties)
    }
}

/// The parts of a Dosage the engine uses: the text, one dose quantity, and the timing's repeat.
public struct Dosage: Hashable, Sendable {
    public var text: String?
    public var asNeeded: Bool?
    public var route: CodeableConcept?
    public var dose: Quantity?
    /// Timing.repeat: `frequency` times per `period` `periodUnit` (s, min, h, d, wk, mo, a).
    public var frequency: Int?
    public var period: String?
    public var periodUnit: String?
    public var sequence: Int?

    public init(
        text: String?, dose: Quantity? = nil, frequency: Int? = nil, period: String? = nil, periodUnit: String? = nil,
        asNeeded: Bool? = nil, route: CodeableConcept? = nil, sequence: Int? = nil
    ) {
        self.text = text
        self.dose = dose
        self.frequency = frequency
        self.period = period
        self.periodUnit = periodUnit
        self.asNeeded = asNeeded
        self.route = route
        self.sequence = sequence
    }

    public init(_ element: FHIRElement) {
        text = element.string("text")
        sequence = element.string("sequence").flatMap { Int($0) }
        asNeeded = element.string("asNeededBoolean").map { $0 == "true" }
        route = element.child("route").map(CodeableConcept.init)
        dose = element.children("doseAndRate").lazy.compactMap { $0.child("doseQuantity") }.first.map(Quantity.init)
        let repeatElement = element.child("timing")?.child("repeat")
        frequency = repeatElement?.string("frequency").flatMap { Int($0) }
        period = repeatElement?.string("period")
        periodUnit = repeatElement?.string("periodUnit")
    }

    public var element: FHIRElement {
        var element = FHIRElement(type: "Dosage")
        element.set("sequence", sequence.map { [.integer($0)] } ?? [])
        element.set("text", text.primitiveValues)
        if frequency != nil || period != nil {
            var repeatElement = FHIRElement(type: "Timing.repeat")
            repeatElement.set("frequency", frequency.map { [.primitive("positiveInt", String($0))] } ?? [])
            repeatElement.set("period", period.map { [.primitive("decimal", $0)] } ?? [])
            repeatElement.set("periodUnit", periodUnit.map { [.code($0)] } ?? [])
            element.set("timing", .element(FHIRElement(type: "Timing").with("repeat", .element(repeatElement))))
        }
        element.set("asNeededBoolean", asNeeded.map { [.boolean($0)] } ?? [])
        element.set("route", route.map { [.element($0.element)] } ?? [])
        if let dose {
            element.set(
                "doseAndRate",
                .element(
                    FHIRElement(type: "Dosage.doseAndRate")
                        .with("doseQuantity", .element(dose.element(type: "Quantity")))))
        }
        return element
    }
}
