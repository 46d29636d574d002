//! Event patterns and SNS filter policies, judged by what `where` means.
//!
//! Every `where` clause of the examples, of the passing UI inputs and of
//! `tests/patterns/operators.mesh` becomes a case, and so does every
//! EventBridge pattern of a `consumes` or a `rule` without one: the pattern
//! (or filter policy) meshc derives, and probe events, each with the verdict
//! the clause gives it. The verdicts come from the evaluator in this file,
//! which reads the model's `Condition`s and never the pattern, so that an
//! independent matcher (moto, in `tests/conformance/patterns/check.py`) can
//! tell whether a pattern matches what its clause says and nothing else.
//!
//! The cases are committed in `tests/conformance/patterns/cases.json`. This
//! test writes nothing: it fails when that file is not what meshc derives
//! today, and `UPDATE_PATTERN_CASES=1 cargo test --test patterns` rewrites it.
//!
//! What a clause means, as the evaluator reads it:
//! - A path names the values found by following it from the event's
//!   `detail` (an SNS message body, for a filter policy) through objects,
//!   into every element of a list on the way, and into the elements of a
//!   list at its end.
//! - `exists` holds when the path finds a value, `not exists` when it finds
//!   none. Every other condition holds when some value found satisfies it.
//! - Comparisons are typed. A number equals a JSON number of the same value
//!   (`100` and `100.0` are one number; `"100"` is a string), a string equals
//!   that string (case counts), a boolean that boolean. `<`, `<=`, `>`, `>=`
//!   hold for numbers only; `starts_with` and `ends_with` for strings only.
//!   `!=` and `not in` hold for a value found that is none of theirs,
//!   whatever its type, and never for a field that is missing.
//! - The conditions of a clause are joined with `and`, each judged on its
//!   own (two conditions on paths through one list may be satisfied by
//!   different elements).
//! - An EventBridge rule takes an event of one of its events: that event's
//!   detail-type, and its source when the event declares one.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // Tests may fail loudly.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use meshc::graph::messaging;
use meshc::model::{
    Carrier, Channel, Condition, EventId, FieldDef, FieldType, Filter, FilterValue, Scalar, System,
};
use meshc::syntax::ast::CompareOp;
use serde::Serialize;
use serde_json::{Map, Value as Json, json};

const CASES_FILE: &str = "tests/conformance/patterns/cases.json";
const OPERATORS_FILE: &str = "tests/patterns/operators.mesh";
/// The source of probe events whose event declares none.
const ANY_SOURCE: &str = "com.example.any";
/// A source no event of the corpus declares.
const OTHER_SOURCE: &str = "com.example.elsewhere";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

// ---------------------------------------------------------------------------
// Cases.

/// The committed file: every case, in the order of the inputs.
#[derive(Serialize)]
struct CaseFile {
    about: &'static str,
    cases: Vec<Case>,
}

/// One pattern (or filter policy) and the probes that judge it.
#[derive(Serialize)]
struct Case {
    /// The input and the relation the pattern belongs to.
    id: String,
    /// `eventbridge` (an event pattern, probes are whole events) or `sns` (a
    /// filter policy with scope `MessageBody`, probes are message bodies).
    service: &'static str,
    /// The `where` clause as written, if any.
    clause: Option<String>,
    /// Whether meshc says the clause can be written as one pattern
    /// (`messaging::expressible`). When it says no, the pattern is not
    /// expected to agree with every verdict, and a check reports the clause.
    expressible: bool,
    pattern: Json,
    probes: Vec<Probe>,
}

#[derive(Serialize)]
struct Probe {
    name: String,
    /// Whether the clause takes this event.
    expect: bool,
    event: Json,
}

/// What a pattern is derived for: the events it must take (for the
/// envelope of EventBridge events; empty for SNS), their schemas, and the
/// clause.
struct Subject<'a> {
    system: &'a System,
    service: &'static str,
    events: Vec<EventId>,
    schema: Vec<FieldDef>,
    filter: Option<&'a Filter>,
}

