# awssim only ever listens on loopback: anything else is refused with exit 2 and a clear
# message, before it binds anything.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/awssim_lib.sh"

for addr in 0.0.0.0:0 192.168.1.10:8080 10.0.0.1:0 8.8.8.8:53 example.com:80 "[::]:0" "[2001:db8::1]:0" ":0"; do
    expect_exit 2 "$AWSSIM" --listen "$addr"
    contains err.txt "refusing a non-loopback address"
    lacks out.txt "http://"
done
expect_exit 2 "$AWSSIM" --listen 127.0.0.1:99999
contains err.txt "bad port"
expect_exit 2 "$AWSSIM" --listen 127.0.0.1
contains err.txt "HOST:PORT"
expect_exit 2 "$AWSSIM" --time-scale 0
contains err.txt "--time-scale"
expect_exit 2 "$AWSSIM" --no-such-option
contains err.txt "unknown argument"

# Loopback forms are accepted: 127.0.0.0/8 and localhost.
for addr in 127.0.0.1:0 127.0.0.2:0 localhost:0; do
    : >sim.out  # emptied before the start: the loop's previous URL must not be read
    "$AWSSIM" --listen "$addr" >>sim.out 2>sim.err &
    SIM_PID=$!
    wait_for sim.out "http://127.0.0." 10
    ctl_url=$(head -n 1 sim.out)
    CHECKS=$((CHECKS + 1))
    curl -sS "$ctl_url/_awssim/health" | grep -q '"ok": true' || fail "$addr: no health answer"
    sim_stop
    check_eq "$addr exit status" "$SIM_RC" 0
done
finish
