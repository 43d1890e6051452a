# awssim's CloudFormation updates through Debian's AWS CLI: UpdateStack changing a
# resource in place, change sets (CREATE, UPDATE, execute, delete), DELETE_FAILED for a
# bucket that is not empty, ListStacks, and a stack completing on a fast clock.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/awssim_lib.sh"
need_aws_cli

advance() { ctl POST /_awssim/clock "{\"advance\": $1}" >/dev/null; }

. "$WF_SOURCE_DIR/tests/e2e/cfn_app_fixture.sh"   # seed.json and app.json
sim_start --seed seed.json --time-scale 0.001

if awsc cloudformation list-stacks >probe.txt 2>&1; then :; elif grep -q "temporary codec" probe.txt; then
    echo "SKIP: awssim's codec is temporary"; exit 77
fi

status() { awsc cloudformation describe-stacks --stack-name "$1" --query 'Stacks[0].StackStatus' --output text; }
output() { awsc cloudformation describe-stacks --stack-name "$1" --query "Stacks[0].Outputs[?OutputKey=='$2'].OutputValue" --output text; }

# An environment to change.
expect_exit 0 awsc cloudformation create-stack --stack-name app-qa --template-body file://app.json \
    --parameters ParameterKey=Env,ParameterValue=qa ParameterKey=Snapshot,ParameterValue=golden
advance 700
expect_exit 0 status app-qa
same "CREATE_COMPLETE" out.txt
GROUP=$(output app-qa Group)

# ---- UpdateStack: a new parameter value changes the group in place
expect_exit 0 awsc cloudformation update-stack --stack-name app-qa --use-previous-template \
    --parameters ParameterKey=Env,UsePreviousValue=true ParameterKey=Snapshot,UsePreviousValue=true ParameterKey=Count,ParameterValue=3
expect_exit 254 awsc cloudformation update-stack --stack-name app-qa --use-previous-template \
    --parameters ParameterKey=Env,UsePreviousValue=true ParameterKey=Snapshot,UsePreviousValue=true ParameterKey=Count,ParameterValue=3
contains err.txt "UPDATE_IN_PROGRESS state and can not be updated"
advance 40
expect_exit 0 status app-qa
same "UPDATE_COMPLETE" out.txt
expect_exit 0 awsc autoscaling describe-auto-scaling-groups --auto-scaling-group-names "$GROUP" --query 'AutoScalingGroups[0].DesiredCapacity'
same "3" out.txt
expect_exit 254 awsc cloudformation update-stack --stack-name app-qa --use-previous-template \
    --parameters ParameterKey=Env,UsePreviousValue=true ParameterKey=Snapshot,UsePreviousValue=true ParameterKey=Count,UsePreviousValue=true
contains err.txt "No updates are to be performed."

# ---- change sets: CREATE a new stack, then an UPDATE of it
cat >small.json <<'JSON'
{"Parameters": {"Name": {"Type": "String", "Default": "one"}},
 "Resources": {"Files": {"Type": "AWS::S3::Bucket"}, "Topic": {"Type": "AWS::SNS::Topic"}},
 "Outputs": {"Name": {"Value": {"Fn::Sub": "${Name}-${Files}"}}}}
JSON
expect_exit 0 awsc cloudformation create-change-set --stack-name small --change-set-name first --change-set-type CREATE \
    --template-body file://small.json --query Id --output text
CS=$(cat out.txt)
expect_exit 0 status small
same "REVIEW_IN_PROGRESS" out.txt
advance 6
expect_exit 0 awsc cloudformation describe-change-set --change-set-name "$CS" \
    --query '[Status, ExecutionStatus, Changes[].ResourceChange.[Action, LogicalResourceId]]' --output json
check_eq "change set" "$(jq_py out.txt 'd')" '["CREATE_COMPLETE", "AVAILABLE", [["Add", "Files"], ["Add", "Topic"]]]'
expect_exit 0 awsc cloudformation execute-change-set --change-set-name "$CS"
advance 30
expect_exit 0 status small
same "CREATE_COMPLETE" out.txt
expect_exit 0 awsc cloudformation create-change-set --stack-name small --change-set-name second --use-previous-template \
    --parameters ParameterKey=Name,ParameterValue=two
advance 6
expect_exit 0 awsc cloudformation describe-change-set --stack-name small --change-set-name second --query '[Status, Changes]' --output json
check_eq "no resource changes" "$(jq_py out.txt 'd')" '["CREATE_COMPLETE", []]'
expect_exit 0 awsc cloudformation delete-change-set --stack-name small --change-set-name second
expect_exit 254 awsc cloudformation describe-change-set --stack-name small --change-set-name second
contains err.txt "ChangeSetNotFound"

# ---- delete: a bucket with objects fails the delete; emptied, the delete completes
FILES=$(awsc cloudformation describe-stack-resources --stack-name small --logical-resource-id Files --query 'StackResources[0].PhysicalResourceId' --output text)
printf 'x' >x.txt
expect_exit 0 awsc s3api put-object --bucket "$FILES" --key x.txt --body x.txt
expect_exit 0 awsc cloudformation delete-stack --stack-name small
advance 10
expect_exit 0 status small
same "DELETE_FAILED" out.txt
expect_exit 0 awsc cloudformation describe-stack-events --stack-name small \
    --query 'StackEvents[?ResourceStatus==`DELETE_FAILED`].[LogicalResourceId,ResourceStatusReason]' --output text
contains out.txt "Files	Resource handler returned message: \"The bucket you tried to delete is not empty\""
contains out.txt "small	The following resource(s) failed to delete: [Files]."
expect_exit 0 awsc s3api delete-object --bucket "$FILES" --key x.txt
expect_exit 0 awsc cloudformation delete-stack --stack-name small
advance 10
expect_exit 254 awsc cloudformation describe-stacks --stack-name small
contains err.txt "Stack with id small does not exist"
expect_exit 254 awsc s3api head-bucket --bucket "$FILES"
contains err.txt "404"
expect_exit 0 awsc cloudformation list-stacks --query 'StackSummaries[].[StackName,StackStatus]' --output text
same "small	DELETE_COMPLETE
app-qa	UPDATE_COMPLETE" out.txt
expect_exit 0 awsc cloudformation list-stacks --stack-status-filter UPDATE_COMPLETE --query 'StackSummaries[].StackName' --output text
same "app-qa" out.txt

# ---- the time scale: at 600x a stack with a 10-minute DB completes in about a second
sim_stop
sim_start --seed seed.json --time-scale 600
expect_exit 0 awsc cloudformation create-stack --stack-name app-fast --template-body file://app.json \
    --parameters ParameterKey=Env,ParameterValue=fast ParameterKey=Count,ParameterValue=1
n=0
while [ "$(status app-fast)" != CREATE_COMPLETE ] && [ $n -lt 10 ]; do sleep 0.5; n=$((n + 1)); done
expect_exit 0 status app-fast
same "CREATE_COMPLETE" out.txt
expect_exit 0 output app-fast Restored
same "no" out.txt
finish
