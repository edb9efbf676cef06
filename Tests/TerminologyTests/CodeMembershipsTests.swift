import FHIR
import PainPathTestKit
import Testing

@testable import Terminology

/// The membership table computed at load answers exactly what each value set's own index answers.
@Suite("code memberships: one lookup per coding")
struct CodeMembershipsTests {
    /// Case indexes are checked against `allCases` in `HashedByCaseTests`; here, that they fit the bits.
    @Test func everySetAndClassFitsTheBits() {
        #expect(ValueSetID.allCases.count <= 128)
        #expect(MedicationClass.allCases.count <= 16)
        var all = ValueSetMembership.none
        for id in ValueSetID.allCases {
            var one = ValueSetMembership.none
            one.insert(id)
            #expect(one.contains(id) && !all.intersects(one), "\(id.rawValue) has a bit of its own")
            all.formUnion(one)
        }
    }

    /// Every listed code (a sample of every third), codes reached only through an ICD-10-CM prefix, and
    /// codes nobody lists: the table and the per-set indexes agree for every set and class.
    @Test func theTableAgreesWithEverySetsIndex() {
        let terminology = repositoryTerminology
        var keys = Set<CodeKey>()
        for index in terminology.valueSets.values { keys.formUnion(index.codes) }
        var sample = keys.sorted { $0.description < $1.description }.enumerated().filter { $0.offset % 3 == 0 }.map(
            \.element)
        sample += [
            CodeKey(CodeSystems.icd10cm, "M54.16"), CodeKey(CodeSystems.icd10cm, "m5417"),
            CodeKey(CodeSystems.icd10cm, "M51.26"), CodeKey(CodeSystems.icd10cm, "Z99.99"),
            CodeKey(CodeSystems.snomed, "0000000"), CodeKey("http://example.org/local", "X"),
        ]
        var checked = 0
        for key in sample {
            let membership = terminology.membership(system: key.system, code: key.code)
            for id in ValueSetID.allCases {
                let expected = terminology.valueSet(id)?.contains(key) ?? false
                #expect(membership.contains(id) == expected, "\(key) in \(id.rawValue)")
                checked += 1
            }
            for medicationClass in MedicationClass.allCases {
                let expected = terminology.valueSets[Terminology.url(medicationClass)]?.contains(key) ?? false
                #expect(membership.contains(medicationClass) == expected, "\(key) in \(medicationClass.rawValue)")
            }
        }
        #expect(checked > 10_000, "the sample covers the shipped sets")
        #expect(terminology.membership(system: CodeSystems.icd10cm, code: "M54.16").contains(.radicularPain))
        #expect(terminology.membership(system: CodeSystems.snomed, code: "0000000") == .none)
    }

    /// A key hashes by its code and its system's length: a listed code under another system of the same length (a
    /// local system spelled like SNOMED's) is still a different code, known to nothing.
    @Test func aListedCodeUnderAnotherSystemOfTheSameLengthIsNotAMember() {
        let terminology = repositoryTerminology
        var listed = Set<CodeKey>()
        for index in terminology.valueSets.values { listed.formUnion(index.codes) }
        let sample = listed.sorted { $0.description < $1.description }.enumerated().filter { $0.offset % 25 == 0 }
        var checked = 0
        for (_, key) in sample {
            let lookalike = "urn:" + String(repeating: "x", count: max(0, key.system.utf8.count - 4))
            #expect(lookalike.utf8.count == key.system.utf8.count || key.system.utf8.count < 4)
            #expect(terminology.membership(system: key.system, code: key.code).isKnown, "\(key)")
            #expect(terminology.membership(system: lookalike, code: key.code) == .none, "\(key) under \(lookalike)")
            #expect(CodeKey(key.system, key.code) != CodeKey(lookalike, key.code))
            checked += 1
        }
        #expect(checked > 100)
    }

    /// Asked of the model (no view): the same answer as the union over the views' codings.
    @Test func membershipOnTheModelEqualsMembershipOfTheViews() throws {
        let resource = try FHIRReader().read(
            Array(
                """
                {"resourceType":"Encounter","status":"finished","class":{"code":"AMB"},"type":[
                 {"coding":[{"system":"http://snomed.info/sct","code":"0000000"}]},
                 {"coding":[{"system":"\(CodeSystems.icd10cm)","code":"M54.16"},{"code":"no-system"}],"text":"x"}]}
                """.utf8)
        ).result.resource
        let terminology = repositoryTerminology
        let onModel = terminology.membership(of: resource, property: "type")
        let onViews = terminology.membership(resource.children("type").map(CodeableConcept.init))
        #expect(onModel == onViews)
        #expect(onModel.contains(.radicularPain) && onModel.isKnown)
        #expect(terminology.membership(of: resource, property: "reasonCode") == .none)
    }
}
