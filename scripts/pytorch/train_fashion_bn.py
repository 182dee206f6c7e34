#!/usr/bin/env python3
"""Plays a team's training pipeline in real PyTorch: trains a model Lethe has never seen, and the
retrain oracle that never saw the subjects to be forgotten.

The model is unlike Lethe's built-ins: three convolutions with BatchNorm, max pooling and a dense
head. It exports embed(x) and classify(z) with forward(x) == classify(embed(x)), so Lethe can run
the convolutions once per sample and unlearn the head (its fast path).

Writes to --out:
  model.pt     torch.jit.script of the trained model (eval mode)
  oracle.pt    the same recipe trained without the forget subjects (only with --oracle)
  split.json   the contract with Lethe: which Fashion-MNIST training-file images were trained on,
               each image's data subject, the forget subjects, validation and holdout images,
               the recipe and the measured accuracies
  samples.tsv  (with --samples) the training images and the validation images (as split
               "holdout": Lethe's own never-trained-on pool) as lethe.samples records, key<TAB>JSON
               value, as `lethe train --samples-out` writes them. The manifest's holdout images
               stay out of Lethe, for measuring its versions on data it never saw.
  requests.tsv (with --samples) one deletion request per forget subject, key<TAB>JSON value

Images are pixel/255 in a (1, 28, 28) float32 tensor, as Lethe reads the IDX files. Every random
choice follows --seed; the run is repeatable on one machine (CPU, same thread count).

Run with Debian's PyTorch: /usr/bin/python3 scripts/pytorch/train_fashion_bn.py --out DIR
"""
import argparse
import base64
import gzip
import json
import os
import random
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class FashionBnNet(nn.Module):
    """Conv-BN-ReLU ×3 (16, 16, 32 filters) with pooling, then a 288-64-10 dense head."""

    def __init__(self, classes: int = 10):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.MaxPool2d(2), nn.Flatten())
        self.head = nn.Sequential(nn.Linear(32 * 3 * 3, 64), nn.ReLU(), nn.Linear(64, classes))

    @torch.jit.export
    def embed(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)

    @torch.jit.export
    def classify(self, z: torch.Tensor) -> torch.Tensor:
        return self.head(z)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classify(self.embed(x))


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 0x803:
        rows, cols = struct.unpack(">II", data[8:16])
        pixels = np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, 1, rows, cols)
        return pixels.astype(np.float32) / 255.0
    if magic == 0x801:
        return np.frombuffer(data, dtype=np.uint8, offset=8).astype(np.int64)
    raise ValueError(f"{path}: not an IDX image or label file")


def draw_split(n_pool, args, rng):
    """Train, validation and holdout indices from one pool; subjects of 5-15 images; whole
    subjects forgotten until at least --forget-size images are."""
    order = list(range(n_pool))
    rng.shuffle(order)
    train = order[:args.train_size]
    validation = order[args.train_size:args.train_size + args.validation_size]
    holdout = order[args.train_size + args.validation_size:
                    args.train_size + args.validation_size + args.holdout_size]
    subjects, i, g = [], 0, 0
    while i < len(train):
        size = rng.randint(5, 15)
        subjects += [f"subject-{g:06d}"] * min(size, len(train) - i)
        i += size
        g += 1
    names = sorted(set(subjects))
    rng.shuffle(names)
    forget, count = [], 0
    for name in names:
        if count >= args.forget_size:
            break
        forget.append(name)
        count += subjects.count(name)
    return train, subjects, sorted(forget), validation, holdout


def train_model(x, y, args, seed):
    torch.manual_seed(seed)
    model = FashionBnNet()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    gen = torch.Generator().manual_seed(seed)
    model.train()
    for epoch in range(args.epochs):
        perm = torch.randperm(len(x), generator=gen)
        total = 0.0
        for start in range(0, len(x), args.batch_size):
            idx = perm[start:start + args.batch_size]
            opt.zero_grad()
            loss = F.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        if (epoch + 1) % 5 == 0 or epoch + 1 == args.epochs:
            print(f"  epoch {epoch + 1}/{args.epochs}: loss {total / len(x):.4f}", file=sys.stderr)
    model.eval()
    return model


