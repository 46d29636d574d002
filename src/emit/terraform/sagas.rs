//! `sagas.tf`: the Step Functions state machine of every orchestrated saga,
//! from `emit::infra::sagas`; its definition is read from
//! `stepfunctions/NAME.asl.json` with `templatefile`, its placeholders
//! filled with the ARNs and queue URLs of this configuration. Its role is
//! in `iam.tf`; the rule that starts it on its trigger is in `events.tf`.

use super::Context;
use super::writer::TfFile;

pub(super) fn sagas(context: &Context<'_>) -> TfFile {
    let mut file = TfFile::new(context);
    super::infra::add_all(&mut file, context, crate::emit::infra::sagas::sagas);
    file
}
