#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (fuzz/*_fuzz.cc) into OUT/<target>/, at run time.

  make_seeds.py OUT TESTDATA_DIR [SHARED_COMPAT_DIR]

line_codec and import_stream get their seeds from the export fixtures (testdata/*.jsonl and,
when present, databend's files under ../shared/compat/databend/: read here, never copied into
the repo), payload_codec the Normal payloads of their log entries and the compact forms built
below; manifest, s3_list and client_api get small hand-made messages built below (the
protobuf ones encoded by hand, so no protobuf module is needed). Each target's first byte
selects its mode (see the target's header), so a seed is written once per useful mode.
"""
import hashlib
import json
import os
import sys


def write(out, target, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def fixture_files(testdata, shared):
    files = sorted(os.path.join(testdata, f) for f in os.listdir(testdata) if f.endswith(".jsonl"))
    if shared and os.path.isdir(shared):
        for f in sorted(os.listdir(shared)):
            p = os.path.join(shared, f)
            if os.path.isfile(p) and os.path.getsize(p) < (1 << 20) and (f.endswith((".txt", ".jsonl")) or "exported" in f):
                files.append(p)
    return files


# --- protobuf, by hand -------------------------------------------------------------------
def varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def fv(field, n):  # varint field
    return varint(field << 3) + varint(n)


def fb(field, data):  # length-delimited field
    if isinstance(data, str):
        data = data.encode()
    return varint(field << 3 | 2) + varint(len(data)) + data


def block(size, fill):
    return fb(1, bytes([fill]) * 32) + fv(2, size)


def manifest_body(dirs):
    m = fv(1, 1) + fb(2, "20240102_030405") + fv(3, 1704164645000) + fb(4, "host") + fb(5, "metactl 0.1.0")
    m += fv(6, 4 << 20) + fb(8, fb(1, "raft-dir:/data/meta") + fv(2, 10) + fv(3, 300) + fb(4, block(300, 1)))
    for i in range(dirs):
        m += fb(9, fb(1, "/data/d%d" % i) + fb(2, "d%d" % i))
    m += fb(10, fv(1, 0) + fb(2, "a/b.txt") + fv(3, 0) + fv(4, 5) + fv(5, 0o644) + fb(7, block(2, 2) + b"") + fb(7, block(3, 3)))
    m += fb(10, fv(1, 0) + fb(2, "a") + fv(3, 1) + fv(5, 0o755))
    m += fb(10, fv(1, dirs - 1) + fb(2, "link") + fv(3, 2) + fb(8, "a/b.txt"))
    return m


def manifest_seeds(out):
    for dirs in (1, 2):
        body = manifest_body(dirs)
        write(out, "manifest", b"\x01" + body)
        envelope = fv(1, 1) + fb(2, body) + fb(3, hashlib.sha256(body).digest())
        write(out, "manifest", b"\x00" + envelope)


def client_api_seeds(out):
    upserts = [
        fb(1, "a/b") + fv(4, 0) + fb(5, b"value"),
        fb(1, "a/b") + fv(2, 1) + fv(3, 7) + fv(4, 1),
        fb(1, "k") + fv(2, 2) + fv(3, 1) + fb(5, b"v") + fv(7, 60000),
        fb(1, "k") + fb(5, b"v") + fv(6, 1704164645),
    ]
    put = fb(1, "k") + fb(2, b"v") + fv(4, 1000) + fv(5, 3)
    ops = [fb(1, fb(1, "k")), fb(2, put), fb(3, fb(1, "k") + fv(2, 1)), fb(4, fb(1, "p/")),
           fb(5, fb(1, "counter") + fv(2, 5)), fb(6, fb(1, "q/") + fb(2, "q_seq") + fb(3, b"v") + fv(4, 1000))]
    conds = [fb(1, "k") + fv(2, 0) + fv(3, 0), fb(1, "k") + fv(2, 5) + fb(4, b"v"), fb(1, "p/") + fv(2, 1) + fv(5, 2)]
    txn = b"".join(fb(1, c) for c in conds) + b"".join(fb(2, o) for o in ops) + fb(3, ops[0]) + fb(3, ops[1])
    watches = [fb(1, "a"), fb(1, "a/b") + fb(2, "a/c"), fb(3, "a/") + fv(4, 1) + fv(5, 9), b""]
    for limits in (0, 4):
        for u in upserts:
            write(out, "client_api", bytes([0 | limits]) + u)
        write(out, "client_api", bytes([1 | limits]) + txn)
        for w in watches:
            write(out, "client_api", bytes([2 | limits]) + w)


def s3_seeds(out):
    pages = [
        b'<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        b"<Name>bucket</Name><Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys>"
        b"<IsTruncated>true</IsTruncated><NextContinuationToken>tok&amp;1</NextContinuationToken>"
        b"<Contents><Key>p/manifests/20240102_030405.manifest</Key><Size>321</Size></Contents>"
        b"<Contents><Key>p/data/&#x1F600;&lt;x&gt;</Key><LastModified>2024-01-02T03:04:05.000Z</LastModified>"
        b"<Size>4194304</Size><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>",
        b"<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>",
        b'<?xml version="1.0"?><Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message>'
        b"<BucketName>b</BucketName><RequestId>1</RequestId></Error>",
        b"<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>u-1</UploadId></InitiateMultipartUploadResult>",
    ]
    for i, p in enumerate(pages):
        write(out, "s3_list", bytes([i]) + p)


def normal_payloads(line):
    """The Normal payloads of a log entry line, as compact JSON (databend's carry "txid")."""
    try:
        doc = json.loads(line)
    except ValueError:
        return []
    found = []

    def walk(v):
        if isinstance(v, dict):
            n = v.get("Normal")
            if isinstance(n, dict) and "cmd" in n:
                found.append(json.dumps(n, separators=(",", ":"), ensure_ascii=False).encode())
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(doc)
    return found


def payload_seeds(out):
    # The compact forms the fast path takes (storage/fast_payload_codec.h), and near misses.
    tail = b'"value_meta":null}}}'
    for p in [
        b'{"time_ms":1,"cmd":{"UpsertKV":{"key":"a/b","seq":"Any","value":{"Update":[1,22,255]},' + tail,
        b'{"time_ms":0,"cmd":{"UpsertKV":{"key":"","seq":{"Exact":7},"value":{"Update":[]},' + tail,
        b'{"time_ms":18446744073709551615,"cmd":{"UpsertKV":{"key":"\xc3\xa9","seq":{"GE":0},"value":"Delete",' + tail,
        b'{"time_ms":5,"cmd":{"UpsertKV":{"key":"k","seq":"Any","value":"AsIs","value_meta":{"expire_at":null}}}}',
        b'{"time_ms":5,"cmd":{"UpsertKV":{"key":"k","seq":"Any","value":"AsIs","value_meta":{"expire_at":9,"ttl":{"millis":3}}}}}',
        b'{"time_ms":5,"cmd":{"UpsertKV":{"key":"k\\n","seq":"Any","value":"Delete",' + tail,
        b'{"time_ms":5,"cmd":{"RemoveNode":{"node_id":2}}}',
    ]:
        write(out, "payload_codec", p)


def main():
    out, testdata = sys.argv[1], sys.argv[2]
    shared = sys.argv[3] if len(sys.argv) > 3 else None
    for f in fixture_files(testdata, shared):
        with open(f, "rb") as fh:
            data = fh.read()
        write(out, "import_stream", b"\x00" + data)
        write(out, "import_stream", b"\x01" + data)  # --allow-no-footer: databend's have none
        for line in data.split(b"\n"):
            if line:
                write(out, "line_codec", line)
            for payload in normal_payloads(line):
                write(out, "payload_codec", payload)
    payload_seeds(out)
    manifest_seeds(out)
    client_api_seeds(out)
    s3_seeds(out)


if __name__ == "__main__":
    main()
