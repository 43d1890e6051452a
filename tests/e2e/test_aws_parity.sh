# Parity (issue 10, "Done means"): for every operation of the AWS client that awssim
# supports, `wfrun call` prints the same JSON as Debian's AWS CLI
# (`aws --endpoint-url URL --output json SERVICE OPERATION --cli-input-json JSON`) for the
# same request against the same simulator state.
#
# The table below drives tests/data/parity/parity.py (which says exactly how rows run and
# what it tolerates). Rows run in order, one world threaded through them:
#
#   read   | service | Operation | JSON args | options   both clients, the same simulator
#   write  | service | Operation | JSON args | options   wfrun -> simulator A, aws -> B
#                       (A and B: same seed, same frozen clock), then A's and B's worlds
#                       (their inventories) must be equal
#   error  | service | Operation | JSON args | expect=CODE   both fail alike (on=both: A/B)
#   advance | SECONDS                 both simulators' clocks move on
#   skip   | service | Operation | reason   not compared, and why
#   normalise | Field | reason      a field whose value may differ between A and B
#   normalise-pattern | REGEX | reason   text (in any value or key) that may differ
#   newer-keys | service | Operation | Key ... | reason   top-level keys only wfrun's newer
#                       paginator adds to a full result
#
# The CLI is Debian 12's awscli 2.9.19 (AWS CLI v2 with its own bundled botocore, early
# 2023 models). Like wfrun it prints timestamps as ISO-8601 in UTC, with microseconds when
# there are any ("2026-11-26T12:40:54.500000+00:00"); the simulators' clocks stand at
# half a second past a whole second so that both forms are compared. Members and
# paginator keys its older models lack are told apart from real differences and listed
# as notes.
#
# options: save=NAME=Path.0.To.Value keeps a value of the answer as {{NAME}} for later rows
# (wfrun's answer for A, awscli's for B); provides=NAME / needs=NAME: a row that needs
# what an earlier row made is not run when that row was not (a row using {{NAME}} needs
# it implicitly); flags = pass the top-level members as --flags
# instead of --cli-input-json; outfile = the CLI writes the streaming body to a file (its
# positional outfile argument), compared byte for byte with wfrun's "Body".
#
# Known input difference: blob members in wfrun's JSON-ARGS are the bytes as text, while
# awscli v2 reads blobs in --cli-input-json as base64; parity.py base64-encodes blob
# members for the CLI so that both send the same bytes (the worlds' equality proves it).
#
# PARITY_AWS=process runs /usr/bin/aws as a new process per call (slower) instead of its
# entry point in one Python process; PARITY_STRICT=1 fails on operations awssim does not
# implement yet.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
AWSSIM=${AWSSIM:-$WF_BUILD_DIR/awssim}
AWS_CLI=${AWS_CLI:-/usr/bin/aws}
if [ ! -x "$AWSSIM" ]; then
    echo "SKIP: no awssim binary at $AWSSIM"
    exit 0
fi
if [ ! -x "$AWS_CLI" ]; then
    echo "SKIP: $AWS_CLI not installed (tools/setup.sh installs awscli)"
    exit 0
fi
# The CLI's own interpreter, so parity.py can read the CLI's models and run its entry point.
AWS_PY=$(sed -n '1s/^#! *//p' "$AWS_CLI")
case "$AWS_PY" in */python*) ;; *) AWS_PY=python3 ;; esac

# A clean AWS environment for both clients: the simulator's keys, no user config, one
# attempt (a 5xx from an unimplemented operation must not be retried with back-off).
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
export AWS_MAX_ATTEMPTS=1 AWS_RETRY_MODE=standard AWS_PAGER="" AWS_CONFIG_FILE=/dev/null
export AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_REGION AWS_CA_BUNDLE

cat >operations.txt <<'EOF'
# ---- values two simulators cannot agree on (write rows and inventories only) ----------
normalise-pattern | [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12} | random UUIDs (awssim's sim.uuid, where AWS's are random too: stack, change set, event, scaling activity and command ids, group and launch configuration ARNs)
normalise-pattern | http://127\.0\.0\.1:[0-9]+ | the two simulators listen on different ports (S3's Location)
normalise | UploadId | multipart upload ids are random
normalise | KeyMaterial | a new key pair's private key is random
normalise | KeyFingerprint | the fingerprint of that random key
normalise | AccessKeyId | AssumeRole's temporary credentials are random
normalise | SecretAccessKey | AssumeRole's temporary credentials are random
normalise | SessionToken | AssumeRole's temporary credentials are random

