//! Messaging derivations: the EventBridge event pattern of every rule and
//! the SNS filter policy of every subscription, from the `where` clauses,
//! for every backend to emit as they are.
//!
//! A condition becomes a pattern on its field's path: `status = "x"` is
//! `{"status": ["x"]}`, `total >= 100` is `{"total": [{"numeric": [">=",
//! 100]}]}`, `status != "x"` is `{"status": [{"anything-but": ["x"]}]}`.
//! Numeric bounds on one field merge into one range, lower bound first, and
//! an `exists` that another condition on its field implies is left out.
//! `tests/patterns.rs` and `tests/conformance/patterns/` check the result
//! against the meaning of each clause.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json, json};

use super::{BusRef, EdgeKind, Graph, Node, QueueRef, RuleRef};
use crate::diagnostics::Span;
use crate::model::{
    Carrier, Channel, Condition, Duration, EventId, EventSource, Filter, FilterScope, FilterValue,
    QueueId, RuleTarget, Scalar, Schedule, ServiceId, Size, StreamId, SubscriptionTarget, System,
    TopicId, defaults,
};
use crate::vocabulary::CompareOp;

fn scalar(value: &Scalar) -> Json {
    match value {
        Scalar::String(text) => json!(text),
        Scalar::Number(number) => number_json(*number),
        Scalar::Bool(flag) => json!(flag),
    }
}

/// Whole numbers as integers, so that `100` is not written `100.0`.
fn number_json(number: f64) -> Json {
    if number.fract() == 0.0 && number.abs() < 9.0e15 {
        json!(number as i64)
    } else {
        json!(number)
    }
}

/// The matchers of one condition (the values in its field's array).
///
/// Numbers are matched with `numeric` (`=` included), which compares values
/// as numbers in both services: `100` and `100.0` are one number, the string
/// `"100"` is not a number. `anything-but` always takes a list, the form that
/// EventBridge and SNS both document for strings and for numbers.
fn matchers(condition: &Condition) -> Vec<Json> {
    let numeric = |operator: &str| match &condition.value {
        FilterValue::Scalar(Scalar::Number(number)) => {
            vec![json!({ "numeric": [operator, number_json(*number)] })]
        }
        _ => Vec::new(),
    };
    let equal = |value: &Scalar| match value {
        Scalar::Number(number) => json!({ "numeric": ["=", number_json(*number)] }),
        _ => scalar(value),
    };
    match (condition.op, &condition.value) {
        (CompareOp::Eq, FilterValue::Scalar(value)) => vec![equal(value)],
        (CompareOp::NotEq, FilterValue::Scalar(value)) => {
            vec![json!({ "anything-but": [scalar(value)] })]
        }
        (CompareOp::In, FilterValue::List(values)) => values.iter().map(equal).collect(),
        (CompareOp::NotIn, FilterValue::List(values)) => {
            vec![json!({ "anything-but": values.iter().map(scalar).collect::<Vec<_>>() })]
        }
        (CompareOp::Lt, _) => numeric("<"),
        (CompareOp::LtEq, _) => numeric("<="),
        (CompareOp::Gt, _) => numeric(">"),
        (CompareOp::GtEq, _) => numeric(">="),
        (CompareOp::StartsWith, FilterValue::Scalar(value)) => {
            vec![json!({ "prefix": scalar(value) })]
        }
        (CompareOp::EndsWith, FilterValue::Scalar(value)) => {
            vec![json!({ "suffix": scalar(value) })]
        }
        (CompareOp::Exists, _) => vec![json!({ "exists": true })],
        (CompareOp::NotExists, _) => vec![json!({ "exists": false })],
        _ => Vec::new(),
    }
}

fn is_bound(condition: &Condition) -> bool {
    matches!(
        condition.op,
        CompareOp::Lt | CompareOp::LtEq | CompareOp::Gt | CompareOp::GtEq
    )
}

/// The conditions on one field that a pattern has to say: `exists` goes
/// when another condition on the field needs a value there anyway (every
/// matcher but `"exists": false` matches only a field that is present).
fn needed<'a>(conditions: &[&'a Condition]) -> Vec<&'a Condition> {
    let implies_presence =
        |condition: &&Condition| !matches!(condition.op, CompareOp::Exists | CompareOp::NotExists);
    if conditions.iter().any(implies_presence) {
        conditions
            .iter()
            .copied()
            .filter(|condition| condition.op != CompareOp::Exists)
            .collect()
    } else {
        conditions.to_vec()
    }
}

/// One end of a numeric range: the value and whether it is included.
#[derive(Clone, Copy)]
struct Bound {
    value: f64,
    inclusive: bool,
}

/// The range that numeric bounds on one field leave: the tightest lower and
/// the tightest upper bound.
#[allow(clippy::float_cmp)] // Bounds compare as written: `>= 42` and `<= 42` meet at 42.
fn range(conditions: &[&Condition]) -> (Option<Bound>, Option<Bound>) {
    let mut lower: Option<Bound> = None;
    let mut upper: Option<Bound> = None;
    for condition in conditions {
        let FilterValue::Scalar(Scalar::Number(value)) = condition.value else {
            continue;
        };
        let inclusive = matches!(condition.op, CompareOp::LtEq | CompareOp::GtEq);
        let bound = Bound { value, inclusive };
        if matches!(condition.op, CompareOp::Gt | CompareOp::GtEq) {
            let tighter =
                lower.is_none_or(|old| value > old.value || (value == old.value && !inclusive));
            if tighter {
                lower = Some(bound);
            }
        } else {
            let tighter =
                upper.is_none_or(|old| value < old.value || (value == old.value && !inclusive));
            if tighter {
                upper = Some(bound);
            }
        }
    }
    (lower, upper)
}

/// Whether a range holds any number.
#[allow(clippy::float_cmp)] // Bounds compare as written: `>= 42` and `<= 42` meet at 42.
fn non_empty((lower, upper): (Option<Bound>, Option<Bound>)) -> bool {
    match (lower, upper) {
        (Some(lower), Some(upper)) => {
            lower.value < upper.value
                || (lower.value == upper.value && lower.inclusive && upper.inclusive)
        }
        _ => true,
    }
}

/// A numeric range as one matcher. EventBridge reads `numeric` as one
/// operator and value, or a lower bound (`>`, `>=`) followed by an upper
/// bound (`<`, `<=`) that is greater; a range of one number is `=`.
#[allow(clippy::float_cmp)] // Bounds compare as written: `>= 42` and `<= 42` meet at 42.
fn range_matcher((lower, upper): (Option<Bound>, Option<Bound>)) -> Json {
    let mut terms = Vec::new();
    match (lower, upper) {
        (Some(lower), Some(upper))
            if lower.value == upper.value && lower.inclusive && upper.inclusive =>
        {
            terms.push(json!("="));
            terms.push(number_json(lower.value));
        }
        _ => {
            if let Some(lower) = lower {
                terms.push(json!(if lower.inclusive { ">=" } else { ">" }));
                terms.push(number_json(lower.value));
            }
            if let Some(upper) = upper {
                terms.push(json!(if upper.inclusive { "<=" } else { "<" }));
                terms.push(number_json(upper.value));
            }
        }
    }
    json!({ "numeric": terms })
}

