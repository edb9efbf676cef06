import FHIR

/// Every rule id of GUIDELINE.md, in the order of the document. The raw values are the output
/// contract (ActivityDefinition canonicals, DetectedIssue codes); they are written here and nowhere
/// else in the code.
public enum RuleID: String, HashedByCase, Sendable, Comparable {
    // §2.1 Stratification and self-management
    case patientEducation = "patient-education"
    case startBackScreen = "startback-screen"
    case selfManagement = "self-management"
    case referPhysiotherapy = "refer-physiotherapy"
    case referPhysiotherapyBiopsychosocial = "refer-physiotherapy-biopsychosocial"
    // §2.2 Referral timing
    case referSpecialistUrgent = "refer-specialist-urgent"
    case referSurgicalUrgent = "refer-surgical-urgent"
    case referSpecialistRoutine = "refer-specialist-routine"
    case referMultidisciplinaryPain = "refer-multidisciplinary-pain"
    case specialistBiopsychosocialAssessment = "specialist-biopsychosocial-assessment"
    // §2.3 Medicines
    case startGabapentinoid = "start-gabapentinoid"
    case startSodiumChannelAnticonvulsant = "start-sodium-channel-anticonvulsant"
    case startSNRIOrTCA = "start-snri-or-tca"
    case startDuloxetine = "start-duloxetine"
    case titrateDuloxetine = "titrate-duloxetine"
    case optimizeNSAID = "optimize-nsaid"
    case topicalAgent = "topical-agent"
    case startTramadol = "start-tramadol"
    case opioidRiskAssessment = "opioid-risk-assessment"
    case opioidTrialLastResort = "opioid-trial-last-resort"
    case muscleRelaxantShortCourse = "muscle-relaxant-short-course"
    // §2.4 Non-pharmacological therapy
    case exerciseTherapy = "exercise-therapy"
    case cognitiveBehaviouralTherapy = "cognitive-behavioural-therapy"
    case multidisciplinaryRehabilitation = "multidisciplinary-rehabilitation"
    case acupuncture
    case mindfulnessStressReduction = "mindfulness-stress-reduction"
    case yogaOrTaiChi = "yoga-or-tai-chi"
    case spinalManipulation = "spinal-manipulation"
    case massage
    case progressiveRelaxation = "progressive-relaxation"
    case tens
    // §2.5 Interventional and surgical
    case epiduralSteroidInjection = "epidural-steroid-injection"
    case vertebralAugmentation = "vertebral-augmentation"
    case spinalCordStimulationTrial = "spinal-cord-stimulation-trial"
    case radiofrequencyDenervation = "radiofrequency-denervation"
    case sacroiliacRadiofrequency = "sacroiliac-radiofrequency"
    case surgicalConsultation = "surgical-consultation"
    case mriLumbarSpine = "mri-lumbar-spine"
    // §2.6 Monitoring
    case reassessPainAndFunction = "reassess-pain-and-function"
    case baselineOutcomeMeasures = "baseline-outcome-measures"
    case medicationMonitoringPlan = "medication-monitoring-plan"
    case functionalGoals = "functional-goals"
    // §2.7 Opioid safety
    case naloxoneOffer = "naloxone-offer"
    case pdmpReview = "pdmp-review"
    case urineDrugTesting = "urine-drug-testing"
    case opioidTreatmentAgreement = "opioid-treatment-agreement"
    case moudOffer = "moud-offer"
    // §3 Warnings
    case benzodiazepineForPain = "benzodiazepine-for-pain"
    case systemicCorticosteroidForBackPain = "systemic-corticosteroid-for-back-pain"
    case opioidFirstLine = "opioid-first-line"
    case opioidExtendedReleaseStart = "opioid-extended-release-start"
    case opioidHighDose = "opioid-high-dose"
    case opioidBenzodiazepine = "opioid-benzodiazepine"
    case opioidWithSubstanceUseDisorder = "opioid-with-substance-use-disorder"
    case opioidWithoutFunctionalGain = "opioid-without-functional-gain"
    case analgesicMonotherapyNeuropathic = "analgesic-monotherapy-neuropathic"
    case acetaminophenMonotherapy = "acetaminophen-monotherapy"
    case ineffectiveMedicationContinued = "ineffective-medication-continued"
    case medicationsWithoutNonPharmacological = "medications-without-nonpharmacological"
    case referralOverdue = "referral-overdue"
    case repeatedPrimaryCareAssessments = "repeated-primary-care-assessments"
    case injectionWithoutImageGuidance = "injection-without-image-guidance"
    case scsImplantWithoutTrial = "scs-implant-without-trial"
    case mriWithoutRedFlags = "mri-without-red-flags"
    case mriClinicalDiscordance = "mri-clinical-discordance"
    case serotonergicCombination = "serotonergic-combination"
    case nsaidContraindicated = "nsaid-contraindicated"
    case psychosocialFactorsUnaddressed = "psychosocial-factors-unaddressed"
    case opioidDoseUnknown = "opioid-dose-unknown"

    /// Document order.
    public static func < (a: Self, b: Self) -> Bool { a.position < b.position }
    var position: Int { Self.positions[self] ?? 0 }
    private static let positions = Dictionary(uniqueKeysWithValues: allCases.enumerated().map { ($1, $0) })
}

/// The section of GUIDELINE.md a rule belongs to.
public enum GuidelineSection: String, Sendable, CaseIterable {
    case stratification = "§2.1"
    case referralTiming = "§2.2"
    case medicines = "§2.3"
    case nonPharmacological = "§2.4"
    case interventional = "§2.5"
    case monitoring = "§2.6"
    case opioidSafety = "§2.7"
    case warnings = "§3"
}

/// A source text of `guideline-sources/`, cited by its file number.
/// `cdc2022` is the CDC 2022 clinical practice guideline as the CDC opioid CDS applies it (GUIDELINE
/// §2.7); its recommendation numbers are in the rule's title.
public enum SourceText: String, HashedByCase, Sendable, Comparable {
    case cdc2022 = "CDC 2022"
    case s000 = "000"
    case s001 = "001"
    case s002 = "002"
    case s003 = "003"
    case s004 = "004"
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}
