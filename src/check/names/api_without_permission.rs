//! M221 api-without-permission
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::graph::iam::Principal;
use crate::model::ServiceId;
use crate::model::aws::AwsService;

pub fn diagnostic(service: &str, api: AwsService, span: Span) -> Diagnostic {
    let declaration = match api {
        AwsService::S3 => Some("a `bucket` it `uses`"),
        AwsService::SecretsManager => Some("a `secret` it `uses`"),
        AwsService::Ssm => Some("a `parameter` it `uses`"),
        AwsService::DynamoDb => Some("a `table` it `uses`"),
        AwsService::Sqs => Some("a `queue` it `publishes` to or `consumes`"),
        AwsService::Sns => Some("a `topic` it `publishes` to"),
        AwsService::Kinesis => Some("a `stream` it `publishes` to or `consumes`"),
        AwsService::Events => Some("an event it `publishes`"),
        AwsService::Lambda => Some("a function it `calls` with `via = invoke`"),
        _ => None,
    };
    let how = match declaration {
        Some(declaration) => format!(
            "declare what it calls {} on ({declaration}), and meshc grants the actions; for what the language does not model, write the statement in `iam = [...]` with its reason",
            api.display_name()
        ),
        None => format!(
            "write the actions and the ARNs it calls {} with in `iam = [...]`, with the reason; or remove `{}` from `apis`",
            api.display_name(),
            api.mesh_name()
        ),
    };
    Diagnostic::new(
        &ApiWithoutPermission::CODE,
        format!(
            "`{service}` lists `{}` in `apis`, but its role may call no {} action",
            api.mesh_name(),
            api.display_name()
        ),
    )
    .primary(
        span,
        format!(
            "opens the network path to {}; every call is refused with AccessDenied",
            api.display_name()
        ),
    )
    .help(how)
}

declare_rule! {
    /// ## What it does
    /// Reports an API listed in a service's `apis` when nothing grants the
    /// service's role an action of that API: no relation or declaration
    /// the service has (a `bucket`, `secret`, `parameter`, `table`, queue,
    /// topic or stream it uses), and no hand-written statement in its
    /// `iam`. APIs whose calls name no resource (`xray`, `monitoring`)
    /// are granted by being listed.
    ///
    /// ## Why is this bad?
    /// `apis` opens the network path (an endpoint, or the route through
    /// NAT) but the role may not call the API: every call is refused with
    /// AccessDenied at run time, while every validator passes. IAM needs
    /// to know *what* the service reads or writes, which `apis` does not
    /// say.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// service payment {
    ///   compute = lambda { runtime = "python3.13" }
    ///   // The card processor's API key.
    ///   apis = [secretsmanager]
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// /// The card processor's API key.
    /// secret card-processor-key {}
    /// service payment {
    ///   compute = lambda { runtime = "python3.13" }
    ///   uses card-processor-key (read)
    /// }
    /// ```
    ApiWithoutPermission, code = M221, slug = "api-without-permission", severity = Error,
}

impl Rule for ApiWithoutPermission {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (index, service) in context.system.services.iter().enumerate() {
            let role = context.graph.iam.role(Principal::Service(ServiceId(index)));
            for api in &service.apis {
                let prefix = api.value.iam_prefix();
                let granted = role.is_some_and(|role| {
                    role.grants.iter().any(|grant| {
                        grant
                            .actions
                            .iter()
                            .any(|action| action.split(':').next() == Some(prefix))
                    })
                });
                if !granted {
                    out.push(diagnostic(&service.name.text, api.value, api.span));
                }
            }
        }
    }
}
