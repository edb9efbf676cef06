#!/usr/bin/env python3
"""Writes samples/NAME.json: realistic input bundles (as an EHR export looks: encounters with
narratives, product-level RxNorm codes, several observations over time, resources unrelated to
pain, a Bundle.timestamp), one per situation of the source texts. Together they fire every rule
id of GUIDELINE.md. The XML twins and the expected outputs are made by `painpath convert` and
`painpath replay samples --update` (see samples/README.md). Codes are those of
../shared/terminology (verified); resources unrelated to pain are coded by text only, so that no
unverified code appears. Deterministic: run it again, get the same files."""
import json
import os
import sys
import zlib

SCT, LOINC, RX, ICD, CPT = ("http://snomed.info/sct", "http://loinc.org", "http://www.nlm.nih.gov/research/umls/rxnorm",
                            "http://hl7.org/fhir/sid/icd-10-cm", "http://www.ama-assn.org/go/cpt")
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "samples")

# Product-level RxNorm codes (terminology/rxnorm_product_codes_by_ingredient.csv).
PRODUCTS = {
    "ibuprofen600": ("197806", "ibuprofen 600 MG Oral Tablet"), "ibuprofen800": ("197807", "ibuprofen 800 MG Oral Tablet"),
    "naproxen500": ("198014", "naproxen 500 MG Oral Tablet"), "acetaminophen500": ("198440", "acetaminophen 500 MG Oral Tablet"),
    "gabapentin300": ("310431", "gabapentin 300 MG Oral Capsule"), "pregabalin75": ("483450", "pregabalin 75 MG Oral Capsule"),
    "duloxetine30": ("596930", "duloxetine 30 MG Delayed Release Oral Capsule"), "duloxetine60": ("596934", "duloxetine 60 MG Delayed Release Oral Capsule"),
    "oxycodone5": ("1049621", "oxycodone hydrochloride 5 MG Oral Tablet"),
    "oxycodoneER20": ("1049563", "12 HR oxycodone hydrochloride 20 MG Extended Release Oral Tablet"),
    "morphine15": ("892582", "morphine sulfate 15 MG Oral Tablet"), "diazepam5": ("197591", "diazepam 5 MG Oral Tablet"),
    "alprazolam05": ("308048", "alprazolam 0.5 MG Oral Tablet"), "prednisone20": ("312615", "Prednisone 20 MG Oral Tablet"),
    "cyclobenzaprine10": ("828348", "cyclobenzaprine hydrochloride 10 MG Oral Tablet"),
    "tramadol50": ("835603", "tramadol hydrochloride 50 MG Oral Tablet"), "lidocainePatch": ("1745091", "lidocaine 0.05 MG/MG Medicated Patch"),
    "nortriptyline25": ("317136", "nortriptyline 25 MG Oral Capsule"), "venlafaxine75": ("313586", "venlafaxine 75 MG Oral Tablet"),
    "carbamazepine200": ("308979", "carbamazepine 200 MG Oral Tablet"), "meloxicam15": ("152695", "meloxicam 15 MG Oral Tablet"),
    "fentanyl25": ("245134", "72 HR fentanyl 0.025 MG/HR Transdermal System"),
    "oxycodone10": ("1049683", "oxycodone hydrochloride 10 MG Oral Tablet"),
    "oxycodoneER60": ("1049593", "12 HR oxycodone hydrochloride 60 MG Extended Release Oral Tablet"),
    "chlordiazepoxide25": ("905505", "chlordiazepoxide hydrochloride 25 MG Oral Tablet"),
}


