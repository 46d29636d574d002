//! Messaging derivations: the EventBridge event pattern of every rule and
//! the SNS filter policy of every subscription, from the `where` clauses,
//! for every backend to emit as they are.
//!
//! A condition becomes a pattern on its field's path: `status = "x"` is
//! `{"status": ["x"]}`, `total >= 100` is `{"total": [{"numeric": [">=",
//! 100]}]}`, and conditions on one numeric field are merged into one range.
//! `conflicts` names the conditions that no single pattern can hold.

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

/// Whether a condition is a numeric bound: `<`, `<=`, `>` or `>=`.
fn is_bound(condition: &Condition) -> bool {
    matches!(
        condition.op,
        CompareOp::Lt | CompareOp::LtEq | CompareOp::Gt | CompareOp::GtEq
    )
}

/// Whether a numeric bound is a lower one (`>`, `>=`).
fn is_lower_bound(condition: &Condition) -> bool {
    matches!(condition.op, CompareOp::Gt | CompareOp::GtEq)
}

/// The conditions on one field that its pattern must hold, in source
/// order: `exists` is left out when another condition on the field tests
/// a value, because a pattern only matches a field that is present.
fn required<'a>(conditions: &[&'a Condition]) -> Vec<&'a Condition> {
    let tests_value = conditions
        .iter()
        .any(|condition| !matches!(condition.op, CompareOp::Exists | CompareOp::NotExists));
    conditions
        .iter()
        .copied()
        .filter(|condition| !(tests_value && condition.op == CompareOp::Exists))
        .collect()
}

/// The conditions on one field that cannot join its pattern, each with the
/// earlier condition it conflicts with. A field's matchers are
/// alternatives, so one pattern holds one condition per field, or numeric
/// bounds forming one range: at most one lower and one upper bound.
fn field_conflicts<'a>(conditions: &[&'a Condition]) -> Vec<(&'a Condition, &'a Condition)> {
    let required = required(conditions);
    let Some((&first, rest)) = required.split_first() else {
        return Vec::new();
    };
    if !required.iter().all(|condition| is_bound(condition)) {
        return rest.iter().map(|&later| (first, later)).collect();
    }
    let mut conflicts = Vec::new();
    let mut lower: Option<&Condition> = None;
    let mut upper: Option<&Condition> = None;
    for condition in required {
        let slot = if is_lower_bound(condition) {
            &mut lower
        } else {
            &mut upper
        };
        match slot {
            Some(earlier) => conflicts.push((*earlier, condition)),
            None => *slot = Some(condition),
        }
    }
    conflicts
}

/// Joins the conditions on one field. Numeric bounds combine into one range,
/// the lower bound first as EventBridge requires; anything else keeps the
/// first condition's matchers (a check reports the filters that cannot be
/// expressed, see `conflicts`).
fn merge(conditions: &[&Condition]) -> Vec<Json> {
    let required = required(conditions);
    if required.len() > 1 && required.iter().all(|condition| is_bound(condition)) {
        let lower = required.iter().find(|condition| is_lower_bound(condition));
        let upper = required.iter().find(|condition| !is_lower_bound(condition));
        let mut range = Vec::new();
        for condition in lower.into_iter().chain(upper) {
            if let FilterValue::Scalar(Scalar::Number(number)) = condition.value {
                range.push(json!(condition.op.text()));
                range.push(number_json(number));
            }
        }
        return vec![json!({ "numeric": range })];
    }
    required
        .first()
        .map(|condition| matchers(condition))
        .unwrap_or_default()
}

/// The conditions of a filter grouped by field path, in source order.
fn by_field(filter: &Filter) -> BTreeMap<&[String], Vec<&Condition>> {
    let mut by_field: BTreeMap<&[String], Vec<&Condition>> = BTreeMap::new();
    for condition in &filter.conditions {
        by_field
            .entry(condition.field.as_slice())
            .or_default()
            .push(condition);
    }
    by_field
}

/// The conditions of a filter that one pattern cannot hold, each as (the
/// earlier condition on the same field, the condition that conflicts with
/// it), in source order.
pub fn conflicts(filter: &Filter) -> Vec<(&Condition, &Condition)> {
    let mut conflicts: Vec<(&Condition, &Condition)> = by_field(filter)
        .values()
        .flat_map(|conditions| field_conflicts(conditions))
        .collect();
    conflicts.sort_by_key(|(_, later)| later.span);
    conflicts
}

/// Whether a filter's conditions can be written as one pattern: one
/// condition per field (besides an `exists` that the others imply), or
/// numeric bounds forming one range.
pub fn expressible(filter: &Filter) -> bool {
    conflicts(filter).is_empty()
}

/// The content filter of a `where` clause: nested objects down each field's
/// path, arrays of matchers at the leaves.
pub fn content_filter(filter: &Filter) -> Json {
    let mut root = Map::new();
    for (path, conditions) in by_field(filter) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Span;

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

    #[test]
    fn a_range_puts_its_lower_bound_first() {
        let range = filter(vec![
            condition(0, "total", CompareOp::Lt, number(1000.0)),
            condition(1, "total", CompareOp::GtEq, number(10.0)),
        ]);
        assert!(expressible(&range));
        assert_eq!(
            content_filter(&range),
            json!({ "total": [{ "numeric": [">=", 10, "<", 1000] }] })
        );
    }

    #[test]
    fn exists_beside_a_value_condition_is_implied() {
        let noted = filter(vec![
            condition(0, "note", CompareOp::Exists, FilterValue::None),
            condition(1, "note", CompareOp::NotEq, text("test")),
        ]);
        assert!(expressible(&noted));
        assert_eq!(
            content_filter(&noted),
            json!({ "note": [{ "anything-but": "test" }] })
        );
    }

    #[test]
    fn two_conditions_one_pattern_cannot_require_conflict() {
        let exclusions = filter(vec![
            condition(0, "status", CompareOp::NotEq, text("a")),
            condition(1, "status", CompareOp::NotEq, text("b")),
        ]);
        let found = conflicts(&exclusions);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found.first().map(|(_, later)| later.span),
            Some(Span::new(1, 2))
        );

        let two_lower = filter(vec![
            condition(0, "total", CompareOp::Gt, number(5.0)),
            condition(1, "total", CompareOp::Lt, number(50.0)),
            condition(2, "total", CompareOp::GtEq, number(10.0)),
        ]);
        let found = conflicts(&two_lower);
        assert_eq!(
            found
                .iter()
                .map(|(earlier, later)| (earlier.span.start(), later.span.start()))
                .collect::<Vec<_>>(),
            vec![(0, 2)]
        );

        let contradiction = filter(vec![
            condition(0, "note", CompareOp::Exists, FilterValue::None),
            condition(1, "note", CompareOp::NotExists, FilterValue::None),
        ]);
        assert!(!expressible(&contradiction));
    }
}
