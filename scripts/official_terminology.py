"""Official value-set members for PainPath's terminology generator (generate-terminology-profiles.py).

Sources (see ../shared/terminology/sources/README.md):
- AHRQ CDS Connect Pain Management Summary: VSAC expansions by OID (`valueset-db.json`, no displays);
- the CDC opioid prescribing CDS (cqframework/opioid-cds-r4): FHIR ValueSets with expansions and
  displays, and the OMTK drug table (RxNorm opioid product -> ingredient, strength, dose form);
- the eCQM (VSAC) value sets in the PyPI wheel canvas==0.261.0 (`canvas_sdk/value_set/v2026`),
  downloaded by this script with pip into .build/terminology-sources/ (never committed).

Each selection keeps where it came from; the generator writes one `compose.include` per source with
a code-source extension. Where an official set is broader than GUIDELINE.md's meaning, members are
chosen by a stated rule (ICD-10-CM code prefixes, words of the display) written next to the set.
"""
import csv
import glob
import json
import os
import re
import subprocess
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SCT = "http://snomed.info/sct"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CANVAS_VERSION = "0.261.0"
CANVAS_SYSTEMS = {"SNOMEDCT": SCT, "ICD10CM": ICD, "RXNORM": RXNORM, "LOINC": LOINC}


class Selection:
    """Codes chosen from one official set: [(system, code, display or None)] and a source label."""

    def __init__(self, source, codes):
        self.source = source
        self.codes = codes


def icd_with_dot(code):
    code = code.upper().replace(".", "")
    return code if len(code) <= 3 else code[:3] + "." + code[3:]


# --- the sources ---------------------------------------------------------------------------------

class Sources:
    def __init__(self, terminology_dir, cache_dir):
        self.dir = os.path.join(terminology_dir, "sources")
        self.cache = cache_dir
        self.ahrq = json.load(open(os.path.join(self.dir, "ahrq-pain-management-summary", "valueset-db.json")))
        names = open(os.path.join(self.dir, "ahrq-pain-management-summary", "valueset-names.cql")).read()
        self.ahrq_names = {oid: name for name, oid in re.findall(r'valueset "([^"]+)": \'[^\']*/ValueSet/([0-9.]+)\'', names)}
        self.cdc = {}
        for path in sorted(glob.glob(os.path.join(self.dir, "cdc-opioid-cds-r4", "valueset", "*.json"))):
            resource = json.load(open(path))
            self.cdc[os.path.basename(path)[:-5]] = resource
        self.canvas = self._canvas()

    def _canvas(self):
        """canvas==0.261.0's eCQM value sets: {class name: (OID, [(system, code, display)])}."""
        folder = os.path.join(self.cache, f"canvas-{CANVAS_VERSION}")
        if not os.path.isdir(folder):
            os.makedirs(self.cache, exist_ok=True)
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", self.cache,
                            f"canvas=={CANVAS_VERSION}"], check=True)
            wheel = glob.glob(os.path.join(self.cache, f"canvas-{CANVAS_VERSION}-*.whl"))[0]
            with zipfile.ZipFile(wheel) as archive:
                for member in archive.namelist():
                    if member.startswith("canvas_sdk/value_set/v2026/") and member.endswith(".py"):
                        archive.extract(member, folder)
        sets = {}
        for path in sorted(glob.glob(os.path.join(folder, "canvas_sdk", "value_set", "v2026", "*.py"))):
            name = oid = system = None
            for line in open(path, encoding="utf-8"):
                m = re.match(r"class (\w+)\(ValueSet\):", line)
                if m:
                    name, oid, system = m.group(1), None, None
                    sets[name] = (None, [])
                    continue
                m = re.match(r'\s+OID = "([^"]+)"', line)
                if m and name:
                    oid = m.group(1)
                    sets[name] = (oid, sets[name][1])
                    continue
                m = re.match(r"\s+(\w+) = \{", line)
                if m and name:
                    system = CANVAS_SYSTEMS.get(m.group(1))
                    continue
                if re.match(r"\s+\}", line):
                    system = None
                    continue
                m = re.match(r'\s+"([^"]+)",\s*#\s*(.*)$', line)
                if m and name and system:
                    code = icd_with_dot(m.group(1)) if system == ICD else m.group(1)
                    sets[name][1].append((system, code, m.group(2).strip()))
        return sets

    # One selection per official set, labelled with its source.
    def ahrq_set(self, oid, systems=(SCT, ICD, RXNORM, LOINC), keep=lambda system, code: True):
        name = self.ahrq_names.get(oid, oid)
        codes = [(c["system"], c["code"], None) for c in self.ahrq[oid]["Latest"]
                 if c["system"] in systems and keep(c["system"], c["code"])]
        return Selection(f"AHRQ CDS Connect PMS valueset-db.json: VSAC {oid} \"{name}\"", codes)

    def cdc_set(self, name, keep=lambda system, code, display: True):
        resource = self.cdc[name]
        codes = [(c["system"], c["code"], c.get("display")) for c in resource["expansion"]["contains"]
                 if keep(c["system"], c["code"], c.get("display") or "")]
        return Selection(f"CDC opioid CDS (cqframework/opioid-cds-r4) ValueSet {resource['url']}", codes)

    def canvas_set(self, name, systems=(SCT, ICD, RXNORM, LOINC), keep=lambda system, code, display: True):
        oid, codes = self.canvas[name]
        chosen = [(s, c, d) for s, c, d in codes if s in systems and keep(s, c, d)]
        return Selection(f"eCQM value set {name} (VSAC {oid}) in PyPI canvas=={CANVAS_VERSION}", chosen)

    def omtk(self):
        path = os.path.join(self.dir, "cdc-opioid-cds-r4", "omtk-drug-ingredients.csv")
        return list(csv.DictReader(open(path, encoding="utf-8")))

    def medicine_names(self):
        """Every RxNorm code with a display in the CDC and canvas sets: [(code, display, source)]."""
        found = []
        for name, resource in self.cdc.items():
            for c in resource.get("expansion", {}).get("contains", []):
                if c["system"] == RXNORM and c.get("display"):
                    found.append((c["code"], c["display"], f"CDC opioid CDS ValueSet {resource['url']}"))
        for name, (oid, codes) in self.canvas.items():
            for system, code, display in codes:
                if system == RXNORM and display:
                    found.append((code, display, f"eCQM value set {name} (VSAC {oid}) in PyPI canvas=={CANVAS_VERSION}"))
        return found


