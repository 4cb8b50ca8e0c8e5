#!/usr/bin/env python3
"""Peer: PyTorch running the shared workloads, in its own process.

Spawned by bench/main.ts as `/usr/bin/python3 bench/peers/torch_bench.py '<job json>'`; prints
'@@bench {json}' lines (info, start, timing or result per workload) like the JS children.
Inputs come from the same counter-based generator as bench/lib/prng.ts (mirrored below), and the
timing protocol mirrors bench/lib/protocol.ts. `--prng-check SEED STREAM N` prints values for the test;
`--probe` prints what this Python offers (torch, CUDA, GPU) as JSON. The job's optional
`torch: {device: 'cuda', cpuFallback}` runs on the GPU (float32, TF32 off), or reports 'cuda unavailable'.
Without numpy (some GPU images), the input generator runs on torch's int64 tensors instead.
"""
import gzip
import json
import math
import os
import re
import sys
import time

try:
    import numpy as np
except ImportError:  # the torch-only generator below takes over
    np = None

PREFIX = "@@bench "
DEVICE = "cpu"  # set by main() from the job
MASK = 0xFFFFFFFF
STREAM_A, STREAM_B, STREAM_X, STREAM_Y = 0, 1, 2, 3
COLD_ONLY = 5  # a first step longer than this many caps is the only one run


def weight_stream(i):
    return 10 + 2 * i


def bias_stream(i):
    return 11 + 2 * i


def emit(event):
    sys.stdout.write(PREFIX + json.dumps(event) + "\n")
    sys.stdout.flush()


# ---- inputs: mirror of bench/lib/prng.ts ----

def mix32_int(x):
    """lowbias32 on one Python int (uint32)."""
    x ^= x >> 16
    x = (x * 0x7FEB352D) & MASK
    x ^= x >> 15
    x = (x * 0x846CA68B) & MASK
    return x ^ (x >> 16)


def mix32(x):
    """lowbias32 on a uint32 numpy array (multiplication wraps modulo 2**32 like Math.imul)."""
    x = x ^ (x >> np.uint32(16))
    x = x * np.uint32(0x7FEB352D)
    x = x ^ (x >> np.uint32(15))
    x = x * np.uint32(0x846CA68B)
    x = x ^ (x >> np.uint32(16))
    return x


def mix32_torch(x):
    """lowbias32 on an int64 torch tensor of uint32 values (products wrap mod 2**64; the mask keeps 32 bits)."""
    x = x ^ (x >> 16)
    x = (x * 0x7FEB352D) & MASK
    x = x ^ (x >> 15)
    x = (x * 0x846CA68B) & MASK
    return x ^ (x >> 16)


def use_numpy():
    return np is not None and not os.environ.get("BENCH_PRNG_TORCH")


def unit_stream(seed, stream, n):
    """n values in [0, 1) (float64): numpy array, or torch tensor without numpy."""
    k = ((stream + 1) * 0x9E3779B9) & MASK
    key = mix32_int((seed ^ k) & MASK)
    if use_numpy():
        idx = ((np.arange(n, dtype=np.uint64) + key) & MASK).astype(np.uint32)
        return (mix32(idx) >> np.uint32(8)).astype(np.float64) / 16777216.0
    idx = (torch.arange(n, dtype=torch.int64) + key) & MASK
    return (mix32_torch(idx) >> 8).to(torch.float64) / 16777216.0


def uniform(seed, stream, n, lo, hi):
    u = lo + (hi - lo) * unit_stream(seed, stream, n)
    return u.astype(np.float32) if use_numpy() else u.to(torch.float32)


def labels(seed, stream, n, classes):
    u = unit_stream(seed, stream, n) * classes
    return np.floor(u).astype(np.int64) if use_numpy() else torch.floor(u).to(torch.int64)


def param(seed, stream, n, fan_in):
    return uniform(seed, stream, n, -1 / math.sqrt(fan_in), 1 / math.sqrt(fan_in))