@torch.no_grad()
def accuracy(model, x, y):
    return float((model(x).argmax(1) == y).float().mean()) if len(x) else float("nan")


def sample_record(sample_id, subject, label, split, image):
    features = base64.b64encode(image.astype("<f4").tobytes()).decode("ascii")
    value = {"sampleId": sample_id, "subjectId": subject, "label": int(label), "split": split,
             "shape": list(image.shape), "features": features}
    return sample_id + "\t" + json.dumps(value, separators=(",", ":"))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--out", required=True)
    p.add_argument("--train-size", type=int, default=2000)
    p.add_argument("--forget-size", type=int, default=200)
    p.add_argument("--validation-size", type=int, default=1000)
    p.add_argument("--holdout-size", type=int, default=1000)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--oracle", action="store_true", help="also train the retrain oracle")
    p.add_argument("--samples", action="store_true", help="also write samples.tsv and requests.tsv")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)

    images = read_idx(os.path.join(args.data_dir, "train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(args.data_dir, "train-labels-idx1-ubyte.gz"))
    rng = random.Random(args.seed)
    train, subjects, forget, validation, holdout = draw_split(len(images), args, rng)
    forget_set = set(forget)
    kept = [i for i, s in zip(train, subjects) if s not in forget_set]
    forgotten = [i for i, s in zip(train, subjects) if s in forget_set]

    def tensors(idx):
        return torch.from_numpy(images[idx]), torch.from_numpy(labels[idx])

    x_train, y_train = tensors(train)
    x_val, y_val = tensors(validation)
    x_hold, y_hold = tensors(holdout)
    x_forget, y_forget = tensors(forgotten)
    x_kept, y_kept = tensors(kept)

    report = {}
    for name, (x, y) in [("model", (x_train, y_train)), ("oracle", (x_kept, y_kept))]:
        if name == "oracle" and not args.oracle:
            continue
        print(f"training {name} on {len(x)} images ({args.epochs} epochs)", file=sys.stderr)
        start = time.time()
        model = train_model(x, y, args, args.seed)
        seconds = time.time() - start
        scripted = torch.jit.script(model)
        scripted.save(os.path.join(args.out, name + ".pt"))
        report[name] = {"seconds": round(seconds, 2),
                        "trainAccuracy": accuracy(model, x, y),
                        "forgetAccuracy": accuracy(model, x_forget, y_forget),
                        "holdoutAccuracy": accuracy(model, x_hold, y_hold),
                        "parameters": sum(t.numel() for t in model.parameters())}
        print(f"  {name}: {report[name]}", file=sys.stderr)

    manifest = {
        "dataset": "fashion-mnist", "pool": "train-images-idx3-ubyte",
        "inputShape": [1, 28, 28], "numClasses": 10, "seed": args.seed,
        "train": [{"index": i, "subject": s} for i, s in zip(train, subjects)],
        "forgetSubjects": forget, "validation": validation, "holdout": holdout,
        "recipe": {"epochs": args.epochs, "batchSize": args.batch_size, "lr": args.lr,
                   "optimizer": "adam", "threads": args.threads},
        "torch": torch.__version__, "results": report,
    }
    with open(os.path.join(args.out, "split.json"), "w") as f:
        json.dump(manifest, f, separators=(",", ":"))

    if args.samples:
        with open(os.path.join(args.out, "samples.tsv"), "w") as f:
            for i, s in zip(train, subjects):
                print(sample_record(f"train-{i}", s, labels[i], "train", images[i]), file=f)
            for i in validation:
                print(sample_record(f"validation-{i}", "validation-subject", labels[i], "holdout", images[i]),
                      file=f)
        with open(os.path.join(args.out, "requests.tsv"), "w") as f:
            for n, s in enumerate(forget):
                value = {"requestId": f"req-{n:04d}", "subjectId": s}
                print(s + "\t" + json.dumps(value, separators=(",", ":")), file=f)
    print(json.dumps(report), file=sys.stdout)


if __name__ == "__main__":
    main()
