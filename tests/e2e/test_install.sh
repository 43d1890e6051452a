# cmake --install into a scratch prefix: the files land in the GNU places, and the
# installed wfrun, run from another directory with a clean environment, prints its version
# and migrates the demo environment on the simulator with its installed workflows, seed
# and awssim. The man pages render and list every option of --help; the bash completion
# completes commands, options and the installed workflows.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/install_lib.sh"
: "${WF_BUILD_DIR:?}"
[ -x "$WF_BUILD_DIR/awssim" ] || { echo "SKIP: awssim is not built"; exit 77; }

P="$SCRATCH/prefix"
expect_exit 0 cmake --install "$WF_BUILD_DIR" --prefix "$P"
for f in bin/wfrun bin/awssim share/wfrun/workflows/migrate.lua share/wfrun/workflows/clone.lua \
         share/wfrun/workflows/components/api.lua share/wfrun/workflows/components/api.json \
         share/wfrun/workflows/examples/seed.json share/man/man1/wfrun.1 share/man/man1/awssim.1 \
         share/bash-completion/completions/wfrun share/doc/wfrun/README.md; do
    CHECKS=$((CHECKS + 1))
    [ -f "$P/$f" ] || fail "not installed: $f"
done
CHECKS=$((CHECKS + 1))
[ -x "$P/bin/wfrun" ] && [ -x "$P/bin/awssim" ] || fail "the installed binaries are not executable"

clean_env
P=$(realpath "$P")
export PATH="$P/bin:$PATH"
check_installed_run "$P/bin/wfrun" "$P/share/wfrun"

# --- man pages: render without warnings, name every option and command of --help --------
if command -v man >/dev/null 2>&1; then
    render() { MANWIDTH=100 man --warnings -l "$1"; }
elif command -v groff >/dev/null 2>&1; then
    render() { groff -man -Tutf8 -ww "$1"; }
else
    echo "SKIP: neither man nor groff is installed"; exit 77
fi
page_lists_help() {   # page_lists_help PAGE.txt HELP.txt: every --option and -x of the help
    for opt in $(sed -n '/^options:/,/^$/p' "$2" | awk '{ for (i = 1; i <= NF && $i ~ /^-/; i++) { o = $i; sub(/,$/, "", o); sub(/=.*/, "", o); print o } }'); do
        CHECKS=$((CHECKS + 1))
        grep -q -- "$opt\\b" "$1" || fail "$1 does not document $opt (it is in --help)"
    done
}
for page in wfrun awssim; do
    expect_exit 0 render "$P/share/man/man1/$page.1"
    mv out.txt "$page.txt"
    CHECKS=$((CHECKS + 1))
    [ ! -s err.txt ] || { fail "$page.1 renders with warnings"; cat err.txt >&2; }
    contains "$page.txt" "NAME"
    contains "$page.txt" "EXIT STATUS"
done
# man(1) hyphenates and may turn '-' into U+2010; compare with plain ASCII hyphens
sed 's/\xe2\x80\x90/-/g; s/\xe2\x88\x92/-/g' wfrun.txt > wfrun-ascii.txt
"$P/bin/wfrun" --help > wfrun-help.txt
page_lists_help wfrun-ascii.txt wfrun-help.txt
for cmd in $(sed -n 's/^\(usage:\)\{0,1\} *wfrun \([a-z][a-z0-9]*\) .*/\2/p' wfrun-help.txt); do
    CHECKS=$((CHECKS + 1))
    grep -q "wfrun $cmd" wfrun-ascii.txt || fail "wfrun.1 does not show the command $cmd"
done
sed 's/\xe2\x80\x90/-/g; s/\xe2\x88\x92/-/g' awssim.txt > awssim-ascii.txt
"$P/bin/awssim" --help | sed -n '/^  -/p' | awk '{print $1}' > awssim-opts.txt
for opt in $(cat awssim-opts.txt); do
    CHECKS=$((CHECKS + 1))
    grep -q -- "$opt\\b" awssim-ascii.txt || fail "awssim.1 does not document $opt (it is in --help)"
done

# --- bash completion --------------------------------------------------------------------
if command -v bash >/dev/null 2>&1; then
    mkdir -p compl && touch compl/mine.lua
    cat > complete.sh <<'SH'
source "$1" || exit 1
t() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _wfrun; echo "${COMPREPLY[*]}"; }
cd compl
echo "cmd: $(t wfrun pl)"
echo "opt: $(t wfrun --sim-s)"
echo "first: $(t wfrun '')"
echo "plan: $(t wfrun plan mi)"
echo "fmt: $(t wfrun --log-format=j)"
complete -p wfrun
SH
    expect_exit 0 bash complete.sh "$P/share/bash-completion/completions/wfrun"
    contains out.txt "cmd: plan"
    contains out.txt "opt: --sim-state="
    contains out.txt "migrate.lua"     # the installed workflows
    contains out.txt "mine.lua"        # and the ones here
    contains out.txt "plan: migrate.lua mine.lua"
    contains out.txt "fmt: json"
    contains out.txt "complete -F _wfrun wfrun"
fi
finish