fn inputs() -> Vec<PathBuf> {
    let mut inputs = common::mesh_files("examples");
    inputs.extend(common::mesh_files("tests/ui/pass"));
    inputs.extend(common::mesh_files("tests/patterns"));
    inputs
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

fn every_case() -> Vec<Case> {
    let mut cases = Vec::new();
    for path in inputs() {
        let source = std::fs::read_to_string(&path).unwrap();
        let analysis = meshc::analyze(&source);
        assert!(
            !analysis.has_errors(),
            "{} does not check cleanly: {:#?}",
            relative(&path),
            analysis.diagnostics
        );
        let system = analysis.system.as_ref().unwrap();
        cases.extend(cases_of(&relative(&path), &source, system));
    }
    cases
}

fn clause_text(source: &str, filter: &Filter) -> String {
    let text = &source[filter.span.start as usize..filter.span.end as usize];
    let text = text.trim();
    text.strip_prefix("where")
        .unwrap_or(text)
        .trim()
        .to_string()
}

fn event_names(system: &System, events: &[EventId]) -> String {
    events
        .iter()
        .map(|event| system.event(*event).unwrap().name.text.clone())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The fields of the events, each name once (the first event's wins).
fn union_schema(system: &System, events: &[EventId]) -> Vec<FieldDef> {
    let mut fields: Vec<FieldDef> = Vec::new();
    for event in events {
        for field in &system.event(*event).unwrap().schema {
            if !fields
                .iter()
                .any(|known| known.name.text == field.name.text)
            {
                fields.push(field.clone());
            }
        }
    }
    fields
}

fn events_on_topic(system: &System, topic: usize) -> Vec<EventId> {
    (0..system.events.len())
        .map(EventId)
        .filter(|event| {
            system.event(*event).unwrap().carrier.value
                == Carrier::Topic(meshc::model::TopicId(topic))
        })
        .collect()
}

/// Every pattern and filter policy of one input.
fn cases_of(file: &str, source: &str, system: &System) -> Vec<Case> {
    let mut cases = Vec::new();
    for service in &system.services {
        for (index, consume) in service.consumes.iter().enumerate() {
            // The events of this `consumes` by the bus or topic carrying them.
            let mut buses: Vec<(String, Vec<EventId>)> = Vec::new();
            let mut topics: Vec<(usize, Vec<EventId>)> = Vec::new();
            for consumed in &consume.sources {
                let (bus, topic, event) = match consumed.value {
                    Channel::Event(event) => match system.event(event).unwrap().carrier.value {
                        Carrier::DefaultBus => (Some("default".to_string()), None, Some(event)),
                        Carrier::Bus(bus) => (
                            Some(system.buses[bus.0].name.text.clone()),
                            None,
                            Some(event),
                        ),
                        Carrier::Topic(topic) => (None, Some(topic.0), Some(event)),
                        Carrier::Stream(_) => (None, None, None),
                    },
                    Channel::Topic(topic) => (None, Some(topic.0), None),
                    Channel::Queue(_) | Channel::Stream(_) => (None, None, None),
                };
                if let Some(bus) = bus {
                    match buses.iter_mut().find(|(name, _)| *name == bus) {
                        Some((_, events)) => events.extend(event),
                        None => buses.push((bus, event.into_iter().collect())),
                    }
                } else if let Some(topic) = topic {
                    match topics.iter_mut().find(|(known, _)| *known == topic) {
                        Some((_, events)) => events.extend(event),
                        None => topics.push((topic, event.into_iter().collect())),
                    }
                }
            }
            let relation = format!("service {}, consumes #{}", service.name.text, index + 1);
            let clause = consume
                .filter
                .as_ref()
                .map(|filter| clause_text(source, filter));
            for (bus, events) in buses {
                let subject = Subject {
                    system,
                    service: "eventbridge",
                    schema: union_schema(system, &events),
                    events: events.clone(),
                    filter: consume.filter.as_ref(),
                };
                let id = format!(
                    "{file}: {relation} ({}) on bus {bus}",
                    event_names(system, &events)
                );
                cases.push(build_case(id, clause.clone(), &subject));
            }
            if consume.filter.is_some() {
                for (topic, events) in topics {
                    let schema_events = if events.is_empty() {
                        events_on_topic(system, topic)
                    } else {
                        events
                    };
                    let subject = Subject {
                        system,
                        service: "sns",
                        schema: union_schema(system, &schema_events),
                        events: Vec::new(),
                        filter: consume.filter.as_ref(),
                    };
                    let id = format!(
                        "{file}: {relation} from topic {}",
                        system.topics[topic].name.text
                    );
                    cases.push(build_case(id, clause.clone(), &subject));
                }
            }
        }
    }
    for rule in &system.rules {
        if rule.matches.is_empty() {
            continue;
        }
        let events: Vec<EventId> = rule.matches.iter().map(|event| event.value).collect();
        let subject = Subject {
            system,
            service: "eventbridge",
            schema: union_schema(system, &events),
            events: events.clone(),
            filter: rule.filter.as_ref(),
        };
        let id = format!(
            "{file}: rule {} ({})",
            rule.name.text,
            event_names(system, &events)
        );
        let clause = rule
            .filter
            .as_ref()
            .map(|filter| clause_text(source, filter));
        cases.push(build_case(id, clause, &subject));
    }
    for (topic_index, topic) in system.topics.iter().enumerate() {
        for (index, subscription) in topic.subscriptions.iter().enumerate() {
            let Some(filter) = subscription.filter.as_ref() else {
                continue;
            };
            let subject = Subject {
                system,
                service: "sns",
                schema: union_schema(system, &events_on_topic(system, topic_index)),
                events: Vec::new(),
                filter: Some(filter),
            };
            let id = format!(
                "{file}: topic {}, subscription #{}",
                topic.name.text,
                index + 1
            );
            cases.push(build_case(id, Some(clause_text(source, filter)), &subject));
        }
    }
    cases
}

// ---------------------------------------------------------------------------
// The meaning of a clause.

/// The values a path finds in a JSON value: through objects, into every
/// element of a list, and into the elements of a list at its end.
fn values_at<'a>(value: &'a Json, path: &[String]) -> Vec<&'a Json> {
    fn flatten<'a>(value: &'a Json, out: &mut Vec<&'a Json>) {
        match value {
            Json::Array(items) => items.iter().for_each(|item| flatten(item, out)),
            other => out.push(other),
        }
    }
    let mut found = Vec::new();
    flatten(value, &mut found);
    for segment in path {
        let mut next = Vec::new();
        for value in found {
            if let Some(child) = value.as_object().and_then(|object| object.get(segment)) {
                flatten(child, &mut next);
            }
        }
        found = next;
    }
    found
}

