//! M501 unknown-operation
use super::quoted_list;
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::OperationRef;

/// `declared` lists the operations the service declares, and
/// `declared_span` covers them (or the service's name when it declares
/// none); `suggestion` is the declared operation closest to `operation`, if
/// one is close.
pub fn diagnostic(
    service: &str,
    operation: &str,
    span: Span,
    declared_span: Span,
    declared: &[&str],
    suggestion: Option<&str>,
) -> Diagnostic {
    let declares = match declared {
        [] => "declares no `operations`".to_string(),
        [_, _, _, _, _, ..] => format!("declares {} operations", declared.len()),
        _ => format!("declares {}", quoted_list(declared)),
    };
    let diagnostic = Diagnostic::new(
        &UnknownOperation::CODE,
        format!("unknown operation `{service}.{operation}`"),
    )
    .primary(span, format!("`{service}` has no operation `{operation}`"))
    .secondary(declared_span, declares)
    .note("a saga sends the operation's name to the service: one it does not declare fails the step on every execution");
    if let Some(candidate) = suggestion {
        return diagnostic.help(format!("did you mean `{service}.{candidate}`?"));
    }
    let mut operations = declared.to_vec();
    operations.push(operation);
    diagnostic.help(format!(
        "declare it in service `{service}`: `operations = [{}]`",
        operations.join(", ")
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports a step's `do` or `undo`, or a saga's `on_failure`, that names
    /// an operation its service does not declare in `operations = [...]`.
    /// When a declared operation is close, the help line names it.
    ///
    /// ## Why is this bad?
    /// A saga invokes a service with the name of the operation to run: a
    /// Lambda function receives it in its payload, a Fargate service on its
    /// command queue. A name the service does not know fails the step on
    /// every execution — or, for an `undo`, leaves what the step did in
    /// place exactly when it has to be undone. The `operations` list is the
    /// service's contract with its sagas; meshc holds every saga to it.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event OrderPlaced { source = "com.example.storefront"  schema { orderId: string } }
    /// service payment { compute = lambda { runtime = "python3.13" }  operations = [charge, refund] }
    /// saga checkout {
    ///   trigger = OrderPlaced
    ///   step charge { do = payment.charge  undo = payment.refnd }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event OrderPlaced { source = "com.example.storefront"  schema { orderId: string } }
    /// service payment { compute = lambda { runtime = "python3.13" }  operations = [charge, refund] }
    /// saga checkout {
    ///   trigger = OrderPlaced
    ///   step charge { do = payment.charge  undo = payment.refund }
    /// }
    /// ```
    UnknownOperation, code = M501, slug = "unknown-operation", severity = Error,
}

impl Rule for UnknownOperation {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        for saga in &system.sagas {
            let references = saga.operations();
            for reference in references {
                if let Some(diagnostic) = check_reference(context, reference) {
                    out.push(diagnostic);
                }
            }
        }
    }
}

fn check_reference(context: &Context<'_>, reference: &OperationRef) -> Option<Diagnostic> {
    let service = context.system.service(reference.service)?;
    let operation = reference.operation.text.as_str();
    let declared: Vec<&str> = service
        .operations
        .iter()
        .map(|name| name.text.as_str())
        .collect();
    if declared.contains(&operation) {
        return None;
    }
    let suggestion = crate::suggest::closest(operation, declared.iter().copied());
    let declared_span = match (service.operations.first(), service.operations.last()) {
        (Some(first), Some(last)) => first.span.to(last.span),
        _ => service.name.span,
    };
    Some(diagnostic(
        &service.name.text,
        operation,
        reference.operation.span,
        declared_span,
        &declared,
        suggestion,
    ))
}