# --- how members are chosen where an official set is broader than the fact -----------------------

def icd_prefixes(*prefixes):
    """Keep ICD-10-CM codes that begin with one of the prefixes (the ICD-10-CM hierarchy)."""
    normalized = [p.replace(".", "") for p in prefixes]
    return lambda system, code, *_: system == ICD and any(code.replace(".", "").startswith(p) for p in normalized)


def not_nicotine(system, code, display=""):
    """Substance use disorder here means what counts against opioids: tobacco and nicotine do not."""
    text = (display or "").lower()
    return not (code.replace(".", "").startswith("F17") or "nicotine" in text or "tobacco" in text
                or "cigarette" in text or "caffeine" in text)


# GUIDELINE §1 phenotypes taken from "Conditions associated with chronic pain" (VSAC 2.16.840.1.113762.1.4.1021.95),
# which also holds knee osteoarthritis, migraine, fibromyalgia…: only its ICD-10-CM members under these
# categories, whose meaning the ICD-10-CM hierarchy fixes (lumbar/lumbosacral levels; its SNOMED CT members
# carry no display in the source and are left out).
CHRONIC_PAIN = "2.16.840.1.113762.1.4.1021.95"
CHRONIC_PAIN_PHENOTYPES = {
    "low-back-pain": ("M54.5", "M51.26", "M51.27", "M51.36", "M51.37"),
    "radicular-pain": ("M54.15", "M54.16", "M54.17", "M54.3", "M54.4", "M51.15", "M51.16", "M51.17"),
    "spinal-stenosis": ("M48.06", "M48.07"),
    "facet-joint-pain": ("M47.816", "M47.817", "M47.896", "M47.897"),
    "sacroiliac-joint-pain": ("M53.3", "M46.1"),
    "spinal-instability": ("M43.16", "M43.17", "M53.2X6", "M53.2X7"),
    "failed-back-surgery-syndrome": ("M96.1",),
    "neuropathic-pain": ("B02.2", "G90.5", "G56.4", "G57.7", "M79.2"),
    "peripheral-neuropathic-pain": ("B02.2", "G90.5", "G56.4", "G57.7"),
}


