#!/usr/bin/python3
"""PyTorch side of bench/per-example.ts: per-example gradients of the same MLP on the same inputs, by functorch's
vmap(grad) or a loop of single-example backward calls. Usage: per_example_torch.py vmap|loop '<spec json>'.
Prints one JSON line {examplesPerS, stepS, reps, check}. Same protocol as per-example.ts's measure()."""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
from functorch import grad, make_functional, vmap  # noqa: E402
from torch_bench import labels, param, uniform  # noqa: E402

torch.set_num_threads(os.cpu_count())
method, spec = sys.argv[1], json.loads(sys.argv[2])
i, h, o = spec["sizes"]
B, seed = spec["batch"], spec["seed"]
net = torch.nn.Sequential(torch.nn.Linear(i, h), torch.nn.ReLU(), torch.nn.Linear(h, o))
init = [param(seed, 10, h * i, i), param(seed, 11, h, i), param(seed, 12, o * h, h), param(seed, 13, o, h)]
with torch.no_grad():
    for p, v in zip(net.parameters(), init):
        p.copy_(torch.as_tensor(v, dtype=torch.float32).reshape(p.shape))
x = torch.as_tensor(uniform(seed, 0, B * i, 0, 1), dtype=torch.float32).reshape(B, i)
y = torch.as_tensor(labels(seed, 1, B, o), dtype=torch.int64)
F = torch.nn.functional

if method == "vmap":
    fmodel, params = make_functional(net)

    def loss(params, xi, yi):
        return F.cross_entropy(fmodel(params, xi.unsqueeze(0)), yi.unsqueeze(0))

    per = vmap(grad(loss), in_dims=(None, 0, 0))

    def step():
        g = per(params, x, y)
        return float((g[0] * g[0]).sum())

else:

    def step():
        grads = [[] for _ in net.parameters()]
        for k in range(B):
            net.zero_grad(set_to_none=True)
            F.cross_entropy(net(x[k : k + 1]), y[k : k + 1]).backward()
            for j, p in enumerate(net.parameters()):
                grads[j].append(p.grad.clone())
        g = torch.stack(grads[0])
        return float((g * g).sum())


def measure():
    check = 0.0
    t0 = time.perf_counter()
    n = 0
    while n < 2 or time.perf_counter() - t0 < 1.0:
        check = step()
        n += 1
    times = []
    start = time.perf_counter()
    while len(times) < 5 and (not times or time.perf_counter() - start < 3.0):
        steps = 0
        s = time.perf_counter()
        while steps == 0 or time.perf_counter() - s < 0.25:
            check = step()
            steps += 1
        times.append((time.perf_counter() - s) / steps)
    times.sort()
    med = times[len(times) // 2]
    return {"examplesPerS": B / med, "stepS": med, "reps": len(times), "check": check}


print(json.dumps(measure()))
