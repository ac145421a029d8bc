#!/usr/bin/python3
"""Writes tests/EcgExperiments.Evaluation.Tests/Golden/metric_goldens.json: seeded random inputs and
the values scikit-learn computes from them, which the C# metrics must match to 1e-9.

Run with Debian's interpreter (apt-get install -y python3-sklearn):
    /usr/bin/python3 tools/golden/make_metric_goldens.py
Inputs are written as exact float64 (or float32-representable) values, so both sides see the same data.
Probabilities sit on a coarse grid and scores are rounded, so ties are plentiful (sklearn's tie rules matter).
"""
import json
import os
import sys

import numpy as np
import sklearn
from sklearn import metrics as M

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "EcgExperiments.Evaluation.Tests", "Golden", "metric_goldens.json")


def fl(a):
    return [float(x) for x in np.asarray(a).ravel()]


def classification_case(rng, name, n, k, absent=None):
    y = rng.integers(0, k, size=n)
    if absent is not None:
        y[y == absent] = 0
    # multinomial counts + 1 over (20 + k): probabilities on a grid of 1/(20+k), so many ties
    counts = np.array([rng.multinomial(20, rng.dirichlet(np.ones(k) * 0.7)) for _ in range(n)]) + 1
    # make the true class likelier so metrics are not trivially ~chance
    counts[np.arange(n), y] += rng.integers(0, 12, size=n)
    p = counts / counts.sum(axis=1, keepdims=True)
    pred = p.argmax(axis=1)
    labels = list(range(k))
    prec, rec, f1, sup = M.precision_recall_fscore_support(y, pred, labels=labels, average=None, zero_division=0)
    case = {
        "name": name,
        "classes": k,
        "labels": [int(v) for v in y],
        "probabilities": [fl(r) for r in p],
        "confusion_matrix": M.confusion_matrix(y, pred, labels=labels).tolist(),
        "accuracy": float(M.accuracy_score(y, pred)),
        "balanced_accuracy": float(M.balanced_accuracy_score(y, pred)),
        "precision": fl(prec), "recall": fl(rec), "f1": fl(f1), "support": [int(s) for s in sup],
        "macro": fl(M.precision_recall_fscore_support(y, pred, labels=labels, average="macro", zero_division=0)[:3]),
        "weighted": fl(M.precision_recall_fscore_support(y, pred, labels=labels, average="weighted", zero_division=0)[:3]),
        "log_loss": float(M.log_loss(y, p, labels=labels)),
        "roc_auc_ovr": [float(M.roc_auc_score(y == c, p[:, c])) if 0 < (y == c).sum() < n else None for c in labels],
        "average_precision_ovr": [float(M.average_precision_score(y == c, p[:, c])) if (y == c).sum() > 0 else None for c in labels],
    }
    if absent is None:
        case["roc_auc_macro_ovr"] = float(M.roc_auc_score(y, p, multi_class="ovr", average="macro", labels=labels))
    return case


def binary_case(rng, n):
    y = (rng.random(n) < 0.3).astype(int)
    s = np.clip(np.round(rng.normal(0.35 + 0.3 * y, 0.2), 1), 0.05, 0.95)  # rounded: ties
    pred = (s >= 0.5).astype(int)
    prec, rec, f1, sup = M.precision_recall_fscore_support(y, pred, labels=[0, 1], average=None, zero_division=0)
    fpr, tpr, _ = M.roc_curve(y, s, drop_intermediate=True)
    pr_p, pr_r, pr_t = M.precision_recall_curve(y, s)
    return {
        "name": "binary_ties",
        "labels": [int(v) for v in y],
        "scores": fl(s),
        "confusion_matrix": M.confusion_matrix(y, pred, labels=[0, 1]).tolist(),
        "accuracy": float(M.accuracy_score(y, pred)),
        "balanced_accuracy": float(M.balanced_accuracy_score(y, pred)),
        "precision": fl(prec), "recall": fl(rec), "f1": fl(f1), "support": [int(v) for v in sup],
        "roc_auc": float(M.roc_auc_score(y, s)),
        "average_precision": float(M.average_precision_score(y, s)),
        "log_loss": float(M.log_loss(y, s)),
        "roc_fpr": fl(fpr), "roc_tpr": fl(tpr),
        # sklearn lists PR points by increasing threshold with a final (recall 0, precision 1) point
        "pr_precision": fl(pr_p[:-1][::-1]), "pr_recall": fl(pr_r[:-1][::-1]), "pr_thresholds": fl(pr_t[::-1]),
    }


def reconstruction_case(rng, n=6, leads=3, t=64):
    y = rng.normal(0, 1, size=(n, leads, t)).astype(np.float32)
    y[:, 2, :] = 0.25  # constant target lead: sklearn r2_score gives 0 for an imperfect prediction
    y[1, 1, :] = -0.5  # one constant record in lead 1: left out of the per-record Pearson mean
    p = (y + rng.normal(0, 0.3, size=y.shape)).astype(np.float32)
    y64, p64 = y.astype(np.float64), p.astype(np.float64)
    per_lead = []
    for l in range(leads):
        a, b = y64[:, l, :].ravel(), p64[:, l, :].ravel()
        rs = [float(np.corrcoef(y64[i, l], p64[i, l])[0, 1]) for i in range(n) if y64[i, l].std() > 0 and p64[i, l].std() > 0]
        per_lead.append({
            "mse": float(M.mean_squared_error(a, b)),
            "rmse": float(np.sqrt(M.mean_squared_error(a, b))),
            "r2": float(M.r2_score(a, b)),
            "pearson_mean_per_record": float(np.mean(rs)) if rs else None,
            "constant_records": n - len(rs),
        })
    return {
        "name": "reconstruction",
        "target": [[fl(y[i, l]) for l in range(leads)] for i in range(n)],
        "predicted": [[fl(p[i, l]) for l in range(leads)] for i in range(n)],
        "mse": float(M.mean_squared_error(y64.ravel(), p64.ravel())),
        "per_lead": per_lead,
    }


def main():
    rng = np.random.default_rng(20240611)
    doc = {
        "generator": "tools/golden/make_metric_goldens.py",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "multiclass": [classification_case(rng, "multiclass_4", 300, 4), classification_case(rng, "absent_class", 120, 4, absent=3)],
        "binary": binary_case(rng, 200),
        "reconstruction": reconstruction_case(rng),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes) with sklearn {sklearn.__version__}", file=sys.stderr)


if __name__ == "__main__":
    main()
