#!/usr/bin/env python3
"""Writes the seed corpora Corpus/http/ and Corpus/body/ (deterministic; re-run after editing).

HTTP seeds: valid GET/POST, pipelined, chunked (extensions, trailers), 100-continue, HTTP/1.0
(with and without keep-alive), HEAD, lenient bare-LF, and every smuggling shape the parser must
refuse. Body seeds: valid /predict bodies for the EmotionDict sample layout (18x4 | gsr 4 + ppg 4 |
1x32) and for DMER (18x5 | 28+27 | 3x256), nested and flat, single and batched, aggregate,
calibration, V2 infer bodies, and the refusals (NaN token, 1e39, wrong shapes, unknown group)."""
import json, os, random, re, struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(kind, name, data):
    os.makedirs(os.path.join(HERE, "Corpus", kind), exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(HERE, "Corpus", kind, name), "wb") as f:
        f.write(data)


H = "Host: a\r\n"
http = {
    "get": "GET /predict?x=1 HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n",
    "get-headers-dup": "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\nx-a: 2\r\nX-B:  spaced \t\r\n\r\n",
    "head": "HEAD /healthz HTTP/1.1\r\n" + H + "\r\n",
    "post-cl": "POST /predict HTTP/1.1\r\n" + H + "Content-Type: application/json\r\nContent-Length: 11\r\n\r\nhello world",
    "post-cl-dup-same": "POST / HTTP/1.1\r\n" + H + "Content-Length: 2\r\nContent-Length: 2, 2\r\n\r\nok",
    "pipelined": "GET /1 HTTP/1.1\r\n" + H + "\r\nPOST /2 HTTP/1.1\r\n" + H + "Content-Length: 2\r\n\r\nhiGET /3 HTTP/1.1\r\n" + H + "Connection: close\r\n\r\nGET /ignored HTTP/1.1\r\n" + H + "\r\n",
    "chunked": "POST /c HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n6 ; ext\r\n world\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\nGET /next HTTP/1.1\r\n" + H + "\r\n",
    "chunked-upper": "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: Chunked\r\n\r\n000a\r\n0123456789\r\n0\r\n\r\n",
    "expect-continue": "POST /e HTTP/1.1\r\n" + H + "Expect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
    "expect-continue-chunked": "POST /e HTTP/1.1\r\n" + H + "Expect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    "http10": "GET / HTTP/1.0\r\n\r\nGET /ignored HTTP/1.0\r\n\r\n",
    "http10-keepalive": "GET /a HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\nPOST /b HTTP/1.0\r\nContent-Length: 1\r\n\r\nx",
    "leading-crlf": "\r\n\r\nGET / HTTP/1.1\r\n" + H + "\r\n",
    "lenient-lf": "POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n",
    "version-17": "GET / HTTP/1.7\r\n" + H + "\r\n",
    "obs-text": "GET / HTTP/1.1\r\n" + H + "X-U: caf\xc3\xa9 \xff\r\n\r\n",
    # smuggling and refusals
    "cl-te": "POST / HTTP/1.1\r\n" + H + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "te-cl": "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
    "cl-conflict": "POST / HTTP/1.1\r\n" + H + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
    "cl-list-conflict": "POST / HTTP/1.1\r\n" + H + "Content-Length: 3, 4\r\n\r\nabcd",
    "cl-negative": "POST / HTTP/1.1\r\n" + H + "Content-Length: -1\r\n\r\n",
    "cl-plus": "POST / HTTP/1.1\r\n" + H + "Content-Length: +3\r\n\r\nabc",
    "cl-overflow": "POST / HTTP/1.1\r\n" + H + "Content-Length: 99999999999999999999999\r\n\r\n",
    "te-gzip-chunked": "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
    "te-chunked-twice": "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "te-xchunked": "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: xchunked\r\n\r\n",
    "te-http10": "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "chunk-0x": "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n",
    "chunk-huge": "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\n",
    "chunk-17digits": "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n00000000000000005\r\nhello\r\n0\r\n\r\n",
    "chunk-no-crlf": "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n",
    "chunk-space": "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n",
    "obs-fold": "GET / HTTP/1.1\r\n" + H + "X-A: 1\r\n  continued\r\n\r\n",
    "space-colon": "GET / HTTP/1.1\r\n" + H + "Content-Length : 3\r\n\r\nabc",
    "bare-cr": "GET / HTTP/1.1\r\n" + H + "X-A: 1\r2\r\n\r\n",
    "nul-value": "GET / HTTP/1.1\r\n" + H + "X-A: a\x00b\r\n\r\n",
    "two-hosts": "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    "http2": "GET / HTTP/2.0\r\n" + H + "\r\n",
    "expect-unknown": "POST / HTTP/1.1\r\n" + H + "Expect: 200-ok\r\nContent-Length: 1\r\n\r\nx",
    "big-header": "GET / HTTP/1.1\r\n" + H + "X-Big: " + "x" * 20000 + "\r\n\r\n",
    "many-headers": "GET / HTTP/1.1\r\n" + H + "".join(f"X-{i}: {i}\r\n" for i in range(120)) + "\r\n",
    "trailers-bad": "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n0\r\nBad Trailer: x\r\n\r\n",
}
for name, raw in http.items():
    write("http", name, raw.encode("latin-1"))

