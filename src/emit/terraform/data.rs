//! `data.tf`: DynamoDB tables (keys, indexes, billing, PITR, SSE with the
//! system key, TTL, streams, deletion protection) and RDS databases (subnet
//! group, parameter group that refuses unencrypted connections, encrypted
//! storage, a master password RDS keeps in Secrets Manager, IAM
//! authentication, backups, logs, enhanced monitoring, Performance
//! Insights), each behind the security group the graph derived for it;
//! S3 buckets, Secrets Manager secrets and Parameter Store parameters.

use hcl::Block;

use super::Context;
use super::writer::{
    TfFile, aws_name, data, list, physical_name, reference, resource, strings, template,
};
use crate::emit::{datastores, names};
use crate::graph::iam::Principal;
use crate::graph::network::Guarded;
use crate::model::aws_names::NameKind;
use crate::model::{Billing, Bucket, Database, DatabaseId, Projection, StreamView, Table};

pub(super) fn data_stores(context: &Context<'_>) -> TfFile {
    let mut file = TfFile::new(context);
    for table in &context.system.tables {
        add_table(&mut file, context, table);
    }
    for (index, database) in context.system.databases.iter().enumerate() {
        add_database(&mut file, context, DatabaseId(index), database);
    }
    for bucket in &context.system.buckets {
        add_bucket(&mut file, context, bucket);
    }
    for secret in &context.system.secrets {
        super::infra::add(
            &mut file,
            context,
            crate::emit::infra::data::secret(context, secret),
        );
    }
    for parameter in &context.system.parameters {
        let parameter = crate::emit::infra::data::parameter(context, parameter);
        super::infra::add(&mut file, context, parameter);
    }
    file
}

/// A declared bucket: encrypted with the system key (with an S3 bucket key,
/// so that S3 asks KMS once per object batch, not per request), versioned,
/// closed to the public and to ACLs, TLS only, and expiring what its
/// declaration says; old versions go after 30 days and abandoned uploads
/// after 7.
fn add_bucket(file: &mut TfFile, context: &Context<'_>, bucket: &Bucket) {
    let label = bucket.name.text.as_str();
    let own = |attribute: &str| reference(&format!("aws_s3_bucket.{label}.{attribute}"));
    file.add(
        resource("aws_s3_bucket", label)
            .add_attribute(("bucket", physical_name(&names::bucket(context, label))))
            .add_attribute(("force_destroy", !bucket.deletion_protection))
            .build(),
    );
    if !bucket.doc.is_empty() {
        file.note_above(&bucket.doc.join(" "));
    }
    for (check, why) in datastores::BUCKET_SKIPS {
        file.note_inside(&format!("#checkov:skip={check}:{why}"));
    }
    add_bucket_closure(file, label);
    file.add(
        resource("aws_s3_bucket_server_side_encryption_configuration", label)
            .add_attribute(("bucket", own("id")))
            .add_block(
                Block::builder("rule")
                    .add_block(
                        Block::builder("apply_server_side_encryption_by_default")
                            .add_attribute(("sse_algorithm", "aws:kms"))
                            .add_attribute((
                                "kms_master_key_id",
                                reference("aws_kms_key.system.arn"),
                            ))
                            .build(),
                    )
                    .add_attribute(("bucket_key_enabled", true))
                    .build(),
            )
            .build(),
    );
    add_bucket_versioning(file, label);
    let lifecycle = datastores::bucket_lifecycle(bucket);
    let mut rule = Block::builder("rule")
        .add_attribute(("id", lifecycle.id))
        .add_attribute(("status", "Enabled"))
        .add_block(Block::builder("filter").build());
    if let Some(days) = lifecycle.expiration_days {
        rule = rule.add_block(
            Block::builder("expiration")
                .add_attribute(("days", days))
                .build(),
        );
    }
    file.add(
        resource("aws_s3_bucket_lifecycle_configuration", label)
            .add_attribute(("bucket", own("id")))
            .add_block(
                rule.add_block(
                    Block::builder("noncurrent_version_expiration")
                        .add_attribute(("noncurrent_days", lifecycle.noncurrent_days))
                        .build(),
                )
                .add_block(
                    Block::builder("abort_incomplete_multipart_upload")
                        .add_attribute(("days_after_initiation", lifecycle.abandoned_upload_days))
                        .build(),
                )
                .build(),
            )
            .build(),
    );
    let policy = format!("{label}--bucket");
    file.add(
        data("aws_iam_policy_document", &policy)
            .add_block(bucket_tls_only(label))
            .build(),
    );
    file.add(
        resource("aws_s3_bucket_policy", label)
            .add_attribute(("bucket", own("id")))
            .add_attribute((
                "policy",
                reference(&format!("data.aws_iam_policy_document.{policy}.json")),
            ))
            .add_attribute((
                "depends_on",
                list([reference(&format!(
                    "aws_s3_bucket_public_access_block.{label}"
                ))]),
            ))
            .build(),
    );
}

