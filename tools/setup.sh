#!/bin/sh
# Installs what wfrun needs to build and test on a fresh Debian 12 machine.
# Idempotent: skips apt-get entirely when every package is already present.
# Extra package names given as arguments are installed too (tools/bench/setup.sh).
set -eu

PACKAGES="build-essential cmake pkg-config git
liblua5.4-dev libcurl4-openssl-dev libssl-dev libcjson-dev libpcre2-dev libexpat1-dev
libmicrohttpd-dev awscli curl
clang libclang-rt-14-dev valgrind python3 openssl $*"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -n "$missing" ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    echo "setup: installing:$missing" >&2
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    # shellcheck disable=SC2086
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2
fi
