import Case

/// Every rule of GUIDELINE.md, in the order of the document. Rule ids are the output contract.
public enum Rules {
    public static let all: [Rule] = [
        // §2.1
        patientEducation, startBackScreen, selfManagement, referPhysiotherapy, referPhysiotherapyBiopsychosocial,
        // §2.2
        referSpecialistUrgent, referSurgicalUrgent, referSpecialistRoutine, referMultidisciplinaryPain, specialistBiopsychosocialAssessment,
        // §2.3
        startGabapentinoid, startSodiumChannelAnticonvulsant, startSNRIorTCA, startDuloxetine, titrateDuloxetine, optimizeNSAID, topicalAgent,
        startTramadol, opioidRiskAssessment, opioidTrialLastResort, muscleRelaxantShortCourse,
        // §2.4
        exerciseTherapy, cognitiveBehaviouralTherapy, multidisciplinaryRehabilitation, acupuncture, mindfulnessStressReduction,
        yogaOrTaiChi, spinalManipulation, massage, progressiveRelaxation, tens,
        // §2.5
        epiduralSteroidInjection, vertebralAugmentation, spinalCordStimulationTrial, radiofrequencyDenervation, sacroiliacRadiofrequency,
        surgicalConsultation, mriLumbarSpine,
        // §2.6
        reassessPainAndFunction, baselineOutcomeMeasures, medicationMonitoringPlan, functionalGoals,
        // §3
        benzodiazepineForPain, systemicCorticosteroidForBackPain, opioidFirstLine, opioidExtendedReleaseStart, opioidHighDose,
        opioidBenzodiazepine, opioidWithSubstanceUseDisorder, opioidWithoutFunctionalGain, analgesicMonotherapyNeuropathic,
        acetaminophenMonotherapy, ineffectiveMedicationContinued, medicationsWithoutNonPharmacological, referralOverdue,
        repeatedPrimaryCareAssessments, injectionWithoutImageGuidance, scsImplantWithoutTrial, mriWithoutRedFlags, mriClinicalDiscordance,
        serotonergicCombination, nsaidContraindicated, psychosocialFactorsUnaddressed,
    ]

    /// Rules that read other rules' verdicts run after them.
    static let evaluatedLate: [String] = ["refer-multidisciplinary-pain", "mri-lumbar-spine", "reassess-pain-and-function",
                                          "medication-monitoring-plan"]

    static var evaluationOrder: [Rule] {
        let late = evaluatedLate.compactMap { id in all.first { $0.id == id } }
        let early = all.filter { !evaluatedLate.contains($0.id) && $0.kind != .warning }
        return early + late + all.filter { $0.kind == .warning }
    }

    public static func rule(_ id: String) -> Rule? { all.first { $0.id == id } }
}