/// A bucket closed to the public and to ACLs: its public access block and
/// its ownership controls (every object is the bucket owner's).
pub(super) fn add_bucket_closure(file: &mut TfFile, label: &str) {
    let bucket = reference(&format!("aws_s3_bucket.{label}.id"));
    file.add(
        resource("aws_s3_bucket_public_access_block", label)
            .add_attribute(("bucket", bucket.clone()))
            .add_attribute(("block_public_acls", true))
            .add_attribute(("block_public_policy", true))
            .add_attribute(("ignore_public_acls", true))
            .add_attribute(("restrict_public_buckets", true))
            .build(),
    );
    file.add(
        resource("aws_s3_bucket_ownership_controls", label)
            .add_attribute(("bucket", bucket))
            .add_block(
                Block::builder("rule")
                    .add_attribute(("object_ownership", "BucketOwnerEnforced"))
                    .build(),
            )
            .build(),
    );
}

pub(super) fn add_bucket_versioning(file: &mut TfFile, label: &str) {
    file.add(
        resource("aws_s3_bucket_versioning", label)
            .add_attribute(("bucket", reference(&format!("aws_s3_bucket.{label}.id"))))
            .add_block(
                Block::builder("versioning_configuration")
                    .add_attribute(("status", "Enabled"))
                    .build(),
            )
            .build(),
    );
}

/// The bucket policy statement that refuses requests without TLS.
pub(super) fn bucket_tls_only(label: &str) -> Block {
    Block::builder("statement")
        .add_attribute(("sid", "DenyInsecureTransport"))
        .add_attribute(("effect", "Deny"))
        .add_attribute(("actions", strings(["s3:*"])))
        .add_attribute((
            "resources",
            list([
                reference(&format!("aws_s3_bucket.{label}.arn")),
                template(&format!("${{aws_s3_bucket.{label}.arn}}/*")),
            ]),
        ))
        .add_block(
            Block::builder("principals")
                .add_attribute(("type", "*"))
                .add_attribute(("identifiers", strings(["*"])))
                .build(),
        )
        .add_block(
            Block::builder("condition")
                .add_attribute(("test", "Bool"))
                .add_attribute(("variable", "aws:SecureTransport"))
                .add_attribute(("values", strings(["false"])))
                .build(),
        )
        .build()
}

fn add_table(file: &mut TfFile, context: &Context<'_>, table: &Table) {
    let name = table.name.text.as_str();
    let mut block = resource("aws_dynamodb_table", name)
        .add_attribute(("name", aws_name(context, NameKind::Table, name)));
    let provisioned = match table.billing.value {
        Billing::OnDemand => {
            block = block.add_attribute(("billing_mode", "PAY_PER_REQUEST"));
            None
        }
        Billing::Provisioned { reads, writes } => {
            block = block
                .add_attribute(("billing_mode", "PROVISIONED"))
                .add_attribute(("read_capacity", reads))
                .add_attribute(("write_capacity", writes));
            Some((reads, writes))
        }
    };
    block = block.add_attribute(("hash_key", table.partition_key.name.as_str()));
    if let Some(sort) = &table.sort_key {
        block = block.add_attribute(("range_key", sort.name.as_str()));
    }
    block = block.add_attribute(("deletion_protection_enabled", table.deletion_protection));
    if let Some(view) = table.stream {
        block = block
            .add_attribute(("stream_enabled", true))
            .add_attribute((
                "stream_view_type",
                match view {
                    StreamView::KeysOnly => "KEYS_ONLY",
                    StreamView::NewImage => "NEW_IMAGE",
                    StreamView::OldImage => "OLD_IMAGE",
                    StreamView::NewAndOldImages => "NEW_AND_OLD_IMAGES",
                },
            ));
    }
    let keys = datastores::key_attributes(table);
    for key in keys {
        block = block.add_block(
            Block::builder("attribute")
                .add_attribute(("name", key.name.as_str()))
                .add_attribute(("type", datastores::key_type(key.ty)))
                .build(),
        );
    }
    for index in &table.indexes {
        let mut gsi = Block::builder("global_secondary_index")
            .add_attribute(("name", index.name.text.as_str()))
            .add_attribute(("hash_key", index.partition_key.name.as_str()));
        if let Some(sort) = &index.sort_key {
            gsi = gsi.add_attribute(("range_key", sort.name.as_str()));
        }
        gsi = match &index.projection {
            Projection::All => gsi.add_attribute(("projection_type", "ALL")),
            Projection::KeysOnly => gsi.add_attribute(("projection_type", "KEYS_ONLY")),
            Projection::Include(fields) => gsi
                .add_attribute(("projection_type", "INCLUDE"))
                .add_attribute(("non_key_attributes", strings(fields.iter()))),
        };
        if let Some((reads, writes)) = provisioned {
            gsi = gsi
                .add_attribute(("read_capacity", reads))
                .add_attribute(("write_capacity", writes));
        }
        block = block.add_block(gsi.build());
    }
    block = block
        .add_block(
            Block::builder("point_in_time_recovery")
                .add_attribute(("enabled", table.point_in_time_recovery.value))
                .build(),
        )
        .add_block(
            Block::builder("server_side_encryption")
                .add_attribute(("enabled", true))
                .add_attribute(("kms_key_arn", reference("aws_kms_key.system.arn")))
                .build(),
        );
    if let Some(ttl) = &table.ttl {
        block = block.add_block(
            Block::builder("ttl")
                .add_attribute(("attribute_name", ttl.as_str()))
                .add_attribute(("enabled", true))
                .build(),
        );
    }
    file.add(block.build());
    if !table.doc.is_empty() {
        file.note_above(&table.doc.join("\n"));
    }
    if provisioned.is_some() {
        file.note_inside("#checkov:skip=CKV2_AWS_16:the capacity is the table's declared provisioned billing; scaling it is left to the team that declared it",
        );
    }
    if !table.point_in_time_recovery.value {
        file.note_inside(
            "#checkov:skip=CKV_AWS_28:point_in_time_recovery = false is declared for this table",
        );
    }
}