rng = random.Random(42)


def nums(n, scale=1.0, source=None):
    return [round((source or rng).uniform(-scale, scale), 4) for _ in range(n)]


def window(layout, eeg_nested=True, periph_obj=True, face_nested=False):
    (ch, bands), groups, (planes, bins) = layout
    eeg = [nums(bands) for _ in range(ch)] if eeg_nested else nums(ch * bands)
    if periph_obj:
        periph = {name: nums(dims) for name, dims in groups}
    else:
        periph = nums(sum(d for _, d in groups))
    face = [nums(bins) for _ in range(planes)] if face_nested else nums(planes * bins)
    return {"eeg": eeg, "peripheral": periph, "face": face}


SAMPLE = ((18, 4), [("gsr", 4), ("ppg", 4)], (1, 32))
DMER = ((18, 5), [("gsr", 28), ("ppg", 27)], (3, 256))
bodies = {}
for tag, layout in (("sample", SAMPLE), ("dmer", DMER)):
    feat = layout[0][0] * layout[0][1] + sum(d for _, d in layout[1]) + layout[2][0] * layout[2][1]
    bodies[f"{tag}-single-nested"] = window(layout)
    bodies[f"{tag}-single-flat"] = window(layout, eeg_nested=False, periph_obj=False)
    bodies[f"{tag}-face-nested"] = window(layout, face_nested=True)
    bodies[f"{tag}-windows"] = {"model": "default", "windows": [window(layout), window(layout, False, False)], "aggregate": True}
    bodies[f"{tag}-calibration"] = {"windows": [window(layout)], "calibration": {"mean": nums(feat), "std": [abs(x) + 0.1 for x in nums(feat)]}}
    bodies[f"{tag}-v2"] = {"inputs": [
        {"name": "eeg", "datatype": "FP32", "shape": [2, layout[0][0], layout[0][1]], "data": nums(2 * layout[0][0] * layout[0][1])},
        {"name": "peripheral", "datatype": "FP32", "shape": [2, sum(d for _, d in layout[1])], "data": [nums(sum(d for _, d in layout[1])) for _ in range(2)]},
        {"name": "face", "datatype": "FP32", "shape": [2, layout[2][0] * layout[2][1]], "data": nums(2 * layout[2][0] * layout[2][1])}]}
    bad = window(layout)
    bad["eeg"] = bad["eeg"][:-1]
    bodies[f"{tag}-wrong-rows"] = bad
    bad = window(layout)
    bad["peripheral"]["extra"] = [1.0]
    bodies[f"{tag}-unknown-group"] = bad
