#!/usr/bin/env python3
"""Validates PainPath output bundles with an independent FHIR library, fhir.resources 6.5.0
(pydantic 1 models of FHIR R4B 4.3.0, the release after R4 4.0.1; the resources PainPath writes
have the same shape in both). Usage: validate-outputs.py FILE_OR_DIR...  Every *.json (and *.xml
when lxml is installed) is parsed as a Bundle and each entry's resource by its own model. Prints one
line per error and a summary; exits 1 on any error, 2 when given nothing to check."""
import json
import pathlib
import sys

from fhir.resources import get_fhir_model_class
from pydantic import ValidationError


def files(arguments):
    for argument in arguments:
        path = pathlib.Path(argument)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix in (".json", ".xml") and p.is_file())
        else:
            yield path


def check(path):
    if path.suffix == ".xml":
        try:
            import lxml  # noqa: F401
        except ImportError:
            return None
        data = path.read_bytes()
        klass = get_fhir_model_class("Bundle")
        klass.parse_raw(data, content_type="text/xml")
        return "Bundle"
    data = json.loads(path.read_bytes())
    kind = data.get("resourceType")
    if kind == "OperationOutcome":
        get_fhir_model_class("OperationOutcome").parse_obj(data)
        return kind
    get_fhir_model_class(kind).parse_obj(data)
    return kind


def main():
    checked = skipped = 0
    errors = []
    for path in files(sys.argv[1:]):
        try:
            if check(path) is None:
                skipped += 1
                continue
            checked += 1
        except (ValidationError, ValueError, KeyError, LookupError) as error:
            checked += 1
            errors.append(f"{path}: {error}")
    for line in errors:
        print(line)
    print(f"fhir.resources: {checked} file(s) checked, {len(errors)} with errors, {skipped} XML skipped (no lxml)")
    if checked == 0:
        return 2
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
