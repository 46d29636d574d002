//! M403 filter-outside-schema
use super::filter_sites;
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::{Condition, Event, FieldDef, FieldType, FilterValue, Scalar};
use crate::vocabulary::CompareOp;

/// A `"pending" | "confirmed"` list of enum values, for messages.
fn alternatives(values: &[String]) -> String {
    values
        .iter()
        .map(|value| format!("\"{value}\""))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// How a field's type is named in messages: `a number`, `an object`.
fn type_text(ty: &FieldType) -> String {
    match ty {
        FieldType::String => "a string".to_string(),
        FieldType::Number => "a number".to_string(),
        FieldType::Int => "an int".to_string(),
        FieldType::Bool => "a bool".to_string(),
        FieldType::Timestamp => "a timestamp".to_string(),
        FieldType::Enum(values) if values.len() == 1 => format!("always {}", alternatives(values)),
        FieldType::Enum(values) => format!("one of {}", alternatives(values)),
        FieldType::List(_) => "a list".to_string(),
        FieldType::Object(_) => "an object".to_string(),
    }
}

fn scalar_text(value: &Scalar) -> &'static str {
    match value {
        Scalar::String(_) => "a string",
        Scalar::Number(_) => "a number",
        Scalar::Bool(_) => "a boolean",
    }
}

/// A condition that fits a field of this type, for `help:` lines.
fn example(field: &str, ty: &FieldType) -> String {
    match ty {
        FieldType::Number | FieldType::Int => format!("{field} >= 100"),
        FieldType::Bool => format!("{field} = true"),
        FieldType::Enum(values) => match values.first() {
            Some(value) => format!("{field} = \"{value}\""),
            None => format!("{field} exists"),
        },
        FieldType::Timestamp => format!("{field} starts_with \"2026-01\""),
        FieldType::String => format!("{field} = \"text\""),
        FieldType::List(inner) => example(field, inner),
        FieldType::Object(fields) => match fields.first() {
            Some(inner) => example(&format!("{field}.{}", inner.name.text), &inner.ty),
            None => format!("{field} exists"),
        },
    }
}

/// `field` names no field of `event`; `known` are the fields at the level
/// where the path went wrong, `suggestion` the whole path with the closest
/// of them.
pub fn unknown_field(
    event: &str,
    event_span: Span,
    field: &str,
    field_span: Span,
    known: &[&str],
    suggestion: Option<&str>,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        &FilterOutsideSchema::CODE,
        format!("event `{event}` has no field `{field}`"),
    )
    .primary(field_span, format!("not in the schema of `{event}`"))
    .secondary(event_span, format!("the schema of `{event}`"))
    .note("a pattern on a field the event does not have matches no event: the consumer would never hear of it");
    let help = match (suggestion, known) {
        (Some(candidate), _) => format!("did you mean `{candidate}`?"),
        (None, []) => format!("add `{field}` to the schema of `{event}`"),
        (None, known) => {
            let listed: Vec<String> = known
                .iter()
                .take(6)
                .map(|name| format!("`{name}`"))
                .collect();
            let more = if known.len() > listed.len() {
                ", ..."
            } else {
                ""
            };
            format!(
                "filter on a field `{event}` has ({}{more}), or add `{field}` to its schema",
                listed.join(", ")
            )
        }
    };
    diagnostic.help(help)
}

/// `parent` (a prefix of the filtered path) holds a value, not an object.
pub fn not_an_object(
    event: &str,
    parent: &str,
    parent_type: &FieldType,
    field_span: Span,
    definition: Span,
) -> Diagnostic {
    Diagnostic::new(
        &FilterOutsideSchema::CODE,
        format!(
            "`{parent}` of event `{event}` is {}, and has no fields",
            type_text(parent_type)
        ),
    )
    .primary(field_span, format!("`{parent}` has no fields"))
    .secondary(definition, format!("`{parent}` is declared here"))
    .help(format!(
        "filter on `{parent}` itself: `{}`",
        example(parent, parent_type)
    ))
}

