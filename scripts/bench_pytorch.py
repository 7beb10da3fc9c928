#!/usr/bin/python3
"""PyTorch CPU baseline for axsim's training-time numbers (docs/results.md).

Trains, on the CPU, the same small models axsim defines (networks/ax_models.c)
on Fashion-MNIST, with the recipe axsim's `train` verb uses by default (cli/net_opts.c, net_opts_defaults),
and reports per epoch: wall seconds of the training pass, images/s, train loss
and test accuracy.  Needs no network: PyTorch and NumPy come from Debian
(`apt-get install -y python3-torch python3-numpy`, hence /usr/bin/python3, not
a pyenv python) and the data from Debian's dataset-fashion-mnist package
(`apt-get install -y dataset-fashion-mnist`, or point --data at any directory
holding the four *-ubyte.gz IDX files).

What is matched with axsim, so that the two timings measure the same work:
  * models: `mlp` (LeNet-300-100) and `lenet5`, NCHW float32, layer for layer;
  * data: x/255, then (x - 0.2860) / 0.3530 (Fashion-MNIST training statistics);
  * init: He-uniform weights, U(-b, b) with b = sqrt(6 / fan_in), zero biases
    (axsim's ax_model_init's distribution, drawn from PyTorch's generator: not
    the same values as axsim's; --init torch keeps PyTorch's own default init);
  * loss: softmax cross-entropy, mean over the batch;
  * optimizer: SGD, lr 0.05, momentum 0.9, weight decay 5e-4 on weights only
    (axsim does not decay biases), batch 64; PyTorch's SGD update
    v = mu*v + (g + wd*w), w -= lr*v is the same as axsim's ax_opt_step;
  * schedule: cosine per step, lr_t = lr * 0.5 * (1 + cos(pi * t / T)) with t
    the global step (from 0) and T = epochs * steps per epoch;
  * shuffling: a fresh permutation each epoch from a fixed seed (seed + epoch;
    PyTorch's generator, so not the same order as axsim's, only as random);
  * timing: the training pass only, from the first batch to the last
    optimizer step, including the per-batch gather of the shuffled images
    (axsim times its gather too); reading/decoding the files and the test
    evaluation are outside it.

Threads: --threads T sets torch.set_num_threads(T); by default the script also
sets OMP_WAIT_POLICY=PASSIVE and OPENBLAS_NUM_THREADS=1 (see THREAD_ENV below
for why; --as-installed leaves the environment alone).  PyTorch's CPU speed
depends on these more than on anything else (a 20x spread between settings
was measured on a 2-core machine), so a baseline is only fair at its best
setting: --threads best runs the same job once per setting -- every thread
count from 1 to the core count, tuned and as installed -- each in its own
process (the environment must be set before torch loads), prints each
setting's seconds per epoch, and reports the fastest ("best" in the JSON,
every setting under "settings").

Usage:
  /usr/bin/python3 scripts/bench_pytorch.py --model lenet5 --epochs 3 --threads 2 \
      --json lenet5.json
  /usr/bin/python3 scripts/bench_pytorch.py --model lenet5 --threads best --json best.json
"""

import argparse
import gzip
import json
import math
import os
import platform
import sys
import time


# ---- threading environment (must be set before torch, and so OpenBLAS, loads) -
#
# Debian's torch runs its intra-op parallelism on an OpenMP (libgomp) team of
# --threads threads, but does its GEMMs (nn.Linear, and convolutions lowered to
# GEMM) in OpenBLAS, whose pthread build keeps a second, separate pool sized to
# the core count and ignores torch.set_num_threads.  Both pools busy-wait when
# idle, so on a 2-core machine the two fight, and when anything else runs on
# the machine, threads spin on cores whose partner thread is descheduled: we saw
# a 20-40x slower epoch that way.  So unless --as-installed is given, the script
# defaults (setdefault: a value already in the environment wins)
#   OMP_WAIT_POLICY=PASSIVE   idle OpenMP threads sleep instead of spinning;
#   OPENBLAS_NUM_THREADS=1    GEMMs run on the calling thread, no second pool.
# The values in force are recorded in the JSON ("env").
THREAD_ENV = {"OMP_WAIT_POLICY": "PASSIVE", "OPENBLAS_NUM_THREADS": "1"}
AS_INSTALLED = "--as-installed" in sys.argv[1:]
if not AS_INSTALLED:
    for _k, _v in THREAD_ENV.items():
        os.environ.setdefault(_k, _v)

