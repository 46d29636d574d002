//! Log groups: where a service, a saga, a network's flow logs or a web
//! ACL write, each with its retention and encrypted with the system key.

use super::{Kind, Resource, Value, system_key};
use crate::emit::names::PhysicalName;

/// The retention under which checkov asks for a reason (`CKV_AWS_338`: a
/// year).
const RETENTION_WITHOUT_REASON: u64 = 365;

/// The log group `base`, named `name`, keeping events `days` days.
pub fn log_group(base: &str, name: PhysicalName, days: u64) -> Resource {
    let group = Resource::new(Kind::LogGroup, base)
        .with("LogGroupName", Value::Name(name))
        .with("RetentionInDays", days)
        .with("KmsKeyId", system_key());
    if days < RETENTION_WITHOUT_REASON {
        group.waive(
            "CKV_AWS_338",
            format!("the retention is the service's declared log_retention of {days} days"),
        )
    } else {
        group
    }
}
