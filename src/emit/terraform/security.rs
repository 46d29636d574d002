//! `security_groups.tf` and `nacls.tf`: the security groups and NACLs of
//! `emit::infra::security`, spelled by `terraform::infra`. A NACL names
//! its subnets with a splat of the counted subnet.

use super::Context;
use super::writer::TfFile;
use crate::emit::infra::security;

pub(super) fn security_groups(context: &Context<'_>) -> TfFile {
    let mut file = TfFile::new(context);
    super::infra::add_all(&mut file, context, security::security_groups);
    file
}

pub(super) fn nacls(context: &Context<'_>) -> TfFile {
    let mut file = TfFile::new(context);
    super::infra::add_all(&mut file, context, security::nacls);
    file
}
