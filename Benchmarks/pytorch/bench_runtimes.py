#!/usr/bin/env python3
"""ONNX Runtime and OpenVINO timings of an exported checkpoint, one thread, as JSON.

    bench_runtimes.py --onnx model.onnx --checkpoint model.safetensors [--batches 1,64,256]
                      [--seconds 1.5] [--runtimes onnxruntime,openvino] [--reference Y.npy --windows X.npy]

The ONNX file comes from export_onnx.py (raw features → distributions). Before timing, each runtime
predicts the windows in ``--windows`` (raw float32 [N, F] .npy) and is compared with ``--reference``
(mpcl's own distributions of those windows, e.g. from swift-predict): the runtime is only timed if
max |Δ| ≤ 1e-5 (the result says so either way). Timing: raw float32 features [B, F] around the
checkpoint's statistics in, distributions out, median of repeated calls after warm-up — the same
work as ``mpcl-bench predict``. Run the two alternately (A B A B …) and quote ratios. ``--clock cpu``
times the process's CPU time (every thread of it) instead of wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def median_seconds(body, seconds: float, min_runs: int = 50, max_runs: int = 20000, clock=time.perf_counter) -> tuple[float, int]:
    for _ in range(max(3, min_runs // 10)):
        body()
    samples = []
    deadline = time.perf_counter() + seconds
    while len(samples) < max_runs and (len(samples) < min_runs or time.perf_counter() < deadline):
        start = clock()
        body()
        samples.append(clock() - start)
    return statistics.median(samples), len(samples)


def onnxruntime_runner(path: str):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    return f"onnxruntime {ort.__version__}", lambda x: session.run(["distributions"], {"features": x})[0]


def openvino_runner(path: str):
    import openvino as ov

    core = ov.Core()
    compiled = core.compile_model(
        path, "CPU", {"INFERENCE_NUM_THREADS": 1, "NUM_STREAMS": 1, "PERFORMANCE_HINT": "LATENCY", "INFERENCE_PRECISION_HINT": "f32"})
    request = compiled.create_infer_request()
    output = compiled.output(0)

    def run(x):
        return request.infer({0: x})[output]

    return f"openvino {ov.__version__}", run


RUNNERS = {"onnxruntime": onnxruntime_runner, "openvino": openvino_runner}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--onnx", required=True)
    parser.add_argument("--checkpoint", required=True, help="for the feature statistics of the timing windows")
    parser.add_argument("--batches", default="1,64,256")
    parser.add_argument("--seconds", type=float, default=1.5)
    parser.add_argument("--runtimes", default="onnxruntime,openvino")
    parser.add_argument("--windows", help="raw windows .npy for the equality check")
    parser.add_argument("--reference", help="mpcl's distributions of --windows (.npy)")
    parser.add_argument("--tolerance", type=float, default=1e-5)
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="cpu: the process's CPU time (all its threads), for an oversubscribed machine")
    args = parser.parse_args()

    import mpcl_torch

    statistics_model = mpcl_torch.load_checkpoint(args.checkpoint)
    mean = statistics_model.normalization.mean.numpy()
    std = statistics_model.normalization.std.numpy()
    batches = [int(b) for b in args.batches.split(",") if b]
    rng = np.random.default_rng(1)
    pool = (mean + std * rng.standard_normal((max(batches), mean.size))).astype(np.float32)

    report = {"results": {}}
    for name in [r for r in args.runtimes.split(",") if r]:
        version, run = RUNNERS[name](args.onnx)
        entry = {"version": version}
        if args.windows and args.reference:
            windows = np.load(args.windows).astype(np.float32)
            reference = np.load(args.reference)
            got = np.concatenate([run(np.ascontiguousarray(windows[i : i + 256])) for i in range(0, len(windows), 256)])
            difference = float(np.abs(got - reference).max())
            alone = float(max(np.abs(run(windows[i : i + 1]) - reference[i : i + 1]).max() for i in range(min(16, len(windows)))))
            entry["max_difference"] = max(difference, alone)
            entry["equal"] = entry["max_difference"] <= args.tolerance
            if not entry["equal"]:
                report["results"][name] = entry
                continue
        rows = []
        for batch in batches:
            x = np.ascontiguousarray(pool[:batch])
            clock = time.process_time if args.clock == "cpu" else time.perf_counter
            seconds, runs = median_seconds(lambda: run(x), args.seconds, clock=clock)
            rows.append({"batch": batch, "median_ms": seconds * 1e3, "windows_per_s": batch / seconds, "runs": runs})
        entry["timings"] = rows
        report["results"][name] = entry
    print(json.dumps(report, indent=2))
    return 0 if all(e.get("equal", True) for e in report["results"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
