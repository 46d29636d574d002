//! `sagas.tf`: the Step Functions state machine of every orchestrated saga
//! (its definition read from `stepfunctions/NAME.asl.json` with
//! `templatefile`, its placeholders filled with the ARNs and queue URLs of
//! this configuration), with its log group, logging and X-Ray tracing. Its
//! role is in `iam.tf`; the rule that starts it on its trigger is in
//! `events.tf`.

use hcl::{Block, Expression};

use super::Context;
use super::writer::{TfFile, aws_name, call, object, reference, resource, template};
use crate::emit::asl::{self, Placeholder};
use crate::emit::names;
use crate::graph::iam::Principal;
use crate::model::aws_names::NameKind;

fn placeholder_value(context: &Context<'_>, placeholder: Placeholder) -> Expression {
    match placeholder {
        Placeholder::FunctionArn(service) => reference(&format!(
            "aws_lambda_function.{}.arn",
            context
                .system
                .service(service)
                .map_or("", |service| service.name.text.as_str())
        )),
        Placeholder::QueueUrl(queue) => reference(&format!(
            "aws_sqs_queue.{}.url",
            names::queue(context.system, queue)
        )),
    }
}

pub(super) fn sagas(context: &Context<'_>) -> TfFile {
    let system = context.system;
    let mut file = TfFile::new(context);
    for plan in context.graph.state_machines() {
        let name = plan.name.as_str();
        let logs = format!("{name}--saga");
        super::infra::add(
            &mut file,
            context,
            crate::emit::infra::logs::log_group(
                &logs,
                names::state_machine_log_group(context, name),
                365,
            ),
        );
        let substitutions = object(
            asl::placeholders(system, plan)
                .iter()
                .map(|(key, placeholder)| (key.as_str(), placeholder_value(context, *placeholder)))
                .collect::<Vec<_>>(),
        );
        let definition = call(
            "templatefile",
            vec![
                template(&format!("${{path.module}}/../{}", asl::file_name(plan))),
                substitutions,
            ],
        );
        let role = names::role(system, context.graph, Principal::Saga(plan.saga));
        file.add(
            resource("aws_sfn_state_machine", name)
                .add_attribute(("name", aws_name(context, NameKind::StateMachine, name)))
                .add_attribute(("type", "STANDARD"))
                .add_attribute(("role_arn", reference(&format!("aws_iam_role.{role}.arn"))))
                .add_attribute(("definition", definition))
                .add_block(
                    Block::builder("logging_configuration")
                        .add_attribute((
                            "log_destination",
                            template(&format!("${{aws_cloudwatch_log_group.{logs}.arn}}:*")),
                        ))
                        .add_attribute(("include_execution_data", true))
                        .add_attribute(("level", "ALL"))
                        .build(),
                )
                .add_block(
                    Block::builder("tracing_configuration")
                        .add_attribute(("enabled", true))
                        .build(),
                )
                .add_block(
                    Block::builder("encryption_configuration")
                        .add_attribute(("type", "CUSTOMER_MANAGED_KMS_KEY"))
                        .add_attribute(("kms_key_id", reference("aws_kms_key.system.arn")))
                        .add_attribute(("kms_data_key_reuse_period_seconds", 300))
                        .build(),
                )
                .add_attribute((
                    "depends_on",
                    super::writer::list(super::references::prerequisites(
                        context,
                        &[crate::emit::ordering::assumes(Principal::Saga(plan.saga))],
                    )),
                ))
                .build(),
        );
        file.note_above(&format!(
                "The saga {name}: run `meshc simulate` to see the path an execution takes when a step fails."
            ),
        );
    }
    file
}
