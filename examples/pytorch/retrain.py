#!/usr/bin/python3
"""The worked example of docs/pytorch.md: a torchvision-style network trained
in PyTorch, converted to an approximate MAC with axsim.torch, evaluated,
retrained for one epoch through the approximate MAC, evaluated again, exported
to ONNX and handed to `axsim eval` and `axsim estimate`.

    /usr/bin/python3 examples/pytorch/retrain.py [--limit N] [--out DIR]

Needs Debian's python3-torch, dataset-fashion-mnist and a built axsim (the
package is found in python/ of this checkout, libaxsim in build/python/).
"""
import argparse
import gzip
import os
import struct
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))
import axsim.torch as axt  # noqa: E402

DATA = "/usr/share/datasets/fashion-mnist"
MAC = "mul=mbm,in=bf16,prod=fp32,add=exact,acc=fp32"   # Mitchell-based multiplier, bf16 operands


class Net(nn.Module):
    """torchvision's layout: a features block and a classifier block."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def load(split, limit):
    def idx(path):
        with gzip.open(path, "rb") as f:
            b = f.read()
        dims = struct.unpack(">" + "I" * b[3], b[4:4 + 4 * b[3]])
        return np.frombuffer(b, np.uint8, offset=4 + 4 * b[3]).reshape(dims)
    x = idx(f"{DATA}/{split}-images-idx3-ubyte.gz")[:limit].astype(np.float32)
    x = (x * np.float32(1 / 255) - np.float32(0.2860)) / np.float32(0.3530)
    y = idx(f"{DATA}/{split}-labels-idx1-ubyte.gz")[:limit].astype(np.int64)
    return torch.from_numpy(x.reshape(-1, 1, 28, 28).copy()), torch.from_numpy(y)


def train_epoch(model, x, y, lr, loss_fn):
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    model.train()
    perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(1))
    for s in range(0, len(x), 64):
        i = perm[s:s + 64]
        opt.zero_grad()
        loss_fn(model(x[i]), y[i]).backward()
        opt.step()


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(x[i:i + 500]).argmax(1) for i in range(0, len(x), 500)])
    return 100.0 * (pred == y).float().mean().item()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=10000, help="training images (default 10000)")
    ap.add_argument("--test-limit", type=int, default=10000)
    ap.add_argument("--out", default="axsim-pytorch-example")
    ap.add_argument("--axsim", default=os.path.join(ROOT, "build", "cli", "axsim"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.manual_seed(0)
    xtr, ytr = load("train", a.limit)
    xte, yte = load("t10k", a.test_limit)

    # 1. the model as a PyTorch user has it: trained in fp32
    model = Net()
    t = time.time()
    train_epoch(model, xtr, ytr, 0.05, F.cross_entropy)
    print(f"1. trained in PyTorch, fp32:                 {accuracy(model, xte, yte):6.2f} %  ({time.time() - t:.1f} s)")
    plain = {k: v.clone() for k, v in model.state_dict().items()}

    # 2. the same weights through the approximate MAC (forward GEMMs; gradients exact fp32)
    axt.convert(model, mac=MAC, bwd_mac="mul=exact,in=fp32")
    print(f"2. converted, {MAC}: {accuracy(model, xte, yte):6.2f} %")

    # 3. one epoch of approximation-aware retraining through the MAC
    t = time.time()
    train_epoch(model, xtr, ytr, 0.01, F.cross_entropy)
    print(f"3. retrained one epoch through the MAC:      {accuracy(model, xte, yte):6.2f} %  ({time.time() - t:.1f} s)")

    # 4. export: the retrained weights in the plain architecture (the names are the same)
    export = Net()
    export.load_state_dict(model.state_dict())
    export.eval()
    onnx_path = os.path.join(a.out, "net.onnx")
    torch.onnx.export(export, torch.zeros(1, 1, 28, 28), onnx_path, opset_version=13, input_names=["image"],
                      output_names=["logits"], dynamic_axes={"image": {0: "n"}, "logits": {0: "n"}})
    print(f"4. exported to {onnx_path}")

    # 5. axsim itself on the ONNX file: the same MAC, then the main job's table of units
    norm = ["--norm", "0.2860,0.3530", "--test-limit", str(a.test_limit), "--quiet"]
    subprocess.run([a.axsim, "eval", "--onnx", onnx_path, "--mac", MAC] + norm, check=True)
    est = os.path.join(a.out, "estimate")
    subprocess.run([a.axsim, "estimate", "--onnx", onnx_path, "--units", "mul_exact,mul_mitchell,mul_mbm",
                    "--formats", "bf16", "--adder", "none", "--retrain-epochs", "0", "--no-verify",
                    "--out", est] + norm, check=True)
    print(f"5. axsim estimate: {est}/results.csv")
    del plain


if __name__ == "__main__":
    main()
