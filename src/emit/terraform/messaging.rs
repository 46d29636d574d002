//! `events.tf`, `queues.tf`, `topics.tf` and `streams.tf`: the messaging
//! of `emit::infra::messaging`, spelled by `terraform::infra`. A rule's
//! targets and a queue's redrive are resources of their own here.

use super::Context;
use super::writer::TfFile;
use crate::emit::infra::messaging;

/// A file of the resources `build` builds.
fn file(
    context: &Context<'_>,
    build: fn(&Context<'_>, &mut crate::emit::infra::Sink<'_>),
) -> TfFile {
    let mut file = TfFile::new(context);
    super::infra::add_all(&mut file, context, build);
    file
}

pub(super) fn events(context: &Context<'_>) -> TfFile {
    file(context, messaging::events)
}

pub(super) fn queues(context: &Context<'_>) -> TfFile {
    file(context, messaging::queues)
}

pub(super) fn topics(context: &Context<'_>) -> TfFile {
    file(context, messaging::topics)
}

pub(super) fn streams(context: &Context<'_>) -> TfFile {
    file(context, messaging::streams)
}
