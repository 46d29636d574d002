//! M2xx, names and types: references that resolve to nothing or to the
//! wrong kind of thing, duplicate names, unknown attributes, values of the
//! wrong type or unit, and values outside the limits AWS enforces.
//! Constructed by `model` while it resolves a file.

pub mod aws_limit;
pub mod caller_timeout_too_short;
pub mod conflicting_attributes;
pub mod duplicate_attribute;
pub mod duplicate_name;
pub mod firewall_deny;
pub mod invalid_fargate_size;
pub mod invalid_value;
pub mod logical_id_collision;
pub mod missing_attribute;
pub mod missing_port;
pub mod sync_call_cycle;
pub mod system_declaration;
pub mod template_too_large;
pub mod type_mismatch;
pub mod unknown_attribute;
pub mod unknown_name;
pub mod unknown_unit;
pub mod unusable_via;
pub mod unused_declaration;
pub mod value_out_of_range;
pub mod wrong_kind;
