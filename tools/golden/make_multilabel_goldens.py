#!/usr/bin/python3
"""Writes tests/EcgExperiments.Evaluation.Tests/Golden/multilabel_goldens.json: seeded random multi-label inputs and the
values scikit-learn and numpy compute from them, which MultiLabelEvaluator must match to 1e-9.

Run with Debian's interpreter (apt-get install -y python3-sklearn):
    /usr/bin/python3 tools/golden/make_multilabel_goldens.py

Definitions computed here, independently of the C# code:
- per-label ROC-AUC / average precision: sklearn roc_auc_score / average_precision_score; macro = mean over labels where
  defined; micro = roc_auc_score(average="micro").
- F-max (Strodthoff et al. 2020, PTB-XL benchmark, after CAFA): thresholds np.arange(0, 1.01, 0.01); a label is predicted
  when score >= t; precision = nanmean over samples of TP/#predicted (NaN when nothing predicted); recall = mean over
  samples that carry at least one label of TP/#true; F = 2PR/(P+R); F-max = nanmax F (first maximum).
- per-label thresholds: the distinct validation score maximising the label's F1 (ties: the highest threshold);
  F1, precision, recall (zero_division=0), macro and micro F1 and Hamming loss from sklearn at those thresholds.
- prevalence baseline: training prevalence of each label as a constant score, evaluated the same way.
Scores are rounded to two decimals, so ties and scores equal to grid thresholds are plentiful.
"""
import json
import os

import numpy as np
import sklearn
from sklearn import metrics as M

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "EcgExperiments.Evaluation.Tests", "Golden", "multilabel_goldens.json")


def make_split(rng, n, prevalence, allow_empty):
    k = len(prevalence)
    y = rng.random((n, k)) < prevalence
    if not allow_empty:
        empty = ~y.any(axis=1)
        y[empty, rng.integers(0, k, size=empty.sum())] = True
    # scores: a noisy logit that leans towards the truth, squashed and rounded (ties, grid hits)
    z = rng.normal(-1.0 + 2.2 * y, 1.1)
    s = np.round(1 / (1 + np.exp(-z)), 2)
    return y, s


def f1_at(y, s, t):
    return M.f1_score(y, s >= t, zero_division=0)


def best_f1_threshold(y, s):
    if y.all() or not y.any():
        return 0.5, True
    best, best_t = -1.0, None
    for t in sorted(set(s.tolist()), reverse=True):  # descending: the first (highest) wins ties
        f = f1_at(y, s, t)
        if f > best + 1e-12:
            best, best_t = f, t
    return best_t, False


def fmax(y, s):
    grid = np.arange(0.00, 1.01, 0.01)
    best = (np.nan, None, None, None, None)
    for t in grid:
        pred = s >= t
        tp = (pred & y).sum(axis=1)
        npred = pred.sum(axis=1)
        ntrue = y.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            prec = np.where(npred > 0, tp / np.maximum(npred, 1), np.nan)
        rec = tp[ntrue > 0] / ntrue[ntrue > 0]
        if np.isnan(prec).all() or len(rec) == 0:
            continue
        p, r = np.nanmean(prec), rec.mean()
        if p + r == 0:
            continue
        f = 2 * p * r / (p + r)
        if np.isnan(best[0]) or f > best[0]:
            best = (f, float(t), p, r, float((npred > 0).mean()))
    if np.isnan(best[0]):
        return {"value": 0.0, "threshold": None, "precision": None, "recall": None, "coverage": None}
    return {"value": float(best[0]), "threshold": best[1], "precision": float(best[2]), "recall": float(best[3]), "coverage": best[4]}


def evaluate(yv, sv, yt, st):
    k = yt.shape[1]
    auc = [float(M.roc_auc_score(yt[:, l], st[:, l])) if 0 < yt[:, l].sum() < len(yt) else None for l in range(k)]
    ap = [float(M.average_precision_score(yt[:, l], st[:, l])) if yt[:, l].sum() > 0 else None for l in range(k)]
    thresholds, fallback = zip(*[best_f1_threshold(yv[:, l], sv[:, l]) for l in range(k)])
    pred = st >= np.array(thresholds)
    defined = [a for a in auc if a is not None]
    present = [a for a in ap if a is not None]
    return {
        "roc_auc": auc,
        "average_precision": ap,
        "macro_roc_auc": float(np.mean(defined)) if defined else None,
        "micro_roc_auc": float(M.roc_auc_score(yt, st, average="micro")),
        "macro_average_precision": float(np.mean(present)) if present else None,
        "fmax": fmax(yt, st),
        "thresholds": [float(t) for t in thresholds],
        "threshold_is_fallback": list(fallback),
        "f1": [float(v) for v in M.f1_score(yt, pred, average=None, zero_division=0)],
        "precision": [float(v) for v in M.precision_score(yt, pred, average=None, zero_division=0)],
        "recall": [float(v) for v in M.recall_score(yt, pred, average=None, zero_division=0)],
        "macro_f1": float(M.f1_score(yt, pred, average="macro", zero_division=0)),
        "micro_f1": float(M.f1_score(yt, pred, average="micro", zero_division=0)),
        "hamming_loss": float(M.hamming_loss(yt, pred)),
    }


def case(rng, name, prevalence, n_train, n_val, n_test, allow_empty, absent=None):
    k = len(prevalence)
    ytr, _ = make_split(rng, n_train, prevalence, allow_empty)
    yv, sv = make_split(rng, n_val, prevalence, allow_empty)
    yt, st = make_split(rng, n_test, prevalence, allow_empty)
    if absent is not None:  # no positive in validation (threshold falls back) nor in test (AUC undefined)
        yv[:, absent] = False
        yt[:, absent] = False
    prior = ytr.mean(axis=0)
    result = {
        "name": name,
        "labels": [f"L{l}" for l in range(k)],
        "train_targets": ytr.astype(int).tolist(),
        "val_targets": yv.astype(int).tolist(), "val_scores": sv.tolist(),
        "test_targets": yt.astype(int).tolist(), "test_scores": st.tolist(),
        "model": evaluate(yv, sv, yt, st),
        "prevalence": [float(p) for p in prior],
        "baseline": evaluate(yv, np.tile(prior, (len(yv), 1)), yt, np.tile(prior, (len(yt), 1))),
    }
    return result


def main():
    rng = np.random.default_rng(20240612)
    cases = [
        # PTB-XL-like: five labels, every sample labelled (the benchmark's setting)
        case(rng, "superdiagnostic_like", [0.44, 0.12, 0.25, 0.24, 0.22], 300, 120, 200, allow_empty=False),
        # samples without any label, and a label absent from validation and test (fallback threshold, undefined AUC)
        case(rng, "sparse_with_absent_label", [0.30, 0.05, 0.15, 0.40], 250, 100, 150, allow_empty=True, absent=1),
    ]
    doc = {"generator": f"scikit-learn {sklearn.__version__}, numpy {np.__version__}", "cases": cases}
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
    print(f"wrote {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
