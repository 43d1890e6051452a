# awssim's RDS model through Debian's AWS CLI: DB snapshots creating -> available (the
# instance backing-up meanwhile), copies, restores that carry the snapshot's data and
# record their source, ModifyDBInstance, tags by ARN, DeleteDBInstance with and without a
# final snapshot, and RDS's error codes. The clock is moved by hand.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/awssim_lib.sh"
need_aws_cli

advance() { ctl POST /_awssim/clock "{\"advance\": $1}" >/dev/null; }

cat >seed.json <<'JSON'
{
  "rds": {
    "db_instances": [{"DBInstanceIdentifier": "orders-db", "Engine": "postgres", "DBName": "orders",
                      "DBInstanceClass": "db.t4g.micro", "SimulatedData": {"orders": 1234},
                      "Tags": [{"Key": "env", "Value": "prod"}]}],
    "db_snapshots": [{"DBSnapshotIdentifier": "old-snap", "DBInstanceIdentifier": "gone-db",
                      "Engine": "mysql", "SimulatedData": {"rows": 7}}]
  }
}
JSON
sim_start --seed seed.json --time-scale 0.001

if awsc rds describe-db-instances >probe.txt 2>&1; then :; elif grep -q "temporary codec" probe.txt; then
    echo "SKIP: awssim's codec is temporary"; exit 77
fi
DB_ARN=arn:aws:rds:us-east-1:000000000000:db:orders-db

expect_exit 0 awsc rds describe-db-instances --db-instance-identifier orders-db \
    --query 'DBInstances[0].[DBInstanceStatus,Engine,DBInstanceClass,Endpoint.Port,DBInstanceArn]' --output text
same "available	postgres	db.t4g.micro	5432	$DB_ARN" out.txt
expect_exit 254 awsc rds describe-db-instances --db-instance-identifier nope-db
contains err.txt "DBInstanceNotFound"

# ---- snapshot: creating (instance backing-up), then available
expect_exit 0 awsc rds create-db-snapshot --db-instance-identifier orders-db --db-snapshot-identifier orders-snap-1 \
    --query 'DBSnapshot.[Status,SnapshotType,DBInstanceIdentifier]' --output text
same "creating	manual	orders-db" out.txt
expect_exit 0 awsc rds describe-db-instances --db-instance-identifier orders-db --query 'DBInstances[0].DBInstanceStatus' --output text
same "backing-up" out.txt
expect_exit 254 awsc rds create-db-snapshot --db-instance-identifier orders-db --db-snapshot-identifier orders-snap-1
contains err.txt "DBSnapshotAlreadyExists"
expect_exit 254 awsc rds create-db-snapshot --db-instance-identifier orders-db --db-snapshot-identifier orders-snap-2
contains err.txt "InvalidDBInstanceState"
expect_exit 254 awsc rds restore-db-instance-from-db-snapshot --db-instance-identifier early --db-snapshot-identifier orders-snap-1
contains err.txt "InvalidDBSnapshotState"
# RDS deletes a snapshot only once it is available (a copy in progress excepted, below)
expect_exit 254 awsc rds delete-db-snapshot --db-snapshot-identifier orders-snap-1
contains err.txt "InvalidDBSnapshotState"
advance 150
expect_exit 0 awsc rds describe-db-snapshots --db-snapshot-identifier orders-snap-1 --query 'DBSnapshots[0].[Status,PercentProgress]' --output text
same "creating	50" out.txt
advance 151
expect_exit 0 awsc rds describe-db-snapshots --db-snapshot-identifier orders-snap-1 --query 'DBSnapshots[0].[Status,PercentProgress]' --output text
same "available	100" out.txt
expect_exit 0 awsc rds describe-db-instances --db-instance-identifier orders-db --query 'DBInstances[0].DBInstanceStatus' --output text
same "available" out.txt
expect_exit 0 awsc rds describe-db-snapshots --db-instance-identifier orders-db --query 'DBSnapshots[].DBSnapshotIdentifier' --output text
same "orders-snap-1" out.txt
expect_exit 254 awsc rds describe-db-snapshots --db-snapshot-identifier nope-snap
contains err.txt "DBSnapshotNotFound"

# ---- copy
expect_exit 0 awsc rds copy-db-snapshot --source-db-snapshot-identifier orders-snap-1 \
    --target-db-snapshot-identifier orders-snap-copy --query 'DBSnapshot.[Status,SourceDBSnapshotIdentifier]' --output text
same "creating	arn:aws:rds:us-east-1:000000000000:snapshot:orders-snap-1" out.txt
advance 301
expect_exit 0 awsc rds describe-db-snapshots --db-snapshot-identifier orders-snap-copy --query 'DBSnapshots[0].Status' --output text
same "available" out.txt
# deleting a copy in progress terminates the copy (DeleteDBSnapshot's documentation)
expect_exit 0 awsc rds copy-db-snapshot --source-db-snapshot-identifier orders-snap-1 \
    --target-db-snapshot-identifier orders-snap-dropped --query 'DBSnapshot.Status' --output text