/// Whether a JSON value is a scalar of the clause. Numbers compare exactly,
/// as the services compare them: `100` equals `100.0`.
#[allow(clippy::float_cmp)]
fn equals(value: &Json, scalar: &Scalar) -> bool {
    match scalar {
        Scalar::Number(number) => value.as_f64().is_some_and(|found| found == *number),
        Scalar::String(text) => value.as_str() == Some(text.as_str()),
        Scalar::Bool(flag) => value.as_bool() == Some(*flag),
    }
}

fn scalar_value(condition: &Condition) -> Option<&Scalar> {
    match &condition.value {
        FilterValue::Scalar(scalar) => Some(scalar),
        _ => None,
    }
}

fn list_values(condition: &Condition) -> &[Scalar] {
    match &condition.value {
        FilterValue::List(values) => values,
        _ => &[],
    }
}

/// Whether one value found by a condition's path satisfies it.
fn satisfied_by(condition: &Condition, value: &Json) -> bool {
    let number = |compare: fn(f64, f64) -> bool| match scalar_value(condition) {
        Some(Scalar::Number(bound)) => value.as_f64().is_some_and(|found| compare(found, *bound)),
        _ => false,
    };
    let text = |test: fn(&str, &str) -> bool| match scalar_value(condition) {
        Some(Scalar::String(affix)) => value.as_str().is_some_and(|found| test(found, affix)),
        _ => false,
    };
    match condition.op {
        CompareOp::Eq => scalar_value(condition).is_some_and(|scalar| equals(value, scalar)),
        CompareOp::NotEq => scalar_value(condition).is_some_and(|scalar| !equals(value, scalar)),
        CompareOp::In => list_values(condition)
            .iter()
            .any(|scalar| equals(value, scalar)),
        CompareOp::NotIn => !list_values(condition)
            .iter()
            .any(|scalar| equals(value, scalar)),
        CompareOp::Lt => number(|found, bound| found < bound),
        CompareOp::LtEq => number(|found, bound| found <= bound),
        CompareOp::Gt => number(|found, bound| found > bound),
        CompareOp::GtEq => number(|found, bound| found >= bound),
        CompareOp::StartsWith => text(|found, affix| found.starts_with(affix)),
        CompareOp::EndsWith => text(|found, affix| found.ends_with(affix)),
        CompareOp::Exists => true,
        CompareOp::NotExists => false,
    }
}

fn holds(condition: &Condition, detail: &Json) -> bool {
    let values = values_at(detail, &condition.field);
    match condition.op {
        CompareOp::Exists => !values.is_empty(),
        CompareOp::NotExists => values.is_empty(),
        _ => values.iter().any(|value| satisfied_by(condition, value)),
    }
}

fn clause_holds(filter: Option<&Filter>, detail: &Json) -> bool {
    filter.is_none_or(|filter| {
        filter
            .conditions
            .iter()
            .all(|condition| holds(condition, detail))
    })
}