# ---- keys newer botocore adds to a paginated operation's full result -------------------
newer-keys | s3 | ListObjectsV2 | RequestCharged Prefix | non-aggregate keys of botocore's paginators-1.sdk-extras.json (botocore 1.43 has them), which awscli 2.9.19's bundled botocore predates

# ---- STS ---------------------------------------------------------------------------------
read  | sts | GetCallerIdentity | {}
write | sts | AssumeRole | {"RoleArn": "arn:aws:iam::000000000000:role/parity", "RoleSessionName": "parity", "DurationSeconds": 900}

# ---- EC2: images and the rest of the seeded world ---------------------------------------------
read  | ec2 | DescribeImages | {"Owners": ["self"]}
read  | ec2 | DescribeImages | {"ImageIds": ["ami-0a1b2c3d4e5f60002", "ami-0099aa0000000000a"]}
read  | ec2 | DescribeImages | {"Filters": [{"Name": "tag:role", "Values": ["ba*"]}, {"Name": "state", "Values": ["available"]}]}
read  | ec2 | DescribeImages | {"Owners": ["099720109477"], "IncludeDeprecated": true}
error | ec2 | DescribeImages | {"ImageIds": ["ami-00000000000000dead"]} | expect=InvalidAMIID.NotFound
error | ec2 | DescribeImages | {"ImageIds": ["bad"]} | expect=InvalidAMIID.Malformed
read  | ec2 | DescribeSnapshots | {"OwnerIds": ["self"]}
read  | ec2 | DescribeSecurityGroups | {}
read  | ec2 | DescribeSubnets | {}
read  | ec2 | DescribeLaunchTemplates | {}
read  | ec2 | DescribeLaunchTemplateVersions | {"LaunchTemplateName": "parity-lt"}
read  | ec2 | DescribeInstances | {}
write | ec2 | CreateKeyPair | {"KeyName": "parity-key", "TagSpecifications": [{"ResourceType": "key-pair", "Tags": [{"Key": "env", "Value": "parity"}]}]}
write | ec2 | DeleteKeyPair | {"KeyName": "parity-key"}

# An instance through its life: run, tag, console, stop, start, image, terminate.
write | ec2 | RunInstances | {"ImageId": "ami-0a1b2c3d4e5f60001", "InstanceType": "t3.micro", "MinCount": 1, "MaxCount": 1, "ClientToken": "parity-run-1", "TagSpecifications": [{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "parity-1"}]}]} | save=iid=Instances.0.InstanceId
read  | ec2 | DescribeInstances | {"InstanceIds": ["{{iid}}"]}
advance | 120
read  | ec2 | DescribeInstances | {"Filters": [{"Name": "instance-state-name", "Values": ["running"]}, {"Name": "tag:Name", "Values": ["parity-*"]}]}
write | ec2 | CreateTags | {"Resources": ["{{iid}}"], "Tags": [{"Key": "stage", "Value": "parity"}, {"Key": "empty", "Value": ""}]}
write | ec2 | DeleteTags | {"Resources": ["{{iid}}"], "Tags": [{"Key": "empty"}]}
read  | ec2 | GetConsoleOutput | {"InstanceId": "{{iid}}"}
write | ec2 | StopInstances | {"InstanceIds": ["{{iid}}"]}
advance | 120
write | ec2 | StartInstances | {"InstanceIds": ["{{iid}}"]}
advance | 120
write | ec2 | CreateImage | {"InstanceId": "{{iid}}", "Name": "parity-image-1", "Description": "made by the parity test", "TagSpecifications": [{"ResourceType": "image", "Tags": [{"Key": "role", "Value": "made"}]}]} | save=ami=ImageId
read  | ec2 | DescribeImages | {"ImageIds": ["{{ami}}"]}
advance | 900
read  | ec2 | DescribeImages | {"ImageIds": ["{{ami}}"]} | save=amisnap=Images.0.BlockDeviceMappings.0.Ebs.SnapshotId
write | ec2 | CopyImage | {"SourceImageId": "{{ami}}", "SourceRegion": "us-east-1", "Name": "parity-image-copy", "ClientToken": "parity-copy-1"} | save=amicopy=ImageId
write | ec2 | EnableImageDeprecation | {"ImageId": "{{ami}}", "DeprecateAt": "2030-01-01T00:00:00Z"}
advance | 900
read  | ec2 | DescribeImages | {"ImageIds": ["{{ami}}", "{{amicopy}}"]}
write | ec2 | DeregisterImage | {"ImageId": "{{ami}}"}
read  | ec2 | DescribeSnapshots | {"SnapshotIds": ["{{amisnap}}"]}
write | ec2 | DeleteSnapshot | {"SnapshotId": "{{amisnap}}"}
error | ec2 | DeleteSnapshot | {"SnapshotId": "snap-00000000000000dead"} | expect=InvalidSnapshot.NotFound
write | ec2 | CreateLaunchTemplateVersion | {"LaunchTemplateName": "parity-lt", "SourceVersion": "1", "VersionDescription": "parity v2", "LaunchTemplateData": {"ImageId": "ami-0a1b2c3d4e5f60002"}, "ClientToken": "parity-ltv-1"}
read  | ec2 | DescribeLaunchTemplateVersions | {"LaunchTemplateName": "parity-lt", "Versions": ["$Latest", "1"]}

