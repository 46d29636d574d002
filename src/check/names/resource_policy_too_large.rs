//! M246 resource-policy-too-large
use super::quotas::{self, Site};
use crate::check::{Context, Rule};
use crate::diagnostics::Diagnostic;
use crate::emit::deployed;
use crate::graph::iam::{Resource, Source};
use crate::model::aws_quotas::{QuotaKind, quota};
use crate::model::{ServiceId, System, TopicId};

/// `kind` is the limit gone over, by `value`; `sources` says how many
/// sources the policy names; `over` the declaration that adds the last.
pub fn diagnostic(
    owner: &Site,
    kind: QuotaKind,
    value: usize,
    sources: &str,
    region: &str,
    over: Option<&Site>,
) -> Diagnostic {
    let row = quota(kind);
    let who = match kind {
        QuotaKind::QueuePolicySize => "SQS allows a queue's policy",
        QuotaKind::TopicPolicySize => "SNS allows a topic's policy",
        _ => "Lambda allows a function's policy",
    };
    let mut diagnostic = Diagnostic::new(
        &ResourcePolicyTooLarge::CODE,
        format!(
            "the resource policy of {} would be {}, more than the {} {who}",
            owner.text,
            quotas::amount(row, value),
            quotas::limit(row, region)
        ),
    )
    .primary(owner.span, sources);
    if let Some(over) = over.filter(|over| over.span != owner.span) {
        diagnostic = diagnostic.secondary(over.span, format!("{} adds one", over.text));
    }
    diagnostic
        .help(format!(
            "deliver to it from fewer sources: move some events to another `bus` (each has its own undelivered queue), give a declared rule its own `dlq`, or consume through more queues; {}",
            row.increase()
        ))
        .note(quotas::source_note(row))
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
    /// would be over AWS's limits: an SQS queue's policy has at most 8,192
    /// bytes, a topic's 30 KB, a function's 20 KB. A queue's or topic's
    /// policy has one statement per AWS service that delivers to it, which
    /// names each of its rules or topics (about 128 bytes each), and Lambda
    /// keeps one statement for each permission to invoke a function: the
    /// undelivered queue of a bus names every rule on the bus, and a
    /// function has a permission for every `consumes` of events on a bus.
    ///
    /// ## Why is this bad?
    /// `SetQueueAttributes`, `SetTopicAttributes` or `AddPermission` fails,
    /// and the deployment stops; AWS does not raise these limits.
    ///
    /// ## Example
    /// Eight services consuming eight events each, one `consumes` at a
    /// time: 64 rules on one bus, which its undelivered queue's policy
    /// names in about 8,700 bytes.
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// bus commerce { }
    /// event E1 { bus = commerce  schema { id: string } }
    /// event E2 { bus = commerce  schema { id: string } }
    /// event E3 { bus = commerce  schema { id: string } }
    /// event E4 { bus = commerce  schema { id: string } }
    /// event E5 { bus = commerce  schema { id: string } }
    /// event E6 { bus = commerce  schema { id: string } }
    /// event E7 { bus = commerce  schema { id: string } }
    /// event E8 { bus = commerce  schema { id: string } }
    /// service hub {
    ///   compute = lambda { runtime = "python3.13" }
    ///   publishes [E1, E2, E3, E4, E5, E6, E7, E8]
    /// }
    /// service audit1 {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes E1  consumes E2  consumes E3  consumes E4  consumes E5  consumes E6  consumes E7  consumes E8
    /// }
    /// service audit2 {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes E1  consumes E2  consumes E3  consumes E4  consumes E5  consumes E6  consumes E7  consumes E8
    /// }
    /// service audit3 {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes E1  consumes E2  consumes E3  consumes E4  consumes E5  consumes E6  consumes E7  consumes E8
    /// }
    /// service audit4 {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes E1  consumes E2  consumes E3  consumes E4  consumes E5  consumes E6  consumes E7  consumes E8
    /// }
    /// service audit5 {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes E1  consumes E2  consumes E3  consumes E4  consumes E5  consumes E6  consumes E7  consumes E8
    /// }
    /// service audit6 {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes E1  consumes E2  consumes E3  consumes E4  consumes E5  consumes E6  consumes E7  consumes E8
    /// }
    /// service audit7 {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes E1  consumes E2  consumes E3  consumes E4  consumes E5  consumes E6  consumes E7  consumes E8
    /// }
    /// service audit8 {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes E1  consumes E2  consumes E3  consumes E4  consumes E5  consumes E6  consumes E7  consumes E8
    /// }
    /// ```
    ///
    /// Use instead: one `consumes` of every event, one rule a service.
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// bus commerce { }
    /// event E1 { bus = commerce  schema { id: string } }
    /// event E2 { bus = commerce  schema { id: string } }
    /// event E3 { bus = commerce  schema { id: string } }
    /// event E4 { bus = commerce  schema { id: string } }
    /// event E5 { bus = commerce  schema { id: string } }
    /// event E6 { bus = commerce  schema { id: string } }
    /// event E7 { bus = commerce  schema { id: string } }
    /// event E8 { bus = commerce  schema { id: string } }
    /// service hub {
    ///   compute = lambda { runtime = "python3.13" }
    ///   publishes [E1, E2, E3, E4, E5, E6, E7, E8]
    /// }
    /// service audit1 {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes [E1, E2, E3, E4, E5, E6, E7, E8]
    /// }
    /// service audit2 {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes [E1, E2, E3, E4, E5, E6, E7, E8]
    /// }
    /// service audit3 {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes [E1, E2, E3, E4, E5, E6, E7, E8]
    /// }
    /// service audit4 {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes [E1, E2, E3, E4, E5, E6, E7, E8]
    /// }
    /// service audit5 {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes [E1, E2, E3, E4, E5, E6, E7, E8]
    /// }
    /// service audit6 {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes [E1, E2, E3, E4, E5, E6, E7, E8]
    /// }
    /// service audit7 {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes [E1, E2, E3, E4, E5, E6, E7, E8]
    /// }
    /// service audit8 {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes [E1, E2, E3, E4, E5, E6, E7, E8]
    /// }
    /// ```
    ResourcePolicyTooLarge, code = M246, slug = "resource-policy-too-large", severity = Error,
}

