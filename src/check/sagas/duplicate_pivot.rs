//! M505 duplicate-pivot
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};

/// `step` is a pivot after `first`, the saga's first pivot.
pub fn diagnostic(saga: &str, step: &str, span: Span, first: &str, first_span: Span) -> Diagnostic {
    Diagnostic::new(
        &DuplicatePivot::CODE,
        format!("step `{step}` is a pivot, but saga `{saga}` already has one"),
    )
    .primary(span, "a second point of no return")
    .secondary(
        first_span,
        "the saga's pivot: nothing after it is ever undone",
    )
    .help(format!(
        "keep `pivot = true` on one step: remove it from step `{step}`, or from step `{first}` if `{step}` is the point of no return"
    ))
    .note("a saga has one point of no return, its first pivot; the steps between the two pivots are never undone, whatever their `undo`")
}

declare_rule! {
    /// ## What it does
    /// Reports a saga in which more than one step is marked `pivot = true`.
    ///
    /// ## Why is this bad?
    /// The pivot is the saga's point of no return: the steps before it are
    /// undone when a later step fails, the steps after it are retried until
    /// they succeed and never undone. A saga has one such point. meshc takes
    /// the first pivot; the steps between it and the second one are then
    /// never undone, although whoever marked the second pivot expected them
    /// to be — their `undo` never runs.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event OrderPlaced { source = "com.example.storefront"  schema { orderId: string } }
    /// service payment { compute = lambda { runtime = "python3.13" }  operations = [charge, refund] }
    /// service order { compute = lambda { runtime = "python3.13" }  operations = [confirm, ship] }
    /// saga checkout {
    ///   trigger = OrderPlaced
    ///   step confirm { do = order.confirm  pivot = true }
    ///   step charge  { do = payment.charge  undo = payment.refund }
    ///   step ship    { do = order.ship  pivot = true }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event OrderPlaced { source = "com.example.storefront"  schema { orderId: string } }
    /// service payment { compute = lambda { runtime = "python3.13" }  operations = [charge, refund] }
    /// service order { compute = lambda { runtime = "python3.13" }  operations = [confirm, ship] }
    /// saga checkout {
    ///   trigger = OrderPlaced
    ///   step charge  { do = payment.charge  undo = payment.refund }
    ///   step confirm { do = order.confirm  pivot = true }
    ///   step ship    { do = order.ship }
    /// }
    /// ```
    DuplicatePivot, code = M505, slug = "duplicate-pivot", severity = Error,
}

impl Rule for DuplicatePivot {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for saga in &context.system.sagas {
            let mut pivots = saga.steps.iter().filter(|step| step.pivot);
            let Some(first) = pivots.next() else {
                continue;
            };
            for step in pivots {
                out.push(diagnostic(
                    &saga.name.text,
                    &step.name.text,
                    step.name.span,
                    &first.name.text,
                    first.name.span,
                ));
            }
        }
    }
}