# ---- SSM: a command on that instance, then a parameter ------------------------------------
write | ssm | SendCommand | {"InstanceIds": ["{{iid}}"], "DocumentName": "AWS-RunShellScript", "Comment": "parity", "Parameters": {"commands": ["echo parity"]}} | save=cmd=Command.CommandId
advance | 60
read  | ssm | GetCommandInvocation | {"CommandId": "{{cmd}}", "InstanceId": "{{iid}}"}
read  | ssm | ListCommandInvocations | {"CommandId": "{{cmd}}", "Details": true}
read  | ssm | GetParameter | {"Name": "/parity/db-host"}
read  | ssm | GetParameter | {"Name": "/parity/db-password", "WithDecryption": true}
error | ssm | GetParameter | {"Name": "/parity/none"} | expect=ParameterNotFound

write | ec2 | TerminateInstances | {"InstanceIds": ["{{iid}}"]}
advance | 120
read  | ec2 | DescribeInstances | {"InstanceIds": ["{{iid}}"]}

# ---- Auto Scaling ----------------------------------------------------------------------------
read  | autoscaling | DescribeAutoScalingGroups | {} | save=asgiid=AutoScalingGroups.0.Instances.0.InstanceId
read  | autoscaling | DescribeAutoScalingGroups | {"AutoScalingGroupNames": ["parity-asg"]}
read  | autoscaling | DescribeAutoScalingInstances | {}
read  | autoscaling | DescribeLaunchConfigurations | {}
read  | autoscaling | DescribeScalingActivities | {"AutoScalingGroupName": "parity-asg"}
write | autoscaling | SuspendProcesses | {"AutoScalingGroupName": "parity-asg", "ScalingProcesses": ["ReplaceUnhealthy", "AZRebalance"]}
write | autoscaling | ResumeProcesses | {"AutoScalingGroupName": "parity-asg", "ScalingProcesses": ["AZRebalance"]}
write | autoscaling | SetInstanceProtection | {"AutoScalingGroupName": "parity-asg", "InstanceIds": ["{{asgiid}}"], "ProtectedFromScaleIn": true}
write | autoscaling | EnterStandby | {"AutoScalingGroupName": "parity-asg", "InstanceIds": ["{{asgiid}}"], "ShouldDecrementDesiredCapacity": true}
advance | 60
write | autoscaling | ExitStandby | {"AutoScalingGroupName": "parity-asg", "InstanceIds": ["{{asgiid}}"]}
advance | 60
write | autoscaling | UpdateAutoScalingGroup | {"AutoScalingGroupName": "parity-asg", "MaxSize": 4, "DesiredCapacity": 3}
advance | 120
read  | autoscaling | DescribeScalingActivities | {"AutoScalingGroupName": "parity-asg"}
read  | autoscaling | DescribeAutoScalingInstances | {"InstanceIds": ["{{asgiid}}"]}
error | autoscaling | UpdateAutoScalingGroup | {"AutoScalingGroupName": "parity-asg", "MinSize": 5, "MaxSize": 4} | expect=ValidationError on=both

