//! Messaging derivations: the EventBridge event pattern of every rule and
//! the SNS filter policy of every subscription, from the `where` clauses,
//! for every backend to emit as they are.
//!
//! A condition becomes a pattern on its field's path: `status = "x"` is
//! `{"status": ["x"]}`, `total >= 100` is `{"total": [{"numeric": [">=",
//! 100]}]}`, and conditions on one numeric field are merged into one range.

use std::collections::BTreeMap;

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
fn matchers(condition: &Condition) -> Vec<Json> {
    let numeric = |operator: &str| match &condition.value {
        FilterValue::Scalar(Scalar::Number(number)) => {
            vec![json!({ "numeric": [operator, number_json(*number)] })]
        }
        _ => Vec::new(),
    };
    match (condition.op, &condition.value) {
        (CompareOp::Eq, FilterValue::Scalar(Scalar::Number(number))) => {
            vec![json!({ "numeric": ["=", number_json(*number)] })]
        }
        (CompareOp::Eq, FilterValue::Scalar(value)) => vec![scalar(value)],
        (CompareOp::NotEq, FilterValue::Scalar(value)) => {
            vec![json!({ "anything-but": scalar(value) })]
        }
        (CompareOp::In, FilterValue::List(values)) => values.iter().map(scalar).collect(),
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

/// Joins the conditions on one field. Numeric comparisons combine into one
/// range; anything else keeps the first condition's matchers (a check
/// reports filters that cannot be expressed).
fn merge(conditions: &[&Condition]) -> Vec<Json> {
    let numeric_bound = |condition: &&Condition| {
        matches!(
            condition.op,
            CompareOp::Lt | CompareOp::LtEq | CompareOp::Gt | CompareOp::GtEq
        )
    };
    if conditions.len() > 1 && conditions.iter().all(numeric_bound) {
        let mut range = Vec::new();
        for condition in conditions {
            if let FilterValue::Scalar(Scalar::Number(number)) = condition.value {
                range.push(json!(condition.op.text()));
                range.push(number_json(number));
            }
        }
        return vec![json!({ "numeric": range })];
    }
    conditions
        .first()
        .map(|condition| matchers(condition))
        .unwrap_or_default()
}

/// Whether a filter's conditions can be written as one pattern: at most one
/// condition per field, or numeric bounds only.
pub fn expressible(filter: &Filter) -> bool {
    let mut by_field: BTreeMap<&[String], Vec<&Condition>> = BTreeMap::new();
    for condition in &filter.conditions {
        by_field
            .entry(condition.field.as_slice())
            .or_default()
            .push(condition);
    }
    by_field.values().all(|conditions| {
        conditions.len() == 1
            || conditions.iter().all(|condition| {
                matches!(
                    condition.op,
                    CompareOp::Lt | CompareOp::LtEq | CompareOp::Gt | CompareOp::GtEq
                )
            })
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

/// The EventBridge pattern matching `events` (by detail type, and by source
/// where every event declares one) and the filter.
pub fn event_pattern(system: &System, events: &[EventId], filter: Option<&Filter>) -> Json {
    let mut pattern = Map::new();
    let sources: Vec<Option<String>> = events
        .iter()
        .map(|event| event_source(system, *event))
        .collect();
    if !sources.is_empty() && sources.iter().all(Option::is_some) {
        let mut sources: Vec<String> = sources.into_iter().flatten().collect();
        sources.sort();
        sources.dedup();
        pattern.insert("source".to_string(), json!(sources));
    }
    let mut detail_types: Vec<String> = events
        .iter()
        .filter_map(|event| system.event(*event))
        .map(|event| event.detail_type.clone())
        .collect();
    detail_types.sort();
    detail_types.dedup();
    if !detail_types.is_empty() {
        pattern.insert("detail-type".to_string(), json!(detail_types));
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