class Case:
    def __init__(self, name, timestamp, birth, gender, given, family):
        self.name, self.timestamp, self.entries, self.n = name, timestamp, [], 0
        self.patient = f"pat-{name}"
        self.add("Patient", {"id": self.patient, "identifier": [{"system": "urn:oid:2.16.840.1.113883.19.5", "value": f"MRN-{zlib.crc32(name.encode()) % 10**7:07d}"}],
                             "name": [{"use": "official", "family": family, "given": [given]}], "gender": gender, "birthDate": birth,
                             "address": [{"city": "Springfield", "country": "US"}]}, id_=self.patient)
        self.add("Organization", {"name": "Springfield Community Health"}, id_="org-1")
        self.add("Practitioner", {"name": [{"family": "Okafor", "given": ["Amara"], "prefix": ["Dr"]}]}, id_="prac-1")

    def nid(self, prefix):
        self.n += 1
        return f"{prefix}-{self.n}"

    def add(self, kind, body, id_=None):
        id_ = id_ or self.nid(kind.lower()[:4])
        resource = {"resourceType": kind, "id": id_}
        resource.update(body)
        self.entries.append({"fullUrl": f"urn:uuid:{self.name}-{id_}", "resource": resource})
        return f"{kind}/{id_}"

    @staticmethod
    def cc(system, code, display, text=None):
        concept = {"coding": [{"system": system, "code": code, "display": display}]}
        if text:
            concept["text"] = text
        return concept

    def subject(self):
        return {"reference": f"Patient/{self.patient}"}

    def condition(self, system, code, display, onset, severe=False, status="active", note=None):
        body = {"clinicalStatus": self.cc("http://terminology.hl7.org/CodeSystem/condition-clinical", status, status.capitalize()),
                "verificationStatus": self.cc("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", "Confirmed"),
                "category": [self.cc("http://terminology.hl7.org/CodeSystem/condition-category", "problem-list-item", "Problem List Item")],
                "code": self.cc(system, code, display, display), "subject": self.subject(), "onsetDateTime": onset, "recordedDate": onset}
        if severe:
            body["severity"] = self.cc(SCT, "24484000", "Severe")
        if note:
            body["note"] = [{"text": note}]
        return self.add("Condition", body)

    def encounter(self, date, reason=None, specialist=False, text="Primary care visit"):
        body = {"text": {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{text} on {date}</div>'},
                "status": "finished", "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB", "display": "ambulatory"},
                "subject": self.subject(), "period": {"start": f"{date}T09:00:00Z", "end": f"{date}T09:30:00Z"},
                "participant": [{"individual": {"reference": "Practitioner/prac-1"}}], "serviceProvider": {"reference": "Organization/org-1"}}
        if specialist:
            body["serviceType"] = self.cc("http://terminology.hl7.org/CodeSystem/service-type", "164", "Pain Medicine")
        if reason:
            body["reasonReference"] = [{"reference": reason}]
        return self.add("Encounter", body)

    def obs(self, code, display, date, value=None, unit=None, system=LOINC, interpretation=None, value_code=None):
        body = {"status": "final", "category": [self.cc("http://terminology.hl7.org/CodeSystem/observation-category", "survey", "Survey")],
                "code": self.cc(system, code, display), "subject": self.subject(), "effectiveDateTime": f"{date}T09:15:00Z"}
        if value is not None:
            body["valueQuantity"] = {"value": value} | ({"unit": unit, "system": "http://unitsofmeasure.org", "code": unit} if unit else {})
        if value_code:
            body["valueCodeableConcept"] = self.cc(LOINC, value_code[0], value_code[1])
        if interpretation:
            body["interpretation"] = [self.cc("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", interpretation, "Worse")]
        return self.add("Observation", body)

    def pain(self, score, date):
        return self.obs("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported", date, score, "{score}")

    def odi(self, score, date):
        return self.obs("97909-6", "Oswestry Disability Index [ODI]", date, score, "%")

    def startback(self, risk, date):
        answers = {"low": ("LA9194-7", "Low risk"), "medium": ("LA8982-6", "Medium risk"), "high": ("LA9193-9", "High risk")}
        return self.obs("91352-5", "STarT Back Screening Tool risk category", date, value_code=answers[risk])

    def med(self, product, start, end=None, status="active", dose=None, per_day=None, unit="mg", reason=None, statement=False,
            supply=(90, 3), dosage=None):
        """A medicine order (or statement). Active orders carry their supply as EHRs write it: 90 days and 3
        repeats by default (a year), so that they are current under GUIDELINE §1; supply=None leaves it out."""
        code, display = PRODUCTS[product]
        concept = self.cc(RX, code, display, display)
        if statement:
            body = {"status": "completed" if status == "stopped" else status, "medicationCodeableConcept": concept, "subject": self.subject(),
                    "effectivePeriod": {"start": start} | ({"end": end} if end else {})}
        else:
            body = {"status": status, "intent": "order", "medicationCodeableConcept": concept, "subject": self.subject(), "authoredOn": start,
                    "requester": {"reference": "Practitioner/prac-1"}}
            dispense = {}
            if end:
                dispense["validityPeriod"] = {"start": start, "end": end}
            if supply and status in ("active", "on-hold"):
                dispense["numberOfRepeatsAllowed"] = supply[1]
                dispense["expectedSupplyDuration"] = {"value": supply[0], "unit": "days", "system": "http://unitsofmeasure.org", "code": "d"}
            if dispense:
                body["dispenseRequest"] = dispense
        if dose and per_day:
            dosage = {"text": f"{dose} {unit} {per_day} times daily", "timing": {"repeat": {"frequency": per_day, "period": 1, "periodUnit": "d"}},
                      "doseAndRate": [{"doseQuantity": {"value": dose, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit}}]}
            body["dosage" if statement else "dosageInstruction"] = [dosage]
        if dosage:
            body["dosage" if statement else "dosageInstruction"] = [dosage]
        if reason:
            body["statusReason"] = [{"text": reason}] if statement else {"text": reason}
        return self.add("MedicationStatement" if statement else "MedicationRequest", body)

    def procedure(self, system, code, display, date, status="completed", note=None, outcome=None):
        body = {"status": status, "code": self.cc(system, code, display, display), "subject": self.subject(), "performedDateTime": date}
        if note:
            body["note"] = [{"text": note}]
        if outcome:
            body["outcome"] = self.cc(SCT, outcome[0], outcome[1])
        return self.add("Procedure", body)

    def request(self, system, code, display, date, status="active"):
        return self.add("ServiceRequest", {"status": status, "intent": "order", "code": self.cc(system, code, display, display), "subject": self.subject(),
                                           "authoredOn": date, "requester": {"reference": "Practitioner/prac-1"}})

    def mri_report(self, date, conclusion):
        return self.add("DiagnosticReport", {"status": "final", "code": self.cc(LOINC, "24968-0", "MR Lumbar spine"), "subject": self.subject(),
                                             "effectiveDateTime": date, "issued": f"{date}T16:00:00Z", "conclusion": conclusion})

    def unrelated(self, date):
        """What every EHR export carries besides the pain story (text-coded: no unverified codes)."""
        self.add("Observation", {"status": "final", "code": {"text": "Blood pressure"}, "subject": self.subject(),
                                 "effectiveDateTime": f"{date}T09:10:00Z", "valueString": "128/82 mmHg"})
        self.add("Immunization", {"status": "completed", "vaccineCode": {"text": "Influenza vaccine, seasonal"}, "patient": self.subject(),
                                  "occurrenceDateTime": f"{date[:4]}-10-01"})
        self.add("AllergyIntolerance", {"clinicalStatus": self.cc("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active"),
                                        "code": {"text": "Penicillin"}, "patient": self.subject(), "reaction": [{"manifestation": [{"text": "Rash"}]}]})

    def bundle(self):
        return {"resourceType": "Bundle", "id": f"export-{self.name}", "meta": {"lastUpdated": self.timestamp},
                "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:00000000-0000-4000-8000-{zlib.crc32(self.name.encode()) % 10**12:012d}"},
                "type": "collection", "timestamp": self.timestamp, "entry": self.entries}


CASES = []


def case(name, title, shows, sources, timestamp="2026-11-21T09:00:00Z", birth="1971-03-14", gender="female", given="Maria", family="Lopez"):
    def register(build):
        c = Case(name, timestamp, birth, gender, given, family)
        build(c)
        CASES.append((name, title, shows, sources, c))
        return build
    return register

LBP = (SCT, "279039007", "Low back pain")
SCIATICA = (SCT, "23056005", "Sciatica")


