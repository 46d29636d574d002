//! Step Functions: the state machine of every orchestrated saga, in the
//! Amazon States Language, as `stepfunctions/NAME.asl.json`.
//!
//! The machine starts with a `Pass` state that keeps the input as `event`
//! and an empty `results`; each step is a `Task` (a Lambda invocation, or a
//! message with a task token on a Fargate service's command queue) whose
//! output goes to `results.STEP`. A failure, after the step's retries, is
//! caught into the undo of the steps already completed, the latest first,
//! then the failure handler, then a `Fail` state carrying the step's error.
//! A compensation (or failure handler, or a step after the pivot) that still
//! fails sends the execution's state to the saga's dead-letter queue and
//! fails the execution loudly.
//!
//! The saga's `timeout` is the deadline of its steps up to the pivot: each
//! `Task`'s `TimeoutSeconds` is its share of it, so that the last of them
//! fails by the deadline and the compensations run. The machine's own
//! `TimeoutSeconds` is a backstop that also covers the steps after the
//! pivot and the compensations (`SagaPlan::execution_limit`).
//!
//! The machine is built typed ([`Machine`]): `meshc simulate` walks it and
//! the price counts the states of its path without failures, and
//! [`Machine::to_json`] writes it, so that neither reads JSON by its keys.
//!
//! ARNs and queue URLs are `${placeholders}`: Terraform fills them with
//! `templatefile`, CloudFormation with `DefinitionSubstitutions`, so one
//! definition serves both. What the user wrote (a saga's doc comment, its
//! `Comment`) must reach AWS as written, so it is written for the one that
//! fills it (`Filler`): escaped for `templatefile`, kept from forming a
//! placeholder for `DefinitionSubstitutions`. Every other string of a
//! definition is made of names, which the grammar keeps to letters, digits,
//! `_` and `-`.

use serde_json::{Map, Value as Json, json};

use crate::emit::names;
use crate::graph::QueueRef;
use crate::graph::saga::{Action, Invocation, RetryPolicy, SagaPlan};
use crate::model::{ServiceId, System};

/// The first state: keeps the input as `event`, with empty `results`.
pub const START: &str = "Start";
/// The end of the happy path.
pub const SUCCEEDED: &str = "Saga succeeded";
/// The end of a failure that was compensated.
pub const FAILED: &str = "Saga failed";
/// Sends the execution's state to the dead-letter queue.
pub const KEEP_STATE: &str = "Keep state for an operator";
/// The end of a failure that could not be compensated or finished.
pub const NEEDS_ATTENTION: &str = "Saga needs attention";
/// The failure handler.
pub const ON_FAILURE: &str = "On failure";

/// The state that runs a step.
pub fn step_state(step: &str) -> String {
    format!("Do {step}")
}

/// The state that undoes a step.
pub fn undo_state(step: &str) -> String {
    format!("Undo {step}")
}

/// What fills the placeholders of a definition, and so how the user's text
/// in it is kept literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filler {
    /// Terraform's `templatefile`, which reads the file as a template:
    /// every `${` and `%{` of the user's text is escaped as `$${` and
    /// `%%{`, which the template renders as the text written.
    Templatefile,
    /// CloudFormation's `DefinitionSubstitutions`, which replaces every
    /// `${KEY}` of the definition, KEY one of its keys, again and again
    /// until none is left, and has no escape (the Step Functions resource
    /// provider's `DefinitionProcessor.transformDefinition`:
    /// `StringUtils.replaceEachRepeatedly`). A `${KEY}` in the user's text
    /// gets a word joiner (U+2060, invisible) between `$` and `{`, so that
    /// it reads as written but is no longer a placeholder; every other `${`
    /// (`${AWS::Region}`, `${!x}`, `${upper(x)}`) is not substituted, and
    /// is left as written.
    DefinitionSubstitutions,
}

/// Between the `$` and the `{` of a `${KEY}` that the user wrote, so that
/// `DefinitionSubstitutions` does not replace it.
const PLACEHOLDER_BREAK: char = '\u{2060}';

