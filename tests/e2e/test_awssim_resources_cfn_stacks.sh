# awssim's CloudFormation stacks through Debian's AWS CLI: a template with Parameters,
# Conditions / Fn::If, Ref, Fn::GetAtt, Fn::Sub, Fn::Join and Outputs instantiated into
# real simulated resources (security group, bucket, launch template, Auto Scaling group
# and its instances, a DB restored from a snapshot, an inert queue);
# CREATE_IN_PROGRESS -> CREATE_COMPLETE over time; a failing resource rolled back with its
# events; the read operations; deleting it all. The clock is moved by hand.
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

# ---- ValidateTemplate and its errors
expect_exit 0 awsc cloudformation validate-template --template-body file://app.json --query '[Description, Parameters[].ParameterKey]' --output json
check_eq "validate" "$(jq_py out.txt 'd')" '["an app environment", ["Count", "Env", "Snapshot"]]'
printf '{"Resources": {"A": {"Type": "AWS::S3::Bucket", "Properties": {"X": {"Ref": "Nope"}}}}}' >bad.json
expect_exit 254 awsc cloudformation validate-template --template-body file://bad.json
contains err.txt "Unresolved resource dependencies [Nope]"
expect_exit 254 awsc cloudformation create-stack --stack-name bad --template-body file://app.json --parameters ParameterKey=Env,ParameterValue=Bad1
contains err.txt "must match pattern"
expect_exit 254 awsc cloudformation create-stack --stack-name bad --template-body file://app.json
contains err.txt "Parameters: [Env] must have values"

# ---- CreateStack, restoring the DB from a snapshot: in progress while the DB is created
expect_exit 0 awsc cloudformation create-stack --stack-name app-qa --template-body file://app.json \
    --parameters ParameterKey=Env,ParameterValue=qa ParameterKey=Snapshot,ParameterValue=golden --tags Key=team,Value=web
expect_exit 254 awsc cloudformation create-stack --stack-name app-qa --template-body file://app.json \
    --parameters ParameterKey=Env,ParameterValue=qa
contains err.txt "AlreadyExistsException"
advance 30
expect_exit 0 status app-qa
same "CREATE_IN_PROGRESS" out.txt
expect_exit 0 awsc cloudformation list-stack-resources --stack-name app-qa --query 'StackResourceSummaries[].[LogicalResourceId,ResourceStatus]' --output text
same "Assets	CREATE_COMPLETE
Db	CREATE_IN_PROGRESS
Queue	CREATE_COMPLETE
Sg	CREATE_COMPLETE" out.txt
advance 600
advance 40
expect_exit 0 status app-qa
same "CREATE_COMPLETE" out.txt
expect_exit 0 output app-qa Url
same "https://qa.example.com/health" out.txt
expect_exit 0 output app-qa DbHost
contains out.txt "qa-db."
expect_exit 0 output app-qa Restored
same "yes" out.txt
BUCKET=$(output app-qa Bucket)
GROUP=$(output app-qa Group)
# The resources are real: the bucket, the DB restored with the snapshot's data, the group's instances.
expect_exit 0 awsc s3api head-bucket --bucket "$BUCKET"
expect_exit 0 awsc autoscaling describe-auto-scaling-groups --auto-scaling-group-names "$GROUP" \
    --query 'AutoScalingGroups[0].[DesiredCapacity, join(`,`, Instances[].LifecycleState)]' --output text
same "2	InService,InService" out.txt
ctl GET /_awssim/inventory >inventory.json
check_eq "restored DB" "$(jq_py inventory.json 'd["resources"]["rds.db_instance"]["qa-db"]["SourceDBSnapshotIdentifier"]')" "golden"
check_eq "its data" "$(jq_py inventory.json 'd["resources"]["rds.db_instance"]["qa-db"]["SimulatedData"]')" '{"users": 42}'
expect_exit 0 awsc ec2 describe-launch-templates --launch-template-names app-qa-lt --query 'LaunchTemplates[0].LaunchTemplateId' --output text
LT=$(cat out.txt)
expect_exit 0 awsc cloudformation describe-stack-resources --stack-name app-qa --logical-resource-id Lt --query 'StackResources[0].PhysicalResourceId' --output text
same "$LT" out.txt
expect_exit 0 awsc cloudformation describe-stack-resources --physical-resource-id "$BUCKET" --query 'StackResources[0].[StackName,LogicalResourceId]' --output text
same "app-qa	Assets" out.txt
expect_exit 0 awsc cloudformation get-template --stack-name app-qa --query 'TemplateBody.Description' --output text
same "an app environment" out.txt
expect_exit 0 awsc cloudformation describe-stack-events --stack-name app-qa --query 'StackEvents[0].[LogicalResourceId,ResourceStatus]' --output text
same "app-qa	CREATE_COMPLETE" out.txt
expect_exit 0 awsc cloudformation describe-stack-events --stack-name app-qa --query 'StackEvents[-1].[ResourceStatus,ResourceStatusReason]' --output text
same "CREATE_IN_PROGRESS	User Initiated" out.txt

# ---- a failing resource: ROLLBACK_IN_PROGRESS, the others deleted, ROLLBACK_COMPLETE
expect_exit 0 awsc cloudformation create-stack --stack-name app-broken --template-body file://app.json \
    --parameters ParameterKey=Env,ParameterValue=broken ParameterKey=Snapshot,ParameterValue=no-such-snapshot
advance 30
expect_exit 0 status app-broken
same "ROLLBACK_COMPLETE" out.txt
expect_exit 0 awsc cloudformation describe-stack-events --stack-name app-broken \
    --query 'StackEvents[?ResourceStatus==`CREATE_FAILED`].[LogicalResourceId,ResourceStatusReason]' --output text
contains out.txt "Db	Resource handler returned message: \"DBSnapshot no-such-snapshot not found.\""
expect_exit 0 awsc cloudformation describe-stack-events --stack-name app-broken \
    --query 'StackEvents[?ResourceType==`AWS::CloudFormation::Stack`].[ResourceStatus,ResourceStatusReason]' --output text
same "ROLLBACK_COMPLETE	None
ROLLBACK_IN_PROGRESS	The following resource(s) failed to create: [Db]. Rollback requested by user.
CREATE_IN_PROGRESS	User Initiated" out.txt
expect_exit 0 awsc cloudformation describe-stack-events --stack-name app-broken \
    --query 'StackEvents[?LogicalResourceId==`Sg`].ResourceStatus' --output text
same "DELETE_COMPLETE	DELETE_IN_PROGRESS	CREATE_COMPLETE	CREATE_IN_PROGRESS	CREATE_IN_PROGRESS" out.txt
expect_exit 254 awsc cloudformation update-stack --stack-name app-broken --use-previous-template \
    --parameters ParameterKey=Env,UsePreviousValue=true
contains err.txt "ROLLBACK_COMPLETE state and can not be updated"

# ---- deleting the environment: instances terminate, the DB goes, then DELETE_COMPLETE
expect_exit 0 awsc cloudformation delete-stack --stack-name app-qa
advance 5
expect_exit 0 status app-qa
same "DELETE_IN_PROGRESS" out.txt
advance 400
expect_exit 254 status app-qa
expect_exit 0 awsc rds describe-db-instances --query 'length(DBInstances)'
same "0" out.txt
expect_exit 0 awsc autoscaling describe-auto-scaling-groups --query 'length(AutoScalingGroups)'
same "0" out.txt

finish
