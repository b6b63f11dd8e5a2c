#!/usr/bin/env python3
"""PyTorch reference for bench/llm-bench.js: the same LLaMA-style decoder (RMSNorm, half-split rope,
causal attention, SwiGLU, tied head), frozen base weights, timed for a forward pass (next-token loss),
a LoRA training step (r=8, alpha=16 on q and v) and a per-sample low-rank adapter step (W_b [B, d, r]
per sample, trainable P [r, out] on q, k, v, o). Prints one JSON line: tokens/s per step.
Usage: python3 llm_torch.py '<json config>'   (run by Debian's /usr/bin/python3 with python3-torch)"""
import json, math, sys, time
import torch

cfg = json.loads(sys.argv[1])
torch.set_num_threads(cfg["threads"])
torch.manual_seed(0)
L, d, H, F, V, T, B, r = cfg["nLayers"], cfg["dModel"], cfg["nHeads"], cfg["ffn"], cfg["vocab"], cfg["seqLen"], cfg["batch"], cfg["rank"]
D = d // H

def w(*shape):
    return torch.randn(*shape) * 0.02

embed = w(V, d)
layers = [dict(n1=torch.ones(d), q=w(d, d), k=w(d, d), v=w(d, d), o=w(d, d), n2=torch.ones(d), g=w(F, d), u=w(F, d), dn=w(d, F)) for _ in range(L)]
norm = torch.ones(d)
inv = 1.0 / (10000 ** (torch.arange(0, D, 2).float() / D))
ang = torch.arange(T).float()[:, None] * inv[None, :]
cos, sin = torch.cos(ang), torch.sin(ang)
mask = torch.full((T, T), float("-inf")).triu(1)

def rms(x, g):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * g

def rope(x):
    a, b = x[..., : D // 2], x[..., D // 2 :]
    return torch.cat([a * cos - b * sin, b * cos + a * sin], -1)

def forward(ids, adapt=None):
    x = embed[ids]
    for i, l in enumerate(layers):
        h = rms(x, l["n1"])
        def proj(name, inp, wt):
            y = inp @ wt.t()
            return adapt(i, name, inp, y) if adapt else y
        q = rope(proj("q", h, l["q"]).view(B, T, H, D).transpose(1, 2))
        k = rope(proj("k", h, l["k"]).view(B, T, H, D).transpose(1, 2))
        v = proj("v", h, l["v"]).view(B, T, H, D).transpose(1, 2)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(D) + mask, -1)
        x = x + proj("o", (att @ v).transpose(1, 2).reshape(B, T, d), l["o"])
        h = rms(x, l["n2"])
        g = h @ l["g"].t()
        x = x + (torch.nn.functional.silu(g) * (h @ l["u"].t())) @ l["dn"].t()
    return rms(x, norm) @ embed.t()

ids = torch.randint(0, V, (B, T + 1))
inp, tgt = ids[:, :T], ids[:, 1:]
loss_of = lambda logits: torch.nn.functional.cross_entropy(logits.reshape(-1, V), tgt.reshape(-1))

lora = {(i, m): (torch.nn.Parameter(w(r, d) * 50), torch.nn.Parameter(torch.zeros(d, r))) for i in range(L) for m in ("q", "v")}
def lora_adapt(i, name, x, y):
    if (i, name) not in lora:
        return y
    a, b = lora[(i, name)]
    return y + (x @ a.t()) @ b.t() * (16 / r)
P = {(i, m): torch.nn.Parameter(torch.zeros(r, d)) for i in range(L) for m in ("q", "k", "v", "o")}
Wb = torch.randn(B, d, r) / math.sqrt(d)
def ps_adapt(i, name, x, y):
    return y + torch.bmm(x, Wb) @ P[(i, name)] * (2 * r / r)

def bench(step, reps):
    step()
    t0 = time.perf_counter()
    for _ in range(reps):
        step()
    return B * T * reps / (time.perf_counter() - t0)

def fwd():
    with torch.no_grad():
        loss_of(forward(inp)).item()
opt_l = torch.optim.Adam([p for ab in lora.values() for p in ab], lr=1e-4)
def lora_step():
    opt_l.zero_grad(); l = loss_of(forward(inp, lora_adapt)); l.backward(); opt_l.step()
opt_p = torch.optim.Adam(list(P.values()), lr=1e-4)
def ps_step():
    opt_p.zero_grad(); l = loss_of(forward(inp, ps_adapt)); l.backward(); opt_p.step()

reps = cfg["reps"]
print(json.dumps({"peer": f"PyTorch {torch.__version__} ({cfg['threads']} thread{'s' if cfg['threads'] > 1 else ''})",
                  "forward": bench(fwd, reps), "lora": bench(lora_step, reps), "perSample": bench(ps_step, reps)}))
