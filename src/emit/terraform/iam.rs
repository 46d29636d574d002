//! `iam.tf`: the roles of `emit::infra::iam`, spelled by
//! `terraform::infra`: each policy document an `aws_iam_policy_document`,
//! each AWS-managed policy an attachment of its own. The account's default
//! bus, when a grant names it, is read by a data source.

use super::Context;
use super::writer::{TfFile, attribute, data};
use crate::emit::infra::iam;

pub(super) fn roles(context: &Context<'_>) -> TfFile {
    let mut file = TfFile::new(context);
    if iam::uses_default_bus(context) {
        file.add(
            data("aws_cloudwatch_event_bus", "default")
                .add_attribute(attribute("name", "default"))
                .build(),
        );
    }
    super::infra::add_all(&mut file, context, iam::roles);
    file
}
