//! M407 fifo-mismatch
use std::collections::BTreeSet;

use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::graph::{EdgeKind, Node, QueueRef};
use crate::model::{Queue, Topic};

/// "FIFO queue", "standard topic".
fn kind(fifo: bool, noun: &str) -> String {
    if fifo {
        format!("FIFO {noun}")
    } else {
        format!("standard {noun}")
    }
}

/// A queue whose declared dead-letter queue is of the other kind.
pub fn dead_letter_of_other_kind(
    queue: &str,
    fifo: bool,
    dead_letter: &str,
    span: Span,
    dead_letter_kind_span: Span,
) -> Diagnostic {
    let help = if fifo {
        format!(
            "make `{dead_letter}` a FIFO queue with `fifo = true`, or leave its name out (`dlq {{ max_receives = 3 }}`) and meshc creates a FIFO one"
        )
    } else {
        format!(
            "give `{queue}` a standard dead-letter queue, or leave its name out (`dlq {{ max_receives = 3 }}`) and meshc creates one"
        )
    };
    let (own, other) = if fifo {
        ("FIFO", "standard")
    } else {
        ("standard", "FIFO")
    };
    Diagnostic::new(
        &FifoMismatch::CODE,
        format!("queue `{queue}` is {own}, but its dead-letter queue `{dead_letter}` is {other}"),
    )
    .primary(span, format!("a {}", kind(!fifo, "queue")))
    .secondary(dead_letter_kind_span, format!("`{dead_letter}` is a {}", kind(!fifo, "queue")))
    .help(help)
    .note("SQS accepts a redrive policy only to a dead-letter queue of the source queue's own kind: the deployment fails")
}

/// A standard topic delivering to a FIFO queue, through a `subscribe` or a
/// `consumes ... via`.
pub fn standard_topic_to_fifo_queue(
    topic: &str,
    queue: &str,
    span: Span,
    queue_kind_span: Span,
) -> Diagnostic {
    Diagnostic::new(
        &FifoMismatch::CODE,
        format!("standard topic `{topic}` cannot deliver to FIFO queue `{queue}`"),
    )
    .primary(span, format!("subscribes `{queue}` to `{topic}`"))
    .secondary(queue_kind_span, format!("`{queue}` is a FIFO queue"))
    .help(format!(
        "make the topic FIFO with `fifo = true` in topic `{topic}`, or deliver to a standard queue"
    ))
    .note("SNS refuses to subscribe a FIFO queue to a standard topic: the deployment fails")
}

/// A FIFO topic delivering straight to a function.
pub fn fifo_topic_to_function(
    topic: &str,
    service: &str,
    span: Span,
    topic_kind_span: Span,
) -> Diagnostic {
    Diagnostic::new(
        &FifoMismatch::CODE,
        format!("topic `{topic}` is FIFO, and cannot deliver to Lambda function `{service}`"),
    )
    .primary(span, format!("subscribes `{service}` to `{topic}`"))
    .secondary(topic_kind_span, format!("`{topic}` is a FIFO topic"))
    .help(format!(
        "deliver through a FIFO queue that `{service}` consumes: `queue NAME {{ fifo = true }}` and `via NAME` on the `consumes`, or `subscribe NAME`"
    ))
    .note("SNS FIFO topics deliver only to SQS queues: the deployment fails")
}

/// A rule naming a FIFO queue as the dead-letter queue of its targets.
pub fn fifo_rule_dead_letter(
    rule: &str,
    queue: &str,
    span: Span,
    queue_kind_span: Span,
) -> Diagnostic {
    Diagnostic::new(
        &FifoMismatch::CODE,
        format!("rule `{rule}` cannot use FIFO queue `{queue}` as its dead-letter queue"),
    )
    .primary(span, "a FIFO queue")
    .secondary(queue_kind_span, format!("`{queue}` is a FIFO queue"))
    .help(format!(
        "name a standard queue in `dlq`, or leave `dlq` out of rule `{rule}` and meshc creates one"
    ))
    .note("EventBridge keeps undeliverable events only in standard queues (\"SQS FIFO is not supported by Dead Letter Queues\"): the deployment fails")
}

