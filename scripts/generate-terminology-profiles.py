#!/usr/bin/env python3
"""Generate PainPath's terminology profiles (profiles/ValueSet-*.json, the RxNorm product → ingredient
ConceptMap, the CDC 2022 MME conversion factors) from ../shared/terminology/.

Hand-checked codes come from `codes.csv` (looked up by its `concept` column) or from EXTRA below, where each
code added by hand names the public source it was checked against; each such concept carries its verification
status (verified | secondary | unverified) and its source as extensions. Official members (VSAC expansions of
the AHRQ Pain Management Summary, the CDC opioid CDS value sets and OMTK drug table, the eCQM value sets of
canvas==0.261.0, downloaded with pip) come from scripts/official_terminology.py, which says how members were
chosen where an official set is broader than the fact; each is written as its own compose.include whose
code-source extension names the official set. Deterministic: the same inputs give the same files.

Usage: scripts/generate-terminology-profiles.py [TERMINOLOGY_DIR] [PROFILES_DIR]
"""
import csv
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import official_terminology  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TERMS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "shared", "terminology")
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "profiles")
BASE = "https://painpath.example.org/fhir"
VERSION = "0.1.0"
EXT_VERIFICATION = BASE + "/StructureDefinition/code-verification"
EXT_SOURCE = BASE + "/StructureDefinition/code-source"
SCT = "http://snomed.info/sct"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"

# Codes checked by hand (search tool, 2026-11-21) that codes.csv lacks. (system, code, display, status, source)
EXTRA = {
    "heart-failure": [
        (SCT, "84114007", "Heart failure", "verified", "BIH-CEI/napkon-cardiology:input/fsh/cardiology/vs-chronic-cardiologic-diseases-sct.fsh"),
    ],
    "seizure-disorder": [
        (SCT, "84757009", "Epilepsy", "secondary", "several public code tables (find_string 84757009: Epilepsy, ICD G40.909)"),
        (SCT, "128613002", "Seizure disorder", "secondary", "one public synthetic-data table (find_string 128613002)"),
    ],
    "hepatic-impairment": [
        (SCT, "19943007", "Cirrhosis of liver", "secondary", "several public code tables incl. an OMOP Charlson list (find_string 19943007)"),
    ],
    "cardiac-conduction-disease": [
        (SCT, "44808001", "Conduction disorder of the heart", "secondary", "two public code tables (find_string 44808001)"),
    ],
}

