"""The boto3 peer of tools/bench/api-calls: N signed calls on one client (one kept-alive
connection pool), the same calls wfrun makes. Run with Debian's python3 and python3-boto3.

    python3 api_calls_boto3.py ENDPOINT N sts
    python3 api_calls_boto3.py ENDPOINT N s3-head BUCKET KEY

Prints "calls=N wall_s=W user_s=U sys_s=S" measured around the loop only, as
tools/bench/api_calls.c does."""
import resource
import sys
import time

import boto3
from botocore.config import Config


def main(argv):
    endpoint, n, what = argv[1], int(argv[2]), argv[3]
    cfg = Config(retries={"max_attempts": 1, "mode": "standard"},
                 s3={"addressing_style": "path"})
    if what == "sts":
        client = boto3.client("sts", endpoint_url=endpoint, config=cfg)

        def call():
            client.get_caller_identity()
    elif what == "s3-head":
        client = boto3.client("s3", endpoint_url=endpoint, config=cfg)
        bucket, key = argv[4], argv[5]

        def call():
            client.head_object(Bucket=bucket, Key=key)
    else:
        raise SystemExit("unknown call %r" % what)
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.monotonic()
    for _ in range(n):
        call()
    t1 = time.monotonic()
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    print("calls=%d wall_s=%.6f user_s=%.6f sys_s=%.6f"
          % (n, t1 - t0, r1.ru_utime - r0.ru_utime, r1.ru_stime - r0.ru_stime))


if __name__ == "__main__":
    main(sys.argv)
