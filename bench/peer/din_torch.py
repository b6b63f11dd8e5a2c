"""PyTorch peer of the kit's DIN (src/cf/din.ts) for `npm run bench:cf`: user, item and history tables
of width dEmb/3 (xavier-normal; history padding row fixed at 0); a local activation unit MLP over
[q, h, q-h, q*h] (Linear 4e->64, Dice, Linear 64->16, Linear 16->1; unnormalised weights, padding 0);
an output MLP over [e_item, pooled history, e_user] (Linear-Dice-dropout 200, 80, then 1). Dice(x) =
alpha*(1-p)*x + p*x, p = sigmoid(gain*x + shift). Adam lr 1e-4 wd 1e-4, batch 1024, valid-AUC early
stopping. Usage: python3 din_torch.py DATA_DIR CONFIG_JSON  (prints one JSON line).
Reference: Zhou et al., DIN (KDD 2018); CoLLM rec_base_models.py RecEncoder_DIN."""
import json
import math
import sys

import torch
import torch.nn.functional as F

from cf_common import fit


def xavier(n_in, n_out):
    return torch.nn.Parameter(torch.randn(n_in, n_out) * math.sqrt(2 / (n_in + n_out)))


class Dice(torch.nn.Module):
    def __init__(self, w):
        super().__init__()
        self.alpha, self.gain, self.shift = (torch.nn.Parameter(torch.full((w,), v)) for v in (0.0, 1.0, 0.0))

    def forward(self, x):
        p = torch.sigmoid(x * self.gain + self.shift)
        return self.alpha * (1 - p) * x + p * x


class MLP(torch.nn.Module):
    """Linear, then (Dice, dropout, Linear) per further width, as the kit's mlpVars/mlp."""

    def __init__(self, d_in, widths, p):
        super().__init__()
        dims = [d_in, *widths]
        self.w = torch.nn.ParameterList(xavier(dims[k], dims[k + 1]) for k in range(len(widths)))
        self.b = torch.nn.ParameterList(torch.nn.Parameter(torch.zeros(w)) for w in widths)
        self.dice = torch.nn.ModuleList(Dice(w) for w in widths[:-1])
        self.p = p

    def forward(self, x):
        y = x @ self.w[0] + self.b[0]
        for k in range(1, len(self.w)):
            y = F.dropout(self.dice[k - 1](y), self.p, self.training)
            y = y @ self.w[k] + self.b[k]
        return y


class DIN(torch.nn.Module):
    def __init__(self, cfg):
        super().__init__()
        e, self.n_items = cfg["dEmb"] // 3, cfg["nItems"]
        self.user, self.item = xavier(cfg["nUsers"], e), xavier(self.n_items, e)
        self.hist = xavier(self.n_items, e)
        self.attn = MLP(4 * e, cfg["attnHidden"], 0.0)  # no dropout in the attention unit
        self.attn_w, self.attn_b = xavier(cfg["attnHidden"][-1], 1), torch.nn.Parameter(torch.zeros(1))  # attn.out, right after the last Linear
        self.mlp = MLP(3 * e, [*cfg["mlpHidden"], 1], cfg["dropout"])

    def score(self, b, training):
        user, item = self.user[b["user"]], self.item[b["item"]]
        h = b["hist"]
        T = h.shape[1]
        table = torch.cat([self.hist, torch.zeros(1, self.hist.shape[1])])
        hist = table[h]  # [B, T, e]
        q = item.unsqueeze(1).expand(-1, T, -1)
        w = (self.attn(torch.cat([q, hist, q - hist, q * hist], -1)) @ self.attn_w + self.attn_b) * (h != self.n_items).float().unsqueeze(-1)
        pooled = (w * hist).sum(1)
        return self.mlp(torch.cat([item, pooled, user], -1)).view(-1)


def main():
    cfg = json.loads(sys.argv[2])
    torch.manual_seed(cfg["seed"])
    print(json.dumps(fit("din", DIN(cfg), sys.argv[1], cfg, cfg["maxHistory"])))


if __name__ == "__main__":
    main()
