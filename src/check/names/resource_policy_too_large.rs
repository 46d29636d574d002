//! M246 resource-policy-too-large
use super::quotas::{self, Site};
use crate::check::{Context, Rule};
use crate::diagnostics::Diagnostic;
use crate::emit::deployed;
use crate::graph::iam::{Resource, Source};
use crate::graph::messaging;
use crate::model::aws_quotas::{QuotaKind, quota};
use crate::model::{ServiceId, System, TopicId};

/// `kind` is the limit gone over; `over` the declaration that adds the
/// first statement over it; `also` the size, when it is over its limit too.
pub fn diagnostic(
    owner: &Site,
    kind: QuotaKind,
    value: usize,
    statements: usize,
    region: &str,
    over: Option<&Site>,
    also: Option<(QuotaKind, usize)>,
) -> Diagnostic {
    let row = quota(kind);
    let (what, who) = match kind {
        QuotaKind::QueuePolicyStatements => (
            format!("have {value} statements"),
            "SQS allows a queue's policy",
        ),
        QuotaKind::QueuePolicySize => (
            format!("be {}", quotas::amount(row, value)),
            "SQS allows a queue's policy",
        ),
        QuotaKind::TopicPolicyStatements => (
            format!("have {value} statements"),
            "SNS allows a topic's policy",
        ),
        QuotaKind::TopicPolicySize => (
            format!("be {}", quotas::amount(row, value)),
            "SNS allows a topic's policy",
        ),
        _ => (
            format!("be {}", quotas::amount(row, value)),
            "Lambda allows a function's policy",
        ),
    };
    let mut diagnostic = Diagnostic::new(
        &ResourcePolicyTooLarge::CODE,
        format!(
            "the resource policy of {} would {what}, more than the {} {who}",
            owner.text,
            quotas::limit(row, region)
        ),
    )
    .primary(
        owner.span,
        format!("{statements} statements, one for each source that delivers to it"),
    );
    if let Some(over) = over.filter(|over| over.span != owner.span) {
        diagnostic = diagnostic.secondary(over.span, format!("{} adds one", over.text));
    }
    diagnostic
        .help(format!(
            "deliver to it from fewer sources: move some events to another `bus` (each has its own undelivered queue), give a declared rule its own `dlq`, or consume through more queues; {}",
            row.increase()
        ))
        .note(match also {
            Some((also, also_value)) => {
                let also_row = quota(also);
                format!(
                    "it would also be {}, more than the {} of a policy; {}",
                    quotas::amount(also_row, also_value),
                    quotas::limit(also_row, region),
                    quotas::source_note(row)
                )
            }
            None => quotas::source_note(row),
        })
}

/// The declaration behind the source of a statement.
fn source_site(system: &System, source: Source) -> Option<Site> {
    match source {
        Source::Rule(rule) => quotas::rule(system, rule),
        Source::Topic(topic) => {
            let declared = system.topics.get(topic.0)?;
            Some(Site {
                span: declared.name.span,
                text: format!("topic `{}`", declared.name.text),
            })
        }
        Source::LoadBalancer(balancer) => quotas::load_balancer(system, balancer),
        Source::Alarms => Some(Site {
            span: system.name.span,
            text: format!("the alarms of system `{}`", system.name.text),
        }),
    }
}

