# awssim's EC2 images and the rest through Debian's AWS CLI: images and their snapshots
# (CreateImage, CopyImage, deprecation, deregistration), launch templates and versions,
# security groups, subnets, key pairs, and EC2's error codes.
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

# ---- images and snapshots
expect_exit 0 awsc ec2 describe-images --owners self --query 'Images[].[ImageId,Name,State]' --output text
same "ami-0a0000000000000a1	base-2024-01	available" out.txt
expect_exit 0 awsc ec2 describe-images --owners amazon --filters 'Name=name,Values=vendor-*' --query 'Images[].ImageId' --output text
same "ami-0a0000000000000a2" out.txt
expect_exit 254 awsc ec2 describe-images --image-ids ami-0a00000000000ffff
contains err.txt "InvalidAMIID.NotFound"
expect_exit 0 awsc ec2 describe-snapshots --owner-ids self --query 'Snapshots[].[State,Progress,VolumeSize]' --output text
same "completed	100%	8" out.txt

# ---- CreateImage from a running instance: image and snapshot pending, then available / completed
expect_exit 0 awsc ec2 run-instances --image-id ami-0a0000000000000a1 --count 1 --query 'Instances[0].InstanceId' --output text
I1=$(cat out.txt)
advance 31
expect_exit 0 awsc ec2 create-image --instance-id "$I1" --name "app-2024-03" \
    --tag-specifications 'ResourceType=image,Tags=[{Key=family,Value=app}]' --query ImageId --output text
AMI=$(cat out.txt)
expect_exit 254 awsc ec2 create-image --instance-id "$I1" --name "app-2024-03"
contains err.txt "InvalidAMIName.Duplicate"
expect_exit 0 awsc ec2 describe-images --image-ids "$AMI" --query 'Images[0].[State,Tags[0].Value]' --output text
same "pending	app" out.txt
# (SourceInstanceId is newer than Debian's CLI: read it in the inventory.)
ctl GET /_awssim/inventory >inventory.json
check_eq "SourceInstanceId" "$(jq_py inventory.json "d['resources']['ec2.image']['$AMI']['SourceInstanceId']")" "$I1"
SNAP=$(awsc ec2 describe-images --image-ids "$AMI" --query 'Images[0].BlockDeviceMappings[0].Ebs.SnapshotId' --output text)
expect_exit 0 awsc ec2 describe-snapshots --snapshot-ids "$SNAP" --query 'Snapshots[0].State' --output text
same "pending" out.txt
expect_exit 254 awsc ec2 run-instances --image-id "$AMI" --count 1
contains err.txt "InvalidAMIID.Unavailable"
advance 301
expect_exit 0 awsc ec2 describe-images --image-ids "$AMI" --query 'Images[0].State' --output text
same "available" out.txt
expect_exit 0 awsc ec2 describe-snapshots --snapshot-ids "$SNAP" --query 'Snapshots[0].[State,Progress]' --output text
same "completed	100%" out.txt
expect_exit 254 awsc ec2 delete-snapshot --snapshot-id "$SNAP"
contains err.txt "InvalidSnapshot.InUse"

# ---- CopyImage, deprecation, deregistration
expect_exit 0 awsc ec2 copy-image --source-image-id "$AMI" --source-region us-east-1 --name app-copy --query ImageId --output text
COPY=$(cat out.txt)
advance 601
expect_exit 0 awsc ec2 describe-images --image-ids "$COPY" --query 'Images[0].State' --output text
same "available" out.txt
ctl GET /_awssim/inventory >inventory.json
check_eq "SourceImageId" "$(jq_py inventory.json "d['resources']['ec2.image']['$COPY']['SourceImageId']")" "$AMI"
expect_exit 0 awsc ec2 enable-image-deprecation --image-id "$AMI" --deprecate-at 2030-01-01T00:00:00Z --query Return
same "true" out.txt
expect_exit 0 awsc ec2 describe-images --image-ids "$AMI" --query 'Images[0].DeprecationTime' --output text
same "2030-01-01T00:00:00.000Z" out.txt
expect_exit 0 awsc ec2 deregister-image --image-id "$COPY"
expect_exit 254 awsc ec2 describe-images --image-ids "$COPY"
contains err.txt "InvalidAMIID.NotFound"
COPYSNAP=$(awsc ec2 describe-snapshots --owner-ids self --filters "Name=description,Values=*$AMI*" --query 'Snapshots[?State==`completed`].SnapshotId' --output text | tr '\t' '\n' | grep -v "$SNAP" | head -n 1)
expect_exit 0 awsc ec2 delete-snapshot --snapshot-id "$COPYSNAP"
expect_exit 254 awsc ec2 delete-snapshot --snapshot-id "$COPYSNAP"
contains err.txt "InvalidSnapshot.NotFound"

# ---- launch templates, security groups, subnets, key pairs
expect_exit 0 awsc ec2 describe-launch-templates --launch-template-names web --query 'LaunchTemplates[0].[LaunchTemplateId,LatestVersionNumber]' --output text
same "lt-0a00000000000000d	1" out.txt
expect_exit 0 awsc ec2 create-launch-template-version --launch-template-id lt-0a00000000000000d --source-version 1 \
    --launch-template-data '{"InstanceType":"t3.large"}' --query 'LaunchTemplateVersion.[VersionNumber,LaunchTemplateData.ImageId,LaunchTemplateData.InstanceType]' --output text
same "2	ami-0a0000000000000a1	t3.large" out.txt
expect_exit 0 awsc ec2 describe-launch-template-versions --launch-template-name web --versions '$Latest' '$Default' \
    --query 'LaunchTemplateVersions[].[VersionNumber,DefaultVersion]' --output text
same "2	False
1	True" out.txt
expect_exit 0 awsc ec2 run-instances --launch-template 'LaunchTemplateName=web,Version=$Latest' --query 'Instances[0].InstanceType' --output text
same "t3.large" out.txt
expect_exit 254 awsc ec2 describe-launch-templates --launch-template-names nope
contains err.txt "InvalidLaunchTemplateName.NotFoundException"
expect_exit 0 awsc ec2 describe-security-groups --filters Name=group-name,Values=app,default --query 'SecurityGroups[].GroupName' --output text
same "app	default" out.txt
expect_exit 254 awsc ec2 describe-security-groups --group-ids sg-0fffffffffffffff0
contains err.txt "InvalidGroup.NotFound"
expect_exit 0 awsc ec2 describe-subnets --filters Name=tag:tier,Values=app --query 'Subnets[].[SubnetId,AvailabilityZone,CidrBlock]' --output text
same "subnet-0a00000000000000b	us-east-1b	10.1.2.0/24" out.txt
expect_exit 0 awsc ec2 describe-subnets --filters Name=default-for-az,Values=true --query 'length(Subnets)'
same "3" out.txt
expect_exit 0 awsc ec2 create-key-pair --key-name deploy --output json
contains out.txt "BEGIN RSA PRIVATE KEY"
contains out.txt '"KeyPairId": "key-'
expect_exit 254 awsc ec2 create-key-pair --key-name deploy
contains err.txt "InvalidKeyPair.Duplicate"
expect_exit 0 awsc ec2 delete-key-pair --key-name deploy
expect_exit 0 awsc ec2 create-key-pair --key-name deploy --query KeyName --output text
same "deploy" out.txt

finish