impl Filler {
    /// `text`, from the user, as it is written into a definition whose
    /// placeholders are `placeholders`.
    fn literal(self, text: &str, placeholders: &[(String, Placeholder)]) -> String {
        let mut written = String::with_capacity(text.len());
        for (index, ch) in text.char_indices() {
            written.push(ch);
            let rest = text.get(index + ch.len_utf8()..).unwrap_or("");
            if !rest.starts_with('{') {
                continue;
            }
            match self {
                Filler::Templatefile if ch == '$' || ch == '%' => written.push(ch),
                Filler::DefinitionSubstitutions if ch == '$' => {
                    let names_a_placeholder = placeholders.iter().any(|(key, _)| {
                        rest.strip_prefix('{')
                            .and_then(|after| after.strip_prefix(key.as_str()))
                            .is_some_and(|after| after.starts_with('}'))
                    });
                    if names_a_placeholder {
                        written.push(PLACEHOLDER_BREAK);
                    }
                }
                Filler::Templatefile | Filler::DefinitionSubstitutions => {}
            }
        }
        written
    }
}

/// What a placeholder of a definition stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Placeholder {
    /// The ARN of a Lambda function.
    FunctionArn(ServiceId),
    /// The URL of a queue.
    QueueUrl(QueueRef),
}

fn identifier(text: &str) -> String {
    text.chars()
        .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '_' })
        .collect()
}

/// The name of a placeholder: letters, digits and underscores, which both
/// Terraform's `templatefile` and CloudFormation accept.
pub fn placeholder_name(system: &System, placeholder: Placeholder) -> String {
    match placeholder {
        Placeholder::FunctionArn(service) => format!(
            "{}_function_arn",
            identifier(
                system
                    .service(service)
                    .map_or("", |service| service.name.text.as_str())
            )
        ),
        Placeholder::QueueUrl(queue) => format!(
            "{}_queue_url",
            identifier(&names::physical(&names::queue(system, queue)))
        ),
    }
}

/// Every placeholder of a saga's definition, by name.
pub fn placeholders(system: &System, plan: &SagaPlan) -> Vec<(String, Placeholder)> {
    let mut all: Vec<Placeholder> = plan
        .invocations()
        .iter()
        .map(|invocation| match *invocation {
            Invocation::Function(service) => Placeholder::FunctionArn(service),
            Invocation::Commands(service) => Placeholder::QueueUrl(QueueRef::Commands(service)),
        })
        .collect();
    all.push(Placeholder::QueueUrl(plan.dead_letter));
    all.sort();
    all.dedup();
    all.into_iter()
        .map(|placeholder| (placeholder_name(system, placeholder), placeholder))
        .collect()
}

/// The path of a saga's definition in the output directory.
pub fn file_name(plan: &SagaPlan) -> String {
    format!("stepfunctions/{}.asl.json", plan.name)
}

fn seconds(duration: crate::model::Duration) -> u64 {
    duration.as_secs_ceil().max(1)
}

/// A state machine of the Amazon States Language, typed: what `simulate`
/// walks and the price counts, and what [`Machine::to_json`] writes. It
/// starts at [`START`].
#[derive(Clone, Debug, PartialEq)]
pub struct Machine {
    pub comment: String,
    /// The machine's own `TimeoutSeconds`.
    pub timeout: Option<u64>,
    /// Every state by name, in the order they are written.
    pub states: Vec<(String, State)>,
}

/// One state of a [`Machine`].
#[derive(Clone, Debug, PartialEq)]
pub enum State {
    /// Keeps the input as `event`, with empty `results`, then goes to
    /// `next`.
    Start {
        next: String,
    },
    Task(Box<Task>),
    Fail(Fail),
    Succeed,
}

/// What a task calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    /// A Lambda function, synchronously.
    Lambda,
    /// A message with a task token on a Fargate service's command queue,
    /// waited for.
    Commands,
    /// A message with the execution's state on the saga's dead-letter
    /// queue.
    DeadLetter,
}

impl Call {
    fn resource(self) -> &'static str {
        match self {
            Call::Lambda => "arn:aws:states:::lambda:invoke",
            Call::Commands => "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            Call::DeadLetter => "arn:aws:states:::sqs:sendMessage",
        }
    }
}

