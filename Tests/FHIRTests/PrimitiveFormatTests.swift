import Testing

@testable import FHIR

/// Ids and base64 values are checked a table lookup per byte, eight bytes combined per test: every byte value at
/// every position of values up to 20 bytes long gets the answer of the plain definitions.
@Suite("id and base64 formats")
struct PrimitiveFormatTests {
    private static func isIdByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D
            || byte == 0x2E
    }

    private static func isBase64OrSpace(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            || [UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="), 0x20, 0x0A, 0x0D].contains(byte)
    }

    @Test("every byte value at every position, against the definitions")
    func everyByteAtEveryPosition() {
        for length in 1...20 {
            for position in 0..<length {
                for value in 0...255 {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    bytes[position] = UInt8(value)
                    bytes.withUnsafeBufferPointer { buffer in
                        let idProblem = PrimitiveLexical.hasFormatProblem(buffer, check: .id)
                        #expect(idProblem == !Self.isIdByte(UInt8(value)), "id, byte \(value) at \(position)/\(length)")
                        let base64Problem = PrimitiveLexical.hasFormatProblem(buffer, check: .base64)
                        #expect(
                            base64Problem == !Self.isBase64OrSpace(UInt8(value)), "base64, byte \(value) at \(position)"
                        )
                    }
                }
            }
        }
    }

    @Test("an id is 1 to 64 bytes; base64 may be empty or long")
    func lengths() {
        for length in [0, 1, 64, 65, 200] {
            let bytes = [UInt8](repeating: UInt8(ascii: "A"), count: length)
            bytes.withUnsafeBufferPointer { buffer in
                #expect(PrimitiveLexical.hasFormatProblem(buffer, check: .id) == !(1...64).contains(length))
                #expect(!PrimitiveLexical.hasFormatProblem(buffer, check: .base64))
            }
        }
    }
}

/// How JSON writes each R4 primitive type: numbers and booleans bare, everything else quoted.
@Suite("a primitive type's JSON kind")
struct JSONPrimitiveKindTests {
    @Test func everyR4PrimitiveType() {
        let numbers = ["integer", "decimal", "positiveInt", "unsignedInt"]
        let strings = [
            "string", "uri", "url", "canonical", "base64Binary", "instant", "date", "dateTime", "time", "code", "oid",
            "id", "markdown", "uuid", "xhtml",
            // Unknown names of a number's or a boolean's length.
            "integeR", "Decimal", "positiveIn_", "unsignedint", "boolea",
        ]
        #expect(JSONPrimitiveKind(fhirType: "boolean") == .boolean)
        for type in numbers { #expect(JSONPrimitiveKind(fhirType: type) == .number, "\(type)") }
        for type in strings { #expect(JSONPrimitiveKind(fhirType: type) == .string, "\(type)") }
    }
}
