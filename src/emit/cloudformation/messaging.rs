//! The messaging of `emit::infra::messaging` in the template (Terraform's
//! `events.tf`, `queues.tf`, `topics.tf` and `streams.tf`): a rule holds
//! its targets as its `Targets`, a queue its redrive as its
//! `RedrivePolicy`.

use super::{Context, Template};
use crate::emit::infra::messaging;

pub(super) fn events(context: &Context<'_>, template: &mut Template) {
    super::infra::add_all(context, template, messaging::events);
}

pub(super) fn queues(context: &Context<'_>, template: &mut Template) {
    super::infra::add_all(context, template, messaging::queues);
}

pub(super) fn topics(context: &Context<'_>, template: &mut Template) {
    super::infra::add_all(context, template, messaging::topics);
}

pub(super) fn streams(context: &Context<'_>, template: &mut Template) {
    super::infra::add_all(context, template, messaging::streams);
}
