#!/usr/bin/python3
"""The Python binding (python/axsim; issue 17), run by CTest as
pytorch.binding with Debian's python3-torch:

  test_binding.py AXSIM LIBAXSIM

Expected values come from outside the code under test: numpy's exact integer
products, the defining formula of Mitchell's multiplier and of bf16's
round-to-nearest-even, torch's own layers (within the accumulation-order
tolerance), and the `axsim train` command line -- one training step of
axsim.torch.convert(lenet5) under an approximate MAC must give the weights
and gradients of `axsim train`'s first step, to the bit.
Exit 77 (skip) without torch.
"""
import gzip
import json
import os
import struct
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:
    print(f"skip: {e} (Debian's python3-torch and python3-numpy)")
    sys.exit(77)

AX, LIB = sys.argv[1], sys.argv[2]
os.environ["AXSIM_LIB"] = LIB
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import axsim  # noqa: E402
import axsim.torch as axt  # noqa: E402

DATA = "/usr/share/datasets/fashion-mnist"
failures = []


def check(cond, what):
    print(("ok:   " if cond else "FAIL: ") + what)
    if not cond:
        failures.append(what)


# ---- the numpy API against independent references ----------------------------

rng = np.random.default_rng(5)
a = rng.integers(-8, 8, (37, 53)).astype(np.float32)
b = rng.integers(-8, 8, (53, 29)).astype(np.float32)
check(np.array_equal(axsim.gemm(a, b), (a.astype(np.int64) @ b.astype(np.int64)).astype(np.float32)),
      "gemm in exact fp32 equals the integer product")


def bf16_rne(x):
    """float32 -> bf16 (round to nearest even on the bits), back to float32."""
    u = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) >> 16 << 16
    return u.astype(np.uint32).view(np.float32)


x = (rng.standard_normal(4096) * 3).astype(np.float32)
check(np.array_equal(axsim.quantize(x, "bf16"), bf16_rne(x)), "quantize to bf16 is round-to-nearest-even")

# Mitchell's multiplier on positive normal bf16 values: 2^(ea+eb) (1 + xa + xb), or
# 2^(ea+eb+1) (xa + xb) when xa + xb >= 1 (exact in bf16: 7 fraction bits each)
p = bf16_rne(np.abs(rng.standard_normal(2000)).astype(np.float32) + 0.01)
q = bf16_rne(np.abs(rng.standard_normal(2000)).astype(np.float32) + 0.01)
mp, ep = np.frexp(p.astype(np.float64))
mq, eq = np.frexp(q.astype(np.float64))
xa, xb = 2 * mp - 1, 2 * mq - 1  # p = 2^(ep-1) (1 + xa)
s = xa + xb
want = np.where(s < 1, np.ldexp(1 + s, ep + eq - 2), np.ldexp(s, ep + eq - 1)).astype(np.float32)
check(np.array_equal(axsim.unit("mul_mitchell").apply(p, q, "bf16"), want), "mul_mitchell in bf16 is Mitchell's formula")

try:
    axsim.gemm(a, b, mac="mul=nonsense")
    check(False, "a bad MAC string is refused")
except axsim.AxsimError as e:
    check("unknown unit 'mul_nonsense'" in str(e), f"a bad MAC string is refused: {e}")
try:
    axsim.gemm(a, a)
    check(False, "mismatched shapes are refused")
except axsim.AxsimError as e:
    check("do not multiply" in str(e), "mismatched shapes are refused")

# ---- the torch layers against torch's, exact fp32 -----------------------------

torch.manual_seed(0)
lin = nn.Linear(20, 7)
conv = nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 1), dilation=(1, 2), groups=2)
xl = torch.randn(5, 20, requires_grad=True)
xc = torch.randn(3, 4, 9, 8, requires_grad=True)
ref = [F.linear(xl, lin.weight, lin.bias), F.conv2d(xc, conv.weight, conv.bias, (2, 1), (1, 1), (1, 2), 2)]
refg = []
for r, layer, inp in zip(ref, (lin, conv), (xl, xc)):
    refg.append(torch.autograd.grad(r.square().sum(), (inp, layer.weight, layer.bias)))
holder = nn.Sequential(lin, conv)
axt.convert(holder)
check(isinstance(holder[0], axt.ApproxLinear) and isinstance(holder[1], axt.ApproxConv2d),
      "convert swaps nn.Linear and nn.Conv2d")
for k, (layer, inp) in enumerate(((holder[0], xl), (holder[1], xc))):
    out = layer(inp)
    g = torch.autograd.grad(out.square().sum(), (inp, layer.weight, layer.bias))
    close = torch.allclose(out, ref[k], rtol=1e-5, atol=1e-5) and all(
        torch.allclose(u, v, rtol=1e-4, atol=1e-4) for u, v in zip(g, refg[k]))
    check(close, f"{type(layer).__name__}: forward and the three gradients are torch's within float32 order")
try:
    holder[0](torch.randn(2, 20, dtype=torch.float64))
    check(False, "float64 tensors are refused")
except axsim.AxsimError as e:
    check("float32 CPU tensors" in str(e), "float64 tensors are refused")