def as_torch(a):
    return a if isinstance(a, torch.Tensor) else torch.from_numpy(a)


def sync():
    """Waits for the GPU (CUDA runs kernels asynchronously); nothing on the CPU."""
    if DEVICE == "cuda":
        torch.cuda.synchronize()


# ---- timing: mirror of bench/lib/protocol.ts ----

class OverCap(Exception):
    pass


def measure(step, proto, warm=None, units_per_step=None):
    warm = warm or step
    warmup_s, total = [], 0.0
    i = 0
    while True:
        i += 1
        t0 = time.perf_counter()
        warm()
        dt = time.perf_counter() - t0
        warmup_s.append(dt)
        total += dt
        if total > proto["capS"]:
            break
        if i >= max(1, proto["warmup"]) and total >= proto.get("warmupMinS", 0):
            break
    est = warmup_s[-1] * (units_per_step or 1)
    if units_per_step and est > proto["capS"]:
        raise OverCap(f"projected {est:.0f} s per step from warm-up exceeds the {proto['capS']} s cap")
    if not units_per_step and warmup_s[0] > COLD_ONLY * proto["capS"]:
        return {"samples": [warmup_s[0]], "inner": 1, "warmupS": [], "warmupSteps": 0,
                "note": f"one cold step only (it took over {COLD_ONLY}× the {proto['capS']} s cap)"}
    inner = 1 if est >= proto["minRepS"] else min(100000, math.ceil(proto["minRepS"] / max(est, 1e-7)))
    samples, total = [], 0.0
    for _ in range(max(1, proto["reps"])):
        t0 = time.perf_counter()
        for _ in range(inner):
            step()
        dt = time.perf_counter() - t0
        samples.append(dt / inner)
        total += dt
        if total > proto["capS"]:
            break
    out = {"samples": samples, "inner": inner, "warmupS": warmup_s[:5], "warmupSteps": len(warmup_s)}
    if len(samples) < proto["reps"]:
        out["note"] = f"{len(samples)} of {proto['reps']} reps (time cap)"
    return out


# ---- workloads ----

def tensor(a, shape, grad=False):
    return as_torch(a).reshape(shape).to(DEVICE).requires_grad_(grad)


def linear(seed, i, fan_in, out):
    """nn.Linear(fan_in, out) with layer i's seeded parameters: the weight stream read as [fan_in, out]
    (the JS peers' layout), stored transposed as PyTorch's [out, fan_in] (mirror of bench/gradlab/models.ts)."""
    lin = torch.nn.Linear(fan_in, out)
    with torch.no_grad():
        lin.weight.copy_(as_torch(param(seed, weight_stream(i), fan_in * out, fan_in)).reshape(fan_in, out).t())
        lin.bias.copy_(as_torch(param(seed, bias_stream(i), out, fan_in)))
    return lin


def conv(seed, i, cin, cout, k):
    """nn.Conv2d(cin, cout, k) with layer i's seeded parameters."""
    c = torch.nn.Conv2d(cin, cout, k)
    fan_in = cin * k * k
    with torch.no_grad():
        c.weight.copy_(as_torch(param(seed, weight_stream(i), cout * fan_in, fan_in)).reshape(cout, cin, k, k))
        c.bias.copy_(as_torch(param(seed, bias_stream(i), cout, fan_in)))
    return c


def mlp_model(sizes, seed):
    layers = []
    for i in range(len(sizes) - 1):
        if i > 0:
            layers.append(torch.nn.ReLU())
        layers.append(linear(seed, i, sizes[i], sizes[i + 1]))
    return torch.nn.Sequential(*layers).to(DEVICE)


def cnn_model(spec):
    k, seed, img = spec["kernel"], spec["seed"], spec["image"]
    c1, c2, hidden, classes = spec["c1"], spec["c2"], spec["hidden"], spec["classes"]
    pool2 = ((img - k + 1) // 2 - k + 1) // 2
    nn = torch.nn
    return nn.Sequential(
        conv(seed, 0, 1, c1, k), nn.ReLU(), nn.MaxPool2d(2),
        conv(seed, 1, c1, c2, k), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), linear(seed, 2, c2 * pool2 * pool2, hidden), nn.ReLU(), linear(seed, 3, hidden, classes),
    ).to(DEVICE)


