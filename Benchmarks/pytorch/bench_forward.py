#!/usr/bin/env python3
"""PyTorch timings of a checkpoint's model, one thread, printed as JSON (docs/PERFORMANCE.md's peer).

    bench_forward.py --checkpoint PATH [--batches 1,64] [--seconds 2] [--train-step] [--threads 1]

For each batch size: the median latency of
  - ``predict``: raw float32 numpy [B, F] in → distributions out (z-scoring included), what the Swift
    ``Predictor.distributions(rawFeatures:rows:)`` does;
  - ``forward``: the module on an already z-scored tensor (no numpy conversion),
both under ``torch.inference_mode()`` with the input-independent keys/values cached at load.
``--train-step`` adds one Adam step (forward with dropout, loss, backward, update) at batch 128.
Run the Swift side alongside (A B A B …) and quote ratios, never lone absolute times.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mpcl_torch  # noqa: E402


def median_seconds(body, seconds: float, min_runs: int, max_runs: int) -> tuple[float, int]:
    for _ in range(max(3, min_runs // 10)):  # warm-up
        body()
    samples = []
    deadline = time.perf_counter() + seconds
    while len(samples) < max_runs and (len(samples) < min_runs or time.perf_counter() < deadline):
        start = time.perf_counter()
        body()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), len(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--batches", default="1,64")
    parser.add_argument("--seconds", type=float, default=2.0, help="time budget per measurement")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--train-step", action="store_true", help="also time one training step at batch 128")
    parser.add_argument("--train-epoch-windows", type=int, default=0,
                        help="also time one mpcl_torch.train epoch (batch 128, noise, mixup) over N Gaussian windows")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    model = mpcl_torch.load_checkpoint(args.checkpoint)
    features = model.config.layout.feature_count
    rng = np.random.default_rng(1)
    mean = model.normalization.mean.numpy()
    std = model.normalization.std.numpy()
    batches = [int(b) for b in args.batches.split(",") if b]
    pool = (mean + std * rng.standard_normal((max(batches + [128]), features))).astype(np.float32)

    results = []
    for batch in batches:
        raw = np.ascontiguousarray(pool[:batch])
        with torch.inference_mode():
            z = model.standardize(torch.from_numpy(raw))

            def forward():
                model(z)

        predict_s, predict_runs = median_seconds(lambda: model.predict(raw), args.seconds, 50, 20000)
        with torch.inference_mode():
            forward_s, forward_runs = median_seconds(forward, args.seconds, 50, 20000)
        results.append(
            {
                "batch": batch,
                "predict_median_ms": predict_s * 1e3,
                "predict_windows_per_s": batch / predict_s,
                "predict_runs": predict_runs,
                "forward_median_ms": forward_s * 1e3,
                "forward_windows_per_s": batch / forward_s,
                "forward_runs": forward_runs,
            }
        )

    report = {
        "implementation": "pytorch",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "checkpoint": os.path.basename(args.checkpoint),
        "architecture": model.config.architecture,
        "parameters": sum(p.numel() for p in model.parameters()),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "results": results,
    }

    if args.train_step and any(p.requires_grad for p in model.parameters()):
        batch = 128
        x = model.standardize(torch.from_numpy(pool[:batch])).detach()
        y = torch.softmax(torch.from_numpy(rng.standard_normal((batch, model.config.classes)).astype(np.float32)), -1)
        optimizer, _ = mpcl_torch.make_optimizer(model)
        step_s, step_runs = median_seconds(lambda: mpcl_torch.train_step(model, optimizer, x, y), args.seconds * 2, 10, 2000)
        model.eval()
        report["train_step"] = {"batch": batch, "median_ms": step_s * 1e3, "runs": step_runs}

    if args.train_epoch_windows > 0 and any(p.requires_grad for p in model.parameters()):
        windows = args.train_epoch_windows
        x = rng.standard_normal((windows, features)).astype(np.float32) * std + mean  # z-scores to N(0, 1)
        y = np.exp(rng.standard_normal((windows, model.config.classes))).astype(np.float32)
        y /= y.sum(axis=1, keepdims=True)
        start = time.perf_counter()
        mpcl_torch.train(model, x, y, epochs=1, batch_size=128, log=lambda _: None)
        seconds = time.perf_counter() - start
        steps = -(-windows // 128)
        report["train_epoch"] = {"windows": windows, "batch": 128, "steps": steps, "epoch_seconds": seconds,
                                 "step_ms": seconds / steps * 1e3}

    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
