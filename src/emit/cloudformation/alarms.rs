//! The alarms of `graph::alarms`, and the topic they notify when the
//! system declares none named `alarms` (`emit::infra::alarms`; Terraform's
//! `alarms.tf`).

use serde_json::Value as Json;

use super::{Context, Template, interpolated};

/// Every alarm of the system: `PREFIX-*` (for `aws:SourceArn`).
pub(super) fn alarm_arns(context: &Context<'_>) -> Json {
    interpolated(context, &crate::emit::infra::alarms::alarm_arns())
}

pub(super) fn alarms(context: &Context<'_>, template: &mut Template) {
    super::infra::add_all(
        context,
        template,
        crate::emit::infra::alarms::alarms(context),
    );
}
