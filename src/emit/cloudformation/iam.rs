//! The roles of `emit::infra::iam` (Terraform's `iam.tf`), spelled by
//! `cloudformation::infra`: the policies inline, the AWS-managed ones the
//! role's `ManagedPolicyArns`.

use super::{Context, Template};
use crate::emit::infra::iam;

pub(super) fn roles(context: &Context<'_>, template: &mut Template) {
    super::infra::add_all(context, template, iam::roles);
}