/// Whether an EventBridge envelope is that of one of the subject's events.
fn envelope_holds(subject: &Subject<'_>, detail_type: &str, source: &str) -> bool {
    subject.events.iter().any(|event| {
        let declared = subject.system.event(*event).unwrap();
        declared.detail_type == detail_type
            && messaging::event_source(subject.system, *event)
                .is_none_or(|declared_source| declared_source == source)
    })
}

// ---------------------------------------------------------------------------
// Probe events.

/// What a path leads to in the schema.
#[derive(Default)]
struct PathShape {
    /// The field's type, when the schema declares the path.
    leaf: Option<FieldType>,
    /// Length of the path prefix that names the innermost list of objects
    /// on the way (`items` for `items.productId`), if any.
    list_prefix: Option<usize>,
    /// Whether the field itself is a list of scalars (`tags: [string]`).
    leaf_list: bool,
}

fn shape(schema: &[FieldDef], path: &[String]) -> PathShape {
    let mut result = PathShape::default();
    let mut fields = schema;
    for (index, segment) in path.iter().enumerate() {
        let Some(field) = fields.iter().find(|field| field.name.text == *segment) else {
            return PathShape::default();
        };
        let mut ty = &field.ty;
        let mut is_list = false;
        while let FieldType::List(inner) = ty {
            ty = inner;
            is_list = true;
        }
        if index + 1 == path.len() {
            result.leaf = Some(ty.clone());
            result.leaf_list = is_list;
        } else if let FieldType::Object(inner) = ty {
            if is_list {
                result.list_prefix = Some(index + 1);
            }
            fields = inner;
        } else {
            return PathShape::default();
        }
    }
    result
}

fn default_of(ty: &FieldType, name: &str) -> Json {
    match ty {
        FieldType::String => json!(format!("{name}-1")),
        FieldType::Number => json!(12.5),
        FieldType::Int => json!(4),
        FieldType::Bool => json!(false),
        FieldType::Timestamp => json!("2026-01-01T00:00:00Z"),
        FieldType::Enum(values) => json!(values.first().cloned().unwrap_or_default()),
        FieldType::List(inner) => json!([default_of(inner, name)]),
        FieldType::Object(fields) => Json::Object(
            fields
                .iter()
                .map(|field| {
                    (
                        field.name.text.clone(),
                        default_of(&field.ty, &field.name.text),
                    )
                })
                .collect(),
        ),
    }
}

/// A value for a path the schema does not declare, of the type its
/// conditions compare with.
fn default_for_conditions(conditions: &[&Condition]) -> Json {
    let scalar = conditions
        .iter()
        .find_map(|condition| match &condition.value {
            FilterValue::Scalar(scalar) => Some(scalar.clone()),
            FilterValue::List(values) => values.first().cloned(),
            FilterValue::None => None,
        });
    match scalar {
        Some(Scalar::Number(_)) => json!(12.5),
        Some(Scalar::Bool(_)) => json!(false),
        _ => json!("value"),
    }
}

/// A number as JSON, whole numbers as integers, rounded to six decimals.
fn number(value: f64) -> Json {
    let value = (value * 1e6).round() / 1e6;
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        json!(value as i64)
    } else {
        json!(value)
    }
}

fn show(value: &Json) -> String {
    serde_json::to_string(value).unwrap()
}

