"""Write test/fixtures/cf/sasrec-din-goldens.json: forward passes of CoLLM's SASRec and RecEncoder_DIN
(eval mode) transcribed to float64 numpy, on random parameters named and shaped as src/cf/sasrec.ts
and src/cf/din.ts store them.

Run from the repository root with Debian's python3 (python3-numpy):
    /usr/bin/python3 scripts/golden/sasrec-din-goldens.py
Reference: zyang1580/CoLLM minigpt4/models/rec_base_models.py @ 66ddd4d (SASRec.log2feats / forward,
PointWiseFeedForward, LocalActivationUnit, AttentionSequencePoolingLayer, RecEncoder_DIN.forward and
all_encode); torch.nn.MultiheadAttention / LayerNorm semantics.
"""

import json
import os
import platform

import numpy as np

SEED = 20241122
OUT = os.path.join("test", "fixtures", "cf", "sasrec-din-goldens.json")
rng = np.random.default_rng(SEED)
N_USERS, N_ITEMS, MAX_HIST = 5, 12, 6
PAD = N_ITEMS  # the kit's padding index (CoLLM pads with 0)
# rows: full history (item 0 is a real item here), full, two padded, all padding
HIST = [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 0], [PAD, PAD, 3, 4, 5, 6], [PAD, PAD, PAD, PAD, PAD, 2], [PAD] * 6]
USERS = [0, 1, 2, 3, 4]
ITEMS = [3, 4, 5, 6, 0]


def randn(*shape):
    return rng.normal(0.0, 0.5, shape).astype(np.float32).astype(np.float64)


def layer_norm(x, w, b, eps=1e-8):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def sasrec_params(d, n_blocks):
    p = {"itemEmb": randn(N_ITEMS, d), "posEmb": randn(MAX_HIST, d)}
    for i in range(n_blocks):
        b = f"blocks.{i}"
        for name in ("attnNorm", "ffnNorm"):
            p[f"{b}.{name}.weight"] = 1 + randn(d)
            p[f"{b}.{name}.bias"] = randn(d)
        for name in ("attn.q", "attn.k", "attn.v", "attn.out", "ffn1", "ffn2"):
            p[f"{b}.{name}.weight"] = randn(d, d)  # [dIn, dOut]: y = x @ W + b
            p[f"{b}.{name}.bias"] = randn(d)
    p["lastNorm.weight"] = 1 + randn(d)
    p["lastNorm.bias"] = randn(d)
    return p


def sasrec_forward(p, n_heads, mask_padding):
    """CoLLM SASRec.forward(seqs, target) in eval mode; mask_padding=False is the official port."""
    hist = np.array(HIST)
    B, T = hist.shape
    d = p["itemEmb"].shape[1]
    dh = d // n_heads
    table = np.concatenate([p["itemEmb"], np.zeros((1, d))])
    pad = hist == PAD
    x = table[hist] * np.sqrt(d) + p["posEmb"][None, :T]
    x = x * (~pad)[..., None]
    n_blocks = len([k for k in p if k.endswith(".attnNorm.weight")])
    for i in range(n_blocks):
        b = f"blocks.{i}"
        q_in = layer_norm(x, p[f"{b}.attnNorm.weight"], p[f"{b}.attnNorm.bias"])
        q = q_in @ p[f"{b}.attn.q.weight"] + p[f"{b}.attn.q.bias"]
        k = x @ p[f"{b}.attn.k.weight"] + p[f"{b}.attn.k.bias"]
        v = x @ p[f"{b}.attn.v.weight"] + p[f"{b}.attn.v.bias"]
        o = np.zeros_like(x)
        for r in range(B):
            allowed = np.tril(np.ones((T, T), bool))
            if mask_padding:
                allowed = allowed & (~pad[r])[None, :]
            for h in range(n_heads):
                s = slice(h * dh, (h + 1) * dh)
                logits = np.where(allowed, q[r, :, s] @ k[r, :, s].T / np.sqrt(dh), -np.inf)
                logits[~allowed.any(-1)] = 0.0  # a query with no visible key: uniform weights
                w = np.exp(logits - logits.max(-1, keepdims=True))
                o[r, :, s] = (w / w.sum(-1, keepdims=True)) @ v[r, :, s]
        x = q_in + o @ p[f"{b}.attn.out.weight"] + p[f"{b}.attn.out.bias"]
        x = layer_norm(x, p[f"{b}.ffnNorm.weight"], p[f"{b}.ffnNorm.bias"])
        f = np.maximum(x @ p[f"{b}.ffn1.weight"] + p[f"{b}.ffn1.bias"], 0) @ p[f"{b}.ffn2.weight"] + p[f"{b}.ffn2.bias"]
        x = (f + x) * (~pad)[..., None]
    user = layer_norm(x, p["lastNorm.weight"], p["lastNorm.bias"])[:, -1]
    return user, (user * p["itemEmb"][ITEMS]).sum(-1)