/// Joins the conditions on one field. Numeric bounds combine into one
/// range; anything else keeps the first condition's matchers (a check
/// reports filters that cannot be expressed).
fn merge(conditions: &[&Condition]) -> Vec<Json> {
    let conditions = needed(conditions);
    if conditions.len() > 1 && conditions.iter().copied().all(is_bound) {
        return vec![range_matcher(range(&conditions))];
    }
    conditions
        .first()
        .map(|condition| matchers(condition))
        .unwrap_or_default()
}

/// Whether one condition has a pattern of its own. EventBridge refuses
/// `anything-but` on `true`, `false` or a list that mixes strings and
/// numbers, and an empty list of values, whatever the operator.
fn expressible_alone(condition: &Condition) -> bool {
    match (condition.op, &condition.value) {
        (CompareOp::NotEq, FilterValue::Scalar(value)) => !matches!(value, Scalar::Bool(_)),
        (CompareOp::NotIn, FilterValue::List(values)) => {
            !values.is_empty()
                && (values
                    .iter()
                    .all(|value| matches!(value, Scalar::String(_)))
                    || values
                        .iter()
                        .all(|value| matches!(value, Scalar::Number(_))))
        }
        (_, FilterValue::List(values)) => !values.is_empty(),
        _ => true,
    }
}

/// Whether a filter's conditions can be written as one pattern: each
/// condition has a pattern of its own, and each field has one condition
/// besides an implied `exists`, or numeric bounds that leave some number.
pub fn expressible(filter: &Filter) -> bool {
    let mut by_field: BTreeMap<&[String], Vec<&Condition>> = BTreeMap::new();
    for condition in &filter.conditions {
        by_field
            .entry(condition.field.as_slice())
            .or_default()
            .push(condition);
    }
    filter.conditions.iter().all(expressible_alone)
        && by_field.values().all(|conditions| {
            let conditions = needed(conditions);
            conditions.len() == 1
                || (conditions.iter().copied().all(is_bound) && non_empty(range(&conditions)))
        })
}

/// The pairs of conditions on one field that one pattern cannot require
/// together: the first condition the field keeps, and each later one it
/// cannot join. An implied `exists` joins anything; numeric bounds join
/// into one range unless they leave no number, in which case the bound that
/// empties the range is reported. Conditions with no pattern of their own
/// are not pairs: `expressible_alone` judges them.
pub fn conflicts(filter: &Filter) -> Vec<(&Condition, &Condition)> {
    let mut by_field: BTreeMap<&[String], Vec<&Condition>> = BTreeMap::new();
    for condition in &filter.conditions {
        by_field
            .entry(condition.field.as_slice())
            .or_default()
            .push(condition);
    }
    let mut found = Vec::new();
    for conditions in by_field.values() {
        let conditions = needed(conditions);
        let Some((first, rest)) = conditions.split_first() else {
            continue;
        };
        if rest.is_empty() {
            continue;
        }
        if conditions.iter().copied().all(is_bound) {
            // The first bound, with each bound after which the range is empty.
            for (index, later) in rest.iter().enumerate() {
                let so_far = conditions.get(..index + 2).unwrap_or_default();
                if !non_empty(range(so_far)) {
                    found.push((*first, *later));
                    break;
                }
            }
            continue;
        }
        for later in rest {
            found.push((*first, *later));
        }
    }
    found.sort_by_key(|(_, later)| later.span.start());
    found
}

/// Whether a condition has a pattern of its own (see `expressible_alone`).
pub fn condition_expressible(condition: &Condition) -> bool {
    expressible_alone(condition)
}

/// The content filter of a `where` clause: nested objects down each field's
/// path, arrays of matchers at the leaves.
pub fn content_filter(filter: &Filter) -> Json {
    let mut by_field: BTreeMap<&[String], Vec<&Condition>> = BTreeMap::new();
    for condition in &filter.conditions {
        by_field
            .entry(condition.field.as_slice())
            .or_default()
            .push(condition);
    }
    let mut root = Map::new();
    for (path, conditions) in by_field {
        insert(&mut root, path, Json::Array(merge(&conditions)));
    }
    Json::Object(root)
}

fn insert(object: &mut Map<String, Json>, path: &[String], value: Json) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        object.insert(first.clone(), value);
        return;
    }
    let entry = object
        .entry(first.clone())
        .or_insert_with(|| Json::Object(Map::new()));
    if let Json::Object(inner) = entry {
        insert(inner, rest, value);
    }
}

/// The `source` an event is published with.
pub fn event_source(system: &System, event: EventId) -> Option<String> {
    let event = system.event(event)?;
    match &event.source.as_ref()?.value {
        EventSource::Service(service) => system
            .service(*service)
            .map(|service| format!("{}.{}", system.name.text, service.name.text)),
        EventSource::Text(text) => Some(text.clone()),
    }
}

/// The EventBridge pattern matching `events` and the filter. An event is
/// told by its detail type and, when it declares one, its source. When the
/// events do not all allow the same sources, one `$or` branch per set of
/// sources keeps a detail type from being matched with the source of
/// another event.
pub fn event_pattern(system: &System, events: &[EventId], filter: Option<&Filter>) -> Json {
    // The sources each detail type may come from; `None` is any source.
    let mut sources_by_type: BTreeMap<String, Option<BTreeSet<String>>> = BTreeMap::new();
    for event_id in events {
        let Some(event) = system.event(*event_id) else {
            continue;
        };
        let allowed = sources_by_type
            .entry(event.detail_type.clone())
            .or_insert_with(|| Some(BTreeSet::new()));
        match (allowed.as_mut(), event_source(system, *event_id)) {
            (Some(sources), Some(source)) => {
                sources.insert(source);
            }
            _ => *allowed = None,
        }
    }
    let mut types_by_sources: BTreeMap<Option<BTreeSet<String>>, Vec<String>> = BTreeMap::new();
    for (detail_type, sources) in sources_by_type {
        types_by_sources
            .entry(sources)
            .or_default()
            .push(detail_type);
    }
    let envelope = |sources: Option<BTreeSet<String>>, detail_types: Vec<String>| {
        let mut envelope = Map::new();
        if let Some(sources) = sources {
            envelope.insert("source".to_string(), json!(sources));
        }
        envelope.insert("detail-type".to_string(), json!(detail_types));
        envelope
    };
    let mut pattern = Map::new();
    if types_by_sources.len() == 1 {
        if let Some((sources, detail_types)) = types_by_sources.pop_first() {
            pattern = envelope(sources, detail_types);
        }
    } else if types_by_sources.len() > 1 {
        let branches: Vec<Json> = types_by_sources
            .into_iter()
            .map(|(sources, detail_types)| Json::Object(envelope(sources, detail_types)))
            .collect();
        pattern.insert("$or".to_string(), Json::Array(branches));
    }
    if let Some(filter) = filter.filter(|filter| !filter.conditions.is_empty()) {
        pattern.insert("detail".to_string(), content_filter(filter));
    }
    Json::Object(pattern)
}

