//! The Step Functions state machine of every orchestrated saga (Terraform's
//! `sagas.tf`), from `emit::infra::sagas`: the definition is the same ASL
//! as `stepfunctions/NAME.asl.json`, embedded as `Definition`, with its
//! placeholders filled by `DefinitionSubstitutions` (and so the saga's doc
//! comment written for them rather than for `templatefile`: `asl::Filler`).

use super::{Context, Template};

pub(super) fn sagas(context: &Context<'_>, template: &mut Template) {
    super::infra::add_all(context, template, crate::emit::infra::sagas::sagas);
}
