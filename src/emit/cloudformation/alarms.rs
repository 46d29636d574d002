//! The alarms of `graph::alarms`, and the topic they notify when the
//! system declares none named `alarms` (`emit::infra::alarms`; Terraform's
//! `alarms.tf`).

use super::{Context, Template};

pub(super) fn alarms(context: &Context<'_>, template: &mut Template) {
    super::infra::add_all(context, template, crate::emit::infra::alarms::alarms);
}
