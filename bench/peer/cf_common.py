"""Shared parts of the PyTorch peers of `npm run bench:cf`: the CoLLM ML-1M split as the kit reads it
(0-based ids, history = the earlier positives of `his` without its leading 0, left-padded with the
index nItems), sklearn-style AUC, and the kit's training loop (pointwise BCE-with-logits, Adam with
coupled weight decay, one pass over a shuffled train split per epoch, valid-AUC early stopping).
Reference: src/cf/train.ts, src/core/train.ts (runEpochLoop), src/data/collm.ts, src/data/batching.ts."""
import gzip
import json
import time

import numpy as np
import torch


def read_split(path, n_items, max_len):
    """(user, item, label, hist) tensors; hist [n, max_len] int64, the last max_len items, padded in front with n_items."""
    u, i, y, h = [], [], [], []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            u.append(r["uid"] - 1)
            i.append(r["iid"] - 1)
            y.append(r["label"])
            his = [v - 1 for v in r["his"][1:]][-max_len:] if max_len > 0 else []
            h.append([n_items] * (max_len - len(his)) + his)
    hist = torch.tensor(h, dtype=torch.int64) if max_len > 0 else torch.zeros((len(u), 0), dtype=torch.int64)
    return {"user": torch.tensor(u), "item": torch.tensor(i), "label": torch.tensor(y, dtype=torch.float32), "hist": hist}


def auc(scores, labels):
    """ROC AUC with tied scores sharing their mean rank (sklearn semantics)."""
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels)
    order = np.argsort(s, kind="mergesort")
    sorted_s = s[order]
    # mean rank of each run of ties, vectorised
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_s)) + 1]
    ends = np.r_[starts[1:], len(s)]
    ranks = np.empty(len(s))
    ranks[order] = np.repeat((starts + ends - 1) / 2 + 1, ends - starts)
    n_pos = y.sum()
    n_neg = len(y) - n_pos
    return (ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def subset(split, idx):
    return {k: v[idx] for k, v in split.items()}


def fit(name, model, data_dir, cfg, max_len):
    """Train `model` (an nn.Module with score(batch, training) -> [B] logits) as the kit does; returns the result row."""
    torch.set_num_threads(cfg.get("threads", 1))
    n_items = cfg["nItems"]
    train = read_split(f"{data_dir}/train_ood2.jsonl.gz", n_items, max_len)
    valid = read_split(f"{data_dir}/valid_ood2.jsonl.gz", n_items, max_len)
    test = read_split(f"{data_dir}/test_ood2.jsonl.gz", n_items, max_len)
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"], weight_decay=cfg["weightDecay"])
    lossf = torch.nn.BCEWithLogitsLoss()
    max_epochs = cfg.get("benchEpochs") or cfg["maxEpochs"]
    best, best_epoch, bad, epochs, best_state = -1.0, -1, 0, 0, None
    t_start = time.perf_counter()
    time_to_best = 0.0
    n = len(train["label"])

    def score_all(split):
        model.eval()
        with torch.no_grad():
            out = torch.cat([model.score(subset(split, slice(s, s + cfg["evalBatchSize"])), False)
                             for s in range(0, len(split["label"]), cfg["evalBatchSize"])])
        model.train()
        return out.numpy()

    for epoch in range(max_epochs):
        perm = torch.randperm(n)
        for s in range(0, n, cfg["batchSize"]):
            b = subset(train, perm[s:s + cfg["batchSize"]])
            loss = lossf(model.score(b, True), b["label"])
            opt.zero_grad()
            loss.backward()
            opt.step()
        v = auc(score_all(valid), valid["label"].numpy())
        epochs += 1
        if v > best:
            best, best_epoch, bad = v, epoch, 0
            time_to_best = time.perf_counter() - t_start
            best_state = {k: t.clone() for k, t in model.state_dict().items()}
        else:
            bad += 1
            if bad >= cfg["patience"]:
                break
    total = time.perf_counter() - t_start
    model.load_state_dict(best_state)
    test_auc = auc(score_all(test), test["label"].numpy())
    return {"peer": f"PyTorch {torch.__version__} ({cfg.get('threads', 1)} CPU thread{'s' if cfg.get('threads', 1) > 1 else ''})",
            "model": name, "bestValidAuc": best, "bestEpoch": best_epoch, "epochs": epochs, "stoppedEarly": bad >= cfg["patience"],
            "secondsToBest": time_to_best, "secondsTotal": total, "secondsPerEpoch": total / epochs, "testAuc": test_auc}