def trainer(model, lr):
    """One SGD step per call, as a PyTorch user writes it: zero_grad, loss, backward, step, loss.item()."""
    opt = torch.optim.SGD(model.parameters(), lr=lr)

    def step(x, y):
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def trained(model, x, y, lr):
    """The workload's step on the fixed batch, and its check line (first and last loss)."""
    train, losses = trainer(model, lr), []

    def step():
        losses.append(train(x, y))

    return {"step": step, "check": lambda: f"loss {losses[0]:.4f} -> {losses[-1]:.4f}"}


def prepare(spec):
    fam, seed = spec["family"], spec["seed"]
    if fam == "matmul":
        n = spec["n"]
        a = tensor(uniform(seed, STREAM_A, n * n, -1, 1), [n, n])
        b = tensor(uniform(seed, STREAM_B, n * n, -1, 1), [n, n])
        box = [0.0]

        def step():
            c = a @ b
            box[0] = c[0, 0].item()

        return {"step": step, "check": lambda: f"C[0,0] = {box[0]:.4f}"}
    if fam == "overhead":
        a = tensor(uniform(seed, STREAM_A, spec["size"], -1, 1), [spec["size"]], True)
        b = tensor(uniform(seed, STREAM_B, spec["size"], -1, 1), [spec["size"]])
        ops = spec["opsPerStep"]
        box = [False]

        def step():
            for _ in range(ops):
                c = a + b
            sync()  # on the GPU the step ends when the device has run the adds (gradlab reads the last sum)
            box[0] = c.grad_fn is not None

        return {"step": step, "check": lambda: f"result on the tape: {str(box[0]).lower()}"}
    # the "-tidy" rows (loop "tidy") run this same step: PyTorch has no tidy
    if fam == "mlp":
        sizes, bs = spec["sizes"], spec["batch"]
        x = tensor(uniform(seed, STREAM_X, bs * sizes[0], 0, 1), [bs, sizes[0]])
        y = as_torch(labels(seed, STREAM_Y, bs, sizes[-1])).to(DEVICE)
        return trained(mlp_model(sizes, seed), x, y, spec["lr"])
    if fam == "cnn":
        bs, img = spec["batch"], spec["image"]
        x = tensor(uniform(seed, STREAM_X, bs * img * img, 0, 1), [bs, 1, img, img])
        y = as_torch(labels(seed, STREAM_Y, bs, spec["classes"])).to(DEVICE)
        return trained(cnn_model(spec), x, y, spec["lr"])
    if fam == "epoch":
        return prepare_epoch(spec)
    if fam == "per-example":
        return prepare_per_example(spec)
    raise ValueError(f"unknown workload family {fam}")


class Unsupported(Exception):
    """A workload this system has no counterpart for (reported as 'unsupported', not as a failure)."""


