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
    TfFile, attribute, aws_name, data, list, nested_block, physical_name, reference, resource,
    strings, template,
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
            .add_attribute(attribute(
                "bucket",
                physical_name(&names::bucket(context, label)),
            ))
            .add_attribute(attribute("force_destroy", !bucket.deletion_protection))
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
            .add_attribute(attribute("bucket", own("id")))
            .add_block(
                nested_block("rule")
                    .add_block(
                        nested_block("apply_server_side_encryption_by_default")
                            .add_attribute(attribute("sse_algorithm", "aws:kms"))
                            .add_attribute(attribute(
                                "kms_master_key_id",
                                reference("aws_kms_key.system.arn"),
                            ))
                            .build(),
                    )
                    .add_attribute(attribute("bucket_key_enabled", true))
                    .build(),
            )
            .build(),
    );
    add_bucket_versioning(file, label);
    let lifecycle = datastores::bucket_lifecycle(bucket);
    let mut rule = nested_block("rule")
        .add_attribute(attribute("id", lifecycle.id))
        .add_attribute(attribute("status", "Enabled"))
        .add_block(nested_block("filter").build());
    if let Some(days) = lifecycle.expiration_days {
        rule = rule.add_block(
            nested_block("expiration")
                .add_attribute(attribute("days", days))
                .build(),
        );
    }
    file.add(
        resource("aws_s3_bucket_lifecycle_configuration", label)
            .add_attribute(attribute("bucket", own("id")))
            .add_block(
                rule.add_block(
                    nested_block("noncurrent_version_expiration")
                        .add_attribute(attribute("noncurrent_days", lifecycle.noncurrent_days))
                        .build(),
                )
                .add_block(
                    nested_block("abort_incomplete_multipart_upload")
                        .add_attribute(attribute(
                            "days_after_initiation",
                            lifecycle.abandoned_upload_days,
                        ))
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
            .add_attribute(attribute("bucket", own("id")))
            .add_attribute(attribute(
                "policy",
                reference(&format!("data.aws_iam_policy_document.{policy}.json")),
            ))
            .add_attribute(attribute(
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
            .add_attribute(attribute("bucket", bucket.clone()))
            .add_attribute(attribute("block_public_acls", true))
            .add_attribute(attribute("block_public_policy", true))
            .add_attribute(attribute("ignore_public_acls", true))
            .add_attribute(attribute("restrict_public_buckets", true))
            .build(),
    );
    file.add(
        resource("aws_s3_bucket_ownership_controls", label)
            .add_attribute(attribute("bucket", bucket))
            .add_block(
                nested_block("rule")
                    .add_attribute(attribute("object_ownership", "BucketOwnerEnforced"))
                    .build(),
            )
            .build(),
    );
}

pub(super) fn add_bucket_versioning(file: &mut TfFile, label: &str) {
    file.add(
        resource("aws_s3_bucket_versioning", label)
            .add_attribute(attribute(
                "bucket",
                reference(&format!("aws_s3_bucket.{label}.id")),
            ))
            .add_block(
                nested_block("versioning_configuration")
                    .add_attribute(attribute("status", "Enabled"))
                    .build(),
            )
            .build(),
    );
}

/// The bucket policy statement that refuses requests without TLS.
pub(super) fn bucket_tls_only(label: &str) -> Block {
    nested_block("statement")
        .add_attribute(attribute("sid", "DenyInsecureTransport"))
        .add_attribute(attribute("effect", "Deny"))
        .add_attribute(attribute("actions", strings(["s3:*"])))
        .add_attribute(attribute(
            "resources",
            list([
                reference(&format!("aws_s3_bucket.{label}.arn")),
                template(&format!("${{aws_s3_bucket.{label}.arn}}/*")),
            ]),
        ))
        .add_block(
            nested_block("principals")
                .add_attribute(attribute("type", "*"))
                .add_attribute(attribute("identifiers", strings(["*"])))
                .build(),
        )
        .add_block(
            nested_block("condition")
                .add_attribute(attribute("test", "Bool"))
                .add_attribute(attribute("variable", "aws:SecureTransport"))
                .add_attribute(attribute("values", strings(["false"])))
                .build(),
        )
        .build()
}

fn add_table(file: &mut TfFile, context: &Context<'_>, table: &Table) {
    let name = table.name.text.as_str();
    let mut block = resource("aws_dynamodb_table", name)
        .add_attribute(attribute("name", aws_name(context, NameKind::Table, name)));
    let provisioned = match table.billing.value {
        Billing::OnDemand => {
            block = block.add_attribute(attribute("billing_mode", "PAY_PER_REQUEST"));
            None
        }
        Billing::Provisioned { reads, writes } => {
            block = block
                .add_attribute(attribute("billing_mode", "PROVISIONED"))
                .add_attribute(attribute("read_capacity", reads))
                .add_attribute(attribute("write_capacity", writes));
            Some((reads, writes))
        }
    };
    block = block.add_attribute(attribute("hash_key", table.partition_key.name.as_str()));
    if let Some(sort) = &table.sort_key {
        block = block.add_attribute(attribute("range_key", sort.name.as_str()));
    }
    block = block.add_attribute(attribute(
        "deletion_protection_enabled",
        table.deletion_protection,
    ));
    if let Some(view) = table.stream {
        block = block
            .add_attribute(attribute("stream_enabled", true))
            .add_attribute(attribute(
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
            nested_block("attribute")
                .add_attribute(attribute("name", key.name.as_str()))
                .add_attribute(attribute("type", datastores::key_type(key.ty)))
                .build(),
        );
    }
    for index in &table.indexes {
        let mut gsi = nested_block("global_secondary_index")
            .add_attribute(attribute("name", index.name.text.as_str()))
            .add_attribute(attribute("hash_key", index.partition_key.name.as_str()));
        if let Some(sort) = &index.sort_key {
            gsi = gsi.add_attribute(attribute("range_key", sort.name.as_str()));
        }
        gsi = match &index.projection {
            Projection::All => gsi.add_attribute(attribute("projection_type", "ALL")),
            Projection::KeysOnly => gsi.add_attribute(attribute("projection_type", "KEYS_ONLY")),
            Projection::Include(fields) => gsi
                .add_attribute(attribute("projection_type", "INCLUDE"))
                .add_attribute(attribute("non_key_attributes", strings(fields.iter()))),
        };
        if let Some((reads, writes)) = provisioned {
            gsi = gsi
                .add_attribute(attribute("read_capacity", reads))
                .add_attribute(attribute("write_capacity", writes));
        }
        block = block.add_block(gsi.build());
    }
    block = block
        .add_block(
            nested_block("point_in_time_recovery")
                .add_attribute(attribute("enabled", table.point_in_time_recovery.value))
                .build(),
        )
        .add_block(
            nested_block("server_side_encryption")
                .add_attribute(attribute("enabled", true))
                .add_attribute(attribute(
                    "kms_key_arn",
                    reference("aws_kms_key.system.arn"),
                ))
                .build(),
        );
    if let Some(ttl) = &table.ttl {
        block = block.add_block(
            nested_block("ttl")
                .add_attribute(attribute("attribute_name", ttl.as_str()))
                .add_attribute(attribute("enabled", true))
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
            .add_attribute(attribute(
                "name",
                aws_name(context, NameKind::DbSubnetGroup, name),
            ))
            .add_attribute(attribute(
                "description",
                format!("The {subnet} subnets of database {name}"),
            ))
            .add_attribute(attribute(
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
        .add_attribute(attribute("name", aws_name(context, group_name, name)))
        .add_attribute(attribute("family", datastores::family(engine, &version)))
        .add_attribute(attribute(
            "description",
            format!("Database {name}: encrypted connections only, slow statements logged"),
        ));
    for (parameter, value) in datastores::parameters(engine) {
        group = group.add_block(
            nested_block("parameter")
                .add_attribute(attribute("name", parameter))
                .add_attribute(attribute("value", value))
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
            .add_attribute(attribute("engine", engine.as_str()))
            .add_attribute(attribute("engine_version", version.as_str()))
    };
    let note = crate::emit::notes::database(database).join("\n");
    if aurora {
        let cluster = common(resource("aws_rds_cluster", name))
            .add_attribute(attribute(
                "cluster_identifier",
                aws_name(context, NameKind::DbCluster, name),
            ))
            .add_attribute(attribute("master_username", "dbadmin"))
            .add_attribute(attribute("manage_master_user_password", true))
            .add_attribute(attribute(
                "master_user_secret_kms_key_id",
                reference("aws_kms_key.system.key_id"),
            ))
            .add_attribute(attribute("port", database.port.value))
            .add_attribute(attribute(
                "db_subnet_group_name",
                reference(&format!("aws_db_subnet_group.{name}.name")),
            ))
            .add_attribute(attribute("vpc_security_group_ids", security_group))
            .add_attribute(attribute(
                "db_cluster_parameter_group_name",
                reference(&format!("aws_rds_cluster_parameter_group.{name}.name")),
            ))
            .add_attribute(attribute("storage_encrypted", true))
            .add_attribute(attribute("kms_key_id", reference("aws_kms_key.system.arn")))
            .add_attribute(attribute(
                "backup_retention_period",
                database.backup_retention.value.as_days_ceil(),
            ))
            .add_attribute(attribute("copy_tags_to_snapshot", true))
            .add_attribute(attribute(
                "deletion_protection",
                database.deletion_protection,
            ))
            .add_attribute(attribute("skip_final_snapshot", false))
            .add_attribute(attribute(
                "final_snapshot_identifier",
                physical_name(&names::final_snapshot(context, name)),
            ))
            .add_attribute(attribute("iam_database_authentication_enabled", true))
            .add_attribute(attribute(
                "enabled_cloudwatch_logs_exports",
                strings(datastores::log_exports(engine)),
            ))
            .build();
        file.add(cluster);
        file.note_above(&note);
        let instances: u64 = if database.multi_az.value { 2 } else { 1 };
        let instance = resource("aws_rds_cluster_instance", name)
            .add_attribute(attribute("count", instances))
            .add_attribute(attribute(
                "identifier",
                physical_name(&names::counted(context, NameKind::DbInstance, name)),
            ))
            .add_attribute(attribute(
                "cluster_identifier",
                reference(&format!("aws_rds_cluster.{name}.id")),
            ))
            .add_attribute(attribute("instance_class", database.class.value.as_str()))
            .add_attribute(attribute(
                "engine",
                reference(&format!("aws_rds_cluster.{name}.engine")),
            ))
            .add_attribute(attribute(
                "engine_version",
                reference(&format!("aws_rds_cluster.{name}.engine_version")),
            ))
            .add_attribute(attribute("publicly_accessible", false))
            .add_attribute(attribute("auto_minor_version_upgrade", true))
            .add_attribute(attribute("monitoring_interval", 60))
            .add_attribute(attribute(
                "monitoring_role_arn",
                reference(&format!("aws_iam_role.{monitoring}.arn")),
            ))
            .add_attribute(attribute(
                "depends_on",
                list(monitoring_permissions.clone()),
            ))
            .add_attribute(attribute("performance_insights_enabled", true))
            .add_attribute(attribute(
                "performance_insights_kms_key_id",
                reference("aws_kms_key.system.arn"),
            ))
            .build();
        file.add(instance);
    } else {
        let storage = database.storage.value.as_gib_ceil();
        let instance = common(resource("aws_db_instance", name))
            .add_attribute(attribute(
                "identifier",
                aws_name(context, NameKind::DbInstance, name),
            ))
            .add_attribute(attribute("instance_class", database.class.value.as_str()))
            .add_attribute(attribute("allocated_storage", storage))
            .add_attribute(attribute("max_allocated_storage", storage * 4))
            .add_attribute(attribute("storage_type", "gp3"))
            .add_attribute(attribute("storage_encrypted", true))
            .add_attribute(attribute("kms_key_id", reference("aws_kms_key.system.arn")))
            .add_attribute(attribute("username", "dbadmin"))
            .add_attribute(attribute("manage_master_user_password", true))
            .add_attribute(attribute(
                "master_user_secret_kms_key_id",
                reference("aws_kms_key.system.key_id"),
            ))
            .add_attribute(attribute("port", database.port.value))
            .add_attribute(attribute(
                "db_subnet_group_name",
                reference(&format!("aws_db_subnet_group.{name}.name")),
            ))
            .add_attribute(attribute("vpc_security_group_ids", security_group))
            .add_attribute(attribute(
                "parameter_group_name",
                reference(&format!("aws_db_parameter_group.{name}.name")),
            ))
            .add_attribute(attribute("multi_az", database.multi_az.value))
            .add_attribute(attribute("publicly_accessible", false))
            .add_attribute(attribute(
                "backup_retention_period",
                database.backup_retention.value.as_days_ceil(),
            ))
            .add_attribute(attribute("copy_tags_to_snapshot", true))
            .add_attribute(attribute(
                "deletion_protection",
                database.deletion_protection,
            ))
            .add_attribute(attribute("skip_final_snapshot", false))
            .add_attribute(attribute(
                "final_snapshot_identifier",
                physical_name(&names::final_snapshot(context, name)),
            ))
            .add_attribute(attribute("iam_database_authentication_enabled", true))
            .add_attribute(attribute("auto_minor_version_upgrade", true))
            .add_attribute(attribute(
                "enabled_cloudwatch_logs_exports",
                strings(datastores::log_exports(engine)),
            ))
            .add_attribute(attribute("monitoring_interval", 60))
            .add_attribute(attribute(
                "monitoring_role_arn",
                reference(&format!("aws_iam_role.{monitoring}.arn")),
            ))
            .add_attribute(attribute(
                "depends_on",
                list(monitoring_permissions.clone()),
            ))
            .add_attribute(attribute("performance_insights_enabled", true))
            .add_attribute(attribute(
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