/// A value of the wrong type for the field, or an operator the field's
/// type does not support. `events` names the events ("event `A`"), and
/// `definitions` are where they declare the field.
pub fn wrong_type(
    events: &str,
    field: &str,
    field_type: &FieldType,
    what: &str,
    label: &str,
    span: Span,
    definitions: &[Span],
) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(
        &FilterOutsideSchema::CODE,
        format!(
            "`{field}` of {events} is {}, but {what}",
            type_text(field_type)
        ),
    )
    .primary(span, label.to_string());
    for definition in definitions {
        diagnostic = diagnostic.secondary(
            *definition,
            format!("`{field}` is declared {} here", type_text(field_type)),
        );
    }
    diagnostic
    .help(format!(
        "test it as {}: `{}`",
        type_text(field_type),
        example(field, field_type)
    ))
    .note("EventBridge and SNS compare values with their JSON types: a string never equals a number, and a number comparison skips strings")
}

/// Strings outside the values of an enum field; `operator` is `Some` for
/// `starts_with` / `ends_with`. `events` names the events ("event `A`"),
/// and `definitions` are where they declare the field.
#[allow(clippy::too_many_arguments)]
pub fn not_in_enum(
    events: &str,
    field: &str,
    values: &[String],
    misfits: &[&str],
    operator: Option<&str>,
    span: Span,
    definitions: &[Span],
    suggestion: Option<&str>,
) -> Diagnostic {
    let quoted: Vec<String> = misfits.iter().map(|text| format!("\"{text}\"")).collect();
    let listed = match quoted.split_last() {
        Some((last, init)) if !init.is_empty() => format!("{} and {last}", init.join(", ")),
        _ => quoted.join(""),
    };
    let message = match (operator, quoted.as_slice()) {
        (Some(operator), _) => format!(
            "no value of `{field}` in {events} {} {listed}",
            operator.replace('_', " ")
        ),
        (None, [one]) => format!("{one} is not a value of `{field}` in {events}"),
        (None, _) => format!("{listed} are not values of `{field}` in {events}"),
    };
    let added: Vec<String> = values
        .iter()
        .map(|value| format!("\"{value}\""))
        .chain(quoted.iter().cloned())
        .collect();
    let help = match suggestion {
        Some(candidate) => format!("did you mean \"{candidate}\"?"),
        None if operator.is_some() => format!(
            "match one of the values of `{field}` ({}), or add a value to them",
            alternatives(values)
        ),
        None => format!(
            "use the values of `{field}`, or add to them: `{field}: {}`",
            added.join(" | ")
        ),
    };
    let mut diagnostic = Diagnostic::new(&FilterOutsideSchema::CODE, message)
        .primary(span, format!("`{field}` is {}", alternatives(values)));
    for definition in definitions {
        diagnostic = diagnostic.secondary(*definition, format!("`{field}` is declared here"));
    }
    diagnostic.help(help)
}

/// An event, named beside others in a `consumes` or a rule's `matches`,
/// that no value of a condition lets through.
pub fn never_passes(
    event: &str,
    field: &str,
    field_type: &FieldType,
    span: Span,
    definition: Span,
) -> Diagnostic {
    Diagnostic::new(
        &FilterOutsideSchema::CODE,
        format!("the condition on `{field}` lets no `{event}` through"),
    )
    .primary(span, format!("rejects every `{event}`"))
    .secondary(
        definition,
        format!("`{field}` of `{event}` is {}", type_text(field_type)),
    )
    .help(format!(
        "give `{event}` a `consumes` or `rule` of its own, with a filter that fits it, or add one of its values to the condition"
    ))
}

/// `exists` or a comparison on a field that holds an object.
pub fn object_field(
    event: &str,
    field: &str,
    field_type: &FieldType,
    span: Span,
    definition: Span,
) -> Diagnostic {
    Diagnostic::new(
        &FilterOutsideSchema::CODE,
        format!("`{field}` of event `{event}` is an object, and a filter can only test a field that holds a value"),
    )
    .primary(span, "an object, not a value")
    .secondary(definition, format!("`{field}` is declared here"))
    .help(format!("test a field inside it: `{}`", example(field, field_type)))
    .note("EventBridge patterns and SNS filter policies match leaves only: `exists` on an object matches no event")
}

/// `not exists` on a field every event has.
pub fn required_field(event: &str, field: &str, span: Span, definition: Span) -> Diagnostic {
    Diagnostic::new(
        &FilterOutsideSchema::CODE,
        format!("`{field}` is always present in event `{event}`, so `not exists` never matches"),
    )
    .primary(span, "never true")
    .secondary(definition, format!("`{field}` is required here"))
    .help(format!(
        "remove the condition, or make the field optional in the schema: `{}?: ...`",
        field.rsplit('.').next().unwrap_or(field)
    ))
}