# Value sets: id -> (title, [concept names of codes.csv])
VALUE_SETS = {
    # pain phenotypes (GUIDELINE §1)
    "low-back-pain": ("Axial low back pain", ["Low back pain", "Low back pain (legacy code)", "Chronic low back pain",
        "Disc herniation / displacement (lumbar)", "Disc herniation / displacement (lumbosacral)", "Disc displacement (lumbar)",
        "Disc herniation", "Lumbar disc degeneration"]),
    "radicular-pain": ("Radicular pain: sciatica, lumbar/lumbosacral radiculopathy, disc disorder with radiculopathy", ["Lumbago with sciatica",
        "Sciatica", "Lumbar radiculopathy", "Lumbosacral radiculopathy", "Radiculopathy due to lumbar disc disorder",
        "Lumbosacral root disorder", "Disc disorder with radiculopathy (lumbar)", "Disc disorder with radiculopathy (lumbosacral)"]),
    "neuropathic-pain": ("Neuropathic pain: neuropathic pain, neuralgia, PHN, CRPS, diabetic peripheral neuropathy, spinal cord injury pain", [
        "Neuropathic pain", "Neuralgia/neuritis (unspecified)", "Neuralgia", "Postherpetic neuralgia", "Postherpetic neuralgia (trigeminal)",
        "Postherpetic polyneuropathy", "CRPS", "CRPS type I", "CRPS type I (limb-specific)", "CRPS type II (causalgia) lower limb",
        "CRPS type II (causalgia) upper limb", "Diabetic peripheral neuropathy", "Diabetic polyneuropathy (T2DM)",
        "Diabetic polyneuropathy (T1DM)", "Diabetic polyneuropathy", "Spinal cord injury, lumbar (ICD)",
        "Spinal cord injury, lumbar incomplete (ICD)", "Spinal cord injury"]),
    "peripheral-neuropathic-pain": ("Peripheral neuropathic pain: PHN, DPN, CRPS", ["Postherpetic neuralgia",
        "Postherpetic neuralgia (trigeminal)", "Postherpetic polyneuropathy", "CRPS", "CRPS type I", "CRPS type I (limb-specific)",
        "CRPS type II (causalgia) lower limb", "CRPS type II (causalgia) upper limb", "Diabetic peripheral neuropathy",
        "Diabetic polyneuropathy (T2DM)", "Diabetic polyneuropathy (T1DM)", "Diabetic polyneuropathy"]),
    "spinal-cord-injury": ("Spinal cord injury", ["Spinal cord injury, lumbar (ICD)", "Spinal cord injury, lumbar incomplete (ICD)", "Spinal cord injury"]),
    "vertebral-compression-fracture": ("Vertebral compression fracture", ["Osteoporotic vertebral compression fracture",
        "Osteoporotic vertebral compression fracture (other osteoporosis)", "Collapsed vertebra, lumbar (NEC)",
        "Traumatic wedge compression fracture, lumbar", "Osteoporotic vertebral fracture (lumbar)", "Vertebral compression fracture"]),
    "failed-back-surgery-syndrome": ("Failed back surgery syndrome (post-laminectomy)", ["Failed back surgery syndrome",
        "Failed back surgery syndrome (lumbar)"]),
    "spinal-stenosis": ("Spinal stenosis", ["Spinal stenosis", "Lumbar spinal stenosis"]),
    "facet-joint-pain": ("Facet joint pain", ["Lumbar facet joint pain", "Lumbar facet arthropathy", "Facet joint pain",
        "Lumbar spondylosis", "Lumbosacral spondylosis without myelopathy", "Lumbar spondylosis (ICD)", "Lumbosacral spondylosis (ICD)"]),
    "sacroiliac-joint-pain": ("Sacroiliac joint pain", ["Sacroiliac joint pain", "Sacroiliitis", "Sacroiliac disorder",
        "Sacroiliitis (ICD)", "Sacrococcygeal disorder (ICD)"]),
    "spinal-instability": ("Spinal instability and spondylolisthesis", ["Sacroiliac instability", "Spinal instability, sacral (ICD)",
        "Spondylolisthesis", "Degenerative spondylolisthesis", "Spondylolisthesis L5/S1", "Spondylolisthesis, lumbar (ICD)",
        "Spondylolisthesis, lumbosacral (ICD)", "Spondylolysis, lumbar (ICD)", "Spinal instability, lumbar (ICD)",
        "Spinal instability, lumbosacral (ICD)"]),
    # deficits and red flags
    "neuro-deficit": ("Neurological deficit: motor weakness, foot drop, sensory loss, reflex loss, bladder/bowel dysfunction, cauda equina", [
        "Muscle weakness of limb", "Muscle weakness", "Paresis of right lower limb", "Paresis of left lower limb", "Monoparesis of leg",
        "Muscle weakness (ICD)", "Foot drop", "Foot drop, right (ICD)", "Foot drop, left (ICD)", "Foot drop, unspecified (ICD)",
        "Hypoesthesia", "Numbness of lower limb", "Numbness of foot", "Paresthesia of lower limb", "Paresthesia of foot",
        "Anesthesia of skin (ICD)", "Hypoesthesia of skin (ICD)", "Paresthesia of skin (ICD)", "Neurological deficit",
        "Abnormal reflex (ICD)", "Urinary retention", "Acute urinary retention", "Urinary retention (ICD)", "Incomplete bladder emptying (ICD)",
        "Urinary incontinence", "Urinary incontinence (ICD)", "Fecal incontinence", "Fecal incontinence (ICD)", "Neurogenic bladder",
        "Cauda equina syndrome with neurogenic bladder", "Bladder dysfunction", "Neurogenic bladder (ICD)", "Cauda equina syndrome"]),
    "cauda-equina-syndrome": ("Cauda equina syndrome", ["Cauda equina syndrome", "Cauda equina syndrome with neurogenic bladder"]),
    "progression-qualifier": ("Qualifiers saying a finding progresses or worsens", ["Progressive (qualifier)", "Worsening (qualifier)", "Worse (qualifier)"]),
    "malignancy": ("Active or past malignancy", ["History of malignant neoplasm", "Malignant neoplastic disease", "Metastatic malignant neoplasm",
        "Bone metastasis", "Spinal (vertebral column) metastasis", "Bone metastasis (ICD)", "Personal history of malignant neoplasm, unspecified (ICD)",
        "Personal history of breast cancer (ICD)", "Personal history of prostate cancer (ICD)", "Personal history of lung cancer (ICD)",
        "Personal history of kidney cancer (ICD)", "Personal history of bone cancer (ICD)"]),
    "spinal-infection": ("Spinal infection", ["Vertebral osteomyelitis", "Acute osteomyelitis of lumbar spine", "Discitis", "Infective discitis",
        "Vertebral osteomyelitis, lumbar (ICD)", "Vertebral osteomyelitis, lumbosacral (ICD)", "Pyogenic disc infection, lumbar (ICD)",
        "Pyogenic disc infection, lumbosacral (ICD)", "Discitis, lumbar (ICD)", "Discitis, lumbosacral (ICD)", "Spinal epidural abscess (ICD)",
        "Extradural abscess (ICD)"]),
    "fever": ("Fever", ["Fever", "Fever (ICD)"]),
    "unexplained-weight-loss": ("Unexplained weight loss", ["Unexplained weight loss", "Unintentional weight loss", "Weight loss (ICD)"]),
    "iv-drug-use": ("Intravenous drug use", ["Intravenous drug use", "Injecting drug use"]),
    "immunosuppression": ("Immunosuppression", ["Immunosuppressed", "Immunocompromised", "Immunodeficiency disorder", "Immunosuppressive therapy",
        "Immunodeficiency (ICD)", "Drug-induced immunodeficiency (ICD)", "Long-term immunosuppressant use (ICD)",
        "Long-term systemic corticosteroid use (ICD)"]),
    # psychosocial
    "depression": ("Depression", ["Depression", "Major depression", "Moderate major depression", "Major depression (ICD)",
        "Major depression, recurrent (ICD)", "Depression, unspecified (ICD)"]),
    "anxiety": ("Anxiety", ["Anxiety", "Generalized anxiety disorder", "Generalized anxiety disorder (ICD)", "Anxiety, unspecified (ICD)"]),
    "substance-use-disorder": ("Substance or opioid use disorder", ["Opioid use disorder", "Opioid dependence", "Opioid abuse",
        "Opioid dependence in remission", "Substance use disorder (drug dependence)", "Alcohol dependence"]),
    # contraindications
    "ckd-stage-4-5": ("Chronic kidney disease stage 4–5", ["CKD stage 5", "CKD stage 4 (ICD)", "ESRD (ICD)"]),
    "gi-bleed-or-peptic-ulcer": ("GI bleeding or peptic ulcer", ["GI bleed", "Peptic ulcer", "Gastric ulcer", "Duodenal ulcer", "Peptic ulcer with hemorrhage"]),
    "pregnancy": ("Pregnancy", ["Pregnancy", "Pregnancy (ICD)"]),
    "heart-failure": ("Heart failure", []),
    "hepatic-impairment": ("Hepatic impairment", []),
    "cardiac-conduction-disease": ("Cardiac conduction disease", []),
    "seizure-disorder": ("Seizure disorder", []),
    "anticoagulants": ("Anticoagulants (RxNorm ingredients)", ["warfarin", "apixaban", "rivaroxaban", "edoxaban (extra)", "dabigatran (extra)",
        "heparin (extra)", "enoxaparin (extra)"]),
    # observations
    "pain-intensity": ("Pain intensity 0–10 (NRS, PEG)", ["Pain severity 0-10 NRS (reported)", "Pain severity past week 0-10 (PEG item 1)",
        "PEG scale score"]),
    "oswestry-score": ("Oswestry Disability Index score", ["Oswestry Disability Index score"]),
    "oswestry-panel": ("Oswestry Disability Index panel", ["Oswestry Disability Index panel"]),
    "startback-panel": ("STarT Back panel", ["STarT Back panel"]),
    "startback-total": ("STarT Back total score", ["STarT Back total score"]),
    "startback-distress": ("STarT Back distress subscore", ["STarT Back distress (psychosocial) subscore"]),
    "startback-risk": ("STarT Back risk level", ["STarT Back risk level"]),
    "phq9-total": ("PHQ-9 total", ["PHQ-9 total"]),
    "gad7-total": ("GAD-7 total", ["GAD-7 total"]),
    "egfr": ("Estimated GFR", ["eGFR CKD-EPI (creatinine)", "eGFR CKD-EPI 2021 (creatinine, race-free)", "eGFR (unspecified method)",
        "eGFR MDRD", "eGFR MDRD (legacy Synthea code)"]),
    "opioid-risk-assessment": ("Opioid misuse risk assessment", ["Opioid abuse risk assessment", "Opioid Risk Tool total"]),
    # medication status reasons
    "medication-failure-reason": ("Stopped for lack of effect or an adverse effect", ["MedicationRequest.statusReason: suspected intolerance",
        "ActReason: suspected intolerance", "ActCode: previously ineffective", "ActCode: drug intolerance",
        "Stopped because ineffective (treatment not effective)", "Stopped because not tolerated", "Drug intolerance", "Adverse drug reaction",
        "Medication stopped - ineffective", "Medication stopped - side effect"]),
    # therapies and procedures
    "physiotherapy": ("Physiotherapy", ["Referral to physiotherapist", "Referral for physical therapy", "Referral to physiotherapy service",
        "Physical therapy procedure", "Service type: physiotherapy"]),
    "exercise-therapy": ("Exercise therapy", ["Exercise therapy", "Referral for exercise therapy", "Therapeutic exercise", "Exercise education",
        "Service type: exercise"]),
    "psychological-therapy": ("CBT and psychotherapy", ["CBT", "Referral for psychotherapy", "Psychotherapy 45 min (CPT)",
        "Referral to psychologist", "Referral to clinical psychologist", "Service type: psychology"]),
    "multidisciplinary-rehabilitation": ("Multidisciplinary rehabilitation", ["Referral to physical rehabilitation service",
        "Referral to rehabilitation physician", "Chronic pain control management", "Liaising with multidisciplinary team",
        "Referral to occupational therapist", "Referral to occupational therapy service", "Service type: occupational therapy"]),
    "acupuncture": ("Acupuncture", ["Acupuncture (CPT)", "Acupuncture", "Service type: acupuncture"]),
    "spinal-manipulation": ("Spinal manipulation", ["Spinal manipulation (chiropractic)", "Referral to chiropractor", "Service type: chiropractic"]),
    "massage": ("Massage", ["Massage therapy", "Service type: massage therapy"]),
    "yoga-or-tai-chi": ("Yoga or tai chi", ["Yoga", "Tai chi", "Service type: yoga"]),
    "relaxation": ("Progressive relaxation", ["Progressive muscle relaxation", "Progressive muscle relaxation education", "Relaxation techniques education"]),
    "tens": ("TENS", ["TENS / electrical stimulation (CPT)", "TENS / electrical stimulation attended (CPT)", "TENS device provision"]),
    "epidural-steroid-injection": ("Epidural steroid injection", ["Transforaminal epidural steroid injection L/S, imaging-guided (CPT)",
        "Epidural steroid injection (generic therapeutic epidural injection)", "CT-guided lumbosacral epidural injection (LOINC imaging)",
        "Fluoroscopic lumbar epidurography (LOINC imaging)"]),
    "medial-branch-block": ("Medial branch block", ["Medial branch block L/S (CPT)", "CT-guided nerve block, lumbar spine (LOINC imaging)",
        "Fluoroscopic guidance facet injection (LOINC imaging)"]),
    "radiofrequency-denervation": ("Radiofrequency denervation", ["Radiofrequency denervation L/S facet (CPT)", "Radiofrequency denervation of facet joint"]),
    "sacroiliac-joint-injection": ("Sacroiliac joint injection", ["Fluoroscopic guidance SI joint injection (LOINC imaging)",
        "CT guidance SI joint injection (LOINC imaging)"]),
    "image-guided-injection": ("Injection codes that say image guidance", ["Transforaminal epidural steroid injection L/S, imaging-guided (CPT)",
        "CT-guided lumbosacral epidural injection (LOINC imaging)", "Fluoroscopic lumbar epidurography (LOINC imaging)",
        "CT-guided nerve block, lumbar spine (LOINC imaging)", "Fluoroscopic guidance facet injection (LOINC imaging)",
        "Fluoroscopic guidance SI joint injection (LOINC imaging)", "CT guidance SI joint injection (LOINC imaging)"]),
    "spinal-surgery": ("Spinal surgery", ["Lumbar discectomy", "Discectomy for herniated disc", "Percutaneous discectomy", "Decompression laminectomy",
        "Lumbar laminectomy for decompression", "Lumbar hemilaminectomy for decompression", "Lumbar spinal fusion", "Posterior lumbar fusion",
        "Laminectomy with fusion"]),
    "vertebral-augmentation": ("Vertebroplasty or kyphoplasty", ["Vertebroplasty lumbosacral (CPT)", "Fluoroscopic guidance vertebroplasty (LOINC imaging)",
        "Fluoroscopic guidance kyphoplasty lumbar (LOINC imaging)", "Vertebroplasty guidance (LOINC imaging)"]),
    "scs-trial": ("Spinal cord stimulator trial", ["Spinal cord stimulator trial (percutaneous lead) (CPT)"]),
    "scs-implant": ("Spinal cord stimulator implant", ["Spinal cord stimulator pulse generator implant (CPT)", "Neurostimulator electrodes via laminectomy"]),
    "mri-lumbar-spine": ("MRI lumbar spine", ["MRI lumbar spine w/o contrast (LOINC imaging)", "MRI lumbar spine (LOINC imaging)",
        "MRI lumbar spine w/o & w contrast (LOINC imaging)", "MRI lumbar spine without contrast", "MRI lumbar spine with contrast",
        "MRI lumbar and sacral spine", "MRI lumbar spine w/o contrast (CPT)"]),
    "specialist-referral": ("Referral to a specialist spinal or pain service", ["Referral to pain clinic/specialist", "Referral to orthopaedic (spine) surgeon",
        "Referral to orthopaedic service", "Referral to neurosurgeon", "Referral to rheumatologist", "Referral to rehabilitation physician",
        "Referral to neurologist"]),
    "surgical-referral": ("Referral for surgical evaluation", ["Referral to orthopaedic (spine) surgeon", "Referral to neurosurgeon"]),
    "multidisciplinary-pain-referral": ("Referral to a multidisciplinary pain service", ["Liaising with multidisciplinary team", "Chronic pain control management"]),
    "specialist-setting": ("Specialist services: pain medicine, spine surgery, neurosurgery, orthopaedics, rheumatology, physiatry", [
        "Specialty: pain medicine (practice setting)", "Specialty: neurosurgery (practice setting)", "Specialty: orthopaedic surgery (practice setting)",
        "Specialty: physical medicine & rehabilitation (practice setting)", "Specialty: rheumatology (practice setting)",
        "Service type: pain medicine", "Service type: pain", "Service type: neurosurgery", "Service type: orthopaedic surgery",
        "Service type: rehabilitation medicine", "Service type: rheumatology", "Service delivery location: pain clinic",
        "Service delivery location: orthopaedics clinic", "Service delivery location: neurosurgery unit", "Service delivery location: rheumatology clinic"]),
    "procedure-successful": ("Procedure outcome: successful", ["Procedure outcome: successful"]),
    "opioid-taper": ("Opioid tapering", ["Opioid tapering management"]),
    # opioid safety (GUIDELINE §2.7) and the CDC guideline's scope: official members only, plus hand rows
    "opioid-use-disorder": ("Opioid use disorder", ["Opioid use disorder", "Opioid dependence", "Opioid abuse",
        "Opioid dependence in remission"]),
    "naloxone-medications": ("Naloxone for overdose (nasal spray, injection)", []),
    "buprenorphine-methadone-medications": ("Buprenorphine or methadone (medication for opioid use disorder)", []),
    "pdmp-review": ("Prescription drug monitoring programme review", []),
    "urine-drug-screen": ("Urine drug screening", ["Urine drug screening"]),
    "pain-treatment-plan": ("Pain treatment plan", []),
    "active-cancer": ("Active cancer (malignant neoplasm)", []),
    "sickle-cell-disease": ("Sickle cell disease", []),
    "hospice-end-of-life": ("Hospice, palliative or end-of-life care", []),
    "limited-life-expectancy": ("Limited life expectancy", []),
    "sleep-disordered-breathing": ("Sleep-disordered breathing", []),
    "opioid-overdose": ("Opioid overdose or poisoning", []),
}

