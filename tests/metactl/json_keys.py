#!/usr/bin/env python3
"""Issue 13, point 5: `--json` keys come in a documented, stable order.

docs/*.md document the keys of each command's JSON result on one line:
    JSON keys of `metactl CMD --json`, in order: `k1`, `k2`, ...
(for a command printing an array or JSON Lines: the keys of each object). This test reads those
lines at run time, runs every documented command against a one-node metasrv it starts (and a
backup location in a temp dir), and compares the keys of the JSON printed, in order, with the
docs. A documented command this test does not run is a failure too, so each documented order is
checked.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

METACTL = os.environ["METACTL"]
METASRV = os.environ["METASRV"]
DOCS_DIR = os.environ["DOCS_DIR"]
TESTDATA = os.environ["TESTDATA_DIR"]

DOC_LINE = re.compile(r"^JSON keys of `metactl ([a-z -]+?) --json`[^:]*:(.*)$")


def documented():
    keys = {}
    for name in sorted(os.listdir(DOCS_DIR)):
        if name.endswith(".md"):
            for no, line in enumerate(open(os.path.join(DOCS_DIR, name), encoding="utf-8"), 1):
                m = DOC_LINE.match(line.strip())
                if m:
                    # Backticked words before any parenthesis of a key's explanation.
                    ks = re.findall(r"`([a-z_]+)`", re.sub(r"\([^)]*\)", "", m.group(2)))
                    keys[m.group(1)] = (ks, f"docs/{name}:{no}")
    return keys


def free_port():
    # The kernel picks a free port; metasrv binds it right after (as the other live tests do).
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*args, ok_codes=(0,)):
    p = subprocess.run([METACTL, *args], capture_output=True, text=True, timeout=120)
    if p.returncode not in ok_codes:
        sys.exit(f"FAIL: metactl {' '.join(args)}: exit {p.returncode}: {p.stderr}")
    return p.stdout


def first_object(stdout, what):
    """The keys, in order, of the printed object (of the first element of an array or of JSON
    Lines)."""
    line = stdout.strip().splitlines()[0]
    value = json.loads(line, object_pairs_hook=lambda pairs: ("object", pairs))
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, tuple) and value[0] == "object":
        return [k for k, _ in value[1]]
    sys.exit(f"FAIL: {what}: not a JSON object or array: {line}")


def main():
    docs = documented()
    tmp = tempfile.mkdtemp(prefix="json-keys.")
    server = None
    try:
        g, r = free_port(), free_port()
        addr = f"127.0.0.1:{g}"
        run("import", "--allow-no-footer", "--raft-dir", f"{tmp}/raft", "--db", f"{TESTDATA}/own_v004.jsonl",
            "--id", "1", "--initial-cluster", f"1=127.0.0.1:{r},{addr}")
        log = open(f"{tmp}/metasrv.log", "w")
        server = subprocess.Popen([METASRV, "--raft-dir", f"{tmp}/raft", "--grpc-api-address", addr,
                                   "--raft-address", f"127.0.0.1:{r}"], stdout=log, stderr=log)
        # Wait (bounded: 60 s, far above a normal start) until the node answers as leader.
        deadline = time.monotonic() + 60
        while True:
            p = subprocess.run([METACTL, "status", "--grpc-api-address", addr, "--json"],
                               capture_output=True, text=True, timeout=30)
            if p.returncode == 0 and '"role":"leader"' in p.stdout:
                break
            if time.monotonic() > deadline or server.poll() is not None:
                sys.exit("FAIL: metasrv did not become leader:\n" + open(f"{tmp}/metasrv.log").read())
            time.sleep(0.2)
        live = ["--grpc-api-address", addr, "--json"]
        os.makedirs(f"{tmp}/data")
        open(f"{tmp}/data/f", "w").write("x")
        out = {
            "status": run("status", *live),
            "members": run("members", *live),
            "upsert": run("upsert", "--key", "j/k", "--value", "v", *live),
            "get": run("get", "--key", "j/k", *live),
            "list": run("list", "--prefix", "j/", *live),
            "delete": run("delete", "--key", "j/k", *live),
            "trigger-snapshot": run("trigger-snapshot", *live),
            "backup": run("backup", f"{tmp}/repo", "--grpc-api-address", addr, "--data", f"{tmp}/data", "--json"),
        }
        out["backups"] = run("backups", f"{tmp}/repo", "--json")
        out["verify"] = run("verify", f"{tmp}/repo", "--json")
        out["restore"] = run("restore", f"{tmp}/repo", "--latest", "--raft-dir", f"{tmp}/restored",
                             "--data-to", f"{tmp}/data2", "--confirm", "--json")
        out["vacuum"] = run("vacuum", f"{tmp}/repo", "--max-backups", "1", "--json")
        out["inspect"] = run("inspect", f"{TESTDATA}/own_v004.jsonl", "--json")
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(tmp, ignore_errors=True)

    problems = []
    for cmd, (want, where) in sorted(docs.items()):
        if cmd not in out:
            problems.append(f"{where}: `metactl {cmd} --json` is documented but this test does not run it")
            continue
        got = first_object(out[cmd], cmd)
        if got != want:
            problems.append(f"{where}: `metactl {cmd} --json` keys are {got}, the docs say {want}")
        else:
            print(f"ok: metactl {cmd} --json: {', '.join(got)}")
    for cmd in sorted(set(out) - set(docs)):
        problems.append(f"`metactl {cmd} --json` is run here but its keys are not documented "
                        "(a 'JSON keys of' line in docs/)")
    for p in problems:
        print("FAIL:", p)
    sys.exit(1 if problems else 0)


main()
