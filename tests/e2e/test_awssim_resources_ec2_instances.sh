# awssim's EC2 instances through Debian's AWS CLI: RunInstances and its ClientToken
# idempotency, instances through their states on the simulated clock (pending, running,
# stopping, stopped, shutting-down, terminated), console output, tags, EC2's error codes.
# The clock nearly stands still (--time-scale 0.001); the test moves it with
# POST /_awssim/clock, so every transition is checked at a known time.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/awssim_lib.sh"
need_aws_cli

# advance SECONDS: moves the simulated clock forward.
advance() { ctl POST /_awssim/clock "{\"advance\": $1}" >/dev/null; }

cat >seed.json <<'JSON'
{
  "ec2": {
    "images": [
      {"ImageId": "ami-0a0000000000000a1", "Name": "base-2024-01", "CreationDate": "2024-01-01T00:00:00.000Z", "VolumeSize": 8,
       "Tags": [{"Key": "family", "Value": "base"}],
       "ConsoleOutput": [{"after": 0, "text": "booting base"}, {"after": 120, "text": "user-data: signal 1"}]},
      {"ImageId": "ami-0a0000000000000a2", "Name": "vendor-image", "OwnerId": "099720109477",
       "ImageOwnerAlias": "amazon", "Public": true}
    ],
    "key_pairs": [{"KeyName": "ops"}],
    "subnets": [{"SubnetId": "subnet-0a00000000000000b", "CidrBlock": "10.1.2.0/24",
                 "AvailabilityZone": "us-east-1b", "Tags": [{"Key": "tier", "Value": "app"}]}],
    "security_groups": [{"GroupId": "sg-0a00000000000000c", "GroupName": "app", "Description": "app servers"}],
    "launch_templates": [{"LaunchTemplateName": "web", "LaunchTemplateId": "lt-0a00000000000000d",
                          "LaunchTemplateData": {"ImageId": "ami-0a0000000000000a1", "InstanceType": "t3.micro"}}]
  }
}
JSON
sim_start --seed seed.json --time-scale 0.001

# Only the real codec speaks every operation; the temporary one cannot test this.
if awsc ec2 describe-subnets >probe.txt 2>&1; then :; elif grep -q "temporary codec" probe.txt; then
    echo "SKIP: awssim's codec is temporary"; exit 77
fi

# ---- RunInstances: pending, then running; a retry with the same ClientToken
expect_exit 0 awsc ec2 run-instances --image-id ami-0a0000000000000a1 --count 2 --instance-type t3.small \
    --key-name ops --client-token retry-1 --security-group-ids sg-0a00000000000000c \
    --tag-specifications 'ResourceType=instance,Tags=[{Key=Name,Value=builder}]' --output json
cp out.txt run1.json
check_eq "states at launch" "$(jq_py run1.json '[i["State"]["Name"] for i in d["Instances"]]')" '["pending", "pending"]'
RES=$(jq_py run1.json 'd["ReservationId"]')
I1=$(jq_py run1.json 'd["Instances"][0]["InstanceId"]')
I2=$(jq_py run1.json 'd["Instances"][1]["InstanceId"]')
expect_exit 0 awsc ec2 run-instances --image-id ami-0a0000000000000a1 --count 2 --instance-type t3.small \
    --key-name ops --client-token retry-1 --security-group-ids sg-0a00000000000000c \
    --tag-specifications 'ResourceType=instance,Tags=[{Key=Name,Value=builder}]' --output json
check_eq "same reservation for the same token" "$(jq_py out.txt 'd["ReservationId"]')" "$RES"
check_eq "same instances" "$(jq_py out.txt '[i["InstanceId"] for i in d["Instances"]]')" "[\"$I1\", \"$I2\"]"
expect_exit 254 awsc ec2 run-instances --image-id ami-0a0000000000000a1 --count 1 --client-token retry-1
contains err.txt "IdempotentParameterMismatch"
expect_exit 0 awsc ec2 describe-instances --filters Name=instance-state-name,Values=running --query 'length(Reservations)'
same "0" out.txt
advance 31
expect_exit 0 awsc ec2 describe-instances --instance-ids "$I1" "$I2" \
    --query 'Reservations[].Instances[].[State.Name,Tags[?Key==`Name`]|[0].Value,SecurityGroups[0].GroupId,KeyName]' --output text
