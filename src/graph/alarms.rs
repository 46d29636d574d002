//! The alarms of a system: what an operator is told about, derived once
//! from the graph for every backend.
//!
//! - a dead-letter queue that holds a message (something could not be
//!   processed, and waits for someone to read it and redrive it);
//! - a consumed queue whose oldest message has waited too long (its
//!   consumers are behind or failing);
//! - a stream whose readers fall behind (Lambda's iterator age of a
//!   function, the stream's for Fargate readers);
//! - a saga's state machine with a failed or timed-out execution;
//! - a Lambda function that errors or is throttled;
//! - a Fargate service running fewer tasks than it should.
//!
//! Every alarm notifies one SNS topic, when it fires and when it recovers:
//! the topic the system declares as `alarms`, or, without one, a topic of
//! that name meshc makes. Whom it reaches is the operator's choice
//! (subscriptions to e-mail, chat or a pager are made outside the system).
//! The thresholds are data, below, each with its reason.

use std::collections::BTreeSet;

use super::iam::{Permission, Resource, Source};
use super::{EdgeKind, Graph, Node, QueueRef, saga::SagaPlan};
use crate::model::{
    Compute, Duration, Fargate, QueueId, SagaMode, ServiceId, StreamId, System, TopicId,
};

/// The name of the topic the alarms notify.
pub const TOPIC_NAME: &str = "alarms";

/// How long the oldest message of a consumed queue may wait before its
/// consumers count as behind, unless the queue keeps messages for less
/// than twice as long: then half its retention, so that the alarm fires
/// before messages expire.
pub const OLDEST_MESSAGE: Duration = Duration::from_mins(10);

/// How far behind a stream's readers may be (Lambda's `IteratorAge`, in
/// milliseconds): records older than half the retention are skipped, and
/// the shortest retention is a day, so ten minutes leaves hours to act.
pub const ITERATOR_AGE: Duration = Duration::from_mins(10);

/// What an alarm watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Watched {
    Queue(QueueRef),
    /// A Lambda function.
    Function(ServiceId),
    /// The stream's own metric, for the readers Lambda does not poll.
    Stream(StreamId),
    StateMachine(crate::model::SagaId),
    /// The tasks of a Fargate service.
    Tasks(ServiceId),
}

/// The value an alarm compares its statistic with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Threshold {
    Value(u64),
    /// The service's desired count, as each backend writes it (0 until
    /// its image is given, when meshc's repository holds it).
    DesiredTasks,
}

/// How the statistic is compared with the threshold (CloudWatch's
/// `ComparisonOperator`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    Above,
    Below,
}

impl Comparison {
    pub fn operator(self) -> &'static str {
        match self {
            Comparison::Above => "GreaterThanThreshold",
            Comparison::Below => "LessThanThreshold",
        }
    }
}

/// One CloudWatch alarm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alarm {
    pub watched: Watched,
    /// What the alarm's name says after the watched resource's:
    /// `dead-letters`, `errors`.
    pub suffix: &'static str,
    pub namespace: &'static str,
    pub metric: &'static str,
    /// `Maximum`, `Minimum` or `Sum`.
    pub statistic: &'static str,
    /// Seconds per datapoint.
    pub period: u64,
    /// Datapoints in a row that must breach.
    pub evaluation_periods: u64,
    pub comparison: Comparison,
    pub threshold: Threshold,
    /// What it means and what to do, for the person it reaches.
    pub description: String,
}

impl Alarm {
    /// The Fargate service, by name, whose desired count the alarm
    /// compares with.
    pub fn desired_tasks<'a>(&self, system: &'a System) -> Option<(&'a str, &'a Fargate)> {
        let (Threshold::DesiredTasks, Watched::Tasks(service)) = (self.threshold, self.watched)
        else {
            return None;
        };
        let service = system.service(service)?;
        match &service.compute {
            Compute::Fargate(fargate) => Some((service.name.text.as_str(), fargate)),
            Compute::Lambda(_) => None,
        }
    }
}

/// What lets the alarms publish to their topic, `resource` (CloudWatch,
/// for the system's alarms).
pub fn publish_permission(resource: Resource) -> Permission {
    Permission {
        resource,
        service: "cloudwatch.amazonaws.com",
        actions: vec!["sns:Publish"],
        source: Source::Alarms,
    }
}

/// The topic the alarms notify.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlarmTopic {
    /// The system's topic named `alarms`.
    Declared(TopicId),
    /// One meshc makes, named `alarms`.
    Derived,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub alarms: Vec<Alarm>,
    /// `None` when there is nothing to alarm on.
    pub topic: Option<AlarmTopic>,
}