import numpy as np  # noqa: E402  (after the environment above, on purpose)
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530  # Fashion-MNIST training-set statistics of x/255


# ---- data -------------------------------------------------------------------

def read_idx_gz(path):
    """Reads one gzip-compressed IDX file (LeCun's MNIST format) into a numpy array.

    Header: two zero bytes, a type code (0x08 = unsigned byte, the only one the
    MNIST-style files use), the number of dimensions, then one big-endian
    uint32 per dimension; the data follows, row-major.
    """
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{path}: not an IDX file (bad magic)")
    if raw[2] != 0x08:
        raise ValueError(f"{path}: IDX type 0x{raw[2]:02x} unsupported (want 0x08, uint8)")
    ndim = raw[3]
    dims = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    offset = 4 + 4 * ndim
    count = int(np.prod(dims)) if dims else 1
    if len(raw) - offset != count:
        raise ValueError(f"{path}: {len(raw) - offset} data bytes, header says {count}")
    return np.frombuffer(raw, dtype=np.uint8, offset=offset).reshape(dims)


def load_split(data_dir, prefix):
    """Returns (x, y) for 'train' or 't10k': x float32 NCHW, normalised; y int64."""
    images = read_idx_gz(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte.gz"))
    labels = read_idx_gz(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte.gz"))
    if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
        raise ValueError(f"{prefix}: shapes {images.shape} and {labels.shape} do not match")
    x = images.astype(np.float32) / np.float32(255.0)
    x = (x - np.float32(MEAN)) / np.float32(STD)
    x = torch.from_numpy(np.ascontiguousarray(x[:, None, :, :]))  # N,1,28,28
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


# ---- models -----------------------------------------------------------------

def build_model(name, classes=10):
    """The two axsim models (networks/ax_models.c build_mlp, build_lenet5)."""
    if name == "mlp":  # LeNet-300-100
        return nn.Sequential(
            nn.Flatten(),
            nn.Linear(784, 300), nn.ReLU(),
            nn.Linear(300, 100), nn.ReLU(),
            nn.Linear(100, classes),
        )
    if name == "lenet5":
        return nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),  # 6x14x14
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),            # 16x5x5
            nn.Flatten(),                                              # 400
            nn.Linear(400, 120), nn.ReLU(),
            nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, classes),
        )
    raise ValueError(f"unknown model '{name}' (mlp, lenet5)")


def init_like_axsim(model, seed):
    """He-uniform weights, bound sqrt(6/fan_in), and zero biases, as ax_model_init.

    kaiming_uniform_ with a=0 (gain sqrt(2)) gives exactly bound sqrt(6/fan_in);
    fan_in is in_features for Linear and in_channels*kh*kw for Conv2d.
    """
    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            fan_in = m.weight[0].numel()
            bound = math.sqrt(6.0 / fan_in)
            with torch.no_grad():
                m.weight.copy_((torch.rand(m.weight.shape, generator=g) * 2 - 1) * bound)
                m.bias.zero_()


# ---- training ---------------------------------------------------------------

def cosine_lr(base, step, total):
    """axsim's per-step cosine schedule (networks/ax_train.c sched_lr)."""
    t = step / total if total > 0 else 0.0
    return base * 0.5 * (1.0 + math.cos(math.pi * t))


@torch.no_grad()
def evaluate(model, x, y, batch):
    """Test loss (mean) and accuracy, in eval mode, batch `batch`."""
    model.eval()
    loss_sum, correct = 0.0, 0
    for i in range(0, x.shape[0], batch):
        out = model(x[i:i + batch])
        yb = y[i:i + batch]
        loss_sum += F.cross_entropy(out, yb, reduction="sum").item()
        correct += (out.argmax(1) == yb).sum().item()
    return loss_sum / x.shape[0], correct / x.shape[0]


