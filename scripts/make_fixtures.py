#!/usr/bin/env python3
"""Writes the small reader fixtures of Tests/EmotionDataTests/Fixtures/ and expected.json.

The Swift tests read every file and compare shapes and values exactly against expected.json,
which stores each array's shape and its values flattened in row-major (C) order.
Run from the repository root:  python3 scripts/make_fixtures.py
Deterministic: the same numpy/scipy produce the same files.
"""
import json
import os
import struct

import numpy as np
import scipy.io

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "EmotionDataTests", "Fixtures")


def arrays():
    """The numeric variables shared by the MAT and NumPy fixtures."""
    return {
        "double2d": np.array([[1.5, -2.25, 3.0, 1e300], [0.1, -0.0, 7.0, -8.5], [9.0, 10.0, 11.0, 12.0]]),
        "single2d": np.array([[0.5, -1.25, 3.5], [4.0, 5.75, -6.0]], dtype=np.float32),
        "int8col": np.array([[-128], [0], [127]], dtype=np.int8),
        "int16row": np.array([[-300, 2, 30000]], dtype=np.int16),
        "int32m": np.array([[1, -2], [3, -2147483648]], dtype=np.int32),
        "int64m": np.array([[5, -6, 7]], dtype=np.int64),
        "uint8m": np.array([[0, 255], [17, 3]], dtype=np.uint8),
        "uint16m": np.array([[65535, 1]], dtype=np.uint16),
        "uint32m": np.array([[4000000000, 2]], dtype=np.uint32),
        "uint64m": np.array([[123456789, 0]], dtype=np.uint64),
        "cube": np.arange(24, dtype=np.float64).reshape(2, 3, 4) * 0.5 - 3.0,
        "wide4d": np.arange(16, dtype=np.float64).reshape(2, 2, 2, 2),
    }


def expected_entry(array):
    return {"shape": list(array.shape), "values": [float(v) for v in np.asarray(array, dtype=np.float64).ravel(order="C")]}


def write_mat_fixtures(expected):
    data = arrays()
    extras = {
        "flag": np.array([[True, False, True]]),
        "label": "mixed",
        "cellvar": np.array([[1.0, 2.0], "text"], dtype=object),
        "cplx": np.array([[1 + 2j, 3 - 4j]]),
        "intdouble": np.array([[1.0, 2.0, 250.0]]),
    }
    for name, compress in (("mat_plain.mat", False), ("mat_compressed.mat", True)):
        scipy.io.savemat(os.path.join(OUT, name), {**data, **extras}, do_compression=compress, oned_as="row")
    expected["mat"] = {name: expected_entry(array) for name, array in data.items()}
    expected["mat"]["flag"] = {"shape": [1, 3], "values": [1.0, 0.0, 1.0]}
    expected["mat"]["intdouble"] = expected_entry(extras["intdouble"])
    expected["mat_text"] = {"label": "mixed"}
    expected["mat_skipped"] = ["cellvar", "cplx"]


def big_endian_mat(path):
    """A big-endian ('MI') MAT v5 file written by hand, since scipy writes native order only.

    Holds `bevals` (2x3 double, column-major data), `benarrow` (a 1x3 double class stored as
    miUINT8, which MATLAB does for small integers) and `bei8` (1x2 int8 in the small-element format).
    """

    def element(dtype, payload):
        if 0 < len(payload) <= 4:
            return struct.pack(">HH", len(payload), dtype) + payload + b"\0" * (4 - len(payload))
        pad = (8 - len(payload) % 8) % 8
        return struct.pack(">II", dtype, len(payload)) + payload + b"\0" * pad

    def matrix(name, class_code, dims, dtype, payload):
        body = element(6, struct.pack(">II", class_code, 0))
        body += element(5, b"".join(struct.pack(">i", d) for d in dims))
        body += element(1, name.encode())
        body += element(dtype, payload)
        return struct.pack(">II", 14, len(body)) + body

    text = b"MATLAB 5.0 MAT-file, big-endian fixture written by make_fixtures.py".ljust(116, b" ")
    header = text + b"\0" * 8 + struct.pack(">H", 0x0100) + b"MI"
    values = np.array([[1.0, 2.5, -3.0], [4.0, 5.0, 6.125]])
    column_major = values.ravel(order="F")
    out = header
    out += matrix("bevals", 6, (2, 3), 9, b"".join(struct.pack(">d", v) for v in column_major))
    out += matrix("benarrow", 6, (1, 3), 2, bytes([7, 0, 200]))
    out += matrix("bei8", 8, (1, 2), 1, struct.pack(">bb", -5, 9))
    with open(path, "wb") as handle:
        handle.write(out)
    return {
        "bevals": expected_entry(values),
        "benarrow": {"shape": [1, 3], "values": [7.0, 0.0, 200.0]},
        "bei8": {"shape": [1, 2], "values": [-5.0, 9.0]},
    }


def write_numpy_fixtures(expected):
    cube = np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 8.0
    npy = {
        "le_f4": np.array([[1.5, -2.0], [3.25, 4e-3]], dtype="<f4"),
        "be_f8": np.array([1.0, -2.5, 1e-300, 3.0], dtype=">f8"),
        "fortran_cube": np.asfortranarray(cube),
        "le_i2": np.array([[-7, 8, 30000]], dtype="<i2"),
        "le_u8": np.array([1, 2, 3], dtype="<u8"),
        "bools": np.array([True, False, True], dtype="|b1"),
        "bytes_u1": np.array([0, 255], dtype="|u1"),
        "bytes_i1": np.array([-1, 5], dtype="|i1"),
        "scalar": np.array(2.5),
    }
    for name, array in npy.items():
        np.save(os.path.join(OUT, f"{name}.npy"), array)
    expected["npy"] = {name: expected_entry(array) for name, array in npy.items()}
    assert np.load(os.path.join(OUT, "fortran_cube.npy")).flags["F_CONTIGUOUS"]

    contents = {"feas": np.arange(12, dtype=np.float32).reshape(3, 4) - 5.5, "vids": np.array([0, 0, 1]),
                "dis_label": np.array([[1.0, 2.0], [3.0, 4.0]])}
    np.savez(os.path.join(OUT, "stored.npz"), **contents)
    np.savez_compressed(os.path.join(OUT, "deflated.npz"), **contents)
    expected["npz"] = {name: expected_entry(array) for name, array in contents.items()}


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}
    write_mat_fixtures(expected)
    expected["mat_bigendian"] = big_endian_mat(os.path.join(OUT, "mat_bigendian.mat"))
    write_numpy_fixtures(expected)
    with open(os.path.join(OUT, "expected.json"), "w") as handle:
        json.dump(expected, handle, indent=1, sort_keys=True)
        handle.write("\n")


if __name__ == "__main__":
    main()
