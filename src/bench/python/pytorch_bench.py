#!/usr/bin/python3
"""The PyTorch reference for `mlp-stream bench`: the same MLP, the same stream, the same protocol.

Runs on Debian's python3-torch (1.13). Prints JSON lines in the same format as the Java benchmark:
one per epoch, then a summary. Epoch 1 is test-then-train (each batch is predicted in eval mode before
the model trains on it); later epochs only train. Before the clock starts, a throwaway model takes
--warmup-steps steps, as the Java benchmark does for its JIT.

    python3 src/bench/python/pytorch_bench.py --batch-size 32 --epochs 5
"""
import argparse
import ctypes
import gzip
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn

SAMPLE = "src/main/resources/mnist/mnist-10k-{}-idx{}-ubyte.gz"


def read_idx(path):
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        magic, = struct.unpack(">i", f.read(4))
        dims = magic & 0xFF
        shape = struct.unpack(">" + "i" * dims, f.read(4 * dims))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(shape)


def mlp(sizes, activation, dropout, init):
    layers = []
    act = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "leaky-relu": nn.LeakyReLU}[activation]
    for i in range(len(sizes) - 1):
        linear = nn.Linear(sizes[i], sizes[i + 1])
        if init == "he":
            nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
            nn.init.zeros_(linear.bias)
        elif init == "xavier":
            nn.init.xavier_uniform_(linear.weight)
            nn.init.zeros_(linear.bias)
        layers.append(linear)
        if i < len(sizes) - 2:
            layers += [act(), nn.Dropout(dropout)]
    layers.append(nn.LogSoftmax(dim=1))
    return nn.Sequential(*layers)


def optimizer(name, params, a):
    if name == "adam":
        return torch.optim.Adam(params, lr=a.lr)
    return torch.optim.SGD(params, lr=a.lr, momentum=a.momentum if name == "momentum" else 0.0,
                           nesterov=a.nesterov)


def blas_core():
    """The core whose kernels the OpenBLAS under PyTorch picked (OPENBLAS_CORETYPE may pin it)."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "libopenblas" in line}
    for path in sorted(paths):
        try:
            corename = ctypes.CDLL(path).openblas_get_corename
            corename.restype = ctypes.c_char_p
            return corename().decode()
        except (OSError, AttributeError):
            continue
    return "no OpenBLAS loaded"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--images", default=SAMPLE.format("images", 3))
    p.add_argument("--labels", default=SAMPLE.format("labels", 1))
    p.add_argument("--hidden", default="256,128")
    p.add_argument("--activation", default="relu")
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--optimizer", default="adam", choices=["sgd", "momentum", "adam"])
    p.add_argument("--lr", type=float, default=0.0015)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--nesterov", action="store_true")
    p.add_argument("--init", default="he", choices=["he", "xavier", "torch"])
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--warmup-steps", type=int, default=300)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    images = read_idx(a.images)
    labels = torch.from_numpy(read_idx(a.labels).astype(np.int64))
    n = images.shape[0]
    pixels = torch.from_numpy(images.reshape(n, -1).copy())  # uint8; scaled per batch, as the Java side does
    sizes = [pixels.shape[1]] + [int(h) for h in a.hidden.split(",") if h] + [10]
    loss_fn = nn.NLLLoss()
    b = a.batch_size

    def step(model, opt, x, y):
        model.train()
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    scratch = mlp(sizes, a.activation, a.dropout, a.init)
    scratch_opt = optimizer(a.optimizer, scratch.parameters(), a)
    for s in range(a.warmup_steps):
        i = (s * b) % (n - b)
        x = pixels[i:i + b].float() / 255
        with torch.no_grad():
            scratch.eval()
            scratch(x)
        step(scratch, scratch_opt, x, labels[i:i + b])

    model = mlp(sizes, a.activation, a.dropout, a.init)
    opt = optimizer(a.optimizer, model.parameters(), a)
    correct = 0
    start = time.perf_counter()
    for epoch in range(1, a.epochs + 1):
        t0 = time.perf_counter()
        total = 0.0
        for i in range(0, n, b):
            x = pixels[i:i + b].float() / 255
            y = labels[i:i + b]
            if epoch == 1:
                with torch.no_grad():
                    model.eval()
                    correct += (model(x).argmax(1) == y).sum().item()
            total += step(model, opt, x, y) * len(y)
        secs = time.perf_counter() - t0
        line = {"epoch": epoch, "examples": n, "seconds": round(secs, 3), "examplesPerSecond": round(n / secs),
                "loss": round(total / n, 4)}
        if epoch == 1:
            line["prequentialAccuracy"] = round(correct / n, 4)
        print(json.dumps(line), flush=True)
    secs = time.perf_counter() - start
    print(json.dumps({"summary": True, "examples": n * a.epochs, "seconds": round(secs, 3),
                      "examplesPerSecond": round(n * a.epochs / secs), "prequentialAccuracy": round(correct / n, 4),
                      "model": "-".join(map(str, sizes)) + " " + a.activation, "dropout": a.dropout,
                      "init": a.init, "optimizer": a.optimizer, "lr": a.lr, "batchSize": b, "epochs": a.epochs,
                      "framework": "pytorch " + torch.__version__, "threads": a.threads, "blasCore": blas_core(),
                      "openblasCoretype": os.environ.get("OPENBLAS_CORETYPE", "unset")}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
