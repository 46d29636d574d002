//! M222 hand-written-iam
use crate::check::{Context, Rule};
use crate::diagnostics::Diagnostic;
use crate::model::IamStatement;

pub fn diagnostic(service: &str, statement: &IamStatement) -> Diagnostic {
    let actions = statement
        .actions
        .iter()
        .map(|action| format!("`{}`", action.value))
        .collect::<Vec<_>>()
        .join(", ");
    let every = statement
        .resources
        .iter()
        .any(|resource| resource.value == "*");
    let on = if every {
        "on every resource".to_string()
    } else {
        let count = statement.resources.len();
        format!("on {count} ARN{}", if count == 1 { "" } else { "s" })
    };
    Diagnostic::new(
        &HandWrittenIam::CODE,
        format!("`{service}`'s role is granted {actions} {on}, by hand"),
    )
    .primary(statement.span, "written in `iam`, not derived from a relation")
    .secondary(statement.reason.span, "the reason given")
    .help(format!("review it with its reason: {}", statement.reason.value))
    .note("meshc emits the statement as written: it cannot check that the actions and ARNs are the ones the code calls")
}

declare_rule! {
    /// ## What it does
    /// Shows every IAM statement written by hand in a service's `iam`, with
    /// its reason, so that a reviewer sees it in `meshc check` and in
    /// code scanning (SARIF) as well as in the source.
    ///
    /// `iam` is the escape hatch for what the language does not model: a
    /// resource another system owns, an API call on no resource. Each
    /// statement names its actions (no wildcards) and its resources (ARNs,
    /// or `*` for actions that take none) and says why.
    ///
    /// ## Why is this bad?
    /// It is not bad; it is unchecked. meshc derives every other grant
    /// from a relation, on exact ARNs; a hand-written statement is as
    /// right as its author made it, and a `*` resource grants the action
    /// on everything.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// service notification {
    ///   compute = lambda { runtime = "python3.13" }
    ///   apis = [sns]
    ///   iam = [{
    ///     actions   = ["sns:Publish"]
    ///     resources = ["*"]
    ///     reason    = "texts customers: SNS gives a phone number no ARN"
    ///   }]
    /// }
    /// ```
    ///
    /// Where the language can say it (a topic rather than a phone
    /// number), say it there.
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event CustomerTexted { topic = texts  schema { phone: string } }
    /// topic texts {}
    /// service notification {
    ///   compute = lambda { runtime = "python3.13" }
    ///   publishes CustomerTexted
    /// }
    /// ```
    HandWrittenIam, code = M222, slug = "hand-written-iam", severity = Note,
}

impl Rule for HandWrittenIam {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for service in &context.system.services {
            for statement in &service.iam {
                out.push(diagnostic(&service.name.text, statement));
            }
        }
    }
}
