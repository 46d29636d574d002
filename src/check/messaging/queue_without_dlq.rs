//! M405 queue-without-dlq
use std::collections::BTreeMap;

use super::days;
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::graph::{EdgeKind, Node, QueueRef};
use crate::model::{Duration, QueueId};

/// `consumers` are the consuming services with the spans of their
/// `consumes`.
pub fn diagnostic(
    queue: &str,
    span: Span,
    retention: Duration,
    consumers: &[(&str, Span)],
) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(
        &QueueWithoutDlq::CODE,
        format!("queue `{queue}` is consumed but has no dead-letter queue"),
    )
    .primary(span, "no `dlq`");
    for (service, consume_span) in consumers {
        diagnostic = diagnostic.secondary(*consume_span, format!("consumed by `{service}`"));
    }
    diagnostic
        .help(format!(
            "add `dlq {{ max_receives = 3 }}` to queue `{queue}`: meshc creates the dead-letter queue"
        ))
        .note(format!(
            "a message its consumer always fails on is received again and again for {}, the queue's retention, and is then lost",
            days(retention)
        ))
}

declare_rule! {
    /// ## What it does
    /// Flags a declared queue that a service consumes (`consumes jobs`, or
    /// `consumes Event via jobs`) and that has no dead-letter queue: no
    /// `dlq { ... }` block and no `dlq = NAME`.
    ///
    /// The queues meshc derives (the inbox of a Fargate consumer) always
    /// get one. A queue that is itself the dead-letter queue of a queue, a
    /// rule or a saga is not flagged: moving failures out of a dead-letter
    /// queue would only hide them further.
    ///
    /// ## Why is this bad?
    /// A poison message — one the consumer always fails on — is received,
    /// fails, reappears after the visibility timeout, and fails again until
    /// the queue's retention ends, costing an invocation each time and then
    /// vanishing without a trace. In a FIFO queue it also blocks every
    /// message behind it in its group.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// queue jobs { visibility = 3m }
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
    QueueWithoutDlq, code = M405, slug = "queue-without-dlq", severity = Warning,
}

impl Rule for QueueWithoutDlq {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        // The services consuming each declared queue, with where they say
        // so, from one pass over the flows.
        let mut consumers: BTreeMap<QueueId, Vec<(&str, Span)>> = BTreeMap::new();
        for (from, to, edge) in context.graph.edges() {
            let (Node::Queue(QueueRef::Declared(queue)), Node::Service(service)) = (from, to)
            else {
                continue;
            };
            let Some(service) = system.service(service) else {
                continue;
            };
            let consumer = (service.name.text.as_str(), edge.span);
            let known = consumers.entry(queue).or_default();
            if edge.kind == EdgeKind::Consume && !known.contains(&consumer) {
                known.push(consumer);
            }
        }
        let dead_letter = system.dead_letter_queues();
        for (index, queue) in system.queues.iter().enumerate() {
            let id = QueueId(index);
            if queue.dlq.is_some() || dead_letter.contains(&id) {
                continue;
            }
            let Some(consumers) = consumers.get(&id).filter(|found| !found.is_empty()) else {
                continue;
            };
            out.push(diagnostic(
                &queue.name.text,
                queue.name.span,
                queue.retention.value,
                consumers,
            ));
        }
    }
}
