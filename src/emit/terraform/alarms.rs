//! `alarms.tf`: the alarms of `graph::alarms`, and the topic they notify
//! when the system declares none named `alarms`.

use hcl::Expression;

use super::Context;
use super::messaging::{deny_insecure_transport, service_statement};
use super::writer::{TfFile, aws_name, list, object, reference, resource, template};
use crate::emit::{events, names};
use crate::graph::alarms::publish_permission;
use crate::graph::alarms::{Alarm, AlarmTopic, TOPIC_NAME, Threshold, Watched};
use crate::graph::iam::Resource;
use crate::model::aws_names::NameKind;

/// Every alarm of the system: `PREFIX-*` (for `aws:SourceArn`).
pub(super) fn alarm_arns() -> Expression {
    template(
        "arn:${data.aws_partition.current.partition}:cloudwatch:${var.region}:${data.aws_caller_identity.current.account_id}:alarm:${var.name_prefix}-*",
    )
}

pub(super) fn alarms(context: &Context<'_>) -> TfFile {
    let mut file = TfFile::new(context);
    let plan = &context.graph.alarms;
    let Some(topic) = plan.topic else {
        return file;
    };
    if topic == AlarmTopic::Derived {
        add_topic(&mut file, context);
    }
    let topic_arn = reference(&format!("aws_sns_topic.{TOPIC_NAME}.arn"));
    for alarm in &plan.alarms {
        add_alarm(&mut file, context, alarm, &topic_arn);
    }
    file
}

/// The topic named `alarms` meshc makes: encrypted with the system key,
/// over TLS only, and published to by the system's alarms alone.
fn add_topic(file: &mut TfFile, context: &Context<'_>) {
    file.add(
        resource("aws_sns_topic", TOPIC_NAME)
            .add_attribute(("name", aws_name(context, NameKind::Topic, TOPIC_NAME)))
            .add_attribute(("kms_master_key_id", reference("aws_kms_key.system.arn")))
            .build(),
    );
    file.note_above("Where the system's alarms notify, when they fire and when they recover: subscribe whoever should know (docs/runtime.md, \"Alarms\"). Declare a topic named `alarms` to own it.",
    );
    let arn = reference(&format!("aws_sns_topic.{TOPIC_NAME}.arn"));
    // The topic meshc makes is not a resource of the IAM plan: any.
    let permission = publish_permission(Resource::Any);
    let label = format!("{TOPIC_NAME}--topic");
    file.add(
        super::writer::data("aws_iam_policy_document", &label)
            .add_block(deny_insecure_transport(list([arn.clone()])))
            .add_block(service_statement(
                &events::policy_sid("Allow", "alarms"),
                &permission,
                arn.clone(),
                vec![alarm_arns()],
            ))
            .build(),
    );
    file.add(
        resource("aws_sns_topic_policy", TOPIC_NAME)
            .add_attribute(("arn", arn))
            .add_attribute((
                "policy",
                reference(&format!("data.aws_iam_policy_document.{label}.json")),
            ))
            .build(),
    );
}

fn add_alarm(file: &mut TfFile, context: &Context<'_>, alarm: &Alarm, topic_arn: &Expression) {
    let system = context.system;
    let base = names::alarm(system, alarm);
    let dimensions: Vec<(&str, Expression)> = match alarm.watched {
        Watched::Queue(queue) => vec![(
            "QueueName",
            reference(&format!(
                "aws_sqs_queue.{}.name",
                names::queue(system, queue)
            )),
        )],
        Watched::Function(service) => vec![(
            "FunctionName",
            reference(&format!(
                "aws_lambda_function.{}.function_name",
                super::services::service_name(context, service)
            )),
        )],
        Watched::Stream(stream) => vec![(
            "StreamName",
            reference(&format!(
                "aws_kinesis_stream.{}.name",
                system
                    .streams
                    .get(stream.0)
                    .map_or("", |stream| stream.name.text.as_str())
            )),
        )],
        Watched::StateMachine(saga) => vec![(
            "StateMachineArn",
            reference(&format!(
                "aws_sfn_state_machine.{}.arn",
                names::saga(system, saga)
            )),
        )],
        Watched::Tasks(service) => vec![
            ("ClusterName", reference("aws_ecs_cluster.system.name")),
            (
                "ServiceName",
                reference(&format!(
                    "aws_ecs_service.{}.name",
                    super::services::service_name(context, service)
                )),
            ),
        ],
    };
    let threshold = match (alarm.threshold, alarm.desired_tasks(system)) {
        (Threshold::Value(value), _) => Expression::from(value),
        (Threshold::DesiredTasks, Some((name, fargate))) => {
            super::services::desired_count(name, fargate)
        }
        (Threshold::DesiredTasks, None) => Expression::from(0),
    };
    file.add(
        resource("aws_cloudwatch_metric_alarm", &base)
            .add_attribute((
                "alarm_name",
                super::writer::physical_name(&names::alarm_name(context, alarm)),
            ))
            .add_attribute(("alarm_description", alarm.description.as_str()))
            .add_attribute(("namespace", alarm.namespace))
            .add_attribute(("metric_name", alarm.metric))
            .add_attribute(("dimensions", object(dimensions)))
            .add_attribute(("statistic", alarm.statistic))
            .add_attribute(("period", alarm.period))
            .add_attribute(("evaluation_periods", alarm.evaluation_periods))
            .add_attribute(("comparison_operator", alarm.comparison.operator()))
            .add_attribute(("threshold", threshold))
            .add_attribute(("treat_missing_data", "notBreaching"))
            .add_attribute(("alarm_actions", list([topic_arn.clone()])))
            .add_attribute(("ok_actions", list([topic_arn.clone()])))
            .build(),
    );
}