/// Values to try on a condition's path, with what each is: the value
/// itself, its near misses, and a value of the wrong type.
fn near_values(condition: &Condition) -> Vec<(String, Json)> {
    let mut scalars: Vec<&Scalar> = Vec::new();
    match &condition.value {
        FilterValue::Scalar(scalar) => scalars.push(scalar),
        FilterValue::List(values) => scalars.extend(values),
        FilterValue::None => {}
    }
    let mut near = Vec::new();
    for scalar in scalars {
        match scalar {
            Scalar::Number(value) => {
                let exact = number(*value);
                let text = show(&exact);
                near.push((format!("{text}, one below"), number(value - 1.0)));
                near.push((format!("{text}, just below"), number(value - 0.01)));
                near.push((format!("{text}, exactly"), exact.clone()));
                near.push((format!("{text}, just above"), number(value + 0.01)));
                near.push((format!("{text}, one above"), number(value + 1.0)));
                if value.fract() == 0.0 {
                    near.push((format!("{text} written {text}.0"), json!(*value)));
                }
                near.push((format!("the string \"{text}\""), json!(text)));
            }
            Scalar::String(text) => {
                let affix = json!(text);
                let quoted = show(&affix);
                match condition.op {
                    CompareOp::StartsWith => {
                        near.push((format!("{quoted} alone"), affix.clone()));
                        near.push((
                            format!("starting with {quoted}"),
                            json!(format!("{text}-rest")),
                        ));
                        near.push((
                            format!("{quoted} not at the start"),
                            json!(format!("x{text}")),
                        ));
                        let shorter: String = text
                            .chars()
                            .take(text.chars().count().saturating_sub(1))
                            .collect();
                        if !shorter.is_empty() {
                            near.push((format!("{quoted} cut short"), json!(shorter)));
                        }
                    }
                    CompareOp::EndsWith => {
                        near.push((format!("{quoted} alone"), affix.clone()));
                        near.push((
                            format!("ending with {quoted}"),
                            json!(format!("rest-{text}")),
                        ));
                        near.push((
                            format!("{quoted} not at the end"),
                            json!(format!("{text}x")),
                        ));
                        let shorter: String = text.chars().skip(1).collect();
                        if !shorter.is_empty() {
                            near.push((
                                format!("{quoted} without its first letter"),
                                json!(shorter),
                            ));
                        }
                    }
                    _ => {
                        near.push((format!("{quoted}, exactly"), affix.clone()));
                        near.push((
                            format!("sharing the prefix {quoted}"),
                            json!(format!("{text}x")),
                        ));
                        near.push((
                            format!("sharing the suffix {quoted}"),
                            json!(format!("x{text}")),
                        ));
                        if text.is_empty() {
                            near.push(("a non-empty string".to_string(), json!("x")));
                        } else {
                            near.push(("the empty string".to_string(), json!("")));
                        }
                    }
                }
                let upper = text.to_uppercase();
                if upper != *text {
                    near.push((format!("{quoted} in upper case"), json!(upper)));
                }
                near.push(("a number instead of a string".to_string(), json!(1)));
            }
            Scalar::Bool(flag) => {
                near.push((format!("{flag}"), json!(*flag)));
                near.push((format!("{}", !flag), json!(!flag)));
                near.push((format!("the string \"{flag}\""), json!(flag.to_string())));
            }
        }
    }
    let mut seen = BTreeSet::new();
    near.retain(|(_, value)| seen.insert(show(value)));
    near
}

/// What to put at a path: a value, or nothing.
enum Leaf {
    Value(Json),
    Remove,
}

/// Sets (or removes) the value at a path, in every element of every list
/// on the way; objects missing on the way are created, unless removing.
fn set_at(value: &mut Json, path: &[String], leaf: &Leaf) {
    match value {
        Json::Array(items) => items.iter_mut().for_each(|item| set_at(item, path, leaf)),
        Json::Object(object) => {
            let Some((first, rest)) = path.split_first() else {
                return;
            };
            if rest.is_empty() {
                match leaf {
                    Leaf::Value(new) => {
                        object.insert(first.clone(), new.clone());
                    }
                    Leaf::Remove => {
                        object.remove(first);
                    }
                }
            } else if let Some(child) = object.get_mut(first) {
                set_at(child, rest, leaf);
            } else if let Leaf::Value(_) = leaf {
                let mut child = Json::Object(Map::new());
                set_at(&mut child, rest, leaf);
                object.insert(first.clone(), child);
            }
        }
        _ => {}
    }
}

/// The value at a path, taking the first element of every list on the way.
fn first_at<'a>(value: &'a Json, path: &[String]) -> Option<&'a Json> {
    let mut current = value;
    for segment in path {
        while let Json::Array(items) = current {
            current = items.first()?;
        }
        current = current.as_object()?.get(segment)?;
    }
    Some(current)
}

/// The conditions of a filter grouped by path, in the order written.
fn by_path(filter: Option<&Filter>) -> Vec<(Vec<String>, Vec<&Condition>)> {
    let mut groups: Vec<(Vec<String>, Vec<&Condition>)> = Vec::new();
    for condition in filter
        .map(|filter| filter.conditions.as_slice())
        .unwrap_or_default()
    {
        match groups.iter_mut().find(|(path, _)| *path == condition.field) {
            Some((_, conditions)) => conditions.push(condition),
            None => groups.push((condition.field.clone(), vec![condition])),
        }
    }
    groups
}

