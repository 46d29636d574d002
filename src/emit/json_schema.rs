//! The JSON Schema (draft 4, the dialect EventBridge's schema registry
//! reads) of each event, as its consumers receive it: the EventBridge
//! envelope with the event's typed schema as its `detail` for an event on
//! a bus, the typed document itself for one on a topic or a stream.
//! Shared by every backend, so that the registry holds the same document
//! whichever one deploys it.

use serde_json::{Map, Value as Json, json};

use crate::graph::messaging::event_source;
use crate::model::{Carrier, EventId, FieldDef, FieldType, System};

/// The schema of a field's type. Nested schemas are moved into their
/// parent, never passed to `json!`, which would copy them at every level
/// (time quadratic in the depth of a type).
fn field_type(ty: &FieldType) -> Json {
    match ty {
        FieldType::String => json!({ "type": "string" }),
        FieldType::Number => json!({ "type": "number" }),
        FieldType::Int => json!({ "type": "integer" }),
        FieldType::Bool => json!({ "type": "boolean" }),
        FieldType::Timestamp => json!({ "type": "string", "format": "date-time" }),
        FieldType::Enum(values) => json!({ "type": "string", "enum": values }),
        FieldType::List(item) => {
            let mut schema = Map::new();
            schema.insert("type".to_string(), json!("array"));
            schema.insert("items".to_string(), field_type(item));
            Json::Object(schema)
        }
        FieldType::Object(fields) => object(fields),
    }
}

/// An object type: its fields as properties, the ones not marked optional
/// required.
fn object(fields: &[FieldDef]) -> Json {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for field in fields {
        let mut schema = field_type(&field.ty);
        if let (Some(doc), Json::Object(entries)) = (crate::model::prose(&field.doc), &mut schema) {
            entries.insert("description".to_string(), json!(doc));
        }
        properties.insert(field.name.text.clone(), schema);
        if !field.optional {
            required.push(json!(field.name.text));
        }
    }
    let mut schema = Map::new();
    schema.insert("type".to_string(), json!("object"));
    schema.insert("properties".to_string(), Json::Object(properties));
    if !required.is_empty() {
        schema.insert("required".to_string(), Json::Array(required));
    }
    Json::Object(schema)
}

/// The schema of an event as its consumers receive it: on a bus, the
/// EventBridge envelope with the event's fields as its `detail`; on a
/// topic or a stream, the published document itself (the SNS `Message`,
/// the Kinesis record's data; docs/runtime.md).
pub fn event(system: &System, id: EventId) -> Json {
    let Some(event) = system.event(id) else {
        return Json::Null;
    };
    let mut schema = Map::new();
    schema.insert(
        "$schema".to_string(),
        json!("http://json-schema.org/draft-04/schema#"),
    );
    schema.insert("title".to_string(), json!(event.name.text));
    match event.carrier.value {
        Carrier::DefaultBus | Carrier::Bus(_) => {
            let mut envelope = Map::new();
            envelope.insert(
                "detail-type".to_string(),
                json!({ "type": "string", "enum": [event.detail_type] }),
            );
            let source = match event_source(system, id) {
                Some(source) => json!({ "type": "string", "enum": [source] }),
                None => json!({ "type": "string" }),
            };
            envelope.insert("source".to_string(), source);
            envelope.insert("detail".to_string(), object(&event.schema));
            schema.insert("type".to_string(), json!("object"));
            schema.insert(
                "required".to_string(),
                json!(["detail-type", "source", "detail"]),
            );
            schema.insert("properties".to_string(), Json::Object(envelope));
        }
        Carrier::Topic(_) | Carrier::Stream(_) => {
            if let Json::Object(document) = object(&event.schema) {
                schema.extend(document);
            }
        }
    }
    if let Some(doc) = crate::model::prose(&event.doc) {
        schema.insert("description".to_string(), json!(doc));
    }
    Json::Object(schema)
}
