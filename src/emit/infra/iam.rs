//! One role per principal of the IAM plan: its trust policy, the
//! AWS-managed policies attached to it, and an inline policy with one
//! statement per grant, a statement on `*` saying why (Terraform's
//! `iam.tf`).

use super::policy::{grant_statements, trust};
use super::{Attribute, Key, Kind, Resource, Sink, Value, named, system_key};
use crate::emit::names::{self, Part};
use crate::emit::{Context, written_resource};
use crate::graph::BusRef;
use crate::graph::iam::{Resource as IamResource, Role};
use crate::graph::network::Guarded;
use crate::model::ComponentId;
use crate::model::aws_names::NameKind;

pub fn roles(context: &Context<'_>, out: &mut Sink<'_>) {
    for role in &context.graph.iam.roles {
        role_resources(context, role, out);
    }
}

fn role_resources(context: &Context<'_>, role: &Role, out: &mut Sink<'_>) {
    let system = context.system;
    let name = names::role(system, context.graph, role.principal);
    let description = names::role_description(system, context.graph, role.principal);
    let key = Key::new(Kind::Role, name.clone());
    let account = Value::Interpolated(vec![Part::AccountId]);
    out(Resource::new(Kind::Role, name.clone())
        .with(
            "RoleName",
            Value::Name(names::aws(context, NameKind::IamRole, &name)),
        )
        .with("Description", description.clone())
        .with(
            "AssumeRolePolicyDocument",
            Value::Policy(vec![trust(role.principal.trusted_service(system), account)]),
        ));
    for policy in &role.managed_policies {
        let short = policy.rsplit('/').next().unwrap_or(policy);
        out(
            Resource::new(Kind::PolicyAttachment, format!("{name}--{short}"))
                .with("Role", key.get(Attribute::Name))
                .with(
                    "PolicyArn",
                    Value::Interpolated(vec![
                        names::text("arn:"),
                        Part::Partition,
                        names::text(&format!(":iam::aws:policy/{policy}")),
                    ]),
                ),
        );
    }
    if role.grants.is_empty() {
        return;
    }
    let statements = grant_statements(role, |resource| vec![arn(context, resource)]);
    let mut policy = Resource::new(Kind::RolePolicy, name.clone())
        .with(
            "PolicyName",
            Value::Name(names::aws(context, NameKind::IamRolePolicy, &name)),
        )
        .with("RoleName", key.get(Attribute::Id))
        .with("PolicyDocument", Value::Policy(statements))
        .note(&format!(
            "What {} may do, and nothing more.",
            description.to_lowercase()
        ));
    // A statement written by hand on `*` is shown by `meshc check` (M222)
    // with its reason; checkov is told the same reason.
    if let Some(grant) = role
        .grants
        .iter()
        .find(|grant| grant.written && grant.wildcard.is_some())
    {
        for check in ["CKV_AWS_111", "CKV_AWS_356"] {
            policy = policy.waive(
                check,
                format!("written by hand in `iam` (M222): {}", grant.why),
            );
        }
    }
    out(policy);
}