declare_rule! {
    /// ## What it does
    /// Checks every `where` filter (of a `consumes`, of a `rule`, of a
    /// topic's `subscribe`) against the schemas of the events it filters:
    /// each field must exist — down nested objects and through lists, as in
    /// `items.productId` — in every event the filter applies to; each value
    /// must have the field's type (string, number or boolean); a string
    /// compared with an enum field (`"pending" | "confirmed"`) must be one
    /// of its values; numeric comparisons need a number field; `exists`
    /// must test a field that holds a value, and `not exists` a field that
    /// may be absent.
    ///
    /// Events without a `schema` are not checked.
    ///
    /// ## Why is this bad?
    /// meshc turns the filter into an EventBridge event pattern or an SNS
    /// filter policy, and AWS accepts it whatever it says. A pattern on a
    /// field the event does not have, or on a value the field never takes,
    /// matches nothing: the consumer silently receives no events, and no
    /// error is ever logged.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event OrderCreated { schema { orderId: string  status: "pending" | "confirmed" } }
    /// service order { compute = lambda { runtime = "python3.13" }  publishes OrderCreated }
    /// service inventory {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes OrderCreated where status = "confirmd"
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event OrderCreated { schema { orderId: string  status: "pending" | "confirmed" } }
    /// service order { compute = lambda { runtime = "python3.13" }  publishes OrderCreated }
    /// service inventory {
    ///   compute = lambda { runtime = "python3.13" }
    ///   consumes OrderCreated where status = "confirmed"
    /// }
    /// ```
    FilterOutsideSchema, code = M403, slug = "filter-outside-schema", severity = Error,
}

/// Where a field path leads in a schema.
enum Lookup<'a> {
    /// The field, the type of its values (lists unwrapped: a pattern on a
    /// list matches when one element matches), and whether every event
    /// carries it.
    Found {
        field: &'a FieldDef,
        leaf: &'a FieldType,
        always_present: bool,
    },
    /// Segment `depth` of the path names no field; `known` are the fields
    /// at that level.
    Missing { depth: usize, known: Vec<&'a str> },
    /// Segment `depth` goes into `parent`, which holds no object.
    NotObject {
        depth: usize,
        parent: &'a FieldDef,
        parent_type: &'a FieldType,
    },
}

/// The type inside any lists, and whether there were lists.
fn unlisted(ty: &FieldType) -> (&FieldType, bool) {
    let mut current = ty;
    let mut listed = false;
    while let FieldType::List(inner) = current {
        current = inner;
        listed = true;
    }
    (current, listed)
}

/// The declared type of the field at `path` (lists kept), when the schema
/// has it.
pub(crate) fn declared_type<'a>(schema: &'a [FieldDef], path: &[String]) -> Option<&'a FieldType> {
    match lookup(schema, path) {
        Lookup::Found { field, .. } => Some(&field.ty),
        _ => None,
    }
}

fn lookup<'a>(schema: &'a [FieldDef], path: &[String]) -> Lookup<'a> {
    let mut fields = schema;
    let mut always_present = true;
    let mut found: Option<(&FieldDef, &FieldType)> = None;
    for (depth, segment) in path.iter().enumerate() {
        if let Some((parent, parent_type)) = found {
            match parent_type {
                FieldType::Object(inner) => fields = inner,
                _ => {
                    return Lookup::NotObject {
                        depth,
                        parent,
                        parent_type,
                    };
                }
            }
        }
        let Some(field) = fields.iter().find(|field| field.name.text == *segment) else {
            return Lookup::Missing {
                depth,
                known: fields
                    .iter()
                    .map(|field| field.name.text.as_str())
                    .collect(),
            };
        };
        let (leaf, listed) = unlisted(&field.ty);
        always_present &= !field.optional && !listed;
        found = Some((field, leaf));
    }
    match found {
        Some((field, leaf)) => Lookup::Found {
            field,
            leaf,
            always_present,
        },
        None => Lookup::Missing {
            depth: 0,
            known: Vec::new(),
        },
    }
}

