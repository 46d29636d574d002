//! DynamoDB tables and RDS databases (Terraform's `data.tf`): keys,
//! indexes, billing, point-in-time recovery, encryption with the system key,
//! TTL, streams and deletion protection; for RDS the subnet group, the
//! parameter group that refuses unencrypted connections, a master password
//! RDS keeps in Secrets Manager, IAM authentication, backups, logs,
//! enhanced monitoring and Performance Insights. A table is retained and a
//! database snapshotted when the stack deletes it, as Terraform's final
//! snapshot does.

use serde_json::{Map, Value as Json, json};

use super::{Context, Template, attribute, aws_name, id, physical_name, reference, references};
use crate::emit::{datastores, names};
use crate::graph::iam::Principal;
use crate::graph::network::Guarded;
use crate::model::aws_names::NameKind;
use crate::model::{
    Billing, Bucket, BucketId, DataStore, Database, DatabaseId, Key, Projection, StreamView, Table,
    TableId,
};

pub(super) fn data_stores(context: &Context<'_>, template: &mut Template) {
    for (index, table) in context.system.tables.iter().enumerate() {
        add_table(template, context, TableId(index), table);
    }
    for (index, database) in context.system.databases.iter().enumerate() {
        add_database(template, context, DatabaseId(index), database);
    }
    for (index, bucket) in context.system.buckets.iter().enumerate() {
        add_bucket(template, context, BucketId(index), bucket);
    }
    for secret in &context.system.secrets {
        let secret = crate::emit::infra::data::secret(context, secret);
        super::infra::add(context, template, &secret);
    }
    for parameter in &context.system.parameters {
        let parameter = crate::emit::infra::data::parameter(context, parameter);
        super::infra::add(context, template, &parameter);
    }
}

/// A declared bucket, as Terraform's: encrypted with the system key and a
/// bucket key, versioned, closed to the public and to ACLs, TLS only,
/// expiring what its declaration says.
fn add_bucket(template: &mut Template, context: &Context<'_>, id: BucketId, bucket: &Bucket) {
    let name = bucket.name.text.as_str();
    let logical = references::store(context, DataStore::Bucket(id));
    let lifecycle = datastores::bucket_lifecycle(bucket);
    let mut rule = json!({
        "Id": lifecycle.id,
        "Status": "Enabled",
        "NoncurrentVersionExpiration": { "NoncurrentDays": lifecycle.noncurrent_days },
        "AbortIncompleteMultipartUpload": {
            "DaysAfterInitiation": lifecycle.abandoned_upload_days,
        },
    });
    if let Some(days) = lifecycle.expiration_days {
        super::set(&mut rule, "ExpirationInDays", Json::from(days));
    }
    let resource = template.add(
        logical.clone(),
        &format!("bucket {name}"),
        "AWS::S3::Bucket",
        json!({
            "BucketName": physical_name(context, &names::bucket(context, name)),
            "PublicAccessBlockConfiguration": public_access_blocked(),
            "OwnershipControls": owner_enforced(),
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [{
                    "ServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": super::key_arn(),
                    },
                    "BucketKeyEnabled": true,
                }],
            },
            "VersioningConfiguration": { "Status": "Enabled" },
            "LifecycleConfiguration": { "Rules": [rule] },
        }),
    );
    if bucket.deletion_protection {
        resource.keep_on_delete("RetainExceptOnCreate");
    }
    if !bucket.doc.is_empty() {
        resource.note(&bucket.doc.join(" "));
    }
    for (check, why) in datastores::BUCKET_SKIPS {
        resource.skip(check, why);
    }
    template.add(
        super::id(name, "BucketPolicy"),
        &format!("bucket {name}"),
        "AWS::S3::BucketPolicy",
        json!({
            "Bucket": reference(&logical),
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [
                        attribute(&logical, "Arn"),
                        super::sub(&format!("${{{logical}.Arn}}/*")),
                    ],
                    "Condition": { "Bool": { "aws:SecureTransport": "false" } },
                }],
            },
        }),
    );
}

/// A bucket closed to the public: no public ACL or policy takes effect.
pub(super) fn public_access_blocked() -> Json {
    json!({
        "BlockPublicAcls": true,
        "BlockPublicPolicy": true,
        "IgnorePublicAcls": true,
        "RestrictPublicBuckets": true,
    })
}

/// Every object is the bucket owner's, and ACLs are off.
pub(super) fn owner_enforced() -> Json {
    json!({ "Rules": [{ "ObjectOwnership": "BucketOwnerEnforced" }] })
}

fn key_schema(partition: &Key, sort: Option<&Key>) -> Json {
    let mut schema = vec![json!({ "AttributeName": partition.name, "KeyType": "HASH" })];
    if let Some(sort) = sort {
        schema.push(json!({ "AttributeName": sort.name, "KeyType": "RANGE" }));
    }
    Json::Array(schema)
}

