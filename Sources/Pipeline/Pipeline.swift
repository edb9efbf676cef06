import Case
import FHIR
import Foundation
import Guideline
import Output
import Terminology

/// The whole pipeline of DESIGN.md, bytes → bytes: read (FHIR) → case (Case) → rules (Guideline)
/// → bundle (Output) → encoding. Pure given its inputs (the clock is used only when the bundle
/// carries no time and no `now` is given). Shared by `painpath evaluate` and `painpathd`.
public struct Pipeline: Sendable {
    public let terminology: Terminology
    public var limits: FHIRReadLimits
    public var defaultSetting: ClinicalCase.CareSetting
    public var output: OutputOptions
    public var clock: @Sendable () -> Date
    /// Medication products remembered across the bundles this pipeline reads (they depend on the terminology).
    public let medicationProducts = MedicationProductCache()

    public init(
        terminology: Terminology, limits: FHIRReadLimits = .default,
        defaultSetting: ClinicalCase.CareSetting = .primary,
        output: OutputOptions = OutputOptions(), clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.terminology = terminology
        self.limits = limits
        self.defaultSetting = defaultSetting
        self.output = output
        self.clock = clock
    }

    /// The case and the guideline's verdict, without the output bundle (`painpath explain`).
    public func evaluate(_ bytes: [UInt8], now: Date? = nil) throws(FHIRReadError) -> Evaluation {
        // Resources of types the case stage does not read are checked now and built only if something asks.
        let (read, format) = try FHIRReader(limits: limits, deferral: Self.deferral).read(bytes)
        let facts: ClinicalCase
        do {
            facts = try CaseBuilder(
                terminology: terminology, options: CaseOptions(now: now, defaultSetting: defaultSetting, clock: clock),
                products: medicationProducts
            )
            .build(bundle: read.resource)
        } catch {
            throw FHIRReadError(.structure, error.description)
        }
        let result = GuidelineEngine().evaluate(facts)
        return Evaluation(facts: facts, result: result, inputFormat: format, warnings: read.warnings)
    }

    /// Bytes in, the encoded recommendation bundle out; a bad input throws the error its
    /// OperationOutcome describes (`PipelineFailure.outcome`).
    /// `digest`: the input's SHA-256 when the caller hashed it while reading (the daemon does).
    public func run(_ bytes: [UInt8], now: Date? = nil, digest known: String? = nil) throws(PipelineFailure)
        -> Recommendation
    {
        do {
            let evaluation = try evaluate(bytes, now: now)
            let digest = known ?? SHA256.hex(bytes)
            let bundle = RecommendationBundleBuilder(options: output, profilesDigest: terminology.digest)
                .build(facts: evaluation.facts, result: evaluation.result, inputSHA256: digest)
            let format = output.format ?? evaluation.inputFormat
            let encoded = try FHIRWriter(pretty: output.pretty).write(bundle, as: format)
            return Recommendation(
                evaluation: evaluation, bundle: bundle, bytes: encoded, format: format, inputSHA256: digest)
        } catch {
            throw PipelineFailure(error: error)
        }
    }

    /// What the pipeline's reader defers: every resource type the case stage does not read.
    public static let deferral = ResourceDeferral.allExcept(CaseBuilder.resourceTypesRead)

    public struct Evaluation: Sendable {
        public let facts: ClinicalCase
        public let result: GuidelineResult
        public let inputFormat: FHIRFormat
        /// What was read leniently (unknown elements, odd ids): for the log and `validate`.
        public let warnings: [FHIRReadWarning]
    }

    public struct Recommendation: Sendable {
        public let evaluation: Evaluation
        public let bundle: FHIRElement
        public let bytes: [UInt8]
        public let format: FHIRFormat
        public let inputSHA256: String
    }
}

/// A bad input: the error, and the OperationOutcome (JSON) that says what and where.
public struct PipelineFailure: Error, Sendable, CustomStringConvertible {
    public let error: FHIRReadError
    public init(error: FHIRReadError) { self.error = error }
    public var outcome: FHIRElement { OperationOutcomeBuilder.outcome(error: error) }
    public var outcomeJSON: [UInt8] { FHIRJSONWriter().write(outcome) }
    public var description: String { error.description }
}
