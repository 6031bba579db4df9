#!/usr/bin/env python3
"""Writes /predict request bodies from a DMER-layout MAT file (e.g. the synthetic corpus).

    mpcl-train synth --out /tmp/synth
    scripts/example-window.py /tmp/synth/synth01.mat --clip 3 --second 10 > window.json
    scripts/example-window.py /tmp/synth/synth01.mat --clip 20 --seconds 5 --aggregate > clip.json

A window is written in the nested form of docs/SERVICE.md: eeg [18][5] (channel-major, bands fastest),
peripheral {gsr [28], ppg [27]}, face [768]. Needs numpy and scipy.
"""
import argparse
import json
import sys

import numpy as np
import scipy.io

EEG_CHANNELS, EEG_BANDS, GSR, PPG, FACE = 18, 5, 28, 27, 768


def window(row):
    eeg = row[: EEG_CHANNELS * EEG_BANDS].reshape(EEG_CHANNELS, EEG_BANDS)
    start = EEG_CHANNELS * EEG_BANDS
    gsr = row[start : start + GSR]
    ppg = row[start + GSR : start + GSR + PPG]
    face = row[start + GSR + PPG :]
    assert face.size == FACE, f"expected 913 columns, got {row.size}"
    rounded = lambda a: [float(f"{v:.6g}") for v in np.asarray(a, dtype=np.float64).ravel()]
    return {
        "eeg": [rounded(channel) for channel in eeg],
        "peripheral": {"gsr": rounded(gsr), "ppg": rounded(ppg)},
        "face": rounded(face),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mat", help="a DMER-layout MAT file (feas, vids)")
    parser.add_argument("--clip", type=int, default=0, help="0-based clip index (default 0)")
    parser.add_argument("--second", type=int, default=0, help="first window within the clip (default 0)")
    parser.add_argument("--seconds", type=int, default=1, help="number of consecutive windows (default 1)")
    parser.add_argument("--aggregate", action="store_true", help="ask for the clip-level distribution too")
    args = parser.parse_args()
    data = scipy.io.loadmat(args.mat)
    features = np.asarray(data["feas"], dtype=np.float64)
    clips = np.asarray(data["vids"]).ravel().astype(int)
    rows = np.flatnonzero(clips == args.clip)[args.second : args.second + args.seconds]
    if rows.size < args.seconds:
        sys.exit(f"clip {args.clip} has fewer than {args.second + args.seconds} windows")
    if args.seconds == 1 and not args.aggregate:
        body = window(features[rows[0]])
    else:
        body = {"windows": [window(features[r]) for r in rows], "aggregate": bool(args.aggregate)}
    json.dump(body, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
