/// Building elements in code (the output stage, OperationOutcome): values by type, and properties
/// placed in canonical order by the schema so that built resources write like read ones.
extension FHIRValue {
    public static func primitive(_ type: String, _ value: String) -> FHIRValue {
        .primitive(FHIRPrimitive(type: type, value: value))
    }

    public static func string(_ value: String) -> FHIRValue { .primitive("string", value) }
    public static func code(_ value: String) -> FHIRValue { .primitive("code", value) }
    public static func uri(_ value: String) -> FHIRValue { .primitive("uri", value) }
    public static func integer(_ value: Int) -> FHIRValue { .primitive("integer", String(value)) }
    public static func boolean(_ value: Bool) -> FHIRValue { .primitive("boolean", value ? "true" : "false") }
}

extension FHIRElement {
    /// Sets (replaces) a property, keeping canonical order. An empty `values` removes it.
    /// Names unknown to the schema go last, in the order they were set.
    public mutating func set(_ name: String, _ values: [FHIRValue], schema: FHIRSchema = .r4) {
        set(name, FHIRValues(values), schema: schema)
    }

    /// `set` with the values as the model keeps them: one value is set without an array (the output stage sets
    /// hundreds of single values per bundle, and each array was an allocation made and freed at once).
    /// `values` is consumed: builders pass values made for the call, which are moved in, not copied.
    public mutating func set(_ name: String, _ values: consuming FHIRValues, schema: FHIRSchema = .r4) {
        if let existing = propertyIndex(name) { properties.remove(at: existing) }
        guard !values.isEmpty else { return }
        // The first property of an element has no order to keep: no definition is looked up (builders make
        // many small elements — a Coding, a Reference — property by property).
        guard !properties.isEmpty else {
            // Room for the next few: an array grown one append at a time reallocated at 1, 2 and 4 properties.
            properties.reserveCapacity(4)
            properties.append(FHIRProperty(name: name, values: values))
            return
        }
        // Definitions read without a retain: `schema` holds them for this call.
        let type = schema.unretainedType(named: self.type)
        let rank = { (propertyName: String) -> Int in
            type?._withUnsafeGuaranteedRef { $0.canonicalPosition(of: propertyName) } ?? Int.max
        }
        let newRank = rank(name)
        // Builders mostly set properties in canonical order: then the new one goes last. Only the last one's name
        // is read (`last` copied the whole property, its values with it).
        guard rank(properties[properties.count - 1].name) > newRank else {
            properties.append(FHIRProperty(name: name, values: values))
            return
        }
        let position = properties.firstIndex { rank($0.name) > newRank } ?? properties.endIndex
        properties.insert(FHIRProperty(name: name, values: values), at: position)
    }

    public mutating func set(_ name: String, _ value: FHIRValue, schema: FHIRSchema = .r4) {
        set(name, FHIRValues(value), schema: schema)
    }

    /// Appends one value to a repeating property.
    public mutating func append(_ name: String, _ value: FHIRValue, schema: FHIRSchema = .r4) {
        if let index = properties.firstIndex(where: { $0.name == name }) {
            properties[index].values.append(value)
        } else {
            set(name, [value], schema: schema)
        }
    }

    /// Chaining form of `set`. Consuming: in a chain (`FHIRElement(type:).with(…).with(…)`) each step takes the
    /// element it is given, so its properties are set in place, not copied into a new array at every step.
    public consuming func with(_ name: String, _ values: FHIRValue..., schema: FHIRSchema = .r4) -> FHIRElement {
        var copy = self
        copy.set(name, values, schema: schema)
        return copy
    }
}
