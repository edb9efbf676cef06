#!/usr/bin/env python3
"""Write a ~1 MB FHIR R4 collection Bundle (JSON and its XML twin made by `painpath convert`) built
from the official examples in the corpus, for reader benchmarks until `painpath synth` exists.

Usage: scripts/make-bench-bundle.py CORPUS_DIR OUT.json [TARGET_BYTES]
Deterministic: the same corpus gives the same bundle (files in sorted order, ids numbered)."""
import json
import os
import sys

corpus, out = sys.argv[1], sys.argv[2]
target = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000
# Clinical resource types, as in a Synthea export.
wanted = {"Observation", "Condition", "Encounter", "MedicationRequest", "Procedure", "Patient",
          "AllergyIntolerance", "DiagnosticReport", "MedicationStatement", "ServiceRequest", "CarePlan",
          "Immunization", "QuestionnaireResponse", "ImagingStudy", "Claim"}
resources = []
for name in sorted(os.listdir(os.path.join(corpus, "json"))):
    with open(os.path.join(corpus, "json", name)) as f:
        resource = json.load(f)
    # Small clinical resources only (as in a Synthea export): no large embedded attachments.
    if resource.get("resourceType") in wanted and len(json.dumps(resource)) < 8000:
        resources.append(resource)
entries, size, n = [], 0, 0
while size < target:
    resource = dict(resources[n % len(resources)])
    resource["id"] = f"r{n}"
    entry = {"fullUrl": f"urn:uuid:00000000-0000-4000-8000-{n:012d}", "resource": resource}
    size += len(json.dumps(entry))
    entries.append(entry)
    n += 1
bundle = {"resourceType": "Bundle", "type": "collection", "timestamp": "2026-11-21T09:00:00Z", "entry": entries}
with open(out, "w") as f:
    json.dump(bundle, f, indent=1)
print(f"{out}: {os.path.getsize(out)} bytes, {len(entries)} entries")