/// The SNS filter policy of a subscription: its `where` clause, and, when
/// it takes some of the events of a topic that filters on attributes, the
/// names (`detail_type`) of those events in the `event` attribute. `None`
/// when it lets every message through.
pub fn filter_policy(
    system: &System,
    filter: Option<&Filter>,
    events: Option<Vec<EventId>>,
) -> Option<Json> {
    let filter = filter.filter(|filter| !filter.conditions.is_empty());
    if filter.is_none() && events.is_none() {
        return None;
    }
    let mut policy = match filter.map(content_filter) {
        Some(Json::Object(policy)) => policy,
        _ => Map::new(),
    };
    if let Some(events) = events {
        let names: Vec<Json> = events
            .iter()
            .filter_map(|event| system.event(*event))
            .map(|event| json!(event.detail_type))
            .collect();
        policy.insert(EVENT_ATTRIBUTE.to_string(), Json::Array(names));
    }
    Some(Json::Object(policy))
}

// ---------------------------------------------------------------------------
// What the backends emit for messaging: queues, rules, subscriptions, and
// the event source mappings that feed Lambda functions.

/// The settings of a queue of the graph, declared or derived.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueSettings {
    pub queue: QueueRef,
    pub fifo: bool,
    pub visibility: Duration,
    pub retention: Duration,
    pub delay: Duration,
    pub receive_wait: Duration,
    pub max_message_size: Option<Size>,
    pub content_based_deduplication: bool,
    /// Where a message goes after this many receives without a delete.
    pub redrive: Option<(QueueRef, u32)>,
    /// What the queue is for, in a sentence.
    pub purpose: String,
}

/// The queue a declared queue's dead letters go to.
fn dead_letter_target(system: &System, id: QueueId) -> Option<(QueueRef, u32)> {
    let dead_letter = system.queue(id)?.dlq.as_ref()?;
    let target = dead_letter.queue.map_or(QueueRef::DeadLetter(id), |queue| {
        QueueRef::Declared(queue.value)
    });
    Some((target, dead_letter.max_receives.value))
}

/// Settings of a queue meshc creates: standard, SSE, default timings.
fn derived(queue: QueueRef, retention: Duration, purpose: String) -> QueueSettings {
    QueueSettings {
        queue,
        fifo: false,
        visibility: defaults::QUEUE_VISIBILITY,
        retention,
        delay: defaults::QUEUE_DELAY,
        receive_wait: defaults::QUEUE_RECEIVE_WAIT,
        max_message_size: None,
        content_based_deduplication: false,
        redrive: None,
        purpose,
    }
}

fn service_name(system: &System, id: ServiceId) -> &str {
    system
        .service(id)
        .map_or("", |service| service.name.text.as_str())
}

fn bus_name(system: &System, bus: BusRef) -> &str {
    match bus {
        BusRef::Default => "default",
        BusRef::Declared(id) => system
            .buses
            .get(id.0)
            .map_or("", |bus| bus.name.text.as_str()),
    }
}

/// The settings of one queue.
pub fn queue_settings(system: &System, queue: QueueRef) -> QueueSettings {
    match queue {
        QueueRef::Declared(id) => {
            let Some(declared) = system.queue(id) else {
                return derived(queue, defaults::QUEUE_RETENTION, String::new());
            };
            QueueSettings {
                queue,
                fifo: declared.fifo.value,
                visibility: declared.visibility.value,
                retention: declared.retention.value,
                delay: declared.delay.value,
                receive_wait: declared.receive_wait.value,
                max_message_size: declared.max_message_size.map(|size| size.value),
                content_based_deduplication: declared.content_based_deduplication,
                redrive: dead_letter_target(system, id),
                purpose: if declared.doc.is_empty() {
                    format!("The queue {}.", declared.name.text)
                } else {
                    declared.doc.join("\n")
                },
            }
        }
        QueueRef::DeadLetter(id) => {
            let source = system.queue(id);
            let name = source.map_or("", |queue| queue.name.text.as_str());
            let retention = source
                .and_then(|queue| queue.dlq.as_ref())
                .map_or(defaults::DLQ_RETENTION, |dead_letter| {
                    dead_letter.retention.value
                });
            let mut settings = derived(
                queue,
                retention,
                format!(
                    "The messages of {name} that failed {} receives.",
                    source
                        .and_then(|queue| queue.dlq.as_ref())
                        .map_or(defaults::DLQ_MAX_RECEIVES, |dead_letter| dead_letter
                            .max_receives
                            .value)
                ),
            );
            settings.fifo = source.is_some_and(|queue| queue.fifo.value);
            settings
        }
        QueueRef::Inbox(id) => {
            let mut settings = derived(
                queue,
                defaults::QUEUE_RETENTION,
                format!(
                    "The events and messages delivered to {}, which polls them.",
                    service_name(system, id)
                ),
            );
            settings.redrive = Some((QueueRef::InboxDeadLetter(id), defaults::DLQ_MAX_RECEIVES));
            settings
        }
        QueueRef::InboxDeadLetter(id) => derived(
            queue,
            defaults::DLQ_RETENTION,
            format!(
                "The messages {} failed to process {} times.",
                service_name(system, id),
                defaults::DLQ_MAX_RECEIVES
            ),
        ),
        QueueRef::Undelivered(bus) => derived(
            queue,
            defaults::DLQ_RETENTION,
            format!(
                "The events of bus {} that EventBridge could not deliver to a target.",
                bus_name(system, bus)
            ),
        ),
        QueueRef::Commands(id) => {
            let mut settings = derived(
                queue,
                defaults::QUEUE_RETENTION,
                format!(
                    "The saga operations {} runs: each message carries a task token to report the outcome with.",
                    service_name(system, id)
                ),
            );
            settings.redrive = Some((QueueRef::CommandsDeadLetter(id), defaults::DLQ_MAX_RECEIVES));
            settings
        }
        QueueRef::CommandsDeadLetter(id) => derived(
            queue,
            defaults::DLQ_RETENTION,
            format!(
                "The saga operations {} failed to take {} times.",
                service_name(system, id),
                defaults::DLQ_MAX_RECEIVES
            ),
        ),
        QueueRef::SagaDeadLetter(id) => derived(
            queue,
            defaults::DLQ_RETENTION,
            format!(
                "The executions of saga {} that could not be compensated or finished: their state, for an operator.",
                system
                    .sagas
                    .get(id.0)
                    .map_or("", |saga| saga.name.text.as_str())
            ),
        ),
        QueueRef::FunctionFailures(id) => derived(
            queue,
            defaults::DLQ_RETENTION,
            format!(
                "The events {} failed to process after Lambda's retries of asynchronous invocations.",
                service_name(system, id)
            ),
        ),
        QueueRef::StreamFailures(id) => derived(
            queue,
            defaults::DLQ_RETENTION,
            format!(
                "Where Lambda reports the batches of stream records {} gave up on (shard and sequence numbers, to read them again from the stream).",
                service_name(system, id)
            ),
        ),
    }
}