fn alarm(
    watched: Watched,
    suffix: &'static str,
    (namespace, metric, statistic): (&'static str, &'static str, &'static str),
    (period, evaluation_periods): (u64, u64),
    (comparison, threshold): (Comparison, Threshold),
    description: String,
) -> Alarm {
    Alarm {
        watched,
        suffix,
        namespace,
        metric,
        statistic,
        period,
        evaluation_periods,
        comparison,
        threshold,
        description,
    }
}

/// Whether a queue holds what something else could not process
/// (`declared`: the declared queues that do, read once).
fn keeps_failures(declared: &BTreeSet<QueueId>, queue: QueueRef) -> bool {
    match queue {
        QueueRef::Declared(id) => declared.contains(&id),
        QueueRef::DeadLetter(_)
        | QueueRef::InboxDeadLetter(_)
        | QueueRef::Undelivered(_)
        | QueueRef::FunctionFailures(_)
        | QueueRef::CommandsDeadLetter(_)
        | QueueRef::SagaDeadLetter(_)
        | QueueRef::StreamFailures(_) => true,
        QueueRef::Inbox(_) | QueueRef::Commands(_) => false,
    }
}

/// The alarms of a system, in a stable order: queues, streams, state
/// machines, then services in declaration order.
pub(super) fn plan(system: &System, graph: &Graph) -> Plan {
    let mut alarms = Vec::new();
    let dead_letters = system.dead_letter_queues();
    for settings in &graph.messaging.queues {
        let queue = settings.queue;
        let name = super::iam::queue_name(system, queue);
        if keeps_failures(&dead_letters, queue) {
            alarms.push(alarm(
                Watched::Queue(queue),
                "dead-letters",
                ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum"),
                (60, 1),
                (Comparison::Above, Threshold::Value(0)),
                format!(
                    "{name} holds messages that could not be processed: read them, fix the cause, then redrive them before they expire."
                ),
            ));
            continue;
        }
        let consumed = graph
            .edges_from(Node::Queue(queue))
            .iter()
            .any(|(to, edge)| edge.kind == EdgeKind::Consume && matches!(to, Node::Service(_)));
        if consumed {
            let wait = OLDEST_MESSAGE
                .as_secs_ceil()
                .min(settings.retention.as_secs_ceil() / 2);
            alarms.push(alarm(
                Watched::Queue(queue),
                "oldest-message",
                ("AWS/SQS", "ApproximateAgeOfOldestMessage", "Maximum"),
                (60, 5),
                (Comparison::Above, Threshold::Value(wait)),
                format!(
                    "The oldest message of {name} has waited more than {wait} seconds for five minutes: its consumers are behind or keep failing."
                ),
            ));
        }
    }
    for (index, stream) in system.streams.iter().enumerate() {
        let id = StreamId(index);
        let polled_by_others =
            super::messaging::stream_readers(graph, id)
                .into_iter()
                .any(|reader| {
                    !system
                        .service(reader)
                        .is_some_and(crate::model::Service::is_lambda)
                });
        if polled_by_others {
            alarms.push(alarm(
                Watched::Stream(id),
                "iterator-age",
                (
                    "AWS/Kinesis",
                    "GetRecords.IteratorAgeMilliseconds",
                    "Maximum",
                ),
                (300, 1),
                (
                    Comparison::Above,
                    Threshold::Value(ITERATOR_AGE.as_millis()),
                ),
                format!(
                    "The readers of stream {} are more than ten minutes behind.",
                    stream.name.text
                ),
            ));
        }
    }
    for plan in graph.state_machines() {
        alarms.extend(saga_alarms(plan));
    }
    for (index, service) in system.services.iter().enumerate() {
        let id = ServiceId(index);
        let name = service.name.text.as_str();
        match &service.compute {
            Compute::Lambda(_) => {
                alarms.push(alarm(
                    Watched::Function(id),
                    "errors",
                    ("AWS/Lambda", "Errors", "Sum"),
                    (300, 1),
                    (Comparison::Above, Threshold::Value(0)),
                    format!("Function {name} failed in the last five minutes: read its logs."),
                ));
                alarms.push(alarm(
                    Watched::Function(id),
                    "throttles",
                    ("AWS/Lambda", "Throttles", "Sum"),
                    (300, 1),
                    (Comparison::Above, Threshold::Value(0)),
                    format!(
                        "Function {name} was throttled in the last five minutes: the account's concurrency is used up, or its reserved concurrency is too low."
                    ),
                ));
                let reads_stream = graph
                    .edges_to(Node::Service(id))
                    .iter()
                    .any(|(from, edge)| {
                        edge.kind == EdgeKind::Consume && matches!(from, Node::Stream(_))
                    });
                if reads_stream {
                    alarms.push(alarm(
                        Watched::Function(id),
                        "iterator-age",
                        ("AWS/Lambda", "IteratorAge", "Maximum"),
                        (300, 1),
                        (
                            Comparison::Above,
                            Threshold::Value(ITERATOR_AGE.as_millis()),
                        ),
                        format!(
                            "Function {name} is more than ten minutes behind on the stream it reads."
                        ),
                    ));
                }
            }
            Compute::Fargate(_) => alarms.push(alarm(
                Watched::Tasks(id),
                "running-tasks",
                ("ECS/ContainerInsights", "RunningTaskCount", "Minimum"),
                (60, 5),
                (Comparison::Below, Threshold::DesiredTasks),
                format!(
                    "Service {name} has run fewer tasks than it should for five minutes: its tasks fail to start or keep stopping."
                ),
            )),
        }
    }
    let topic = if alarms.is_empty() {
        None
    } else {
        Some(
            system
                .topics
                .iter()
                .position(|topic| topic.name.text == TOPIC_NAME)
                .map_or(AlarmTopic::Derived, |index| {
                    AlarmTopic::Declared(TopicId(index))
                }),
        )
    };
    Plan { alarms, topic }
}

fn saga_alarms(plan: &SagaPlan) -> [Alarm; 2] {
    debug_assert_eq!(plan.mode, SagaMode::Orchestrated);
    let watched = Watched::StateMachine(plan.saga);
    [
        alarm(
            watched,
            "failed",
            ("AWS/States", "ExecutionsFailed", "Sum"),
            (300, 1),
            (Comparison::Above, Threshold::Value(0)),
            format!(
                "An execution of saga {} failed: its compensations ran or could not; its dead-letter queue says which.",
                plan.name
            ),
        ),
        alarm(
            watched,
            "timed-out",
            ("AWS/States", "ExecutionsTimedOut", "Sum"),
            (300, 1),
            (Comparison::Above, Threshold::Value(0)),
            format!(
                "An execution of saga {} reached the state machine's timeout: its steps took longer than the saga's deadline and backstop allow.",
                plan.name
            ),
        ),
    ]
}