/// An event detail of the subject's schema that satisfies every condition
/// if one can: each conditioned path gets the first value its conditions
/// all accept.
fn satisfying_detail(subject: &Subject<'_>) -> Json {
    let mut detail = Json::Object(
        subject
            .schema
            .iter()
            .map(|field| {
                (
                    field.name.text.clone(),
                    default_of(&field.ty, &field.name.text),
                )
            })
            .collect(),
    );
    for (path, conditions) in by_path(subject.filter) {
        let shape = shape(&subject.schema, &path);
        if conditions
            .iter()
            .any(|condition| condition.op == CompareOp::NotExists)
        {
            set_at(&mut detail, &path, &Leaf::Remove);
            continue;
        }
        let fallback = match &shape.leaf {
            Some(ty) => default_of(ty, path.last().unwrap()),
            None => default_for_conditions(&conditions),
        };
        let mut candidates: Vec<Json> = conditions
            .iter()
            .flat_map(|condition| near_values(condition))
            .map(|(_, value)| value)
            .collect();
        candidates.push(fallback.clone());
        let chosen = candidates
            .into_iter()
            .find(|value| {
                conditions.iter().all(|condition| {
                    condition.op == CompareOp::Exists || satisfied_by(condition, value)
                })
            })
            .unwrap_or(fallback);
        let chosen = if shape.leaf_list {
            json!([chosen])
        } else {
            chosen
        };
        set_at(&mut detail, &path, &Leaf::Value(chosen));
    }
    detail
}

/// Details that differ from `base` at one condition's path.
fn detail_probes(subject: &Subject<'_>, base: &Json) -> Vec<(String, Json)> {
    let mut probes = Vec::new();
    let Some(filter) = subject.filter else {
        return probes;
    };
    for condition in &filter.conditions {
        let path = &condition.field;
        let name = path.join(".");
        let shape = shape(&subject.schema, path);
        let with = |leaf: Leaf| {
            let mut detail = base.clone();
            set_at(&mut detail, path, &leaf);
            detail
        };
        let near = near_values(condition);
        for (what, value) in &near {
            let value = if shape.leaf_list {
                json!([value])
            } else {
                value.clone()
            };
            probes.push((format!("{name}: {what}"), with(Leaf::Value(value))));
        }
        if condition.op == CompareOp::Exists || condition.op == CompareOp::NotExists {
            let present = match &shape.leaf {
                Some(ty) => default_of(ty, path.last().unwrap()),
                None => json!("value"),
            };
            let present = if shape.leaf_list {
                json!([present])
            } else {
                present
            };
            probes.push((format!("{name}: present"), with(Leaf::Value(present))));
        }
        probes.push((format!("{name}: missing"), with(Leaf::Remove)));
        if path.len() > 1 {
            let parent = &path[..path.len() - 1];
            let mut detail = base.clone();
            set_at(&mut detail, parent, &Leaf::Remove);
            probes.push((format!("{name}: {} missing", parent.join(".")), detail));
        }
        // Lists: one element that fails the condition, next to one that
        // passes (the base value), alone, and an empty list.
        let failing = near
            .iter()
            .map(|(_, value)| value)
            .find(|value| condition.op != CompareOp::NotExists && !satisfied_by(condition, value));
        if shape.leaf_list {
            if let (Some(failing), Some(Json::Array(passing))) = (failing, first_at(base, path)) {
                let mut both = vec![failing.clone()];
                both.extend(passing.iter().cloned());
                probes.push((
                    format!("{name}: [{}] and the base values", show(failing)),
                    with(Leaf::Value(Json::Array(both))),
                ));
                probes.push((
                    format!("{name}: [{}] alone", show(failing)),
                    with(Leaf::Value(json!([failing]))),
                ));
            }
            probes.push((
                format!("{name}: an empty list"),
                with(Leaf::Value(json!([]))),
            ));
        }
        if let Some(prefix) = shape.list_prefix {
            let list_path = &path[..prefix];
            let list_name = list_path.join(".");
            if let (Some(failing), Some(good)) = (failing, first_at(base, list_path)) {
                let good = match good {
                    Json::Array(items) => items.first().cloned().unwrap_or(json!({})),
                    other => other.clone(),
                };
                let mut bad = good.clone();
                set_at(&mut bad, &path[prefix..], &Leaf::Value(failing.clone()));
                let mut detail = base.clone();
                set_at(
                    &mut detail,
                    list_path,
                    &Leaf::Value(json!([bad.clone(), good])),
                );
                probes.push((
                    format!(
                        "{name}: {list_name} with an element where it is {} and a base element",
                        show(failing)
                    ),
                    detail,
                ));
                let mut detail = base.clone();
                set_at(&mut detail, list_path, &Leaf::Value(json!([bad])));
                probes.push((
                    format!(
                        "{name}: {list_name} with one element, where it is {}",
                        show(failing)
                    ),
                    detail,
                ));
            }
            let mut detail = base.clone();
            set_at(&mut detail, list_path, &Leaf::Value(json!([])));
            probes.push((format!("{name}: {list_name} empty"), detail));
        }
    }
    probes
}