fn add_table(template: &mut Template, context: &Context<'_>, table_id: TableId, table: &Table) {
    let name = table.name.text.as_str();
    let mut properties = Map::new();
    properties.insert("TableName".into(), aws_name(context, NameKind::Table, name));
    let provisioned = match table.billing.value {
        Billing::OnDemand => {
            properties.insert("BillingMode".into(), Json::from("PAY_PER_REQUEST"));
            None
        }
        Billing::Provisioned { reads, writes } => {
            properties.insert("BillingMode".into(), Json::from("PROVISIONED"));
            properties.insert(
                "ProvisionedThroughput".into(),
                json!({ "ReadCapacityUnits": reads, "WriteCapacityUnits": writes }),
            );
            Some((reads, writes))
        }
    };
    properties.insert(
        "KeySchema".into(),
        key_schema(&table.partition_key, table.sort_key.as_ref()),
    );
    let keys = datastores::key_attributes(table);
    properties.insert(
        "AttributeDefinitions".into(),
        Json::Array(
            keys.iter()
                .map(|key| {
                    json!({ "AttributeName": key.name, "AttributeType": datastores::key_type(key.ty) })
                })
                .collect(),
        ),
    );
    if !table.indexes.is_empty() {
        let indexes: Vec<Json> = table
            .indexes
            .iter()
            .map(|index| {
                let projection = match &index.projection {
                    Projection::All => json!({ "ProjectionType": "ALL" }),
                    Projection::KeysOnly => json!({ "ProjectionType": "KEYS_ONLY" }),
                    Projection::Include(fields) => {
                        json!({ "ProjectionType": "INCLUDE", "NonKeyAttributes": fields })
                    }
                };
                let mut gsi = json!({
                    "IndexName": index.name.text,
                    "KeySchema": key_schema(&index.partition_key, index.sort_key.as_ref()),
                    "Projection": projection,
                });
                if let Some((reads, writes)) = provisioned {
                    super::set(
                        &mut gsi,
                        "ProvisionedThroughput",
                        json!({ "ReadCapacityUnits": reads, "WriteCapacityUnits": writes }),
                    );
                }
                gsi
            })
            .collect();
        properties.insert("GlobalSecondaryIndexes".into(), Json::Array(indexes));
    }
    properties.insert(
        "DeletionProtectionEnabled".into(),
        template.deletion_protection(table.deletion_protection),
    );
    if let Some(view) = table.stream {
        properties.insert(
            "StreamSpecification".into(),
            json!({ "StreamViewType": match view {
                StreamView::KeysOnly => "KEYS_ONLY",
                StreamView::NewImage => "NEW_IMAGE",
                StreamView::OldImage => "OLD_IMAGE",
                StreamView::NewAndOldImages => "NEW_AND_OLD_IMAGES",
            } }),
        );
    }
    properties.insert(
        "PointInTimeRecoverySpecification".into(),
        json!({ "PointInTimeRecoveryEnabled": table.point_in_time_recovery.value }),
    );
    properties.insert(
        "SSESpecification".into(),
        json!({ "SSEEnabled": true, "SSEType": "KMS", "KMSMasterKeyId": super::key_arn() }),
    );
    if let Some(ttl) = &table.ttl {
        properties.insert(
            "TimeToLiveSpecification".into(),
            json!({ "AttributeName": ttl, "Enabled": true }),
        );
    }
    let resource = template.add(
        references::table(context, table_id),
        name,
        "AWS::DynamoDB::Table",
        Json::Object(properties),
    );
    resource.keep_on_delete("RetainExceptOnCreate");
    if !table.doc.is_empty() {
        resource.note(&table.doc.join(" "));
    }
    if !table.point_in_time_recovery.value {
        resource.skip(
            "CKV_AWS_28",
            "point_in_time_recovery = false is declared for this table",
        );
    }
}