for name, body in bodies.items():
    write("body", name, json.dumps(body, separators=(",", ":")))
# V2 with per-subject calibration tensors, nested data, other datatypes, outputs and parameters;
# and with a binary tail (StreamingV2DecoderCheck's framing: a 0 byte, the header length as 4
# big-endian bytes, the header, the tensor bytes). Their own generator keeps the seeds above fixed.
v2rng = random.Random(7)
for tag, layout in (("sample", SAMPLE), ("dmer", DMER)):
    (ch, bands), groups, (planes, bins) = layout
    pdims = sum(d for _, d in groups)
    feat = ch * bands + pdims + planes * bins
    body = {"id": "r1", "parameters": {"binary_data_output": True}, "outputs": [{"name": "distribution", "parameters": {"binary_data": False}}], "inputs": [
        {"name": "eeg", "datatype": "FP64", "shape": [1, ch * bands], "data": [nums(bands, source=v2rng) for _ in range(ch)]},
        {"name": "peripheral", "datatype": "FP32", "shape": [1, pdims], "data": nums(pdims, source=v2rng)},
        {"name": "face", "datatype": "INT32", "shape": [1, planes, bins], "data": [v2rng.randrange(-9, 9) for _ in range(planes * bins)]},
        {"name": "calibration_mean", "datatype": "FP32", "shape": [feat], "data": nums(feat, source=v2rng)},
        {"name": "calibration_std", "datatype": "FP32", "shape": [1, feat], "data": [[abs(x) + 0.1 for x in nums(feat, source=v2rng)]]}]}
    write("body", f"{tag}-v2-calibration", json.dumps(body, separators=(",", ":")))
    tail, inputs = b"", []
    for name, shape, fmt, datatype in (("eeg", [1, ch, bands], "<f", "FP32"), ("peripheral", [1, pdims], "<e", "FP16"), ("face", [1, planes * bins], "<b", "INT8")):
        count = shape[0] * shape[1] * (shape[2] if len(shape) > 2 else 1)
        data = b"".join(struct.pack(fmt, v2rng.randrange(-9, 9)) for _ in range(count))
        tail += data
        inputs.append({"name": name, "datatype": datatype, "shape": shape, "parameters": {"binary_data_size": len(data)}})
    header = json.dumps({"inputs": inputs, "outputs": [{"name": "distribution"}]}, separators=(",", ":")).encode()
    write("body", f"{tag}-v2-binary", b"\x00" + struct.pack(">I", len(header)) + header + tail)
# Hand-written edge cases (text, so that tokens json.dumps would not write survive).
w = json.dumps(window(SAMPLE), separators=(",", ":"))
first = re.compile(r'(?<=\[\[)-?[0-9.]+')  # the first EEG value
write("body", "nan-token", first.sub("NaN", w, 1))
write("body", "huge-number", first.sub("1e39", w, 1))
write("body", "inf-overflow", first.sub("-1e400", w, 1))
write("body", "out-of-range", first.sub("1e10", w, 1))
write("body", "unknown-window-field", '{"windows":[' + w[:-1] + ',"(face":[1]}]}')
write("body", "unknown-top-field", w[:-1] + ',"windowz":[]}')
write("body", "calibration-unknown-field", '{"windows":[' + w + '],"calibration":{"mean":[],"std":[],"median":[]}}')
write("body", "too-many-windows", '{"windows":[' + ",".join([w] * 4) + "]}")
write("body", "empty-windows", '{"windows":[]}')
write("body", "deep", "[" * 70 + "]" * 70)
write("body", "strings", '{"s":"caf\\u00e9 \\ud83d\\ude00 \\n\\t\\"","k":[true,false,null,-0.0,1E-7,123456789012345678901234567890]}')
write("body", "not-object", "[1,2,3]")