def cpu_model():
    """The CPU's model name from /proc/cpuinfo (as lscpu's 'Model name')."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def best_setting(a):
    """Runs this script once per thread setting (its own process each: the
    environment must be set before torch loads) and reports the fastest."""
    import subprocess
    import tempfile
    # drop --threads/--json/--as-installed (and their values) from our own arguments
    keep, skip = [], False
    for x in sys.argv[1:]:
        if skip:
            skip = False
            continue
        if x in ("--threads", "--json"):
            skip = True
            continue
        if x.startswith(("--threads=", "--json=")) or x == "--as-installed":
            continue
        keep.append(x)
    settings = []
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        for env in ("tuned", "as-installed"):
            for t in range(1, cores + 1):
                out = os.path.join(tmp, f"{env}-{t}.json")
                cmd = [sys.executable, os.path.abspath(__file__), *keep, "--threads", str(t), "--json", out]
                if env == "as-installed":
                    cmd.append("--as-installed")
                e = dict(os.environ)
                for k in THREAD_ENV:  # our own defaults must not leak into the as-installed runs
                    if env == "as-installed" and os.environ.get(k) == THREAD_ENV[k] and not AS_INSTALLED:
                        e.pop(k, None)
                r = subprocess.run(cmd, env=e, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                if r.returncode != 0:
                    sys.exit(f"bench_pytorch: the run with {t} threads ({env}) failed:\n{r.stdout}")
                with open(out) as f:
                    res = json.load(f)
                secs = res["total_seconds"] / len(res["epochs"])
                settings.append({"threads": t, "env": env, "env_values": res["env"],
                                 "seconds_per_epoch": round(secs, 3),
                                 "images_per_s": res["mean_images_per_s"],
                                 "test_acc": res["epochs"][-1]["test_acc"]})
                print(f"bench_pytorch: {t} thread(s), {env}: {secs:.2f} s per epoch, "
                      f"{res['mean_images_per_s']:.0f} images/s", flush=True)
    best = min(settings, key=lambda x: x["seconds_per_epoch"])
    worst = max(settings, key=lambda x: x["seconds_per_epoch"])
    print(f"bench_pytorch: best setting {best['threads']} thread(s), {best['env']}: "
          f"{best['seconds_per_epoch']:.2f} s per epoch ({worst['seconds_per_epoch'] / best['seconds_per_epoch']:.1f}x "
          f"faster than the slowest setting)", flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"model": a.model, "best": best, "settings": settings,
                       "loadavg_1min_end": round(os.getloadavg()[0], 2)}, f, indent=2)
            f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    ap.add_argument("--model", choices=["mlp", "lenet5"], default="lenet5")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--threads", default="2",
                    help="torch.set_num_threads (default 2), or 'best': every setting, the fastest")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--weight-decay", type=float, default=5e-4)
    ap.add_argument("--seed", type=int, default=1, help="init and shuffle seed (default 1)")
    ap.add_argument("--limit", type=int, default=0, help="train on the first N images only")
    ap.add_argument("--eval-batch", type=int, default=256)
    ap.add_argument("--init", choices=["axsim", "torch"], default="axsim",
                    help="weight init: axsim's He-uniform (default) or PyTorch's own")
    ap.add_argument("--data", default=DEFAULT_DATA, help=f"IDX .gz directory (default {DEFAULT_DATA})")
    ap.add_argument("--json", help="also write the results to this JSON file")
    ap.add_argument("--as-installed", action="store_true",
                    help="leave OMP_WAIT_POLICY and OPENBLAS_NUM_THREADS as the environment "
                         "has them (unset: spinning OpenMP and OpenBLAS pools, see the source)")
    a = ap.parse_args()
    if a.threads == "best":
        return best_setting(a)
    try:
        a.threads = int(a.threads)
    except ValueError:
        ap.error(f"--threads {a.threads!r}: a positive integer or 'best'")
    if a.epochs < 1 or a.batch < 1 or a.threads < 1:
        ap.error("--epochs, --batch and --threads must be >= 1")

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    # Data loading, outside every timing.
    t0 = time.perf_counter()
    try:
        xtr, ytr = load_split(a.data, "train")
        xte, yte = load_split(a.data, "t10k")
    except OSError as e:
        sys.exit(f"bench_pytorch: {e}\n(install Debian's dataset-fashion-mnist, or pass --data DIR)")
    if a.limit > 0:
        xtr, ytr = xtr[:a.limit], ytr[:a.limit]
    load_s = time.perf_counter() - t0
    n = xtr.shape[0]

    model = build_model(a.model)
    if a.init == "axsim":
        init_like_axsim(model, a.seed)
    # Weight decay on weights only, as axsim (biases have decay 0 there).
    decay = [p for nm, p in model.named_parameters() if not nm.endswith("bias")]
    no_decay = [p for nm, p in model.named_parameters() if nm.endswith("bias")]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": a.weight_decay},
                           {"params": no_decay, "weight_decay": 0.0}],
                          lr=a.lr, momentum=a.momentum)
    steps = (n + a.batch - 1) // a.batch
    total = a.epochs * steps
    params = sum(p.numel() for p in model.parameters())

    info = {
        "model": a.model, "params": params, "torch": torch.__version__,
        "numpy": np.__version__, "python": platform.python_version(),
        "threads": torch.get_num_threads(), "cpu": cpu_model(), "cores": os.cpu_count(),
        "batch": a.batch, "lr": a.lr, "momentum": a.momentum, "weight_decay": a.weight_decay,
        "schedule": "cosine per step", "seed": a.seed, "init": a.init,
        "train_images": n, "test_images": int(xte.shape[0]), "data": a.data,
        "env": {k: os.environ.get(k) for k in ("OMP_WAIT_POLICY", "OPENBLAS_NUM_THREADS",
                                               "OMP_NUM_THREADS", "OPENBLAS_CORETYPE")},
        "load_seconds": round(load_s, 3), "loadavg_1min_start": round(os.getloadavg()[0], 2),
        "epochs": [],
    }
    print(f"bench_pytorch: {a.model} ({params} params), torch {torch.__version__}, "
          f"{info['threads']} threads, {info['cpu']}; {n} train / {xte.shape[0]} test images "
          f"(OMP_WAIT_POLICY={info['env']['OMP_WAIT_POLICY']}, "
          f"OPENBLAS_NUM_THREADS={info['env']['OPENBLAS_NUM_THREADS']}) "
          f"(loaded in {load_s:.2f} s)", flush=True)

    gstep = 0
    for epoch in range(a.epochs):
        perm = torch.randperm(n, generator=torch.Generator().manual_seed(a.seed + epoch))
        model.train()
        loss_sum, correct = 0.0, 0
        t0, c0 = time.perf_counter(), time.process_time()
        for s in range(steps):
            idx = perm[s * a.batch:(s + 1) * a.batch]
            xb, yb = xtr.index_select(0, idx), ytr.index_select(0, idx)  # the gather
            for g in opt.param_groups:
                g["lr"] = cosine_lr(a.lr, gstep, total)
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum += loss.item() * yb.shape[0]
            correct += (out.argmax(1) == yb).sum().item()
            gstep += 1
        secs = time.perf_counter() - t0
        cpu = time.process_time() - c0  # CPU seconds of all threads: shows contention
        t1 = time.perf_counter()
        test_loss, test_acc = evaluate(model, xte, yte, a.eval_batch)
        eval_s = time.perf_counter() - t1
        e = {"epoch": epoch + 1, "seconds": round(secs, 3), "cpu_seconds": round(cpu, 3),
             "images_per_s": round(n / secs, 1),
             "train_loss": round(loss_sum / n, 5), "train_acc": round(correct / n, 5),
             "test_loss": round(test_loss, 5), "test_acc": round(test_acc, 5),
             "eval_seconds": round(eval_s, 3), "loadavg_1min": round(os.getloadavg()[0], 2)}
        info["epochs"].append(e)
        print(f"epoch {e['epoch']}/{a.epochs}: {secs:.2f} s (cpu {cpu:.2f} s), "
              f"{e['images_per_s']:.0f} images/s, "
              f"train loss {e['train_loss']:.4f} (acc {100 * e['train_acc']:.2f}%), "
              f"test acc {100 * test_acc:.2f}% (loss {test_loss:.4f}, eval {eval_s:.2f} s)",
              flush=True)

    tot = sum(e["seconds"] for e in info["epochs"])
    info["total_seconds"] = round(tot, 3)
    info["mean_images_per_s"] = round(n * a.epochs / tot, 1)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(info, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