/// The envelope an EventBridge probe has: an event's detail-type, and its
/// source or, when it declares none, some source.
fn envelope_of(subject: &Subject<'_>, event: EventId) -> (String, String) {
    let declared = subject.system.event(event).unwrap();
    let source =
        messaging::event_source(subject.system, event).unwrap_or_else(|| ANY_SOURCE.to_string());
    (declared.detail_type.clone(), source)
}

/// Envelopes to try: each event as published, from another source, with
/// the source of another of the events, and detail-types of no event.
fn envelope_probes(subject: &Subject<'_>) -> Vec<(String, (String, String))> {
    let mut probes = Vec::new();
    for event in &subject.events {
        let name = &subject.system.event(*event).unwrap().name.text;
        let (detail_type, source) = envelope_of(subject, *event);
        probes.push((
            format!("envelope: {name} as published"),
            (detail_type.clone(), source.clone()),
        ));
        probes.push((
            format!("envelope: {name} from source {OTHER_SOURCE}"),
            (detail_type.clone(), OTHER_SOURCE.to_string()),
        ));
        for other in &subject.events {
            let Some(other_source) = messaging::event_source(subject.system, *other) else {
                continue;
            };
            if other_source != source {
                let other_name = &subject.system.event(*other).unwrap().name.text;
                probes.push((
                    format!("envelope: {name} with the source of {other_name}"),
                    (detail_type.clone(), other_source),
                ));
            }
        }
        probes.push((
            format!("envelope: detail-type {detail_type:?} with a suffix"),
            (format!("{detail_type}x"), source.clone()),
        ));
    }
    if let Some(first) = subject.events.first() {
        let (_, source) = envelope_of(subject, *first);
        probes.push((
            "envelope: an unrelated detail-type".to_string(),
            ("Unrelated".to_string(), source),
        ));
    }
    probes
}

fn eventbridge_event(
    subject: &Subject<'_>,
    id: usize,
    (detail_type, source): &(String, String),
    detail: &Json,
) -> Json {
    json!({
        "version": "0",
        "id": format!("00000000-0000-4000-8000-{id:012}"),
        "detail-type": detail_type,
        "source": source,
        "account": "123456789012",
        "time": "2026-01-01T00:00:00Z",
        "region": subject.system.region.value,
        "resources": [],
        "detail": detail,
    })
}

fn build_case(id: String, clause: Option<String>, subject: &Subject<'_>) -> Case {
    let (pattern, expressible) = match subject.service {
        "sns" => {
            let filter = subject.filter.unwrap();
            (
                messaging::filter_policy(subject.system, Some(filter), None).unwrap_or_default(),
                messaging::expressible(filter),
            )
        }
        _ => (
            messaging::event_pattern(subject.system, &subject.events, subject.filter),
            subject.filter.is_none_or(messaging::expressible),
        ),
    };
    let base = satisfying_detail(subject);
    let satisfiable = clause_holds(subject.filter, &base);
    let mut details = vec![(
        if satisfiable {
            "satisfies every condition".to_string()
        } else {
            "as near to every condition as the clause allows".to_string()
        },
        base.clone(),
    )];
    details.extend(detail_probes(subject, &base));

    let mut probes = Vec::new();
    let mut seen = BTreeSet::new();
    if subject.service == "sns" {
        for (name, body) in details {
            if seen.insert(show(&body)) {
                probes.push(Probe {
                    name,
                    expect: clause_holds(subject.filter, &body),
                    event: body,
                });
            }
        }
    } else {
        let first = envelope_of(subject, subject.events[0]);
        let mut events: Vec<(String, (String, String), Json)> = details
            .into_iter()
            .map(|(name, detail)| (name, first.clone(), detail))
            .collect();
        events.extend(
            envelope_probes(subject)
                .into_iter()
                .map(|(name, envelope)| (name, envelope, base.clone())),
        );
        for (name, envelope, detail) in events {
            let key = show(&json!([envelope.0, envelope.1, detail]));
            if !seen.insert(key) {
                continue;
            }
            let expect = envelope_holds(subject, &envelope.0, &envelope.1)
                && clause_holds(subject.filter, &detail);
            let event = eventbridge_event(subject, probes.len() + 1, &envelope, &detail);
            probes.push(Probe {
                name,
                expect,
                event,
            });
        }
    }
    Case {
        id,
        service: subject.service,
        clause,
        expressible,
        pattern,
        probes,
    }
}

