# awssim's SSM model through Debian's AWS CLI: Run Command invocations going Pending ->
# InProgress -> Success / Failed / TimedOut with the seed's scripted results (output
# revealed while the script runs, results given in turn, raw bytes), real local execution
# when the seed enables it, GetParameter.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/awssim_lib.sh"
need_aws_cli

advance() { ctl POST /_awssim/clock "{\"advance\": $1}" >/dev/null; }

cat >seed.json <<'JSON'
{
  "ec2": {"images": [{"ImageId": "ami-0d0000000000000a1", "Name": "win-base", "Platform": "windows"}],
          "instances": [{"ImageId": "ami-0d0000000000000a1", "Tags": [{"Key": "Name", "Value": "builder"}]}]},
  "ssm": {
    "parameters": [{"Name": "/app/base-ami", "Value": "ami-0d0000000000000a1"},
                   {"Name": "/app/db-password", "Value": "s3cret", "Type": "SecureString"}],
    "scripts": [
      {"match": "signal", "results": [{"stdout": "0\n"}, {"stdout": "1\n"}]},
      {"match": "install\\.ps1", "document": "AWS-RunPowerShellScript", "duration": 100,
       "stdout": "step 1\nstep 2\nstep 3\nstep 4\n"},
      {"match": "broken", "exit_code": 2, "stdout": "trying\n", "stderr": "it broke\n"},
      {"match": "forever", "duration": 7200},
      {"match": "bytes", "stdout_base64": "b2sg/yBlbmQK"}
    ]
  }
}
JSON
sim_start --seed seed.json --time-scale 0.001

if awsc ssm get-parameter --name /app/base-ami >probe.txt 2>&1; then :; elif grep -q "temporary codec" probe.txt; then
    echo "SKIP: awssim's codec is temporary"; exit 77
fi

I=$(awsc ec2 describe-instances --filters Name=tag:Name,Values=builder --query 'Reservations[0].Instances[0].InstanceId' --output text)
# send DOCUMENT SCRIPT: sends a one-line script to the instance; prints the command id.
send() {
    awsc ssm send-command --instance-ids "$I" --document-name "$1" \
        --parameters "{\"commands\": [\"$2\"], \"executionTimeout\": [\"3600\"]}" --query Command.CommandId --output text
}
invocation() {
    awsc ssm get-command-invocation --command-id "$1" --instance-id "$I" \
        --query '[Status, ResponseCode, StandardOutputContent, StandardErrorContent]' --output json
}

# ---- a scripted PowerShell provisioner: Pending, InProgress with part of its output, Success
expect_exit 0 send AWS-RunPowerShellScript "C:\\\\setup\\\\install.ps1"
C1=$(cat out.txt)
expect_exit 254 awsc ssm get-command-invocation --command-id "$C1" --instance-id "$I"
contains err.txt "InvocationDoesNotExist"
advance 1.5
expect_exit 0 invocation "$C1"
check_eq "pending" "$(jq_py out.txt 'd[:2]')" '["Pending", -1]'
advance 51
expect_exit 0 invocation "$C1"
check_eq "running, half the output" "$(jq_py out.txt 'd')" '["InProgress", -1, "step 1\nstep 2\n", ""]'
advance 60
expect_exit 0 invocation "$C1"
check_eq "done" "$(jq_py out.txt 'd')" '["Success", 0, "step 1\nstep 2\nstep 3\nstep 4\n", ""]'
expect_exit 0 awsc ssm get-command-invocation --command-id "$C1" --instance-id "$I" --query '[PluginName,DocumentName,ExecutionElapsedTime]' --output text
same "aws:runPowerShellScript	AWS-RunPowerShellScript	PT100.000S" out.txt

