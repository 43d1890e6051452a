#!/bin/sh
# Installs what the benchmarks in tools/bench need and the test suite does not: Debian's
# boto3 (the peer of tools/bench/api-calls), GNU time and valgrind (callgrind); for
# tools/bench/s3-sync also the AWS CLI (its peer), wrk (the load generator) and Node.js
# with npm (s3rver, which s3-sync itself installs with npm ci). Debian 12.
# Idempotent, through tools/setup.sh (which also installs the build's own packages).
set -eu

PACKAGES="python3-boto3 time valgrind awscli wrk curl"
# A Node.js that is already there (any version since 8) does for s3rver.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    PACKAGES="$PACKAGES nodejs npm"
fi

# shellcheck disable=SC2086
exec sh "$(dirname "$0")/../setup.sh" $PACKAGES