/// A `Task` state: every one has a timeout, catches every error and goes
/// on to `next` when it succeeds.
#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    pub comment: String,
    pub call: Call,
    /// Its `Parameters`, placeholders included.
    pub parameters: Json,
    /// Its `ResultSelector`, for a Lambda function's payload.
    pub result_selector: Option<Json>,
    /// Where its output goes; `None` discards it.
    pub result_path: Option<String>,
    pub timeout_seconds: u64,
    pub retry: Option<Retry>,
    /// Where every error goes, and where in the state it is kept.
    pub catch: (String, String),
    pub next: String,
}

/// The one retrier of a task, for every error.
#[derive(Clone, Debug, PartialEq)]
pub struct Retry {
    pub interval_seconds: u64,
    /// Retries after the first attempt.
    pub max_attempts: u32,
    pub backoff_rate: f64,
    pub max_delay_seconds: Option<u64>,
    pub jitter: bool,
}

/// A `Fail` state.
#[derive(Clone, Debug, PartialEq)]
pub enum Fail {
    /// A step failed and what was done before it was undone: the step's
    /// error.
    Undone,
    /// Nothing could undo or finish the execution: `SagaNeedsAttention`.
    NeedsAttention { cause: String },
}

impl Fail {
    /// The error the execution fails with, when the state names it.
    pub fn error(&self) -> Option<&'static str> {
        match self {
            Fail::Undone => None,
            Fail::NeedsAttention { .. } => Some("SagaNeedsAttention"),
        }
    }
}

impl Machine {
    /// The state named `name`.
    pub fn state(&self, name: &str) -> Option<&State> {
        self.states
            .iter()
            .find(|(state, _)| state == name)
            .map(|(_, state)| state)
    }

    /// The definition, as Step Functions reads it.
    pub fn to_json(&self) -> Json {
        let mut states = Map::new();
        for (name, state) in &self.states {
            states.insert(name.clone(), state.to_json());
        }
        let mut machine = Map::new();
        machine.insert("Comment".to_string(), json!(self.comment));
        machine.insert("StartAt".to_string(), json!(START));
        if let Some(timeout) = self.timeout {
            machine.insert("TimeoutSeconds".to_string(), json!(timeout));
        }
        machine.insert("States".to_string(), Json::Object(states));
        Json::Object(machine)
    }
}

impl State {
    /// Its `Type`, as the States Language names it.
    pub fn kind(&self) -> &'static str {
        match self {
            State::Start { .. } => "Pass",
            State::Task(_) => "Task",
            State::Fail(_) => "Fail",
            State::Succeed => "Succeed",
        }
    }

    fn to_json(&self) -> Json {
        match self {
            State::Start { next } => json!({
                "Type": self.kind(),
                "Comment": "Keeps the input as `event`; each step's output goes to `results`.",
                "Parameters": { "event.$": "$", "results": {} },
                "Next": next,
            }),
            State::Task(task) => task.to_json(),
            State::Fail(Fail::Undone) => json!({
                "Type": self.kind(),
                "Comment": "A step failed; what was done before it has been undone.",
                "ErrorPath": "$.error.Error",
                "CausePath": "$.error.Cause",
            }),
            State::Fail(fail @ Fail::NeedsAttention { cause }) => json!({
                "Type": self.kind(),
                "Error": fail.error(),
                "Cause": cause,
            }),
            State::Succeed => json!({ "Type": self.kind() }),
        }
    }
}

