#!/usr/bin/python3
"""The parts of tools/bench/s3-sync that are easier in Python (Debian's python3-boto3).

  s3_sync_helper.py awssim-seed FILE N SIZE BUCKET...
      a JSON seed for awssim --seed: bucket "src" with N objects, the other buckets empty
  s3_sync_helper.py s3rver-layout DIR N SIZE BUCKET...
      the same world written straight into s3rver's filesystem store under DIR
  s3_sync_helper.py requests URL KEY SECRET N FILE
      the load generator's requests (tools/bench/s3_sync_wrk.lua), one a line, METHOD PATH
      [COPY-SOURCE]: N CopyObject src -> ceiling/copy/... (each to its own key, as a
      sync does) and one ListObjectsV2 page of 1,000 keys of src, presigned (SigV4 in the
      query string) so that the load generator signs nothing; written to FILE.copy and
      FILE.list. The copies' keys (copy/000/000000.txt ...) are laid out 1,000 to a
      directory as a sync writes them, so that s3rver's store grows as it does in a sync
  s3_sync_helper.py count URL KEY SECRET BUCKET
      prints how many keys BUCKET holds (ListObjectsV2 pages of 1,000)

Keys are data/000/000000.txt ... grouped 1,000 to a "directory": s3rver keeps a key's
slashes as directories and lists by walking them, so with a flat layout every listing page
would stat the whole bucket. Bodies are SIZE bytes of text naming their key, so every
object has its own ETag.
"""
import hashlib
import json
import os
import sys


def key_of(i):
    return "data/%03d/%06d.txt" % (i // 1000, i)


def body_of(key, size):
    line = (key + "\n").encode()
    return (line * (size // len(line) + 1))[:size]


def awssim_seed(path, n, size, others):
    objects = [{"Key": key_of(i), "Body": body_of(key_of(i), size).decode(),
                "ContentType": "text/plain"} for i in range(n)]
    buckets = [{"Name": "src", "objects": objects}] + [{"Name": b} for b in others]
    with open(path, "w") as f:
        json.dump({"s3": {"buckets": buckets}}, f)


def s3rver_layout(root, n, size, others):
    """What s3rver 3.7's filesystem store writes for a PutObject: KEY._S3rver_object (the
    body), KEY._S3rver_object.md5 (its ETag) and KEY._S3rver_metadata.json (its
    CopyObject needs it)."""
    metadata = json.dumps({"content-type": "text/plain"}, indent=2)
    for bucket in ["src"] + others:
        os.makedirs(os.path.join(root, bucket), exist_ok=True)
    made = set()
    for i in range(n):
        key = key_of(i)
        base = os.path.join(root, "src", key)
        parent = os.path.dirname(base)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        body = body_of(key, size)
        with open(base + "._S3rver_object", "wb") as f:
            f.write(body)
        with open(base + "._S3rver_object.md5", "w") as f:
            f.write(hashlib.md5(body).hexdigest())
        with open(base + "._S3rver_metadata.json", "w") as f:
            f.write(metadata)


def client(url, key, secret):
    import boto3
    from botocore.config import Config
    return boto3.client("s3", endpoint_url=url, aws_access_key_id=key,
                        aws_secret_access_key=secret, region_name="us-east-1",
                        config=Config(s3={"addressing_style": "path"},
                                      signature_version="s3v4"))


def requests(url, key, secret, n, path):
    c = client(url, key, secret)
    cut = len(url)
    with open(path + ".copy", "w") as f:
        for i in range(n):
            src = "src/" + key_of(i % 1000)
            u = c.generate_presigned_url(
                "copy_object", ExpiresIn=7200,
                Params={"Bucket": "ceiling", "Key": "copy/" + key_of(i)[5:], "CopySource": src})
            f.write("PUT %s %s\n" % (u[cut:], src))
    with open(path + ".list", "w") as f:
        u = c.generate_presigned_url("list_objects_v2", ExpiresIn=7200,
                                     Params={"Bucket": "src", "MaxKeys": 1000})
        f.write("GET %s\n" % u[cut:])


def count(url, key, secret, bucket):
    n = 0
    for page in client(url, key, secret).get_paginator("list_objects_v2").paginate(
            Bucket=bucket, PaginationConfig={"PageSize": 1000}):
        n += page.get("KeyCount", 0)
    print(n)


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "awssim-seed" and len(argv) >= 5:
        awssim_seed(argv[2], int(argv[3]), int(argv[4]), argv[5:])
    elif cmd == "s3rver-layout" and len(argv) >= 5:
        s3rver_layout(argv[2], int(argv[3]), int(argv[4]), argv[5:])
    elif cmd == "requests" and len(argv) == 7:
        requests(argv[2], argv[3], argv[4], int(argv[5]), argv[6])
    elif cmd == "count" and len(argv) == 6:
        count(argv[2], argv[3], argv[4], argv[5])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
