# For scripts/container-test: a web server that answers one path-style S3 GET only when its AWS
# Signature Version 4 (computed here from the AWS specification) verifies with the given secret.
#   python3 scripts/sigv4-test-server.py PORT FILE SECRET REGION
import hashlib, hmac, http.server, sys, urllib.parse

port, path, secret, region = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
body = open(path, "rb").read()

def h(key, text):
    return hmac.new(key, text.encode(), hashlib.sha256).digest()

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        fields = dict(part.strip().split("=", 1) for part in self.headers.get("Authorization", "").removeprefix("AWS4-HMAC-SHA256 ").split(","))
        signed = fields["SignedHeaders"].split(";")
        payload = self.headers.get("x-amz-content-sha256", "")
        canonical = "\n".join(["GET", urllib.parse.quote(self.path.split("?")[0]), "",
                               *[f"{name}:{self.headers.get(name).strip()}" for name in signed], "",
                               fields["SignedHeaders"], payload])
        date = self.headers["x-amz-date"]
        scope = f"{date[:8]}/{region}/s3/aws4_request"
        to_sign = "\n".join(["AWS4-HMAC-SHA256", date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
        key = h(h(h(h(("AWS4" + secret).encode(), date[:8]), region), "s3"), "aws4_request")
        expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        ok = (fields["Credential"].endswith("/" + scope) and fields["Signature"] == expected
              and "x-amz-content-sha256" in signed and payload == hashlib.sha256(b"").hexdigest())
        self.send_response(200 if ok else 403)
        self.send_header("Content-Length", str(len(body) if ok else 0))
        self.end_headers()
        if ok:
            self.wfile.write(body)

    def log_message(self, *args):
        pass

http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
