# The examples of docs/awssim.md work as written: the seed, the fault flags, the control
# requests of the Time and Faults sections.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/awssim_lib.sh"
need_aws_cli
DOC="$WF_SOURCE_DIR/docs/awssim.md"

# The seed example (the first json block).
awk '/^```json$/{f++; next} /^```$/{if (f==1) exit} f==1' "$DOC" >seed.json
contains seed.json '"salt": "demo"'
sim_start --seed seed.json
expect_exit 0 awsc s3 ls
contains out.txt " assets"
expect_exit 0 awsc s3 cp s3://assets/logo.bin logo.bin
check_eq "logo bytes" "$(od -An -tx1 logo.bin | tr -d ' \n')" "000102ff"
expect_exit 0 awsc s3 cp s3://assets/index.html -
same "<h1>hello</h1>" out.txt
expect_exit 0 awsc ec2 describe-images --filters Name=tag:role,Values=base --query 'Images[0].ImageId' --output text
same "ami-0123456789abcdef0" out.txt

# The curl examples, against this simulator.
grep -E '^curl -s -X POST' "$DOC" >examples.sh
check_eq "curl examples" "$(wc -l <examples.sh | tr -d ' ')" "3"
expect_exit 0 env URL="$SIM_URL" sh examples.sh
contains out.txt '"ids"'
expect_exit 0 ctl GET /_awssim/clock
check_eq "time scale" "$(jq_py out.txt 'd["time_scale"]')" "600"
expect_exit 0 ctl GET /_awssim/faults
check_eq "fault" "$(jq_py out.txt '[d[0]["operation"], d[0]["probability"]]')" '["DescribeStacks", 0.1]'
sim_stop

# The --fault flag examples all parse.
set --
for spec in $(grep -oE "^awssim --fault '[^']+'" "$DOC" | sed "s/^awssim --fault '//; s/'\$//"); do
    set -- "$@" --fault "$spec"
done
check_eq "fault flag examples" "$#" "8"
sim_start "$@"
expect_exit 0 ctl GET /_awssim/faults
check_eq "rules" "$(jq_py out.txt '[r["effect"] for r in d]')" '["error", "throttle", "latency", "drop"]'
sim_stop
finish
