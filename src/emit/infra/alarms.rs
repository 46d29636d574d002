//! The alarms of `graph::alarms`, and the topic they notify when the
//! system declares none named `alarms` (Terraform's `alarms.tf`).

use super::policy::{deny_insecure_transport, service_statement};
use super::{Attribute, Key, Kind, Resource, Sink, Value};
use crate::emit::names::{self, Part};
use crate::emit::{Context, events};
use crate::graph::alarms::publish_permission;
use crate::graph::alarms::{Alarm, AlarmTopic, TOPIC_NAME, Threshold, Watched};
use crate::graph::iam::Resource as IamResource;
use crate::model::ServiceId;
use crate::model::aws_names::NameKind;

/// Every alarm of the system, `PREFIX-*`: the sources that may publish to
/// the topic the alarms notify (`aws:SourceArn`).
pub fn alarm_arns() -> Vec<Part> {
    let text = |text: &str| Part::Text(text.to_string());
    vec![
        text("arn:"),
        Part::Partition,
        text(":cloudwatch:"),
        Part::Region,
        text(":"),
        Part::AccountId,
        text(":alarm:"),
        Part::Prefix,
        text("-*"),
    ]
}

/// The resources of the alarms: the topic meshc makes when the system
/// declares none, its policy, and one alarm per alarm of the plan.
pub fn alarms(context: &Context<'_>, out: &mut Sink<'_>) {
    let plan = &context.graph.alarms;
    let Some(topic) = plan.topic else {
        return;
    };
    let topic = match topic {
        AlarmTopic::Declared(declared) => Key::new(
            Kind::Topic,
            super::declared(
                context,
                context
                    .system
                    .topics
                    .get(declared.0)
                    .map(|topic| &topic.name),
                || format!("the alarms' topic {}", declared.0),
            ),
        ),
        AlarmTopic::Derived => add_topic(context, out),
    };
    for alarm in &plan.alarms {
        out(add_alarm(context, alarm, &topic));
    }
}

/// The topic named `alarms` meshc makes: encrypted with the system key,
/// over TLS only, and published to by the system's alarms alone.
fn add_topic(context: &Context<'_>, out: &mut Sink<'_>) -> Key {
    let topic = Resource::new(Kind::Topic, TOPIC_NAME)
        .with(
            "TopicName",
            Value::Name(names::aws(context, NameKind::Topic, TOPIC_NAME)),
        )
        .with("KmsMasterKeyId", super::system_key())
        .note("Where the system's alarms notify, when they fire and when they recover: subscribe whoever should know (docs/runtime.md, \"Alarms\"). Declare a topic named `alarms` to own it.");
    let key = topic.key.clone();
    let arn = key.get(Attribute::Arn);
    // The topic meshc makes is not a resource of the IAM plan: any.
    let permission = publish_permission(IamResource::Any);
    let statements = vec![
        deny_insecure_transport(arn.clone()),
        service_statement(
            &events::policy_sid("Allow", "alarms"),
            &permission,
            arn.clone(),
            vec![Value::Interpolated(alarm_arns())],
        ),
    ];
    out(topic);
    out(Resource::new(Kind::TopicPolicy, TOPIC_NAME)
        .with("Topics", Value::List(vec![arn]))
        .with("PolicyDocument", Value::Policy(statements)));
    key
}