# ---- RDS -----------------------------------------------------------------------------------
read  | rds | DescribeDBInstances | {}
read  | rds | DescribeDBInstances | {"DBInstanceIdentifier": "parity-db"}
read  | rds | DescribeDBInstances | {"Filters": [{"Name": "engine", "Values": ["postgres"]}]}
error | rds | DescribeDBInstances | {"DBInstanceIdentifier": "no-such-db"} | expect=DBInstanceNotFound
read  | rds | DescribeDBSnapshots | {"DBInstanceIdentifier": "parity-db"}
read  | rds | ListTagsForResource | {"ResourceName": "arn:aws:rds:us-east-1:000000000000:db:parity-db"}
write | rds | AddTagsToResource | {"ResourceName": "arn:aws:rds:us-east-1:000000000000:db:parity-db", "Tags": [{"Key": "owner", "Value": "parity"}]}
read  | rds | ListTagsForResource | {"ResourceName": "arn:aws:rds:us-east-1:000000000000:db:parity-db"}
write | rds | CreateDBSnapshot | {"DBInstanceIdentifier": "parity-db", "DBSnapshotIdentifier": "parity-snap-2", "Tags": [{"Key": "kind", "Value": "manual"}]}
advance | 100
read  | rds | DescribeDBSnapshots | {"DBSnapshotIdentifier": "parity-snap-2"}
read  | rds | DescribeDBInstances | {"DBInstanceIdentifier": "parity-db"}
advance | 400
write | rds | CopyDBSnapshot | {"SourceDBSnapshotIdentifier": "parity-snap-2", "TargetDBSnapshotIdentifier": "parity-snap-3", "CopyTags": true}
advance | 400
read  | rds | DescribeDBSnapshots | {"SnapshotType": "manual"}
write | rds | DeleteDBSnapshot | {"DBSnapshotIdentifier": "parity-snap-3"}
write | rds | RestoreDBInstanceFromDBSnapshot | {"DBInstanceIdentifier": "parity-db-2", "DBSnapshotIdentifier": "parity-snap-2", "DBInstanceClass": "db.t4g.small", "Tags": [{"Key": "env", "Value": "parity-2"}]}
advance | 700
write | rds | ModifyDBInstance | {"DBInstanceIdentifier": "parity-db-2", "DBInstanceClass": "db.t4g.medium", "ApplyImmediately": true}
advance | 100
read  | rds | DescribeDBInstances | {"DBInstanceIdentifier": "parity-db-2"}
error | rds | DeleteDBInstance | {"DBInstanceIdentifier": "parity-db-2"} | expect=InvalidParameterCombination on=both
write | rds | DeleteDBInstance | {"DBInstanceIdentifier": "parity-db-2", "SkipFinalSnapshot": true}
write | rds | DeleteDBSnapshot | {"DBSnapshotIdentifier": "parity-snap-2"}
advance | 400

