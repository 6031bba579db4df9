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


def gradient_parity(model, binary: str, checkpoint: str, raw: np.ndarray, seed: int, weight: float = 0.5) -> dict:
    """Loss and every parameter gradient (dropout off) from Swift's tape vs torch autograd, with a
    float64 torch run as the arbiter. Errors are relative to each tensor's largest |gradient|
    (floored at 1e-2 of the model's largest)."""
    from safetensors.numpy import load_file

    rng = np.random.default_rng(seed + 1)
    logits = 1.5 * rng.standard_normal((raw.shape[0], model.config.classes))
    targets = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    targets[rng.random(targets.shape) < 0.1] = 0.0  # exact zeros take the y = 0 branch of KL
    targets = (targets / targets.sum(axis=1, keepdims=True)).astype(np.float32)

    def torch_side(m):
        m.eval()  # dropout off, like `lossAndGradients(training: false)`
        m.zero_grad(set_to_none=True)
        dtype = m.normalization.mean.dtype
        x = m.standardize(torch.from_numpy(raw).to(dtype)).detach()
        _, loss = m(x, torch.from_numpy(targets).to(dtype), weight)
        loss.backward()
        return float(loss.detach()), {n: p.grad.double().numpy() for n, p in m.named_parameters() if p.grad is not None}

    torch_loss, torch_grads = torch_side(copy.deepcopy(model))
    ref_loss, ref_grads = torch_side(copy.deepcopy(model).double())
    with tempfile.TemporaryDirectory(prefix="mpcl-gradients-") as work:
        np.save(os.path.join(work, "x.npy"), raw)
        np.save(os.path.join(work, "y.npy"), targets)
        out = os.path.join(work, "g.safetensors")
        subprocess.run(
            [binary, "gradients", "--checkpoint", checkpoint, "--input", os.path.join(work, "x.npy"),
             "--targets", os.path.join(work, "y.npy"), "--output", out, "--weight", str(weight)],
            check=True, env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
        swift = {k: v.astype(np.float64) for k, v in load_file(out).items()}
    swift_loss = float(swift.pop("loss")[0])
    missing = sorted(set(ref_grads) ^ set(swift))
    worst = {"swift_vs_torch": 0.0, "swift_vs_float64": 0.0, "torch_vs_float64": 0.0}
    worst_name = ""
    # Some gradients are mathematically 0 (a bias added equally to every logit before the softmax):
    # relative errors are floored at 1e-2 of the largest gradient anywhere in the model.
    floor = 1e-2 * max(float(np.abs(g).max()) for g in ref_grads.values())
    for name, ref in ref_grads.items():
        if name not in swift:
            continue
        scale = max(float(np.abs(ref).max()), floor, 1e-12)
        for key, a, b in (("swift_vs_torch", swift[name], torch_grads[name]), ("swift_vs_float64", swift[name], ref),
                          ("torch_vs_float64", torch_grads[name], ref)):
            error = float(np.abs(a - b).max()) / scale
            if error > worst[key]:
                worst[key] = error
                if key == "swift_vs_torch":
                    worst_name = name
    return {
        "loss_swift": swift_loss, "loss_torch": torch_loss, "loss_float64": ref_loss,
        "loss_rel_diff": abs(swift_loss - torch_loss) / max(abs(ref_loss), 1e-12),
        "grad_rel_diff": worst, "grad_worst_tensor": worst_name, "grad_name_mismatch": missing,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--windows", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20260)
    parser.add_argument("--swift", default=os.environ.get("MPCL_SWIFT_PREDICT", DEFAULT_SWIFT))
    parser.add_argument("--tolerance", type=float, default=1e-5)
    parser.add_argument("--name", default=None, help="label for the printed line (default: file name)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--gradients", action="store_true",
                        help="also compare the training loss and every parameter gradient (64 windows, dropout off)")
    parser.add_argument("--gradient-tolerance", type=float, default=1e-3,
                        help="max |Swift − torch| per gradient tensor, relative to its largest |entry|")
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
    gradients = None
    if args.gradients and any(True for _ in model.parameters()):
        gradients = gradient_parity(model, args.swift, args.checkpoint, raw[:64], args.seed)
        gradients_ok = (not gradients["grad_name_mismatch"] and gradients["loss_rel_diff"] <= 1e-5
                        and gradients["grad_rel_diff"]["swift_vs_torch"] <= args.gradient_tolerance)
        ok = ok and gradients_ok
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
    if gradients is not None:
        result["gradients"] = gradients
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{result['checkpoint']:<24} {'PASS' if ok else 'FAIL'}  max|diff| batch {diff_batch:.3e}  "
            f"batch-1 {diff_single:.3e}  (swift batch vs batch-1 {diff_swift:.3e}; vs float64: swift {error_swift:.2e} "
            f"torch {error_torch:.2e}; "
            f"probs {spread['min_prob']:.4f}..{spread['max_prob']:.4f}, std over windows {spread['row_std_over_windows']:.4f})"
        )
        if gradients is not None:
            g = gradients
            print(
                f"{'':<24}       loss swift {g['loss_swift']:.6f} torch {g['loss_torch']:.6f} (rel {g['loss_rel_diff']:.1e}); "
                f"gradients max rel diff {g['grad_rel_diff']['swift_vs_torch']:.1e} ({g['grad_worst_tensor']}), vs float64: "
                f"swift {g['grad_rel_diff']['swift_vs_float64']:.1e} torch {g['grad_rel_diff']['torch_vs_float64']:.1e}"
                + (f"; name mismatch {g['grad_name_mismatch']}" if g["grad_name_mismatch"] else "")
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
