import Foundation
import Testing

@testable import FHIR

/// The JSON reader reads a repeated CodeableConcept, Coding or Reference of a document once and shares it: the model
/// is the one read without sharing, every place still gets its own warnings, a value only checked (in a deferred
/// resource) is built where it must be, and the memo stays bounded.
@Suite("element memo")
struct ElementMemoTests {
    private static let code = #"{"coding":[{"system":"http://loinc.org","code":"72514-3","display":"Pain"}]}"#

    private func bundle(_ resources: [String]) -> [UInt8] {
        let entries = resources.map { #"{"resource":\#($0)}"# }.joined(separator: ",")
        return Array(#"{"resourceType":"Bundle","type":"collection","entry":[\#(entries)]}"#.utf8)
    }

    private func observation(_ id: String, code: String = code) -> String {
        #"{"resourceType":"Observation","id":"\#(id)","status":"final","code":\#(code)}"#
    }

    private func resources(_ bundle: FHIRElement) -> [FHIRElement] {
        bundle.children("entry").compactMap { $0.child("resource") }
    }

    @Test func aRepeatedConceptIsReadOnceAndSharedAndTheModelIsUnchanged() throws {
        let read = try FHIRJSONReader().read(bundle([observation("a"), observation("b")])).resource
        let codes = resources(read).compactMap { $0.child("code") }
        #expect(codes.count == 2)
        #expect(codes[0].storageIdentity != nil && codes[0].storageIdentity == codes[1].storageIdentity)
        // The same content with the second code spaced differently (other bytes, so read apart): an equal model.
        let spaced = Self.code.replacingOccurrences(of: ",", with: ", ")
        let apart = try FHIRJSONReader().read(bundle([observation("a"), observation("b", code: spaced)])).resource
        let apartCodes = resources(apart).compactMap { $0.child("code") }
        #expect(apartCodes[0].storageIdentity != apartCodes[1].storageIdentity)
        #expect(apart == read)
        // And the same as XML reads it (no memo there).
        let xml = try FHIRXMLWriter().write(read)
        #expect(try FHIRXMLReader().read(xml).resource == read)
    }

    @Test func aRepeatedValueWithAWarningWarnsAtEachPlace() throws {
        let odd = #"{"coding":[{"system":"http://loinc.org","code":"72514-3","colour":"blue"}]}"#
        let result = try FHIRJSONReader().read(bundle([observation("a", code: odd), observation("b", code: odd)]))
        let warnings = result.warnings.filter { $0.message.contains("colour") }
        #expect(warnings.count == 2, "\(result.warnings)")
        #expect(Set(warnings.map { $0.path ?? "" }).count == 2, "each warning names its own place")
        let codes = resources(result.resource).compactMap { $0.child("code") }
        #expect(codes.count == 2 && codes[0] == codes[1])
    }

    @Test func aValueOnlyCheckedInADeferredResourceIsBuiltWhereItIsRead() throws {
        // A Claim (deferred: only checked) carries the concept first; the Observation (built) carries it after.
        let claim = #"{"resourceType":"Claim","id":"c","status":"active","type":\#(Self.code)}"#
        let reader = FHIRJSONReader(deferral: .allExcept(["Observation"]))
        let read = try reader.read(bundle([claim, observation("a")])).resource
        let built = resources(read)
        let observationCode = try #require(built.first { $0.type == "Observation" }?.child("code"))
        #expect(observationCode.children("coding").first?.string("code") == "72514-3")
        let alone = try FHIRJSONReader().read(Array(observation("b").utf8)).resource.child("code")
        #expect(observationCode == alone)
        // The deferred Claim builds its own, equal, concept when asked.
        #expect(built.first { $0.type == "Claim" }?.child("type") == observationCode)
    }

    /// Objects shorter than `minimumLength` are read as before, not looked up: cheaper to read than to hash, and the
    /// hash reads eight bytes at a time (an object of two bytes must not make it read before the object).
    @Test func shortValuesAreReadAsBeforeAndNotShared() throws {
        let short = #"{"text":"ab"}"#
        #expect(short.utf8.count < ElementMemo.minimumLength)
        let read = try FHIRJSONReader().read(bundle([observation("a", code: short), observation("b", code: short)]))
        let codes = resources(read.resource).compactMap { $0.child("code") }
        #expect(codes.count == 2 && codes[0] == codes[1] && codes[0].string("text") == "ab")
        #expect(codes[0].storageIdentity != codes[1].storageIdentity)
        let empty = try FHIRJSONReader().read(bundle([observation("c", code: "{}"), observation("d", code: "{}")]))
        #expect(resources(empty.resource).count == 2)
    }

    @Test func aCollidingRunIsBoundedAndValuesPastItAreNotStored() {
        // Values whose hashes all land on one slot (a crafted document): at most `maxProbe` are stored, and every
        // search stops after as many slots.
        var memo = ElementMemo()
        let type = UnsafeMutableRawPointer(bitPattern: 0x1000)!
        for index in 0..<(ElementMemo.maxProbe + 8) {
            memo.store(type: type, start: index, length: 16, hash: 0xABCD_0000_0000_0001, element: nil)
        }
        #expect(memo.storedCount == ElementMemo.maxProbe)
    }

    @Test func onlyEqualBytesOfTheSameTypeAreFound() {
        let value = #"{"code":"a-b-c-d-e-f"}"#
        let other = #"{"code":"a-b-c-d-e-g"}"#
        let document = Array((value + " " + value + " " + other).utf8)
        let length = value.utf8.count
        let coding = UnsafeMutableRawPointer(bitPattern: 0x1000)!
        let concept = UnsafeMutableRawPointer(bitPattern: 0x2000)!
        document.withUnsafeBufferPointer { bytes in
            var memo = ElementMemo()
            let first = memo.find(type: coding, start: 0, length: length, in: bytes)
            #expect(first.index == nil)
            memo.store(type: coding, start: 0, length: length, hash: first.hash, element: FHIRElement(type: "Coding"))
            #expect(memo.find(type: coding, start: length + 1, length: length, in: bytes).index == 0)
            #expect(memo.find(type: concept, start: length + 1, length: length, in: bytes).index == nil, "another type")
            #expect(
                memo.find(type: coding, start: 2 * (length + 1), length: length, in: bytes).index == nil, "other bytes")
        }
    }
}
