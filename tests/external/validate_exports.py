#!/usr/bin/env python3
"""Checks sitrep's machine-readable outputs with independent validators.

Run by .ci/run after `cargo test`: feedparser (Atom), Python's csv,
check-jsonschema (schemas against the metaschema, records against schemas,
and broken records rejected) and stix2-validator (the STIX bundle).

    python3 tests/external/validate_exports.py target/release/sitrep
"""
import csv
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

import feedparser
from stix2validator import ValidationOptions, validate_file

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/release/sitrep")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROJECTS = {
    "example": REPO,
    "time-rules": os.path.join(REPO, "tests/fixtures/valid/time-rules"),
    "hostile": os.path.join(REPO, "tests/fixtures/valid/hostile"),
    "claims": os.path.join(REPO, "tests/fixtures/valid/claims"),
}
failures = []


def fail(message):
    failures.append(message)
    print("FAIL", message)


def build(name, root, out):
    subprocess.run([BIN, "build", "--root", root, "--out", out], check=True, capture_output=True)


def check_project(name, root, out):
    build(name, root, out)
    incidents = json.load(open(os.path.join(out, "incidents.json")))["incidents"]
    feed = feedparser.parse(os.path.join(out, "feed.xml"))
    if feed.bozo:
        fail(f"{name}: feed.xml is not well-formed: {feed.bozo_exception}")
    # The 1,000 most recently updated incidents: by the entry's `updated`
    # (the latest moment its facts reach, never before its start nor after
    # as_of), then the latest start, then id.
    doc = json.load(open(os.path.join(out, "incidents.json")))
    as_of = doc["as_of"]
    started = {i["id"]: i["started"]["earliest"] for i in incidents}
    entries = [(e.link.rstrip("/").rsplit("/", 1)[-1], e.updated) for e in feed.entries]
    if len(entries) != min(len(incidents), 1000) or len({i for i, _ in entries}) != len(entries):
        fail(f"{name}: feed has {len(entries)} entries for {len(incidents)} incidents")
    for ident, updated in entries:
        if not (min(started[ident], as_of) <= updated <= as_of):
            fail(f"{name}: entry {ident} updated {updated}, outside its start {started[ident]} and as_of {as_of}")
    key = lambda e: (e[1], started[e[0]])
    ordered = sorted(entries, key=lambda e: e[0])
    ordered = sorted(ordered, key=key, reverse=True)
    if entries != ordered:
        fail(f"{name}: feed entries are not newest first by updated, then start, then id")
    with open(os.path.join(out, "incidents.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if [r["id"] for r in rows] != [i["id"] for i in incidents]:
        fail(f"{name}: incidents.csv rows differ from incidents.json")
    for row in rows:
        for key, cell in row.items():
            if cell and cell[0] in "=+-@":
                fail(f"{name}: CSV cell {key}={cell!r} would run as a formula")
    results = validate_file(os.path.join(out, "stix.json"), ValidationOptions(strict=False))
    if not results.is_valid:
        fail(f"{name}: stix.json is not valid STIX 2.1: {[e.message for r in results.object_results for e in r.errors]}")
    schema_dir = os.path.join(out, "schema")
    for schema in sorted(glob.glob(os.path.join(schema_dir, "*.schema.json"))):
        r = subprocess.run(["check-jsonschema", "--check-metaschema", schema], capture_output=True, text=True)
        if r.returncode:
            fail(f"{name}: {schema} fails the metaschema: {r.stdout}{r.stderr}")
    for kind, folder in [("incident", "incidents"), ("actor", "actors"), ("target", "targets"), ("campaign", "campaigns")]:
        files = sorted(glob.glob(os.path.join(root, "content", folder, "**", "*.yaml"), recursive=True))
        if files:
            r = subprocess.run(["check-jsonschema", "--schemafile", os.path.join(schema_dir, f"{kind}.schema.json"), *files],
                               capture_output=True, text=True)
            if r.returncode:
                fail(f"{name}: {kind} records fail their schema: {r.stdout}{r.stderr}")
    r = subprocess.run(["check-jsonschema", "--schemafile", os.path.join(schema_dir, "site.schema.json"),
                        os.path.join(root, "content", "site.yaml")], capture_output=True, text=True)
    if r.returncode:
        fail(f"{name}: site.yaml fails its schema: {r.stdout}{r.stderr}")
    return schema_dir


def check_schema_rejects(schema_dir):
    tmp = tempfile.mkdtemp()
    good = "title: x\nattack: [ddos]\ntargets: [t]\nstarted: 2024-08-25\n"
    bad = {
        "unknown-key.yaml": good + "strated: 2024\n",
        "unknown-attack.yaml": good.replace("ddos", "dos"),
        "bad-id.yaml": good.replace("[t]", "[Bad_Id]"),
        "bad-time.yaml": good.replace("2024-08-25", "25/08/2024"),
        "missing-title.yaml": good.replace("title: x\n", ""),
    }
    schema = os.path.join(schema_dir, "incident.schema.json")
    ok = os.path.join(tmp, "good.yaml")
    open(ok, "w").write(good)
    if subprocess.run(["check-jsonschema", "--schemafile", schema, ok], capture_output=True).returncode:
        fail("a good incident fails the schema")
    for name, text in bad.items():
        path = os.path.join(tmp, name)
        open(path, "w").write(text)
        if not subprocess.run(["check-jsonschema", "--schemafile", schema, path], capture_output=True).returncode:
            fail(f"the incident schema accepts {name}")
    shutil.rmtree(tmp)


def main():
    out_root = tempfile.mkdtemp()
    schema_dir = None
    for name, root in PROJECTS.items():
        schema_dir = check_project(name, root, os.path.join(out_root, name))
    check_schema_rejects(schema_dir)
    shutil.rmtree(out_root)
    if failures:
        sys.exit(f"{len(failures)} export check(s) failed")
    print(f"exports valid for {', '.join(PROJECTS)}")


if __name__ == "__main__":
    main()
