# Plan mode with AWS calls: mutating calls are recorded with placeholders shaped like
# their results, placeholders flow into later calls and undos, waits return at once,
# read-only calls naming planned resources are not sent, and nothing reaches AWS (the
# endpoint is a closed port: any call sent would fail the step).
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
W="$DATA/aws/plan_bake.lua"
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret AWS_REGION=us-east-1
unset AWS_PROFILE AWS_SESSION_TOKEN

expect_exit 0 "$WFRUN" plan --endpoint-url=http://127.0.0.1:9 "$W" dev
contains out.txt 'aws.ec2.run_instances {ImageId = "ami-1"'
contains out.txt 'aws.ec2.create_tags {Resources = {"<launch.aws.ec2.run_instances#1.Instances[1].InstanceId>"}'
contains out.txt 'aws.ec2.wait {params = {InstanceIds = {"<launch.aws.ec2.run_instances#1.Instances[1].InstanceId>"}}, timeout = "10m", waiter = "InstanceRunning"}   (read-only)'
contains out.txt 'aws.ec2.describe_instances {InstanceIds = {"<launch.aws.ec2.run_instances#1.Instances[1].InstanceId>"}}   (read-only)'
contains out.txt 'aws.ec2.terminate_instances {InstanceIds = {"<launch.aws.ec2.run_instances#1.Instances[1].InstanceId>"}}'
contains out.txt 'aws.ec2.create_image {InstanceId = "<launch.aws.ec2.run_instances#1.Instances[1].InstanceId>", Name = "img-dev"}'
contains out.txt 'aws.ec2.deregister_image {ImageId = "<image.aws.ec2.create_image#1.ImageId>"}'
contains out.txt '5 mutating call(s) would be made; none was made.'
# The unknown operation is reported at the workflow's line, with a suggestion.
contains out.txt "plan_bake.lua:38: aws.ec2 has no operation \"describe_imagez\" (did you mean \"describe_images\"?)"
lacks out.txt 'Connection refused'
lacks out.txt 'could not connect'
# Only the typo step could not be planned.
count=$(grep -c 'could not be planned' out.txt)
[ "$count" -eq 1 ] || fail "expected one unplannable step, got $count"

expect_exit 0 "$WFRUN" plan --endpoint-url=http://127.0.0.1:9 --format=json -o plan.json "$W" dev
contains plan.json '"call": "aws.ec2.run_instances"'
contains plan.json '"call": "aws.ec2.wait"'
finish
