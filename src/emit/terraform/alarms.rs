//! `alarms.tf`: the alarms of `graph::alarms`, and the topic they notify
//! when the system declares none named `alarms` (`emit::infra::alarms`).

use super::Context;
use super::writer::TfFile;

pub(super) fn alarms(context: &Context<'_>) -> TfFile {
    let mut file = TfFile::new(context);
    super::infra::add_all(&mut file, context, crate::emit::infra::alarms::alarms);
    file
}
