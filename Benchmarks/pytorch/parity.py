#!/usr/bin/env python3
"""Parity of the Swift forward pass with the independent PyTorch port (mpcl_torch.py).

    parity.py --checkpoint PATH [--windows N] [--seed S] [--swift BINARY] [--tolerance 1e-5]

Generates N seeded windows of raw features around the checkpoint's own statistics
(mean + std · N(0, 1), plus a few rows at larger spread), writes them as a float32 .npy, has the Swift
helper (swift-predict, `Predictor(checkpoint:).distributions`) predict them twice — the whole batch in
one call and one window per call (the batch-1 gemv path the server uses) — and compares both with
PyTorch. Prints one line; exits 1 when max |Swift − PyTorch| exceeds the tolerance.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mpcl_torch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
DEFAULT_SWIFT = os.path.join(REPO, ".build-parity", "release", "mpcl-swift-predict")


def make_windows(model: mpcl_torch.MPCLModel, windows: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    mean = model.normalization.mean.numpy().astype(np.float64)
    std = model.normalization.std.numpy().astype(np.float64)
    spread = np.ones((windows, 1))
    spread[: windows // 10] = 3.0  # a tenth of the windows far out, to reach saturated softmaxes
    raw = mean + std * spread * rng.standard_normal((windows, mean.size))
    return raw.astype(np.float32)


def swift_predict(binary: str, checkpoint: str, inputs: str, output: str, chunk: int | None) -> np.ndarray:
    command = [binary, "predict", "--checkpoint", checkpoint, "--input", inputs, "--output", output]
    if chunk is not None:
        command += ["--chunk", str(chunk)]
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    subprocess.run(command, check=True, env=env)
    return np.load(output)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--windows", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20260)
    parser.add_argument("--swift", default=os.environ.get("MPCL_SWIFT_PREDICT", DEFAULT_SWIFT))
    parser.add_argument("--tolerance", type=float, default=1e-5)
    parser.add_argument("--name", default=None, help="label for the printed line (default: file name)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()

    torch.set_num_threads(1)
    model = mpcl_torch.load_checkpoint(args.checkpoint)
    raw = make_windows(model, args.windows, args.seed)
    torch_out = model.predict(raw)
    # The same port in float64: an arbiter of how much of a difference is float32 rounding.
    reference = copy.deepcopy(model).double().predict(raw)

    with tempfile.TemporaryDirectory(prefix="mpcl-parity-") as work:
        inputs = os.path.join(work, "windows.npy")
        np.save(inputs, raw)
        swift_batch = swift_predict(args.swift, args.checkpoint, inputs, os.path.join(work, "batch.npy"), None)
        swift_single = swift_predict(args.swift, args.checkpoint, inputs, os.path.join(work, "single.npy"), 1)

    for name, out in (("batch", swift_batch), ("single", swift_single)):
        if out.shape != torch_out.shape:
            print(f"{args.name or args.checkpoint}: shape mismatch {name} {out.shape} vs torch {torch_out.shape}")
            return 1
    diff_batch = float(np.max(np.abs(swift_batch.astype(np.float64) - torch_out)))
    diff_single = float(np.max(np.abs(swift_single.astype(np.float64) - torch_out)))
    diff_swift = float(np.max(np.abs(swift_batch.astype(np.float64) - swift_single)))
    error_swift = float(np.max(np.abs(swift_batch.astype(np.float64) - reference)))
    error_torch = float(np.max(np.abs(torch_out.astype(np.float64) - reference)))
    finite = bool(np.isfinite(torch_out).all() and np.isfinite(swift_batch).all() and np.isfinite(swift_single).all())
    # How far predictions are from uniform / from each other: parity on near-constant outputs proves little.
    spread = {
        "max_prob": float(torch_out.max()),
        "min_prob": float(torch_out.min()),
        "row_std_over_windows": float(torch_out.std(axis=0).mean()),
    }
    worst = max(diff_batch, diff_single)
    ok = finite and worst <= args.tolerance
    result = {
        "checkpoint": args.name or os.path.basename(args.checkpoint),
        "architecture": model.config.architecture,
        "windows": args.windows,
        "max_abs_diff_batch": diff_batch,
        "max_abs_diff_batch1": diff_single,
        "swift_batch_vs_batch1": diff_swift,
        "swift_vs_float64": error_swift,
        "torch_vs_float64": error_torch,
        **spread,
        "pass": ok,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{result['checkpoint']:<24} {'PASS' if ok else 'FAIL'}  max|diff| batch {diff_batch:.3e}  "
            f"batch-1 {diff_single:.3e}  (swift batch vs batch-1 {diff_swift:.3e}; vs float64: swift {error_swift:.2e} "
            f"torch {error_torch:.2e}; "
            f"probs {spread['min_prob']:.4f}..{spread['max_prob']:.4f}, std over windows {spread['row_std_over_windows']:.4f})"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
