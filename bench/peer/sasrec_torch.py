"""PyTorch peer of the kit's SASRec (src/cf/sasrec.ts) for `npm run bench:cf`: item and position
embeddings N(0, 1) (padding row nItems fixed at 0), emb * sqrt(d) + position counted from the right,
dropout 0.2, 2 blocks of [LayerNorm(eps 1e-8) queries, causal attention over real (non-padding) keys,
residual from the normalised queries, LayerNorm, Linear-ReLU-Linear FFN with dropout, padding rows
zeroed], a final LayerNorm; the last position is the user vector (the last block computes only that
row, as the kit does) and logit = <user vector, e_item>. Adam lr 1e-2 wd 1e-2, batch 2048, valid-AUC
early stopping. Usage: python3 sasrec_torch.py DATA_DIR CONFIG_JSON  (prints one JSON line).
Reference: Kang & McAuley, SASRec (ICDM 2018); CoLLM rec_base_models.py SASRec."""
import json
import math
import sys

import torch
import torch.nn.functional as F

from cf_common import fit

LN_EPS = 1e-8
MASKED = -1e9


def uniform(shape, bound):
    return torch.nn.Parameter((torch.rand(shape) * 2 - 1) * bound)


class Block(torch.nn.Module):
    def __init__(self, d, n_heads):
        super().__init__()
        self.h = n_heads
        self.attn_norm = torch.nn.LayerNorm(d, eps=LN_EPS)
        self.ffn_norm = torch.nn.LayerNorm(d, eps=LN_EPS)
        b = math.sqrt(6 / (4 * d))  # xavier-uniform over the stacked [3d, d] in-projection
        self.wq, self.wk, self.wv = uniform((d, d), b), uniform((d, d), b), uniform((d, d), b)
        self.bq, self.bk, self.bv = (torch.nn.Parameter(torch.zeros(d)) for _ in range(3))
        self.wo, self.bo = uniform((d, d), 1 / math.sqrt(d)), torch.nn.Parameter(torch.zeros(d))
        self.ffn1, self.ffn2 = torch.nn.Linear(d, d), torch.nn.Linear(d, d)


class SASRec(torch.nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, self.n_items, self.t, self.p = cfg["dEmb"], cfg["nItems"], cfg["maxHistory"], cfg["dropout"]
        self.item = torch.nn.Embedding(self.n_items + 1, d, padding_idx=self.n_items)
        torch.nn.init.normal_(self.item.weight, 0, cfg["initStd"])
        with torch.no_grad():
            self.item.weight[self.n_items].zero_()
        self.pos = torch.nn.Parameter(torch.randn(self.t, d) * cfg["initStd"])
        self.blocks = torch.nn.ModuleList(Block(d, cfg["nHeads"]) for _ in range(cfg["nBlocks"]))
        self.last_norm = torch.nn.LayerNorm(d, eps=LN_EPS)
        self.mask_padding = cfg["maskPadding"]

    def attention(self, blk, q, x, mask_bias):
        B, T, d = x.shape
        Tq, h = q.shape[1], blk.h
        dh = d // h
        Q = (q @ blk.wq + blk.bq).view(B, Tq, h, dh).transpose(1, 2)
        K = (x @ blk.wk + blk.bk).view(B, T, h, dh).transpose(1, 2)
        V = (x @ blk.wv + blk.bv).view(B, T, h, dh).transpose(1, 2)
        w = torch.softmax(Q @ K.transpose(-1, -2) / math.sqrt(dh) + mask_bias, -1)
        w = F.dropout(w, self.p, self.training)
        o = (w @ V).transpose(1, 2).reshape(B, Tq, d)
        return o @ blk.wo + blk.bo

    def score(self, b, training):
        hist = b["hist"]
        B, T = hist.shape
        d = self.item.embedding_dim
        real = (hist != self.n_items).float()
        keep = real.unsqueeze(-1)
        x = self.item(hist) * math.sqrt(d) + self.pos[self.t - T:]
        x = F.dropout(x, self.p, self.training) * keep
        allowed = torch.tril(torch.ones(T, T)).view(1, 1, T, T)
        if self.mask_padding:
            allowed = allowed * real.view(B, 1, 1, T)
        mask_bias = (1 - allowed) * MASKED
        for k, blk in enumerate(self.blocks):
            q = blk.attn_norm(x)
            if k == len(self.blocks) - 1:  # only the last position is read
                q, mask_bias, keep = q[:, -1:], mask_bias[:, :, -1:], keep[:, -1:]
            x = q + self.attention(blk, q, x, mask_bias)
            x = blk.ffn_norm(x)
            f = F.dropout(blk.ffn1(x), self.p, self.training)
            f = F.dropout(blk.ffn2(torch.relu(f)), self.p, self.training)
            x = (f + x) * keep
        u = self.last_norm(x)[:, -1]
        return (u * self.item.weight[b["item"]]).sum(-1)


def main():
    cfg = json.loads(sys.argv[2])
    torch.manual_seed(cfg["seed"])
    print(json.dumps(fit("sasrec", SASRec(cfg), sys.argv[1], cfg, cfg["maxHistory"])))


if __name__ == "__main__":
    main()