@case("acute-low-back-pain", "Acute low back pain after lifting", "first visit 9 days after onset: education, NSAID, a short muscle-relaxant course, baseline measures", "003, 001",
      birth="1988-07-02", gender="male", given="James", family="Carter")
def _(c):
    back = c.condition(*LBP, "2026-11-12")
    c.encounter("2026-11-19", back, text="Low back pain after lifting furniture; no leg symptoms, no red flags")
    c.pain(6, "2026-11-19")
    c.unrelated("2026-11-19")


@case("subacute-startback-medium", "Subacute low back pain, STarT Back medium risk", "physiotherapy and exercise for medium risk", "000, 002",
      birth="1979-01-20", given="Aisha", family="Khan")
def _(c):
    back = c.condition(*LBP, "2026-10-01")
    c.encounter("2026-10-06", back)
    c.encounter("2026-11-18", back)
    c.pain(6, "2026-10-06"); c.pain(5, "2026-11-18")
    c.startback("medium", "2026-11-18")
    c.odi(28, "2026-11-18")
    c.med("ibuprofen600", "2026-10-06", dose=600, per_day=3)
    c.unrelated("2026-10-06")


@case("chronic-startback-low", "Chronic low back pain, STarT Back low risk, improving", "self-management for low risk; improvement stops escalation", "000, 002",
      birth="1965-05-11", gender="male", given="Peter", family="Novak")
def _(c):
    back = c.condition(*LBP, "2026-04-01")
    c.encounter("2026-05-02", back)
    c.encounter("2026-11-10", back)
    c.pain(7, "2026-05-02"); c.pain(3, "2026-11-10")
    c.odi(34, "2026-05-02"); c.odi(18, "2026-11-10")
    c.startback("low", "2026-11-10")
    c.med("naproxen500", "2026-05-02", dose=500, per_day=2)
    c.procedure(SCT, "229065009", "Exercise therapy", "2026-06-15")
    c.unrelated("2026-05-02")


@case("chronic-startback-high-psychosocial", "Chronic low back pain, high risk, depression", "biopsychosocial physiotherapy, CBT, multidisciplinary referral; psychosocial factors flagged", "000, 002",
      birth="1982-09-30", given="Hannah", family="Schmidt")
def _(c):
    back = c.condition(*LBP, "2026-05-15")
    c.condition(SCT, "35489007", "Depressive disorder", "2025-11-01")
    c.encounter("2026-06-01", back); c.encounter("2026-11-16", back)
    c.pain(7, "2026-06-01"); c.pain(7, "2026-11-16")
    c.odi(38, "2026-11-16")
    c.startback("high", "2026-11-16")
    c.obs("44261-6", "PHQ-9 total score", "2026-11-16", 14, "{score}")
    c.med("ibuprofen600", "2026-06-01", dose=600, per_day=3)
    c.unrelated("2026-06-01")


@case("multisite-neuropathic-back-pain", "Multisite neuropathic pain with back pain", "PHN and diabetic neuropathy with chronic back pain on simple analgesics, three primary-care visits; multimodal therapy", "000",
      birth="1958-02-17", gender="male", given="Robert", family="Evans")
def _(c):
    back = c.condition(*LBP, "2026-04-01")
    c.condition(SCT, "2177002", "Postherpetic neuralgia", "2026-03-01")
    c.condition(ICD, "E11.42", "Type 2 diabetes mellitus with diabetic polyneuropathy", "2025-06-01")
    for date in ["2026-06-02", "2026-08-04", "2026-10-06"]:
        c.encounter(date, back)
    c.med("acetaminophen500", "2026-04-10", dose=1000, per_day=3)
    c.med("ibuprofen600", "2026-05-01", dose=600, per_day=2)
    c.pain(7, "2026-06-02"); c.pain(7, "2026-10-06")
    c.odi(46, "2026-10-06")
    c.unrelated("2026-06-02")


@case("chronic-refractory-to-initial-medicines", "Chronic low back pain refractory to naproxen and acetaminophen", "duloxetine, intensified non-pharmacological therapy, multidisciplinary rehabilitation", "002",
      birth="1974-12-03", given="Grace", family="Oduya")
def _(c):
    back = c.condition(*LBP, "2026-03-01")
    c.encounter("2026-05-01", back); c.encounter("2026-11-01", back)
    c.med("naproxen500", "2026-05-01", "2026-07-15", status="stopped", dose=500, per_day=2, reason="no relief")
    c.med("acetaminophen500", "2026-03-15", "2026-05-01", status="stopped", dose=1000, per_day=3, reason="ineffective", statement=True)
    c.pain(7, "2026-05-01"); c.pain(7, "2026-11-01")
    c.odi(44, "2026-11-01")
    c.unrelated("2026-05-01")


@case("duloxetine-titration", "Duloxetine 30 mg for two weeks, no improvement", "titrate duloxetine to 60 mg", "002",
      birth="1969-04-22", given="Linda", family="Moreau")
def _(c):
    back = c.condition(*LBP, "2026-02-01")
    c.encounter("2026-11-05", back)
    c.med("naproxen500", "2026-03-01", "2026-05-01", status="stopped", dose=500, per_day=2, reason="no relief")
    c.med("duloxetine30", "2026-11-05", dose=30, per_day=1)
    c.procedure(SCT, "229065009", "Exercise therapy", "2026-06-01")
    c.pain(6, "2026-11-05"); c.pain(6, "2026-11-19")
    c.odi(30, "2026-11-19")
    c.unrelated("2026-11-05")


@case("tramadol-after-failures", "NSAID and duloxetine both failed", "tramadol as the next step", "002",
      birth="1963-08-08", gender="male", given="Tomasz", family="Wojcik")
def _(c):
    back = c.condition(*LBP, "2026-01-10")
    c.encounter("2026-11-12", back)
    c.med("naproxen500", "2026-02-01", "2026-04-01", status="stopped", dose=500, per_day=2, reason="no relief")
    c.med("duloxetine60", "2026-04-10", "2026-07-01", status="stopped", dose=60, per_day=1, reason="not tolerated: nausea")
    c.procedure(SCT, "229065009", "Exercise therapy", "2026-05-01")
    c.pain(7, "2026-02-01"); c.pain(7, "2026-11-12")
    c.odi(36, "2026-11-12")
    c.unrelated("2026-02-01")