# ---- one training step: axsim.torch against axsim train, to the bit -----------

MAC = "mul=mbm,in=bf16,prod=fp32,add=exact,acc=fp32"
N, LR, MOM, WD, SEED = 64, 0.05, 0.9, 5e-4, 1
M64 = (1 << 64) - 1


class SplitMix:
    """axsim's generator (cmodels/ax_rng.h)."""

    def __init__(self, seed):
        self.s = seed & M64

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & M64
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 6, 5, padding=2), nn.Conv2d(6, 16, 5)
        self.fc1, self.fc2, self.fc3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


def idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    nd = raw[3]
    dims = struct.unpack(">" + "I" * nd, raw[4:4 + 4 * nd])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * nd).reshape(dims)


def safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    h = json.loads(raw[8:8 + n])
    return {k: np.frombuffer(raw, np.float32, (v["data_offsets"][1] - v["data_offsets"][0]) // 4,
                             8 + n + v["data_offsets"][0]).reshape(v["shape"])
            for k, v in h.items() if k != "__metadata__"}


if not os.path.isdir(DATA):
    print("skip: the training step needs Debian's dataset-fashion-mnist")
else:
    with tempfile.TemporaryDirectory() as tmp:
        st = os.path.join(tmp, "step.safetensors")
        r = subprocess.run([AX, "train", "--model", "lenet5", "--epochs", "1", "--limit", str(N), "--batch", str(N),
                            "--lr", str(LR), "--momentum", str(MOM), "--wd", str(WD), "--schedule", "const",
                            "--mac", MAC, "--bwd-mac", "same", "--norm", "0.2860,0.3530", "--seed", str(SEED),
                            "--test-limit", "10", "--backend", "cpu", "--out", st, "--quiet"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        check(r.returncode == 0, "axsim train: one step" + ("" if r.returncode == 0 else ": " + r.stdout))
        after = safetensors(st) if r.returncode == 0 else {}
    # the batch: the first N training images in ax_shuffle's order, normalized in float32
    imgs = idx(f"{DATA}/train-images-idx3-ubyte.gz")[:N].astype(np.float32)
    labels = idx(f"{DATA}/train-labels-idx1-ubyte.gz")[:N].astype(np.int64)
    perm, g = list(range(N)), SplitMix(SEED + 0)
    for i in range(N - 1, 0, -1):
        j = g.next() % (i + 1)
        perm[i], perm[j] = perm[j], perm[i]
    xs = (imgs[perm] * np.float32(1 / 255) - np.float32(0.2860)) / np.float32(0.3530)
    x = torch.from_numpy(xs.reshape(N, 1, 28, 28).copy())
    y = torch.from_numpy(labels[perm].copy())
    # the initialization of ax_model_init: He-uniform from one stream, layer by layer
    model = LeNet5()
    g = SplitMix(SEED)
    with torch.no_grad():
        for layer in (model.conv1, model.conv2, model.fc1, model.fc2, model.fc3):
            w = layer.weight
            fan = w.numel() // w.shape[0]
            bound = float(np.float32(np.sqrt(6.0 / fan)))
            vals = [(2.0 * ((g.next() >> 40) * 2.0 ** -24) - 1.0) * bound for _ in range(w.numel())]
            w.copy_(torch.from_numpy(np.array(vals, dtype=np.float64).astype(np.float32).reshape(w.shape)))
            layer.bias.zero_()
    init = {k: v.clone() for k, v in model.state_dict().items()}
    axt.convert(model, mac=MAC, bwd_mac="same", backend="cpu")
    loss = axt.cross_entropy(model(x), y)
    loss.backward()
    same_g, same_w = [], []
    for name, prm in model.named_parameters():
        grad = prm.grad.numpy()
        wd = np.float32(WD) if name.endswith("weight") else np.float32(0)
        gg = grad + wd * prm.detach().numpy()           # PyTorch's SGD: g + wd w, then buf = g at step 1
        w1 = prm.detach().numpy() - np.float32(LR) * gg
        same_g.append(name + ".momentum_buffer" in after and np.array_equal(after[name + ".momentum_buffer"], gg))
        same_w.append(name in after and np.array_equal(after[name], w1))
        if after and not (same_g[-1] and same_w[-1]):
            d = np.abs(after[name] - w1).max() if name in after else float("nan")
            print(f"  {name}: gradient {'same' if same_g[-1] else 'differs'}, weights differ by up to {d}")
    check(all(same_g), f"one step under {MAC}: every gradient equals axsim train's, bit for bit")
    check(all(same_w), "... and every updated weight")
    # planted: the gradients through exact fp32 instead of the MAC must not pass
    planted = LeNet5()
    planted.load_state_dict(init)
    axt.convert(planted, mac=MAC, bwd_mac="mul=exact,in=fp32", backend="cpu")
    axt.cross_entropy(planted(x), y).backward()
    check(after and not all(np.array_equal(after[nm + ".momentum_buffer"], pp.grad.numpy() + (
        np.float32(WD) if nm.endswith("weight") else np.float32(0)) * pp.detach().numpy())
        for nm, pp in planted.named_parameters()), "planted: an exact-fp32 backward is told apart")

print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
