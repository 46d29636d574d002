//! The Step Functions state machine of every orchestrated saga, with its
//! log group, logging, X-Ray tracing and the system key. Its role is built
//! with the others; the rule that starts it on its trigger with the
//! messaging.

use super::{Attribute, Key, Kind, Resource, Sink, Value, declared, queue_key, system_key};
use crate::emit::asl::{self, Placeholder};
use crate::emit::{Context, names, ordering};
use crate::graph::iam::Principal;
use crate::model::aws_names::NameKind;

/// Every state machine, after its log group.
pub fn sagas(context: &Context<'_>, out: &mut Sink<'_>) {
    let system = context.system;
    for plan in context.graph.state_machines() {
        let name = plan.name.as_str();
        let logs = super::logs::log_group(
            &format!("{name}--saga"),
            names::state_machine_log_group(context, name),
            365,
        );
        let destination = logs.key.get(Attribute::LogArn);
        out(logs);
        let substitutions = asl::placeholders(system, plan)
            .into_iter()
            .map(|(key, placeholder)| (key, substitution(context, placeholder)))
            .collect();
        let principal = Principal::Saga(plan.saga);
        out(Resource::new(Kind::StateMachine, name)
            .with(
                "StateMachineName",
                Value::Name(names::aws(context, NameKind::StateMachine, name)),
            )
            .with("StateMachineType", "STANDARD")
            .with(
                "RoleArn",
                Key::new(Kind::Role, names::role(system, context.graph, principal))
                    .get(Attribute::Arn),
            )
            .with(
                "Definition",
                Value::Definition {
                    saga: plan.saga,
                    substitutions,
                },
            )
            .with(
                "LoggingConfiguration",
                Value::Object(vec![
                    (
                        "Destinations",
                        Value::List(vec![Value::Object(vec![(
                            "CloudWatchLogsLogGroup",
                            Value::Object(vec![("LogGroupArn", destination)]),
                        )])]),
                    ),
                    ("IncludeExecutionData", Value::Bool(true)),
                    ("Level", Value::from("ALL")),
                ]),
            )
            .with(
                "TracingConfiguration",
                Value::Object(vec![("Enabled", Value::Bool(true))]),
            )
            .with(
                "EncryptionConfiguration",
                Value::Object(vec![
                    ("Type", Value::from("CUSTOMER_MANAGED_KMS_KEY")),
                    ("KmsKeyId", system_key()),
                    ("KmsDataKeyReusePeriodSeconds", Value::Integer(300)),
                ]),
            )
            .after(vec![ordering::assumes(principal)])
            .note(&format!(
                "The saga {name}: run `meshc simulate` to see the path an execution takes when a step fails."
            )));
    }
}

/// The value of a placeholder of a definition.
fn substitution(context: &Context<'_>, placeholder: Placeholder) -> Value {
    match placeholder {
        Placeholder::FunctionArn(service) => Key::new(
            Kind::Function,
            declared(
                context,
                context.system.service(service).map(|found| &found.name),
                || format!("the service {}", service.0),
            ),
        )
        .get(Attribute::Arn),
        Placeholder::QueueUrl(queue) => queue_key(context.system, queue).get(Attribute::Url),
    }
}