def prepare_per_example(spec):
    """Per-example gradients of the MLP's cross-entropy, every parameter: functorch's vmap(grad) (PyTorch 1.13) or a
    loop of single-example backward calls; the check is the summed squared per-example gradient of layer 1's weight."""
    sizes, bs, seed, method = spec["sizes"], spec["batch"], spec["seed"], spec["method"]
    if method == "fast":
        raise Unsupported("per-example gradients from activations x output gradients: not built into PyTorch (Opacus has it; not installed)")
    net = mlp_model(sizes, seed)
    x = tensor(uniform(seed, STREAM_X, bs * sizes[0], 0, 1), [bs, sizes[0]])
    y = as_torch(labels(seed, STREAM_Y, bs, sizes[-1])).to(DEVICE)
    F = torch.nn.functional
    box = [0.0]
    if method == "vmap":
        from functorch import grad, make_functional, vmap

        fmodel, params = make_functional(net)

        def loss(params, xi, yi):
            return F.cross_entropy(fmodel(params, xi.unsqueeze(0)), yi.unsqueeze(0))

        per = vmap(grad(loss), in_dims=(None, 0, 0))

        def step():
            g = per(params, x, y)
            box[0] = float((g[0] * g[0]).sum())

    else:

        def step():
            grads = [[] for _ in net.parameters()]
            for k in range(bs):
                net.zero_grad(set_to_none=True)
                F.cross_entropy(net(x[k : k + 1]), y[k : k + 1]).backward()
                for j, p in enumerate(net.parameters()):
                    grads[j].append(p.grad.clone())
            g = torch.stack(grads[0])
            box[0] = float((g * g).sum())

    return {"step": step, "check": lambda: f"sum of squared per-example grads of layer 1's weight {box[0]:.6g}"}


