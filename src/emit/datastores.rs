//! What both infrastructure backends say about data stores: the types of
//! DynamoDB key attributes, and for RDS the engine version pinned when none
//! is declared, its parameter group family, the parameters that refuse
//! unencrypted connections and log slow statements, and the exported logs;
//! the lifecycle of a declared bucket and the checks a bucket, a secret and
//! a parameter answer with a reason.

use crate::model::{Bucket, Engine, Key, KeyType, Table};

/// What a declared bucket keeps: current objects for `expire`, when
/// declared; replaced and deleted versions for 30 days (long enough to undo
/// a bad write found in review, short enough not to pay for every
/// overwrite forever); uploads abandoned half-way for 7 days.
#[derive(Debug)]
pub struct BucketLifecycle {
    pub id: &'static str,
    pub expiration_days: Option<u64>,
    pub noncurrent_days: u64,
    pub abandoned_upload_days: u64,
}

pub fn bucket_lifecycle(bucket: &Bucket) -> BucketLifecycle {
    BucketLifecycle {
        id: if bucket.expire.is_some() {
            "expire-objects"
        } else {
            "expire-old-versions"
        },
        expiration_days: bucket.expire.map(|expire| {
            expire.value.as_millis() / crate::model::units::Duration::from_days(1).as_millis()
        }),
        noncurrent_days: 30,
        abandoned_upload_days: 7,
    }
}

/// The checkov checks a declared bucket does not meet, and why.
pub const BUCKET_SKIPS: [(&str, &str); 3] = [
    (
        "CKV_AWS_18",
        "the roles meshc derives are the only readers and writers; object-level audit belongs to CloudTrail data events, which the account enables",
    ),
    (
        "CKV_AWS_144",
        "a copy in a second region is a disaster-recovery decision the declaration does not make",
    ),
    (
        "CKV2_AWS_62",
        "nothing in the system reacts to new objects; the services that use the bucket read it when they need to",
    ),
];

/// How long a deleted secret can be restored.
pub const SECRET_RECOVERY_DAYS: u64 = 30;

pub const SECRET_ROTATION_SKIP: (&str, &str) = (
    "CKV2_AWS_57",
    "the value is a credential another party issues; it is rotated by putting its new value (an operator, or a service that uses the secret with write)",
);

pub const PARAMETER_ENCRYPTION_SKIP: (&str, &str) = (
    "CKV2_AWS_34",
    "a parameter holds configuration, not secrets: secrets are `secret` declarations, encrypted with the system key (CloudFormation cannot create a SecureString parameter)",
);

/// `S`, `N` or `B`: the type of a key attribute.
pub fn key_type(ty: KeyType) -> &'static str {
    match ty {
        KeyType::String => "S",
        KeyType::Number => "N",
        KeyType::Binary => "B",
    }
}

/// The major version of an engine meshc pins when none is declared.
pub fn default_version(engine: Engine) -> &'static str {
    match engine {
        Engine::Postgres | Engine::AuroraPostgresql => "16",
        Engine::Mysql | Engine::AuroraMysql => "8.0",
        Engine::Mariadb => "10.11",
    }
}

/// The parameter group family of an engine version: `postgres16`,
/// `mysql8.0`, `mariadb10.11`, `aurora-postgresql16`, `aurora-mysql8.0`.
pub fn family(engine: Engine, version: &str) -> String {
    let mut parts = version.split('.');
    let major = parts.next().unwrap_or(version);
    let major = match engine {
        Engine::Postgres | Engine::AuroraPostgresql => major.to_string(),
        Engine::Mysql | Engine::Mariadb | Engine::AuroraMysql => {
            format!("{major}.{}", parts.next().unwrap_or("0"))
        }
    };
    format!("{}{major}", engine.as_str())
}

/// The parameters that refuse unencrypted connections and turn on the
/// logs exported to CloudWatch.
pub fn parameters(engine: Engine) -> Vec<(&'static str, &'static str)> {
    match engine {
        Engine::Postgres | Engine::AuroraPostgresql => vec![
            ("rds.force_ssl", "1"),
            ("log_min_duration_statement", "1000"),
            ("log_statement", "ddl"),
        ],
        Engine::Mysql | Engine::Mariadb | Engine::AuroraMysql => vec![
            (
                "require_secure_transport",
                if engine == Engine::Mariadb { "1" } else { "ON" },
            ),
            ("slow_query_log", "1"),
            ("long_query_time", "1"),
        ],
    }
}

/// The logs a database engine exports to CloudWatch.
pub fn log_exports(engine: Engine) -> Vec<&'static str> {
    match engine {
        Engine::Postgres | Engine::AuroraPostgresql => vec!["postgresql"],
        Engine::Mysql | Engine::Mariadb | Engine::AuroraMysql => vec!["error", "slowquery"],
    }
}

/// Every key attribute of a table and of its indexes, once each, in the
/// order they are first named: what DynamoDB must be told the type of.
pub fn key_attributes(table: &Table) -> Vec<&Key> {
    let mut keys: Vec<&Key> = Vec::new();
    let every_key =
        std::iter::once(&table.partition_key)
            .chain(table.sort_key.iter())
            .chain(table.indexes.iter().flat_map(|index| {
                std::iter::once(&index.partition_key).chain(index.sort_key.iter())
            }));
    for key in every_key {
        if !keys.iter().any(|known| known.name == key.name) {
            keys.push(key);
        }
    }
    keys
}