impl Task {
    fn to_json(&self) -> Json {
        let mut state = Map::new();
        state.insert("Type".to_string(), json!("Task"));
        state.insert("Comment".to_string(), json!(self.comment));
        state.insert("Resource".to_string(), json!(self.call.resource()));
        state.insert("Parameters".to_string(), self.parameters.clone());
        if let Some(selector) = &self.result_selector {
            state.insert("ResultSelector".to_string(), selector.clone());
        }
        state.insert(
            "ResultPath".to_string(),
            self.result_path
                .as_ref()
                .map_or(Json::Null, |path| json!(path)),
        );
        state.insert("TimeoutSeconds".to_string(), json!(self.timeout_seconds));
        if let Some(retry) = &self.retry {
            let mut rule = Map::new();
            rule.insert("ErrorEquals".to_string(), json!(["States.ALL"]));
            rule.insert("IntervalSeconds".to_string(), json!(retry.interval_seconds));
            rule.insert("MaxAttempts".to_string(), json!(retry.max_attempts));
            rule.insert("BackoffRate".to_string(), json!(retry.backoff_rate));
            if let Some(delay) = retry.max_delay_seconds {
                rule.insert("MaxDelaySeconds".to_string(), json!(delay));
            }
            if retry.jitter {
                rule.insert("JitterStrategy".to_string(), json!("FULL"));
            }
            state.insert("Retry".to_string(), json!([Json::Object(rule)]));
        }
        let (next, result) = &self.catch;
        state.insert(
            "Catch".to_string(),
            json!([{ "ErrorEquals": ["States.ALL"], "ResultPath": result, "Next": next }]),
        );
        state.insert("Next".to_string(), json!(self.next));
        Json::Object(state)
    }
}

fn retry(policy: &RetryPolicy) -> Option<Retry> {
    (policy.attempts > 1).then(|| Retry {
        interval_seconds: seconds(policy.interval),
        max_attempts: policy.attempts - 1,
        backoff_rate: policy.rate,
        max_delay_seconds: policy.max_delay.map(seconds),
        jitter: policy.jitter,
    })
}

/// The task that runs an action. `result`: where its output goes;
/// `catch`: where its errors go, and where they are kept.
fn task(
    system: &System,
    plan: &SagaPlan,
    action: &Action,
    result: Option<String>,
    catch: (String, &str),
    next: String,
) -> State {
    let service = system
        .service(action.service)
        .map_or("", |service| service.name.text.as_str());
    let message = json!({
        "saga": plan.name,
        "operation": action.operation,
        "execution.$": "$$.Execution.Id",
        "event.$": "$.event",
        "results.$": "$.results",
    });
    let (call, parameters, result_selector) = match action.invocation {
        Invocation::Function(function) => (
            Call::Lambda,
            json!({
                "FunctionName": format!("${{{}}}", placeholder_name(system, Placeholder::FunctionArn(function))),
                "Payload": message,
            }),
            Some(json!({ "output.$": "$.Payload" })),
        ),
        Invocation::Commands(receiver) => {
            let mut body = message;
            if let Json::Object(entries) = &mut body {
                entries.insert("taskToken.$".to_string(), json!("$$.Task.Token"));
            }
            (
                Call::Commands,
                json!({
                    "QueueUrl": format!(
                        "${{{}}}",
                        placeholder_name(system, Placeholder::QueueUrl(QueueRef::Commands(receiver)))
                    ),
                    "MessageBody": body,
                }),
                None,
            )
        }
    };
    State::Task(Box::new(Task {
        comment: format!("{service}.{}", action.operation),
        call,
        parameters,
        result_selector,
        result_path: result,
        timeout_seconds: seconds(action.timeout),
        retry: retry(&action.retry),
        catch: (catch.0, catch.1.to_string()),
        next,
    }))
}

/// Where the compensation chain that starts with the undo of `from` goes
/// after it: the next compensable step below, the failure handler, or the
/// end.
fn after_undo(plan: &SagaPlan, from: usize) -> String {
    let next = (0..from).rev().find(|index| {
        plan.steps
            .get(*index)
            .is_some_and(|step| step.undo.is_some())
    });
    match next {
        Some(index) => plan
            .steps
            .get(index)
            .map_or_else(|| FAILED.to_string(), |step| undo_state(&step.name)),
        None if plan.on_failure.is_some() => ON_FAILURE.to_string(),
        None => FAILED.to_string(),
    }
}

/// The first state a failure of step `failed` goes to.
fn on_step_failure(plan: &SagaPlan, failed: usize) -> String {
    if plan.steps.get(failed).is_some_and(|step| step.after_pivot) {
        return KEEP_STATE.to_string();
    }
    match plan.compensations(failed).first() {
        Some(index) => plan
            .steps
            .get(*index)
            .map_or_else(|| FAILED.to_string(), |step| undo_state(&step.name)),
        None if plan.on_failure.is_some() => ON_FAILURE.to_string(),
        None => FAILED.to_string(),
    }
}

