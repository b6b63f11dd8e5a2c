"""PyTorch peer of the kit's MF benchmark: the same model, data, init, optimiser and stopping rule
(CoLLM's MF: dot product, d=256, Adam lr 1e-3 wd 1e-4, batch 1024, valid-AUC early stopping), timed on
one CPU thread. Prints one JSON line. Run by bench/mf-train.js with Debian's /usr/bin/python3.
Reference: CoLLM baseline_train_mf_ood.py."""
import gzip
import json
import sys
import time

import numpy as np
import torch


def read(path):
    u, i, y = [], [], []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            u.append(r["uid"] - 1)
            i.append(r["iid"] - 1)
            y.append(r["label"])
    return torch.tensor(u), torch.tensor(i), torch.tensor(y, dtype=torch.float32)


def auc(scores, labels):
    """ROC AUC with tied scores sharing their mean rank (sklearn semantics)."""
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels)
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s))
    sorted_s = s[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    n_pos = y.sum()
    n_neg = len(y) - n_pos
    return (ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def main():
    cfg = json.loads(sys.argv[2])
    torch.set_num_threads(cfg.get("threads", 1))
    torch.manual_seed(cfg["seed"])
    d = sys.argv[1]
    tu, ti, ty = read(f"{d}/train_ood2.jsonl.gz")
    vu, vi, vy = read(f"{d}/valid_ood2.jsonl.gz")
    n_users, n_items = cfg["nUsers"], cfg["nItems"]
    U = torch.nn.Parameter(torch.randn(n_users, cfg["dEmb"]) * cfg["initStd"])
    I = torch.nn.Parameter(torch.randn(n_items, cfg["dEmb"]) * cfg["initStd"])
    opt = torch.optim.Adam([U, I], lr=cfg["lr"], weight_decay=cfg["weightDecay"])
    lossf = torch.nn.BCEWithLogitsLoss()
    best, best_epoch, bad, epochs = -1.0, -1, 0, 0
    t_start = time.perf_counter()
    time_to_best = 0.0
    n = len(ty)
    for epoch in range(cfg["maxEpochs"]):
        perm = torch.randperm(n)
        for s in range(0, n, cfg["batchSize"]):
            idx = perm[s:s + cfg["batchSize"]]
            logits = (U[tu[idx]] * I[ti[idx]]).sum(-1)
            loss = lossf(logits, ty[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            v = auc((U[vu] * I[vi]).sum(-1).numpy(), vy.numpy())
        epochs += 1
        if v > best:
            best, best_epoch, bad = v, epoch, 0
            time_to_best = time.perf_counter() - t_start
        else:
            bad += 1
            if bad >= cfg["patience"]:
                break
    total = time.perf_counter() - t_start
    print(json.dumps({"peer": f"PyTorch {torch.__version__} (1 CPU thread)", "bestValidAuc": best, "bestEpoch": best_epoch,
                      "epochs": epochs, "secondsToBest": time_to_best, "secondsTotal": total, "secondsPerEpoch": total / epochs}))


if __name__ == "__main__":
    main()