# Medication classes by ingredient name (products come from the product map).
CLASSES = {
    "gabapentinoid": ["gabapentin", "pregabalin"],
    "sodium-channel-anticonvulsant": ["carbamazepine", "oxcarbazepine"],
    "tca": ["amitriptyline", "nortriptyline", "desipramine"],
    "snri": ["duloxetine", "venlafaxine"],
    "nsaid": ["ibuprofen", "naproxen", "celecoxib", "diclofenac", "meloxicam"],
    "topical": ["capsaicin", "lidocaine", "ketamine"],
    "tramadol": ["tramadol"],
    "opioid": ["codeine", "fentanyl", "hydrocodone", "hydromorphone", "methadone", "morphine", "oxycodone", "oxymorphone", "tapentadol", "buprenorphine"],
    "benzodiazepine": ["alprazolam", "clonazepam", "diazepam", "lorazepam"],
    "systemic-corticosteroid": ["prednisone", "methylprednisolone", "dexamethasone"],
    "acetaminophen": ["acetaminophen"],
    "muscle-relaxant": ["baclofen", "carisoprodol", "cyclobenzaprine", "methocarbamol", "tizanidine"],
}
# Ingredient codes: codes.csv rows whose concept is the ingredient name (first verified one wins).
INGREDIENT_CONCEPT = {"carisoprodol": "carisoprodol (extra)", "oxymorphone": "oxymorphone (extra)", "lidocaine": "lidocaine (topical)"}
EXTRA_INGREDIENTS = {"celecoxib": ("140587", "secondary", "OHDSI concept set (RxNorm Ingredient 140587 celecoxib; search 'celecoxib 140587')")}
MME = {"codeine": "0.15", "fentanyl": "2.4", "hydrocodone": "1", "hydromorphone": "5", "methadone": "4.7", "morphine": "1",
       "oxycodone": "1.5", "oxymorphone": "3", "tapentadol": "0.4", "tramadol": "0.2"}


