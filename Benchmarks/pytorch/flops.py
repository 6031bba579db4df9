#!/usr/bin/env python3
"""FLOPs of one MPCL forward window, counted from the model definition (docs/MODEL.md revision 2).

    flops.py --checkpoint PATH [--batch 256]     → JSON {"analytic_per_window", "torch_counter_per_window", "terms"}

Only the matrix products count (2·m·n·k for an m×k · k×n product, a multiply-add being 2 FLOPs);
element-wise work (LayerNorm, GELU, softmax, exp, the bias adds) is left out, as is everything
input-independent that is cached at load (slot and prototype keys/values, normalised prototypes).
The analytic count is cross-checked against torch.utils.flop_counter.FlopCounterMode on the port.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def analytic(cfg) -> tuple[int, dict]:
    lay, d, C, K, m, n_p = cfg.layout, cfg.width, cfg.classes, cfg.prototypes_per_emotion, cfg.slots, cfg.tokens_per_group
    S = len(cfg.memory_scales)
    terms: dict[str, int] = {}
    # Step 1 tokenizers: per-channel/plane/group linears and the two global linears.
    terms["tokenizers"] = 2 * d * (
        lay.eeg_channels * lay.eeg_bands + sum(dims * n_p for _, dims in lay.groups) + lay.face_planes * lay.face_bins
        + lay.phys_dims + lay.face_dims
    )

    def block(states: int, context: int) -> int:
        keys = context + m
        return (
            2 * states * d * d                      # W_q
            + 2 * 2 * context * d * d               # W_k, W_v on the context (slot K/V cached)
            + 2 * states * keys * d                 # Q·Kᵀ
            + S * 2 * states * keys * d             # softmax(β_s·)·V per scale
            + 2 * states * S * d * d                # W_o on the concatenated scales
            + 2 * states * d * 2 * d * 2            # FFN d→2d→d
        )

    if cfg.msam:
        phys = lay.eeg_channels + 1
        beh = lay.face_planes + 1
        tokens_p = len(lay.groups) * n_p
        terms["msam"] = block(phys, phys + tokens_p) + block(beh, beh) + block(phys, beh) + block(beh, phys)
    if cfg.prototypes:
        terms["prototypes"] = 2 * (2 * d * C * K + 2 * C * K * d)  # similarities + readout, two streams
    terms["queries"] = 2 * 2 * d * d + (2 * C * 2 * d * d if cfg.prototypes else 0)
    if cfg.cooccurrence:
        co = 2 * C * d * d * 2 + 2 * C * C * d * 2 + 2 * C * d * d  # left/right, affinity + propagation matmul, W_prop
        if cfg.prototypes:
            co += 2 * C * d * d + 2 * 2 * C * (2 * C * K) * d  # W_q, scores + weighted sum over 2CK prototypes
        terms["cooccurrence"] = co
    terms["head"] = 2 * C * (d * (d // 2) + (d // 2) * (d // 4) + d // 4) if cfg.compression else 2 * C * d
    return sum(terms.values()), terms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--batch", type=int, default=256)
    args = parser.parse_args()
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    import mpcl_torch

    model = mpcl_torch.load_checkpoint(args.checkpoint)
    total, terms = analytic(model.config)
    x = torch.randn(args.batch, model.config.layout.feature_count)
    with torch.inference_mode(), FlopCounterMode(display=False) as counter:
        model(x)
    counted = counter.get_total_flops() / args.batch
    print(json.dumps({"analytic_per_window": total, "torch_counter_per_window": counted, "terms": terms,
                      "width": model.config.width, "parameters": sum(p.numel() for p in model.parameters())}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