/// What the messaging of a system becomes, derived once with the graph:
/// its queues, EventBridge rules and topic subscriptions, which the
/// checks, the backends and the price read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    /// Every EventBridge rule, by rule and then bus.
    pub rules: Vec<RulePlan>,
    /// Every queue of the graph, in a stable order.
    pub queues: Vec<QueueSettings>,
    /// Every subscription of every topic, declared ones first.
    pub subscriptions: Vec<SubscriptionPlan>,
    /// The events each topic and stream carries, by channel.
    pub carried: BTreeMap<Channel, Vec<EventId>>,
    /// Who sends and who receives each event.
    pub traffic: Traffic,
}

/// The messaging plan of a graph whose nodes, edges and saga plans are
/// built.
pub(super) fn plan(system: &System, graph: &Graph) -> Plan {
    let carried = carried(system);
    Plan {
        rules: rules(system, graph),
        queues: queues(system, graph),
        subscriptions: subscriptions(system, &carried),
        traffic: Traffic::of(system, &carried),
        carried,
    }
}

/// One end of an event's journey, where the source says so: a sender or a
/// receiver, with the label a diagnostic puts there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct End {
    pub span: Span,
    pub label: String,
}

/// Adds an end to the ends of `event`.
fn push_end(ends: &mut [Vec<End>], event: EventId, span: Span, label: &str) {
    if let Some(ends) = ends.get_mut(event.0) {
        ends.push(End {
            span,
            label: label.to_string(),
        });
    }
}

/// "topic `orders`", for labels.
fn channel_text(system: &System, channel: Channel) -> String {
    let name = |id: Option<&crate::model::Name>| id.map_or_else(String::new, |n| n.text.clone());
    match channel {
        Channel::Event(id) => format!("event `{}`", name(system.event(id).map(|e| &e.name))),
        Channel::Queue(id) => format!("queue `{}`", name(system.queue(id).map(|q| &q.name))),
        Channel::Topic(id) => format!("topic `{}`", name(system.topics.get(id.0).map(|t| &t.name))),
        Channel::Stream(id) => format!(
            "stream `{}`",
            name(system.streams.get(id.0).map(|s| &s.name))
        ),
    }
}

/// Who sends and who receives each event, gathered in one pass over the
/// system.
///
/// Senders are the services that publish an event or write to its topic or
/// stream, and the world outside the system when its `source` is a text
/// (`source = "aws.s3"`). Receivers are the services that consume it (or its
/// topic or stream), the rules that match it, the subscriptions of its
/// topic and the sagas it starts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Traffic {
    /// Indexed by `EventId`.
    senders: Vec<Vec<End>>,
    /// Indexed by `EventId`.
    receivers: Vec<Vec<End>>,
}

impl Traffic {
    fn of(system: &System, carried: &BTreeMap<Channel, Vec<EventId>>) -> Traffic {
        let count = system.events.len();
        let mut traffic = Traffic {
            senders: vec![Vec::new(); count],
            receivers: vec![Vec::new(); count],
        };
        // The events a relation to a channel is about, and whether they are
        // reached through their carrier rather than named.
        let events_of = |channel: Channel| -> (Vec<EventId>, bool) {
            match channel {
                Channel::Event(id) => (vec![id], false),
                Channel::Topic(_) | Channel::Stream(_) => {
                    (carried.get(&channel).cloned().unwrap_or_default(), true)
                }
                Channel::Queue(_) => (Vec::new(), false),
            }
        };
        for service in &system.services {
            let name = &service.name.text;
            for publish in &service.publishes {
                let (events, through_carrier) = events_of(publish.target);
                let label = if through_carrier {
                    format!(
                        "`{name}` publishes to its {}",
                        channel_text(system, publish.target)
                    )
                } else {
                    format!("published by `{name}`")
                };
                for event in events {
                    traffic.send(event, publish.target_span, &label);
                }
            }
            for consume in &service.consumes {
                for source in &consume.sources {
                    let (events, through_carrier) = events_of(source.value);
                    let label = if through_carrier {
                        format!(
                            "`{name}` consumes its {}",
                            channel_text(system, source.value)
                        )
                    } else {
                        format!("consumed by `{name}`")
                    };
                    for event in events {
                        traffic.receive(event, source.span, &label);
                    }
                }
            }
        }
        for (index, event) in system.events.iter().enumerate() {
            if let Some(source) = &event.source {
                if let EventSource::Text(text) = &source.value {
                    let label = format!("sent by `{text}`, outside the system");
                    traffic.send(EventId(index), source.span, &label);
                }
            }
        }
        for rule in &system.rules {
            let label = format!("matched by rule `{}`", rule.name.text);
            for matched in &rule.matches {
                traffic.receive(matched.value, matched.span, &label);
            }
        }
        for (index, topic) in system.topics.iter().enumerate() {
            let events = carried
                .get(&Channel::Topic(TopicId(index)))
                .map_or(&[][..], Vec::as_slice);
            let label = format!("subscribed to its topic `{}`", topic.name.text);
            for subscription in &topic.subscriptions {
                for &event in events {
                    traffic.receive(event, subscription.target.span, &label);
                }
            }
        }
        for saga in &system.sagas {
            if let Some(trigger) = saga.trigger {
                let label = format!("starts saga `{}`", saga.name.text);
                traffic.receive(trigger.value, trigger.span, &label);
            }
        }
        traffic
    }

    fn send(&mut self, event: EventId, span: Span, label: &str) {
        push_end(&mut self.senders, event, span, label);
    }

    fn receive(&mut self, event: EventId, span: Span, label: &str) {
        push_end(&mut self.receivers, event, span, label);
    }

    /// Who sends an event.
    pub fn senders(&self, event: EventId) -> &[End] {
        self.senders.get(event.0).map_or(&[], Vec::as_slice)
    }

    /// Who receives an event.
    pub fn receivers(&self, event: EventId) -> &[End] {
        self.receivers.get(event.0).map_or(&[], Vec::as_slice)
    }
}

/// Every queue of the graph, in a stable order.
fn queues(system: &System, graph: &Graph) -> Vec<QueueSettings> {
    let mut queues: Vec<QueueRef> = graph
        .graph
        .node_weights()
        .filter_map(|node| match node {
            Node::Queue(queue) => Some(*queue),
            _ => None,
        })
        .collect();
    queues.sort();
    queues
        .into_iter()
        .map(|queue| queue_settings(system, queue))
        .collect()
}

