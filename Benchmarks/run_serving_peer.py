#!/usr/bin/env python3
"""mpcl-serve against a real serving system: Seldon MLServer 1.7.1 serving the ONNX export of the
same checkpoint on ONNX Runtime, with MLServer's adaptive batching (docs/PERFORMANCE.md).

    Benchmarks/run_serving_peer.py [--rounds 3] [--wrk-seconds 5] [--connections 64] [--workers 2]

Needs `.build/release/mpcl-serve`, `wrk`, and MLServer in a virtual environment
(`.build-bench/mlserver-venv`, made from Benchmarks/mlserver/requirements.txt if missing). Both
servers get 2 workers with one inference thread each and batches of at most 32 windows held at
most 2 ms (mpcl-serve's defaults; MLServer `parallel_workers` 2, `max_batch_size` 32,
`max_batch_time` 0.002). Before timing, one V2 infer request (examples/positive-clip.json as V2
tensors) is sent to both and the distributions must agree to 1e-5. Then rounds alternate, each
`wrk -t1 -c64`: mpcl-serve V2 infer, mpcl-serve /predict, MLServer V2 infer. Writes the raw results
to .build-bench/serving-peer.json and replaces the `serving-peer` section of BENCHMARKS.md; peak RSS
is summed over each server's processes.
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
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run_benchmarks as rb  # noqa: E402

VENV = os.path.join(rb.REPO, ".build-bench/mlserver-venv")
BEGIN, END = "<!-- serving-peer:begin -->", "<!-- serving-peer:end -->"


def ensure_venv() -> str:
    python = os.path.join(VENV, "bin/python3")
    if not os.path.exists(os.path.join(VENV, "bin/mlserver")):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r",
                        os.path.join(HERE, "mlserver/requirements.txt")], check=True)
    return os.path.join(VENV, "bin/mlserver")


def v2_body() -> dict:
    window = json.load(open(rb.EXAMPLE))
    peripheral = [v for name in ("gsr", "ppg") for v in window["peripheral"][name]]
    eeg = [v for channel in window["eeg"] for v in channel]
    return {"inputs": [
        {"name": "eeg", "datatype": "FP32", "shape": [1, len(window["eeg"]), len(window["eeg"][0])], "data": eeg},
        {"name": "peripheral", "datatype": "FP32", "shape": [1, len(peripheral)], "data": peripheral},
        {"name": "face", "datatype": "FP32", "shape": [1, len(window["face"])], "data": window["face"]},
    ]}


def post(port: int, path: str, body: dict) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(request, timeout=30))


def start_mlserver(mlserver: str, port: int, workers: int) -> rb.Server:
    root = tempfile.mkdtemp(prefix="mpcl-mlserver-")
    model_dir = os.path.join(root, "default")
    os.makedirs(model_dir)
    subprocess.run([sys.executable, os.path.join(HERE, "pytorch/export_onnx.py"), "--checkpoint", rb.CHECKPOINT,
                    "--out", os.path.join(model_dir, "default.onnx")], check=True, capture_output=True)
    json.dump({"http_port": port, "grpc_port": rb.free_port(), "metrics_port": rb.free_port(), "host": "127.0.0.1",
               "parallel_workers": workers, "debug": False}, open(os.path.join(root, "settings.json"), "w"))
    json.dump({"name": "default", "implementation": "runtime.OnnxRuntimeModel",
               "parameters": {"uri": os.path.join(model_dir, "default.onnx")},
               "max_batch_size": 32, "max_batch_time": 0.002}, open(os.path.join(model_dir, "model-settings.json"), "w"))
    environment = rb.env(OMP_NUM_THREADS=1, PYTHONPATH=os.path.join(HERE, "mlserver"))
    return rb.Server("mlserver", [mlserver, "start", root], port, environment, ready_path="/v2/models/default/ready")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--wrk-seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--markdown", default=os.path.join(rb.REPO, "BENCHMARKS.md"),
                        help="file whose serving-peer section is replaced (appended if absent); '' to skip")
    args = parser.parse_args()
    mlserver = ensure_venv()
    body = v2_body()
    script_dir = tempfile.mkdtemp()
    scripts = {}
    for name, payload in (("v2", json.dumps(body)), ("predict", open(rb.EXAMPLE).read())):
        scripts[name] = os.path.join(script_dir, f"{name}.lua")
        with open(scripts[name], "w") as handle:
            handle.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n')
            handle.write("wrk.body = " + json.dumps(payload) + "\n")
    serve_port, peer_port = rb.free_port(), rb.free_port()
    serve = rb.start_serve(serve_port, "--workers", str(args.workers))
    peer = start_mlserver(mlserver, peer_port, args.workers)
    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "loadavg_start": open("/proc/loadavg").read().split()[:3],
               "rounds": []}
    try:
        ours = post(serve_port, "/v2/models/default/infer", body)["outputs"][0]["data"]
        theirs = post(peer_port, "/v2/models/default/infer", body)["outputs"][0]["data"]
        results["max_difference"] = max(abs(a - b) for a, b in zip(ours, theirs))
        if results["max_difference"] > 1e-5:
            raise SystemExit(f"MLServer and mpcl-serve disagree by {results['max_difference']}")
        for r in range(args.rounds):
            rb.log(f"serving round {r + 1}/{args.rounds}")
            results["rounds"].append({
                "mpcl_v2": rb.wrk(serve_port, "/v2/models/default/infer", args.connections, args.wrk_seconds, scripts["v2"], serve),
                "mpcl_predict": rb.wrk(serve_port, "/predict", args.connections, args.wrk_seconds, scripts["predict"], serve),
                "mlserver_v2": rb.wrk(peer_port, "/v2/models/default/infer", args.connections, args.wrk_seconds, scripts["v2"], peer),
            })
    finally:
        serve.stop()
        peer.stop()
    results["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
    os.makedirs(os.path.join(rb.REPO, ".build-bench"), exist_ok=True)
    json.dump(results, open(os.path.join(rb.REPO, ".build-bench/serving-peer.json"), "w"), indent=1)

    def med(key, field):
        values = [r[key][field] for r in results["rounds"] if r[key][field] is not None]
        return statistics.median(values) if values else float("nan")

    lines = [BEGIN, "", "## V2 infer and /predict against MLServer 1.7.1 + ONNX Runtime", "",
             f"`Benchmarks/run_serving_peer.py --rounds {args.rounds} --wrk-seconds {args.wrk_seconds}`, {results['started']}; "
             f"load average {' '.join(results['loadavg_start'])} at start, {' '.join(results['loadavg_end'])} at end (wrk and "
             f"both servers share 2 cores with other jobs: ratios only); `OPENBLAS_CORETYPE` = "
             f"{os.environ.get('OPENBLAS_CORETYPE') or 'unset'}. Both servers: {args.workers} workers, one inference thread "
             "each, batches ≤ 32 windows held ≤ 2 ms (MLServer's adaptive batching: `max_batch_size` 32, `max_batch_time` "
             "0.002, custom runtime `Benchmarks/mlserver/runtime.py` on the `export_onnx.py` graph). The same V2 infer body "
             f"(examples/positive-clip.json as three FP32 tensors) got the same distribution from both (max |Δ| "
             f"{results['max_difference']:.1e}). Medians over rounds:", "",
             f"| server, endpoint (wrk -t1 -c{args.connections}, {args.wrk_seconds} s) | req/s | p50 ms | p99 ms "
             "| peak RSS MiB | non-2xx | rounds req/s |", "|---|---|---|---|---|---|---|"]
    for key, label in (("mpcl_v2", "mpcl-serve V2 infer"), ("mpcl_predict", "mpcl-serve /predict"),
                       ("mlserver_v2", "MLServer 1.7.1 + ONNX Runtime V2 infer")):
        rounds = ", ".join(f"{r[key]['rps']:,.0f}" for r in results["rounds"])
        lines.append(f"| {label} | {med(key, 'rps'):,.0f} | {med(key, 'p50_ms'):.2f} | {med(key, 'p99_ms'):.2f} | "
                     f"{med(key, 'rss_max_kib') / 1024:.1f} | {sum(r[key]['non2xx'] for r in results['rounds'])} | {rounds} |")
    peer = med("mlserver_v2", "rps")
    lines += ["", f"V2 infer {med('mpcl_v2', 'rps') / peer:.2f}× and /predict {med('mpcl_predict', 'rps') / peer:.2f}× "
              f"MLServer's req/s (goal ≥ 6× at equal or better p99), p99 {med('mpcl_v2', 'p99_ms'):.0f} / "
              f"{med('mpcl_predict', 'p99_ms'):.0f} ms against {med('mlserver_v2', 'p99_ms'):.0f} ms; mpcl-serve's peak RSS "
              f"{med('mpcl_v2', 'rss_max_kib') / 1024:.1f} MiB (goal < 64 MiB).", "", END]
    section = "\n".join(lines)
    print(section)
    if args.markdown:
        rb.replace_section(args.markdown, BEGIN, END, section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
