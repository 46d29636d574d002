//! The alarms of `graph::alarms`, and the topic they notify when the
//! system declares none named `alarms` (Terraform's `alarms.tf`).

use serde_json::{Value as Json, json};

use super::{Context, Template, attribute, aws_name, id, reference, references, sub};
use crate::emit::{events, names, policies};
use crate::graph::alarms::publish_permission;
use crate::graph::alarms::{Alarm, AlarmTopic, TOPIC_NAME, Threshold, Watched};
use crate::graph::iam::Resource;
use crate::model::aws_names::NameKind;

/// Every alarm of the system: `PREFIX-*` (for `aws:SourceArn`).
pub(super) fn alarm_arns() -> Json {
    sub("arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:${NamePrefix}-*")
}

pub(super) fn alarms(context: &Context<'_>, template: &mut Template) {
    let plan = &context.graph.alarms;
    let Some(topic) = plan.topic else {
        return;
    };
    let topic_id = match topic {
        AlarmTopic::Declared(declared) => references::topic(context.system, declared),
        AlarmTopic::Derived => add_topic(context, template),
    };
    for alarm in &plan.alarms {
        add_alarm(context, template, alarm, &reference(&topic_id));
    }
}

/// The topic named `alarms` meshc makes: encrypted with the system key,
/// over TLS only, and published to by the system's alarms alone.
fn add_topic(context: &Context<'_>, template: &mut Template) -> String {
    let topic_id = id(TOPIC_NAME, "Topic");
    template
        .add(
            topic_id.clone(),
            TOPIC_NAME,
            "AWS::SNS::Topic",
            json!({
                "TopicName": aws_name(context, NameKind::Topic, TOPIC_NAME),
                "KmsMasterKeyId": super::key_arn(),
            }),
        )
        .note(
            "Where the system's alarms notify, when they fire and when they recover: subscribe whoever should know (docs/runtime.md, \"Alarms\"). Declare a topic named `alarms` to own it.",
        );
    let arn = reference(&topic_id);
    // The topic meshc makes is not a resource of the IAM plan: any.
    let permission = publish_permission(Resource::Any);
    let statements = [
        policies::deny_insecure_transport(&arn),
        policies::service_statement(
            &events::policy_sid("Allow", "alarms"),
            &permission,
            &arn,
            &[alarm_arns()],
        ),
    ];
    template.add(
        id(TOPIC_NAME, "TopicPolicy"),
        TOPIC_NAME,
        "AWS::SNS::TopicPolicy",
        json!({
            "Topics": [arn],
            "PolicyDocument": policies::document(&statements),
        }),
    );
    topic_id
}

fn add_alarm(context: &Context<'_>, template: &mut Template, alarm: &Alarm, topic: &Json) {
    let system = context.system;
    let base = names::alarm(system, alarm);
    let dimension = |name: &str, value: Json| json!({ "Name": name, "Value": value });
    let dimensions = match alarm.watched {
        Watched::Queue(queue) => vec![dimension(
            "QueueName",
            attribute(&references::queue(system, queue), "QueueName"),
        )],
        Watched::Function(service) => vec![dimension(
            "FunctionName",
            reference(&references::function(system, service)),
        )],
        Watched::Stream(stream) => vec![dimension(
            "StreamName",
            reference(&references::stream(system, stream)),
        )],
        Watched::StateMachine(saga) => vec![dimension(
            "StateMachineArn",
            reference(&id(&names::saga(system, saga), "StateMachine")),
        )],
        Watched::Tasks(service) => vec![
            dimension("ClusterName", reference("SystemCluster")),
            dimension(
                "ServiceName",
                attribute(
                    &id(&references::service_name(system, service), "Service"),
                    "Name",
                ),
            ),
        ],
    };
    let threshold = match (alarm.threshold, alarm.desired_tasks(system)) {
        (Threshold::Value(value), _) => Json::from(value),
        (Threshold::DesiredTasks, Some((name, fargate))) => {
            super::services::desired_count(name, fargate)
        }
        (Threshold::DesiredTasks, None) => Json::from(0),
    };
    template.add(
        id(&base, "Alarm"),
        &base,
        "AWS::CloudWatch::Alarm",
        json!({
            "AlarmName": super::physical_name(context, &names::alarm_name(context, alarm)),
            "AlarmDescription": alarm.description,
            "Namespace": alarm.namespace,
            "MetricName": alarm.metric,
            "Dimensions": dimensions,
            "Statistic": alarm.statistic,
            "Period": alarm.period,
            "EvaluationPeriods": alarm.evaluation_periods,
            "ComparisonOperator": alarm.comparison.operator(),
            "Threshold": threshold,
            "TreatMissingData": "notBreaching",
            "AlarmActions": [topic],
            "OKActions": [topic],
        }),
    );
}