# ---- CloudFormation --------------------------------------------------------------------------
read  | cloudformation | ValidateTemplate | {"TemplateBody": "{\"Parameters\": {\"Env\": {\"Type\": \"String\", \"Default\": \"parity\", \"Description\": \"environment\"}}, \"Resources\": {\"Bucket\": {\"Type\": \"AWS::S3::Bucket\", \"Properties\": {\"BucketName\": {\"Fn::Sub\": \"parity-cfn-${Env}\"}}}, \"Topic\": {\"Type\": \"AWS::SNS::Topic\"}}, \"Outputs\": {\"BucketName\": {\"Value\": {\"Ref\": \"Bucket\"}}}}"}
write | cloudformation | CreateStack | {"StackName": "parity-stack", "TemplateBody": "{\"Parameters\": {\"Env\": {\"Type\": \"String\", \"Default\": \"parity\", \"Description\": \"environment\"}}, \"Resources\": {\"Bucket\": {\"Type\": \"AWS::S3::Bucket\", \"Properties\": {\"BucketName\": {\"Fn::Sub\": \"parity-cfn-${Env}\"}}}, \"Topic\": {\"Type\": \"AWS::SNS::Topic\"}}, \"Outputs\": {\"BucketName\": {\"Value\": {\"Ref\": \"Bucket\"}}}}", "Parameters": [{"ParameterKey": "Env", "ParameterValue": "one"}], "Tags": [{"Key": "env", "Value": "parity"}], "ClientRequestToken": "parity-create-1"}
advance | 300
read  | cloudformation | DescribeStacks | {"StackName": "parity-stack"}
read  | cloudformation | DescribeStackResources | {"StackName": "parity-stack"}
read  | cloudformation | ListStackResources | {"StackName": "parity-stack"}
read  | cloudformation | DescribeStackEvents | {"StackName": "parity-stack"}
read  | cloudformation | GetTemplate | {"StackName": "parity-stack"}
write | cloudformation | UpdateStack | {"StackName": "parity-stack", "UsePreviousTemplate": true, "Parameters": [{"ParameterKey": "Env", "ParameterValue": "two"}], "ClientRequestToken": "parity-update-1"}
advance | 300
read  | cloudformation | DescribeStacks | {"StackName": "parity-stack"}
write | cloudformation | CreateChangeSet | {"StackName": "parity-stack", "ChangeSetName": "parity-cs", "UsePreviousTemplate": true, "Parameters": [{"ParameterKey": "Env", "ParameterValue": "three"}], "ClientToken": "parity-cs-1"}
advance | 60
read  | cloudformation | DescribeChangeSet | {"StackName": "parity-stack", "ChangeSetName": "parity-cs"}
write | cloudformation | ExecuteChangeSet | {"StackName": "parity-stack", "ChangeSetName": "parity-cs", "ClientRequestToken": "parity-exec-1"}
advance | 300
write | cloudformation | CreateChangeSet | {"StackName": "parity-stack", "ChangeSetName": "parity-cs-2", "UsePreviousTemplate": true, "Parameters": [{"ParameterKey": "Env", "ParameterValue": "four"}]}
advance | 60
write | cloudformation | DeleteChangeSet | {"StackName": "parity-stack", "ChangeSetName": "parity-cs-2"}
error | cloudformation | DescribeStacks | {"StackName": "no-such-stack"} | expect=ValidationError
write | cloudformation | DeleteStack | {"StackName": "parity-stack"}
advance | 300
read  | cloudformation | DescribeStacks | {}

