//! How the template refers to what the graph names: the logical ids of the
//! resources emitted for components, their ARNs, and the runtime values of
//! a service's environment (Terraform's `references.rs`).

use serde_json::{Value as Json, json};

use super::{Context, attribute, id, physical_name, reference};
use crate::emit::names;
use crate::graph::network::Guarded;
use crate::graph::runtime::Value;
use crate::graph::{BusRef, QueueRef};
use crate::model::{
    ComponentId, DataStore, DatabaseId, ServiceId, StreamId, System, TableId, TopicId,
};

/// The declared name of a component; or, when the system holds none, an
/// internal error.
fn named(context: &Context<'_>, component: ComponentId) -> String {
    crate::emit::infra::named(context, component)
}

pub(super) fn queue(system: &System, queue: QueueRef) -> String {
    id(&names::queue(system, queue), "Queue")
}

pub(super) fn topic(context: &Context<'_>, topic: TopicId) -> String {
    id(&named(context, ComponentId::Topic(topic)), "Topic")
}

pub(super) fn stream(context: &Context<'_>, stream: StreamId) -> String {
    id(&named(context, ComponentId::Stream(stream)), "Stream")
}

pub(super) fn table(context: &Context<'_>, table: TableId) -> String {
    id(&named(context, ComponentId::Table(table)), "Table")
}

/// The logical id of a declared bucket, secret or parameter.
pub(super) fn store(context: &Context<'_>, store: DataStore) -> String {
    let kind = match store {
        DataStore::Table(_) => "Table",
        DataStore::Database(_) => "Database",
        DataStore::Bucket(_) => "Bucket",
        DataStore::Secret(_) => "Secret",
        DataStore::Parameter(_) => "Parameter",
    };
    id(&named(context, store.component()), kind)
}

pub(super) fn bus(system: &System, bus: BusRef) -> String {
    id(&names::bus_name(system, bus), "EventBus")
}

pub(super) fn function(context: &Context<'_>, service: ServiceId) -> String {
    id(&named(context, ComponentId::Service(service)), "Function")
}

/// The RDS instance, or Aurora cluster, of a database.
pub(super) fn database(system: &System, database: DatabaseId) -> String {
    let aurora = system
        .databases
        .get(database.0)
        .is_some_and(|database| database.engine.value.is_aurora());
    id(
        &names::database(system, database),
        if aurora { "Cluster" } else { "Database" },
    )
}

pub(super) fn role(context: &Context<'_>, principal: crate::graph::iam::Principal) -> String {
    id(
        &names::role(context.system, context.graph, principal),
        "Role",
    )
}

pub(super) fn role_policy(
    context: &Context<'_>,
    principal: crate::graph::iam::Principal,
) -> String {
    id(
        &names::role(context.system, context.graph, principal),
        "RolePolicy",
    )
}

/// The ARN of a queue.
pub(super) fn queue_arn(system: &System, queue_ref: QueueRef) -> Json {
    attribute(&queue(system, queue_ref), "Arn")
}

/// The name of a bus, for `EventBusName` (its `Name` attribute, which is
/// also what `Ref` returns).
pub(super) fn bus_name(system: &System, bus_ref: BusRef) -> Json {
    match bus_ref {
        BusRef::Default => Json::from("default"),
        BusRef::Declared(_) => attribute(&bus(system, bus_ref), "Name"),
    }
}

/// The DNS name of an interface endpoint: its first DNS entry is
/// `HOSTED-ZONE:NAME`.
pub(super) fn endpoint_dns(endpoint: &str) -> Json {
    json!({
        "Fn::Select": [1, { "Fn::Split": [":", {
            "Fn::Select": [0, attribute(endpoint, "DnsEntries")]
        }] }]
    })
}

