import Testing

@testable import FHIR

/// The byte tables the reader, writers and builders look names up in answer exactly as the schema's
/// dictionaries do, for every type and every property name of R4 (thousands of names, so collisions and
/// probing are exercised), and answer nil for names R4 does not have.
@Suite("name tables")
struct NameTableTests {
    @Test func everyTypeAndPropertyNameResolvesAsInTheDictionaries() {
        let schema = FHIRSchema.r4
        var names = 0
        for (typeName, type) in schema.types {
            #expect(schema.type(named: typeName) === type, "\(typeName)")
            for (name, property) in type.propertyNames {
                names += 1
                #expect(type.property(name) === property, "\(typeName).\(name)")
                let byBytes = Array(name.utf8).withUnsafeBufferPointer { type.property(bytes: $0) }
                #expect(byBytes === property, "\(typeName).\(name) by bytes")
            }
        }
        #expect(names > 5_000)
    }

    @Test func everyPropertyKnowsItsValueType() {
        let schema = FHIRSchema.r4
        for type in schema.types.values {
            for property in type.propertyNames.values {
                if property.type == "Resource" {
                    #expect(property.valueType == nil, "\(type.name).\(property.name)")
                } else {
                    #expect(property.valueType === schema.type(named: property.type), "\(type.name).\(property.name)")
                    #expect(property.valueType != nil, "\(type.name).\(property.name): \(property.type)")
                }
            }
        }
    }

    @Test func namesR4DoesNotHaveAreNil() {
        let observation = FHIRSchema.r4.type(named: "Observation")!
        for name in ["", "valueQuantit", "valueQuantityX", "ValueQuantity", "value", "_value", "résumé"] {
            #expect(observation.property(name) == nil, "\(name)")
        }
        #expect(FHIRSchema.r4.type(named: "Observatio") == nil && FHIRSchema.r4.type(named: "") == nil)
        #expect(!FHIRSchema.r4.isResourceType("Resource") && FHIRSchema.r4.isResourceType("Observation"))
    }

    /// Names are compared a word at a time: a name with any one byte changed, one byte longer or one shorter (at
    /// either end), is not found unless it is itself a name — at every position of every property name of R4.
    @Test func everyNearMissOfEveryNameIsNotFound() {
        let schema = FHIRSchema.r4
        var misses = 0
        for type in schema.types.values {
            let names = Set(type.propertyNames.keys)
            for name in names {
                let bytes = Array(name.utf8)
                var variants: [[UInt8]] = [bytes + [UInt8(ascii: "x")], [UInt8(ascii: "x")] + bytes]
                if bytes.count > 1 { variants += [Array(bytes.dropLast()), Array(bytes.dropFirst())] }
                for position in bytes.indices {
                    var changed = bytes
                    changed[position] ^= 0x01
                    variants.append(changed)
                }
                for variant in variants where !names.contains(String(decoding: variant, as: UTF8.self)) {
                    misses += 1
                    let found = variant.withUnsafeBufferPointer { type.property(bytes: $0) }
                    #expect(found == nil, "\(type.name): \(String(decoding: variant, as: UTF8.self))")
                }
            }
        }
        #expect(misses > 50_000)
    }
}