same "creating" out.txt
expect_exit 0 awsc rds delete-db-snapshot --db-snapshot-identifier orders-snap-dropped --query 'DBSnapshot.Status' --output text
same "deleted" out.txt
advance 301
expect_exit 254 awsc rds describe-db-snapshots --db-snapshot-identifier orders-snap-dropped
contains err.txt "DBSnapshotNotFound"

# ---- restore: the new instance holds the snapshot's data and records its source
expect_exit 0 awsc rds restore-db-instance-from-db-snapshot --db-instance-identifier orders-clone \
    --db-snapshot-identifier orders-snap-copy --db-instance-class db.t3.small \
    --query 'DBInstance.[DBInstanceStatus,Engine,DBInstanceClass]' --output text
same "creating	postgres	db.t3.small" out.txt
expect_exit 254 awsc rds restore-db-instance-from-db-snapshot --db-instance-identifier orders-clone --db-snapshot-identifier orders-snap-1
contains err.txt "DBInstanceAlreadyExists"
expect_exit 254 awsc rds restore-db-instance-from-db-snapshot --db-instance-identifier other --db-snapshot-identifier nope-snap
contains err.txt "DBSnapshotNotFound"
advance 601
expect_exit 0 awsc rds describe-db-instances --db-instance-identifier orders-clone --query 'DBInstances[0].[DBInstanceStatus,Endpoint.Address]' --output text
contains out.txt "available	orders-clone."
ctl GET /_awssim/inventory >inventory.json
check_eq "restored data" "$(jq_py inventory.json 'd["resources"]["rds.db_instance"]["orders-clone"]["SimulatedData"]')" '{"orders": 1234}'
check_eq "restored from" "$(jq_py inventory.json 'd["resources"]["rds.db_instance"]["orders-clone"]["SourceDBSnapshotIdentifier"]')" "orders-snap-copy"
expect_exit 0 awsc rds restore-db-instance-from-db-snapshot --db-instance-identifier mysql-copy --db-snapshot-identifier old-snap \
    --query 'DBInstance.Engine' --output text
same "mysql" out.txt

# ---- modify, tags
expect_exit 0 awsc rds modify-db-instance --db-instance-identifier orders-db --db-instance-class db.m6g.large --apply-immediately \
    --query 'DBInstance.[DBInstanceStatus,PendingModifiedValues.DBInstanceClass]' --output text
same "modifying	db.m6g.large" out.txt
advance 61
expect_exit 0 awsc rds describe-db-instances --db-instance-identifier orders-db --query 'DBInstances[0].[DBInstanceStatus,DBInstanceClass]' --output text
same "available	db.m6g.large" out.txt
expect_exit 0 awsc rds add-tags-to-resource --resource-name "$DB_ARN" --tags Key=team,Value=data
expect_exit 0 awsc rds list-tags-for-resource --resource-name "$DB_ARN" --query 'TagList[].[Key,Value]' --output text
same "env	prod
team	data" out.txt
expect_exit 0 awsc rds add-tags-to-resource --resource-name arn:aws:rds:us-east-1:000000000000:snapshot:orders-snap-1 --tags Key=keep,Value=yes
expect_exit 0 awsc rds list-tags-for-resource --resource-name arn:aws:rds:us-east-1:000000000000:snapshot:orders-snap-1 --query 'TagList[0].Key' --output text
same "keep" out.txt
expect_exit 254 awsc rds list-tags-for-resource --resource-name arn:aws:rds:us-east-1:000000000000:db:nope-db
contains err.txt "DBInstanceNotFound"

# ---- delete: a final snapshot is required unless skipped; deleting, then gone
expect_exit 254 awsc rds delete-db-instance --db-instance-identifier orders-clone
contains err.txt "InvalidParameterCombination"
expect_exit 0 awsc rds delete-db-instance --db-instance-identifier orders-clone --final-db-snapshot-identifier orders-clone-final \
    --query 'DBInstance.DBInstanceStatus' --output text
same "deleting" out.txt
expect_exit 0 awsc rds delete-db-instance --db-instance-identifier mysql-copy --skip-final-snapshot --query 'DBInstance.DBInstanceStatus' --output text
same "deleting" out.txt
expect_exit 0 awsc rds describe-db-snapshots --db-snapshot-identifier orders-clone-final --query 'DBSnapshots[0].Status' --output text
same "creating" out.txt
advance 301
expect_exit 0 awsc rds describe-db-instances --query 'DBInstances[].DBInstanceIdentifier' --output text
same "orders-db" out.txt
expect_exit 0 awsc rds delete-db-snapshot --db-snapshot-identifier orders-clone-final --query 'DBSnapshot.Status' --output text
same "deleted" out.txt
expect_exit 254 awsc rds delete-db-snapshot --db-snapshot-identifier orders-clone-final
contains err.txt "DBSnapshotNotFound"

# ---- the time scale: at 600x a 10-minute restore takes a second
sim_stop
sim_start --seed seed.json --time-scale 600
expect_exit 0 awsc rds restore-db-instance-from-db-snapshot --db-instance-identifier fast --db-snapshot-identifier old-snap \
    --query 'DBInstance.DBInstanceStatus' --output text
same "creating" out.txt
sleep 1.1
expect_exit 0 awsc rds describe-db-instances --db-instance-identifier fast --query 'DBInstances[0].DBInstanceStatus' --output text
same "available" out.txt
finish
