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

use crate::model::{Condition, EventId, EventSource, Filter, FilterValue, Scalar, System};
use crate::syntax::ast::CompareOp;

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

/// The SNS filter policy of a `where` clause, applied to the message body.
pub fn filter_policy(filter: &Filter) -> Json {
    content_filter(filter)
}