@case("opioid-trial-last-resort", "Refractory chronic low back pain after NSAID, tramadol and two therapies", "an immediate-release opioid trial with a risk assessment", "002",
      birth="1960-10-19", gender="male", given="Samuel", family="Greene")
def _(c):
    back = c.condition(*LBP, "2025-11-01")
    c.encounter("2026-11-10", back)
    c.med("naproxen500", "2026-01-01", "2026-03-01", status="stopped", dose=500, per_day=2, reason="no relief")
    c.med("tramadol50", "2026-03-10", "2026-06-01", status="stopped", dose=50, per_day=3, reason="ineffective")
    c.procedure(SCT, "229065009", "Exercise therapy", "2026-04-01")
    c.procedure(CPT, "97810", "Acupuncture, 1 or more needles; without electrical stimulation", "2026-05-01")
    c.pain(8, "2026-01-01"); c.pain(8, "2026-11-10")
    c.odi(40, "2026-11-10")
    c.unrelated("2026-01-01")


@case("conservative-care-failed-radicular", "Sciatica for five months despite physiotherapy and an NSAID", "image-guided epidural injection; routine specialist referral overdue after three primary-care reviews; MRI", "003, 000",
      birth="1977-06-05", given="Elena", family="Rossi")
def _(c):
    sciatica = c.condition(*SCIATICA, "2026-06-15")
    for date in ["2026-06-20", "2026-08-18", "2026-10-20"]:
        c.encounter(date, sciatica, text="Primary care review of sciatica")
    c.procedure(SCT, "229065009", "Exercise therapy", "2026-07-20")
    c.med("ibuprofen600", "2026-06-20", "2026-09-01", status="stopped", dose=600, per_day=3, reason="no relief")
    c.pain(6, "2026-07-01"); c.pain(6, "2026-11-10")
    c.odi(32, "2026-11-10")
    c.unrelated("2026-06-20")


@case("radicular-compression-fracture", "Radicular pain from a lumbar compression fracture", "epidural injection at once, vertebral augmentation, urgent referral", "004",
      birth="1949-01-28", given="Margaret", family="Byrne")
def _(c):
    fracture = c.condition(SCT, "42942008", "Compression fracture of vertebral column", "2026-10-01")
    c.condition(*SCIATICA, "2026-10-01")
    c.encounter("2026-10-02", fracture, text="Sudden back pain radiating to the left leg after a fall")
    c.pain(8, "2026-10-02"); c.pain(8, "2026-11-18")
    c.med("acetaminophen500", "2026-10-02", dose=1000, per_day=3)
    c.unrelated("2026-10-02")


@case("progressive-foot-drop", "Severe sciatica with a worsening foot drop", "surgical evaluation as soon as possible, urgent specialist referral, MRI", "000, 002, 004",
      birth="1984-03-09", gender="male", given="Daniel", family="Kim")
def _(c):
    sciatica = c.condition(*SCIATICA, "2026-11-01")
    c.encounter("2026-11-02", sciatica)
    c.pain(9, "2026-11-02")
    c.obs("6077001", "Foot-drop", "2026-11-05", 4, system=SCT)
    c.obs("6077001", "Foot-drop", "2026-11-19", 2, system=SCT, interpretation="W")
    c.unrelated("2026-11-02")


@case("cauda-equina-syndrome", "Cauda equina syndrome", "emergency surgical evaluation (stat)", "002, 004",
      birth="1990-11-11", given="Sofia", family="Andersson")
def _(c):
    back = c.condition(*LBP, "2026-11-10")
    c.condition(SCT, "192970008", "Cauda equina syndrome", "2026-11-20")
    c.encounter("2026-11-20", back, text="Saddle anaesthesia and urinary retention since this morning")
    c.pain(8, "2026-11-20")
    c.unrelated("2026-11-20")


@case("nerve-root-entrapment-specialist", "Specialist clinic: nerve-root compression on MRI", "surgical consultation; a comprehensive biopsychosocial assessment in the specialist setting", "004, 000",
      birth="1972-07-27", gender="male", given="Ahmed", family="Hassan")
def _(c):
    sciatica = c.condition(*SCIATICA, "2026-08-01")
    c.encounter("2026-11-18", sciatica, specialist=True, text="Pain medicine clinic review")
    c.mri_report("2026-10-01", "L5-S1 disc extrusion with nerve root compression of the left S1 root.")
    c.med("gabapentin300", "2026-08-15", dose=300, per_day=3)
    c.procedure(SCT, "229065009", "Exercise therapy", "2026-09-01")
    c.pain(7, "2026-08-15"); c.pain(7, "2026-11-18")
    c.odi(42, "2026-11-18")
    c.unrelated("2026-08-15")


@case("failed-back-surgery-scs", "Failed back surgery syndrome, implant requested without a trial", "spinal cord stimulation trial; the implant request flagged", "000, 004",
      birth="1961-02-02", given="Patricia", family="Walsh")
def _(c):
    fbss = c.condition(SCT, "27151001", "Post-laminectomy syndrome", "2025-09-01")
    c.encounter("2026-11-05", fbss)
    c.med("gabapentin300", "2026-01-01", "2026-04-01", status="stopped", dose=300, per_day=3, reason="ineffective")
    c.request(CPT, "63685", "Insertion or replacement of spinal neurostimulator pulse generator", "2026-11-05")
    c.pain(7, "2026-01-01"); c.pain(7, "2026-11-05")
    c.odi(40, "2026-11-05")
    c.unrelated("2026-01-01")


@case("facet-radiofrequency", "Facet joint pain after a positive medial branch block", "radiofrequency denervation", "004",
      birth="1956-09-14", gender="male", given="George", family="Baker")
def _(c):
    back = c.condition(*LBP, "2025-10-01")
    c.encounter("2026-11-01", back)
    c.procedure(CPT, "64493", "Injection, paravertebral facet joint, lumbar or sacral, with image guidance; single level", "2026-10-15",
                note="Fluoroscopic medial branch block: 80% relief for 6 hours")
    c.procedure(SCT, "229065009", "Exercise therapy", "2026-03-01")
    c.med("naproxen500", "2026-02-01", dose=500, per_day=2)
    c.pain(6, "2026-02-01"); c.pain(6, "2026-11-01")
    c.odi(30, "2026-11-01")
    c.unrelated("2026-02-01")


