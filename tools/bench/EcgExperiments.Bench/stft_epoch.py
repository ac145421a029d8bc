"""PyTorch + numpy peer of one epoch of the SPEC 2.2 experiment (experiments/mitbih-stft-published.yaml), end to end,
written the way a careful Python user would: vectorised preprocessing (mitbih_images.beat_images), in-memory
tensors behind a DataLoader, no_grad inference, vectorised bootstrap.

  all 48 MIT-BIH records -> AAMI beats -> 64 x 64 STFT images (1 channel stored, replicated to the network's 3 per batch)
  -> random stratified beat-level split 0.67 / 0.1089 / 0.2211 -> STFT CNN, Adam lr 1e-3, batch 200, one epoch
  -> validation accuracy -> test predictions -> accuracy, per-class precision / recall / F1 / one-vs-rest ROC AUC,
  macro F1, with 1000-resample bootstrap 95 % intervals -> predictions.csv, metrics.json, model.pt

Usage: /usr/bin/python3 stft_epoch.py MITBIH_FOLDER OUTPUT_FOLDER [SEED]
Prints one JSON line: stage seconds, test accuracy, macro F1, peak RSS bytes.
"""
import json
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from mitbih_images import AAMI_CLASSES, beat_images
from seed_models import StftCnn


def stratified_split(labels, fractions, rng):
    parts = [[], [], []]
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        a = int(round(fractions[0] * len(idx)))
        b = a + int(round(fractions[1] * len(idx)))
        for part, chunk in zip(parts, (idx[:a], idx[a:b], idx[b:])):
            part.append(chunk)
    return [np.sort(np.concatenate(p)) for p in parts]


def predict(model, x, batch=200):
    model.eval()
    out = []
    with torch.no_grad():
        for (xb,) in DataLoader(TensorDataset(x), batch_size=batch):
            out.append(F.softmax(model(xb.expand(-1, 3, -1, -1)), 1))
    return torch.cat(out).numpy()


def confusion(y, p, k):
    return np.bincount(y * k + p, minlength=k * k).reshape(k, k)


def f1_scores(cm):
    tp = np.diag(cm).astype(float)
    precision = np.divide(tp, cm.sum(0), out=np.zeros_like(tp), where=cm.sum(0) > 0)
    recall = np.divide(tp, cm.sum(1), out=np.zeros_like(tp), where=cm.sum(1) > 0)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros_like(tp), where=precision + recall > 0)
    return precision, recall, f1


def weighted_auc(score, positive, w):
    """One-vs-rest ROC AUC for every row of resample weights w (R x N); ties count one half."""
    order = np.argsort(score, kind="stable")
    s, pos, w = score[order], positive[order], w[:, order]
    wn, wp = w * ~pos, w * pos
    below = np.cumsum(wn, axis=1) - wn  # negative weight strictly before (ties handled below)
    _, first, counts = np.unique(s, return_index=True, return_counts=True)
    group = np.repeat(np.arange(len(first)), counts)
    tied = np.add.reduceat(wn, first, axis=1)[:, group]
    below_group = below[:, first][:, group]
    auc = (wp * (below_group + 0.5 * tied)).sum(1)
    return auc / np.maximum(wp.sum(1) * wn.sum(1), 1e-12)


def main():
    folder, out = sys.argv[1], sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 42
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(seed)
    clock, stages = time.perf_counter(), {}

    images, labels, _ = beat_images(folder)
    stages["read_and_images"] = time.perf_counter() - clock

    t = time.perf_counter()
    train, val, test = stratified_split(labels, (0.6700, 0.1089, 0.2211), np.random.default_rng(seed))
    x = torch.from_numpy(images).unsqueeze(1)  # N x 1 x 64 x 64; the network's 3 channels are a per-batch view
    y = torch.from_numpy(labels)
    model = StftCnn()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loader = DataLoader(TensorDataset(x[train], y[train]), batch_size=200, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    model.train()
    for xb, yb in loader:
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(xb.expand(-1, 3, -1, -1)), yb).backward()
        opt.step()
    stages["train_epoch"] = time.perf_counter() - t

    t = time.perf_counter()
    val_accuracy = float((predict(model, x[val]).argmax(1) == labels[val]).mean())
    probabilities = predict(model, x[test])
    stages["predict"] = time.perf_counter() - t

    t = time.perf_counter()
    k, yt = len(AAMI_CLASSES), labels[test]
    pred = probabilities.argmax(1)
    cm = confusion(yt, pred, k)
    precision, recall, f1 = f1_scores(cm)
    onehot = yt[:, None] == np.arange(k)
    auc = [float(weighted_auc(probabilities[:, c], onehot[:, c], np.ones((1, len(yt))))[0]) for c in range(k)]
    rng = np.random.default_rng(seed)
    resamples = 1000
    boot_acc, boot_f1, boot_auc = [], [], []
    for start in range(0, resamples, 100):  # 100 resamples at a time bounds the weight matrix to ~10 MB per class
        idx = rng.integers(0, len(yt), size=(100, len(yt)))
        w = np.zeros((100, len(yt)), dtype=np.float32)
        np.add.at(w, (np.repeat(np.arange(100), len(yt)), idx.ravel()), 1)
        correct = pred == yt
        boot_acc.append((w * correct).sum(1) / len(yt))
        cms = np.stack([np.bincount(yt[r] * k + pred[r], minlength=k * k).reshape(k, k) for r in idx])
        boot_f1.append(np.array([f1_scores(c)[2].mean() for c in cms]))
        boot_auc.append(np.stack([weighted_auc(probabilities[:, c], onehot[:, c], w) for c in range(k)], 1))
    boot_acc, boot_f1, boot_auc = np.concatenate(boot_acc), np.concatenate(boot_f1), np.concatenate(boot_auc)
    ci = lambda v: [float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))]
    metrics = {
        "accuracy": float((pred == yt).mean()), "accuracy_ci": ci(boot_acc),
        "macro_f1": float(f1.mean()), "macro_f1_ci": ci(boot_f1),
        "per_class": {c: {"precision": float(precision[i]), "recall": float(recall[i]), "f1": float(f1[i]),
                          "roc_auc": auc[i], "roc_auc_ci": ci(boot_auc[:, i])} for i, c in enumerate(AAMI_CLASSES)},
        "confusion": cm.tolist(), "validation_accuracy": val_accuracy,
    }
    stages["evaluate"] = time.perf_counter() - t

    t = time.perf_counter()
    with open(os.path.join(out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
    np.savetxt(os.path.join(out, "predictions.csv"), np.column_stack([test, yt, probabilities]), delimiter=",",
               header="index,label," + ",".join(AAMI_CLASSES), comments="", fmt=["%d", "%d"] + ["%.6f"] * k)
    torch.save(model.state_dict(), os.path.join(out, "model.pt"))
    stages["write"] = time.perf_counter() - t

    print(json.dumps({"seconds": time.perf_counter() - clock, "stages": stages, "beats": int(len(labels)),
                      "accuracy": metrics["accuracy"], "macro_f1": metrics["macro_f1"],
                      "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))


if __name__ == "__main__":
    main()
