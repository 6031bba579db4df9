#!/usr/bin/env python3
"""Side-by-side measurements for BENCHMARKS.md (run through `scripts/benchmarks`, which builds first).

Every comparison is A B A B … in one run, medians of the rounds. Writes raw results as JSON to
--results (one file) and nothing else; `Benchmarks/report.py` turns them into BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECKPOINT = os.path.join(REPO, "Sources/MPCLService/Resources/default.safetensors")
BENCH = os.path.join(REPO, ".build-bench/release/mpcl-bench")
SERVE = os.path.join(REPO, ".build/release/mpcl-serve")
HELLO = os.path.join(REPO, ".build-hummingbird/release/hummingbird-hello")
TRAIN = os.path.join(REPO, ".build/release/mpcl-train")
# The last commit whose HTTP1 ran its own epoll loops, built by `scripts/benchmarks --epoll-baseline`.
BASELINE = os.path.join(REPO, ".build-epoll/build/release/mpcl-serve")
PYDIR = os.path.join(REPO, "Benchmarks/pytorch")
EXAMPLE = os.path.join(REPO, "examples/positive-clip.json")


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def env(native_blas: bool = False, **extra) -> dict:
    e = dict(os.environ)
    if native_blas:  # let OpenBLAS autodetect the core (Zen 5 → Cooperlake kernels)
        e.pop("OPENBLAS_CORETYPE", None)
        e.pop("OPENBLAS_L2_SIZE", None)
    e.update({k: str(v) for k, v in extra.items()})
    return e


def run_json(command: list[str], environment: dict) -> dict:
    out = subprocess.run(command, env=environment, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def replace_section(path: str, begin: str, end: str, section: str) -> None:
    """Puts `section` between the `begin` and `end` markers of the Markdown file at `path` (appended
    when the markers are absent), so each peer script owns one section of BENCHMARKS.md."""
    text = open(path).read() if os.path.exists(path) else ""
    if begin in text and end in text:
        text = text[: text.index(begin)] + section + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    open(path, "w").write(text)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


# ----------------------------------------------------------------------------------------------
# (a) forward, (f) sgemm


def forward_rounds(args, results):
    batches = "1,64,256"
    rows = {"swift_haswell": [], "swift_native": [], "torch": []}
    sgemm = {"haswell": [], "native": []}
    for r in range(args.rounds):
        log(f"forward round {r + 1}/{args.rounds}")
        common = ["predict", "--checkpoint", CHECKPOINT, "--batches", batches, "--seconds", str(args.forward_seconds)]
        rows["swift_haswell"].append(run_json([BENCH, *common], env(OPENBLAS_NUM_THREADS=1)))
        rows["torch"].append(run_json(
            [sys.executable, f"{PYDIR}/bench_forward.py", "--checkpoint", CHECKPOINT, "--batches", batches,
             "--seconds", str(args.forward_seconds), "--threads", "1"], env(OMP_NUM_THREADS=1)))
        rows["swift_native"].append(run_json([BENCH, *common], env(True, OPENBLAS_NUM_THREADS=1)))
        sgemm["haswell"].append(run_json([BENCH, "sgemm", "--seconds", "0.4"], env(OPENBLAS_NUM_THREADS=1)))
        sgemm["native"].append(run_json([BENCH, "sgemm", "--seconds", "0.4"], env(True, OPENBLAS_NUM_THREADS=1)))
    results["forward_raw"] = rows
    results["sgemm_raw"] = sgemm


# ----------------------------------------------------------------------------------------------
# (b) training epoch


def corpus_windows() -> int:
    """Windows in the synthetic corpus (`mpcl-train synth`, default seed and subjects)."""
    with tempfile.TemporaryDirectory() as directory:
        subprocess.run([TRAIN, "synth", "--out", directory], check=True, capture_output=True)
        try:
            import scipy.io
        except ImportError:
            return 15432
        return sum(scipy.io.loadmat(os.path.join(directory, f))["feas"].shape[0]
                   for f in os.listdir(directory) if f.endswith(".mat"))


def training_rounds(args, results):
    windows = corpus_windows()
    results["corpus_windows"] = windows
    raw = {"swift_haswell": [], "swift_native": [], "torch": []}
    for r in range(args.train_rounds):
        log(f"training round {r + 1}/{args.train_rounds} ({windows} windows)")
        cmd = [BENCH, "train-epoch", "--checkpoint", CHECKPOINT, "--windows", str(windows), "--threads", "2"]
        raw["swift_haswell"].append(run_json(cmd, env(OPENBLAS_NUM_THREADS=2)))
        raw["torch"].append(run_json(
            [sys.executable, f"{PYDIR}/bench_forward.py", "--checkpoint", CHECKPOINT, "--batches", "",
             "--threads", "2", "--train-epoch-windows", str(windows)],
            env(OMP_NUM_THREADS=2, OMP_WAIT_POLICY="PASSIVE"))["train_epoch"])
        raw["swift_native"].append(run_json(cmd, env(True, OPENBLAS_NUM_THREADS=2)))
    results["train_raw"] = raw


# ----------------------------------------------------------------------------------------------
# servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port: int, path: str, timeout: float = 60.0) -> float:
    """Seconds until GET path answers 200 (polled every 1 ms over a fresh connection)."""
    start = time.perf_counter()
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
    while time.perf_counter() - start < timeout:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(request)
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return time.perf_counter() - start
        except OSError:
            pass
        time.sleep(0.001)
    raise RuntimeError(f"port {port}{path} not ready after {timeout}s")


class Server:
    def __init__(self, name, command, port, environment, ready_path="/readyz"):
        self.name, self.port = name, port
        start = time.perf_counter()
        self.process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        self.ready_seconds = wait_ready(port, ready_path) + 0 * start

    def pids(self) -> list[int]:
        """The process and its descendants (uvicorn's workers)."""
        found, frontier = [self.process.pid], [self.process.pid]
        while frontier:
            pid = frontier.pop()
            try:
                children = open(f"/proc/{pid}/task/{pid}/children").read().split()
            except OSError:
                children = []
            for child in map(int, children):
                found.append(child)
                frontier.append(child)
        return found

    def rss_kib(self) -> int:
        total = 0
        for pid in self.pids():
            try:
                for line in open(f"/proc/{pid}/status"):
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                pass
        return total

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process and its descendants so far (/proc/PID/stat fields 14, 15)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.pids():
            try:
                fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
            except (OSError, IndexError, ValueError):
                pass
        return total / ticks

    def stop(self):
        """SIGTERM, then SIGKILL after 3 s: mpcl-serve sometimes loses a SIGTERM that arrives within
        milliseconds of /readyz turning 200 (see Benchmarks/NOTES.md), which the startup rounds do."""
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass


def start_serve(port, *extra, binary=SERVE, name="mpcl-serve"):
    return Server(name, [binary, "--host", "127.0.0.1", "--port", str(port), "--log-requests", "false",
                         "--drain-seconds", "0", *extra], port, env(OPENBLAS_NUM_THREADS=1))


def start_baseline(port, models_dir):
    """The epoll build serving this tree's checkpoint (it predates the flags newer than these)."""
    return start_serve(port, "--models", models_dir, binary=BASELINE, name="mpcl-serve-epoll")


def baseline_models() -> str:
    """A models directory holding this tree's default checkpoint, for the baseline build."""
    directory = tempfile.mkdtemp()
    os.symlink(CHECKPOINT, os.path.join(directory, "default.safetensors"))
    return directory


def start_torch(port, workers):
    return Server("pytorch", [sys.executable, f"{PYDIR}/serve_torch.py", "--checkpoint", CHECKPOINT, "--port", str(port),
                              "--workers", str(workers)], port, env(OMP_NUM_THREADS=1))


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def wrk(port, path, connections, duration, script=None, server=None) -> dict:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    if script:
        cmd += ["-s", script]
    cmd.append(f"http://127.0.0.1:{port}{path}")
    samples, stop = [], threading.Event()

    def sample():
        while not stop.wait(0.25):
            samples.append(server.rss_kib())

    sampler = threading.Thread(target=sample) if server else None
    if sampler:
        sampler.start()
    cpu_before = server.cpu_seconds() if server else None
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    cpu = server.cpu_seconds() - cpu_before if server else None
    stop.set()
    if sampler:
        sampler.join()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {}
    for pct in ("50", "99"):
        m = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s|m)\b", out)
        latency[pct] = float(m.group(1)) * UNITS[m.group(2)] if m else None
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    total = re.search(r"(\d+) requests in", out)
    requests = int(total.group(1)) if total else 0
    cpu_us = cpu * 1e6 / requests if cpu is not None and requests else None
    return {"rps": rps, "p50_ms": latency["50"], "p99_ms": latency["99"], "cpu_us_per_request": cpu_us,
            "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errors.group(0) if errors else None, "rss_max_kib": max(samples) if samples else None}


def predict_rounds(args, results, script):
    serve_port, torch_port = free_port(), free_port()
    started = []
    try:
        serve = start_serve(serve_port)
        started.append(serve)
        torch_server = start_torch(torch_port, args.torch_workers)
        started.append(torch_server)
        nodelay_port = free_port()
        nodelay = start_serve(nodelay_port, "--max-delay-ms", "0")  # context: the batching window's cost at 1 connection
        started.append(nodelay)
        baseline = start_baseline(free_port(), baseline_models()) if args.epoll_baseline else None
        if baseline:
            started.append(baseline)
    except Exception:
        for server in started:
            server.stop()
        raise
    results["torch_ready_seconds"] = torch_server.ready_seconds
    raw = {}
    try:
        for connections in args.connections:
            raw[str(connections)] = {"mpcl-serve": [], "pytorch": []}
            # warm-up every server, briefly
            wrk(serve_port, "/predict", connections, 1, script)
            wrk(torch_port, "/predict", connections, 1, script)
            if baseline:
                raw[str(connections)]["mpcl-serve-epoll"] = []
                wrk(baseline.port, "/predict", connections, 1, script)
            for r in range(args.rounds):
                log(f"/predict c={connections} round {r + 1}/{args.rounds}")
                raw[str(connections)]["mpcl-serve"].append(wrk(serve_port, "/predict", connections, args.wrk_seconds, script, serve))
                raw[str(connections)]["pytorch"].append(wrk(torch_port, "/predict", connections, args.wrk_seconds, script, torch_server))
                if baseline:
                    raw[str(connections)]["mpcl-serve-epoll"].append(
                        wrk(baseline.port, "/predict", connections, args.wrk_seconds, script, baseline))
                if connections == 1:
                    raw[str(connections)].setdefault("mpcl-serve-delay0", []).append(
                        wrk(nodelay_port, "/predict", connections, args.wrk_seconds, script, nodelay))
        results["rss_idle_after_kib"] = {"mpcl-serve": serve.rss_kib(), "pytorch": torch_server.rss_kib()}
    finally:
        for server in started:
            server.stop()
    results["predict_raw"] = raw


def healthz_rounds(args, results):
    serve_port, hello_port = free_port(), free_port()
    hello = Server("hummingbird", [HELLO, str(hello_port)], hello_port, env(), ready_path="/healthz")
    started = [hello]
    try:
        serve = start_serve(serve_port)
        started.append(serve)
        baseline = start_baseline(free_port(), baseline_models()) if args.epoll_baseline else None
        if baseline:
            started.append(baseline)
    except Exception:
        for server in started:
            server.stop()
        raise
    peers = [("mpcl-serve", serve), ("hummingbird", hello)] + ([("mpcl-serve-epoll", baseline)] if baseline else [])
    raw = {name: [] for name, _ in peers}
    try:
        for _, server in peers:
            wrk(server.port, "/healthz", 64, 1)
        for r in range(args.rounds):
            log(f"/healthz c=64 round {r + 1}/{args.rounds}")
            for name, server in peers:
                raw[name].append(wrk(server.port, "/healthz", 64, args.wrk_seconds, server=server))
    finally:
        for server in started:
            server.stop()
    results["healthz_raw"] = raw


def startup_rounds(args, results):
    times = []
    for r in range(args.startup_rounds):
        port = free_port()
        server = start_serve(port)
        times.append(server.ready_seconds)
        server.stop()
    results["serve_ready_seconds"] = times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--results", required=True)
    parser.add_argument("--rounds", type=int, default=3, help="A/B rounds of forward and HTTP measurements")
    parser.add_argument("--forward-seconds", type=float, default=1.5, help="time budget per forward batch size")
    parser.add_argument("--train-rounds", type=int, default=2)
    parser.add_argument("--wrk-seconds", type=int, default=5)
    parser.add_argument("--connections", default="1,16,64")
    parser.add_argument("--torch-workers", type=int, default=2)
    parser.add_argument("--startup-rounds", type=int, default=5)
    parser.add_argument("--only", default="forward,train,predict,healthz,startup,flops")
    parser.add_argument("--epoll-baseline", action="store_true",
                        help=f"also measure the epoll build at {BASELINE} in the /predict and /healthz rounds")
    args = parser.parse_args()
    args.connections = [int(c) for c in args.connections.split(",")]
    if args.epoll_baseline and not os.access(BASELINE, os.X_OK):
        parser.error(f"--epoll-baseline: {BASELINE} is not built (scripts/benchmarks --epoll-baseline builds it)")
    only = set(args.only.split(","))

    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "args": vars(args),
               "loadavg_start": open("/proc/loadavg").read().split()[:3],
               "openblas_coretype_env": os.environ.get("OPENBLAS_CORETYPE"),
               "openblas_l2_env": os.environ.get("OPENBLAS_L2_SIZE")}
    script = os.path.join(tempfile.mkdtemp(), "post.lua")
    with open(EXAMPLE) as handle:
        body = handle.read()
    with open(script, "w") as handle:
        handle.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n')
        handle.write("wrk.body = " + json.dumps(body) + "\n")

    if "flops" in only:
        results["flops"] = run_json([sys.executable, f"{PYDIR}/flops.py", "--checkpoint", CHECKPOINT], env())
    if "forward" in only:
        forward_rounds(args, results)
    if "train" in only:
        training_rounds(args, results)
    if "predict" in only:
        predict_rounds(args, results, script)
    if "healthz" in only:
        healthz_rounds(args, results)
    if "startup" in only:
        startup_rounds(args, results)
    results["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    with open(args.results, "w") as handle:
        json.dump(results, handle, indent=1)
    log(f"wrote {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
