"""PyTorch peer of the kit's LightGCN (src/cf/lightgcn.ts) for `npm run bench:cf`: embeddings N(0, 0.1^2),
K propagations over D^-1/2 A D^-1/2 of the distinct positive train pairs (users first), mean over layers
0..K, logit = <e_user, e_item>; Adam lr 1e-2 wd 1e-4, batch 1024, valid-AUC early stopping.
Usage: python3 lightgcn_torch.py DATA_DIR CONFIG_JSON  (prints one JSON line).
Reference: He et al., LightGCN (SIGIR 2020); CoLLM baseline_train_lightgcn_ood.py."""
import json
import sys
import warnings

import torch

from cf_common import fit, read_split

warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")


class LightGCN(torch.nn.Module):
    def __init__(self, cfg, train):
        super().__init__()
        nu, ni, d = cfg["nUsers"], cfg["nItems"], cfg["dEmb"]
        self.nu, self.k = nu, cfg["nLayers"]
        self.user = torch.nn.Parameter(torch.randn(nu, d) * cfg["initStd"])
        self.item = torch.nn.Parameter(torch.randn(ni, d) * cfg["initStd"])
        pos = train["label"] == 1
        pairs = torch.unique(train["user"][pos] * ni + train["item"][pos])
        u, i = pairs // ni, nu + pairs % ni
        deg = torch.bincount(torch.cat([u, i]), minlength=nu + ni).double()
        w = (1 / torch.sqrt(deg[u] * deg[i])).float()
        idx = torch.stack([torch.cat([i, u]), torch.cat([u, i])])  # row = destination, column = source
        self.adj = torch.sparse_coo_tensor(idx, torch.cat([w, w]), (nu + ni, nu + ni)).coalesce().to_sparse_csr()

    def propagate(self):
        h = torch.cat([self.user, self.item])
        acc = h
        for _ in range(self.k):
            h = self.adj @ h  # CSR SpMM; its backward is adj^T @ grad
            acc = acc + h
        return acc / (self.k + 1)

    def score(self, b, training):
        e = self.propagate()
        return (e[b["user"]] * e[self.nu + b["item"]]).sum(-1)


def main():
    cfg = json.loads(sys.argv[2])
    torch.manual_seed(cfg["seed"])
    train = read_split(f"{sys.argv[1]}/train_ood2.jsonl.gz", cfg["nItems"], 0)
    print(json.dumps(fit("lightgcn", LightGCN(cfg, train), sys.argv[1], cfg, 0)))


if __name__ == "__main__":
    main()
