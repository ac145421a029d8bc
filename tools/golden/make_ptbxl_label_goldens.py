#!/usr/bin/python3
"""Writes tests/EcgExperiments.Data.Tests/Golden/ptbxl_label_goldens.json: the label sets the PTB-XL benchmark's
aggregation gives every record of the shared PTB-XL copy, for each of its six tasks.

Run with Debian's interpreter:
    /usr/bin/python3 tools/golden/make_ptbxl_label_goldens.py [ptbxl folder]   (default: $ECG_DATA_ROOT/ptbxl)

The aggregation follows the benchmark (Strodthoff et al. 2020, code/utils/utils.py, compute_label_aggregations and
select_data with min_samples = 0), re-written here with the standard library only:
- all: every scp_codes key; diagnostic: keys with diagnostic == 1; subdiagnostic / superdiagnostic: their
  diagnostic_subclass / diagnostic_class; form / rhythm: keys with form == 1 / rhythm == 1. Likelihoods are ignored.
- labels carried by no record are dropped (count > min_samples = 0); records left without a label are dropped;
  labels are sorted (MultiLabelBinarizer order).
"""
import ast
import csv
import json
import os
import sys
from collections import Counter

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "EcgExperiments.Data.Tests", "Golden", "ptbxl_label_goldens.json")


def main():
    root = os.environ.get("ECG_DATA_ROOT", os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data"))
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "ptbxl")
    with open(os.path.join(folder, "scp_statements.csv"), newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    statements = {r[0]: r for r in body}

    def flag(code, name):
        v = statements[code][col[name]]
        return v != "" and float(v) == 1.0

    def field(code, name):
        v = statements[code][col[name]]
        return v if v != "" else None

    with open(os.path.join(folder, "ptbxl_database.csv"), newline="") as f:
        records = [(int(float(r["ecg_id"])), ast.literal_eval(r["scp_codes"])) for r in csv.DictReader(f)]

    aggregations = {
        "all": lambda codes: set(codes),
        "diagnostic": lambda codes: {c for c in codes if flag(c, "diagnostic")},
        "subdiagnostic": lambda codes: {field(c, "diagnostic_subclass") for c in codes if flag(c, "diagnostic") and field(c, "diagnostic_subclass")},
        "superdiagnostic": lambda codes: {field(c, "diagnostic_class") for c in codes if flag(c, "diagnostic") and field(c, "diagnostic_class")},
        "form": lambda codes: {c for c in codes if flag(c, "form")},
        "rhythm": lambda codes: {c for c in codes if flag(c, "rhythm")},
    }
    presets = {}
    for task, aggregate in aggregations.items():
        sets = {ecg_id: aggregate(codes.keys()) for ecg_id, codes in records}
        counts = Counter(label for s in sets.values() for label in s)
        labels = sorted(label for label, n in counts.items() if n > 0)
        kept = {ecg_id: sorted(s) for ecg_id, s in sets.items() if s}
        presets[task] = {
            "labels": labels,
            "counts": [sum(1 for s in kept.values() if label in s) for label in labels],
            "dropped": len(records) - len(kept),
            "records": {str(k): v for k, v in kept.items()},
        }
    with open(OUT, "w") as f:
        json.dump({"records": len(records), "presets": presets}, f, indent=1, sort_keys=False)
    print(f"wrote {os.path.normpath(OUT)}: " + ", ".join(f"{t} {len(p['labels'])} labels / {len(p['records'])} records" for t, p in presets.items()))


if __name__ == "__main__":
    main()
