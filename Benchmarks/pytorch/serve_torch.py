#!/usr/bin/env python3
"""The PyTorch peer of `mpcl-serve` for the `/predict` benchmark of docs/PERFORMANCE.md.

    serve_torch.py --checkpoint PATH [--port 8090] [--workers 2] [--server uvicorn|flask]

The same model (``mpcl_torch``: eager, ``torch.inference_mode()``, input-independent keys/values
cached at load, one torch thread per worker process) behind a Python HTTP server:

- ``uvicorn`` (default): Starlette on uvicorn with uvloop + httptools, ``--workers`` processes
  sharing the listening socket; the forward pass runs inline in the ``async`` handler (no thread
  hop — the cheapest arrangement for CPU-bound work in one process).
- ``flask``: Flask's threaded development server, one process (a fallback when uvicorn is missing).

``POST /predict`` takes the same JSON as mpcl-serve for single windows — a window object
``{"eeg": [[bands]…] or flat, "peripheral": {group: [...]} or flat, "face": flat or nested}``,
or ``{"windows": [window, …]}`` — and answers the same shape::

    {"model": {"name", "version", "sha256"}, "labels": [...],
     "predictions": [{"distribution": {label: p}, "dominant": label,
                      "valence": {"positive": p, "negative": p}}]}

Validation is minimal (shape errors are a 422 with a message); it is a benchmark peer, not a
service. ``GET /healthz`` and ``GET /readyz`` answer 200 once the model is loaded.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

CHECKPOINT_ENV = "MPCL_TORCH_CHECKPOINT"


class Predictor:
    """Model, label metadata and the request → features → response path."""

    def __init__(self, path: str):
        import numpy as np
        import torch

        import mpcl_torch

        torch.set_num_threads(1)
        self.np = np
        self.torch = torch
        self.model = mpcl_torch.load_checkpoint(path)
        with open(path, "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
        name = os.path.splitext(os.path.basename(path))[0]
        self.reference = {"name": name, "version": digest[:12], "sha256": digest}
        cfg = self.model.config
        self.labels = list(cfg.labels)
        self.valence = list(cfg.valence)
        self.layout = cfg.layout
        self.features = cfg.layout.feature_count
        with torch.inference_mode():  # warm-up
            self.model.predict(np.zeros((1, self.features), dtype=np.float32))

    def _window(self, window) -> list[float]:
        if not isinstance(window, dict):
            raise ValueError("a window must be an object")
        lay = self.layout
        out: list[float] = []
        eeg = window["eeg"]
        if eeg and isinstance(eeg[0], list):
            for row in eeg:
                out.extend(row)
        else:
            out.extend(eeg)
        peripheral = window["peripheral"]
        if isinstance(peripheral, dict):
            for name, dims in lay.groups:
                group = peripheral[name]
                if len(group) != dims:
                    raise ValueError(f"peripheral.{name} has {len(group)} values, the model expects {dims}")
                out.extend(group)
        else:
            out.extend(peripheral)
        face = window["face"]
        if face and isinstance(face[0], list):
            for row in face:
                out.extend(row)
        else:
            out.extend(face)
        if len(out) != self.features:
            raise ValueError(f"the window has {len(out)} numbers, the model expects {self.features}")
        return out

    def predict(self, body: bytes) -> dict:
        request = json.loads(body)
        windows = request["windows"] if isinstance(request, dict) and "windows" in request else [request]
        raw = self.np.asarray([self._window(w) for w in windows], dtype=self.np.float32)
        distributions = self.model.predict(raw)
        predictions = []
        for row in distributions.tolist():
            best = max(range(len(row)), key=row.__getitem__)
            positive = sum(p for p, v in zip(row, self.valence) if v > 0)
            predictions.append(
                {
                    "distribution": dict(zip(self.labels, row)),
                    "dominant": self.labels[best],
                    "valence": {"positive": positive, "negative": sum(row) - positive},
                }
            )
        return {"model": self.reference, "labels": self.labels, "predictions": predictions}


def starlette_app():
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    predictor = Predictor(os.environ[CHECKPOINT_ENV])

    async def predict(request):
        body = await request.body()
        try:
            answer = predictor.predict(body)
        except (ValueError, KeyError, TypeError, IndexError) as error:
            return JSONResponse({"error": {"code": "invalid", "message": str(error)}}, status_code=422)
        return Response(json.dumps(answer, separators=(",", ":")), media_type="application/json")

    async def ok(request):
        return Response('{"status":"ok"}', media_type="application/json")

    return Starlette(
        routes=[Route("/predict", predict, methods=["POST"]), Route("/healthz", ok), Route("/readyz", ok)]
    )


def __getattr__(name: str):  # `serve_torch:app` for uvicorn's worker processes, built lazily
    if name == "app":
        globals()["app"] = starlette_app()
        return globals()["app"]
    raise AttributeError(name)


def run_flask(port: int) -> None:
    from flask import Flask, Response, request

    predictor = Predictor(os.environ[CHECKPOINT_ENV])
    app = Flask("serve_torch")

    @app.post("/predict")
    def predict():
        try:
            answer = predictor.predict(request.get_data())
        except (ValueError, KeyError, TypeError, IndexError) as error:
            return Response(json.dumps({"error": {"code": "invalid", "message": str(error)}}), 422, mimetype="application/json")
        return Response(json.dumps(answer, separators=(",", ":")), mimetype="application/json")

    @app.get("/healthz")
    @app.get("/readyz")
    def ok():
        return Response('{"status":"ok"}', mimetype="application/json")

    app.run(host="127.0.0.1", port=port, threaded=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--server", choices=["uvicorn", "flask"], default="uvicorn")
    args = parser.parse_args()
    os.environ[CHECKPOINT_ENV] = os.path.abspath(args.checkpoint)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if args.server == "flask":
        run_flask(args.port)
        return 0
    import uvicorn

    uvicorn.run(
        "serve_torch:app", app_dir=HERE, host="127.0.0.1", port=args.port, workers=args.workers,
        log_level="warning", access_log=False, loop="uvloop", http="httptools",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
