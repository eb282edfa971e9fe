#!/usr/bin/env python3
"""Generates src/calendar/schemas_data.json from Google's Calendar v3 discovery document.

Usage: gen_schemas.py [DISCOVERY_JSON] [-o OUTPUT]   (OUTPUT "-" writes to stdout)
Defaults are relative to the repository root: ../shared/google/calendar-v3-discovery.json and
src/calendar/schemas_data.json.

The output keeps what a host needs to build typed requests and responses: every method's parameters
(with Google's descriptions and enum descriptions), its request and response schema names, and every
schema (properties, types, formats, descriptions, required-for annotations). Method ids lose the
"calendar." prefix; the annotations keep the ids as the document spells them. Keys are sorted, so the
file is stable and diffs stay readable (one method or schema per line).
"""

import argparse
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_INPUT = os.path.join(ROOT, "..", "shared", "google", "calendar-v3-discovery.json")
DEFAULT_OUTPUT = os.path.join(ROOT, "src", "calendar", "schemas_data.json")

PARAM_KEYS = ("type", "format", "location", "required", "repeated", "description", "enum",
              "enumDescriptions", "minimum", "maximum", "default", "deprecated", "pattern")
SCHEMA_KEYS = ("type", "format", "description", "properties", "items", "additionalProperties", "$ref",
               "annotations", "default", "enum", "enumDescriptions", "readOnly", "deprecated")
# Standard parameters the library lets callers pass on every method (as gen_methods.py).
STANDARD = ("fields", "prettyPrint", "quotaUser")


def collect(resources, out):
    for _, res in sorted(resources.items()):
        for _, m in sorted(res.get("methods", {}).items()):
            out.append(m)
        collect(res.get("resources", {}), out)


def schema_node(s):
    node = {k: s[k] for k in SCHEMA_KEYS if k in s}
    if "properties" in node:
        node["properties"] = {k: schema_node(v) for k, v in node["properties"].items()}
    for k in ("items", "additionalProperties"):
        if isinstance(node.get(k), dict):
            node[k] = schema_node(node[k])
    return node


def method_entry(m):
    e = {
        "description": m.get("description", ""),
        "parameterOrder": m.get("parameterOrder", []),
        "parameters": {k: {pk: p[pk] for pk in PARAM_KEYS if pk in p}
                       for k, p in m.get("parameters", {}).items()},
    }
    if "request" in m:
        e["request"] = m["request"]["$ref"]
    if "response" in m:
        e["response"] = m["response"]["$ref"]
    return e


def dump(v):
    return json.dumps(v, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("discovery", nargs="?", default=DEFAULT_INPUT)
    ap.add_argument("-o", "--output", default=DEFAULT_OUTPUT)
    args = ap.parse_args()

    with open(args.discovery, encoding="utf-8") as f:
        doc = json.load(f)
    methods = []
    collect(doc.get("resources", {}), methods)
    methods.sort(key=lambda m: m["id"])

    lines = ["{", f'"revision":{dump(doc.get("revision", "?"))},', '"standard_parameters":'
             + dump({k: {pk: p[pk] for pk in PARAM_KEYS if pk in p}
                     for k, p in sorted(doc.get("parameters", {}).items()) if k in STANDARD}) + ",", '"methods":{']
    for i, m in enumerate(methods):
        sep = "," if i + 1 < len(methods) else ""
        lines.append(f'{dump(m["id"].removeprefix("calendar."))}:{dump(method_entry(m))}{sep}')
    lines.append('},"schemas":{')
    names = sorted(doc.get("schemas", {}))
    for i, name in enumerate(names):
        sep = "," if i + 1 < len(names) else ""
        lines.append(f"{dump(name)}:{dump(schema_node(doc['schemas'][name]))}{sep}")
    lines.append("}}")
    text = "\n".join(lines) + "\n"

    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)


if __name__ == "__main__":
    main()
