#!/bin/sh
# Installs what the benchmarks in tools/bench need and the test suite does not: Debian's
# boto3 (the peer of tools/bench/api-calls), GNU time and valgrind (callgrind); for
# tools/bench/s3-sync also the AWS CLI (its peer), wrk (the load generator) and Node.js
# with npm (s3rver, which s3-sync itself installs with npm ci). Debian 12.
# Idempotent: skips apt-get when every package is already present.
set -eu

PACKAGES="python3-boto3 time valgrind awscli wrk curl"
# A Node.js that is already there (any version since 8) does for s3rver.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    PACKAGES="$PACKAGES nodejs npm"
fi

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -n "$missing" ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    echo "bench setup: installing:$missing" >&2
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    # shellcheck disable=SC2086
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2
fi