# ---- S3 ------------------------------------------------------------------------------------
read  | s3 | ListBuckets | {}
read  | s3 | HeadBucket | {"Bucket": "parity-data"}
error | s3 | HeadBucket | {"Bucket": "parity-none"} | expect=404
read  | s3 | ListObjectsV2 | {"Bucket": "parity-data"}
read  | s3 | ListObjectsV2 | {"Bucket": "parity-data", "Prefix": "dir/", "Delimiter": "/"}
read  | s3 | ListObjectsV2 | {"Bucket": "parity-empty"}
read  | s3 | HeadObject | {"Bucket": "parity-data", "Key": "a.txt"}
read  | s3 | HeadObject | {"Bucket": "parity-data", "Key": "dir/café.txt"}
error | s3 | HeadObject | {"Bucket": "parity-data", "Key": "none"} | expect=404
read  | s3 | GetObject | {"Bucket": "parity-data", "Key": "a.txt"} | flags outfile
read  | s3 | GetObject | {"Bucket": "parity-data", "Key": "dir/sub/c d.txt"} | flags outfile
read  | s3 | GetObject | {"Bucket": "parity-data", "Key": "bin/blob.bin"} | flags outfile
error | s3 | GetObject | {"Bucket": "parity-data", "Key": "none"} | expect=NoSuchKey flags outfile
write | s3 | PutObject | {"Bucket": "parity-data", "Key": "new/put.txt", "Body": "put by the parity test\n", "ContentType": "text/plain", "Metadata": {"from": "parity", "n": "1"}}
read  | s3 | HeadObject | {"Bucket": "parity-data", "Key": "new/put.txt"}
skip  | s3 | PutObject | with IfNoneMatch: awscli 2.9.19's S3 model has no IfNoneMatch member for PutObject (added to the API in 2024), so the CLI refuses the parameter
write | s3 | CopyObject | {"Bucket": "parity-data", "Key": "new/copy.txt", "CopySource": "parity-data/a.txt"}
write | s3 | CopyObject | {"Bucket": "parity-data", "Key": "new/copy-meta.txt", "CopySource": "parity-data/a.txt", "MetadataDirective": "REPLACE", "ContentType": "text/x-parity", "Metadata": {"copied": "yes"}} | provides=copymeta
read  | s3 | HeadObject | {"Bucket": "parity-data", "Key": "new/copy-meta.txt"} | needs=copymeta
write | s3 | PutObject | {"Bucket": "parity-data", "Key": "new/tagged.txt", "Body": "tagged\n", "Tagging": "team=parity&note=two%20words"} | provides=tagged
read  | s3 | GetObjectTagging | {"Bucket": "parity-data", "Key": "new/tagged.txt"} | needs=tagged
write | s3 | PutObjectTagging | {"Bucket": "parity-data", "Key": "new/tagged.txt", "Tagging": {"TagSet": [{"Key": "env", "Value": "qa"}]}} | needs=tagged
read  | s3 | GetObjectTagging | {"Bucket": "parity-data", "Key": "new/tagged.txt"} | needs=tagged
error | s3 | GetObjectTagging | {"Bucket": "parity-data", "Key": "none"} | expect=NoSuchKey
write | s3 | CreateMultipartUpload | {"Bucket": "parity-data", "Key": "new/multi.txt", "ContentType": "text/plain"} | save=upload=UploadId
write | s3 | UploadPartCopy | {"Bucket": "parity-data", "Key": "new/multi.txt", "UploadId": "{{upload}}", "PartNumber": 1, "CopySource": "parity-data/a.txt"} | save=etag1=CopyPartResult.ETag
write | s3 | CompleteMultipartUpload | {"Bucket": "parity-data", "Key": "new/multi.txt", "UploadId": "{{upload}}", "MultipartUpload": {"Parts": [{"ETag": "{{etag1}}", "PartNumber": 1}]}} | provides=multi
read  | s3 | HeadObject | {"Bucket": "parity-data", "Key": "new/multi.txt"} | needs=multi
write | s3 | CreateMultipartUpload | {"Bucket": "parity-data", "Key": "new/aborted.txt"} | save=upload2=UploadId
write | s3 | AbortMultipartUpload | {"Bucket": "parity-data", "Key": "new/aborted.txt", "UploadId": "{{upload2}}"}
read  | s3 | ListObjectsV2 | {"Bucket": "parity-data", "Prefix": "new/"}
write | s3 | DeleteObject | {"Bucket": "parity-data", "Key": "new/copy.txt"}
write | s3 | DeleteObjects | {"Bucket": "parity-data", "Delete": {"Objects": [{"Key": "new/put.txt"}, {"Key": "new/multi.txt"}, {"Key": "new/never-there.txt"}]}}
write | s3 | CreateBucket | {"Bucket": "parity-new"}
write | s3 | CreateBucket | {"Bucket": "parity-new"}
error | s3 | CreateBucket | {"Bucket": "pn"} | expect=InvalidBucketName
write | s3 | DeleteBucket | {"Bucket": "parity-new"}
error | s3 | DeleteBucket | {"Bucket": "parity-data"} | expect=BucketNotEmpty on=both
read  | s3 | ListBuckets | {}
EOF

# Rows are reported by their line in this file.
OFFSET=$(grep -n "^cat >operations.txt" "$WF_SOURCE_DIR/tests/e2e/test_aws_parity.sh" | cut -d: -f1)
"$AWS_PY" "$DATA/parity/parity.py" --table operations.txt --line-offset "${OFFSET:-0}" \
    --seed "$DATA/parity/seed.json" \
    --wfrun "$WFRUN" --awssim "$AWSSIM" --aws "$AWS_CLI" --source "$WF_SOURCE_DIR" \
    --workdir "$SCRATCH"
