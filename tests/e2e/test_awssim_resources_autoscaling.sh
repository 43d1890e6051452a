# awssim's Auto Scaling model through Debian's AWS CLI: a group launching instances from
# a launch template to DesiredCapacity, EnterStandby / ExitStandby as scaling activities
# that complete (InProgress -> Successful), ShouldDecrementDesiredCapacity, suspended
# processes, scale-in protection, UpdateAutoScalingGroup, a failing launch, and the
# Describe* operations. The clock is moved by hand.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/awssim_lib.sh"
need_aws_cli

advance() { ctl POST /_awssim/clock "{\"advance\": $1}" >/dev/null; }

cat >seed.json <<'JSON'
{
  "ec2": {
    "images": [{"ImageId": "ami-0b0000000000000a1", "Name": "app-1"}],
    "launch_templates": [{"LaunchTemplateName": "app", "LaunchTemplateId": "lt-0b00000000000000d",
                          "LaunchTemplateData": {"ImageId": "ami-0b0000000000000a1", "InstanceType": "t3.small"}}]
  },
  "autoscaling": {
    "launch_configurations": [{"LaunchConfigurationName": "legacy-lc", "ImageId": "ami-0b0000000000000a1",
                               "InstanceType": "t2.micro"}],
    "groups": [
      {"AutoScalingGroupName": "app-asg", "LaunchTemplate": {"LaunchTemplateName": "app", "Version": "$Latest"},
       "MinSize": 1, "MaxSize": 4, "DesiredCapacity": 2,
       "Tags": [{"Key": "env", "Value": "demo", "PropagateAtLaunch": true}]},
      {"AutoScalingGroupName": "legacy-asg", "LaunchConfigurationName": "legacy-lc",
       "MinSize": 0, "MaxSize": 2, "DesiredCapacity": 1}
    ]
  }
}
JSON
sim_start --seed seed.json --time-scale 0.001

if awsc autoscaling describe-auto-scaling-groups >probe.txt 2>&1; then :; elif grep -q "temporary codec" probe.txt; then
    echo "SKIP: awssim's codec is temporary"; exit 77
fi

# lifecycle: the sorted lifecycle states of the group's instances, and its desired capacity
lifecycle() {
    awsc autoscaling describe-auto-scaling-groups --auto-scaling-group-names app-asg \
        --query 'AutoScalingGroups[0].[DesiredCapacity, join(`,`, sort(Instances[].LifecycleState))]' --output text
}

expect_exit 0 lifecycle
same "2	InService,InService" out.txt
expect_exit 0 awsc autoscaling describe-auto-scaling-groups --query 'AutoScalingGroups[].[AutoScalingGroupName,LaunchTemplate.LaunchTemplateName,LaunchConfigurationName]' --output text
same "app-asg	app	None
legacy-asg	None	legacy-lc" out.txt
expect_exit 0 awsc autoscaling describe-launch-configurations --query 'LaunchConfigurations[].[LaunchConfigurationName,ImageId,InstanceType]' --output text
same "legacy-lc	ami-0b0000000000000a1	t2.micro" out.txt
expect_exit 0 awsc autoscaling describe-auto-scaling-instances --output json
check_eq "instances" "$(jq_py out.txt 'sorted([i["AutoScalingGroupName"] + ":" + i["HealthStatus"] for i in d["AutoScalingInstances"]])')" \
    '["app-asg:HEALTHY", "app-asg:HEALTHY", "legacy-asg:HEALTHY"]'
I1=$(awsc autoscaling describe-auto-scaling-groups --auto-scaling-group-names app-asg --query 'AutoScalingGroups[0].Instances[0].InstanceId' --output text)
I2=$(awsc autoscaling describe-auto-scaling-groups --auto-scaling-group-names app-asg --query 'AutoScalingGroups[0].Instances[1].InstanceId' --output text)
expect_exit 0 awsc ec2 describe-instances --instance-ids "$I1" --query 'Reservations[0].Instances[0].[State.Name,Tags[?Key==`env`]|[0].Value,Tags[?Key==`aws:autoscaling:groupName`]|[0].Value]' --output text
same "running	demo	app-asg" out.txt

# ---- EnterStandby with the decrement: an activity InProgress, then Successful
expect_exit 0 awsc autoscaling enter-standby --auto-scaling-group-name app-asg --instance-ids "$I1" \
    --should-decrement-desired-capacity --query 'Activities[0].[StatusCode,Description]' --output text
same "InProgress	Moving EC2 instance to Standby: $I1" out.txt
expect_exit 0 lifecycle
same "1	EnteringStandby,InService" out.txt
advance 11
expect_exit 0 lifecycle
same "1	InService,Standby" out.txt
expect_exit 0 awsc autoscaling describe-scaling-activities --auto-scaling-group-name app-asg \
    --query 'Activities[0].[StatusCode,Progress]' --output text