fn add_database(
    template: &mut Template,
    context: &Context<'_>,
    database_id: DatabaseId,
    database: &Database,
) {
    let system = context.system;
    let name = database.name.text.as_str();
    let engine = database.engine.value;
    let Some(subnet) = database.subnet else {
        return;
    };
    let subnet_name = names::subnet(system, subnet.value);
    template.add(
        id(name, "SubnetGroup"),
        name,
        "AWS::RDS::DBSubnetGroup",
        json!({
            "DBSubnetGroupName": aws_name(context, NameKind::DbSubnetGroup, name),
            "DBSubnetGroupDescription": format!("The {subnet_name} subnets of database {name}"),
            "SubnetIds": super::subnet_ids(context, subnet.value),
        }),
    );
    let version = database
        .version
        .clone()
        .unwrap_or_else(|| datastores::default_version(engine).to_string());
    let aurora = engine.is_aurora();
    let parameters: Map<String, Json> = datastores::parameters(engine)
        .into_iter()
        .map(|(key, value)| (key.to_string(), Json::from(value)))
        .collect();
    let description =
        format!("Database {name}: encrypted connections only, slow statements logged");
    let family = datastores::family(engine, &version);
    if aurora {
        template.add(
            id(name, "ParameterGroup"),
            name,
            "AWS::RDS::DBClusterParameterGroup",
            json!({
                "DBClusterParameterGroupName": aws_name(context, NameKind::DbClusterParameterGroup, name),
                "Family": family,
                "Description": description,
                "Parameters": parameters,
            }),
        );
    } else {
        template.add(
            id(name, "ParameterGroup"),
            name,
            "AWS::RDS::DBParameterGroup",
            json!({
                "DBParameterGroupName": aws_name(context, NameKind::DbParameterGroup, name),
                "Family": family,
                "Description": description,
                "Parameters": parameters,
            }),
        );
    }
    let security_groups = json!([super::group_id(context, Guarded::Database(database_id))]);
    let monitoring = attribute(
        &references::role(context, Principal::DatabaseMonitoring(database_id)),
        "Arn",
    );
    let secret = json!({ "KmsKeyId": reference(super::settings::KEY) });
    let protection = template.deletion_protection(database.deletion_protection);
    let logical = references::database(system, database_id);
    let note = crate::emit::notes::database(database).join(" ");
    if aurora {
        template
            .add(
                logical.clone(),
                name,
                "AWS::RDS::DBCluster",
                json!({
                    "DBClusterIdentifier": aws_name(context, NameKind::DbCluster, name),
                    "Engine": engine.as_str(),
                    "EngineVersion": version,
                    "MasterUsername": "dbadmin",
                    "ManageMasterUserPassword": true,
                    "MasterUserSecret": secret,
                    "Port": database.port.value,
                    "DBSubnetGroupName": reference(&id(name, "SubnetGroup")),
                    "VpcSecurityGroupIds": security_groups,
                    "DBClusterParameterGroupName": reference(&id(name, "ParameterGroup")),
                    "StorageEncrypted": true,
                    "KmsKeyId": super::key_arn(),
                    "BackupRetentionPeriod": database.backup_retention.value.as_days_ceil(),
                    "CopyTagsToSnapshot": true,
                    "DeletionProtection": protection,
                    "EnableIAMDatabaseAuthentication": true,
                    "EnableCloudwatchLogsExports": datastores::log_exports(engine),
                }),
            )
            .keep_on_delete("Snapshot")
            .note(&note);
        let instances = if database.multi_az.value { 2 } else { 1 };
        for instance in 0..instances {
            template.add(
                super::counted(name, "Instance", instance),
                name,
                "AWS::RDS::DBInstance",
                json!({
                    "DBInstanceIdentifier": physical_name(context, &names::counted(context, NameKind::DbInstance, name).in_zone(instance)),
                    "DBClusterIdentifier": reference(&logical),
                    "DBInstanceClass": database.class.value,
                    "Engine": engine.as_str(),
                    "PubliclyAccessible": false,
                    "AutoMinorVersionUpgrade": true,
                    "MonitoringInterval": 60,
                    "MonitoringRoleArn": monitoring,
                    "EnablePerformanceInsights": true,
                    "PerformanceInsightsKMSKeyId": super::key_arn(),
                }),
            );
        }
        return;
    }
    let storage = database.storage.value.as_gib_ceil();
    let resource = template.add(
        logical,
        name,
        "AWS::RDS::DBInstance",
        json!({
            "DBInstanceIdentifier": aws_name(context, NameKind::DbInstance, name),
            "Engine": engine.as_str(),
            "EngineVersion": version,
            "DBInstanceClass": database.class.value,
            "AllocatedStorage": storage.to_string(),
            "MaxAllocatedStorage": storage * 4,
            "StorageType": "gp3",
            "StorageEncrypted": true,
            "KmsKeyId": super::key_arn(),
            "MasterUsername": "dbadmin",
            "ManageMasterUserPassword": true,
            "MasterUserSecret": secret,
            "Port": database.port.value.to_string(),
            "DBSubnetGroupName": reference(&id(name, "SubnetGroup")),
            "VPCSecurityGroups": security_groups,
            "DBParameterGroupName": reference(&id(name, "ParameterGroup")),
            "MultiAZ": database.multi_az.value,
            "PubliclyAccessible": false,
            "BackupRetentionPeriod": database.backup_retention.value.as_days_ceil(),
            "CopyTagsToSnapshot": true,
            "DeletionProtection": protection,
            "EnableIAMDatabaseAuthentication": true,
            "AutoMinorVersionUpgrade": true,
            "EnableCloudwatchLogsExports": datastores::log_exports(engine),
            "MonitoringInterval": 60,
            "MonitoringRoleArn": monitoring,
            "EnablePerformanceInsights": true,
            "PerformanceInsightsKMSKeyId": super::key_arn(),
        }),
    );
    resource.keep_on_delete("Snapshot").note(&note);
    if database.version.is_none() || !version.contains('.') {
        resource.lint_ignore(
            "W3691",
            "a major version alone lets RDS create the instance with that major version's current minor version, which cfn-lint's list of versions does not model",
        );
    }
    if !database.multi_az.value {
        resource.skip(
            "CKV_AWS_157",
            "multi_az is not declared for this database; a standby doubles its price",
        );
    }
}
