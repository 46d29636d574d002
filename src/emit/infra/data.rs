//! The declared data stores that both backends write alike: Secrets
//! Manager secrets and Parameter Store parameters (in Terraform's
//! `data.tf`). Tables, databases and buckets are still built by each
//! backend.

use super::{Kind, Resource, Value, system_key};
use crate::emit::{Context, datastores, names};
use crate::model::{Parameter, Secret};

/// The description of a declared store: its doc comment, on one line.
fn described(resource: Resource, doc: &[String]) -> Resource {
    if doc.is_empty() {
        resource
    } else {
        resource.with("Description", doc.join(" "))
    }
}

/// A declared secret, encrypted with the system key. meshc makes the
/// secret, never its value: an operator, or a service that `uses` it with
/// `write`, puts the value. (Without a value, CloudFormation creates the
/// secret with a random one until then; Terraform with none.)
pub fn secret(context: &Context<'_>, secret: &Secret) -> Resource {
    let name = secret.name.text.as_str();
    let resource =
        Resource::new(Kind::Secret, name).with("Name", Value::Name(names::secret(context, name)));
    let (check, why) = datastores::SECRET_ROTATION_SKIP;
    described(resource, &secret.doc)
        .with("KmsKeyId", system_key())
        .with("RecoveryWindowInDays", datastores::SECRET_RECOVERY_DAYS)
        .waive(check, why.to_string())
}

/// A declared parameter: a `String` in the standard tier, in the system's
/// hierarchy, with its declared value.
pub fn parameter(context: &Context<'_>, parameter: &Parameter) -> Resource {
    let name = parameter.name.text.as_str();
    let resource = Resource::new(Kind::Parameter, name)
        .with("Name", Value::Name(names::parameter(context, name)));
    let (check, why) = datastores::PARAMETER_ENCRYPTION_SKIP;
    described(resource, &parameter.doc)
        .with("Type", "String")
        .with("Tier", "Standard")
        .with("Value", parameter.value.value.as_str())
        .waive(check, why.to_string())
}
