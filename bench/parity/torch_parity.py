#!/usr/bin/python3
"""PyTorch side of the gradlab parity benchmark: trains the MLP / CNN of bench/parity on Fashion-MNIST.

Run with Debian's PyTorch (/usr/bin/python3, torch 1.13). Prints one JSON object per (model, seed)
on stdout: {"system": "pytorch", "model", "seed", "epochs", "testAcc", "testLoss", "seconds"}.
Data: the IDX files of Debian's dataset-fashion-mnist (read with numpy, scaled to [0, 1]).
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn

torch.set_num_threads(2)


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def find(folder, stem):
    for name in (stem + ".gz", stem):
        p = os.path.join(folder, name)
        if os.path.exists(p):
            return p
    sys.exit(f"torch_parity: {stem}[.gz] not found in {folder}")


def load(folder):
    def images(stem):
        return torch.from_numpy(read_idx(find(folder, stem)).astype(np.float32) / 255.0).unsqueeze(1)

    def labels(stem):
        return torch.from_numpy(read_idx(find(folder, stem)).astype(np.int64))

    return (
        images("train-images-idx3-ubyte"),
        labels("train-labels-idx1-ubyte"),
        images("t10k-images-idx3-ubyte"),
        labels("t10k-labels-idx1-ubyte"),
    )


def build(kind):
    if kind == "mlp":
        return nn.Sequential(
            nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)
        )
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10),
    )


def run(kind, seed, epochs, batch, lr, data):
    xtr, ytr, xte, yte = data
    torch.manual_seed(seed)
    model = build(kind)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(seed)
    t0 = time.time()
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(len(xtr), generator=gen)
        for i in range(0, len(xtr), batch):
            idx = perm[i : i + batch]
            opt.zero_grad()
            loss_fn(model(xtr[idx]), ytr[idx]).backward()
            opt.step()
    seconds = time.time() - t0
    model.eval()
    correct, total_loss = 0, 0.0
    with torch.no_grad():
        for i in range(0, len(xte), 1000):
            out = model(xte[i : i + 1000])
            total_loss += nn.functional.cross_entropy(out, yte[i : i + 1000], reduction="sum").item()
            correct += (out.argmax(1) == yte[i : i + 1000]).sum().item()
    return {
        "system": "pytorch",
        "model": kind,
        "seed": seed,
        "epochs": epochs,
        "testAcc": correct / len(xte),
        "testLoss": total_loss / len(xte),
        "seconds": round(seconds, 1),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", choices=["mlp", "cnn"], required=True)
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--data-path", default="/usr/share/datasets/fashion-mnist")
    args = ap.parse_args()
    data = load(args.data_path)
    for seed in [int(s) for s in args.seeds.split(",")]:
        print(json.dumps(run(args.model, seed, args.epochs, args.batch_size, args.lr, data)), flush=True)


if __name__ == "__main__":
    main()
