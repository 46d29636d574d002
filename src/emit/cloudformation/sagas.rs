//! The Step Functions state machine of every orchestrated saga (Terraform's
//! `sagas.tf`): the definition is the same ASL as
//! `stepfunctions/NAME.asl.json`, embedded as `Definition`, with its
//! placeholders filled by `DefinitionSubstitutions` (and so the saga's doc
//! comment written for them rather than for `templatefile`: `asl::Filler`);
//! logging, X-Ray and the system key as in Terraform.

use serde_json::{Map, Value as Json, json};

use super::{Context, Template, attribute, aws_name, id, reference, references};
use crate::emit::asl::{self, Filler, Placeholder};
use crate::emit::names;
use crate::graph::iam::Principal;
use crate::model::aws_names::NameKind;

fn placeholder_value(context: &Context<'_>, placeholder: Placeholder) -> Json {
    match placeholder {
        Placeholder::FunctionArn(service) => {
            attribute(&references::function(context.system, service), "Arn")
        }
        Placeholder::QueueUrl(queue) => reference(&references::queue(context.system, queue)),
    }
}

pub(super) fn sagas(context: &Context<'_>, template: &mut Template) {
    let system = context.system;
    for plan in context.graph.state_machines() {
        let name = plan.name.as_str();
        let log_group = super::log_group(
            context,
            template,
            &format!("{name}--saga"),
            names::state_machine_log_group(context, name),
            365,
        );
        let substitutions: Map<String, Json> = asl::placeholders(system, plan)
            .iter()
            .map(|(key, placeholder)| (key.clone(), placeholder_value(context, *placeholder)))
            .collect();
        template
            .add(
                id(name, "StateMachine"),
                name,
                "AWS::StepFunctions::StateMachine",
                json!({
                    "StateMachineName": aws_name(context, NameKind::StateMachine, name),
                    "StateMachineType": "STANDARD",
                    "RoleArn": attribute(&references::role(context, Principal::Saga(plan.saga)), "Arn"),
                    "Definition": asl::definition(system, plan, Filler::DefinitionSubstitutions),
                    "DefinitionSubstitutions": substitutions,
                    "LoggingConfiguration": {
                        "Destinations": [{ "CloudWatchLogsLogGroup": { "LogGroupArn": attribute(&log_group, "Arn") } }],
                        "IncludeExecutionData": true,
                        "Level": "ALL",
                    },
                    "TracingConfiguration": { "Enabled": true },
                    "EncryptionConfiguration": {
                        "Type": "CUSTOMER_MANAGED_KMS_KEY",
                        "KmsKeyId": super::key_arn(),
                        "KmsDataKeyReusePeriodSeconds": 300,
                    },
                }),
            )
            .depends_on_all(references::prerequisites(
                context,
                &[crate::emit::ordering::assumes(Principal::Saga(plan.saga))],
            ))
            .note(&format!(
                "The saga {name}: run `meshc simulate` to see the path an execution takes when a step fails."
            ));
    }
}
