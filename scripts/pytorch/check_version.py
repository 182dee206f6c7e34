#!/usr/bin/env python3
"""Opens a model version Lethe wrote, in real PyTorch, and says what it finds, as JSON on stdout.

  --original A.pt --version B.pt      which tensors and buffers are bit-identical, which changed;
                                      whether embed/classify are still callable (and agree with
                                      forward)
  --inputs X.f32 --logits Y.f32       max |logit difference| between PyTorch's forward on the
                                      inputs (float32 LE, N x 1 x 28 x 28) and Lethe's logits
                                      (float32 LE, N x classes)
  --split split.json [--data-dir D]   accuracy and mean loss of both models on the forget set
                                      (the manifest's forget subjects) and on its holdout images,
                                      which Lethe never saw

Run with Debian's PyTorch: /usr/bin/python3 scripts/pytorch/check_version.py ...
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_fashion_bn import read_idx  # noqa: E402  (the same IDX reading as the training script)


@torch.no_grad()
def measure(model, x, y):
    logits = model(x)
    return {"accuracy": float((logits.argmax(1) == y).float().mean()),
            "meanLoss": float(F.cross_entropy(logits, y))}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--original")
    p.add_argument("--version", required=True)
    p.add_argument("--inputs")
    p.add_argument("--logits")
    p.add_argument("--split")
    p.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    args = p.parse_args()
    torch.set_num_threads(1)
    new = torch.jit.load(args.version)
    new.eval()
    out = {"torch": torch.__version__, "training": new.training}

    if args.original:
        old = torch.jit.load(args.original)
        old_p, new_p = dict(old.named_parameters()), dict(new.named_parameters())
        old_b, new_b = dict(old.named_buffers()), dict(new.named_buffers())
        out["sameParameterNames"] = list(old_p) == list(new_p)
        out["changedParameters"] = [n for n in old_p if not torch.equal(old_p[n], new_p[n])]
        out["identicalParameters"] = [n for n in old_p if torch.equal(old_p[n], new_p[n])]
        out["buffersIdentical"] = list(old_b) == list(new_b) and all(torch.equal(old_b[n], new_b[n]) for n in old_b)

    probe = torch.rand(4, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    try:
        z = new.embed(probe)
        out["embedClassifyCallable"] = True
        out["classifyOfEmbedEqualsForward"] = float((new.classify(z) - new(probe)).abs().max()) <= 1e-5
    except (AttributeError, RuntimeError) as e:
        out["embedClassifyCallable"] = False
        out["embedClassifyError"] = str(e).splitlines()[0]

    if args.inputs and args.logits:
        x = torch.from_numpy(np.fromfile(args.inputs, dtype="<f4").reshape(-1, 1, 28, 28))
        theirs = torch.from_numpy(np.fromfile(args.logits, dtype="<f4").reshape(len(x), -1))
        with torch.no_grad():
            ours = new(x)
        out["inputs"] = len(x)
        out["maxLogitDifference"] = float((ours - theirs).abs().max())

    if args.split:
        manifest = json.load(open(args.split))
        images = read_idx(os.path.join(args.data_dir, "train-images-idx3-ubyte.gz"))
        labels = read_idx(os.path.join(args.data_dir, "train-labels-idx1-ubyte.gz"))
        forget_subjects = set(manifest["forgetSubjects"])
        forget = [t["index"] for t in manifest["train"] if t["subject"] in forget_subjects]
        holdout = manifest["holdout"]
        sets = {"forget": forget, "holdout": holdout}
        models = {"version": new}
        if args.original:
            models["original"] = old
        for name, model in models.items():
            out[name] = {s: measure(model, torch.from_numpy(images[idx]), torch.from_numpy(labels[idx]))
                         for s, idx in sets.items()}
        out["forgetSize"], out["holdoutSize"] = len(forget), len(holdout)
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
