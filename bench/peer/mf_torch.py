"""PyTorch peer of the kit's MF benchmark: the same model, data, init, optimiser and stopping rule
(CoLLM's MF: dot product, d=256, Adam lr 1e-3 wd 1e-4, batch 1024, valid-AUC early stopping), timed on
one CPU thread. Prints one JSON line. Run by bench/mf-train.js with Debian's /usr/bin/python3.
Reference: CoLLM baseline_train_mf_ood.py."""
import json
import sys
import time

import torch

from cf_common import auc, read_split


def read(path):
    """(user, item, label) tensors of a split; MF reads no history."""
    r = read_split(path, 0, 0)
    return r["user"], r["item"], r["label"]


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
