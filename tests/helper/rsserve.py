"""Helpers for the rs-serve tests: generated data and models, a server
started on 127.0.0.1 port 0 (the port read back from its first line of
standard output), and small HTTP clients (http.client, raw sockets).
Every connection goes to loopback; every wait is bounded."""

import atexit
import http.client
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def sh(*args, out=None):
    """Runs a tool; its standard output as text (or into file out)."""
    if out is not None:
        with open(out, "wb") as f:
            subprocess.run(args, check=True, stdout=f)
        return ""
    return subprocess.run(args, check=True, stdout=subprocess.PIPE,
                          text=True).stdout


def build(scale="0.03", factors="8"):
    """Generated data and the models of a release, in the current
    directory; returns the replay cut-off (ms)."""
    sh("rs-synth", "-q", "-s", scale, "-o", "gen")
    sh("rs-load", "-q", "-o", "ev.rse", "gen/events.csv")
    sh("rs-load", "-q", "-o", "props.rse", "gen/item_properties_part1.csv",
       "gen/item_properties_part2.csv")
    sh("rs-load", "-q", "-o", "tree.rse", "gen/category_tree.csv")
    sh("rs-requests", "-q", "--since", "end-14d", "-o", "r.rsq", "ev.rse")
    cut = sh("rs-cat", "-m", "since", "r.rsq").strip()
    sh("rs-knn-train", "-q", "--until", cut, "-o", "k.rsk", "ev.rse")
    sh("rs-interactions", "-q", "--until", cut, "-o", "tr.rsm", "ev.rse")
    sh("rs-als-train", "-q", "-f", factors, "-i", "5", "-o", "a.rsa",
       "tr.rsm")
    sh("rs-als-train", "-q", "-m", "popular", "-o", "p.rsa", "tr.rsm")
    sh("rs-clean-items", "-q", "-t", "tree.rse", "-o", "items.rse",
       "props.rse")
    return int(cut)


def events(path):
    """The rows of an event stream: (ts, visitor, event, item, txn)."""
    rows = []
    for line in sh("rs-cat", path).splitlines()[1:]:
        ts, v, e, i, t = line.split(",")
        rows.append((int(ts), int(v), e, int(i), t))
    return rows


def write_events(rows, csv_path, rse_path):
    with open(csv_path, "w") as f:
        f.write("timestamp,visitorid,event,itemid,transactionid\n")
        for ts, v, e, i, t in rows:
            f.write("%d,%d,%s,%d,%s\n" % (ts, v, e, i, t))
    sh("rs-load", "-q", "-o", rse_path, csv_path)


def release_dir(path, name, blend=None, files=("a.rsa", "p.rsa", "k.rsk",
                                                "items.rse"),
                complete=True):
    """A release directory as rs-retrain publishes one."""
    names = {"a.rsa": "als.rsa", "p.rsa": "popular.rsa", "k.rsk": "knn.rsk",
             "items.rse": "items.rse"}
    os.makedirs(path)
    for f in files:
        os.link(f, os.path.join(path, names[f]))
    with open(os.path.join(path, "release.env"), "w") as f:
        f.write("name=%s\ncreated=%d\n" % (name, int(time.time())))
        if blend:
            f.write("blend=%s\n" % blend)
    if complete:
        with open(os.path.join(path, "COMPLETE"), "w") as f:
            f.write(name + "\n")


class Server:
    def __init__(self, args, log="serve.err", wait=120):
        self.errpath = log
        self.err = open(log, "ab")
        self.p = subprocess.Popen(["rs-serve", "-l", "127.0.0.1:0"] + args,
                                  stdout=subprocess.PIPE, stderr=self.err)
        # a failing test exits at once: never leave a server behind
        atexit.register(self._reap)
        fd = self.p.stdout.fileno()
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            self.kill()
            fail("rs-serve did not start in %d s: %s" % (wait,
                                                          self.log()))
        line = self.p.stdout.readline().decode().strip()
        if not line.startswith("http://127.0.0.1:"):
            self.p.wait(10)
            fail("rs-serve did not start (%r): %s" % (line, self.log()))
        self.port = int(line.rsplit(":", 1)[1].strip("/"))
        self.conn = None

    def log(self):
        self.err.flush()
        with open(self.errpath, "rb") as f:
            return f.read().decode(errors="replace")

    def request(self, method, path, body=None, headers=None, timeout=30):
        """One request on a fresh connection: (status, headers, body)."""
        c = http.client.HTTPConnection("127.0.0.1", self.port,
                                       timeout=timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, dict(r.getheaders()), r.read()
        finally:
            c.close()

    def get_json(self, path, want=200):
        st, _, b = self.request("GET", path)
        if st != want:
            fail("GET %s: status %d, want %d: %r" % (path, st, want, b))
        return json.loads(b)

    def post_events(self, evs, want=200):
        body = json.dumps(evs).encode()
        st, _, b = self.request("POST", "/events", body,
                                {"Content-Type": "application/json"})
        if st != want:
            fail("POST /events: status %d, want %d: %r" % (st, want, b))
        return json.loads(b)

    def raw(self, data, timeout=10):
        """Sends raw bytes, returns what comes back until the server
        closes or timeout."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout)
        try:
            s.sendall(data)
            try:
                s.shutdown(socket.SHUT_WR)
            except OSError:
                # the server answered and closed first (a refused
                # request): what it sent is still there to read
                pass
            out = b""
            end = time.time() + timeout
            while time.time() < end:
                try:
                    chunk = s.recv(65536)
                except (socket.timeout, ConnectionResetError):
                    break
                if not chunk:
                    break
                out += chunk
            return out
        finally:
            s.close()

    def signal(self, sig):
        self.p.send_signal(sig)

    def stop(self):
        """SIGTERM; the exit status must be 0."""
        self.p.send_signal(signal.SIGTERM)
        try:
            rc = self.p.wait(60)
        except subprocess.TimeoutExpired:
            self.kill()
            fail("rs-serve did not stop on SIGTERM")
        if rc != 0:
            fail("rs-serve exited %d: %s" % (rc, self.log()))

    def _reap(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait(60)

    def kill(self):
        self.p.kill()
        self.p.wait(60)
