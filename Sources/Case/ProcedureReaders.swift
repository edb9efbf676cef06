import FHIR
import Foundation
import Terminology

extension Context {
    static let therapySets: [(ValueSetID, TherapyKind)] = [
        (.physiotherapy, .physiotherapy), (.exerciseTherapy, .exercise), (.psychologicalTherapy, .psychological),
        (.multidisciplinaryRehabilitation, .multidisciplinaryRehabilitation), (.acupuncture, .acupuncture),
        (.spinalManipulation, .spinalManipulation), (.massage, .massage), (.yogaOrTaiChi, .yogaOrTaiChi),
        (.relaxation, .relaxation),
        (.tens, .tens), (.epiduralSteroidInjection, .epiduralSteroidInjection),
        (.medialBranchBlock, .medialBranchBlock),
        (.sacroiliacJointInjection, .sacroiliacJointInjection),
        (.radiofrequencyDenervation, .radiofrequencyDenervation),
        (.spinalSurgery, .spinalSurgery), (.vertebralAugmentation, .vertebralAugmentation), (.scsTrial, .scsTrial),
        (.scsImplant, .scsImplant), (.opioidTaper, .opioidTaper),
    ]
    /// Therapies without a verified code, recognised by the words of their code text or display.
    /// Words that name a therapy itself, for a procedure or request with no coding at all (text
    /// only). An epidural counts as a steroid injection only when a steroid is named: obstetric and
    /// anaesthetic epidurals are not.
    static let therapyWords: [(String, TherapyKind)] = [
        ("mindfulness", .mindfulness), ("yoga", .yogaOrTaiChi), ("tai chi", .yogaOrTaiChi),
        ("epidural steroid", .epiduralSteroidInjection), ("epidural corticosteroid", .epiduralSteroidInjection),
        ("medial branch block", .medialBranchBlock), ("sacroiliac joint injection", .sacroiliacJointInjection),
        ("spinal cord stimulator trial", .scsTrial), ("cognitive behavio", .psychological),
        ("physiotherapy", .physiotherapy), ("physical therapy", .physiotherapy), ("acupuncture", .acupuncture),
        ("tens", .tens),
    ]
    /// Words that make an "epidural" something other than a steroid injection.
    static let notSteroidEpidural = ["anesthe", "anaesthe", "analgesia", "labor", "labour", "obstetric", "delivery"]
    static let guidanceWords = [
        "fluoroscop", "ct-guided", "ct guided", "image-guided", "image guided", "imaging guidance", "ultrasound-guided",
        "ultrasound guided", "under imaging", "with imaging",
    ]

    func words(_ concepts: [CodeableConcept]) -> String {
        concepts.flatMap { [$0.text ?? ""] + $0.codings.map { $0.display ?? "" } }.joined(separator: " ").lowercased()
    }

    /// Therapies are recognised by code (`sets`: the concept's value sets, asked once by the caller); words are read
    /// only when the concept has no coding at all.
    func therapyKinds(_ concept: CodeableConcept?, sets: ValueSetMembership) -> [TherapyKind] {
        guard let concept else { return [] }
        let coded = Self.therapySets.filter { sets.contains($0.0) }.map(\.1)
        if !coded.isEmpty || !concept.codings.isEmpty { return coded }
        let text = " " + (concept.text ?? "").lowercased() + " "
        let found = Self.therapyWords.first { $0.0 == "tens" ? text.includes(" tens ") : text.includes($0.0) }
        guard let found else { return [] }
        if found.1 == .epiduralSteroidInjection, Self.notSteroidEpidural.contains(where: text.includes) { return [] }
        return [found.1]
    }

