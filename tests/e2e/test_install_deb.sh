# cpack -G DEB builds wfrun's .deb: its control file depends on the Debian packages of
# every library wfrun and awssim link, it holds the binaries, workflows, man pages and
# completion under /usr, and extracted into a scratch root (dpkg-deb -x: the tree is
# relocatable) its wfrun migrates the demo environment on the simulator from any directory.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/install_lib.sh"
: "${WF_BUILD_DIR:?}"
for tool in cpack dpkg-deb; do
    command -v $tool >/dev/null 2>&1 || { echo "SKIP: $tool is not installed"; exit 77; }
done
[ -x "$WF_BUILD_DIR/awssim" ] || { echo "SKIP: awssim is not built"; exit 77; }

expect_exit 0 cpack -G DEB -B "$SCRATCH/pkg" --config "$WF_BUILD_DIR/CPackConfig.cmake"
deb=$(ls "$SCRATCH"/pkg/wfrun_*.deb 2>/dev/null | head -n 1)
CHECKS=$((CHECKS + 1))
[ -n "$deb" ] || { fail "cpack made no wfrun_*.deb"; cat out.txt err.txt >&2; finish; }

expect_exit 0 dpkg-deb -f "$deb" Package Version Architecture Depends
contains out.txt "Package: wfrun"
contains out.txt "Version: $(sed -n 's/^project(wfrun VERSION \([0-9.]*\).*/\1/p' "$WF_SOURCE_DIR/CMakeLists.txt")"
depends=$(sed -n 's/^Depends: //p' out.txt)
# Each library the binaries link directly (their NEEDED entries) comes from a package the
# .deb depends on.
needed_paths() {
    for bin in "$@"; do
        for so in $(objdump -p "$bin" | awk '$1 == "NEEDED" { print $2 }'); do
            ldd "$bin" | awk -v so="$so" '$1 == so && $3 ~ /^\// { print $3 }'
        done
    done | sort -u
}
if command -v dpkg >/dev/null 2>&1 && command -v objdump >/dev/null 2>&1; then
    for lib in $(needed_paths "$WF_BUILD_DIR/wfrun" "$WF_BUILD_DIR/awssim"); do
        pkg=$(dpkg -S "$lib" 2>/dev/null | head -n 1 | cut -d: -f1)
        [ -n "$pkg" ] || pkg=$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null | head -n 1 | cut -d: -f1)
        [ -n "$pkg" ] || continue          # not from a package (a local build of a library)
        CHECKS=$((CHECKS + 1))
        printf '%s\n' "$depends" | tr ',' '\n' | grep -Eq "^ *$pkg( |\$)" ||
            fail "the .deb does not depend on $pkg (for $lib): Depends: $depends"
    done
fi
for want in liblua5.4-0 libcurl4 libcjson1 libmicrohttpd12; do
    CHECKS=$((CHECKS + 1))
    printf '%s\n' "$depends" | grep -q "$want" || fail "Depends lacks $want: $depends"
done

expect_exit 0 dpkg-deb -c "$deb"
for f in ./usr/bin/wfrun ./usr/bin/awssim ./usr/share/wfrun/workflows/migrate.lua \
         ./usr/share/wfrun/workflows/examples/seed.json ./usr/share/man/man1/wfrun.1 \
         ./usr/share/bash-completion/completions/wfrun; do
    contains out.txt "$f"
done

expect_exit 0 dpkg-deb -x "$deb" "$SCRATCH/root"
clean_env
R=$(realpath "$SCRATCH/root")
check_installed_run "$R/usr/bin/wfrun" "$R/usr/share/wfrun"
finish