/// One resource policy as AWS would store it.
struct Policy {
    /// What `bytes` counts, and the bytes.
    size: (QuotaKind, usize),
    /// The source of each permission the policy names, in its order.
    sources: Vec<Source>,
}

/// Checks one document against its limit of bytes (its statements and
/// conditions are bounded: one statement per AWS service). The declaration
/// behind the last source it names is the one that goes over.
fn check_policy(
    system: &System,
    out: &mut Vec<Diagnostic>,
    owner: Option<Site>,
    region: &str,
    policy: &Policy,
) {
    let (kind, size) = policy.size;
    let Some(owner) = owner.filter(|_| size > quota(kind).limit_in(region)) else {
        return;
    };
    let site = policy
        .sources
        .iter()
        .rev()
        .find_map(|source| source_site(system, *source));
    // A queue's or topic's policy names its sources in one statement per
    // AWS service; Lambda keeps a statement per permission.
    let label = match (kind, policy.sources.len()) {
        (QuotaKind::LambdaPolicySize, count) => {
            format!("{count} statements, one for each permission to invoke it")
        }
        (_, 1) => "1 source delivers to it, named in its policy".to_string(),
        (_, count) => format!("{count} sources deliver to it, each named in its policy"),
    };
    out.push(diagnostic(
        &owner,
        kind,
        size,
        &label,
        region,
        site.as_ref(),
    ));
}

impl Rule for ResourcePolicyTooLarge {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        let graph = context.graph;
        let region = system.region.value.as_str();
        let emit = crate::emit::Context::new(system, graph);
        let rules = &graph.messaging.rules;
        for settings in &graph.messaging.queues {
            let (document, sources) =
                deployed::resource_policy(&emit, rules, Resource::Queue(settings.queue));
            let policy = Policy {
                size: (QuotaKind::QueuePolicySize, deployed::bytes(&document)),
                sources,
            };
            check_policy(
                system,
                out,
                quotas::queue(system, settings.queue),
                region,
                &policy,
            );
        }
        for (index, topic) in system.topics.iter().enumerate() {
            let (document, sources) =
                deployed::resource_policy(&emit, rules, Resource::Topic(TopicId(index)));
            let policy = Policy {
                size: (QuotaKind::TopicPolicySize, deployed::bytes(&document)),
                sources,
            };
            let owner = Site {
                span: topic.name.span,
                text: format!("topic `{}`", topic.name.text),
            };
            check_policy(system, out, Some(owner), region, &policy);
        }
        for (index, service) in system.services.iter().enumerate() {
            if !service.is_lambda() {
                continue;
            }
            let (document, sources) = deployed::function_policy(&emit, rules, ServiceId(index));
            let policy = Policy {
                size: (QuotaKind::LambdaPolicySize, deployed::bytes(&document)),
                sources,
            };
            let owner = Site {
                span: service.name.span,
                text: format!("Lambda function `{}`", service.name.text),
            };
            check_policy(system, out, Some(owner), region, &policy);
        }
    }
}
