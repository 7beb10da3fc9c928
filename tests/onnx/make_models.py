#!/usr/bin/python3
"""Makes the ONNX models of axsim's import tests (tests/test_onnx.cpp) and
what PyTorch computes with them, into this folder:

  NAME.onnx         the model, exported by torch.onnx.export
  NAME.logits.npy   float32 [1000, 10]: PyTorch's logits of the first 1,000
                    Fashion-MNIST test images
  NAME.pred.npy     uint8 [10000]: PyTorch's predicted class (argmax) of all
                    10,000 test images

and lenet5.safetensors, resnet8.safetensors: the two models' PyTorch state_dicts
as safetensors (what
safetensors.torch.save_file writes: PyTorch's names, num_batches_tracked as
I64, no metadata), for the checkpoint path (--weights with --rename).

Every model takes the images as x/255 then (x - 0.2860) / 0.3530, computed in
float32 in that order (axsim's ax_dataset_normalize with --norm 0.2860,0.3530).

  lenet5        axsim's shipped LeNet-5 weights (networks/weights), opset 13
  resnet8_bn    a CIFAR-style ResNet-8 trained here for one epoch on 10,000
                images, BatchNormalization kept (TrainingMode.PRESERVE), opset 17
  resnet8_fold  the same weights exported in eval mode: BatchNorm folded into
                the convolutions' weights and biases by the exporter, opset 9
  ops_mlp       MatMul + Add (a bias), Transpose of constant weights, Reshape
                to a flatten, a final Softmax; random weights, opset 11
  ops_act       LeakyRelu, Sigmoid, Tanh and Clip (ReLU6, Hardtanh), Concat; random
                weights, opset 13; ops_act9 another at opset 9 (Clip's bounds
                as attributes)
  ops_conv      strided, dilated, depthwise and non-square convolutions,
                AveragePool (after the zero Pad PyTorch writes before it),
                MaxPool, GlobalAveragePool; random weights, opset 15

Needs Debian's python3-torch, python3-onnx and dataset-fashion-mnist; run it
from anywhere with /usr/bin/python3 tests/onnx/make_models.py. Deterministic
(seeded), though another PyTorch version may write other bytes.
"""
import gzip
import json
import os
import struct
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DATA = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530


def idx(path):
    with gzip.open(path, "rb") as f:
        b = f.read()
    nd = b[3]
    dims = struct.unpack(">" + "I" * nd, b[4:4 + 4 * nd])
    return np.frombuffer(b, dtype=np.uint8, offset=4 + 4 * nd).reshape(dims)


def images(split):
    x = idx(f"{DATA}/{split}-images-idx3-ubyte.gz").astype(np.float32)
    y = idx(f"{DATA}/{split}-labels-idx1-ubyte.gz").astype(np.int64)
    x = (x * np.float32(1 / 255) - np.float32(MEAN)) / np.float32(STD)  # float32, axsim's order
    return torch.from_numpy(x.reshape(-1, 1, 28, 28).copy()), torch.from_numpy(y)


