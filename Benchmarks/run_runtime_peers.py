#!/usr/bin/env python3
"""mpcl's compiled forward pass against ONNX Runtime and OpenVINO, side by side (docs/PERFORMANCE.md).

    Benchmarks/run_runtime_peers.py [--rounds 5] [--seconds 1.5] [--results PATH] [--markdown BENCHMARKS.md]

Needs `.build-bench/release/mpcl-bench` (scripts/benchmarks builds it) and the packages of
Benchmarks/pytorch/requirements-runtimes.txt. Steps, all on the default checkpoint, one thread each:
1. export it to ONNX with Benchmarks/pytorch/export_onnx.py (the script users run);
2. 512 seeded raw windows through mpcl (`mpcl-bench distributions`, the plan the server runs) and
   through each runtime: a runtime is timed only if it equals mpcl's output to 1e-5;
3. rounds of, alternately: `mpcl-bench predict` (plan), the runtimes (bench_runtimes.py),
   `mpcl-bench predict --engine tape` (the training tape, for before/after) and `mpcl-bench sgemm`;
   medians over rounds, batch 1 / 64 / 256, raw features → distributions (z-scoring included);
4. the batch-256 arithmetic rate (Benchmarks/pytorch/flops.py's FLOPs per window) against the same
   run's best single-thread sgemm rate.
Writes the raw results as JSON and replaces the section between the `runtime-peers` markers of
the markdown file (appending it if absent).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_benchmarks import replace_section  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECKPOINT = os.path.join(REPO, "Sources/MPCLService/Resources/default.safetensors")
BENCH = os.path.join(REPO, ".build-bench/release/mpcl-bench")
PYDIR = os.path.join(REPO, "Benchmarks/pytorch")
BEGIN, END = "<!-- runtime-peers:begin -->", "<!-- runtime-peers:end -->"
BATCHES = [1, 64, 256]


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def run_json(command: list[str], **extra) -> dict:
    environment = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", **extra)
    out = subprocess.run(command, env=environment, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def loadavg() -> str:
    return " ".join(open("/proc/loadavg").read().split()[:3])


def measure(args) -> dict:
    work = tempfile.mkdtemp(prefix="mpcl-runtimes-")
    onnx_path = os.path.join(work, "default.onnx")
    log("exporting the default checkpoint to ONNX")
    subprocess.run([sys.executable, f"{PYDIR}/export_onnx.py", "--checkpoint", CHECKPOINT, "--out", onnx_path],
                   check=True, capture_output=True, text=True)
    sys.path.insert(0, PYDIR)
    import export_onnx
    import mpcl_torch

    model = mpcl_torch.load_checkpoint(CHECKPOINT)
    windows = export_onnx.windows(model, 512, seed=23)
    windows[:64] = (model.normalization.mean.numpy() + 3 * model.normalization.std.numpy()
                    * np.random.default_rng(24).standard_normal((64, windows.shape[1]))).astype(np.float32)
    raw_path, ours_path = os.path.join(work, "windows.f32"), os.path.join(work, "ours.f32")
    windows.tofile(raw_path)
    subprocess.run([BENCH, "distributions", "--checkpoint", CHECKPOINT, "--input", raw_path, "--output", ours_path],
                   check=True, env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
    ours = np.fromfile(ours_path, dtype=np.float32).reshape(len(windows), -1)
    np.save(os.path.join(work, "windows.npy"), windows)
    np.save(os.path.join(work, "ours.npy"), ours)
    torch_difference = float(np.abs(model.predict(windows) - ours).max())

    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "loadavg_start": loadavg(), "clock": args.clock,
               "openblas_coretype_env": os.environ.get("OPENBLAS_CORETYPE"),
               "torch_port_max_difference": torch_difference, "rounds": []}
    flops = run_json([sys.executable, f"{PYDIR}/flops.py", "--checkpoint", CHECKPOINT])
    results["flops_per_window"] = flops["analytic_per_window"]
    batches = ",".join(map(str, BATCHES))
    for r in range(args.rounds):
        log(f"round {r + 1}/{args.rounds} (load {loadavg()})")
        entry = {"loadavg": loadavg()}
        entry["plan"] = run_json([BENCH, "predict", "--checkpoint", CHECKPOINT, "--batches", batches,
                                  "--seconds", str(args.seconds), "--clock", args.clock])
        entry["runtimes"] = run_json([sys.executable, f"{PYDIR}/bench_runtimes.py", "--onnx", onnx_path,
                                      "--checkpoint", CHECKPOINT, "--batches", batches, "--seconds", str(args.seconds),
                                      "--windows", os.path.join(work, "windows.npy"),
                                      "--reference", os.path.join(work, "ours.npy"), "--clock", args.clock])
        entry["tape"] = run_json([BENCH, "predict", "--checkpoint", CHECKPOINT, "--batches", batches,
                                  "--seconds", str(args.seconds / 2), "--engine", "tape", "--clock", args.clock])
        entry["sgemm"] = run_json([BENCH, "sgemm", "--seconds", "0.4", "--clock", args.clock])
        results["rounds"].append(entry)
    results["loadavg_end"] = loadavg()
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    return results


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def markdown(results: dict) -> str:
    rounds = results["rounds"]

    def ours(engine, batch):
        return med([next(x["median_ms"] for x in r[engine]["results"] if x["batch"] == batch) for r in rounds])

    def peer(name, batch):
        values = []
        for r in rounds:
            entry = r["runtimes"]["results"].get(name, {})
            values += [x["median_ms"] for x in entry.get("timings", []) if x["batch"] == batch]
        return med(values)

    names = sorted({n for r in rounds for n in r["runtimes"]["results"]})
    versions = {n: next(r["runtimes"]["results"][n]["version"].split("-")[0] for r in rounds if n in r["runtimes"]["results"]) for n in names}
    differences = {n: max(r["runtimes"]["results"][n].get("max_difference", 0) for r in rounds if n in r["runtimes"]["results"])
                   for n in names}
    sgemm = med([max(x["gflops"] for x in r["sgemm"]["results"]) for r in rounds])
    flops = results["flops_per_window"]
    lines = [BEGIN, "", "## Forward pass against ONNX Runtime and OpenVINO (compiled plan)", "",
             f"`Benchmarks/run_runtime_peers.py --rounds {len(rounds)}`, {results['started']} → {results['finished']}; "
             f"load average {results['loadavg_start']} at start, {results['loadavg_end']} at end "
             f"(2 cores shared with other jobs: ratios only); times are "
             + ("process CPU time (`--clock cpu`: waiting for a core is not charged)" if results.get("clock") == "cpu" else "wall time")
             + ". `OPENBLAS_CORETYPE` = "
             f"{results['openblas_coretype_env'] or 'unset (OpenBLAS autodetects the core)'}. One thread each; raw features → "
             "distributions (z-scoring included); medians over rounds of each round's median; rounds alternate mpcl plan, "
             "the runtimes, mpcl tape, sgemm.", "",
             "Equality first: 512 seeded windows (64 of them at 3σ) through `mpcl-bench distributions` (the plan) and through "
             "each runtime on the ONNX export (`Benchmarks/pytorch/export_onnx.py`), batches of 256 and windows alone: "
             + ", ".join(f"{versions[n]} max |Δ| = {differences[n]:.1e}" for n in names)
             + f"; the PyTorch port {results['torch_port_max_difference']:.1e} (all ≤ 1e-5, so every runtime was timed).", "",
             "| batch | mpcl plan ms | mpcl tape ms | " + " | ".join(f"{versions[n]} ms" for n in names)
             + " | plan / " + " | plan / ".join(names) + " |",
             "|---" * (3 + 2 * len(names)) + "|"]
    for batch in BATCHES:
        plan = ours("plan", batch)
        cells = [f"{batch}", f"{plan:.4f}", f"{ours('tape', batch):.4f}"]
        cells += [f"{peer(n, batch):.4f}" if peer(n, batch) else "—" for n in names]
        cells += [f"{plan / peer(n, batch):.2f}×" if peer(n, batch) else "—" for n in names]
        lines.append("| " + " | ".join(cells) + " |")
    plan256 = ours("plan", 256)
    rate = flops * 256 / (plan256 / 1e3) / 1e9
    lines += ["", f"Arithmetic: {flops:,} FLOP per window (`Benchmarks/pytorch/flops.py`) × 256 windows in {plan256:.3f} ms = "
              f"**{rate:.1f} GFLOP/s**, {100 * rate / sgemm:.1f} % of this run's best single-thread sgemm rate "
              f"({sgemm:.0f} GFLOP/s, `mpcl-bench sgemm`).", ""]
    fastest1 = min(peer(n, 1) for n in names if peer(n, 1))
    goals = [("batch 1 ≤ 0.5× the faster runtime", ours("plan", 1) / fastest1, 0.5)]
    for batch in (64, 256):
        for n in names:
            if peer(n, batch):
                goals.append((f"batch {batch} ≤ 0.83× {n}", ours("plan", batch) / peer(n, batch), 0.83))
    lines += ["| goal | measured | result |", "|---|---|---|"]
    for label, value, bar in goals:
        lines.append(f"| {label} | {value:.2f}× | {'**pass**' if value <= bar else '**FAIL**'} |")
    share = rate / sgemm
    lines.append(f"| batch-256 arithmetic ≥ 60 % of sgemm | {100 * share:.1f} % | {'**pass**' if share >= 0.6 else '**FAIL**'} |")
    lines += ["", "Per round (load; plan / fastest runtime at 1, 64, 256): "
              + "; ".join(
                  f"{r['loadavg'].split()[0]}: "
                  + ", ".join(
                      f"{next(x['median_ms'] for x in r['plan']['results'] if x['batch'] == b) / min(t['median_ms'] for e in r['runtimes']['results'].values() for t in e.get('timings', []) if t['batch'] == b):.2f}"
                      for b in BATCHES)
                  for r in rounds), "", END]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.5)
    parser.add_argument("--results", default=os.path.join(REPO, ".build-bench/runtime-peers.json"))
    parser.add_argument("--markdown", default=os.path.join(REPO, "BENCHMARKS.md"))
    parser.add_argument("--clock", choices=["wall", "cpu"], default="cpu",
                        help="cpu (default): each side's process CPU time, robust to other jobs on the cores")
    parser.add_argument("--report-only", action="store_true", help="rewrite the section from --results")
    args = parser.parse_args()
    if args.report_only:
        results = json.load(open(args.results))
    else:
        results = measure(args)
        os.makedirs(os.path.dirname(args.results), exist_ok=True)
        json.dump(results, open(args.results, "w"), indent=1)
    section = markdown(results)
    replace_section(args.markdown, BEGIN, END, section)
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
