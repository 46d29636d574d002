//! M406 dlq-retention-too-short
use super::days;
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::Duration;
use crate::model::aws::limits;

/// `dead_letter` names the dead-letter queue when the source queue names a
/// declared one (`None` when meshc creates it from the `dlq` block).
#[allow(clippy::too_many_arguments)]
pub fn diagnostic(
    queue: &str,
    retention: Duration,
    retention_span: Span,
    dead_letter: Option<&str>,
    dead_letter_retention: Duration,
    dead_letter_span: Span,
) -> Diagnostic {
    let longest = days(limits::SQS_RETENTION.1);
    let retention_text = days(retention);
    let dead_letter_text = days(dead_letter_retention);
    let (what, setting) = match dead_letter {
        Some(name) => (
            format!("dead-letter queue `{name}`"),
            format!("in queue `{name}`"),
        ),
        None => (
            format!("the dead-letter queue of `{queue}`"),
            format!("in the `dlq` block of `{queue}`"),
        ),
    };
    let help = if retention < limits::SQS_RETENTION.1 {
        format!(
            "write `retention = {longest}` {setting}, longer than the {retention_text} of `{queue}`"
        )
    } else {
        format!(
            "shorten the retention of `{queue}`, to `retention = 7d` say, and keep `retention = {longest}` {setting}: no queue keeps messages longer than {longest}"
        )
    };
    Diagnostic::new(
        &DlqRetentionTooShort::CODE,
        format!(
            "{what} keeps messages for {dead_letter_text}, not longer than `{queue}` itself ({retention_text})"
        ),
    )
    .primary(dead_letter_span, format!("keeps messages {dead_letter_text}"))
    .secondary(retention_span, format!("`{queue}` keeps messages {retention_text}"))
    .help(help)
    .note(format!(
        "SQS keeps a message's first enqueue time when it moves it to a standard dead-letter queue: a message that waited {retention_text} in `{queue}` expires as soon as it gets there"
    ))
}

declare_rule! {
    /// ## What it does
    /// Reports a standard queue whose dead-letter queue keeps messages no
    /// longer than the queue itself: the `retention` of its `dlq` block, or
    /// of the queue it names with `dlq = NAME`, is not longer than the
    /// queue's own `retention`.
    ///
    /// FIFO queues are not checked: SQS resets the enqueue time of a
    /// message it moves to a FIFO dead-letter queue.
    ///
    /// ## Why is this bad?
    /// A message's retention is counted from when it was first sent, and a
    /// standard queue keeps that time when it moves the message to its
    /// dead-letter queue. A message that spent 3 days in a queue keeping 4
    /// days has 1 day left in a dead-letter queue keeping 4 days; a message
    /// that failed at the end of its retention is deleted as soon as it
    /// arrives. The failures the dead-letter queue exists to keep are lost
    /// before anyone looks at them. AWS's advice is to give the dead-letter
    /// queue a longer retention than its source.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// queue jobs { visibility = 3m  retention = 4d  dlq { max_receives = 3  retention = 4d } }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// queue jobs { visibility = 3m  retention = 4d  dlq { max_receives = 3  retention = 14d } }
    /// ```
    DlqRetentionTooShort, code = M406, slug = "dlq-retention-too-short", severity = Warning,
}

impl Rule for DlqRetentionTooShort {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        for queue in &system.queues {
            let Some(dead_letter) = &queue.dlq else {
                continue;
            };
            if queue.fifo.value {
                continue;
            }
            let (name, retention, span) = match dead_letter.queue {
                Some(named) => {
                    let Some(declared) = system.queue(named.value) else {
                        continue;
                    };
                    let span = if declared.retention.span == declared.name.span {
                        named.span
                    } else {
                        declared.retention.span
                    };
                    (
                        Some(declared.name.text.as_str()),
                        declared.retention.value,
                        span,
                    )
                }
                None => (
                    None,
                    dead_letter.retention.value,
                    dead_letter.retention.span,
                ),
            };
            if retention > queue.retention.value {
                continue;
            }
            out.push(diagnostic(
                &queue.name.text,
                queue.retention.value,
                queue.retention.span,
                name,
                retention,
                span,
            ));
        }
    }
}
