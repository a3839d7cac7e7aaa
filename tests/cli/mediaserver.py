#!/usr/bin/env python3
"""A local HTTP server for the ppcvm get tests: serves ROOT on 127.0.0.1
and misbehaves on request. The first path component picks the mode, the
rest is the file under ROOT: /ok/..., /drop.../ (the first GET of a media
file without Range, per mode name, sends half the body and drops the connection), /corrupt/...
(one byte of a media file flipped), /slowN/... (waits N seconds before the
body), /404/... (media files are 404). Media files: *.iso, *.qcow2, *.img.
Writes its port to PORTFILE and one line per request to LOG."""
import http.server, os, sys, threading, time

ROOT, PORTFILE, LOG = sys.argv[1], sys.argv[2], sys.argv[3]
dropped = set()
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        parts = self.path.split("?")[0].lstrip("/").split("/", 1)
        mode, rel = (parts[0], parts[1]) if len(parts) == 2 else ("ok", parts[0])
        rng = self.headers.get("Range", "")
        with lock, open(LOG, "a") as log:
            log.write("%s %s range=%s\n" % (mode, rel, rng or "-"))
        path = os.path.join(ROOT, rel)
        media = rel.endswith((".iso", ".qcow2", ".img"))
        if not os.path.isfile(path) or (mode == "404" and media):
            body = b"not found\n"
            self.send_response(404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        data = open(path, "rb").read()
        if mode == "corrupt" and media:
            i = len(data) // 2
            data = data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:]
        if mode.startswith("slow"):
            time.sleep(float(mode[4:] or "3"))
        start = 0
        if rng.startswith("bytes=") and rng.endswith("-"):
            start = int(rng[6:-1])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % len(data))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode.startswith("drop") and media and not rng:
            with lock:
                first = (mode, rel) not in dropped
                dropped.add((mode, rel))
            if first:
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
                return
        self.wfile.write(body)


class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client that went away (the tests make them) is no news


srv = Server(("127.0.0.1", 0), Handler)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
srv.serve_forever()