@case("sacroiliac-radiofrequency", "Sacroiliac joint pain after a failed intra-articular injection", "sacroiliac radiofrequency", "004",
      birth="1970-05-05", given="Ingrid", family="Larsen")
def _(c):
    si = c.condition(SCT, "202487003", "Sacroiliac joint pain", "2025-12-01")
    c.encounter("2026-11-03", si)
    c.procedure(LOINC, "35927-3", "Sacroiliac joint injection", "2026-09-01", outcome=("385671000", "Unsuccessful"))
    c.procedure(SCT, "229065009", "Exercise therapy", "2026-03-01")
    c.pain(6, "2026-03-01"); c.pain(6, "2026-11-03")
    c.odi(26, "2026-11-03")
    c.unrelated("2026-03-01")


@case("neuropathic-gabapentinoids-failed", "Neuropathic pain after gabapentin and pregabalin failed", "a sodium-channel anticonvulsant", "000, 004",
      birth="1967-12-12", given="Yuki", family="Tanaka")
def _(c):
    np_ = c.condition(SCT, "247398009", "Neuropathic pain", "2026-01-15")
    c.encounter("2026-11-10", np_)
    c.med("gabapentin300", "2026-02-01", "2026-04-15", status="stopped", dose=300, per_day=3, reason="not tolerated: dizziness")
    c.med("pregabalin75", "2026-04-20", "2026-07-01", status="stopped", dose=75, per_day=2, reason="no relief")
    c.pain(7, "2026-02-01"); c.pain(7, "2026-11-10")
    c.unrelated("2026-02-01")


@case("opioid-and-benzodiazepine", "Oxycodone and diazepam without first-line treatment", "opioid and benzodiazepine warnings; risk assessment", "000, 002",
      birth="1975-03-03", gender="male", given="Marcus", family="Reed")
def _(c):
    back = c.condition(*LBP, "2026-02-01")
    c.encounter("2026-08-01", back); c.encounter("2026-11-15", back)
    c.med("oxycodone5", "2026-08-01", dose=5, per_day=3)
    c.med("diazepam5", "2026-09-01", dose=5, per_day=2)
    c.pain(6, "2026-08-01"); c.pain(6, "2026-11-15")
    c.unrelated("2026-08-01")


@case("extended-release-high-dose-oud", "Extended-release oxycodone and morphine, 120 MME/day, opioid use disorder", "extended-release start, high dose, and use-disorder warnings", "002",
      birth="1968-06-21", gender="male", given="Victor", family="Hale")
def _(c):
    back = c.condition(*LBP, "2025-06-01")
    c.condition(SCT, "75544000", "Opioid dependence", "2024-01-01")
    c.encounter("2026-11-02", back)
    c.med("oxycodoneER20", "2026-09-01", dose=20, per_day=2)
    c.med("morphine15", "2026-10-01", dose=15, per_day=4)
    c.procedure(SCT, "229065009", "Exercise therapy", "2026-06-01")
    c.pain(7, "2026-09-01"); c.pain(7, "2026-11-02")
    c.odi(50, "2026-11-02")
    c.unrelated("2026-09-01")


@case("nsaid-contraindicated-steroid", "Ibuprofen with eGFR 24, and prednisone for back pain", "NSAID contraindication and systemic corticosteroid warnings", "002",
      birth="1947-04-04", given="Dorothy", family="Ames")
def _(c):
    back = c.condition(*LBP, "2026-03-01")
    c.encounter("2026-11-08", back)
    c.med("ibuprofen800", "2026-09-01", dose=800, per_day=3)
    c.med("prednisone20", "2026-10-20", dose=20, per_day=1)
    c.obs("98979-8", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI 2021)",
          "2026-11-01", 24, "mL/min/{1.73_m2}")
    c.procedure(SCT, "229065009", "Exercise therapy", "2026-05-01")
    c.pain(6, "2026-09-01"); c.pain(5, "2026-11-08")
    c.unrelated("2026-09-01")


@case("acetaminophen-alone", "Chronic low back pain on acetaminophen alone", "acetaminophen monotherapy and missing non-pharmacological therapy", "002",
      birth="1980-10-10", given="Chloe", family="Martin")
def _(c):
    back = c.condition(*LBP, "2026-04-01")
    c.encounter("2026-06-01", back); c.encounter("2026-11-10", back)
    c.med("acetaminophen500", "2026-06-01", dose=1000, per_day=3)
    c.pain(6, "2026-06-01"); c.pain(6, "2026-11-10")
    c.odi(24, "2026-11-10")
    c.unrelated("2026-06-01")


@case("mri-without-red-flags-unguided-injection", "MRI ordered in primary care for axial pain; an injection without guidance", "MRI without red flags and unguided injection warnings", "000, 002, 004",
      birth="1986-01-30", gender="male", given="Noah", family="Fischer")
def _(c):
    back = c.condition(*LBP, "2026-05-01")
    c.encounter("2026-11-01", back)
    c.request(SCT, "394451000119106", "MRI of lumbar spine", "2026-11-01")
    c.procedure(SCT, "171787008", "Epidural injection of steroid", "2026-10-01")
    c.procedure(SCT, "229065009", "Exercise therapy", "2026-07-01")
    c.med("naproxen500", "2026-06-01", dose=500, per_day=2)
    c.pain(5, "2026-06-01"); c.pain(5, "2026-11-01")
    c.odi(22, "2026-11-01")
    c.unrelated("2026-06-01")


@case("mri-clinical-discordance", "Persistent sciatica, MRI without nerve-root compression", "re-check the reading and other pain generators", "004",
      birth="1978-08-18", given="Olivia", family="Brown")
