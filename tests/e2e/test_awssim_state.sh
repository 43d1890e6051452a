# Persistence: with --state FILE the world survives a restart (saved on SIGTERM and on
# POST /_awssim/save, atomically); a seed applies only to an empty world; reset goes
# back to the seed; a corrupt state file is refused rather than overwritten.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/awssim_lib.sh"
need_aws_cli

cat >seed.json <<'JSON'
{"s3": {"buckets": [{"Name": "from-seed"}]}}
JSON

sim_start --state world.json --seed seed.json
expect_exit 0 awsc s3 mb s3://kept-bucket
head -c 5000 /dev/urandom >blob.bin
expect_exit 0 awsc s3 cp blob.bin s3://kept-bucket/blob.bin
printf 'caf\303\251\n' >text.txt
expect_exit 0 awsc s3 cp text.txt s3://kept-bucket/text.txt

# Save while running.
expect_exit 0 ctl POST /_awssim/save
contains out.txt '"ok": true'
CHECKS=$((CHECKS + 1))
[ -s world.json ] || fail "POST /_awssim/save wrote nothing"
contains world.json '"kept-bucket"'
ls world.json.* >/dev/null 2>&1 && fail "a temporary state file was left behind"
sim_stop
check_eq "exit status" "$SIM_RC" 0

# Restart: everything is still there, byte for byte; the seed is not applied again.
sim_start --state world.json --seed seed.json
expect_exit 0 awsc s3 ls
contains out.txt " kept-bucket"
contains out.txt " from-seed"
check_eq "buckets" "$(awsc s3api list-buckets --query 'length(Buckets)')" "2"
expect_exit 0 awsc s3 cp s3://kept-bucket/blob.bin back.bin
CHECKS=$((CHECKS + 1))
cmp -s blob.bin back.bin || fail "binary object changed across the restart"
expect_exit 0 awsc s3 cp s3://kept-bucket/text.txt text.back
CHECKS=$((CHECKS + 1))
cmp -s text.txt text.back || fail "text object changed across the restart"
sim_stop

# Reset goes back to the seed.
sim_start --state world.json --seed seed.json
expect_exit 0 awsc s3 mb s3://temporary
expect_exit 0 ctl POST /_awssim/reset
expect_exit 0 awsc s3 ls
contains out.txt " from-seed"
lacks out.txt "temporary"
sim_stop

# Without --state there is nothing to save to.
sim_start
expect_exit 0 curl -sS -w '%{http_code}' -X POST "$SIM_URL/_awssim/save"
contains out.txt "without --state"
contains out.txt "409"
sim_stop

# A corrupt state file is refused, and left alone.
printf '{"version": 1, "resources": ' >broken.json
cp broken.json broken.orig
expect_exit 2 "$AWSSIM" --listen 127.0.0.1:0 --state broken.json
contains err.txt "broken.json"
CHECKS=$((CHECKS + 1))
cmp -s broken.json broken.orig || fail "the corrupt state file was changed"
printf '{"something": "else"}' >other.json
expect_exit 2 "$AWSSIM" --listen 127.0.0.1:0 --state other.json
contains err.txt "not an awssim state"
finish
