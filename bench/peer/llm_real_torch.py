#!/usr/bin/env python3
"""PyTorch reference for `npm run bench:llm -- --shape ...` (bench/llm-real.js): a LLaMA/Qwen2 decoder of a
real model's shape (GQA, q/k/v biases for Qwen2, RMSNorm, half-split rope, SwiGLU, tied head) with random
frozen weights, scoring the "Yes" logit at the last position of left-aligned prompts. Timed: scoring, a
LoRA step (r=8, alpha=16, dropout 0.05 on q,v: TALLRec) and a per-sample-adapter step (W_ui [B, d, r]
per row, trainable P [r, out] on q,k,v,o, dropout 0.05: CoRA's LLM side), BCE on the Yes logit, Adam,
each step over the effective batch in micro-batches (gradients summed), like the kit.
Prints one JSON line: samples/s per step. Usage: python3 llm_real_torch.py '<json config>' (Debian's
/usr/bin/python3 with python3-torch)."""
import json, math, sys, time
import torch
import torch.nn.functional as Fn

cfg = json.loads(sys.argv[1])
torch.set_num_threads(cfg["threads"])
torch.manual_seed(0)
c = cfg["model"]
L, d, H, KV, F, V = c["numHiddenLayers"], c["hiddenSize"], c["numAttentionHeads"], c["numKeyValueHeads"], c["intermediateSize"], c["vocabSize"]
D = d // H
bias = c.get("modelType") == "qwen2"
T, B, MB, EB, r = cfg["seqLen"], cfg["batch"], cfg["microBatch"], cfg["evalBatch"], cfg["rank"]
theta = c.get("ropeTheta", 10000.0)

def w(*shape):
    return torch.randn(*shape) * 0.02

embed = w(V, d)
layers = [dict(n1=torch.ones(d), q=w(H * D, d), k=w(KV * D, d), v=w(KV * D, d), o=w(d, H * D),
               qb=torch.zeros(H * D) if bias else None, kb=torch.zeros(KV * D) if bias else None, vb=torch.zeros(KV * D) if bias else None,
               n2=torch.ones(d), g=w(F, d), u=w(F, d), dn=w(d, F)) for _ in range(L)]
norm = torch.ones(d)
inv = 1.0 / (theta ** (torch.arange(0, D, 2).float() / D))
ang = torch.arange(T).float()[:, None] * inv[None, :]
cos, sin = torch.cos(ang), torch.sin(ang)
mask = torch.full((T, T), float("-inf")).triu(1)
yes = 100

def rms(x, g):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * g

def rope(x):
    a, b = x[..., : D // 2], x[..., D // 2:]
    return torch.cat([a * cos - b * sin, b * cos + a * sin], -1)

def yes_logit(ids, adapt=None):
    n = ids.shape[0]
    x = embed[ids]
    for i, l in enumerate(layers):
        h = rms(x, l["n1"])
        def proj(name, inp, wt, b=None):
            y = Fn.linear(inp, wt, b)
            return adapt(i, name, inp, y) if adapt else y
        q = rope(proj("q", h, l["q"], l["qb"]).view(n, T, H, D).transpose(1, 2))
        k = rope(proj("k", h, l["k"], l["kb"]).view(n, T, KV, D).transpose(1, 2))
        v = proj("v", h, l["v"], l["vb"]).view(n, T, KV, D).transpose(1, 2)
        k, v = k.repeat_interleave(H // KV, 1), v.repeat_interleave(H // KV, 1)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(D) + mask, -1)
        x = x + proj("o", (att @ v).transpose(1, 2).reshape(n, T, H * D), l["o"])
        h = rms(x, l["n2"])
        x = x + (Fn.silu(h @ l["g"].t()) * (h @ l["u"].t())) @ l["dn"].t()
    return rms(x[:, -1], norm) @ embed[yes]

gen = torch.Generator().manual_seed(1)
ids = torch.randint(0, V, (B, T), generator=gen)
label = (torch.arange(B) % 2).float()

lora = {(i, m): (torch.nn.Parameter(w(r, d) * 50), torch.nn.Parameter(torch.zeros(d if m == "q" else KV * D, r))) for i in range(L) for m in ("q", "v")}
def lora_adapt(i, name, x, y):
    if (i, name) not in lora:
        return y
    a, b = lora[(i, name)]
    return y + (Fn.dropout(x, 0.05, True) @ a.t()) @ b.t() * (16 / r)
outs = {"q": H * D, "k": KV * D, "v": KV * D, "o": d}
P = {(i, m): torch.nn.Parameter(torch.zeros(r, outs[m])) for i in range(L) for m in ("q", "k", "v", "o")}
Wb = torch.randn(B, d, r, generator=gen) / math.sqrt(d)
cur = {}
def ps_adapt(i, name, x, y):
    if (i, name) not in P:
        return y
    return y + torch.bmm(Fn.dropout(x, 0.05, True), cur["W"]) @ P[(i, name)] * (16 / r)

def train_step(opt, adapt, per_sample, rows=B):
    opt.zero_grad()
    for s in range(0, rows, MB):
        sl = slice(s, min(B, s + MB))
        if per_sample:
            cur["W"] = Wb[sl]
        n = ids[sl].shape[0]
        loss = Fn.binary_cross_entropy_with_logits(yes_logit(ids[sl], adapt), label[sl]) * (n / B)
        loss.backward()
    opt.step()

def score(rows=B):
    with torch.no_grad():
        for s in range(0, rows, EB):
            yes_logit(ids[s:min(rows, s + EB)]).sum().item()

opt_l = torch.optim.Adam([p for ab in lora.values() for p in ab], lr=1e-4)
opt_p = torch.optim.Adam(list(P.values()), lr=1e-4)
# (warm-up on a few rows, the timed step over the effective batch), as bench/llm-real.js does
steps = {"score": (lambda: score(2), score), "lora": (lambda: train_step(opt_l, lora_adapt, False, MB), lambda: train_step(opt_l, lora_adapt, False)),
         "cora": (lambda: train_step(opt_p, ps_adapt, True, MB), lambda: train_step(opt_p, ps_adapt, True))}

def bench(warm, f, reps):
    warm()
    t0 = time.perf_counter()
    for _ in range(reps):
        f()
    return B * reps / (time.perf_counter() - t0)

out = {"peer": f"PyTorch {torch.__version__} ({cfg['threads']} thread{'s' if cfg['threads'] > 1 else ''})"}
for name in cfg["steps"]:
    out[name] = bench(*steps[name], cfg["reps"])
print(json.dumps(out))