/// One EventBridge rule on one bus, with what it matches and where it
/// delivers.
#[derive(Clone, Debug, PartialEq)]
pub struct RulePlan {
    pub rule: RuleRef,
    pub bus: BusRef,
    /// Whether the declared rule spans several buses (and so is emitted
    /// once per bus).
    pub one_of_several: bool,
    pub pattern: Option<Json>,
    pub schedule: Option<Schedule>,
    /// Queues, Lambda functions, topics, streams and sagas.
    pub targets: Vec<Node>,
    /// Retries after the first delivery attempt.
    pub retries: u32,
    pub max_event_age: Duration,
    pub dead_letter: Option<QueueRef>,
    pub description: String,
    /// For a rule of a choreographed saga, the operation its target runs:
    /// the target receives `{"saga", "operation", "event"}`.
    pub command: Option<SagaCommand>,
}

/// A saga operation, as a choreography rule sends it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SagaCommand {
    pub saga: String,
    pub operation: String,
}

fn event_names(system: &System, events: &[EventId]) -> String {
    let names: Vec<&str> = events
        .iter()
        .filter_map(|event| system.event(*event))
        .map(|event| event.name.text.as_str())
        .collect();
    names.join(", ")
}

/// What a declared rule or subscription delivers a service to: the
/// function, or the inbox a Fargate service polls.
pub fn delivery_target(system: &System, service: ServiceId) -> Node {
    if system
        .service(service)
        .is_some_and(crate::model::Service::is_lambda)
    {
        Node::Service(service)
    } else {
        Node::Queue(QueueRef::Inbox(service))
    }
}

/// Every EventBridge rule of the graph: declared rules (once per bus they
/// match events of), the rule behind each `consumes` of events on a bus, and
/// the rule that starts each saga; in the order of their `RuleRef`, so that
/// the copies of one rule are next to each other.
fn rules(system: &System, graph: &Graph) -> Vec<RulePlan> {
    let mut rules = Vec::new();
    let mut nodes: Vec<RuleRef> = graph
        .graph
        .node_weights()
        .filter_map(|node| match node {
            Node::Rule(rule) => Some(*rule),
            _ => None,
        })
        .collect();
    nodes.sort();
    for rule in nodes {
        match rule {
            RuleRef::Declared(id) => {
                let Some(declared) = system.rules.get(id.0) else {
                    continue;
                };
                let events: Vec<EventId> =
                    declared.matches.iter().map(|event| event.value).collect();
                let mut buses: Vec<BusRef> = events
                    .iter()
                    .filter_map(|event| system.event(*event))
                    .filter_map(|event| super::build::bus_of(event.carrier.value))
                    .collect();
                if declared.schedule.is_some() || buses.is_empty() {
                    buses.push(BusRef::Default);
                }
                buses.sort();
                buses.dedup();
                let targets: Vec<Node> = declared
                    .targets
                    .iter()
                    .map(|target| match target.value {
                        RuleTarget::Service(service) => delivery_target(system, service),
                        RuleTarget::Queue(queue) => Node::Queue(QueueRef::Declared(queue)),
                        RuleTarget::Topic(topic) => Node::Topic(topic),
                        RuleTarget::Stream(stream) => Node::Stream(stream),
                        RuleTarget::Saga(saga) => Node::Saga(saga),
                    })
                    .collect();
                let several = buses.len() > 1;
                for bus in buses {
                    let on_bus: Vec<EventId> = events
                        .iter()
                        .copied()
                        .filter(|event| {
                            system
                                .event(*event)
                                .and_then(|event| super::build::bus_of(event.carrier.value))
                                == Some(bus)
                        })
                        .collect();
                    let pattern = declared
                        .schedule
                        .is_none()
                        .then(|| event_pattern(system, &on_bus, declared.filter.as_ref()));
                    rules.push(RulePlan {
                        rule,
                        bus,
                        one_of_several: several,
                        pattern,
                        schedule: declared
                            .schedule
                            .as_ref()
                            .map(|schedule| schedule.value.clone()),
                        targets: targets.clone(),
                        retries: declared.retries.value,
                        max_event_age: declared.max_event_age.value,
                        dead_letter: Some(
                            declared.dlq.map_or(QueueRef::Undelivered(bus), |queue| {
                                QueueRef::Declared(queue.value)
                            }),
                        ),
                        description: crate::model::prose(&declared.doc)
                            .unwrap_or_else(|| format!("The rule {}.", declared.name.text)),
                        command: None,
                    });
                }
            }
            RuleRef::Consumer {
                service,
                index,
                bus,
            } => {
                let Some(consume) = system
                    .service(service)
                    .and_then(|declared| declared.consumes.get(index))
                else {
                    continue;
                };
                let events: Vec<EventId> = consume
                    .sources
                    .iter()
                    .filter_map(|source| match source.value {
                        Channel::Event(event) => Some(event),
                        _ => None,
                    })
                    .filter(|event| {
                        system
                            .event(*event)
                            .and_then(|event| super::build::bus_of(event.carrier.value))
                            == Some(bus)
                    })
                    .collect();
                let node = Node::Rule(rule);
                let mut targets: Vec<Node> = Vec::new();
                for (to, edge) in graph.edges_from(node) {
                    let delivers = matches!(edge.kind, EdgeKind::Route | EdgeKind::Invoke)
                        && to != Node::Queue(QueueRef::Undelivered(bus));
                    if delivers && !targets.contains(&to) {
                        targets.push(to);
                    }
                }
                let buses_of_consume = consume
                    .sources
                    .iter()
                    .filter_map(|source| match source.value {
                        Channel::Event(event) => system
                            .event(event)
                            .and_then(|event| super::build::bus_of(event.carrier.value)),
                        _ => None,
                    })
                    .collect::<std::collections::BTreeSet<_>>();
                rules.push(RulePlan {
                    rule,
                    bus,
                    one_of_several: buses_of_consume.len() > 1,
                    pattern: Some(event_pattern(system, &events, consume.filter.as_ref())),
                    schedule: None,
                    targets,
                    retries: defaults::RULE_RETRIES,
                    max_event_age: defaults::RULE_MAX_EVENT_AGE,
                    dead_letter: Some(QueueRef::Undelivered(bus)),
                    description: format!(
                        "Delivers {} to {}.",
                        event_names(system, &events),
                        service_name(system, service)
                    ),
                    command: None,
                });
            }
            RuleRef::Choreography { saga, index } => {
                let Some(plan) = graph.saga(saga) else {
                    continue;
                };
                let Some(choreography) = plan.choreography.get(index) else {
                    continue;
                };
                let bus = plan
                    .trigger
                    .and_then(|trigger| system.event(trigger))
                    .and_then(|event| super::build::bus_of(event.carrier.value))
                    .unwrap_or(BusRef::Default);
                let pattern = if let (true, Some(trigger)) = (choreography.on_trigger, plan.trigger)
                {
                    let filter = system
                        .sagas
                        .get(saga.0)
                        .and_then(|declared| declared.trigger_filter.as_ref());
                    event_pattern(system, &[trigger], filter)
                } else {
                    let mut sources: Vec<String> = choreography
                        .on
                        .iter()
                        .filter_map(|event| plan.publisher(*event))
                        .map(|service| {
                            format!("{}.{}", system.name.text, service_name(system, service))
                        })
                        .collect();
                    sources.sort();
                    sources.dedup();
                    let mut detail_types: Vec<String> = choreography
                        .on
                        .iter()
                        .map(|event| plan.detail_type(*event))
                        .collect();
                    detail_types.sort();
                    detail_types.dedup();
                    json!({ "source": sources, "detail-type": detail_types })
                };
                let targets: Vec<Node> = graph
                    .edges_from(Node::Rule(rule))
                    .into_iter()
                    .filter(|(to, _)| *to != Node::Queue(QueueRef::Undelivered(bus)))
                    .map(|(to, _)| to)
                    .collect();
                let runs = match choreography.runs {
                    super::saga::Runs::Step(step) => format!(
                        "Runs step {} of saga {}",
                        plan.steps.get(step).map_or("", |step| step.name.as_str()),
                        plan.name
                    ),
                    super::saga::Runs::Undo(step) => format!(
                        "Undoes step {} of saga {}",
                        plan.steps.get(step).map_or("", |step| step.name.as_str()),
                        plan.name
                    ),
                    super::saga::Runs::OnFailure => {
                        format!("Runs the failure handler of saga {}", plan.name)
                    }
                    super::saga::Runs::DeadLetter => {
                        format!(
                            "Keeps the failures of saga {} that nothing can undo",
                            plan.name
                        )
                    }
                };
                let on = if choreography.on_trigger {
                    plan.trigger
                        .map(|trigger| event_names(system, &[trigger]))
                        .unwrap_or_default()
                } else {
                    choreography
                        .on
                        .iter()
                        .map(|event| plan.detail_type(*event))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                rules.push(RulePlan {
                    rule,
                    bus,
                    one_of_several: false,
                    pattern: Some(pattern),
                    schedule: None,
                    targets,
                    retries: defaults::RULE_RETRIES,
                    max_event_age: defaults::RULE_MAX_EVENT_AGE,
                    dead_letter: Some(QueueRef::Undelivered(bus)),
                    description: format!("{runs} on {on}."),
                    command: plan.action_of(choreography.runs).map(|action| SagaCommand {
                        saga: plan.name.clone(),
                        operation: action.operation.clone(),
                    }),
                });
            }
            RuleRef::Trigger(saga) => {
                let Some(declared) = system.sagas.get(saga.0) else {
                    continue;
                };
                let Some(trigger) = declared.trigger else {
                    continue;
                };
                let Some(bus) = system
                    .event(trigger.value)
                    .and_then(|event| super::build::bus_of(event.carrier.value))
                else {
                    continue;
                };
                rules.push(RulePlan {
                    rule,
                    bus,
                    one_of_several: false,
                    pattern: Some(event_pattern(
                        system,
                        &[trigger.value],
                        declared.trigger_filter.as_ref(),
                    )),
                    schedule: None,
                    targets: vec![Node::Saga(saga)],
                    retries: defaults::RULE_RETRIES,
                    max_event_age: defaults::RULE_MAX_EVENT_AGE,
                    dead_letter: Some(QueueRef::Undelivered(bus)),
                    description: format!(
                        "Starts the saga {} on {}.",
                        declared.name.text,
                        event_names(system, &[trigger.value])
                    ),
                    command: None,
                });
            }
        }
    }
    rules
}

/// A subscription of a topic: declared, or derived from a `consumes`.
#[derive(Clone, Debug, PartialEq)]
pub struct SubscriptionPlan {
    pub topic: TopicId,
    /// A queue, or a Lambda function.
    pub target: Node,
    pub filter_policy: Option<Json>,
    /// What the filter policy tests: the topic's `filter_on`.
    pub scope: FilterScope,
    /// The relations the subscription is written from, in declaration
    /// order: SNS keeps one subscription per topic and endpoint.
    pub relations: Vec<SubscribedBy>,
    pub raw_delivery: bool,
}

/// A relation a subscription is written from: a `subscribe` of a topic or
/// a `consumes`, with its `where` when it has one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SubscribedBy {
    pub relation: crate::diagnostics::Span,
    pub filter: Option<crate::diagnostics::Span>,
}