declare_rule! {
    /// ## What it does
    /// Reports a queue, topic or Lambda function whose resource policy
    /// would be over AWS's limits: an SQS queue's policy has at most 20
    /// statements and 8,192 bytes, a topic's 100 statements and 30 KB, a
    /// function's 20 KB. meshc writes one statement for each rule or topic
    /// that delivers to a queue or topic, and Lambda keeps one for each
    /// permission to invoke a function: the undelivered queue of a bus gets
    /// a statement for every rule on the bus, a function one for every
    /// `consumes` of events on a bus.
    ///
    /// ## Why is this bad?
    /// `SetQueueAttributes`, `SetTopicAttributes` or `AddPermission` fails,
    /// and the deployment stops; AWS does not raise these limits.
    ///
    /// ## Example
    /// Twenty rules on one bus (one for each `consumes`): with the TLS-only
    /// statement, the bus's undelivered queue would have 21.
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// bus commerce { }
    /// event E01 { bus = commerce  schema { id: string } }
    /// event E02 { bus = commerce  schema { id: string } }
    /// event E03 { bus = commerce  schema { id: string } }
    /// event E04 { bus = commerce  schema { id: string } }
    /// event E05 { bus = commerce  schema { id: string } }
    /// event E06 { bus = commerce  schema { id: string } }
    /// event E07 { bus = commerce  schema { id: string } }
    /// event E08 { bus = commerce  schema { id: string } }
    /// event E09 { bus = commerce  schema { id: string } }
    /// event E10 { bus = commerce  schema { id: string } }
    /// event E11 { bus = commerce  schema { id: string } }
    /// event E12 { bus = commerce  schema { id: string } }
    /// event E13 { bus = commerce  schema { id: string } }
    /// event E14 { bus = commerce  schema { id: string } }
    /// event E15 { bus = commerce  schema { id: string } }
    /// event E16 { bus = commerce  schema { id: string } }
    /// event E17 { bus = commerce  schema { id: string } }
    /// event E18 { bus = commerce  schema { id: string } }
    /// event E19 { bus = commerce  schema { id: string } }
    /// event E20 { bus = commerce  schema { id: string } }
    /// service hub {
    ///   compute = lambda { runtime = "python3.13" }
    ///   publishes [E01, E02, E03, E04, E05, E06, E07, E08, E09, E10, E11, E12, E13, E14, E15, E16, E17, E18, E19, E20]
    /// }
    /// service audit {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes E01  consumes E02  consumes E03  consumes E04  consumes E05
    ///   consumes E06  consumes E07  consumes E08  consumes E09  consumes E10
    ///   consumes E11  consumes E12  consumes E13  consumes E14  consumes E15
    ///   consumes E16  consumes E17  consumes E18  consumes E19  consumes E20
    /// }
    /// ```
    ///
    /// Use instead: one `consumes` of every event.
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// bus commerce { }
    /// event E01 { bus = commerce  schema { id: string } }
    /// event E02 { bus = commerce  schema { id: string } }
    /// event E03 { bus = commerce  schema { id: string } }
    /// event E04 { bus = commerce  schema { id: string } }
    /// event E05 { bus = commerce  schema { id: string } }
    /// event E06 { bus = commerce  schema { id: string } }
    /// event E07 { bus = commerce  schema { id: string } }
    /// event E08 { bus = commerce  schema { id: string } }
    /// event E09 { bus = commerce  schema { id: string } }
    /// event E10 { bus = commerce  schema { id: string } }
    /// event E11 { bus = commerce  schema { id: string } }
    /// event E12 { bus = commerce  schema { id: string } }
    /// event E13 { bus = commerce  schema { id: string } }
    /// event E14 { bus = commerce  schema { id: string } }
    /// event E15 { bus = commerce  schema { id: string } }
    /// event E16 { bus = commerce  schema { id: string } }
    /// event E17 { bus = commerce  schema { id: string } }
    /// event E18 { bus = commerce  schema { id: string } }
    /// event E19 { bus = commerce  schema { id: string } }
    /// event E20 { bus = commerce  schema { id: string } }
    /// service hub {
    ///   compute = lambda { runtime = "python3.13" }
    ///   publishes [E01, E02, E03, E04, E05, E06, E07, E08, E09, E10, E11, E12, E13, E14, E15, E16, E17, E18, E19, E20]
    /// }
    /// service audit {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes [E01, E02, E03, E04, E05, E06, E07, E08, E09, E10, E11, E12, E13, E14, E15, E16, E17, E18, E19, E20]
    /// }
    /// ```
    ResourcePolicyTooLarge, code = M246, slug = "resource-policy-too-large", severity = Error,
}

/// Checks one document against its two limits.
#[allow(clippy::too_many_arguments)] // One policy is all of these.
fn check_policy(
    system: &System,
    out: &mut Vec<Diagnostic>,
    owner: Option<Site>,
    region: &str,
    sizes: (QuotaKind, usize),
    statements: Option<(QuotaKind, usize)>,
    sources: &[Option<Source>],
) {
    let Some(owner) = owner else {
        return;
    };
    let count = sources.len();
    let (size_kind, size) = sizes;
    let mut over: Vec<(QuotaKind, usize, Option<Site>)> = Vec::new();
    if let Some((kind, _)) = statements {
        let limit = quota(kind).limit_in(region);
        if count > limit {
            let site = sources
                .get(limit)
                .copied()
                .flatten()
                .and_then(|source| source_site(system, source));
            over.push((kind, count, site));
        }
    }
    if size > quota(size_kind).limit_in(region) {
        let site = sources
            .iter()
            .rev()
            .find_map(|source| source.and_then(|source| source_site(system, source)));
        over.push((size_kind, size, site));
    }
    // One finding per policy: the statements when there are too many, with
    // its size too when that is also over.
    let mut over = over.into_iter();
    if let Some((kind, value, site)) = over.next() {
        let also = over.next().map(|(also, also_value, _)| (also, also_value));
        out.push(diagnostic(
            &owner,
            kind,
            value,
            count,
            region,
            site.as_ref(),
            also,
        ));
    }
}

impl Rule for ResourcePolicyTooLarge {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        let graph = context.graph;
        let region = system.region.value.as_str();
        let emit = crate::emit::Context::new(system, graph);
        let rules = messaging::rules(system, graph);
        for settings in messaging::queues(system, graph) {
            let (document, sources) =
                deployed::resource_policy(&emit, &rules, Resource::Queue(settings.queue));
            check_policy(
                system,
                out,
                quotas::queue(system, settings.queue),
                region,
                (QuotaKind::QueuePolicySize, deployed::bytes(&document)),
                Some((QuotaKind::QueuePolicyStatements, sources.len())),
                &sources,
            );
        }
        for (index, topic) in system.topics.iter().enumerate() {
            let (document, sources) =
                deployed::resource_policy(&emit, &rules, Resource::Topic(TopicId(index)));
            check_policy(
                system,
                out,
                Some(Site {
                    span: topic.name.span,
                    text: format!("topic `{}`", topic.name.text),
                }),
                region,
                (QuotaKind::TopicPolicySize, deployed::bytes(&document)),
                Some((QuotaKind::TopicPolicyStatements, sources.len())),
                &sources,
            );
        }
        for (index, service) in system.services.iter().enumerate() {
            if !service.is_lambda() {
                continue;
            }
            let (document, sources) = deployed::function_policy(&emit, &rules, ServiceId(index));
            let sources: Vec<Option<Source>> = sources.into_iter().map(Some).collect();
            check_policy(
                system,
                out,
                Some(Site {
                    span: service.name.span,
                    text: format!("Lambda function `{}`", service.name.text),
                }),
                region,
                (QuotaKind::LambdaPolicySize, deployed::bytes(&document)),
                None,
                &sources,
            );
        }
    }
}