/// The field a condition tests, as one event declares it.
struct Resolved<'a> {
    event: &'a Event,
    field: &'a FieldDef,
    leaf: &'a FieldType,
}

fn is_bound(op: CompareOp) -> bool {
    matches!(
        op,
        CompareOp::Lt | CompareOp::LtEq | CompareOp::Gt | CompareOp::GtEq
    )
}

fn is_textual(op: CompareOp) -> bool {
    matches!(op, CompareOp::StartsWith | CompareOp::EndsWith)
}

/// The field a condition tests in one event; or, when no event of this
/// kind can pass the condition whatever its value, why.
fn resolve<'a>(event: &'a Event, condition: &Condition) -> Result<Resolved<'a>, Box<Diagnostic>> {
    let event_name = event.name.text.as_str();
    let path = condition.field.join(".");
    let (field, leaf, always_present) = match lookup(&event.schema, &condition.field) {
        Lookup::Found {
            field,
            leaf,
            always_present,
        } => (field, leaf, always_present),
        Lookup::Missing { depth, known } => {
            let segment = condition.field.get(depth).map_or("", String::as_str);
            let parent = condition.field.get(..depth).unwrap_or_default();
            let full = |name: &str| {
                parent
                    .iter()
                    .map(String::as_str)
                    .chain([name])
                    .collect::<Vec<_>>()
                    .join(".")
            };
            let suggestion = crate::suggest::closest(segment, known.iter().copied()).map(full);
            let known: Vec<String> = known.iter().map(|name| full(name)).collect();
            let known: Vec<&str> = known.iter().map(String::as_str).collect();
            return Err(Box::new(unknown_field(
                event_name,
                event.name.span,
                &path,
                condition.field_span,
                &known,
                suggestion.as_deref(),
            )));
        }
        Lookup::NotObject {
            depth,
            parent,
            parent_type,
        } => {
            let parent_path = condition.field.get(..depth).unwrap_or_default().join(".");
            return Err(Box::new(not_an_object(
                event_name,
                &parent_path,
                parent_type,
                condition.field_span,
                parent.span,
            )));
        }
    };
    let number = matches!(leaf, FieldType::Number | FieldType::Int);
    let problem = if matches!(leaf, FieldType::Object(_)) {
        Some(object_field(
            event_name,
            &path,
            leaf,
            condition.span,
            field.span,
        ))
    } else if condition.op == CompareOp::NotExists && always_present {
        Some(required_field(
            event_name,
            &path,
            condition.span,
            field.span,
        ))
    } else if is_bound(condition.op) && !number {
        let what = format!("`{}` only compares numbers", condition.op.text());
        Some(wrong_type(
            &format!("event `{event_name}`"),
            &path,
            leaf,
            &what,
            &what,
            condition.span,
            &[field.span],
        ))
    } else if is_textual(condition.op)
        && !matches!(
            leaf,
            FieldType::String | FieldType::Timestamp | FieldType::Enum(_)
        )
    {
        let what = format!("`{}` only matches strings", condition.op.text());
        Some(wrong_type(
            &format!("event `{event_name}`"),
            &path,
            leaf,
            &what,
            &what,
            condition.span,
            &[field.span],
        ))
    } else {
        None
    };
    match problem {
        Some(diagnostic) => Err(Box::new(diagnostic)),
        None => Ok(Resolved { event, field, leaf }),
    }
}

/// Whether a value has the type of a field, enum values included.
fn has_type(leaf: &FieldType, value: &Scalar) -> bool {
    matches!(
        (leaf, value),
        (
            FieldType::String | FieldType::Timestamp | FieldType::Enum(_),
            Scalar::String(_)
        ) | (FieldType::Number | FieldType::Int, Scalar::Number(_))
            | (FieldType::Bool, Scalar::Bool(_))
    )
}

/// Whether some value of the field can satisfy `op` with `value`.
fn fits(op: CompareOp, leaf: &FieldType, value: &Scalar) -> bool {
    match (leaf, value) {
        (FieldType::Enum(values), Scalar::String(text)) => {
            values.iter().any(|candidate| match op {
                CompareOp::StartsWith => candidate.starts_with(text.as_str()),
                CompareOp::EndsWith => candidate.ends_with(text.as_str()),
                _ => candidate == text,
            })
        }
        _ => has_type(leaf, value),
    }
}