def _(c):
    sciatica = c.condition(*SCIATICA, "2026-05-01")
    c.encounter("2026-11-04", sciatica)
    c.mri_report("2026-10-01", "Mild degenerative change at L4-L5; no nerve root compression.")
    c.med("gabapentin300", "2026-06-01", dose=300, per_day=3)
    c.procedure(SCT, "229065009", "Exercise therapy", "2026-07-01")
    c.pain(5, "2026-06-01"); c.pain(5, "2026-11-04")
    c.odi(30, "2026-11-04")
    c.unrelated("2026-06-01")


@case("tramadol-with-snri", "Tramadol with duloxetine", "serotonergic combination warning", "002",
      birth="1966-11-25", given="Fatima", family="Rahman")
def _(c):
    back = c.condition(*LBP, "2026-01-01")
    c.encounter("2026-11-09", back)
    c.med("tramadol50", "2026-10-01", dose=50, per_day=3)
    c.med("duloxetine60", "2026-08-01", dose=60, per_day=1)
    c.procedure(SCT, "229065009", "Exercise therapy", "2026-04-01")
    c.pain(6, "2026-08-01"); c.pain(4, "2026-11-09")
    c.odi(24, "2026-11-09")
    c.unrelated("2026-08-01")


@case("monthly-reorders", "Oxycodone and ibuprofen re-ordered every month", "four monthly orders are one course of 16 weeks: no functional gain on the opioid, ineffective medicines continued", "002",
      birth="1969-02-14", gender="male", given="Daniel", family="Moreau")
def _(c):
    back = c.condition(*LBP, "2025-12-01")
    c.encounter("2026-07-28", back)
    for start in ("2026-07-28", "2026-08-27", "2026-09-26", "2026-10-26"):
        c.med("oxycodone5", start, dose=5, per_day=4, supply=(30, 0))
        c.med("ibuprofen600", start, dose=600, per_day=3, supply=(30, 0))
    c.procedure(SCT, "229065009", "Exercise therapy", "2026-08-15")
    c.pain(7, "2026-07-28"); c.pain(7, "2026-11-18")
    c.odi(38, "2026-07-28"); c.odi(36, "2026-11-18")
    c.unrelated("2026-07-28")


@case("orders-left-active", "Oxycodone re-ordered for years without dosage; a benzodiazepine order six years old", "the opioid dose is unknown, not zero; the old chlordiazepoxide order is history, not active", "002",
      birth="1958-08-09", given="Brenda", family="Jackson")
def _(c):
    back = c.condition(*LBP, "2018-03-01")
    c.encounter("2026-10-01", back)
    for start in ("2025-08-01", "2025-11-01", "2026-02-01", "2026-05-01", "2026-08-01", "2026-11-01"):
        c.med("oxycodoneER60", start, supply=None)
        c.med("oxycodone10", start, supply=None)
    c.med("chlordiazepoxide25", "2020-06-15", supply=None)
    c.procedure(SCT, "229065009", "Exercise therapy", "2026-03-01")
    c.med("naproxen500", "2019-01-10", end="2019-04-10", status="completed", dose=500, per_day=2)
    c.unrelated("2026-10-01")


@case("patch-and-prn-range", "Fentanyl patch and oxycodone 5–10 mg every 4–6 hours as needed", "a patch's rate × patches applied and a PRN range at its most frequent: 150 MME/day", "002",
      birth="1963-04-30", given="Grace", family="Nakamura")
