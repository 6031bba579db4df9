#!/usr/bin/env python3
"""Export an mpcl checkpoint to ONNX, to run the same model on another runtime.

    export_onnx.py --checkpoint model.safetensors --out model.onnx [--opset 17] [--check 64]

Builds the model with the independent PyTorch port (mpcl_torch.py, which loads the .safetensors
file unchanged) and traces it into one ONNX graph:

  input  ``features``       float32 [batch, F]  raw features in the checkpoint's layout order
                                                (GET /v1/models/{name} lists it), any batch size;
  output ``distributions``  float32 [batch, C]  the predicted distribution, labels in checkpoint order.

z-scoring with the checkpoint's statistics is part of the graph, and the input-independent tensors
(the MSAM slots' keys and values, the normalised prototypes and their keys and values) are folded
in as constants, as mpcl-serve does at load. A per-subject checkpoint
(``per_subject_normalization``) expects features z-scored with the subject's own statistics instead:
export it with ``--no-standardize`` and z-score before calling the model.

After writing the file it runs the graph on ONNX Runtime (when installed) and checks that it
reproduces the PyTorch port to 1e-5 on ``--check`` seeded windows; exit status 1 otherwise.
Requirements: Benchmarks/pytorch/requirements.txt plus ``onnx`` (and ``onnxruntime`` for the check).
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mpcl_torch  # noqa: E402


class Exported(nn.Module):
    """Raw (or already z-scored) features → distributions, the graph that is exported."""

    def __init__(self, model: mpcl_torch.MPCLModel, standardize: bool):
        super().__init__()
        self.model = model
        self.standardize = standardize

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        x = self.model.standardize(features) if self.standardize else features
        log_distribution, _ = self.model(x)
        return torch.exp(log_distribution)


def export(checkpoint: str, out: str, opset: int = 17, standardize: bool = True) -> mpcl_torch.MPCLModel:
    model = mpcl_torch.load_checkpoint(checkpoint)
    if isinstance(model, mpcl_torch.MPCLNetwork):
        with torch.no_grad():  # the cached keys/values become graph constants (not inference tensors)
            model._cache = model.shared_tensors()
    wrapper = Exported(model, standardize).eval()
    example = torch.zeros(2, model.config.layout.feature_count)
    with torch.no_grad():
        torch.onnx.export(
            wrapper, (example,), out, input_names=["features"], output_names=["distributions"],
            dynamic_axes={"features": {0: "batch"}, "distributions": {0: "batch"}}, opset_version=opset, dynamo=False)
    return model


def windows(model: mpcl_torch.MPCLModel, count: int, seed: int = 11) -> np.ndarray:
    """Seeded raw windows around the checkpoint's own statistics."""
    rng = np.random.default_rng(seed)
    mean = model.normalization.mean.numpy().astype(np.float64)
    std = model.normalization.std.numpy().astype(np.float64)
    return (mean + std * rng.standard_normal((count, mean.size))).astype(np.float32)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--opset", type=int, default=17)
    parser.add_argument("--no-standardize", action="store_true", help="the graph takes z-scored features")
    parser.add_argument("--check", type=int, default=64, help="windows for the ONNX Runtime check (0: skip)")
    args = parser.parse_args()
    model = export(args.checkpoint, args.out, args.opset, not args.no_standardize)
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes)")
    if args.check <= 0:
        return 0
    try:
        import onnxruntime
    except ImportError:
        print("onnxruntime not installed: skipped the check")
        return 0
    raw = windows(model, args.check)
    x = raw if not args.no_standardize else model.standardize(torch.from_numpy(raw)).numpy()
    session = onnxruntime.InferenceSession(args.out, providers=["CPUExecutionProvider"])
    got = session.run(["distributions"], {"features": x})[0]
    expected = model.predict(raw)
    difference = float(np.abs(got - expected).max())
    print(f"ONNX Runtime vs PyTorch port on {args.check} windows: max |Δ| = {difference:.2e}")
    return 0 if difference <= 1e-5 else 1


if __name__ == "__main__":
    sys.exit(main())