/// "event `A`", "events `A` and `B`", "events `A`, `B` and `C`".
fn events_phrase(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => format!("event {one}"),
        [init @ .., last] => format!("events {} and {last}", init.join(", ")),
    }
}

/// The diagnostic for the values of a condition that no event's field can
/// take: of the wrong type, or outside the enum. `resolved` and `values`
/// are not empty.
fn value_diagnostic(
    condition: &Condition,
    resolved: &[Resolved<'_>],
    values: &[&Scalar],
) -> Option<Diagnostic> {
    let first = resolved.first()?;
    let path = condition.field.join(".");
    // Name every event that declares the field as the first one does.
    let alike: Vec<&Resolved<'_>> = resolved
        .iter()
        .filter(|other| other.leaf == first.leaf)
        .collect();
    let names: Vec<&str> = alike.iter().map(|r| r.event.name.text.as_str()).collect();
    let definitions: Vec<Span> = alike.iter().map(|r| r.field.span).collect();
    let span = condition.value_span.unwrap_or(condition.span);
    let events = events_phrase(&names);
    if let Some(value) = values.iter().find(|value| !has_type(first.leaf, value)) {
        return Some(wrong_type(
            &events,
            &path,
            first.leaf,
            &format!("it is compared with {}", scalar_text(value)),
            scalar_text(value),
            span,
            &definitions,
        ));
    }
    let FieldType::Enum(allowed) = first.leaf else {
        return None;
    };
    let texts: Vec<&str> = values
        .iter()
        .filter_map(|value| match value {
            Scalar::String(text) => Some(text.as_str()),
            _ => None,
        })
        .collect();
    let textual = is_textual(condition.op);
    let suggestion = match texts.as_slice() {
        [text] if !textual => crate::suggest::closest(text, allowed.iter().map(String::as_str)),
        _ => None,
    };
    Some(not_in_enum(
        &events,
        &path,
        allowed,
        &texts,
        textual.then(|| condition.op.text()),
        span,
        &definitions,
        suggestion,
    ))
}

impl Rule for FilterOutsideSchema {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        for site in filter_sites(system, &context.graph.messaging.carried) {
            let events: Vec<&Event> = site
                .events
                .iter()
                .filter_map(|&id| system.event(id))
                .filter(|event| event.schema_span.is_some())
                .collect();
            if events.is_empty() {
                continue;
            }
            for condition in &site.filter.conditions {
                let mut resolved = Vec::new();
                let mut problems = Vec::new();
                for &event in &events {
                    match resolve(event, condition) {
                        Ok(field) => resolved.push(field),
                        Err(diagnostic) => problems.push(*diagnostic),
                    }
                }
                // Among the events a topic or stream carries, a filter may
                // select by a field only some of them have.
                if site.named || resolved.is_empty() {
                    out.append(&mut problems);
                }
                let values: Vec<&Scalar> = match &condition.value {
                    FilterValue::None => Vec::new(),
                    FilterValue::Scalar(value) => vec![value],
                    FilterValue::List(values) => values.iter().collect(),
                };
                if resolved.is_empty() || values.is_empty() || is_bound(condition.op) {
                    continue;
                }
                // A value no event's field can take is a mistake.
                let misfits: Vec<&Scalar> = values
                    .iter()
                    .copied()
                    .filter(|value| !resolved.iter().any(|r| fits(condition.op, r.leaf, value)))
                    .collect();
                if !misfits.is_empty() {
                    out.extend(value_diagnostic(condition, &resolved, &misfits));
                }
                // An event named beside others that no value lets through.
                let selects = matches!(
                    condition.op,
                    CompareOp::Eq | CompareOp::In | CompareOp::StartsWith | CompareOp::EndsWith
                );
                let any_fits = values
                    .iter()
                    .any(|value| resolved.iter().any(|r| fits(condition.op, r.leaf, value)));
                if site.named && selects && any_fits {
                    for r in &resolved {
                        if !values.iter().any(|value| fits(condition.op, r.leaf, value)) {
                            out.push(never_passes(
                                &r.event.name.text,
                                &condition.field.join("."),
                                r.leaf,
                                condition.span,
                                r.field.span,
                            ));
                        }
                    }
                }
            }
        }
    }
}