fn rendered(cases: Vec<Case>) -> String {
    let file = CaseFile {
        about: "Generated by tests/patterns.rs from the where clauses of examples/, tests/ui/pass/ \
                and tests/patterns/; judged by check.py. Rewrite with \
                UPDATE_PATTERN_CASES=1 cargo test --test patterns",
        cases,
    };
    let mut text = serde_json::to_string_pretty(&file).unwrap();
    text.push('\n');
    text
}

// ---------------------------------------------------------------------------
// Tests.

#[test]
fn committed_cases_are_current() {
    let text = rendered(every_case());
    let path = root().join(CASES_FILE);
    if std::env::var_os("UPDATE_PATTERN_CASES").is_some_and(|value| value == "1") {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed == text {
        return;
    }
    let first_difference = committed
        .lines()
        .zip(text.lines())
        .position(|(old, new)| old != new)
        .unwrap_or_else(|| committed.lines().count().min(text.lines().count()));
    panic!(
        "{CASES_FILE} is not what meshc derives today (first difference at line {}):\n  \
         committed: {}\n  derived:   {}\n\
         Rewrite it with `UPDATE_PATTERN_CASES=1 cargo test --test patterns`, review the diff, \
         and run tests/conformance/patterns/run.",
        first_difference + 1,
        committed
            .lines()
            .nth(first_difference)
            .unwrap_or("<end of file>"),
        text.lines()
            .nth(first_difference)
            .unwrap_or("<end of file>"),
    );
}

#[test]
fn the_operators_input_is_a_valid_system_that_uses_every_operator() {
    let source = std::fs::read_to_string(root().join(OPERATORS_FILE)).unwrap();
    let analysis = meshc::analyze(&source);
    assert!(
        !analysis.has_errors(),
        "{OPERATORS_FILE}: {:#?}",
        analysis.diagnostics
    );
    let system = analysis.system.unwrap();
    let cases = cases_of(OPERATORS_FILE, &source, &system);
    for service in ["eventbridge", "sns"] {
        let clauses: Vec<&str> = cases
            .iter()
            .filter(|case| case.service == service)
            .filter_map(|case| case.clause.as_deref())
            .collect();
        for operator in [
            " = ",
            " != ",
            " in ",
            " not in ",
            " < ",
            " <= ",
            " > ",
            " >= ",
            " starts_with ",
            " ends_with ",
            " exists",
            " not exists",
        ] {
            assert!(
                clauses.iter().any(|clause| clause.contains(operator)),
                "no {service} clause in {OPERATORS_FILE} uses `{}`",
                operator.trim()
            );
        }
        // `items` and `parcels` are the lists of objects of its events.
        assert!(
            clauses
                .iter()
                .any(|clause| clause.contains("items.") || clause.contains("parcels.")),
            "no {service} clause in {OPERATORS_FILE} has a path through a list of objects"
        );
    }
    assert!(
        cases.iter().all(|case| case.expressible),
        "every clause of {OPERATORS_FILE} should be expressible: {:?}",
        cases
            .iter()
            .filter(|case| !case.expressible)
            .map(|case| &case.id)
            .collect::<Vec<_>>()
    );
}

#[test]
fn every_satisfiable_case_has_probes_on_both_sides() {
    for case in every_case() {
        let taken = case.probes.iter().filter(|probe| probe.expect).count();
        let refused = case.probes.len() - taken;
        assert!(
            taken > 0 && refused > 0,
            "{}: {taken} probe(s) taken and {refused} refused",
            case.id
        );
    }
}

#[test]
fn the_evaluator_reads_paths_and_types_as_documented() {
    let detail = json!({
        "total": 100,
        "price": 100.0,
        "code": "100",
        "tags": ["a", "b"],
        "items": [{"sku": "x", "n": 1}, {"sku": "y", "n": 5}],
        "customer": {"address": {"country": "DE"}},
    });
    let path = |text: &str| text.split('.').map(str::to_string).collect::<Vec<_>>();
    assert_eq!(
        values_at(&detail, &path("items.sku")),
        [&json!("x"), &json!("y")]
    );
    assert_eq!(
        values_at(&detail, &path("tags")),
        [&json!("a"), &json!("b")]
    );
    assert_eq!(
        values_at(&detail, &path("customer.address.country")),
        [&json!("DE")]
    );
    assert!(values_at(&detail, &path("customer.address.postcode")).is_empty());
    assert!(equals(&json!(100), &Scalar::Number(100.0)));
    assert!(equals(&json!(100.0), &Scalar::Number(100.0)));
    assert!(!equals(&json!("100"), &Scalar::Number(100.0)));
    assert!(!equals(&json!(1), &Scalar::Bool(true)));
}