impl SubscriptionPlan {
    /// Where the subscription's filter is written: each relation's `where`,
    /// or the relation itself when it has none.
    pub fn filter_sites(&self) -> impl Iterator<Item = crate::diagnostics::Span> + '_ {
        self.relations
            .iter()
            .map(|relation| relation.filter.unwrap_or(relation.relation))
    }
}

/// SNS's operator for a policy that accepts what any of several accepts.
pub const OR_KEY: &str = "$or";

/// The field names SNS does not accept inside an `$or` (Event Ruler's
/// `RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP`, aws/event-ruler `Constants.java`;
/// the SNS developer guide, "AND/OR logic"): a branch testing a field of
/// one of these names makes the policy invalid.
pub const RESERVED_IN_OR: &[&str] = &[
    "equals",
    "equals-ignore-case",
    "prefix",
    "suffix",
    "anything-but",
    "exists",
    "wildcard",
    "numeric",
    "cidr",
    "=",
    "<",
    "<=",
    ">",
    ">=",
    "regex",
    "not-wildcard",
    "not-equals-ignore-case",
    "date-after",
    "date-on-or-after",
    "date-before",
    "date-on-or-before",
    "in-date-range",
    "ip-address-in-range",
    "ip-address-not-in-range",
];

/// The alternatives a filter policy accepts: the branches of its `$or`
/// when that is all it says, else the policy itself.
pub fn alternatives(policy: &Json) -> Vec<&Map<String, Json>> {
    match policy {
        Json::Object(fields) => match fields.get(OR_KEY) {
            Some(Json::Array(branches)) if fields.len() == 1 => {
                branches.iter().filter_map(Json::as_object).collect()
            }
            _ => vec![fields],
        },
        _ => Vec::new(),
    }
}

/// A policy's keys and values but the event list.
fn apart_from_events(map: &Map<String, Json>) -> BTreeMap<&String, &Json> {
    map.iter()
        .filter(|(key, _)| *key != EVENT_ATTRIBUTE)
        .collect()
}

/// The filter policy of one subscription that two relations to it share:
/// none when either takes everything; one list of events when they differ
/// only in the events they name; else SNS's `$or` of both.
fn either(first: Option<Json>, second: Option<Json>) -> Option<Json> {
    let (Some(first), Some(second)) = (first, second) else {
        return None;
    };
    if first == second {
        return Some(first);
    }
    if let (Json::Object(one), Json::Object(other)) = (&first, &second) {
        if let (Some(Json::Array(events)), Some(Json::Array(more))) =
            (one.get(EVENT_ATTRIBUTE), other.get(EVENT_ATTRIBUTE))
        {
            if apart_from_events(one) == apart_from_events(other) {
                let mut events = events.clone();
                for event in more {
                    if !events.contains(event) {
                        events.push(event.clone());
                    }
                }
                let mut joined = one.clone();
                joined.insert(EVENT_ATTRIBUTE.to_string(), Json::Array(events));
                return Some(Json::Object(joined));
            }
        }
    }
    let mut branches: Vec<Json> = Vec::new();
    for branch in alternatives(&first)
        .into_iter()
        .chain(alternatives(&second))
    {
        let branch = Json::Object(branch.clone());
        if !branches.contains(&branch) {
            branches.push(branch);
        }
    }
    Some(json!({ OR_KEY: branches }))
}

