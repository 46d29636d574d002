//! M223 invalid-environment-variable
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::graph::runtime::PREFIX as MESHC_PREFIX;
use crate::model::aws::limits::{LAMBDA_RESERVED_VARIABLES, valid_variable_name};

/// Why a declared variable cannot be set.
#[derive(Clone, Copy, Debug)]
pub enum Misfit {
    /// Not a letter followed by letters, digits and `_`.
    Malformed,
    /// In meshc's own `MESH_` namespace.
    Meshc,
    /// Set by the Lambda runtime itself.
    Reserved,
}

pub fn diagnostic(service: &str, name: &str, span: Span, misfit: Misfit) -> Diagnostic {
    let (message, label, help) = match misfit {
        Misfit::Malformed => (
            format!("`{name}` cannot name an environment variable of `{service}`"),
            "a name is a letter, then at least one letter, digit or `_`".to_string(),
            "name it like `LOG_LEVEL`".to_string(),
        ),
        Misfit::Meshc => (
            format!("`{name}` is in meshc's namespace of environment variables"),
            format!("meshc sets the `{MESHC_PREFIX}` variables of `{service}` from its relations"),
            format!(
                "give the variable a name that does not start with `{MESHC_PREFIX}`: meshc would replace its value with its own, or add one later"
            ),
        ),
        Misfit::Reserved => (
            format!("`{name}` is set by the Lambda runtime of `{service}`"),
            "Lambda reserves this name: the deployment fails".to_string(),
            format!(
                "read `{name}` from the runtime's own value, or give the variable another name"
            ),
        ),
    };
    Diagnostic::new(&InvalidEnvironmentVariable::CODE, message)
        .primary(span, label)
        .help(help)
        .note("Lambda takes variable names matching `[a-zA-Z]([a-zA-Z0-9_])+`, and refuses the ones its runtime sets (`AWS_REGION`, `_HANDLER`, `TZ`, ...); meshc holds Fargate services to the same names")
}

declare_rule! {
    /// ## What it does
    /// Reports a variable of a service's `environment` that cannot be set:
    /// a name that is not a letter followed by at least one letter, digit
    /// or `_` (Lambda's rule, which meshc applies to Fargate services too);
    /// a name starting with `MESH_`, the variables meshc sets from the
    /// relations (docs/runtime.md); and, on a Lambda function, a name the
    /// Lambda runtime sets itself, such as `AWS_REGION` or `TZ`.
    ///
    /// ## Why is this bad?
    /// Lambda refuses a malformed or reserved name, and the deployment
    /// stops. A `MESH_` variable would be silently replaced by meshc's own
    /// value, or collide with one a later relation adds.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// service api {
    ///   compute = lambda { runtime = "python3.13" }
    ///   environment = { AWS_REGION = "eu-west-1" }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// service api {
    ///   compute = lambda { runtime = "python3.13" }
    ///   environment = { REPORT_REGION = "eu-west-1" }
    /// }
    /// ```
    InvalidEnvironmentVariable, code = M223, slug = "invalid-environment-variable", severity = Error,
}

impl Rule for InvalidEnvironmentVariable {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for service in &context.system.services {
            for variable in &service.environment {
                let name = variable.name.text.as_str();
                let misfit = if !valid_variable_name(name) {
                    Misfit::Malformed
                } else if name.starts_with(MESHC_PREFIX) {
                    Misfit::Meshc
                } else if service.is_lambda() && LAMBDA_RESERVED_VARIABLES.contains(&name) {
                    Misfit::Reserved
                } else {
                    continue;
                };
                out.push(diagnostic(
                    &service.name.text,
                    name,
                    variable.name.span,
                    misfit,
                ));
            }
        }
    }
}