def din_params(e, attn_hidden, mlp_hidden):
    p = {"userEmb": randn(N_USERS, e), "itemEmb": randn(N_ITEMS, e), "histEmb": randn(N_ITEMS, e)}

    def stack(prefix, d_in, widths):
        dims = [d_in] + list(widths)
        for k in range(len(widths)):
            p[f"{prefix}.{k}.weight"] = randn(dims[k], dims[k + 1])
            p[f"{prefix}.{k}.bias"] = randn(dims[k + 1])
            if k + 1 < len(widths):
                p[f"{prefix}.dice{k}.alpha"] = randn(dims[k + 1])
                p[f"{prefix}.dice{k}.gain"] = 1 + randn(dims[k + 1])
                p[f"{prefix}.dice{k}.shift"] = randn(dims[k + 1])

    stack("attn.fc", 4 * e, attn_hidden)
    p["attn.out.weight"] = randn(attn_hidden[-1], 1)
    p["attn.out.bias"] = randn(1)
    stack("mlp", 3 * e, list(mlp_hidden) + [1])
    return p


def din_forward(p, n_attn, n_mlp):
    """RecEncoder_DIN.forward without the final sigmoid; Dice's BatchNorm in its folded inference form."""

    def dice(prefix, x):
        gate = 1 / (1 + np.exp(-(x * p[f"{prefix}.gain"] + p[f"{prefix}.shift"])))
        return p[f"{prefix}.alpha"] * (1 - gate) * x + gate * x

    def fcl(prefix, x, n):
        y = x @ p[f"{prefix}.0.weight"] + p[f"{prefix}.0.bias"]
        for k in range(1, n):
            y = dice(f"{prefix}.dice{k - 1}", y) @ p[f"{prefix}.{k}.weight"] + p[f"{prefix}.{k}.bias"]
        return y

    hist = np.array(HIST)
    e = p["itemEmb"].shape[1]
    item, user = p["itemEmb"][ITEMS], p["userEmb"][USERS]
    h = np.concatenate([p["histEmb"], np.zeros((1, e))])[hist]
    q = np.repeat(item[:, None], hist.shape[1], 1)
    w = fcl("attn.fc", np.concatenate([q, h, q - h, q * h], -1), n_attn) @ p["attn.out.weight"] + p["attn.out.bias"]
    w = np.where((hist == PAD)[..., None], 0.0, w)  # masked_fill(mask, 0), no softmax
    enc = np.concatenate([item, (w * h).sum(1), user], -1)
    return enc, fcl("mlp", enc, n_mlp)[:, 0]


def tensors(p):
    return {k: {"shape": list(v.shape), "data": [float(x) for x in v.ravel()]} for k, v in p.items()}


def main():
    sas_cfg = {"dEmb": 8, "maxHistory": MAX_HIST, "nBlocks": 2, "nHeads": 2}
    sp = sasrec_params(8, 2)
    sasrec = {"config": sas_cfg, "params": tensors(sp)}
    for mask in (True, False):
        user, score = sasrec_forward(sp, 2, mask)
        sasrec["maskPadding" if mask else "officialPort"] = {"userRepr": [float(x) for x in user.ravel()], "score": [float(x) for x in score]}
    din_cfg = {"dEmb": 12, "maxHistory": MAX_HIST, "attnHidden": [8, 4], "mlpHidden": [10, 6]}
    dp = din_params(4, [8, 4], [10, 6])
    enc, score = din_forward(dp, 2, 3)
    out = {
        "_note": f"Generated by scripts/golden/sasrec-din-goldens.py (seed {SEED}) with Python {platform.python_version()}, numpy {np.__version__}; float64 forward of CoLLM's SASRec / RecEncoder_DIN in eval mode on float32-rounded parameters.",
        "nUsers": N_USERS, "nItems": N_ITEMS, "hist": HIST, "userIdx": USERS, "itemIdx": ITEMS,
        "sasrec": sasrec,
        "din": {"config": din_cfg, "params": tensors(dp), "userRepr": [float(x) for x in enc.ravel()], "score": [float(x) for x in score]},
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f)
        f.write("\n")


if __name__ == "__main__":
    main()