/// SNS's `FilterPolicyScope` for a topic's `filter_on`.
pub fn policy_scope(scope: FilterScope) -> &'static str {
    match scope {
        FilterScope::Body => "MessageBody",
        FilterScope::Attributes => "MessageAttributes",
    }
}

/// The message attribute that names the event of a message published on a
/// topic that filters on attributes (docs/runtime.md).
pub const EVENT_ATTRIBUTE: &str = "event";

/// The fields of `event`'s documents that its publishers copy into message
/// attributes on `topic`: those of its top-level fields that the topic's
/// filter policies test, when it filters on attributes
/// (`MESH_EVENT_<EVENT>_ATTRIBUTES`).
pub fn attribute_fields(
    system: &System,
    subscriptions: &[SubscriptionPlan],
    topic: TopicId,
    event: EventId,
) -> Vec<String> {
    let Some(event) = system.event(event) else {
        return Vec::new();
    };
    let mut fields = BTreeSet::new();
    for plan in subscriptions {
        if plan.topic != topic || plan.scope != FilterScope::Attributes {
            continue;
        }
        for branch in plan.filter_policy.iter().flat_map(alternatives) {
            fields.extend(
                branch
                    .keys()
                    .filter(|key| event.schema.iter().any(|field| field.name.text == **key))
                    .cloned(),
            );
        }
    }
    fields.into_iter().collect()
}

/// The events each topic and stream carries, by channel.
fn carried(system: &System) -> BTreeMap<Channel, Vec<EventId>> {
    let mut carried: BTreeMap<Channel, Vec<EventId>> = BTreeMap::new();
    for (index, event) in system.events.iter().enumerate() {
        let channel = match event.carrier.value {
            Carrier::Topic(topic) => Channel::Topic(topic),
            Carrier::Stream(stream) => Channel::Stream(stream),
            Carrier::DefaultBus | Carrier::Bus(_) => continue,
        };
        carried.entry(channel).or_default().push(EventId(index));
    }
    carried
}

/// What a `consumes` takes from each topic: `None` for the whole topic
/// (`consumes TOPIC`), or the events it names there.
pub fn consumed_from_topics(
    system: &System,
    consume: &crate::model::Consume,
) -> BTreeMap<TopicId, Option<Vec<EventId>>> {
    let mut taken: BTreeMap<TopicId, Option<Vec<EventId>>> = BTreeMap::new();
    for source in &consume.sources {
        match source.value {
            Channel::Topic(topic) => {
                taken.insert(topic, None);
            }
            Channel::Event(event) => {
                if let Some(Carrier::Topic(topic)) =
                    system.event(event).map(|event| event.carrier.value)
                {
                    if let Some(events) = taken.entry(topic).or_insert(Some(Vec::new())) {
                        if !events.contains(&event) {
                            events.push(event);
                        }
                    }
                }
            }
            Channel::Queue(_) | Channel::Stream(_) => {}
        }
    }
    taken
}

/// The events named by a `consumes` of some of a topic's events, when the
/// topic carries others too: the ones its subscription must let through.
pub fn selected_events(
    carried: &BTreeMap<Channel, Vec<EventId>>,
    topic: TopicId,
    named: Option<&[EventId]>,
) -> Option<Vec<EventId>> {
    let named = named?;
    let all = carried
        .get(&Channel::Topic(topic))
        .map_or(&[][..], Vec::as_slice);
    all.iter()
        .any(|event| !named.contains(event))
        .then(|| named.to_vec())
}

/// Every subscription of every topic, declared ones first.
fn subscriptions(
    system: &System,
    carried: &BTreeMap<Channel, Vec<EventId>>,
) -> Vec<SubscriptionPlan> {
    let mut plans: Vec<SubscriptionPlan> = Vec::new();
    // SNS keeps one subscription, with one filter policy, per topic and
    // endpoint: a second relation to the same one widens the first when
    // both only select events (`consumes A` and `consumes B`).
    let mut add = |plan: SubscriptionPlan| {
        let Some(existing) = plans
            .iter_mut()
            .find(|existing| existing.topic == plan.topic && existing.target == plan.target)
        else {
            plans.push(plan);
            return;
        };
        existing.filter_policy = either(existing.filter_policy.take(), plan.filter_policy);
        existing.relations.extend(plan.relations);
    };
    let scope_of = |topic: TopicId| {
        system
            .topics
            .get(topic.0)
            .map_or(FilterScope::Body, |topic| topic.filter_on.value)
    };
    for (index, topic) in system.topics.iter().enumerate() {
        for subscription in &topic.subscriptions {
            let target = match subscription.target.value {
                SubscriptionTarget::Queue(queue) => Node::Queue(QueueRef::Declared(queue)),
                SubscriptionTarget::Service(service) => delivery_target(system, service),
            };
            add(SubscriptionPlan {
                topic: TopicId(index),
                target,
                filter_policy: filter_policy(system, subscription.filter.as_ref(), None),
                scope: topic.filter_on.value,
                relations: vec![SubscribedBy {
                    relation: subscription.span,
                    filter: subscription.filter.as_ref().map(|filter| filter.span),
                }],
                raw_delivery: subscription.raw_delivery,
            });
        }
    }
    for (index, service) in system.services.iter().enumerate() {
        let id = ServiceId(index);
        for consume in &service.consumes {
            for (topic, named) in consumed_from_topics(system, consume) {
                let scope = scope_of(topic);
                // Only attributes can tell one event from another: on a
                // topic filtering the body, M412 reports a consumer that
                // would receive events it does not name.
                let selected = match scope {
                    FilterScope::Attributes => selected_events(carried, topic, named.as_deref()),
                    FilterScope::Body => None,
                };
                let target = match consume.via {
                    Some(queue) => Node::Queue(QueueRef::Declared(queue.value)),
                    None => delivery_target(system, id),
                };
                add(SubscriptionPlan {
                    topic,
                    target,
                    filter_policy: filter_policy(system, consume.filter.as_ref(), selected),
                    scope,
                    relations: vec![SubscribedBy {
                        relation: consume.span,
                        filter: consume.filter.as_ref().map(|filter| filter.span),
                    }],
                    raw_delivery: true,
                });
            }
        }
    }
    plans
}

/// Lambda polling a queue or a stream for a function.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceMapping {
    pub service: ServiceId,
    /// A queue or a stream.
    pub source: Node,
    pub batch_size: Option<u32>,
    pub batch_window: Option<Duration>,
    /// The filter on stream records (`{"data": ...}`), from a `where`.
    pub filter: Option<Json>,
    /// For a stream: what Lambda does with a batch that keeps failing.
    pub on_failure: Option<StreamFailure>,
}

