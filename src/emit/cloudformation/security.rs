//! The security groups and NACLs of `emit::infra::security` (Terraform's
//! `security_groups.tf` and `nacls.tf`), spelled by
//! `cloudformation::infra`: a NACL's subnets are an association per zone.
//!
//! Terraform's `aws_default_security_group`, which empties the VPC's
//! default group, has no CloudFormation counterpart: CloudFormation
//! cannot manage the default group, and nothing meshc creates uses it.

use super::{Context, Template};
use crate::emit::infra::security;

pub(super) fn security_groups(context: &Context<'_>, template: &mut Template) {
    super::infra::add_all(context, template, security::security_groups);
}

pub(super) fn nacls(context: &Context<'_>, template: &mut Template) {
    super::infra::add_all(context, template, security::nacls);
}