def _(c):
    back = c.condition(*LBP, "2024-05-01")
    c.encounter("2026-10-15", back)
    c.med("fentanyl25", "2026-09-01", dosage={
        "text": "1 patch every 72 hours", "timing": {"repeat": {"frequency": 1, "period": 72, "periodUnit": "h"}},
        "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "patch", "system": "http://terminology.hl7.org/CodeSystem/v3-orderableDrugForm", "code": "PATCH"}}]})
    c.med("oxycodone5", "2026-09-01", dosage={
        "text": "5-10 mg every 4-6 hours as needed for pain", "asNeededBoolean": True,
        "timing": {"repeat": {"frequency": 1, "period": 4, "periodMax": 6, "periodUnit": "h"}},
        "doseAndRate": [{"doseRange": {"low": {"value": 5, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"},
                                        "high": {"value": 10, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"}}}]})
    c.med("ibuprofen600", "2026-03-01", end="2026-06-01", status="stopped", dose=600, per_day=3, reason="ineffective")
    c.procedure(SCT, "229065009", "Exercise therapy", "2026-04-01")
    c.pain(7, "2026-09-01"); c.pain(6, "2026-11-10")
    c.unrelated("2026-09-01")


@case("cancer-pain-out-of-scope", "Breast cancer with back pain on extended-release oxycodone 180 MME/day", "out of the CDC guideline's scope: no opioid dose or duration warnings; naloxone and the PDMP still apply", "CDC 2022",
      birth="1961-12-03", given="Helen", family="Ward")
def _(c):
    back = c.condition(*LBP, "2026-01-10")
    c.condition(ICD, "C50.911", "Malignant neoplasm of unspecified site of right female breast", "2025-09-01")
    c.encounter("2026-10-20", back)
    c.med("oxycodoneER60", "2026-06-01", dose=60, per_day=2)
    c.pain(6, "2026-06-01"); c.pain(6, "2026-11-10")
    c.unrelated("2026-06-01")


@case("opioid-use-disorder-untreated", "Opioid use disorder, no buprenorphine or methadone", "medication for opioid use disorder offered", "CDC 2022",
      birth="1984-05-17", gender="male", given="Kevin", family="Doyle")
def _(c):
    back = c.condition(*LBP, "2026-09-15")
    c.condition(ICD, "F11.20", "Opioid dependence, uncomplicated", "2025-11-01")
    c.encounter("2026-11-12", back)
    c.pain(5, "2026-11-12")
    c.unrelated("2026-11-12")


@case("long-term-opioid-monitored", "Long-term oxycodone with PDMP, urine screen and treatment plan on record; sleep apnoea", "naloxone for sleep-disordered breathing; the monitoring already done is not asked again", "CDC 2022",
      birth="1957-02-22", gender="male", given="Robert", family="Ellis")
def _(c):
    back = c.condition(*LBP, "2024-02-01")
    c.condition(ICD, "G47.33", "Obstructive sleep apnea (adult) (pediatric)", "2023-05-01")
    c.encounter("2026-10-28", back)
    c.med("oxycodone10", "2026-03-01", dose=10, per_day=3)
    c.med("ibuprofen600", "2025-06-01", end="2025-09-01", status="stopped", dose=600, per_day=3, reason="ineffective")
    c.procedure(SCT, "229065009", "Exercise therapy", "2026-03-15")
    c.procedure(SCT, "461621000124108", "Review of prescription drug monitoring program record (procedure)", "2026-10-28")
    c.obs("19296-3", "Opiates tested for in Urine by Screen method Nominal", "2026-07-01")
    c.add("DocumentReference", {"status": "current", "type": c.cc(LOINC, "80764-4", "Pain medicine Plan of care note"),
                                "subject": c.subject(), "date": "2026-03-01T10:00:00Z",
                                "content": [{"attachment": {"contentType": "text/plain", "title": "Opioid treatment agreement"}}]})
    c.pain(6, "2026-03-01"); c.pain(4, "2026-10-28")
    c.unrelated("2026-03-01")


# What each case is about, declared by hand next to its input as samples/NAME.rules: the rules it
# must fire and the near misses it must not. `painpath replay` checks them besides the expected
# outputs, so a regenerated expectation cannot silently drop the point of a case.
DECLARED = {
    "acute-low-back-pain": (
        ["patient-education", "optimize-nsaid", "muscle-relaxant-short-course", "baseline-outcome-measures"],
        ["startback-screen", "exercise-therapy", "functional-goals", "refer-specialist-urgent", "mri-lumbar-spine",
         "opioid-trial-last-resort"]),
    "subacute-startback-medium": (
        ["refer-physiotherapy", "exercise-therapy", "patient-education"],
        ["self-management", "refer-physiotherapy-biopsychosocial", "startback-screen", "acupuncture",
         "functional-goals"]),
    "chronic-startback-low": (
        ["self-management", "patient-education", "functional-goals"],
        ["refer-physiotherapy-biopsychosocial", "refer-multidisciplinary-pain", "startback-screen",
         "ineffective-medication-continued"]),
    "chronic-startback-high-psychosocial": (
        ["refer-physiotherapy-biopsychosocial", "cognitive-behavioural-therapy", "refer-multidisciplinary-pain",
         "psychosocial-factors-unaddressed"],
        ["self-management", "startback-screen", "opioid-trial-last-resort"]),
    "multisite-neuropathic-back-pain": (
        ["start-gabapentinoid", "start-snri-or-tca", "topical-agent", "analgesic-monotherapy-neuropathic"],
        ["spinal-cord-stimulation-trial", "start-sodium-channel-anticonvulsant", "opioid-trial-last-resort",
         "start-tramadol"]),
    "chronic-refractory-to-initial-medicines": (
        ["start-duloxetine", "multidisciplinary-rehabilitation", "exercise-therapy"],
        ["start-tramadol", "opioid-trial-last-resort", "start-gabapentinoid"]),
    "duloxetine-titration": (
        ["titrate-duloxetine"],
        ["start-duloxetine", "start-tramadol", "opioid-trial-last-resort"]),
    "tramadol-after-failures": (
        ["start-tramadol"],
        ["start-duloxetine", "opioid-trial-last-resort", "serotonergic-combination"]),
    "opioid-trial-last-resort": (
        ["opioid-trial-last-resort", "opioid-risk-assessment"],
        ["opioid-extended-release-start", "opioid-first-line", "opioid-with-substance-use-disorder"]),
    "conservative-care-failed-radicular": (
        ["epidural-steroid-injection", "refer-specialist-routine", "referral-overdue",
         "repeated-primary-care-assessments", "mri-lumbar-spine"],
        ["refer-specialist-urgent", "refer-surgical-urgent", "injection-without-image-guidance"]),
    "radicular-compression-fracture": (
        ["epidural-steroid-injection", "vertebral-augmentation", "refer-specialist-urgent"],
        ["refer-surgical-urgent", "refer-specialist-routine"]),
    "progressive-foot-drop": (
        ["refer-surgical-urgent", "refer-specialist-urgent", "mri-lumbar-spine"],
        ["refer-specialist-routine", "epidural-steroid-injection"]),
    "cauda-equina-syndrome": (
        ["refer-surgical-urgent", "refer-specialist-urgent"],
        ["refer-specialist-routine", "referral-overdue", "exercise-therapy"]),
    "nerve-root-entrapment-specialist": (
        ["surgical-consultation", "specialist-biopsychosocial-assessment"],
        ["startback-screen", "mri-lumbar-spine", "mri-clinical-discordance"]),
    "failed-back-surgery-scs": (
        ["spinal-cord-stimulation-trial", "scs-implant-without-trial"],
        ["surgical-consultation", "radiofrequency-denervation"]),
    "facet-radiofrequency": (
        ["radiofrequency-denervation"],
        ["sacroiliac-radiofrequency", "spinal-cord-stimulation-trial", "injection-without-image-guidance"]),
    "sacroiliac-radiofrequency": (
        ["sacroiliac-radiofrequency"],
        ["radiofrequency-denervation", "injection-without-image-guidance"]),
    "neuropathic-gabapentinoids-failed": (
        ["start-sodium-channel-anticonvulsant", "start-snri-or-tca"],
        ["start-gabapentinoid", "patient-education"]),
    "opioid-and-benzodiazepine": (
        ["opioid-benzodiazepine", "benzodiazepine-for-pain", "opioid-first-line", "opioid-risk-assessment"],
        ["opioid-trial-last-resort", "opioid-with-substance-use-disorder"]),
    "extended-release-high-dose-oud": (
        ["opioid-extended-release-start", "opioid-high-dose", "opioid-with-substance-use-disorder"],
        ["opioid-trial-last-resort", "opioid-benzodiazepine"]),
    "nsaid-contraindicated-steroid": (
        ["nsaid-contraindicated", "systemic-corticosteroid-for-back-pain"],
        ["optimize-nsaid"]),
    "acetaminophen-alone": (
        ["acetaminophen-monotherapy", "medications-without-nonpharmacological"],
        ["analgesic-monotherapy-neuropathic", "opioid-trial-last-resort"]),
    "mri-without-red-flags-unguided-injection": (
        ["mri-without-red-flags", "injection-without-image-guidance"],
        ["mri-lumbar-spine", "mri-clinical-discordance"]),
    "mri-clinical-discordance": (
        ["mri-clinical-discordance"],
        ["mri-without-red-flags", "surgical-consultation", "mri-lumbar-spine"]),
    "tramadol-with-snri": (
        ["serotonergic-combination"],
        ["start-tramadol"]),
    "monthly-reorders": (
        ["opioid-without-functional-gain", "ineffective-medication-continued"],
        ["opioid-dose-unknown", "opioid-high-dose"]),
    "orders-left-active": (
        ["opioid-dose-unknown", "opioid-extended-release-start"],
        ["opioid-benzodiazepine", "benzodiazepine-for-pain", "opioid-high-dose"]),
    "patch-and-prn-range": (
        ["opioid-high-dose", "naloxone-offer", "pdmp-review"],
        ["opioid-dose-unknown"]),
    "cancer-pain-out-of-scope": (
        ["naloxone-offer", "pdmp-review"],
        ["opioid-high-dose", "opioid-first-line", "opioid-extended-release-start", "opioid-without-functional-gain",
         "urine-drug-testing", "opioid-treatment-agreement"]),
    "opioid-use-disorder-untreated": (
        ["moud-offer"],
        ["naloxone-offer", "opioid-with-substance-use-disorder", "pdmp-review"]),
    "long-term-opioid-monitored": (
        ["naloxone-offer"],
        ["pdmp-review", "urine-drug-testing", "opioid-treatment-agreement", "opioid-high-dose"]),
}


def rules_file(name):
    fire, quiet = DECLARED[name]
    return (f"# {name}: the rules this case must fire and must not fire (checked by painpath replay)\n"
            f"fire: {' '.join(fire)}\nquiet: {' '.join(quiet)}\n")


def fired_rules(expected_path):
    """The rule ids an expected output carries (request/activity canonicals, DetectedIssue codes)."""
    bundle = json.load(open(expected_path))
    rules = set()
    for entry in bundle["entry"]:
        resource = entry["resource"]
        for url in resource.get("instantiatesCanonical", []):
            if "/ActivityDefinition/" in url:
                rules.add(url.rsplit("/", 1)[1])
        for activity in resource.get("activity", []):
            for url in activity.get("detail", {}).get("instantiatesCanonical", []):
                rules.add(url.rsplit("/", 1)[1])
        if resource["resourceType"] == "DetectedIssue":
            rules.update(c["code"] for c in resource["code"]["coding"] if c["system"].endswith("/CodeSystem/detected-issue"))
    return rules


def main():
    import subprocess
    os.makedirs(OUT, exist_ok=True)
    for name, _title, _shows, _sources, c in CASES:
        with open(os.path.join(OUT, f"{name}.json"), "w") as f:
            json.dump(c.bundle(), f, indent=2, ensure_ascii=False)
            f.write("\n")
        with open(os.path.join(OUT, f"{name}.rules"), "w") as f:
            f.write(rules_file(name))
    # The XML twins and the expectations, with the painpath of this checkout.
    root = os.path.join(os.path.dirname(__file__), "..")
    subprocess.run(["swift", "build", "--product", "painpath"], cwd=root, check=True, stdout=subprocess.DEVNULL)
    binary = os.path.join(subprocess.run(["swift", "build", "--show-bin-path"], cwd=root, check=True, capture_output=True, text=True).stdout.strip(), "painpath")
    for name, *_ in CASES:
        xml = subprocess.run([binary, "convert", os.path.join(OUT, f"{name}.json"), "--to", "xml"], check=True, capture_output=True).stdout
        open(os.path.join(OUT, f"{name}.xml"), "wb").write(xml)
    subprocess.run([binary, "replay", OUT, "--update"], check=True, stdout=subprocess.DEVNULL)
    missing = [name for name, *_ in CASES if name not in DECLARED]
    if missing:
        raise SystemExit(f"declare the rules of: {', '.join(missing)}")
    rows, everywhere = [], set()
    for name, title, shows, sources, _ in CASES:
        rules = fired_rules(os.path.join(OUT, "expected", f"{name}.careplan.json"))
        everywhere |= rules
        rows.append(f"| `{name}` | {title}: {shows} | {sources} | {', '.join(f'`{r}`' for r in sorted(rules))} |")
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write(README_HEAD.format(count=len(CASES), rules=len(everywhere)) + "\n".join(rows) + "\n")
    print(f"{len(CASES)} cases written to {OUT}; {len(everywhere)} rule ids fire across them")


README_HEAD = """# Sample bundles

{count} cases, each as `NAME.json` and its XML twin `NAME.xml` (the same case in both encodings), with
the recommendation bundle PainPath produces for each in `expected/NAME.careplan.json` and
`expected/NAME.careplan.xml`. Together they cover the situations of the five source texts and fire
{rules} rule ids — every rule of the engine. Each case also declares, in `NAME.rules`, the rules it is
about (`fire:`) and the near misses it must not fire (`quiet:`), written by hand in the generator;
`painpath replay` checks them besides the expected outputs, so a regenerated expectation cannot
silently lose the point of a case.

They look like EHR exports: a Patient with an identifier and address, the organisation and
practitioner, encounters with narratives, conditions with clinical and verification status,
product-level RxNorm codes with dosage, several pain scores and ODI results over time, and resources
unrelated to pain (blood pressure, an immunization, a penicillin allergy — coded by text only, so
that no unverified code appears). Every case has a `Bundle.timestamp`, which is its *now*.

```sh
swift run painpath replay samples                 # exit 0: every decision as expected
swift run painpath explain samples/progressive-foot-drop.json
swift run painpath evaluate samples/cauda-equina-syndrome.xml
python3 scripts/generate-samples.py               # regenerate inputs, XML twins, expectations and this table
```

| case | what it shows | source texts | rules that fire |
|---|---|---|---|
"""


if __name__ == "__main__":
    main()