/// How a function's mapping gives up on stream records instead of blocking
/// their shard: retries (each splitting the failed batch in two), an age
/// past which records are skipped, and the queue told about both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamFailure {
    pub retries: u32,
    /// Half the stream's retention (at most seven days, at least a minute),
    /// so that a record given up on for its age can still be read again
    /// from the stream for as long again.
    pub max_record_age: Duration,
    pub destination: QueueRef,
}

/// Every event source mapping: one per queue or stream a Lambda function
/// consumes.
pub fn source_mappings(system: &System, graph: &Graph) -> Vec<SourceMapping> {
    let mut mappings: Vec<SourceMapping> = Vec::new();
    let mut seen: std::collections::BTreeSet<(ServiceId, Node)> = std::collections::BTreeSet::new();
    for (from, to, edge) in graph.edges() {
        let (Node::Service(service), EdgeKind::Consume) = (to, edge.kind) else {
            continue;
        };
        let Some(declared) = system
            .service(service)
            .filter(|service| service.is_lambda())
        else {
            continue;
        };
        if !matches!(from, Node::Queue(_) | Node::Stream(_)) {
            continue;
        }
        if !seen.insert((service, from)) {
            continue;
        }
        // The `consumes` this mapping serves: the one written at the edge.
        let consume = declared
            .consumes
            .iter()
            .find(|consume| consume.span == edge.span);
        let filter = match (from, consume.and_then(|consume| consume.filter.as_ref())) {
            (Node::Stream(_), Some(filter)) if !filter.conditions.is_empty() => {
                Some(json!({ "data": content_filter(filter) }))
            }
            _ => None,
        };
        let on_failure = match from {
            Node::Stream(stream) => system.streams.get(stream.0).map(|declared| {
                let half = Duration::from_millis(declared.retention.value.as_millis() / 2);
                StreamFailure {
                    retries: defaults::STREAM_CONSUMER_RETRIES,
                    max_record_age: half
                        .min(defaults::STREAM_CONSUMER_MAX_RECORD_AGE)
                        .max(Duration::from_secs(60)),
                    destination: QueueRef::StreamFailures(service),
                }
            }),
            _ => None,
        };
        mappings.push(SourceMapping {
            service,
            source: from,
            on_failure,
            batch_size: consume
                .and_then(|consume| consume.batch_size)
                .map(|size| size.value),
            batch_window: consume
                .and_then(|consume| consume.batch_window)
                .map(|window| window.value),
            filter,
        });
    }
    mappings
}

/// The services that read a stream. With more than one, each gets an
/// enhanced fan-out consumer, so that none takes the others' share of the
/// 2 MB/s each shard gives its readers.
pub fn stream_readers(graph: &Graph, stream: StreamId) -> Vec<ServiceId> {
    let mut readers: Vec<ServiceId> = graph
        .edges_from(Node::Stream(stream))
        .into_iter()
        .filter(|(_, edge)| edge.kind == EdgeKind::Consume)
        .filter_map(|(to, _)| match to {
            Node::Service(service) => Some(service),
            _ => None,
        })
        .collect();
    readers.sort();
    readers.dedup();
    readers
}

/// Whether the readers of a stream get enhanced fan-out consumers.
pub fn enhanced_fan_out(graph: &Graph, stream: StreamId) -> bool {
    stream_readers(graph, stream).len() > 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Span;

    #[test]
    fn a_declared_queue_s_purpose_is_its_doc_comment_one_line_each() {
        let analysis = crate::analyze(
            "system s { region = \"us-east-1\" }\n\
             /// Customer notifications, buffered so that a slow mail\n\
             /// provider does not lose events.\n\
             queue notifications { }\n",
        );
        let graph = analysis.graph.expect("the system resolves");
        let purposes: Vec<&str> = graph
            .messaging
            .queues
            .iter()
            .map(|queue| queue.purpose.as_str())
            .collect();
        assert_eq!(
            purposes,
            [
                "Customer notifications, buffered so that a slow mail\nprovider does not lose events."
            ]
        );
    }

    /// A condition on `field`, spanning `at..at + 1` so that conditions
    /// keep their order.
    fn condition(at: usize, field: &str, op: CompareOp, value: FilterValue) -> Condition {
        Condition {
            field: field.split('.').map(str::to_string).collect(),
            field_span: Span::new(at, at + 1),
            op,
            value,
            value_span: None,
            span: Span::new(at, at + 1),
        }
    }

    fn number(value: f64) -> FilterValue {
        FilterValue::Scalar(Scalar::Number(value))
    }

    fn text(value: &str) -> FilterValue {
        FilterValue::Scalar(Scalar::String(value.to_string()))
    }

    fn filter(conditions: Vec<Condition>) -> Filter {
        Filter {
            conditions,
            span: Span::default(),
        }
    }

    fn starts(found: &[(&Condition, &Condition)]) -> Vec<(usize, usize)> {
        found
            .iter()
            .map(|(first, later)| (first.span.start(), later.span.start()))
            .collect()
    }

    #[test]
    fn bounds_join_into_one_range() {
        let range = filter(vec![
            condition(0, "total", CompareOp::Gt, number(5.0)),
            condition(1, "total", CompareOp::Lt, number(50.0)),
            condition(2, "total", CompareOp::GtEq, number(10.0)),
        ]);
        assert!(conflicts(&range).is_empty());
        assert!(expressible(&range));
        assert_eq!(
            content_filter(&range),
            json!({ "total": [{ "numeric": [">=", 10, "<", 50] }] })
        );
    }

    #[test]
    fn bounds_that_leave_no_number_conflict() {
        let empty = filter(vec![
            condition(0, "total", CompareOp::Gt, number(50.0)),
            condition(1, "total", CompareOp::Lt, number(10.0)),
        ]);
        assert_eq!(starts(&conflicts(&empty)), vec![(0, 1)]);
        assert!(!expressible(&empty));
    }

    #[test]
    fn two_value_conditions_conflict_and_an_implied_exists_does_not() {
        let exclusions = filter(vec![
            condition(0, "status", CompareOp::NotEq, text("a")),
            condition(1, "status", CompareOp::NotEq, text("b")),
        ]);
        assert_eq!(starts(&conflicts(&exclusions)), vec![(0, 1)]);
        let noted = filter(vec![
            condition(0, "note", CompareOp::Exists, FilterValue::None),
            condition(1, "note", CompareOp::NotEq, text("test")),
        ]);
        assert!(conflicts(&noted).is_empty());
        let contradiction = filter(vec![
            condition(0, "note", CompareOp::Exists, FilterValue::None),
            condition(1, "note", CompareOp::NotExists, FilterValue::None),
        ]);
        assert_eq!(starts(&conflicts(&contradiction)), vec![(0, 1)]);
        assert!(!expressible(&contradiction));
    }
}