def status_of(source):
    s = source.strip().upper()
    return "verified" if s.startswith("VERIFIED") else "secondary" if s.startswith("SECONDARY") else "unverified"


def concept_entry(code, display, status, source):
    entry = {"code": code}
    if display:
        entry["display"] = display
    entry["extension"] = [{"url": EXT_VERIFICATION, "valueCode": status}]
    if source:  # products share one source, named in the value set's description instead
        entry["extension"].append({"url": EXT_SOURCE, "valueString": source[:500]})
    # FHIR JSON order: extension before code
    return {"extension": entry.pop("extension"), **entry}


def value_set(vid, title, codes, description, official=(), included_sets=()):
    includes = {}
    seen = set()
    for system, code, display, status, source in codes:
        includes.setdefault(system, [])
        if (system, code) not in seen:
            seen.add((system, code))
            includes[system].append(concept_entry(code, display, status, source))
    compose = [{"system": s, "concept": c} for s, c in includes.items()]
    # Official members: one include per source and system, named by a code-source extension.
    for selection in official:
        by_system = {}
        for system, code, display in selection.codes:
            if (system, code) in seen:
                continue
            seen.add((system, code))
            by_system.setdefault(system, []).append({"code": code, **({"display": display} if display else {})})
        for system in sorted(by_system):
            concepts = sorted(by_system[system], key=lambda c: c["code"])
            compose.append({"extension": [{"url": EXT_SOURCE, "valueString": selection.source}],
                            "system": system, "concept": concepts})
    return {
        "resourceType": "ValueSet", "id": vid, "url": f"{BASE}/ValueSet/{vid}", "version": VERSION, "name": "".join(p.capitalize() for p in vid.split("-")),
        "title": title, "status": "active", "experimental": False, "publisher": "PainPath",
        "description": description,
        "compose": {"include": compose + [{"valueSet": [f"{BASE}/ValueSet/{other}"]} for other in included_sets]},
    }