fn add_database(file: &mut TfFile, context: &Context<'_>, id: DatabaseId, database: &Database) {
    let system = context.system;
    let name = database.name.text.as_str();
    let engine = database.engine.value;
    let Some(subnet) = database.subnet else {
        return;
    };
    let subnet = names::subnet(system, subnet.value);
    file.add(
        resource("aws_db_subnet_group", name)
            .add_attribute(("name", aws_name(context, NameKind::DbSubnetGroup, name)))
            .add_attribute((
                "description",
                format!("The {subnet} subnets of database {name}"),
            ))
            .add_attribute((
                "subnet_ids",
                reference(&format!("aws_subnet.{subnet}[*].id")),
            ))
            .build(),
    );
    let version = database
        .version
        .clone()
        .unwrap_or_else(|| datastores::default_version(engine).to_string());
    let aurora = engine.is_aurora();
    let (group_kind, group_name) = if aurora {
        (
            "aws_rds_cluster_parameter_group",
            NameKind::DbClusterParameterGroup,
        )
    } else {
        ("aws_db_parameter_group", NameKind::DbParameterGroup)
    };
    let mut group = resource(group_kind, name)
        .add_attribute(("name", aws_name(context, group_name, name)))
        .add_attribute(("family", datastores::family(engine, &version)))
        .add_attribute((
            "description",
            format!("Database {name}: encrypted connections only, slow statements logged"),
        ));
    for (parameter, value) in datastores::parameters(engine) {
        group = group.add_block(
            Block::builder("parameter")
                .add_attribute(("name", parameter))
                .add_attribute(("value", value))
                .build(),
        );
    }
    file.add(group.build());
    let security_group = list([reference(&format!(
        "aws_security_group.{}.id",
        names::guarded(system, Guarded::Database(id))
    ))]);
    let monitoring = names::role(system, context.graph, Principal::DatabaseMonitoring(id));
    let monitoring_permissions = super::references::prerequisites(
        context,
        &[crate::emit::ordering::assumes(
            Principal::DatabaseMonitoring(id),
        )],
    );
    let common = |block: hcl::BlockBuilder| {
        block
            .add_attribute(("engine", engine.as_str()))
            .add_attribute(("engine_version", version.as_str()))
    };
    let note = crate::emit::notes::database(database).join("\n");
    if aurora {
        let cluster = common(resource("aws_rds_cluster", name))
            .add_attribute((
                "cluster_identifier",
                aws_name(context, NameKind::DbCluster, name),
            ))
            .add_attribute(("master_username", "dbadmin"))
            .add_attribute(("manage_master_user_password", true))
            .add_attribute((
                "master_user_secret_kms_key_id",
                reference("aws_kms_key.system.key_id"),
            ))
            .add_attribute(("port", database.port.value))
            .add_attribute((
                "db_subnet_group_name",
                reference(&format!("aws_db_subnet_group.{name}.name")),
            ))
            .add_attribute(("vpc_security_group_ids", security_group))
            .add_attribute((
                "db_cluster_parameter_group_name",
                reference(&format!("aws_rds_cluster_parameter_group.{name}.name")),
            ))
            .add_attribute(("storage_encrypted", true))
            .add_attribute(("kms_key_id", reference("aws_kms_key.system.arn")))
            .add_attribute((
                "backup_retention_period",
                database.backup_retention.value.as_days_ceil(),
            ))
            .add_attribute(("copy_tags_to_snapshot", true))
            .add_attribute(("deletion_protection", database.deletion_protection))
            .add_attribute(("skip_final_snapshot", false))
            .add_attribute((
                "final_snapshot_identifier",
                physical_name(&names::final_snapshot(context, name)),
            ))
            .add_attribute(("iam_database_authentication_enabled", true))
            .add_attribute((
                "enabled_cloudwatch_logs_exports",
                strings(datastores::log_exports(engine)),
            ))
            .build();
        file.add(cluster);
        file.note_above(&note);
        let instances: u64 = if database.multi_az.value { 2 } else { 1 };
        let instance = resource("aws_rds_cluster_instance", name)
            .add_attribute(("count", instances))
            .add_attribute((
                "identifier",
                physical_name(&names::counted(context, NameKind::DbInstance, name)),
            ))
            .add_attribute((
                "cluster_identifier",
                reference(&format!("aws_rds_cluster.{name}.id")),
            ))
            .add_attribute(("instance_class", database.class.value.as_str()))
            .add_attribute((
                "engine",
                reference(&format!("aws_rds_cluster.{name}.engine")),
            ))
            .add_attribute((
                "engine_version",
                reference(&format!("aws_rds_cluster.{name}.engine_version")),
            ))
            .add_attribute(("publicly_accessible", false))
            .add_attribute(("auto_minor_version_upgrade", true))
            .add_attribute(("monitoring_interval", 60))
            .add_attribute((
                "monitoring_role_arn",
                reference(&format!("aws_iam_role.{monitoring}.arn")),
            ))
            .add_attribute(("depends_on", list(monitoring_permissions.clone())))
            .add_attribute(("performance_insights_enabled", true))
            .add_attribute((
                "performance_insights_kms_key_id",
                reference("aws_kms_key.system.arn"),
            ))
            .build();
        file.add(instance);
    } else {
        let storage = database.storage.value.as_gib_ceil();
        let instance = common(resource("aws_db_instance", name))
            .add_attribute(("identifier", aws_name(context, NameKind::DbInstance, name)))
            .add_attribute(("instance_class", database.class.value.as_str()))
            .add_attribute(("allocated_storage", storage))
            .add_attribute(("max_allocated_storage", storage * 4))
            .add_attribute(("storage_type", "gp3"))
            .add_attribute(("storage_encrypted", true))
            .add_attribute(("kms_key_id", reference("aws_kms_key.system.arn")))
            .add_attribute(("username", "dbadmin"))
            .add_attribute(("manage_master_user_password", true))
            .add_attribute((
                "master_user_secret_kms_key_id",
                reference("aws_kms_key.system.key_id"),
            ))
            .add_attribute(("port", database.port.value))
            .add_attribute((
                "db_subnet_group_name",
                reference(&format!("aws_db_subnet_group.{name}.name")),
            ))
            .add_attribute(("vpc_security_group_ids", security_group))
            .add_attribute((
                "parameter_group_name",
                reference(&format!("aws_db_parameter_group.{name}.name")),
            ))
            .add_attribute(("multi_az", database.multi_az.value))
            .add_attribute(("publicly_accessible", false))
            .add_attribute((
                "backup_retention_period",
                database.backup_retention.value.as_days_ceil(),
            ))
            .add_attribute(("copy_tags_to_snapshot", true))
            .add_attribute(("deletion_protection", database.deletion_protection))
            .add_attribute(("skip_final_snapshot", false))
            .add_attribute((
                "final_snapshot_identifier",
                physical_name(&names::final_snapshot(context, name)),
            ))
            .add_attribute(("iam_database_authentication_enabled", true))
            .add_attribute(("auto_minor_version_upgrade", true))
            .add_attribute((
                "enabled_cloudwatch_logs_exports",
                strings(datastores::log_exports(engine)),
            ))
            .add_attribute(("monitoring_interval", 60))
            .add_attribute((
                "monitoring_role_arn",
                reference(&format!("aws_iam_role.{monitoring}.arn")),
            ))
            .add_attribute(("depends_on", list(monitoring_permissions.clone())))
            .add_attribute(("performance_insights_enabled", true))
            .add_attribute((
                "performance_insights_kms_key_id",
                reference("aws_kms_key.system.arn"),
            ))
            .build();
        file.add(instance);
        file.note_above(&note);
        if !database.multi_az.value {
            file.note_inside(
                "#checkov:skip=CKV_AWS_157:multi_az is not declared for this database; a standby doubles its price",
            );
        }
    }
}