declare_rule! {
    /// ## What it does
    /// Reports FIFO and standard resources joined where AWS refuses the
    /// combination:
    /// - a queue whose `dlq` names a queue of the other kind (SQS requires
    ///   a FIFO queue's dead-letter queue to be FIFO, a standard queue's to
    ///   be standard);
    /// - a standard topic delivering to a FIFO queue, by `subscribe` or by a
    ///   `consumes ... via` (SNS subscribes FIFO queues to FIFO topics only);
    /// - a FIFO topic delivering straight to a Lambda function (SNS FIFO
    ///   topics deliver to SQS queues only);
    /// - a rule whose `dlq` is a FIFO queue (EventBridge dead-letter queues
    ///   are standard queues).
    ///
    /// Two combinations are allowed and not reported. A FIFO topic may
    /// deliver to a standard queue: SNS supports it, with best-effort order
    /// and at-least-once delivery in that queue. A rule (or a `consumes` of
    /// bus events `via` a queue) may target a FIFO queue: EventBridge sends
    /// each event with a message group id, which meshc sets.
    ///
    /// ## Why is this bad?
    /// Each of these is rejected by the AWS API when the stack is deployed,
    /// after every resource before it was already created.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// queue jobs { fifo = true  visibility = 3m  dlq = failed-jobs }
    /// queue failed-jobs { retention = 14d }
    /// service producer { compute = lambda { runtime = "python3.13" }  publishes jobs }
    /// service worker { compute = lambda { runtime = "python3.13"  timeout = 30s }  consumes jobs }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// queue jobs { fifo = true  visibility = 3m  dlq = failed-jobs }
    /// queue failed-jobs { fifo = true  retention = 14d }
    /// service producer { compute = lambda { runtime = "python3.13" }  publishes jobs }
    /// service worker { compute = lambda { runtime = "python3.13"  timeout = 30s }  consumes jobs }
    /// ```
    FifoMismatch, code = M407, slug = "fifo-mismatch", severity = Error,
}

/// Where a queue says what kind it is: its `fifo` setting, or its name
/// when it leaves `fifo` out (the span the default carries).
fn queue_kind_span(queue: &Queue) -> Span {
    queue.fifo.span
}

fn topic_kind_span(topic: &Topic) -> Span {
    topic.fifo.span
}

impl Rule for FifoMismatch {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        for queue in &system.queues {
            let Some(named) = queue.dlq.as_ref().and_then(|dlq| dlq.queue) else {
                continue;
            };
            let Some(dead_letter) = system.queue(named.value) else {
                continue;
            };
            if queue.fifo.value != dead_letter.fifo.value {
                out.push(dead_letter_of_other_kind(
                    &queue.name.text,
                    queue.fifo.value,
                    &dead_letter.name.text,
                    named.span,
                    queue_kind_span(dead_letter),
                ));
            }
        }
        let mut reported = BTreeSet::new();
        for (from, to, edge) in context.graph.edges() {
            let Node::Topic(topic_id) = from else {
                continue;
            };
            let Some(topic) = system.topics.get(topic_id.0) else {
                continue;
            };
            if !reported.insert((from, to)) {
                continue;
            }
            match (to, edge.kind) {
                (Node::Queue(QueueRef::Declared(queue_id)), EdgeKind::Route) => {
                    let Some(queue) = system.queue(queue_id) else {
                        continue;
                    };
                    if !topic.fifo.value && queue.fifo.value {
                        out.push(standard_topic_to_fifo_queue(
                            &topic.name.text,
                            &queue.name.text,
                            edge.span,
                            queue_kind_span(queue),
                        ));
                    }
                }
                (Node::Service(service_id), EdgeKind::Invoke) if topic.fifo.value => {
                    let Some(service) = system.service(service_id) else {
                        continue;
                    };
                    out.push(fifo_topic_to_function(
                        &topic.name.text,
                        &service.name.text,
                        edge.span,
                        topic_kind_span(topic),
                    ));
                }
                _ => {}
            }
        }
        for rule in &system.rules {
            let Some(named) = rule.dlq else {
                continue;
            };
            let Some(queue) = system.queue(named.value) else {
                continue;
            };
            if queue.fifo.value {
                out.push(fifo_rule_dead_letter(
                    &rule.name.text,
                    &queue.name.text,
                    named.span,
                    queue_kind_span(queue),
                ));
            }
        }
    }
}