def main():
    rows = list(csv.DictReader(open(os.path.join(TERMS, "codes.csv"), encoding="utf-8")))
    by_concept = {}
    for r in rows:
        by_concept.setdefault(r["concept"], []).append(r)
    os.makedirs(OUT, exist_ok=True)
    written = []

    def write(name, resource):
        with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
            json.dump(resource, f, indent=2, ensure_ascii=False)
            f.write("\n")
        written.append(name)

    cache = os.path.join(HERE, "..", ".build", "terminology-sources")
    sources = official_terminology.Sources(TERMS, cache)
    official = official_terminology.official_members(sources)
    unknown = set(official) - set(VALUE_SETS) - {f"medication-class-{c}" for c in CLASSES}
    if unknown:
        sys.exit(f"official members for unknown value sets: {sorted(unknown)}")

    for vid, (title, concepts) in VALUE_SETS.items():
        codes = []
        for name in concepts:
            if name not in by_concept:
                sys.exit(f"{vid}: concept {name!r} is not in codes.csv")
            for r in by_concept[name]:
                if r["code"]:  # rows marked UNVERIFIED with no code give nothing to match
                    codes.append((r["system"], r["code"], r["display"], status_of(r["source"]), r["source"]))
        codes += list(EXTRA.get(vid, []))
        if not codes and not official.get(vid):
            sys.exit(f"{vid}: no codes")
        write(f"ValueSet-{vid}.json", value_set(vid, title, codes,
              f"{title}. Codes from shared/terminology/codes.csv and hand-checked additions (each concept's "
              f"code-verification extension says verified, secondary or unverified), then official members, one "
              f"include per official value set named by its code-source extension.", official.get(vid, ()),
              official_terminology.INCLUDED_SETS.get(vid, ())))

    # Products → ingredients, with strength and release, from the product list.
    products = list(csv.DictReader(open(os.path.join(TERMS, "rxnorm_product_codes_by_ingredient.csv"), encoding="utf-8")))
    # More products: the OMTK opioid table (every opioid product, with strength and dose form), and every
    # product named in the CDC and eCQM sets whose RxNorm name parses into ingredients PainPath knows.
    # New opioid and benzodiazepine ingredients join their class (the official sets say which they are).
    listed = {(p["ingredient"], p["rxnorm_code"]) for p in products}
    def add_product(ingredient, code, display):
        if (ingredient, code) not in listed:
            listed.add((ingredient, code))
            products.append({"ingredient": ingredient, "rxnorm_code": code, "display": display})
    for row in sources.omtk():
        ingredient = row["ingredientName"].lower()
        if ingredient != "tramadol" and ingredient not in CLASSES["opioid"]:
            CLASSES["opioid"].append(ingredient)
        add_product(ingredient, row["drugCode"], row["drugName"])
    benzodiazepines = {code for _system, code, _display in official["medication-class-benzodiazepine"][0].codes}
    for code, display, _source in sources.medicine_names():
        parsed = official_terminology.parse_name(display)
        if not parsed:
            continue
        for ingredient, _value, _unit in parsed:
            if code in benzodiazepines and len(parsed) == 1 and ingredient not in CLASSES["benzodiazepine"]:
                CLASSES["benzodiazepine"].append(ingredient)
    known = {i for v in CLASSES.values() for i in v}
    for code, display, _source in sources.medicine_names():
        for ingredient, _value, _unit in official_terminology.parse_name(display) or []:
            if ingredient in known:
                add_product(ingredient, code, display)
    # A combination product lists every ingredient its name gives (also those PainPath has no class for:
    # caffeine, benzhydrocodone…), so that only a truly single-ingredient product makes an ingredient a
    # member of a class.
    for p in list(products):
        for ingredient, _value, _unit in official_terminology.parse_name(p["display"]) or []:
            add_product(ingredient, p["rxnorm_code"], p["display"])
    products.sort(key=lambda p: (p["ingredient"], int(p["rxnorm_code"])))
    ingredient_code = {}
    for ingredient in sorted({p["ingredient"] for p in products} | {i for v in CLASSES.values() for i in v}):
        if ingredient in EXTRA_INGREDIENTS:
            code, status, source = EXTRA_INGREDIENTS[ingredient]
            ingredient_code[ingredient] = (code, status, source)
            continue
        for r in by_concept.get(INGREDIENT_CONCEPT.get(ingredient, ingredient), []):
            if r["system"] == RXNORM and r["code"]:
                ingredient_code[ingredient] = (r["code"], status_of(r["source"]), r["source"])
                break
    # Tramadol is its own class (GUIDELINE §1), though the official opioid sets hold its products.
    tramadol_products = {p["rxnorm_code"] for p in products if p["ingredient"] == "tramadol"}
    for selection in official["medication-class-opioid"]:
        selection.codes = [c for c in selection.codes if c[1] not in tramadol_products]
    for cls, ingredients in CLASSES.items():
        codes = []
        for ing in ingredients:
            if ing in ingredient_code:
                code, status, source = ingredient_code[ing]
                codes.append((RXNORM, code, ing, status, source))
        for p in products:
            if p["ingredient"] in ingredients:
                codes.append((RXNORM, p["rxnorm_code"], p["display"], "secondary", None))
        write(f"ValueSet-medication-class-{cls}.json", value_set(f"medication-class-{cls}", f"Medication class: {cls}", codes,
              f"RxNorm ingredients and products of the class {cls}: ingredient codes from codes.csv, products from "
              "rxnorm_product_codes_by_ingredient.csv, the OMTK table and the CDC and eCQM sets (by RxNorm name), then "
              "official members by product code.", official.get(f"medication-class-{cls}", ())))

    strength_re = re.compile(r"([0-9]+(?:\.[0-9]+)?) (MG|MCG|UNT)(/ML|/HR|/ACTUAT|/MG)?")
    elements = {}
    for p in products:
        code, display, ing = p["rxnorm_code"], p["display"], p["ingredient"]
        target = {"display": ing, "equivalence": "wider"}
        if ing in ingredient_code:
            target = {"code": ingredient_code[ing][0], **target}
        ext = []
        # Strength of this ingredient: the " / "-separated part naming it.
        for part in display.split(" / "):
            if ing.split()[0] in part.lower():
                m = strength_re.search(part)
                if m:
                    ext.append({"url": BASE + "/StructureDefinition/ingredient-strength",
                                "valueQuantity": {"value": float(m.group(1)) if "." in m.group(1) else int(m.group(1)),
                                                  "unit": (m.group(2) + (m.group(3) or "")).lower(),
                                                  "system": "http://unitsofmeasure.org",
                                                  "code": {"MG": "mg", "MCG": "ug", "UNT": "[U]"}[m.group(2)] + ({"/ML": "/mL", "/HR": "/h", "/ACTUAT": "/{actuat}", "/MG": "/mg"}.get(m.group(3), "") if m.group(3) else "")}})
                break
        low = display.lower()
        extended = ("extended release" in low or re.search(r"\b\d+ hr\b", low) is not None
                    or "transdermal system" in low or ing == "methadone")
        ext.append({"url": BASE + "/StructureDefinition/release", "valueCode": "extended" if extended else "immediate"})
        topical = any(w in low for w in ("topical", "transdermal", "patch", "cutaneous", "medicated pad"))
        oral_or_parenteral = any(w in low for w in ("oral", "inject", "intravenous", "intramuscular"))
        route = "topical" if topical and not oral_or_parenteral else "injection" if ("inject" in low) else "oral" if "oral" in low else "other"
        ext.append({"url": BASE + "/StructureDefinition/route-kind", "valueCode": route})
        target["extension"] = ext
        target = {"extension": target.pop("extension"), **target}
        element = elements.setdefault(code, {"code": code, "display": display, "target": []})
        if all(t.get("display") != ing for t in element["target"]):
            element["target"].append(target)
    write("ConceptMap-rxnorm-product-to-ingredient.json", {
        "resourceType": "ConceptMap", "id": "rxnorm-product-to-ingredient", "url": f"{BASE}/ConceptMap/rxnorm-product-to-ingredient",
        "version": VERSION, "name": "RxNormProductToIngredient", "title": "RxNorm product → ingredient, with strength, release and route",
        "status": "active", "experimental": False, "publisher": "PainPath",
        "description": "Built from shared/terminology/rxnorm_product_codes_by_ingredient.csv (product codes from public VSAC/CDC value-set "
                       "expansions), the CDC opioid CDS OMTK drug table, and the RxNorm names of the CDC and eCQM (canvas==0.261.0) "
                       "medication sets whose ingredients PainPath knows. Strength, release (extended: 'Extended Release', 'NN HR', transdermal systems, methadone) and route are read "
                       "from the RxNorm display. Ingredient codes as in codes.csv; an ingredient without a verified code has only its name.",
        "sourceUri": RXNORM, "targetUri": RXNORM,
        "group": [{"source": RXNORM, "target": RXNORM, "element": [elements[k] for k in sorted(elements, key=int)]}],
    })

    write("CodeSystem-mme-conversion-factors.json", {
        "resourceType": "CodeSystem", "id": "mme-conversion-factors", "url": f"{BASE}/CodeSystem/mme-conversion-factors",
        "version": VERSION, "name": "MMEConversionFactors", "title": "CDC 2022 morphine milligram equivalent conversion factors",
        "status": "active", "experimental": False, "publisher": "PainPath", "content": "supplement", "supplements": RXNORM,
        "description": "Factors of the 2022 CDC clinical practice guideline (terminology.md §4.1, from cqframework/opioid-mme-r4 "
                       "CodeSystem CDCMMEClinicalConversionFactors 3.0.0): per mg/day; fentanyl transdermal per mcg/h. "
                       "Buprenorphine is deliberately absent (partial agonist).",
        "property": [{"code": "conversion-factor", "type": "decimal", "description": "MME per unit of daily dose (mg/day; fentanyl patch: mcg/h)"}],
        "concept": [{"code": ingredient_code[i][0], "display": i, "property": [{"code": "conversion-factor", "valueDecimal": float(f) if "." in f else int(f)}]}
                    for i, f in sorted(MME.items())],
    })
    print(f"wrote {len(written)} files to {OUT}")


main()
