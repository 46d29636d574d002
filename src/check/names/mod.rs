//! M2xx, names and types: references that resolve to nothing or to the
//! wrong kind of thing, duplicate names, unknown attributes, values of the
//! wrong type or unit, and values outside the limits AWS enforces.
//! Constructed by `model` while it resolves a file; the AWS quotas a
//! system can go over (M240–M249, helpers in `quotas`) are rules run over
//! the graph.

pub mod account_quota_exceeded;
pub mod api_without_permission;
pub mod aws_limit;
pub mod caller_timeout_too_short;
pub mod conflicting_attributes;
pub mod duplicate_attribute;
pub mod duplicate_name;
pub mod duration_rounded;
pub mod event_pattern_too_large;
pub mod filter_policy_over_quota;
pub mod firewall_deny;
pub mod hand_written_iam;
pub mod invalid_environment_variable;
pub mod invalid_fargate_size;
pub mod invalid_value;
pub mod lambda_environment_too_large;
pub mod load_balancer_over_quota;
pub mod logical_id_collision;
pub mod missing_attribute;
pub mod missing_port;
pub mod name_too_long;
pub mod network_over_quota;
pub mod quotas;
pub mod resource_policy_too_large;
pub mod role_policy_too_large;
pub mod sync_call_cycle;
pub mod system_declaration;
pub mod template_too_large;
pub mod too_many_nacl_rules;
pub mod too_many_security_group_rules;
pub mod type_mismatch;
pub mod unknown_attribute;
pub mod unknown_name;
pub mod unknown_unit;
pub mod unusable_via;
pub mod unused_declaration;
pub mod value_out_of_range;
pub mod wrong_kind;