def read_idx_gz(path):
    with gzip.open(path, "rb") as f:
        buf = f.read()
    if buf[0] != 0 or buf[1] != 0 or buf[2] != 8:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    rank = buf[3]
    dims = [int.from_bytes(buf[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(buf, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def prepare_epoch(spec):
    d = spec["dataDir"]
    images = read_idx_gz(os.path.join(d, "train-images-idx3-ubyte.gz"))
    labs = read_idx_gz(os.path.join(d, "train-labels-idx1-ubyte.gz"))
    n = min(spec.get("limit") or images.shape[0], images.shape[0])
    X = torch.from_numpy((images[:n].reshape(n, -1).astype(np.float64) / 255).astype(np.float32)).to(DEVICE)
    Y = torch.from_numpy(labs[:n].astype(np.int64)).to(DEVICE)
    bs, sizes, lr = spec["batch"], spec["sizes"], spec["lr"]
    ranges = [(s, min(n, s + bs)) for s in range(0, n, bs)]
    state = {"train": trainer(mlp_model(sizes, spec["seed"]), lr), "warm": 0, "last": ""}

    def warm():
        a, b = ranges[state["warm"] % len(ranges)]
        state["warm"] += 1
        state["train"](X[a:b], Y[a:b])

    def step():
        train = trainer(mlp_model(sizes, spec["seed"]), lr)  # every timed epoch starts from the same weights
        first, total = 0.0, 0.0
        for i, (a, b) in enumerate(ranges):
            loss = train(X[a:b], Y[a:b])
            if i == 0:
                first = loss
            if i >= len(ranges) - 50:
                total += loss
        state["last"] = f"loss {first:.4f} -> {total / min(50, len(ranges)):.4f} (mean of last 50 batches)"

    return {"step": step, "warm": warm, "units": len(ranges), "check": lambda: state["last"]}


def error_line(err):
    return f"{type(err).__name__}: {err}".split("\n")[0][:300]


def cuda_unavailable_reason():
    """None when CUDA works, else why not (the message always starts with 'cuda unavailable')."""
    if torch.cuda.is_available():
        return None
    built = "built without CUDA" if torch.version.cuda is None else f"built for CUDA {torch.version.cuda}, no device seen"
    return f"cuda unavailable (torch {torch.__version__}, {built})"


def probe():
    """What this Python offers, as one JSON line (bench/gpu.ts picks its Python with it)."""
    out = {"python": sys.version.split()[0], "executable": sys.executable, "numpy": np is not None}
    try:
        import torch as t
    except Exception as err:  # noqa: BLE001 - any import failure means no torch here
        out["torch"] = None
        out["why"] = error_line(err)
        print(json.dumps(out))
        return
    out["torch"] = t.__version__
    out["cuda"] = t.cuda.is_available()
    out["cudaVersion"] = t.version.cuda
    if out["cuda"]:
        out["gpu"] = t.cuda.get_device_name(0)
        out["cudnn"] = t.backends.cudnn.version()
    print(json.dumps(out))


def setup_device(job):
    """Chooses the device from job['torch']; returns (device, notes) or None after a fatal event."""
    want = (job.get("torch") or {}).get("device", "cpu")
    if want != "cuda":
        return "cpu", []
    why = cuda_unavailable_reason()
    if why is not None:
        if (job.get("torch") or {}).get("cpuFallback"):
            return "cpu", [f"{why}: PyTorch ran on the CPU instead, so its ratios are NOT GPU against GPU"]
        emit({"type": "fatal", "status": "missing", "reason": why})
        return None
    # float32 as gradlab computes it: no TF32 tensor-core shortcut in matmul or cuDNN convolutions
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    return "cuda", [
        f"GPU {torch.cuda.get_device_name(0)}, CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}",
        "float32 with TF32 off (torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False); "
        f"cudnn.benchmark {torch.backends.cudnn.benchmark}",
        "each step ends synchronized: .item() reads (matmul corner, loss), torch.cuda.synchronize() after the overhead loop",
    ]


def main():
    global torch, F, DEVICE
    if sys.argv[1:2] == ["--probe"]:
        probe()
        return
    if sys.argv[1:2] == ["--prng-check"]:
        if not use_numpy():
            import torch
        seed, stream, n = (int(v) for v in sys.argv[2:5])
        print(json.dumps([float(v) for v in uniform(seed, stream, n, -1, 1)]))
        return
    job = json.loads(sys.argv[1])
    try:
        import torch
        import torch.nn.functional as F
    except Exception as err:  # noqa: BLE001 - any import failure means the peer is missing
        emit({"type": "fatal", "status": "missing", "reason": error_line(err)})
        return
    chosen = setup_device(job)
    if chosen is None:
        return
    DEVICE, device_notes = chosen
    torch.set_num_threads(os.cpu_count() or 1)
    cfg = torch.__config__.show()
    m = re.search(r"BLAS_INFO=([^,\s]+)", cfg)
    blas = f"BLAS_INFO={m.group(1) if m else 'unknown'}"
    lib = "/etc/alternatives/libblas.so.3-x86_64-linux-gnu"
    if m and m.group(1) == "generic" and os.path.exists(lib):
        blas += f" (libblas.so.3 -> {os.path.realpath(lib)})"
    emit({"type": "info", "info": {
        "system": "torch",
        "version": f"torch {torch.__version__} (python {sys.version.split()[0]})",
        "backend": DEVICE,
        "threads": str(torch.get_num_threads()),
        "notes": device_notes + [
            f"torch.set_num_threads(os.cpu_count()); {blas}; MKL-DNN {'on' if torch.backends.mkldnn.is_available() else 'off'}",
            "MLP and CNN as nn.Sequential of nn layers; SGD through torch.optim.SGD (zero_grad(set_to_none=True), "
            "PyTorch 2's default); loss read with .item() each step; the '-tidy' rows run this same step (PyTorch has no tidy)"]
        + ([] if use_numpy() else ["numpy missing: inputs generated with torch (same values)"]),
    }})
    for spec in job["workloads"]:
        emit({"type": "start", "workload": spec["id"]})
        proto = job["epochProtocol"] if spec["family"] == "epoch" else job["protocol"]
        base = {"system": "torch", "workload": spec["id"], "unit": spec["unit"]}
        try:
            prepared = prepare(spec)
            t = measure(prepared["step"], proto, prepared.get("warm"), prepared.get("units"))
            check = prepared["check"]() if "check" in prepared else None
            emit({"type": "timing", "workload": spec["id"], **t, **({"check": check} if check else {})})
        except OverCap as err:
            emit({"type": "result", "result": {**base, "status": "skipped", "reason": str(err)}})
        except Unsupported as err:
            emit({"type": "result", "result": {**base, "status": "unsupported", "reason": str(err)}})
        except Exception as err:  # noqa: BLE001 - reported as this workload's failure
            emit({"type": "result", "result": {**base, "status": "failed", "reason": error_line(err)}})


if __name__ == "__main__":
    main()
