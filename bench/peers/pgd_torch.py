#!/usr/bin/python3
"""PyTorch side of bench/pgd.ts: L-infinity PGD without random start, as torchattacks 3.4 defines it
(attacks/pgd.py, written out; no torchattacks install needed), on the same CNN, weights and inputs.
Usage: pgd_torch.py '<spec json>'. Prints one JSON line {itersPerS, attackS, reps, check}. Same protocol as
pgd.ts's measure()."""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
from torch_bench import labels, param, uniform  # noqa: E402

torch.set_num_threads(os.cpu_count())
spec = json.loads(sys.argv[1])
c0, c1 = spec["channels"]
H, B, seed = spec["hidden"], spec["batch"], spec["seed"]
eps, alpha, steps = spec["eps"], spec["alpha"], spec["steps"]
nn, F = torch.nn, torch.nn.functional
flat = c1 * 7 * 7
net = nn.Sequential(
    nn.Conv2d(1, c0, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(c0, c1, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(flat, H), nn.ReLU(), nn.Linear(H, 10),
)
fan_ins = [9, 9, c0 * 9, c0 * 9, flat, flat, H, H]
with torch.no_grad():
    for k, p in enumerate(net.parameters()):
        p.copy_(torch.as_tensor(param(seed, 10 + k, p.numel(), fan_ins[k]), dtype=torch.float32).reshape(p.shape))
net.eval()
x = torch.as_tensor(uniform(seed, 0, B * 784, 0, 1), dtype=torch.float32).reshape(B, 1, 28, 28)
y = torch.as_tensor(labels(seed, 1, B, 10), dtype=torch.int64)


def attack():
    adv = x.clone().detach()
    for _ in range(steps):
        adv.requires_grad = True
        cost = F.cross_entropy(net(adv), y)
        (g,) = torch.autograd.grad(cost, [adv], retain_graph=False, create_graph=False)
        adv = adv.detach() + alpha * g.sign()
        delta = torch.clamp(adv - x, min=-eps, max=eps)
        adv = torch.clamp(x + delta, min=0, max=1).detach()
    return float((adv - x).abs().sum())


def measure():
    check = 0.0
    t0 = time.perf_counter()
    n = 0
    while n < 1 or time.perf_counter() - t0 < 1.0:
        check = attack()
        n += 1
    times = []
    start = time.perf_counter()
    while len(times) < 5 and (not times or time.perf_counter() - start < 4.0):
        runs = 0
        s = time.perf_counter()
        while runs == 0 or time.perf_counter() - s < 0.5:
            check = attack()
            runs += 1
        times.append((time.perf_counter() - s) / runs)
    times.sort()
    med = times[len(times) // 2]
    return {"itersPerS": steps / med, "attackS": med, "reps": len(times), "check": check}


print(json.dumps(measure()))
