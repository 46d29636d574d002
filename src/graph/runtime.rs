//! Runtime configuration: the environment each service is started with, so
//! that its code finds what the .mesh file connects it to — the address,
//! timeout, retries and circuit breaker of each call (AWS has no resource
//! for them), the queues, topics, buses, streams, tables and databases it
//! uses. Backends turn each value into their own reference.
//!
//! Names are `MESH_` followed by the kind and the upper-cased name of what
//! they point at: `MESH_CALL_PAYMENT_TIMEOUT_MS`, `MESH_TABLE_ORDERS_NAME`.

use super::{BusRef, Graph, LoadBalancerRef, QueueRef};
use crate::model::aws_names::NameKind;
use crate::model::{
    BucketId, Carrier, Channel, DataStore, DatabaseId, ParameterId, SecretId, ServiceId, StreamId,
    System, TableId, TopicId, Via,
};

/// The prefix of every variable meshc sets (docs/runtime.md); a declared
/// `environment` may not use it (M223).
pub const PREFIX: &str = "MESH_";

/// A value known only once the infrastructure exists, or a literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Literal(String),
    QueueUrl(QueueRef),
    TopicArn(TopicId),
    BusName(BusRef),
    StreamName(StreamId),
    TableName(TableId),
    DatabaseEndpoint(DatabaseId),
    DatabaseSecret(DatabaseId),
    BucketName(BucketId),
    SecretArn(SecretId),
    ParameterName(ParameterId),
    FunctionName(ServiceId),
    /// The DNS name of a load balancer.
    LoadBalancerDns(LoadBalancerRef),
    /// The DNS name of the PrivateLink endpoint for a callee, in a network.
    PrivateLinkDns {
        network: crate::model::NetworkId,
        callee: ServiceId,
    },
    /// The Cloud Map namespace of a network (`svc.NAMESPACE`).
    Namespace(crate::model::NetworkId),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    pub name: String,
    /// A URL is its parts concatenated: `http://` + a DNS name + `:8443`.
    pub value: Vec<Value>,
    /// The relation that needs the setting (`calls`, `publishes`, `uses`,
    /// ...), or the saga; none for the system's and the service's names and
    /// the declared `environment`.
    pub origin: Option<crate::diagnostics::Span>,
}