/// The state machine of an orchestrated saga, for `filler` to fill.
pub fn machine(system: &System, plan: &SagaPlan, filler: Filler) -> Machine {
    let mut states = Vec::new();
    let first = plan
        .steps
        .first()
        .map_or_else(|| SUCCEEDED.to_string(), |step| step_state(&step.name));
    states.push((START.to_string(), State::Start { next: first }));
    for (index, step) in plan.steps.iter().enumerate() {
        let next = plan
            .steps
            .get(index + 1)
            .map_or_else(|| SUCCEEDED.to_string(), |next| step_state(&next.name));
        let state = task(
            system,
            plan,
            &step.action,
            Some(format!("$.results.{}", step.name)),
            (on_step_failure(plan, index), "$.error"),
            next,
        );
        states.push((step_state(&step.name), state));
    }
    for (index, step) in plan.steps.iter().enumerate() {
        let Some(undo) = &step.undo else {
            continue;
        };
        if step.after_pivot {
            continue;
        }
        let state = task(
            system,
            plan,
            undo,
            None,
            (KEEP_STATE.to_string(), "$.compensationError"),
            after_undo(plan, index),
        );
        states.push((undo_state(&step.name), state));
    }
    if let Some(handler) = &plan.on_failure {
        let state = task(
            system,
            plan,
            handler,
            None,
            (KEEP_STATE.to_string(), "$.compensationError"),
            FAILED.to_string(),
        );
        states.push((ON_FAILURE.to_string(), state));
    }
    let keep = Task {
        comment: "The execution could not be compensated or finished: its state goes to the saga's dead-letter queue.".to_string(),
        call: Call::DeadLetter,
        parameters: json!({
            "QueueUrl": format!("${{{}}}", placeholder_name(system, Placeholder::QueueUrl(plan.dead_letter))),
            "MessageBody": {
                "saga": plan.name,
                "execution.$": "$$.Execution.Id",
                "state.$": "$",
            },
        }),
        result_selector: None,
        result_path: None,
        timeout_seconds: seconds(crate::graph::saga::DEAD_LETTER_SEND_TIMEOUT),
        retry: retry(&RetryPolicy::PERSISTENT),
        catch: (NEEDS_ATTENTION.to_string(), "$.deadLetterError".to_string()),
        next: NEEDS_ATTENTION.to_string(),
    };
    states.push((KEEP_STATE.to_string(), State::Task(Box::new(keep))));
    states.push((
        NEEDS_ATTENTION.to_string(),
        State::Fail(Fail::NeedsAttention {
            cause: format!("Saga {} could not undo or finish what it started; the execution's state is in its dead-letter queue.", plan.name),
        }),
    ));
    states.push((FAILED.to_string(), State::Fail(Fail::Undone)));
    states.push((SUCCEEDED.to_string(), State::Succeed));
    let comment = system
        .sagas
        .get(plan.saga.0)
        .and_then(|saga| crate::model::prose(&saga.doc))
        .map_or_else(
            || format!("The saga {} of system {}.", plan.name, system.name.text),
            |doc| filler.literal(&doc, &placeholders(system, plan)),
        );
    Machine {
        comment,
        timeout: plan.execution_limit().map(seconds),
        states,
    }
}

/// The definition of an orchestrated saga's state machine, for `filler` to
/// fill.
pub fn definition(system: &System, plan: &SagaPlan, filler: Filler) -> Json {
    machine(system, plan, filler).to_json()
}

/// The definition file of every orchestrated saga, by path: the template
/// Terraform's `templatefile` fills.
pub fn emit(system: &System, graph: &crate::graph::Graph) -> Vec<(String, String)> {
    graph
        .state_machines()
        .map(|plan| {
            let text =
                serde_json::to_string_pretty(&definition(system, plan, Filler::Templatefile))
                    .unwrap_or_default();
            (file_name(plan), text + "\n")
        })
        .collect()
}
