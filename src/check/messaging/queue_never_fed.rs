//! M410 queue-never-fed
use std::collections::{BTreeMap, BTreeSet};

use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::graph::{EdgeKind, Node, QueueRef};
use crate::model::QueueId;

/// `consumers` are the consuming services with the spans of their
/// `consumes`.
pub fn diagnostic(queue: &str, span: Span, consumers: &[(&str, Span)]) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(
        &QueueNeverFed::CODE,
        format!("queue `{queue}` is consumed but nothing sends to it"),
    )
    .primary(
        span,
        "no service publishes to it, and no rule, topic or queue delivers to it",
    );
    for (service, consume_span) in consumers {
        diagnostic = diagnostic.secondary(*consume_span, format!("consumed by `{service}`"));
    }
    diagnostic
        .help(format!(
            "add `publishes {queue}` to the service that sends to it, or consume an event through it (`consumes Event via {queue}`); if a producer outside the system sends to it, say so: `// meshc:allow(M410) reason: \"...\"`"
        ))
        .note("its consumers poll a queue that stays empty, and nothing fails to tell you")
}

declare_rule! {
    /// ## What it does
    /// Reports a declared queue that a service consumes while nothing in
    /// the system sends to it: no service `publishes` to it, no `consumes
    /// Event via` it, no `rule` or topic subscription targets it, and it is
    /// not the dead-letter queue of a queue, rule or saga.
    ///
    /// A queue fed from outside the system (another team's producer, an S3
    /// notification) is legitimate: suppress the finding with the reason,
    /// so that the reader knows where its messages come from.
    ///
    /// ## Why is this bad?
    /// The consumer is deployed, polls (and is billed for its empty
    /// receives) and waits for messages that never come. Usually a
    /// `publishes` was forgotten, or a queue was renamed on one side only;
    /// nothing fails at deploy time or at run time.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// queue jobs { visibility = 3m  dlq { max_receives = 3 } }
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
    QueueNeverFed, code = M410, slug = "queue-never-fed", severity = Warning,
}

impl Rule for QueueNeverFed {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        // From one pass over the graph: the services consuming each declared
        // queue (with where they say so), and the queues something sends to.
        let mut consumers: BTreeMap<QueueId, Vec<(&str, Span)>> = BTreeMap::new();
        let mut fed: BTreeSet<QueueId> = BTreeSet::new();
        for (from, to, edge) in context.graph.edges() {
            match (from, to, edge.kind) {
                (
                    Node::Queue(QueueRef::Declared(queue)),
                    Node::Service(service),
                    EdgeKind::Consume,
                ) => {
                    if let Some(service) = system.service(service) {
                        let consumer = (service.name.text.as_str(), edge.span);
                        let known = consumers.entry(queue).or_default();
                        if !known.contains(&consumer) {
                            known.push(consumer);
                        }
                    }
                }
                (
                    _,
                    Node::Queue(QueueRef::Declared(queue)),
                    EdgeKind::Publish | EdgeKind::Route,
                ) => {
                    fed.insert(queue);
                }
                _ => {}
            }
        }
        let dead_letter = system.dead_letter_queues();
        for (queue, found) in consumers {
            if fed.contains(&queue) || dead_letter.contains(&queue) {
                continue;
            }
            let Some(declared) = system.queue(queue) else {
                continue;
            };
            out.push(diagnostic(&declared.name.text, declared.name.span, &found));
        }
    }
}