fn key(name: &str) -> String {
    name.chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() {
                ch.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// The name a callee is registered under (Service Connect or Cloud Map),
/// fitted as `emit::names::bare` fits it for the registration itself. A
/// name that cannot be fitted is reported by the backend that registers it.
fn dns_name(kind: NameKind, service: &str) -> String {
    crate::model::aws_names::fit(kind, service, str::to_string)
        .map_or_else(|_| service.to_string(), |fitted| fitted.text)
}

fn literal(text: impl Into<String>) -> Vec<Value> {
    vec![Value::Literal(text.into())]
}

/// The environment of one service, sorted by name.
pub fn environment(system: &System, graph: &Graph, id: ServiceId) -> Vec<Setting> {
    let mut settings = Vec::new();
    let Some(service) = system.service(id) else {
        return settings;
    };
    let mut origin;
    let mut set = |origin: Option<crate::diagnostics::Span>, name: String, value: Vec<Value>| {
        settings.push(Setting {
            name,
            value,
            origin,
        });
    };
    set(None, format!("{PREFIX}SYSTEM"), literal(&system.name.text));
    set(
        None,
        format!("{PREFIX}SERVICE"),
        literal(&service.name.text),
    );
    for call in &service.calls {
        origin = Some(call.span);
        let Some(callee) = system.service(call.target) else {
            continue;
        };
        let prefix = format!("{PREFIX}CALL_{}", key(&callee.name.text));
        let port = callee.port.map_or(80, |port| port.value);
        let url = match call.via.value {
            Via::Invoke => None,
            Via::Mesh => Some(literal(format!(
                "http://{}:{port}",
                dns_name(NameKind::ServiceConnect, &callee.name.text)
            ))),
            Via::Dns => callee.subnet.map(|subnet| {
                vec![
                    Value::Literal(format!(
                        "http://{}.",
                        dns_name(NameKind::DiscoveryService, &callee.name.text)
                    )),
                    Value::Namespace(subnet.value.network),
                    Value::Literal(format!(":{port}")),
                ]
            }),
            Via::Alb => callee.subnet.map(|subnet| {
                vec![
                    Value::Literal("http://".to_string()),
                    Value::LoadBalancerDns(LoadBalancerRef::Alb {
                        network: subnet.value.network,
                        public: false,
                    }),
                ]
            }),
            Via::PrivateLink => service.subnet.map(|subnet| {
                vec![
                    Value::Literal("http://".to_string()),
                    Value::PrivateLinkDns {
                        network: subnet.value.network,
                        callee: call.target,
                    },
                    Value::Literal(format!(":{port}")),
                ]
            }),
        };
        match url {
            Some(url) => set(origin, format!("{prefix}_URL"), url),
            None => set(
                origin,
                format!("{prefix}_FUNCTION"),
                vec![Value::FunctionName(call.target)],
            ),
        }
        set(
            origin,
            format!("{prefix}_TIMEOUT_MS"),
            literal(call.timeout.value.as_millis().to_string()),
        );
        set(
            origin,
            format!("{prefix}_RETRIES"),
            literal(call.retries.value.to_string()),
        );
        if let Some(breaker) = &call.breaker {
            set(
                origin,
                format!("{prefix}_BREAKER_ERRORS_PERCENT"),
                literal(breaker.errors.value.to_string()),
            );
            set(
                origin,
                format!("{prefix}_BREAKER_RESET_MS"),
                literal(breaker.reset.value.as_millis().to_string()),
            );
        }
    }
    for publish in &service.publishes {
        origin = Some(publish.span);
        match publish.target {
            Channel::Event(event_id) => {
                let Some(event) = system.event(event_id) else {
                    continue;
                };
                let prefix = format!("{PREFIX}EVENT_{}", key(&event.name.text));
                match event.carrier.value {
                    Carrier::DefaultBus => set(
                        origin,
                        format!("{prefix}_BUS"),
                        vec![Value::BusName(BusRef::Default)],
                    ),
                    Carrier::Bus(bus) => set(
                        origin,
                        format!("{prefix}_BUS"),
                        vec![Value::BusName(BusRef::Declared(bus))],
                    ),
                    Carrier::Topic(topic) => {
                        set(
                            origin,
                            format!("{prefix}_TOPIC_ARN"),
                            vec![Value::TopicArn(topic)],
                        );
                        let by_attributes = system.topics.get(topic.0).is_some_and(|topic| {
                            topic.filter_on.value == crate::model::FilterScope::Attributes
                        });
                        if by_attributes {
                            set(
                                origin,
                                format!("{prefix}_ATTRIBUTES"),
                                literal(
                                    super::messaging::attribute_fields(
                                        system,
                                        &graph.messaging.subscriptions,
                                        topic,
                                        event_id,
                                    )
                                    .join(","),
                                ),
                            );
                        }
                    }
                    Carrier::Stream(stream) => {
                        set(
                            origin,
                            format!("{prefix}_STREAM"),
                            vec![Value::StreamName(stream)],
                        );
                    }
                }
                if let Some(source) = super::messaging::event_source(system, event_id) {
                    set(origin, format!("{prefix}_SOURCE"), literal(source));
                }
                set(
                    origin,
                    format!("{prefix}_DETAIL_TYPE"),
                    literal(&event.detail_type),
                );
            }
            Channel::Queue(queue) => {
                let name = system
                    .queue(queue)
                    .map_or("", |queue| queue.name.text.as_str());
                set(
                    origin,
                    format!("{PREFIX}QUEUE_{}_URL", key(name)),
                    vec![Value::QueueUrl(QueueRef::Declared(queue))],
                );
            }
            Channel::Topic(topic) => {
                let name = system
                    .topics
                    .get(topic.0)
                    .map_or("", |topic| topic.name.text.as_str());
                set(
                    origin,
                    format!("{PREFIX}TOPIC_{}_ARN", key(name)),
                    vec![Value::TopicArn(topic)],
                );
            }
            Channel::Stream(stream) => {
                let name = system
                    .streams
                    .get(stream.0)
                    .map_or("", |stream| stream.name.text.as_str());
                set(
                    origin,
                    format!("{PREFIX}STREAM_{}_NAME", key(name)),
                    vec![Value::StreamName(stream)],
                );
            }
        }
    }
    // A Fargate task polls its queues itself.
    if !service.is_lambda() {
        let sources = graph
            .edges_to(super::Node::Service(id))
            .into_iter()
            .filter(|(_, edge)| edge.kind == super::EdgeKind::Consume)
            .map(|(from, edge)| (from, edge.span));
        for (from, span) in sources {
            origin = Some(span);
            match from {
                super::Node::Queue(queue) => {
                    let name = crate::graph::iam::queue_name(system, queue);
                    set(
                        origin,
                        format!("{PREFIX}CONSUME_{}_URL", key(&name)),
                        vec![Value::QueueUrl(queue)],
                    );
                }
                super::Node::Stream(stream) => {
                    let name = system
                        .streams
                        .get(stream.0)
                        .map_or("", |stream| stream.name.text.as_str());
                    set(
                        origin,
                        format!("{PREFIX}CONSUME_{}_STREAM", key(name)),
                        vec![Value::StreamName(stream)],
                    );
                }
                _ => {}
            }
        }
    }
    for usage in &service.uses {
        origin = Some(usage.span);
        match usage.target {
            DataStore::Table(table) => {
                let name = system
                    .tables
                    .get(table.0)
                    .map_or("", |table| table.name.text.as_str());
                set(
                    origin,
                    format!("{PREFIX}TABLE_{}_NAME", key(name)),
                    vec![Value::TableName(table)],
                );
            }
            DataStore::Database(database) => {
                let name = system
                    .databases
                    .get(database.0)
                    .map_or("", |database| database.name.text.as_str());
                set(
                    origin,
                    format!("{PREFIX}DATABASE_{}_ENDPOINT", key(name)),
                    vec![Value::DatabaseEndpoint(database)],
                );
                set(
                    origin,
                    format!("{PREFIX}DATABASE_{}_SECRET_ARN", key(name)),
                    vec![Value::DatabaseSecret(database)],
                );
            }
            DataStore::Bucket(_) | DataStore::Secret(_) | DataStore::Parameter(_) => {
                let name = usage
                    .target
                    .name(system)
                    .map_or("", |name| name.text.as_str());
                let (kind, what, value) = match usage.target {
                    DataStore::Bucket(bucket) => ("BUCKET", "NAME", Value::BucketName(bucket)),
                    DataStore::Secret(secret) => ("SECRET", "ARN", Value::SecretArn(secret)),
                    DataStore::Parameter(parameter) => {
                        ("PARAMETER", "NAME", Value::ParameterName(parameter))
                    }
                    DataStore::Table(_) | DataStore::Database(_) => continue,
                };
                set(
                    origin,
                    format!("{PREFIX}{kind}_{}_{what}", key(name)),
                    vec![value],
                );
            }
        }
    }
    // The services of a choreographed saga publish the outcome of each
    // operation they run on the saga's bus.
    for plan in &graph.sagas {
        if plan.mode != crate::model::SagaMode::Choreographed {
            continue;
        }
        let runs = plan.invocations().iter().any(|invocation| {
            matches!(invocation, super::saga::Invocation::Function(service) | super::saga::Invocation::Commands(service) if *service == id)
        });
        if !runs {
            continue;
        }
        origin = system.sagas.get(plan.saga.0).map(|saga| saga.name.span);
        let bus = plan
            .trigger
            .and_then(|trigger| system.event(trigger))
            .and_then(|event| super::build::bus_of(event.carrier.value))
            .unwrap_or(BusRef::Default);
        let prefix = format!("{PREFIX}SAGA_{}", key(&plan.name));
        set(origin, format!("{prefix}_BUS"), vec![Value::BusName(bus)]);
        set(
            origin,
            format!("{prefix}_SOURCE"),
            literal(format!("{}.{}", system.name.text, service.name.text)),
        );
    }
    for variable in &service.environment {
        set(
            None,
            variable.name.text.clone(),
            literal(variable.value.clone()),
        );
    }
    settings.sort_by(|a, b| a.name.cmp(&b.name));
    settings.dedup_by(|a, b| a.name == b.name);
    settings
}
