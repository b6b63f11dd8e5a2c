"""Write test/fixtures/metrics/goldens.json: reference values for src/metrics from scikit-learn and scipy.

Run from the repository root with Debian's python3 (python3-sklearn, python3-scipy, python3-numpy):
    /usr/bin/python3 scripts/golden/metrics-goldens.py
Reference: sklearn.metrics.roc_auc_score / log_loss; CoLLM uAUC_me (zyang1580/CoLLM,
minigpt4/tasks/rec_base_task.py @ 66ddd4d); DeLong et al. (1988); Sun & Xu (2014).
"""

import decimal
import json
import math
import os
import platform

import numpy as np
import scipy
import scipy.stats
import sklearn
from sklearn.metrics import log_loss, roc_auc_score

SEED = 20240501
OUT = os.path.join("test", "fixtures", "metrics", "goldens.json")
rng = np.random.default_rng(SEED)


def fl(a):
    return [float(x) for x in a]


def auc_cases():
    cases = []
    # continuous scores, no ties
    y = rng.integers(0, 2, 200)
    s = rng.normal(size=200) + 0.8 * y
    cases.append(("continuous-n200", y, s))
    # scores rounded to one decimal: many ties across classes
    y = rng.integers(0, 2, 300)
    s = np.round(rng.uniform(size=300) * 0.6 + 0.4 * y, 1)
    cases.append(("rounded-ties-n300", y, s))
    # five score levels, imbalanced labels (about 10% positives)
    y = (rng.uniform(size=500) < 0.1).astype(int)
    s = rng.integers(0, 5, 500) + y * rng.integers(0, 2, 500)
    cases.append(("five-levels-imbalanced-n500", y, s.astype(float)))
    # all scores tied: AUC 0.5
    y = rng.integers(0, 2, 50)
    y[0], y[1] = 0, 1
    cases.append(("all-tied-n50", y, np.full(50, 0.3)))
    return [
        {"name": n, "labels": [int(v) for v in y], "scores": fl(s), "auc": float(roc_auc_score(y, s))}
        for n, y, s in cases
    ]


def exact_logit_loss(labels, logits):
    # mean of log(1 + exp(z)) - y z in 60-digit decimal arithmetic: independent of the float formula
    ctx = decimal.Context(prec=60)
    total = decimal.Decimal(0)
    for y, z in zip(labels, logits):
        dz = decimal.Decimal(float(z))
        total += ctx.ln(1 + ctx.exp(dz)) - int(y) * dz
    return float(total / len(labels))


def logloss_cases():
    n = 400
    y = rng.integers(0, 2, n)
    p = 1 / (1 + np.exp(-(rng.normal(size=n) * 2 + (2 * y - 1))))
    y_ext = y.copy()
    p_ext = p.copy()
    # extreme rows that hit the clip: exact 0 and 1, both right and wrong, and values within eps
    p_ext[:8] = [0.0, 1.0, 0.0, 1.0, 1e-9, 1 - 1e-9, 3e-8, 1 - 3e-8]
    y_ext[:8] = [0, 1, 1, 0, 1, 0, 0, 1]
    z = rng.normal(size=n) * 4
    z_ext = z.copy()
    z_ext[:6] = [40.0, -40.0, 750.0, -750.0, 35.5, -0.0]
    return {
        "probs": {
            "labels": [int(v) for v in y],
            "probs": fl(p),
            "sklearn_eps_auto_float64": float(log_loss(y, p)),
            "sklearn_eps_1e-7": float(log_loss(y, p, eps=1e-7)),
        },
        "probsExtreme": {
            "labels": [int(v) for v in y_ext],
            "probs": fl(p_ext),
            "sklearn_eps_auto_float64": float(log_loss(y_ext, p_ext)),
            "sklearn_eps_1e-7": float(log_loss(y_ext, p_ext, eps=1e-7)),
            "sklearn_eps_auto_float32": float(log_loss(y_ext, p_ext.astype(np.float32))),
            "float32_eps": float(np.finfo(np.float32).eps),
        },
        "logits": {
            "labels": [int(v) for v in y],
            "logits": fl(z),
            "sklearn_on_sigmoid_float64": float(log_loss(y, 1 / (1 + np.exp(-z)))),
        },
        "logitsExtreme": {
            "labels": [int(v) for v in y],
            "logits": fl(z_ext),
            "decimal60": exact_logit_loss(y, z_ext),
        },
    }


def uauc_me_semantics(users, predict, label):
    # Same rules as CoLLM's uAUC_me (re-written, not copied): users in numpy.unique order; a user with one
    # row is dropped; roc_auc_score per remaining user, a ValueError (one class) drops the user; plain mean.
    uniq, inverse, counts = np.unique(users, return_inverse=True, return_counts=True)
    per_user, counted, n_single_row, n_single_class = [], [], 0, 0
    for k, u in enumerate(uniq):
        rows = np.nonzero(inverse == k)[0]
        if counts[k] == 1:
            n_single_row += 1
            continue
        try:
            per_user.append(roc_auc_score(label[rows], predict[rows]))
            counted.append(u)
        except ValueError:
            n_single_class += 1
    aucs = np.array(per_user)
    weights = np.array([counts[list(uniq).index(u)] for u in counted])
    return {
        "uauc": float(aucs.mean()),
        "weightedUauc": float((aucs * weights).sum() / weights.sum()),
        "nUsers": len(counted),
        "nSingleRow": n_single_row,
        "nSingleClass": n_single_class,
        "countedUsers": [int(u) for u in counted],
        "perUserAuc": fl(aucs),
    }


