#!/bin/sh
# Sets up the machine (tools/setup.sh) and builds wfrun into build/ (or $BUILD_DIR).
set -eu
cd "$(dirname "$0")/.."
sh tools/setup.sh
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} "$@" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" >/dev/null
echo "built $BUILD_DIR/wfrun" >&2