/// The ARN of a resource of the IAM plan (the ARNs of the subnets of
/// every zone, for subnets).
pub fn arn(context: &Context<'_>, resource: IamResource) -> Value {
    let system = context.system;
    let of = |kind: Kind, component: ComponentId| {
        Key::new(kind, named(context, component)).get(Attribute::Arn)
    };
    let within = |kind: Kind, component: ComponentId, suffix: &'static str| Value::Within {
        key: Key::new(kind, named(context, component)),
        attribute: Attribute::Arn,
        suffix,
    };
    match resource {
        IamResource::Queue(queue) => super::queue_key(system, queue).get(Attribute::Arn),
        IamResource::Topic(topic) => of(Kind::Topic, ComponentId::Topic(topic)),
        IamResource::Bus(BusRef::Default) => Value::DefaultBusArn,
        IamResource::Bus(BusRef::Declared(bus)) => of(Kind::EventBus, ComponentId::Bus(bus)),
        IamResource::Stream(stream) => of(Kind::Stream, ComponentId::Stream(stream)),
        IamResource::StreamConsumer(stream, reader) => Key::new(
            Kind::StreamConsumer,
            format!(
                "{}--{}",
                named(context, ComponentId::Stream(stream)),
                named(context, ComponentId::Service(reader))
            ),
        )
        .get(Attribute::Arn),
        IamResource::Table(table) => of(Kind::Table, ComponentId::Table(table)),
        IamResource::TableIndexes(table) => {
            within(Kind::Table, ComponentId::Table(table), "/index/*")
        }
        IamResource::DatabaseSecret(database) => {
            let aurora = system
                .databases
                .get(database.0)
                .is_some_and(|found| found.engine.value.is_aurora());
            let kind = if aurora {
                Kind::DbCluster
            } else {
                Kind::DbInstance
            };
            Key::new(kind, named(context, ComponentId::Database(database)))
                .get(Attribute::SecretArn)
        }
        IamResource::Bucket(bucket) => of(Kind::Bucket, ComponentId::Bucket(bucket)),
        IamResource::BucketObjects(bucket) => {
            within(Kind::Bucket, ComponentId::Bucket(bucket), "/*")
        }
        IamResource::Secret(secret) => of(Kind::Secret, ComponentId::Secret(secret)),
        IamResource::Parameter(parameter) => of(Kind::Parameter, ComponentId::Parameter(parameter)),
        IamResource::Written {
            service,
            statement,
            resource,
        } => Value::Text(written_resource(system, service, statement, resource)),
        IamResource::Function(function) => of(Kind::Function, ComponentId::Service(function)),
        IamResource::ServiceLogs(logs) => {
            Key::new(Kind::LogGroup, named(context, ComponentId::Service(logs)))
                .get(Attribute::LogArn)
        }
        IamResource::StateMachine(saga) => {
            Key::new(Kind::StateMachine, names::saga(system, saga)).get(Attribute::Arn)
        }
        IamResource::FlowLogs(network) => Key::new(
            Kind::LogGroup,
            format!("{}--flow-logs", names::network(system, network)),
        )
        .get(Attribute::LogArn),
        IamResource::Repository(repository) => {
            of(Kind::Repository, ComponentId::Service(repository))
        }
        IamResource::Key => system_key(),
        IamResource::Subnets(subnet) => super::subnets(context, subnet, Attribute::Arn, || {
            format!(
                "a grant on the subnets of {}, which the network plan does not lay out",
                names::subnet(system, subnet)
            )
        }),
        IamResource::SecurityGroup(owner) => {
            super::security::group_key(system, Guarded::Service(owner)).get(Attribute::Arn)
        }
        IamResource::NetworkInterfaces => Value::Interpolated(vec![
            names::text("arn:"),
            Part::Partition,
            names::text(":ec2:"),
            Part::Region,
            names::text(":"),
            Part::AccountId,
            names::text(":network-interface/*"),
        ]),
        IamResource::Any => Value::from("*"),
    }
}

/// Whether a grant of the IAM plan names the account's default bus.
pub fn uses_default_bus(context: &Context<'_>) -> bool {
    context
        .graph
        .iam
        .roles
        .iter()
        .flat_map(|role| role.grants.iter())
        .flat_map(|grant| grant.resources.iter())
        .any(|resource| *resource == IamResource::Bus(BusRef::Default))
}

#[cfg(test)]
mod tests {
    use super::arn;
    use crate::emit::infra::{Attribute, Key, Kind, Value};
    use crate::graph::iam::Resource as IamResource;
    use crate::model::{NetworkId, SubnetRef, TableId};

    #[test]
    fn a_grant_on_what_the_system_does_not_hold_is_an_internal_error() {
        let (system, graph) =
            crate::emit::testing::analysed("system s { region = \"us-east-1\" }\n");
        let context = crate::emit::Context::new(&system, &graph);
        assert_eq!(
            arn(&context, IamResource::Table(TableId(3))),
            Key::new(Kind::Table, "").get(Attribute::Arn)
        );
        let subnets = SubnetRef {
            network: NetworkId(0),
            index: 1,
        };
        assert_eq!(
            arn(&context, IamResource::Subnets(subnets)),
            Value::Zonal {
                key: Key::new(Kind::Subnet, "subnet-1"),
                attribute: Attribute::Arn,
                zones: 0,
            }
        );
        let mut found = crate::emit::testing::problems(&context);
        found.sort();
        assert_eq!(
            found,
            [
                "M001: meshc found an inconsistency in its own model: a grant on the subnets of subnet-1, which the network plan does not lay out",
                "M001: meshc found an inconsistency in its own model: the table 3 is not in the system",
            ]
        );
    }
}
