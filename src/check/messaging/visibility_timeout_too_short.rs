//! M404 visibility-timeout-too-short
use std::collections::BTreeSet;

use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Severity, Span};
use crate::graph::{EdgeKind, Node, QueueRef};
use crate::model::{Compute, Duration};

/// How many function timeouts AWS asks a queue's visibility timeout to
/// span.
const FACTOR: u64 = 6;

/// `visibility_default` says the queue left its visibility timeout out;
/// below the function's own timeout the finding is an error, because
/// Lambda then refuses to create the event source mapping.
#[allow(clippy::too_many_arguments)]
pub fn diagnostic(
    queue: &str,
    visibility: Duration,
    visibility_span: Span,
    visibility_default: bool,
    service: &str,
    timeout: Duration,
    timeout_span: Span,
) -> Diagnostic {
    let needed = timeout.saturating_mul(FACTOR);
    let rejected = visibility < timeout;
    let message = if rejected {
        format!(
            "queue `{queue}` hides a message for {visibility}, less than the {timeout} timeout of `{service}`, which consumes it"
        )
    } else {
        format!(
            "queue `{queue}` hides a message for {visibility}, less than six times the {timeout} timeout of `{service}`, which consumes it"
        )
    };
    let label = if visibility_default {
        format!("visibility timeout {visibility} by default")
    } else {
        format!("visibility timeout {visibility}")
    };
    let mut diagnostic = Diagnostic::new(&VisibilityTimeoutTooShort::CODE, message)
        .primary(visibility_span, label)
        .secondary(timeout_span, format!("`{service}` may run for {timeout}"))
        .help(format!(
            "write `visibility = {needed}` in queue `{queue}`, or shorten the timeout of `{service}`"
        ));
    if rejected {
        diagnostic.severity = Severity::Error;
        diagnostic.note("Lambda refuses an SQS event source mapping whose function timeout exceeds the queue's visibility timeout: the deployment fails")
    } else {
        diagnostic.note("a message becomes visible again while the function may still be working on it, or while Lambda retries a throttled batch, and is processed twice")
    }
}

declare_rule! {
    /// ## What it does
    /// Reports a queue whose visibility timeout is shorter than six times
    /// the timeout of a Lambda function that consumes it (`consumes jobs`,
    /// or `consumes Event via jobs`).
    ///
    /// AWS asks for at least six times the function timeout: the extra time
    /// lets Lambda retry a batch when the function is throttled. Below that
    /// the finding is a warning. Below the function timeout itself it is an
    /// error: Lambda then refuses to create the event source mapping, and
    /// the deployment fails.
    ///
    /// ## Why is this bad?
    /// While a function works on a batch, its messages are hidden from other
    /// receivers for the visibility timeout. When the timeout is shorter
    /// than the work (and its retries), the messages reappear, another
    /// invocation takes them, and they are processed twice; each receive
    /// also counts towards the `max_receives` of the dead-letter queue, so
    /// healthy messages end up there.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// queue jobs { visibility = 1m  dlq { max_receives = 3 } }
    /// service producer { compute = lambda { runtime = "python3.13" }  publishes jobs }
    /// service worker { compute = lambda { runtime = "python3.13"  timeout = 30s }  consumes jobs }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// queue jobs { visibility = 3m  dlq { max_receives = 3 } }
    /// service producer { compute = lambda { runtime = "python3.13" }  publishes jobs }
    /// service worker { compute = lambda { runtime = "python3.13"  timeout = 30s }  consumes jobs }
    /// ```
    VisibilityTimeoutTooShort, code = M404, slug = "visibility-timeout-too-short", severity = Warning,
}

impl Rule for VisibilityTimeoutTooShort {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        let mut reported = BTreeSet::new();
        for (from, to, edge) in context.graph.edges() {
            let (Node::Queue(QueueRef::Declared(queue_id)), Node::Service(service_id)) = (from, to)
            else {
                continue;
            };
            if edge.kind != EdgeKind::Consume || !reported.insert((queue_id, service_id)) {
                continue;
            }
            let (Some(queue), Some(service)) = (system.queue(queue_id), system.service(service_id))
            else {
                continue;
            };
            let Compute::Lambda(lambda) = &service.compute else {
                continue;
            };
            let timeout = lambda.timeout.value;
            if queue.visibility.value >= timeout.saturating_mul(FACTOR) {
                continue;
            }
            out.push(diagnostic(
                &queue.name.text,
                queue.visibility.value,
                queue.visibility.span,
                queue.visibility.span == queue.name.span,
                &service.name.text,
                timeout,
                lambda.timeout.span,
            ));
        }
    }
}