fn add_alarm(context: &Context<'_>, alarm: &Alarm, topic: &Key) -> Resource {
    let system = context.system;
    let base = names::alarm(system, alarm);
    let name = |kind: Kind, name: String, attribute: Attribute| Key::new(kind, name).get(attribute);
    let service = |service: ServiceId| {
        super::declared(
            context,
            system.service(service).map(|service| &service.name),
            || format!("the service {} of an alarm", service.0),
        )
    };
    let dimensions = match alarm.watched {
        Watched::Queue(queue) => vec![(
            "QueueName",
            name(Kind::Queue, names::queue(system, queue), Attribute::Name),
        )],
        Watched::Function(function) => vec![(
            "FunctionName",
            name(Kind::Function, service(function), Attribute::Name),
        )],
        Watched::Stream(stream) => vec![(
            "StreamName",
            name(
                Kind::Stream,
                super::declared(
                    context,
                    system.streams.get(stream.0).map(|stream| &stream.name),
                    || format!("the stream {} of an alarm", stream.0),
                ),
                Attribute::Name,
            ),
        )],
        Watched::StateMachine(saga) => vec![(
            "StateMachineArn",
            name(
                Kind::StateMachine,
                names::saga(system, saga),
                Attribute::Arn,
            ),
        )],
        Watched::Tasks(tasks) => vec![
            (
                "ClusterName",
                name(Kind::Cluster, "system".to_string(), Attribute::Name),
            ),
            (
                "ServiceName",
                name(Kind::EcsService, service(tasks), Attribute::Name),
            ),
        ],
    };
    let threshold = match (alarm.threshold, alarm.watched) {
        (Threshold::Value(value), _) => Value::from(value),
        (Threshold::DesiredTasks, Watched::Tasks(service))
            if alarm.desired_tasks(system).is_some() =>
        {
            Value::DesiredTasks(service)
        }
        (Threshold::DesiredTasks, watched) => {
            context.internal(format!(
                "the alarm {base} compares with the tasks of {watched:?}, which runs none"
            ));
            Value::Integer(0)
        }
    };
    let actions = || Value::List(vec![topic.get(Attribute::Arn)]);
    Resource::new(Kind::Alarm, base)
        .with("AlarmName", Value::Name(names::alarm_name(context, alarm)))
        .with("AlarmDescription", alarm.description.as_str())
        .with("Namespace", alarm.namespace)
        .with("MetricName", alarm.metric)
        .with(
            "Dimensions",
            Value::Pairs {
                key: "Name",
                value: "Value",
                entries: dimensions
                    .into_iter()
                    .map(|(name, value)| (name.to_string(), value))
                    .collect(),
            },
        )
        .with("Statistic", alarm.statistic)
        .with("Period", alarm.period)
        .with("EvaluationPeriods", alarm.evaluation_periods)
        .with("ComparisonOperator", alarm.comparison.operator())
        .with("Threshold", threshold)
        .with("TreatMissingData", "notBreaching")
        .with("AlarmActions", actions())
        .with("OKActions", actions())
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::Diagnostic;
    use crate::graph::alarms::{Threshold, Watched};
    use crate::model::{ServiceId, StreamId};

    const SOURCE: &str = "system watched { region = \"us-east-1\" }\n\
        service worker { compute = lambda { runtime = \"python3.13\" } }\n";

    /// The diagnostics of each backend, after `corrupt` adds to the alarms
    /// of the system's graph.
    fn refusals(corrupt: impl FnOnce(&mut crate::graph::alarms::Plan)) -> [Vec<Diagnostic>; 2] {
        let analysis = crate::analyze(SOURCE);
        let (Some(system), Some(mut graph)) = (analysis.system, analysis.graph) else {
            panic!("the system resolves");
        };
        assert!(!graph.alarms.alarms.is_empty(), "the worker has alarms");
        corrupt(&mut graph.alarms);
        let terraform = crate::emit::terraform::emit(&system, &graph);
        let cloudformation = crate::emit::cloudformation::emit(&system, &graph);
        [
            terraform.err().unwrap_or_default(),
            cloudformation.err().unwrap_or_default(),
        ]
    }

    fn messages(diagnostics: &[Diagnostic]) -> Vec<(&str, &str)> {
        diagnostics
            .iter()
            .map(|diagnostic| (diagnostic.code.code, diagnostic.message.as_str()))
            .collect()
    }

    #[test]
    fn an_alarm_on_a_stream_the_system_does_not_hold_is_an_internal_error_and_no_file() {
        for diagnostics in refusals(|plan| {
            let mut alarm = plan.alarms[0].clone();
            alarm.watched = Watched::Stream(StreamId(7));
            plan.alarms.push(alarm);
        }) {
            assert_eq!(
                messages(&diagnostics),
                [(
                    "M001",
                    "meshc found an inconsistency in its own model: the stream 7 of an alarm is not in the system"
                )]
            );
        }
    }

    #[test]
    fn an_alarm_on_the_tasks_of_a_lambda_function_is_an_internal_error_and_no_file() {
        for diagnostics in refusals(|plan| {
            let mut alarm = plan.alarms[0].clone();
            alarm.watched = Watched::Tasks(ServiceId(0));
            alarm.threshold = Threshold::DesiredTasks;
            plan.alarms.push(alarm);
        }) {
            let found = messages(&diagnostics);
            assert_eq!(found.len(), 1, "{found:?}");
            assert_eq!(found[0].0, "M001");
            assert!(
                found[0]
                    .1
                    .contains("compares with the tasks of Tasks(ServiceId(0)), which runs none"),
                "{found:?}"
            );
        }
    }
}