def uauc_case():
    n_users = 60
    rows_per_user = rng.integers(1, 25, n_users)
    users, labels, scores = [], [], []
    for u, m in enumerate(rows_per_user):
        uid = int(u * 7 + 3)  # sparse, non-contiguous ids
        rate = rng.choice([0.0, 1.0, 0.3, 0.5, 0.7])  # some users get a single class
        y = (rng.uniform(size=m) < rate).astype(int)
        s = np.round(rng.uniform(size=m) + 0.3 * y, 1)  # ties inside users
        users += [uid] * int(m)
        labels += list(y)
        scores += list(s)
    perm = rng.permutation(len(users))  # rows of a user are not contiguous
    users = np.array(users)[perm]
    labels = np.array(labels)[perm]
    scores = np.array(scores)[perm]
    expected = uauc_me_semantics(users, scores, labels)
    return {
        "users": [int(v) for v in users],
        "labels": [int(v) for v in labels],
        "scores": fl(scores),
        **expected,
        "auc": float(roc_auc_score(labels, scores)),
    }


def delong_fast(y, a, b):
    # Sun & Xu (2014) midrank algorithm, midranks from scipy.stats.rankdata
    pos, neg = y == 1, y == 0
    m, n = int(pos.sum()), int(neg.sum())
    v10s, v01s, aucs = [], [], []
    for s in (a, b):
        tz = scipy.stats.rankdata(np.concatenate([s[pos], s[neg]]))
        tx = scipy.stats.rankdata(s[pos])
        ty = scipy.stats.rankdata(s[neg])
        aucs.append((tz[:m].sum() - m * (m + 1) / 2) / (m * n))
        v10s.append((tz[:m] - tx) / n)
        v01s.append(1 - (tz[m:] - ty) / m)
    s = np.cov(np.array(v10s)) / m + np.cov(np.array(v01s)) / n
    var = s[0, 0] + s[1, 1] - 2 * s[0, 1]
    return aucs, var


def delong_slow(y, a, b):
    # DeLong et al. (1988) placement values by brute force over all m x n pairs
    pos, neg = y == 1, y == 0
    m, n = int(pos.sum()), int(neg.sum())
    v10s, v01s, aucs = [], [], []
    for s in (a, b):
        x, z = s[pos][:, None], s[neg][None, :]
        psi = (x > z) + 0.5 * (x == z)
        aucs.append(psi.mean())
        v10s.append(psi.mean(axis=1))
        v01s.append(psi.mean(axis=0))
    s10 = np.cov(np.array(v10s))
    s01 = np.cov(np.array(v01s))
    var = (s10[0, 0] + s10[1, 1] - 2 * s10[0, 1]) / m + (s01[0, 0] + s01[1, 1] - 2 * s01[0, 1]) / n
    return aucs, var


def delong_cases():
    cases = []
    for name, n, tie_round, strength_b in [
        ("continuous-n300", 300, None, 0.6),
        ("ties-n400", 400, 1, 0.9),
        ("small-n30", 30, 1, 0.2),
    ]:
        y = rng.integers(0, 2, n)
        common = rng.normal(size=n)
        a = common + 1.0 * y + 0.5 * rng.normal(size=n)
        b = common + strength_b * y + 0.5 * rng.normal(size=n)
        if tie_round is not None:
            a, b = np.round(a, tie_round), np.round(b, tie_round)
        (auc_a, auc_b), var = delong_fast(y, a, b)
        (sa, sb), svar = delong_slow(y, a, b)
        assert abs(auc_a - sa) < 1e-12 and abs(auc_b - sb) < 1e-12 and abs(var - svar) < 1e-12
        assert abs(auc_a - roc_auc_score(y, a)) < 1e-12 and abs(auc_b - roc_auc_score(y, b)) < 1e-12
        z = (auc_a - auc_b) / math.sqrt(var)
        cases.append({
            "name": name,
            "labels": [int(v) for v in y],
            "scoresA": fl(a),
            "scoresB": fl(b),
            "aucA": float(auc_a),
            "aucB": float(auc_b),
            "variance": float(var),
            "z": float(z),
            "pValue": float(2 * scipy.stats.norm.sf(abs(z))),
        })
    return cases


def normal_table():
    xs = [-8.0, -5.0, -3.0, -1.96, -1.0, -0.5, -1e-3, 0.0, 1e-3, 0.3, 0.5, 1.0, 1.6448536269514722, 1.96, 2.5, 3.0, 4.0, 6.0, 8.0]
    return [
        {"x": x, "erf": math.erf(x), "erfc": math.erfc(x), "normalCdf": float(scipy.stats.norm.cdf(x))}
        for x in xs
    ]


def main():
    data = {
        "_note": (
            "Generated by scripts/golden/metrics-goldens.py (seed %d) with Debian python3 %s, numpy %s, "
            "scikit-learn %s, scipy %s. AUC: sklearn.metrics.roc_auc_score. Log loss: sklearn.metrics.log_loss "
            "(sklearn >= 1.2 clips at np.finfo(dtype).eps by default; eps=1e-7 passed explicitly), extreme logits "
            "in 60-digit decimal arithmetic. UAUC: CoLLM uAUC_me rules re-implemented over sklearn roc_auc_score. "
            "DeLong: Sun & Xu midrank algorithm (scipy.stats.rankdata) checked against the O(mn) DeLong 1988 "
            "placement values to 1e-12; p-value from scipy.stats.norm.sf. erf/erfc: Python math; Phi: scipy."
        ) % (SEED, platform.python_version(), np.__version__, sklearn.__version__, scipy.__version__),
        "auc": auc_cases(),
        "logloss": logloss_cases(),
        "uauc": uauc_case(),
        "delong": delong_cases(),
        "normal": normal_table(),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