same "running	builder	sg-0a00000000000000c	ops
running	builder	sg-0a00000000000000c	ops" out.txt
expect_exit 0 awsc ec2 describe-instances --filters Name=tag:Name,Values=build* --query 'length(Reservations[0].Instances)'
same "2" out.txt
expect_exit 254 awsc ec2 describe-instances --instance-ids i-0fffffffffffffff0
contains err.txt "InvalidInstanceID.NotFound"
expect_exit 254 awsc ec2 run-instances --image-id ami-0a0000000000000a1 --count 1 --dry-run
contains err.txt "DryRunOperation"
expect_exit 254 awsc ec2 run-instances --image-id ami-0a00000000000ffff --count 1
contains err.txt "InvalidAMIID.NotFound"
expect_exit 254 awsc ec2 run-instances --image-id ami-0a0000000000000a1 --count 1 --subnet-id subnet-0ffffffffffffffff
contains err.txt "InvalidSubnetID.NotFound"

# ---- console output: text appears on the simulated clock
advance 60
expect_exit 0 awsc ec2 get-console-output --instance-id "$I1" --query Output --output text
contains out.txt "booting base"
lacks out.txt "user-data: signal 1"
advance 120
expect_exit 0 awsc ec2 get-console-output --instance-id "$I1" --query Output --output text
contains out.txt "user-data: signal 1"

# ---- tags
expect_exit 0 awsc ec2 create-tags --resources "$I1" ami-0a0000000000000a1 --tags Key=stage,Value=bake
expect_exit 0 awsc ec2 describe-instances --filters Name=tag:stage,Values=bake --query 'Reservations[].Instances[].InstanceId' --output text
same "$I1" out.txt
expect_exit 0 awsc ec2 delete-tags --resources "$I1" --tags Key=stage
expect_exit 0 awsc ec2 describe-instances --filters Name=tag-key,Values=stage --query 'length(Reservations)'
same "0" out.txt
expect_exit 254 awsc ec2 create-tags --resources i-0fffffffffffffff0 --tags Key=a,Value=b
contains err.txt "InvalidInstanceID.NotFound"

# ---- stop, start, terminate
expect_exit 0 awsc ec2 stop-instances --instance-ids "$I1" --query 'StoppingInstances[0].[PreviousState.Name,CurrentState.Name]' --output text
same "running	stopping" out.txt
advance 46
expect_exit 0 awsc ec2 describe-instances --instance-ids "$I1" --query 'Reservations[0].Instances[0].[State.Name,State.Code]' --output text
same "stopped	80" out.txt
# ---- start, terminate: shutting-down, then terminated
expect_exit 0 awsc ec2 start-instances --instance-ids "$I1" --query 'StartingInstances[0].CurrentState.Name' --output text
same "pending" out.txt
expect_exit 0 awsc ec2 terminate-instances --instance-ids "$I1" "$I2" --query 'TerminatingInstances[].CurrentState.Name' --output text
same "shutting-down	shutting-down" out.txt
expect_exit 254 awsc ec2 start-instances --instance-ids "$I2"
contains err.txt "IncorrectInstanceState"
advance 46
expect_exit 0 awsc ec2 describe-instances --instance-ids "$I1" "$I2" --query 'Reservations[].Instances[].State.Name' --output text
same "terminated	terminated" out.txt

expect_exit 0 awsc ec2 run-instances --launch-template 'LaunchTemplateName=web' --query 'Instances[0].[InstanceType,ImageId]' --output text
same "t3.micro	ami-0a0000000000000a1" out.txt
# ---- the time scale: with --time-scale 600, a 30 s boot takes 50 ms
sim_stop
sim_start --seed seed.json --time-scale 600
expect_exit 0 awsc ec2 run-instances --image-id ami-0a0000000000000a1 --count 1 --query 'Instances[0].InstanceId' --output text
I3=$(cat out.txt)
sleep 0.2
expect_exit 0 awsc ec2 describe-instances --instance-ids "$I3" --query 'Reservations[0].Instances[0].State.Name' --output text
same "running" out.txt
finish