    func readProceduresAndRequests(_ resources: [FHIRElement], into facts: inout ClinicalCase) {
        for resource in resources where resource.type == "Procedure" || resource.type == "ServiceRequest" {
            let isProcedure = resource.type == "Procedure"
            let status = resource.string("status") ?? "unknown"
            let valid =
                isProcedure
                ? ["completed", "in-progress"].contains(status)
                : ["active", "draft", "on-hold", "completed"].contains(status)
            guard valid, resource.string("doNotPerform") != "true" else { continue }
            let reference = ref(resource)
            let code = resource.concept("code")
            let when =
                date(of: resource.choiceValue(isProcedure ? "performed" : "occurrence"))
                ?? ClinicalDate.parse(resource.string("authoredOn"))
            // The code's value sets, asked once for the questions below (remembered per concept for the bundle: a
            // record repeats its procedures' codes).
            let codeSets = concepts.membership(of: resource, property: "code")
            if codeSets.contains(.opioidRiskAssessment) { facts.opioidRiskAssessments.append(reference) }
            if codeSets.contains(.mriLumbarSpine) {
                let encounter = resource.reference("encounter")?.reference.flatMap {
                    resolver.resolve($0, container: resource)
                }.flatMap(Encounter.init)
                let specialist =
                    encounter.map {
                        terminology.contains(.specialistSetting, $0.serviceType)
                            || terminology.containsAny(.specialistSetting, $0.types)
                    }
                    ?? (facts.setting.value == .specialist)
                facts.imaging.append(
                    ImagingFact(
                        reference: reference, ordered: !isProcedure, date: when,
                        orderedInPrimaryCare: !isProcedure && !specialist,
                        nerveRootCompression: nil))
            }
            if !isProcedure {
                if codeSets.contains(.surgicalReferral) {
                    facts.referrals.append(ReferralFact(kind: .surgical, reference: reference, date: when))
                }
                if codeSets.contains(.specialistReferral) {
                    facts.referrals.append(ReferralFact(kind: .specialist, reference: reference, date: when))
                }
                if codeSets.contains(.multidisciplinaryPainReferral) {
                    facts.referrals.append(ReferralFact(kind: .multidisciplinary, reference: reference, date: when))
                }
            }
            let kinds = therapyKinds(code, sets: codeSets)
            let outcome = kinds.isEmpty ? nil : resource.concept("outcome")
            // The words of the resource are read only for a therapy (most procedures of a record are none).
            let allText =
                kinds.isEmpty
                ? ""
                : words(
                    [code].compactMap { $0 } + resource.concepts("usedCode") + resource.concepts("bodySite")
                        + (outcome.map { [$0] } ?? []))
                    + " "
                    + resource.children("note").compactMap { $0.string("text") }.joined(separator: " ").lowercased()
                    + " " + (resource.string("patientInstruction") ?? "").lowercased()
            for kind in kinds {
                let guided =
                    codeSets.contains(.imageGuidedInjection)
                    || Self.guidanceWords.contains { allText.includes($0) }
                let unsuccessful =
                    outcome?.contains(system: CodeSystems.snomed, code: "385671000") == true
                    || allText.includes("unsuccessful") || allText.includes("no relief") || allText.includes("negative")
                let successful =
                    !unsuccessful
                    && (terminology.contains(.procedureSuccessful, outcome) || allText.includes("successful")
                        || allText.includes("positive") || reliefPercent(allText).map { $0 >= 50 } == true)
                facts.therapies.append(
                    TherapyFact(
                        kind: kind, reference: reference, source: isProcedure ? .procedure : .request, status: status,
                        date: when, imageGuided: guided, successful: successful, unsuccessful: unsuccessful))
            }
        }
    }

    /// The largest "NN %" (or "NN%", "NN.N %") in a lowercased text that also speaks of relief, reduction or
    /// improvement. Read on the text's bytes: a number is ASCII digits and points (`Character.isNumber`, which looked
    /// every character up in the Unicode tables, found other digits only for `Double` to refuse them).
    func reliefPercent(_ text: String) -> Double? {
        guard text.includes("relief") || text.includes("reduction") || text.includes("improvement") else { return nil }
        var text = text
        return text.withUTF8 { bytes in
            func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
            var best: Double?
            var index = 0
            while index < bytes.count {
                guard isDigit(bytes[index]) else {
                    index += 1
                    continue
                }
                var end = index
                while end < bytes.count, isDigit(bytes[end]) || bytes[end] == UInt8(ascii: ".") { end += 1 }
                var after = end
                while after < bytes.count, bytes[after] == UInt8(ascii: " ") { after += 1 }
                if after < bytes.count, bytes[after] == UInt8(ascii: "%"),
                    let value = Double(String(decoding: bytes[index..<end], as: UTF8.self))
                {
                    best = max(best ?? 0, value)
                }
                index = end
            }
            return best
        }
    }

    func readImaging(_ resources: [FHIRElement], into facts: inout ClinicalCase) {
        for resource in resources {
            switch resource.type {
            case "ImagingStudy":
                guard let study = ImagingStudy(resource), study.status != "entered-in-error",
                    study.status != "cancelled",
                    terminology.containsAny(.mriLumbarSpine, study.procedureCodes)
                else { continue }
                facts.imaging.append(
                    ImagingFact(
                        reference: ref(resource), ordered: false, date: ClinicalDate.parse(study.started),
                        orderedInPrimaryCare: false, nerveRootCompression: nil))
            case "DiagnosticReport":
                guard let report = DiagnosticReport(resource), report.status != "entered-in-error",
                    report.status != "cancelled",
                    terminology.contains(.mriLumbarSpine, report.code)
                else { continue }
                let text = ((report.conclusion ?? "") + " " + words(report.conclusionCodes)).lowercased()
                facts.imaging.append(
                    ImagingFact(
                        reference: ref(resource), ordered: false,
                        date: date(of: report.effective) ?? ClinicalDate.parse(report.issued),
                        orderedInPrimaryCare: false, nerveRootCompression: Self.nerveRootCompression(text)))
            default:
                continue
            }
        }
    }

    /// Reads a report conclusion: true when it reports nerve-root compression, false when it says there is none.
    static func nerveRootCompression(_ text: String) -> Bool? {
        let negatives = [
            "no nerve root compression", "without nerve root compression", "no neural compression",
            "no nerve root impingement",
            "no compression", "no root compression", "nerve roots are free", "no evidence of nerve root",
            "no significant nerve root",
            "no neural foraminal", "without neural compromise", "no neural compromise",
        ]
        if negatives.contains(where: text.includes) { return false }
        let positives = [
            "nerve root compression", "root compression", "nerve root impingement", "impinging", "compresses the",
            "compressing the",
            "impingement", "compression of the", "displacing the", "contacting the traversing", "neural compromise",
        ]
        if positives.contains(where: text.includes) { return true }
        return nil
    }
}
