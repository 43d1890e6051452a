# Shared fixture of the CloudFormation resource tests: a seed (an AMI, a DB snapshot with
# simulated data) and app.json, a template using every supported intrinsic and resource type.
cat >seed.json <<'JSON'
{
  "ec2": {"images": [{"ImageId": "ami-0c0000000000000a1", "Name": "app-1"}]},
  "rds": {"db_snapshots": [{"DBSnapshotIdentifier": "golden", "DBInstanceIdentifier": "prod-db",
                            "Engine": "postgres", "SimulatedData": {"users": 42}}]}
}
JSON

cat >app.json <<'JSON'
{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Description": "an app environment",
  "Parameters": {
    "Env": {"Type": "String", "AllowedPattern": "^[a-z]+$"},
    "Count": {"Type": "Number", "Default": "2", "MinValue": "1"},
    "Snapshot": {"Type": "String", "Default": ""}
  },
  "Conditions": {
    "Restore": {"Fn::Not": [{"Fn::Equals": [{"Ref": "Snapshot"}, ""]}]}
  },
  "Resources": {
    "Sg": {"Type": "AWS::EC2::SecurityGroup",
           "Properties": {"GroupDescription": {"Fn::Sub": "${Env} app"},
                          "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}]}},
    "Assets": {"Type": "AWS::S3::Bucket"},
    "Db": {"Type": "AWS::RDS::DBInstance", "DeletionPolicy": "Delete",
           "Properties": {"DBInstanceIdentifier": {"Fn::Sub": "${Env}-db"}, "Engine": "postgres",
                          "DBInstanceClass": "db.t4g.micro",
                          "DBSnapshotIdentifier": {"Fn::If": ["Restore", {"Ref": "Snapshot"}, {"Ref": "AWS::NoValue"}]},
                          "MasterUsername": {"Fn::If": ["Restore", {"Ref": "AWS::NoValue"}, "app"]},
                          "VPCSecurityGroups": [{"Fn::GetAtt": ["Sg", "GroupId"]}]}},
    "Lt": {"Type": "AWS::EC2::LaunchTemplate",
           "Properties": {"LaunchTemplateName": {"Fn::Sub": "${AWS::StackName}-lt"},
                          "LaunchTemplateData": {"ImageId": "ami-0c0000000000000a1", "InstanceType": "t3.small",
                                                 "SecurityGroupIds": [{"Ref": "Sg"}],
                                                 "UserData": {"Fn::Base64": {"Fn::Sub": "DB=${Db.Endpoint.Address}"}}}}},
    "Group": {"Type": "AWS::AutoScaling::AutoScalingGroup",
              "Properties": {"LaunchTemplate": {"LaunchTemplateId": {"Ref": "Lt"},
                                                "Version": {"Fn::GetAtt": ["Lt", "LatestVersionNumber"]}},
                             "MinSize": {"Ref": "Count"}, "MaxSize": "4", "DesiredCapacity": {"Ref": "Count"},
                             "AvailabilityZones": {"Fn::GetAZs": ""}}},
    "Queue": {"Type": "AWS::SQS::Queue"}
  },
  "Outputs": {
    "Url": {"Value": {"Fn::Join": ["", ["https://", {"Ref": "Env"}, ".example.com/health"]]}},
    "DbHost": {"Value": {"Fn::GetAtt": ["Db", "Endpoint.Address"]}},
    "Bucket": {"Value": {"Ref": "Assets"}},
    "Group": {"Value": {"Ref": "Group"}},
    "Restored": {"Value": {"Fn::If": ["Restore", "yes", "no"]}}
  }
}
JSON
