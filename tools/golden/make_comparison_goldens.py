#!/usr/bin/python3
"""Writes tests/EcgExperiments.Evaluation.Tests/Golden/comparison_goldens.json: seeded inputs and the values that
scipy and statsmodels (independently of the C# code) give for the tests of a paired model comparison:

- McNemar's exact test: statsmodels.stats.contingency_tables.mcnemar(table, exact=True)
- Holm's step-down adjustment: statsmodels.stats.multitest.multipletests(p, method="holm")
- DeLong's test of two correlated ROC-AUCs: written out here from the definition in DeLong, DeLong & Clarke-Pearson
  (1988) with the O(m·n) pairwise kernel psi(x, y) = [x > y] + 1/2 [x = y] (the C# code uses midranks instead);
  p = 2 * scipy.stats.norm.sf(|z|); each AUC also checked against scipy.stats.mannwhitneyu's U / (m n)
- paired permutation test of a macro-F1 difference: scipy.stats.permutation_test(permutation_type="samples"),
  exact (all 2^n swaps), with macro F1 computed here from the confusion matrix in numpy
- Student t quantiles (interval of a mean over runs): scipy.stats.t.ppf

Run with Debian's interpreter (apt-get install -y python3-scipy python3-statsmodels):
    /usr/bin/python3 tools/golden/make_comparison_goldens.py
Scores sit on a coarse grid so ties are plentiful (tie handling matters for DeLong).
"""
import json
import os

import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "EcgExperiments.Evaluation.Tests", "Golden", "comparison_goldens.json")


def mcnemar_cases():
    cases = []
    for b, c in [(0, 0), (1, 0), (0, 1), (1, 5), (5, 1), (3, 3), (4, 5), (2, 9), (10, 25), (0, 7), (120, 160), (400, 455), (1, 1)]:
        # concordant cells do not enter the test; give them arbitrary counts to show that
        table = [[17, b], [c, 4]]
        r = mcnemar(table, exact=True)
        cases.append({"first_only": b, "second_only": c, "statistic": float(r.statistic), "p": float(r.pvalue)})
    return cases


def holm_cases(rng):
    fixed = [
        [0.01, 0.04, 0.03],
        [0.5, 0.5, 0.5, 0.5],
        [0.001, 0.2, 0.04, 0.04, 0.9],
        [0.3],
        [0.02, 0.01, 0.6, 0.0125, 0.013, 0.05],
    ]
    cases = []
    for p in fixed + [list(np.round(rng.random(8) ** 3, 4)) for _ in range(3)]:
        adj = multipletests(p, method="holm")[1]
        cases.append({"p": [float(x) for x in p], "adjusted": [float(x) for x in adj]})
    return cases


def psi(x, y):
    return (x[:, None] > y[None, :]).astype(float) + 0.5 * (x[:, None] == y[None, :])


def delong(y, s1, s2):
    pos = y == 1
    m, n = pos.sum(), (~pos).sum()
    v10, v01, auc = [], [], []
    for s in (s1, s2):
        k = psi(s[pos], s[~pos])  # m x n
        v10.append(k.mean(axis=1))
        v01.append(k.mean(axis=0))
        auc.append(k.mean())
        u = stats.mannwhitneyu(s[pos], s[~pos], alternative="two-sided", method="asymptotic").statistic
        assert abs(u / (m * n) - k.mean()) < 1e-12
    s10 = np.cov(np.vstack(v10))
    s01 = np.cov(np.vstack(v01))
    l = np.array([1.0, -1.0])
    var = l @ s10 @ l / m + l @ s01 @ l / n
    z = (auc[0] - auc[1]) / np.sqrt(var)
    return auc, float(np.sqrt(var)), float(z), float(2 * stats.norm.sf(abs(z)))


def delong_cases(rng):
    cases = []
    for name, n, prevalence, grid, corr in [
        ("small_ties", 30, 0.3, 10, 0.6),
        ("six_positives", 35, 0.17, 20, 0.5),
        ("medium", 200, 0.25, 50, 0.8),
        ("balanced_fine", 120, 0.5, 1000, 0.3),
        ("large_correlated", 600, 0.1, 100, 0.9),
    ]:
        y = (rng.random(n) < prevalence).astype(int)
        y[:2] = [1, 0]
        y[2:4] = [1, 0]
        common = rng.normal(size=n)
        s1 = np.round((0.9 * y + common + rng.normal(scale=1 - corr + 0.2, size=n)) * grid / 4) / grid
        s2 = np.round((0.6 * y + corr * common + rng.normal(scale=1.0, size=n)) * grid / 4) / grid
        auc, se, z, p = delong(y, s1, s2)
        cases.append({"name": name, "labels": [int(v) for v in y], "first": [float(v) for v in s1], "second": [float(v) for v in s2],
                      "first_auc": float(auc[0]), "second_auc": float(auc[1]), "standard_error": se, "z": z, "p": p})
    return cases


def macro_f1(y, pred, k):
    cm = np.zeros((k, k))
    for t, p in zip(y, pred):
        cm[t, p] += 1
    f1 = []
    for c in range(k):
        tp = cm[c, c]
        fp = cm[:, c].sum() - tp
        fn = cm[c, :].sum() - tp
        f1.append(0.0 if 2 * tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f1))


def permutation_cases(rng):
    cases = []
    for name, n, k, flip in [("binary_14", 14, 2, 0.35), ("three_class_13", 13, 3, 0.45), ("binary_few_discordant", 16, 2, 0.15), ("four_class_12", 12, 4, 0.5)]:
        y = rng.integers(0, k, size=n)
        a = np.where(rng.random(n) < 0.75, y, rng.integers(0, k, size=n))
        b = np.where(rng.random(n) < flip, rng.integers(0, k, size=n), a)
        res = stats.permutation_test((a, b), lambda x, z: macro_f1(y, x, k) - macro_f1(y, z, k), permutation_type="samples",
                                     vectorized=False, n_resamples=np.inf, alternative="two-sided")
        cases.append({"name": name, "classes": k, "labels": [int(v) for v in y], "first": [int(v) for v in a], "second": [int(v) for v in b],
                      "observed": float(res.statistic), "p": float(res.pvalue), "permutations": int(2 ** n)})
    return cases


def t_cases():
    return [{"p": p, "df": df, "quantile": float(stats.t.ppf(p, df))} for p, df in [(0.975, 1), (0.975, 2), (0.975, 5), (0.95, 3), (0.995, 17), (0.975, 120), (0.025, 4)]]


def main():
    rng = np.random.default_rng(20261206)
    golden = {
        "generator": f"tools/golden/make_comparison_goldens.py, scipy {scipy.__version__}, statsmodels {statsmodels.__version__}, numpy {np.__version__}",
        "mcnemar": mcnemar_cases(),
        "holm": holm_cases(rng),
        "delong": delong_cases(rng),
        "permutation": permutation_cases(rng),
        "student_t": t_cases(),
    }
    with open(OUT, "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