def official_members(sources):
    """Value set id -> [Selection]: the official members each PainPath value set takes."""
    s = sources
    chosen = {vid: [s.ahrq_set(CHRONIC_PAIN, systems=(ICD,), keep=icd_prefixes(*prefixes))]
              for vid, prefixes in CHRONIC_PAIN_PHENOTYPES.items()}
    chosen.update({
        # psychosocial factors
        "depression": [s.ahrq_set("2.16.840.1.113883.3.464.1003.105.12.1007"), s.canvas_set("MajorDepression")],
        "anxiety": [s.ahrq_set("2.16.840.1.113762.1.4.1032.52"), s.canvas_set("GeneralizedAnxietyDisorder")],
        # contraindications
        "substance-use-disorder": [
            s.ahrq_set("2.16.840.1.113883.3.464.1003.106.12.1004", keep=lambda sy, c: not_nicotine(sy, c)),
            s.cdc_set("conditions-documenting-substance-misuse", keep=not_nicotine),
            s.cdc_set("opioid-misuse-disorders"), s.canvas_set("SubstanceUseDisorder", keep=not_nicotine),
            s.canvas_set("OpioidUseDisorder")],
        "opioid-use-disorder": [s.cdc_set("opioid-misuse-disorders"), s.canvas_set("OpioidUseDisorder")],
        # A past opioid overdose (a naloxone risk): the overdose and poisoning members of the CDC's
        # opioid-misuse-disorders set, chosen by the words of their display.
        "opioid-overdose": [s.cdc_set("opioid-misuse-disorders",
                                      keep=lambda system, code, display: "overdose" in display.lower()
                                      or "poisoning" in display.lower())],
        "pregnancy": [s.ahrq_set("2.16.840.1.113762.1.4.1032.264"), s.canvas_set("Pregnancy")],
        # Kidney failure (acute or chronic, stage 4-5, ESRD): against NSAIDs and duloxetine like eGFR < 30.
        "ckd-stage-4-5": [s.ahrq_set("2.16.840.1.113883.3.464.1003.109.12.1028", systems=(SCT, ICD)),
                          s.canvas_set("ChronicKidneyDiseaseStage5"), s.canvas_set("EndStageRenalDisease")],
        # Duloxetine: "avoid in chronic liver disease or cirrhosis" (label): the chronic set only.
        "hepatic-impairment": [s.ahrq_set("2.16.840.1.113883.3.464.1003.199.12.1035", systems=(SCT, ICD))],
        "heart-failure": [s.canvas_set("HeartFailure")],
        "seizure-disorder": [s.canvas_set("SeizureDisorder")],
        "anticoagulants": [s.canvas_set("AnticoagulantMedications")],
        # red flags and the CDC guideline's scope
        # Malignancy (a red flag, active or past) includes the active-cancer set whole (INCLUDED_SETS),
        # plus the eCQM cancer set's ICD-10-CM codes.
        "malignancy": [s.canvas_set("Cancer", systems=(ICD,))],
        "active-cancer": [s.cdc_set("cdc-malignant-cancer-conditions"), s.canvas_set("Cancer", systems=(SCT,))],
        "sickle-cell-disease": [s.cdc_set("sickle-cell-diseases"), s.canvas_set("SickleCellDiseaseWithAndWithoutCrisis")],
        "hospice-end-of-life": [s.cdc_set("hospice-finding"), s.cdc_set("hospice-procedure"),
                                s.cdc_set("therapies-indicating-end-of-life-care"), s.canvas_set("HospiceDiagnosis"),
                                s.canvas_set("PalliativeCareDiagnosis")],
        "limited-life-expectancy": [s.cdc_set("limited-life-expectancy-conditions")],
        "sleep-disordered-breathing": [s.cdc_set("conditions-documenting-sleep-disordered-breathing"),
                                       s.ahrq_set("2.16.840.1.113762.1.4.1032.53")],
        # opioid safety
        "naloxone-medications": [s.cdc_set("naloxone-medications"), s.ahrq_set("2.16.840.1.113762.1.4.1032.42")],
        "buprenorphine-methadone-medications": [s.cdc_set("buprenorphine-and-methadone-medications"),
                                                s.canvas_set("MedicationsForOpioidUseDisorderMoud")],
        "pdmp-review": [s.cdc_set("pdmp-review-procedure"), s.cdc_set("pdmp-data-reviewed-finding")],
        "urine-drug-screen": [s.cdc_set("all-urine-drug-screening-tests"), s.ahrq_set("2.16.840.1.113762.1.4.1032.28")],
        "pain-treatment-plan": [s.cdc_set("pain-treatment-plan")],
        # medication classes, by product (their ingredients come from the product map)
        "medication-class-benzodiazepine": [s.cdc_set("benzodiazepine-medications"),
                                            s.ahrq_set("2.16.840.1.113762.1.4.1032.43")],
        "medication-class-opioid": [s.cdc_set("opioid-analgesics-with-ambulatory-misuse-potential"),
                                    s.ahrq_set("2.16.840.1.113762.1.4.1032.34")],
    })
    return chosen


# Value sets that include another whole (compose.include.valueSet), rather than repeating its members.
INCLUDED_SETS = {"malignancy": ["active-cancer"]}


# --- medicines by name -------------------------------------------------------------------------

SALTS = {"hydrochloride", "hcl", "sulfate", "tartrate", "bitartrate", "citrate", "phosphate", "sodium", "potassium",
         "maleate", "mesylate", "besylate", "acetate", "succinate", "fumarate", "bromide", "hydrobromide", "calcium",
         "magnesium", "pamoate", "napsylate", "polistirex", "anhydrous", "monohydrate", "dihydrate", "lysine"}
STRENGTH = re.compile(r"([0-9]+(?:\.[0-9]+)?) (MG|MCG|UNT)(/ML|/HR|/ACTUAT|/MG)?")


def parse_name(display):
    """An RxNorm normalized name -> [(ingredient, value, unit)] or None (packs, unparsable names)."""
    text = display.split(" [")[0]
    if "{" in text:
        return None
    text = re.sub(r"^(Abuse-Deterrent )?([0-9]+ HR )?", "", text)
    parts = []
    for part in text.split(" / "):
        m = STRENGTH.search(part)
        if not m:
            return None
        words = [w for w in part[:m.start()].lower().split() if w not in SALTS]
        if not words:
            return None
        parts.append((" ".join(words), m.group(1), m.group(2) + (m.group(3) or "")))
    return parts