# ---- results given in turn: the user-data signal is "0", then "1"
expect_exit 0 send AWS-RunShellScript "cat /var/run/signal"
S1=$(cat out.txt)
expect_exit 0 send AWS-RunShellScript "cat /var/run/signal"
S2=$(cat out.txt)
# ---- a failing script, one that times out, one whose output is not UTF-8
expect_exit 0 send AWS-RunShellScript "./broken.sh"
F=$(cat out.txt)
expect_exit 0 awsc ssm send-command --instance-ids "$I" --document-name AWS-RunShellScript \
    --parameters '{"commands": ["./forever.sh"], "executionTimeout": ["600"]}' --query Command.CommandId --output text
T=$(cat out.txt)
expect_exit 0 send AWS-RunShellScript "print-bytes"
B=$(cat out.txt)
advance 700
expect_exit 0 invocation "$S1"
check_eq "first signal" "$(jq_py out.txt 'repr(d[2])')" "'0\\n'"
expect_exit 0 invocation "$S2"
check_eq "second signal" "$(jq_py out.txt 'repr(d[2])')" "'1\\n'"
expect_exit 0 invocation "$F"
check_eq "failed" "$(jq_py out.txt 'd')" '["Failed", 2, "trying\n", "it broke\n"]'
expect_exit 0 awsc ssm get-command-invocation --command-id "$T" --instance-id "$I" --query '[Status,StatusDetails]' --output text
same "TimedOut	Execution Timed Out" out.txt
# JSON carries text: bytes that are not UTF-8 arrive as U+FFFD.
expect_exit 0 invocation "$B"
check_eq "raw bytes" "$(jq_py out.txt 'ascii(d[2])')" "'ok \\ufffd end\\n'"
expect_exit 0 awsc ssm list-command-invocations --instance-id "$I" --details --output json
check_eq "invocations" "$(jq_py out.txt 'sorted(i["Status"] for i in d["CommandInvocations"])')" \
    '["Failed", "Success", "Success", "Success", "Success", "TimedOut"]'
check_eq "plugin code" "$(jq_py out.txt '[i["CommandPlugins"][0]["ResponseCode"] for i in d["CommandInvocations"] if i["CommandId"] == "'"$F"'"]')" '[2]'
expect_exit 0 awsc ssm list-command-invocations --command-id "$F" --filters key=Status,value=Failed --query 'length(CommandInvocations)'
same "1" out.txt
expect_exit 254 awsc ssm send-command --instance-ids i-0fffffffffffffff0 --document-name AWS-RunShellScript --parameters commands=true
contains err.txt "InvalidInstanceId"
expect_exit 254 awsc ssm send-command --instance-ids "$I" --document-name No-Such-Document --parameters commands=true
contains err.txt "InvalidDocument"

# ---- parameters
expect_exit 0 awsc ssm get-parameter --name /app/base-ami --query 'Parameter.[Value,Type,Version,ARN]' --output text
same "ami-0d0000000000000a1	String	1	arn:aws:ssm:us-east-1:000000000000:parameter/app/base-ami" out.txt
expect_exit 0 awsc ssm get-parameter --name /app/db-password --with-decryption --query Parameter.Value --output text
same "s3cret" out.txt
expect_exit 0 awsc ssm get-parameter --name /app/db-password --query Parameter.Value --output text
lacks out.txt "s3cret"
expect_exit 254 awsc ssm get-parameter --name /app/missing
contains err.txt "ParameterNotFound"

# ---- real execution, only when the seed asks for it
sim_stop
cat >exec-seed.json <<'JSON'
{"ec2": {"images": [{"ImageId": "ami-0d0000000000000a2", "Name": "linux"}],
         "instances": [{"ImageId": "ami-0d0000000000000a2"}]},
 "ssm": {"execute": true}}
JSON
sim_start --seed exec-seed.json --time-scale 600
I=$(awsc ec2 describe-instances --query 'Reservations[0].Instances[0].InstanceId' --output text)
expect_exit 0 send AWS-RunShellScript "echo from-sh; echo to-stderr >&2; exit 3"
C=$(cat out.txt)
sleep 0.5
expect_exit 0 invocation "$C"
check_eq "executed" "$(jq_py out.txt 'd')" '["Failed", 3, "from-sh\n", "to-stderr\n"]'
finish
