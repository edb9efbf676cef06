import Foundation
import Testing

@testable import FHIR

/// A reader asked to defer resources (`ResourceDeferral`) must be indistinguishable from one that builds them:
/// the same errors, the same warnings in the same order, and — once built on first use — the same model, which
/// writes the same bytes. Deferring every inner resource (`.allExcept([])`) makes every bundle entry and contained
/// resource of the official examples take the deferred path.
@Suite("Deferred resources read as if built")
struct DeferredResourceTests {
    private let everything = ResourceDeferral.allExcept([])

    private let bundle = """
        {"resourceType":"Bundle","type":"collection","entry":[
         {"fullUrl":"urn:uuid:1","resource":{"resourceType":"Patient","id":"p1","gender":"female",
          "birthDate":"1970-01-01"}},
         {"fullUrl":"urn:uuid:2","resource":{"resourceType":"Claim","id":"c1","status":"active",
          "created":"2020-01-01","unknownThing":1,
          "contained":[{"resourceType":"Organization","id":"o1","name":"Acme"}]}},
         {"fullUrl":"urn:uuid:3","resource":{"resourceType":"Observation","status":"final",
          "code":{"text":"pain"},"valueInteger":7}}]}
        """

    private func entryValues(_ bundle: FHIRElement) -> [FHIRValue] {
        bundle.children("entry").compactMap { $0["resource"].first }
    }

    @Test("only the resources of the types not listed are deferred; their type and id are known unbuilt")
    func whatIsDeferred() throws {
        let read = try FHIRJSONReader(deferral: .allExcept(["Patient"])).read(Array(bundle.utf8)).resource
        #expect(read.type == "Bundle")  // the document itself is always built
        let values = entryValues(read)
        guard case .element(let patient) = values[0], case .deferred(let claim) = values[1],
            case .deferred(let observation) = values[2]
        else {
            Issue.record("expected Patient built, Claim and Observation deferred: \(values)")
            return
        }
        #expect(patient.string("id") == "p1")
        #expect(claim.type == "Claim" && claim.id == "c1" && !claim.isBuilt)
        #expect(observation.type == "Observation" && observation.id == nil && !observation.isBuilt)
        // First use builds it, once; the contained resource inside is built with it.
        let built = try #require(values[1].element)
        #expect(claim.isBuilt)
        #expect(built.string("status") == "active")
        #expect(built.children("contained").first?.string("name") == "Acme")
        #expect(values[1].element == built)
    }

    @Test("keys written with escapes are found: the resource's type, and a deferred resource's id")
    func escapedKeys() throws {
        let text = #"""
            {"\u0072esourceType":"Bundle","type":"collection","entry":[{"resource":
             {"resourceType":"Claim","\u0069d":"c\u0031","status":"active"}}]}
            """#
        let read = try FHIRJSONReader(deferral: everything).read(Array(text.utf8)).resource
        #expect(read.type == "Bundle")
        guard case .deferred(let claim)? = entryValues(read).first else {
            Issue.record("expected the Claim deferred")
            return
        }
        #expect(claim.type == "Claim" && claim.id == "c1")
        #expect(claim.element.string("id") == "c1")
    }

    @Test("a deferred bundle equals, hashes and writes as the built one; warnings are the same")
    func sameAsBuilt() throws {
        let bytes = Array(bundle.utf8)
        let built = try FHIRJSONReader().read(bytes)
        let deferred = try FHIRJSONReader(deferral: everything).read(bytes)
        #expect(deferred.warnings == built.warnings)
        #expect(deferred.warnings.map(\.message).contains { $0.contains("unknownThing") })
        // Written before anything is built: the writers build what they write.
        #expect(FHIRJSONWriter().write(deferred.resource) == FHIRJSONWriter().write(built.resource))
        #expect(try FHIRXMLWriter().write(deferred.resource) == FHIRXMLWriter().write(built.resource))
        #expect(deferred.resource == built.resource)
        #expect(Set([deferred.resource, built.resource]).count == 1)
    }

    @Test("an error inside a deferred resource is found at read time, with its place and path")
    func errorsInDeferredResources() throws {
        let bad = bundle.replacingOccurrences(of: "\"status\":\"active\"", with: "\"status\":7")
        let built = readError { try FHIRJSONReader().read(Array(bad.utf8)) }
        let deferred = readError { try FHIRJSONReader(deferral: everything).read(Array(bad.utf8)) }
        #expect(built != nil)
        #expect(deferred == built)
        #expect(deferred?.path?.contains("Claim.status") == true, "\(String(describing: deferred))")
    }

    @Test("many readers building one deferred resource at once get one model")
    func concurrentBuilding() async throws {
        let read = try FHIRJSONReader(deferral: everything).read(Array(bundle.utf8)).resource
        let value = entryValues(read)[1]
        let models = await withTaskGroup(of: FHIRElement?.self) { group in
            for _ in 0..<16 { group.addTask { value.element } }
            return await group.reduce(into: [FHIRElement?]()) { $0.append($1) }
        }
        #expect(models.count == 16)
        #expect(Set(models.compactMap { $0?.storageIdentity }).count == 1, "built once, shared")
        #expect(models.allSatisfy { $0 == models[0] })
    }

    @Test(
        "every official JSON example reads the same deferring every inner resource",
        .enabled(if: Corpus.isAvailable, Corpus.skipMessage))
    func officialExamples() throws {
        let root = try #require(Corpus.root)
        let folder = root.appendingPathComponent("json")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
        var deferredCount = 0
        for name in names.sorted() {
            let bytes = try Corpus.bytes("json/\(name)")
            try expectSameReading(bytes, name, deferredCount: &deferredCount)
        }
        #expect(names.count > 800)
        #expect(deferredCount > 500, "the examples' bundle entries and contained resources took the deferred path")
    }

    @Test(
        "every invalid official case reads the same deferring every inner resource",
        .enabled(if: Corpus.isAvailable, Corpus.skipMessage))
    func invalidCases() throws {
        var deferredCount = 0
        for testCase in Corpus.invalidCases where testCase.file.hasSuffix(".json") {
            let bytes = try Corpus.bytes("invalid/\(testCase.file)")
            try expectSameReading(bytes, testCase.file, deferredCount: &deferredCount)
        }
    }

    /// Same error, or same warnings, same written bytes and the same model.
    private func expectSameReading(_ bytes: [UInt8], _ name: String, deferredCount: inout Int) throws {
        let built: FHIRReadResult
        do {
            built = try FHIRJSONReader().read(bytes)
        } catch {
            #expect(readError { try FHIRJSONReader(deferral: everything).read(bytes) } == error, "\(name)")
            return
        }
        let deferred = try FHIRJSONReader(deferral: everything).read(bytes)
        deferredCount += Self.deferredValues(in: deferred.resource)
        #expect(deferred.warnings == built.warnings, "\(name)")
        #expect(FHIRJSONWriter().write(deferred.resource) == FHIRJSONWriter().write(built.resource), "\(name)")
        #expect(deferred.resource == built.resource, "\(name)")
    }

    /// How many deferred values the element holds, not counting inside them (they are not built by counting).
    private static func deferredValues(in element: FHIRElement) -> Int {
        element.properties.reduce(0) { count, property in
            property.values.reduce(count) { count, value in
                switch value {
                case .deferred: count + 1
                case .element(let child): count + deferredValues(in: child)
                case .primitive, .xhtml: count
                }
            }
        }
    }
}