/// The value of one runtime value.
pub(super) fn value(context: &Context<'_>, value: &Value) -> Json {
    let system = context.system;
    match value {
        Value::Literal(text) => Json::from(text.as_str()),
        Value::QueueUrl(queue_ref) => reference(&queue(system, *queue_ref)),
        Value::TopicArn(topic_id) => reference(&topic(context, *topic_id)),
        Value::BusName(bus_ref) => bus_name(system, *bus_ref),
        Value::StreamName(stream_id) => reference(&stream(context, *stream_id)),
        Value::TableName(table_id) => reference(&table(context, *table_id)),
        Value::DatabaseEndpoint(database_id) => {
            attribute(&database(system, *database_id), "Endpoint.Address")
        }
        Value::DatabaseSecret(database_id) => attribute(
            &database(system, *database_id),
            "MasterUserSecret.SecretArn",
        ),
        Value::BucketName(bucket) => reference(&store(context, DataStore::Bucket(*bucket))),
        Value::SecretArn(secret) => reference(&store(context, DataStore::Secret(*secret))),
        Value::ParameterName(parameter) => {
            reference(&store(context, DataStore::Parameter(*parameter)))
        }
        Value::FunctionName(service) => reference(&function(context, *service)),
        Value::LoadBalancerDns(balancer) => attribute(
            &id(&names::load_balancer(system, *balancer), "LoadBalancer"),
            "DNSName",
        ),
        Value::PrivateLinkDns { network, callee } => endpoint_dns(&id(
            &names::guarded(
                system,
                Guarded::PrivateLink {
                    network: *network,
                    callee: *callee,
                },
            ),
            "Endpoint",
        )),
        Value::Namespace(network) => {
            let name = names::network(system, *network);
            physical_name(context, &names::namespace(context, &name))
        }
    }
}

/// A setting's value: one value, or the parts joined.
pub(super) fn setting(context: &Context<'_>, parts: &[Value]) -> Json {
    match parts {
        [single] => value(context, single),
        _ => json!({
            "Fn::Join": ["", parts.iter().map(|part| value(context, part)).collect::<Vec<_>>()]
        }),
    }
}

/// The logical ids a resource lists in `DependsOn` for each of its
/// prerequisites. AWS-managed policies are part of their role here
/// (`ManagedPolicyArns`), so a role's permissions are its inline policy.
pub(super) fn prerequisites(
    context: &Context<'_>,
    prerequisites: &[crate::emit::ordering::Prerequisite],
) -> Vec<String> {
    use crate::emit::ordering::Prerequisite;
    let system = context.system;
    let mut found = Vec::new();
    for prerequisite in prerequisites {
        match *prerequisite {
            Prerequisite::Listener { balancer, port } => {
                found.push(id(&names::listener(system, balancer, port), "Listener"));
            }
            Prerequisite::ListenerRule { balancer, service } => found.push(id(
                &names::target_group(system, balancer, service),
                "ListenerRule",
            )),
            Prerequisite::RolePermissions(principal) => {
                if context
                    .graph
                    .iam
                    .role(principal)
                    .is_some_and(|role| !role.grants.is_empty())
                {
                    found.push(role_policy(context, principal));
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use crate::model::{BucketId, DataStore, ServiceId, TopicId};

    #[test]
    fn a_reference_to_a_component_the_system_does_not_hold_is_an_internal_error() {
        let (system, graph) =
            crate::emit::testing::analysed("system s { region = \"us-east-1\" }\n");
        let context = crate::emit::Context::new(&system, &graph);
        assert_eq!(super::topic(&context, TopicId(4)), "Topic");
        assert_eq!(super::function(&context, ServiceId(2)), "Function");
        assert_eq!(
            super::store(&context, DataStore::Bucket(BucketId(0))),
            "Bucket"
        );
        let mut found = crate::emit::testing::problems(&context);
        found.sort();
        assert_eq!(
            found,
            [
                "M001: meshc found an inconsistency in its own model: the bucket 0 is not in the system",
                "M001: meshc found an inconsistency in its own model: the service 2 is not in the system",
                "M001: meshc found an inconsistency in its own model: the topic 4 is not in the system",
            ]
        );
    }
}
