//! M502 step-without-undo
use super::{operation_text, step_named};
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::graph::saga::SagaPlan;
use crate::model::{Saga, System};

/// `step` runs `operation` and has no undo; `next` is the step after it,
/// which can fail. `undo` is the operation to suggest (`payment.refund`, or
/// `payment.OPERATION` when meshc cannot tell); `pivot` is the saga's pivot
/// step, if it has one.
pub fn diagnostic(
    step: &str,
    span: Span,
    operation: &str,
    next: &str,
    next_span: Span,
    undo: &str,
    pivot: Option<&str>,
) -> Diagnostic {
    let or_pivot = match pivot {
        Some(pivot) => format!("or move `pivot = true` from step `{pivot}` to it"),
        None => "or, if nothing after it may be undone, mark it `pivot = true`".to_string(),
    };
    Diagnostic::new(
        &StepWithoutUndo::CODE,
        format!("step `{step}` has no `undo`, but a step after it can fail"),
    )
    .primary(span, format!("runs `{operation}`, which nothing undoes"))
    .secondary(
        next_span,
        format!("when step `{next}` fails, `{operation}` stays done"),
    )
    .help(format!("add `undo = {undo}` to step `{step}`, {or_pivot}"))
    .note("before the pivot, a failed step undoes every step completed before it; a step without an `undo` leaves its effect behind while the saga reports failure")
}

declare_rule! {
    /// ## What it does
    /// Reports a step with no `undo` that a later step's failure would have
    /// to undo: a step before the saga's `pivot` (or in a saga without one)
    /// that is not the last step.
    ///
    /// Steps after the pivot are never undone, by design, and need no
    /// `undo`; neither does the pivot itself, nor the last step of a saga
    /// without a pivot, since no step after it can fail.
    ///
    /// ## Why is this bad?
    /// Every step has side effects: it charges a card, reserves stock,
    /// sends a message. When a later step fails, the saga undoes what it did
    /// so far, the latest step first, and reports failure. A step it cannot
    /// undo stays done: the customer is charged for an order that was
    /// cancelled. Either the step has an `undo`, or it is the saga's
    /// `pivot` — the point of no return, after which the steps are retried
    /// until they succeed instead of being undone.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event OrderPlaced { source = "com.example.storefront"  schema { orderId: string } }
    /// service payment { compute = lambda { runtime = "python3.13" }  operations = [charge, refund] }
    /// service order { compute = lambda { runtime = "python3.13" }  operations = [confirm] }
    /// saga checkout {
    ///   trigger = OrderPlaced
    ///   step charge  { do = payment.charge }
    ///   step confirm { do = order.confirm }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event OrderPlaced { source = "com.example.storefront"  schema { orderId: string } }
    /// service payment { compute = lambda { runtime = "python3.13" }  operations = [charge, refund] }
    /// service order { compute = lambda { runtime = "python3.13" }  operations = [confirm] }
    /// saga checkout {
    ///   trigger = OrderPlaced
    ///   step charge  { do = payment.charge  undo = payment.refund }
    ///   step confirm { do = order.confirm }
    /// }
    /// ```
    StepWithoutUndo, code = M502, slug = "step-without-undo", severity = Error,
}

impl Rule for StepWithoutUndo {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        for plan in &context.graph.sagas {
            let Some(saga) = system.sagas.get(plan.saga.0) else {
                continue;
            };
            check_saga(system, saga, plan, out);
        }
    }
}

fn check_saga(system: &System, saga: &Saga, plan: &SagaPlan, out: &mut Vec<Diagnostic>) {
    let pivot = plan
        .steps
        .iter()
        .find(|step| step.pivot && !step.after_pivot)
        .map(|step| step.name.as_str());
    for (index, step) in plan.steps.iter().enumerate() {
        if step.undo.is_some() || step.pivot || step.after_pivot {
            continue;
        }
        // Every step can fail, so the next one is enough.
        let Some(next) = plan.steps.get(index + 1) else {
            continue;
        };
        let (Some(declared), Some(next_declared)) =
            (step_named(saga, &step.name), step_named(saga, &next.name))
        else {
            continue;
        };
        let (Some(operation), Some(next_operation)) = (&declared.action, &next_declared.action)
        else {
            continue;
        };
        out.push(diagnostic(
            &step.name,
            declared.name.span,
            &operation_text(system, operation),
            &next.name,
            next_operation.span,
            &undo_suggestion(system, saga, operation.service),
            pivot,
        ));
    }
}

/// The undo to suggest for a step of `service`: the one operation of the
/// service that the saga does not run yet, if there is exactly one;
/// otherwise a placeholder.
fn undo_suggestion(system: &System, saga: &Saga, service: crate::model::ServiceId) -> String {
    let Some(declared) = system.service(service) else {
        return "SERVICE.OPERATION".to_string();
    };
    let used: Vec<&str> = saga
        .operations()
        .filter(|reference| reference.service == service)
        .map(|reference| reference.operation.text.as_str())
        .collect();
    let unused: Vec<&str> = declared
        .operations
        .iter()
        .map(|operation| operation.text.as_str())
        .filter(|operation| !used.contains(operation))
        .collect();
    match unused.as_slice() {
        [only] => format!("{}.{only}", declared.name.text),
        _ => format!("{}.OPERATION", declared.name.text),
    }
}
