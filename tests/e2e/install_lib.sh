# Helpers for the install tests (test_install.sh, test_install_deb.sh), sourced after lib.sh.

# clean_env: the environment of a machine that never saw the source tree: no development
# overrides, no AWS configuration, a PATH of the system's directories only.
clean_env() {
    unset WFRUN_LUA_DIR WFRUN_SHARE_DIR WFRUN_WORKFLOWS_PATH WFRUN_COMPONENTS_PATH WFRUN_AWSSIM
    unset WFRUN_STATE_DIR AWS_ENDPOINT_URL AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
    unset AWS_SESSION_TOKEN TEAMCITY_VERSION
    export PATH=/usr/local/bin:/usr/bin:/bin
}

# check_installed_run BIN SHARE: from an empty directory elsewhere, BIN (an installed wfrun)
# prints its version and migrates the demo environment on the simulator with the workflow,
# component and seed under SHARE (its share/wfrun) and the awssim beside it.
check_installed_run() {
    bin=$1; share=$2
    mkdir -p "$SCRATCH/elsewhere" && cd "$SCRATCH/elsewhere" || return
    expect_exit 0 "$bin" --version
    CHECKS=$((CHECKS + 1))
    grep -Eq '^wfrun [0-9]+\.[0-9]+\.[0-9]+ \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)$' out.txt ||
        { fail "wfrun --version printed: $(cat out.txt)"; }
    expect_exit 0 "$(dirname "$bin")/awssim" --version
    CHECKS=$((CHECKS + 1))
    grep -Eq '^awssim [0-9]+\.[0-9]+\.[0-9]+ \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)$' out.txt ||
        { fail "awssim --version printed: $(cat out.txt)"; }
    expect_exit 0 "$bin" help migrate.lua
    contains out.txt "point of no return"
    expect_exit 0 "$bin" --sim --yes migrate.lua demo
    contains err.txt "seeded from $share/workflows/examples/seed.json"
    contains err.txt "smoke test passed"
    contains err.txt "demo migrated"
    # the journal names the installed workflow file
    CHECKS=$((CHECKS + 1))
    grep -qF "\"file\":\"$share/workflows/migrate.lua\"" .wfrun/runs/*/journal.jsonl ||
        fail "the run did not use $share/workflows/migrate.lua"
    cd "$SCRATCH" || return
}