same "Successful	100" out.txt
# A second standby would break MinSize 1.
expect_exit 254 awsc autoscaling enter-standby --auto-scaling-group-name app-asg --instance-ids "$I2" --should-decrement-desired-capacity
contains err.txt "ValidationError"
expect_exit 254 awsc autoscaling exit-standby --auto-scaling-group-name app-asg --instance-ids "$I2"
contains err.txt "is not in Standby"

# ---- ExitStandby: Pending, then InService; the desired capacity comes back
expect_exit 0 awsc autoscaling exit-standby --auto-scaling-group-name app-asg --instance-ids "$I1" \
    --query 'Activities[0].[StatusCode,Description]' --output text
same "InProgress	Moving EC2 instance out of Standby: $I1" out.txt
expect_exit 0 lifecycle
same "2	InService,Pending" out.txt
advance 31
expect_exit 0 lifecycle
same "2	InService,InService" out.txt

# ---- EnterStandby without the decrement: a replacement is launched
expect_exit 0 awsc autoscaling enter-standby --auto-scaling-group-name app-asg --instance-ids "$I2" --no-should-decrement-desired-capacity
advance 31
expect_exit 0 lifecycle
same "2	InService,InService,Standby" out.txt
expect_exit 0 awsc autoscaling describe-scaling-activities --auto-scaling-group-name app-asg --max-items 2 \
    --query 'Activities[].[StatusCode,Description]' --output text
contains out.txt "Successful	Launching a new EC2 instance: i-"
expect_exit 0 awsc autoscaling exit-standby --auto-scaling-group-name app-asg --instance-ids "$I2"
advance 31

# ---- processes, protection, capacity
expect_exit 0 awsc autoscaling suspend-processes --auto-scaling-group-name app-asg --scaling-processes Launch Terminate
expect_exit 0 awsc autoscaling describe-auto-scaling-groups --auto-scaling-group-names app-asg \
    --query 'AutoScalingGroups[0].SuspendedProcesses[].ProcessName' --output text
same "Launch	Terminate" out.txt
expect_exit 0 awsc autoscaling update-auto-scaling-group --auto-scaling-group-name app-asg --desired-capacity 4
advance 31
expect_exit 0 lifecycle
same "4	InService,InService,InService" out.txt
expect_exit 0 awsc autoscaling resume-processes --auto-scaling-group-name app-asg --scaling-processes Launch
advance 31
expect_exit 0 lifecycle
same "4	InService,InService,InService,InService" out.txt
expect_exit 0 awsc autoscaling resume-processes --auto-scaling-group-name app-asg
expect_exit 0 awsc autoscaling set-instance-protection --auto-scaling-group-name app-asg --instance-ids "$I1" "$I2" --protected-from-scale-in
expect_exit 0 awsc autoscaling update-auto-scaling-group --auto-scaling-group-name app-asg --desired-capacity 2
advance 46
expect_exit 0 awsc autoscaling describe-auto-scaling-groups --auto-scaling-group-names app-asg \
    --query 'AutoScalingGroups[0].[DesiredCapacity, join(`,`, sort(Instances[].InstanceId))]' --output text
same "2	$(printf '%s\n%s\n' "$I1" "$I2" | sort | paste -sd, -)" out.txt
expect_exit 254 awsc autoscaling update-auto-scaling-group --auto-scaling-group-name app-asg --desired-capacity 9
contains err.txt "ValidationError"
expect_exit 254 awsc autoscaling set-instance-protection --auto-scaling-group-name app-asg --instance-ids i-0fffffffffffffff0 --protected-from-scale-in
contains err.txt "is not part of Auto Scaling group app-asg"
expect_exit 254 awsc autoscaling suspend-processes --auto-scaling-group-name no-such-asg
contains err.txt "ValidationError"

# ---- an instance terminated behind the group's back is replaced
expect_exit 0 awsc ec2 terminate-instances --instance-ids "$I2"
advance 46
expect_exit 0 lifecycle
same "2	InService,Pending" out.txt
advance 31
expect_exit 0 lifecycle
same "2	InService,InService" out.txt

# ---- a launch that fails (the image is gone) is a Failed activity
expect_exit 0 awsc ec2 deregister-image --image-id ami-0b0000000000000a1
expect_exit 0 awsc autoscaling update-auto-scaling-group --auto-scaling-group-name legacy-asg --desired-capacity 2
expect_exit 0 awsc autoscaling describe-scaling-activities --auto-scaling-group-name legacy-asg --max-items 1 \
    --query 'Activities[0].[StatusCode,StatusMessage]' --output text
contains out.txt "Failed	The image id '[ami-0b0000000000000a1]' does not exist"
finish