def save_safetensors(path, sd):
    """A state_dict in the safetensors layout (8-byte header length, JSON
    header, little-endian data), as safetensors.torch.save_file writes it."""
    dt = {torch.float32: ("F32", np.float32), torch.int64: ("I64", np.int64)}
    header, blobs, off = {}, [], 0
    for k, v in sd.items():
        name, np_t = dt[v.dtype]
        b = v.detach().cpu().numpy().astype(np_t).tobytes()
        header[k] = {"dtype": name, "shape": list(v.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def safetensors(path):
    with open(path, "rb") as f:
        b = f.read()
    n = struct.unpack("<Q", b[:8])[0]
    h = json.loads(b[8:8 + n])
    out = {}
    for k, v in h.items():
        if k == "__metadata__" or v["dtype"] != "F32":
            continue
        s, e = v["data_offsets"]
        out[k] = torch.from_numpy(np.frombuffer(b, np.float32, (e - s) // 4, 8 + n + s).reshape(v["shape"]).copy())
    return out


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1, self.fc2, self.fc3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(y)) + self.shortcut(x))


class ResNet8(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.layer1 = nn.Sequential(Block(16, 16, 1))
        self.layer2 = nn.Sequential(Block(16, 32, 2))
        self.layer3 = nn.Sequential(Block(32, 64, 2))
        self.linear = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.linear(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class OpsMlp(nn.Module):
    """x.reshape(-1, 784) @ W1^T (an explicit Transpose) + b1, relu, @ W2 + b2, softmax."""

    def __init__(self):
        super().__init__()
        self.w1 = nn.Parameter(torch.randn(16, 784) * 0.05)
        self.b1 = nn.Parameter(torch.randn(16) * 0.1)
        self.w2 = nn.Parameter(torch.randn(16, 10) * 0.4)
        self.b2 = nn.Parameter(torch.randn(10) * 0.1)

    def forward(self, x):
        x = x.reshape(-1, 784)
        x = F.relu(torch.matmul(x, self.w1.t()) + self.b1)
        return F.softmax(torch.matmul(x, self.w2) + self.b2, dim=1)


class OpsConv(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(1, 8, 3, stride=2, padding=1)               # 14x14
        self.b = nn.Conv2d(8, 8, 3, padding=2, dilation=2)             # dilated, 14x14
        self.c = nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False)   # depthwise
        self.d = nn.Conv2d(8, 12, (3, 1), padding=(1, 0))              # non-square
        self.fc = nn.Linear(12, 10)

    def forward(self, x):
        x = F.relu(self.a(x))
        x = F.avg_pool2d(F.relu(self.b(x)), 2)                         # 7x7
        x = F.relu(self.c(x))
        x = F.max_pool2d(F.relu(self.d(x)), 3, stride=2)               # 3x3
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return self.fc(x)


class OpsAct(nn.Module):
    """Every activation: LeakyReLU, Sigmoid, Tanh, ReLU6 and Hardtanh (Clip); a Concat."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 5, stride=2, padding=2)          # 14x14
        self.side = nn.Conv2d(8, 4, 1)
        self.conv2 = nn.Conv2d(12, 8, 3, stride=2, padding=1)        # 7x7
        self.fc1 = nn.Linear(8 * 7 * 7, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = F.relu6(self.conv(x))                                      # Clip(0, 6)
        x = torch.cat([x, self.side(x)], 1)                            # Concat: 8 + 4 channels
        x = F.leaky_relu(self.conv2(x), 0.1)
        x = torch.tanh(torch.flatten(x, 1))
        x = F.hardtanh(self.fc1(x), -0.5, 0.5)                         # Clip(-0.5, 0.5)
        return self.fc2(torch.sigmoid(x))


def export(model, name, opset, **kw):
    path = os.path.join(HERE, name + ".onnx")
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), path, opset_version=opset, input_names=["image"],
                      output_names=["logits"], dynamic_axes={"image": {0: "n"}, "logits": {0: "n"}}, **kw)
    onnx.checker.check_model(onnx.load(path))
    ops = sorted({n.op_type for n in onnx.load(path).graph.node})
    return path, ops


def record(model, name, xte, opset, **kw):
    model.eval()
    path, ops = export(model, name, opset, **kw)
    with torch.no_grad():
        logits = torch.cat([model(xte[i:i + 500]) for i in range(0, len(xte), 500)])
    if isinstance(model, OpsMlp):  # the test compares the logits before the final softmax
        with torch.no_grad():
            x = xte.reshape(-1, 784)
            x = F.relu(torch.matmul(x, model.w1.t()) + model.b1)
            logits = torch.matmul(x, model.w2) + model.b2
    np.save(os.path.join(HERE, name + ".logits.npy"), logits[:1000].numpy().astype(np.float32))
    np.save(os.path.join(HERE, name + ".pred.npy"), logits.argmax(1).numpy().astype(np.uint8))
    print(f"{name}: opset {opset}, {os.path.getsize(path)} bytes, ops {', '.join(ops)}")
    return logits


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)  # one thread: the same sums on every run
    xtr, ytr = images("train")
    xte, yte = images("t10k")
    # lenet5: axsim's shipped weights
    m = LeNet5()
    m.load_state_dict(safetensors(os.path.join(ROOT, "networks/weights/lenet5-fashion-mnist.safetensors")))
    lg = record(m, "lenet5", xte, 13)
    save_safetensors(os.path.join(HERE, "lenet5.safetensors"), m.state_dict())
    print(f"  accuracy {(lg.argmax(1) == yte).float().mean().item():.4f}")
    # resnet8: one epoch on 10,000 images, SGD
    r = ResNet8()
    opt = torch.optim.SGD(r.parameters(), lr=0.05, momentum=0.9)
    r.train()
    g = torch.Generator().manual_seed(0)
    perm = torch.randperm(10000, generator=g)
    for s in range(0, 10000, 64):
        i = perm[s:s + 64]
        loss = F.cross_entropy(r(xtr[i]), ytr[i])
        opt.zero_grad()
        loss.backward()
        opt.step()
    lg = record(r, "resnet8_bn", xte, 17, training=torch.onnx.TrainingMode.PRESERVE)
    print(f"  accuracy {(lg.argmax(1) == yte).float().mean().item():.4f}")
    record(r, "resnet8_fold", xte, 9)
    save_safetensors(os.path.join(HERE, "resnet8.safetensors"), r.state_dict())
    record(OpsMlp(), "ops_mlp", xte, 11, do_constant_folding=False)
    record(OpsConv(), "ops_conv", xte, 15)
    record(OpsAct(), "ops_act", xte, 13)
    record(OpsAct(), "ops_act9", xte, 9)  # Clip's bounds as attributes before opset 11


if __name__ == "__main__":
    sys.exit(main())
