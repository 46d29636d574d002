//! What both infrastructure backends say about data stores: the types of
//! DynamoDB key attributes, and for RDS the engine version pinned when none
//! is declared, its parameter group family, the parameters that refuse
//! unencrypted connections and log slow statements, and the exported logs.

use crate::model::{Engine, Key, KeyType, Table};

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
