//! Sagas: what each step runs, how it is retried and timed out, and which
//! compensations run when it fails — derived once, for the state machine
//! backend, the choreography rules, the simulator and the checks.
//!
//! The model is the classic one. Steps before the `pivot` are compensable:
//! when a step fails, the `undo` of every step already completed runs, the
//! latest first, then `on_failure`, and the saga fails. The pivot is the
//! point of no return: once it has completed, nothing is undone; the steps
//! after it are retried (harder, by default) and a step that still fails
//! leaves the saga's state in its dead-letter queue for an operator.
//!
//! A Lambda function is invoked with the operation in its payload; a
//! Fargate service receives the operation on its command queue with a task
//! token, and reports the outcome with `SendTaskSuccess`/`SendTaskFailure`.
//!
//! [`plans`] derives everything here in time linear in the number of steps
//! (the compensation each failure starts is indexed, not searched), and
//! `graph::build` calls it once: the graph's `sagas` are what every later
//! stage reads.

use std::collections::BTreeMap;

use super::QueueRef;
use crate::model::{
    Duration, EventId, OperationRef, Retry, SagaId, SagaMode, ServiceId, System, defaults,
};

/// How a step reaches the service that runs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invocation {
    /// `lambda:invoke` with the operation in the payload.
    Function(ServiceId),
    /// `sqs:sendMessage.waitForTaskToken` to the service's command queue.
    Commands(ServiceId),
}

/// When and how often a task is retried.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included.
    pub attempts: u32,
    /// The wait before the first retry.
    pub interval: Duration,
    pub rate: f64,
    pub max_delay: Option<Duration>,
    pub jitter: bool,
}

impl RetryPolicy {
    fn from_model(retry: &Retry) -> RetryPolicy {
        RetryPolicy {
            attempts: retry.attempts.value,
            interval: retry.backoff.value,
            rate: retry.rate.value,
            max_delay: retry.max_delay.map(|delay| delay.value),
            jitter: retry.jitter,
        }
    }

    /// The retry of a step before the pivot, when none is declared.
    pub const STEP: RetryPolicy = RetryPolicy {
        attempts: defaults::RETRY_ATTEMPTS,
        interval: defaults::RETRY_BACKOFF,
        rate: defaults::RETRY_RATE,
        max_delay: None,
        jitter: false,
    };

    /// The retry of a step after the pivot, or of a compensation, when none
    /// is declared: these must not give up easily.
    pub const PERSISTENT: RetryPolicy = RetryPolicy {
        attempts: 10,
        interval: Duration::from_secs(2),
        rate: 2.0,
        max_delay: Some(Duration::from_secs(60)),
        jitter: true,
    };

    /// The longest the retries of one task can wait in all.
    pub fn total_wait(&self) -> Duration {
        let mut total = 0.0;
        let mut wait = self.interval.as_secs_f64();
        let cap = self.max_delay.map(Duration::as_secs_f64);
        for _ in 1..self.attempts {
            let this = cap.map_or(wait, |cap| wait.min(cap));
            total += this;
            wait *= self.rate;
        }
        Duration::from_millis((total * 1000.0).ceil() as u64)
    }
}

/// One operation of a service, run by a saga.
#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    pub service: ServiceId,
    pub operation: String,
    pub invocation: Invocation,
    pub retry: RetryPolicy,
    /// How long one attempt may take.
    pub timeout: Duration,
}

/// What bounds one attempt of a step, other than the saga's deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptBound {
    /// The step's own `timeout`.
    Step,
    /// The timeout of the Lambda function that runs it.
    Function,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StepPlan {
    pub name: String,
    pub action: Action,
    pub undo: Option<Action>,
    pub pivot: bool,
    /// Whether the step comes after the pivot (and so is never undone, and
    /// its failure undoes nothing).
    pub after_pivot: bool,
    /// The longest one attempt may take by its own bound, and which bound
    /// that is; none for a Fargate step without a `timeout`.
    pub attempt_bound: Option<(Duration, AttemptBound)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SagaPlan {
    pub saga: SagaId,
    pub name: String,
    pub mode: SagaMode,
    pub trigger: Option<EventId>,
    pub timeout: Option<Duration>,
    pub steps: Vec<StepPlan>,
    pub on_failure: Option<Action>,
    /// Where the state of an execution goes when a compensation, the
    /// failure handler or a step after the pivot still fails after its
    /// retries.
    pub dead_letter: QueueRef,
    /// The rules of a choreographed saga (see `choreography`); empty for
    /// an orchestrated one.
    pub choreography: Vec<ChoreographyRule>,
    /// Every service the saga runs an operation of, with how, each once,
    /// in the order of the steps.
    invocations: Vec<Invocation>,
    /// For each step, the nearest step before it that has an `undo`: the
    /// first compensation its failure runs (unless it comes after the
    /// pivot), and the one that runs after its own undo.
    undo_below: Vec<Option<usize>>,
}

/// How long one attempt of a task may take when neither the step nor the
/// saga says: Step Functions would otherwise wait for a task token a year.
pub const TASK_TIMEOUT: Duration = Duration::from_mins(5);

/// How long one attempt to send an execution's state to the saga's
/// dead-letter queue may take (an SQS `SendMessage`, answered in
/// milliseconds; without a limit a Step Functions task may wait a year).
pub const DEAD_LETTER_SEND_TIMEOUT: Duration = Duration::from_secs(5);

fn invocation(system: &System, service: ServiceId) -> Invocation {
    if system
        .service(service)
        .is_some_and(crate::model::Service::is_lambda)
    {
        Invocation::Function(service)
    } else {
        Invocation::Commands(service)
    }
}

fn action(
    system: &System,
    operation: &OperationRef,
    retry: RetryPolicy,
    timeout: Duration,
) -> Action {
    Action {
        service: operation.service,
        operation: operation.operation.text.clone(),
        invocation: invocation(system, operation.service),
        retry,
        timeout,
    }
}

/// The plan of every saga that has a step.
pub fn plans(system: &System) -> Vec<SagaPlan> {
    system
        .sagas
        .iter()
        .enumerate()
        .map(|(index, saga)| {
            let id = SagaId(index);
            let saga_timeout = saga.timeout.map(|timeout| timeout.value);
            let pivot = saga.steps.iter().position(|step| step.pivot);
            let mut steps = Vec::new();
            for (position, step) in saga.steps.iter().enumerate() {
                let Some(operation) = &step.action else {
                    continue;
                };
                let after_pivot = pivot.is_some_and(|pivot| position > pivot);
                let declared = step.retry.as_ref().map(RetryPolicy::from_model);
                let retry = declared.unwrap_or(if after_pivot {
                    RetryPolicy::PERSISTENT
                } else {
                    RetryPolicy::STEP
                });
                // The undo's attempts, off the forward path, keep what they
                // had: the step's own timeout, else the saga's, else 5 min.
                let timeout = step
                    .timeout
                    .map(|timeout| timeout.value)
                    .or(saga_timeout)
                    .unwrap_or(TASK_TIMEOUT);
                let undo_retry = declared.map_or(RetryPolicy::PERSISTENT, |declared| RetryPolicy {
                    attempts: declared.attempts.max(RetryPolicy::PERSISTENT.attempts),
                    ..declared
                });
                steps.push(StepPlan {
                    name: step.name.text.clone(),
                    action: action(system, operation, retry, timeout),
                    undo: step
                        .undo
                        .as_ref()
                        .map(|undo| action(system, undo, undo_retry, timeout)),
                    pivot: step.pivot,
                    after_pivot,
                    attempt_bound: attempt_bound(system, step),
                });
            }
            let on_failure = saga.on_failure.as_ref().map(|operation| {
                action(
                    system,
                    operation,
                    RetryPolicy::PERSISTENT,
                    saga_timeout.unwrap_or(TASK_TIMEOUT).min(TASK_TIMEOUT),
                )
            });
            let mut plan = SagaPlan {
                saga: id,
                name: saga.name.text.clone(),
                mode: saga.mode.value,
                trigger: saga.trigger.map(|trigger| trigger.value),
                timeout: saga_timeout,
                steps,
                on_failure,
                dead_letter: saga.dlq.map_or(QueueRef::SagaDeadLetter(id), |queue| {
                    QueueRef::Declared(queue.value)
                }),
                choreography: Vec::new(),
                invocations: Vec::new(),
                undo_below: Vec::new(),
            };
            share_the_deadline(&mut plan);
            plan.invocations = invocations(&plan);
            plan.undo_below = undo_below(&plan.steps);
            if plan.mode == SagaMode::Choreographed {
                plan.choreography = choreography(&plan);
            }
            plan
        })
        .collect()
}

/// What bounds one attempt of a step: its own `timeout`, or the timeout
/// of the Lambda function that runs it when that is shorter. A Fargate
/// step without a `timeout` has no bound of its own.
fn attempt_bound(system: &System, step: &crate::model::Step) -> Option<(Duration, AttemptBound)> {
    let own = step
        .timeout
        .map(|timeout| (timeout.value, AttemptBound::Step));
    let function = step
        .action
        .as_ref()
        .and_then(|operation| system.service(operation.service))
        .and_then(|service| match &service.compute {
            crate::model::Compute::Lambda(lambda) => {
                Some((lambda.timeout.value, AttemptBound::Function))
            }
            crate::model::Compute::Fargate(_) => None,
        });
    match (own, function) {
        (Some(own), Some(function)) if function.0 < own.0 => Some(function),
        (Some(own), _) => Some(own),
        (None, function) => function,
    }
}

/// Makes the saga's `timeout` a deadline on its forward path, the steps
/// that can still be undone (up to and including the pivot): every attempt
/// of such a step is given a timeout such that all of them, each failing
/// every attempt at its limit with the backoff between, end by the
/// deadline. A step's attempt keeps what bounds it (its own `timeout`, its
/// function's); the attempts of the steps bounded by nothing share what
/// the others leave, whole seconds each, at least one (M503 reports a
/// deadline the bounded steps alone overrun). So a slow execution fails
/// a step by the deadline and its compensations run, within the state
/// machine's `TimeoutSeconds` ([`SagaPlan::execution_limit`]), which is
/// only a backstop.
fn share_the_deadline(plan: &mut SagaPlan) {
    let Some(deadline) = plan.timeout else {
        return;
    };
    let mut taken = Duration::ZERO;
    let mut unbounded_attempts = 0u64;
    for step in plan.steps.iter().filter(|step| !step.after_pivot) {
        let attempts = u64::from(step.action.retry.attempts);
        taken = taken.saturating_add(step.action.retry.total_wait());
        match step.attempt_bound {
            Some((bound, _)) => taken = taken.saturating_add(bound.saturating_mul(attempts)),
            None => unbounded_attempts += attempts,
        }
    }
    let left = deadline.as_millis().saturating_sub(taken.as_millis());
    let share = Duration::from_secs((left / 1000 / unbounded_attempts.max(1)).max(1));
    for step in &mut plan.steps {
        // After the pivot the saga only goes on: those steps keep what
        // bounds them, else the whole deadline per attempt, and the
        // backstop covers them.
        step.action.timeout = match (step.attempt_bound, step.after_pivot) {
            (Some((bound, _)), _) => bound,
            (None, false) => share,
            (None, true) => deadline,
        };
    }
}

/// Every service a saga runs an operation of, each once, in step order.
fn invocations(plan: &SagaPlan) -> Vec<Invocation> {
    let mut seen = std::collections::BTreeSet::new();
    plan.steps
        .iter()
        .flat_map(|step| std::iter::once(&step.action).chain(step.undo.iter()))
        .chain(plan.on_failure.iter())
        .filter_map(|action| {
            let key = match action.invocation {
                Invocation::Function(service) => (0, service),
                Invocation::Commands(service) => (1, service),
            };
            seen.insert(key).then_some(action.invocation)
        })
        .collect()
}

/// For each step, the nearest step before it with an `undo`.
fn undo_below(steps: &[StepPlan]) -> Vec<Option<usize>> {
    let mut below = Vec::with_capacity(steps.len());
    let mut nearest = None;
    for (index, step) in steps.iter().enumerate() {
        below.push(nearest);
        if step.undo.is_some() {
            nearest = Some(index);
        }
    }
    below
}

impl Action {
    /// The longest this action can take: every attempt up to its timeout,
    /// and the waits between them.
    pub fn worst_case(&self) -> Duration {
        self.timeout
            .saturating_mul(u64::from(self.retry.attempts))
            .saturating_add(self.retry.total_wait())
    }
}

impl SagaPlan {
    /// The limit of a whole execution, a backstop. The saga's `timeout` is
    /// the deadline of its steps up to the pivot (they share it, and M503
    /// checks that they fit); on top of it the execution may take the worst
    /// case of the steps after the pivot, of every compensation, of the
    /// failure handler and of the dead-letter send, so that a step failing
    /// at the deadline is still undone rather than cut short.
    pub fn execution_limit(&self) -> Option<Duration> {
        let timeout = self.timeout?;
        let compensations = self
            .steps
            .iter()
            .filter_map(|step| step.undo.as_ref())
            .chain(
                self.steps
                    .iter()
                    .filter(|step| step.after_pivot)
                    .map(|step| &step.action),
            )
            .chain(self.on_failure.iter())
            .fold(Duration::ZERO, |total, action| {
                total.saturating_add(action.worst_case())
            });
        let dead_letter = RetryPolicy::PERSISTENT.total_wait().saturating_add(
            DEAD_LETTER_SEND_TIMEOUT.saturating_mul(u64::from(RetryPolicy::PERSISTENT.attempts)),
        );
        Some(
            timeout
                .saturating_add(compensations)
                .saturating_add(dead_letter),
        )
    }

    /// The steps whose `undo` runs when step `failed` fails, in the order
    /// they run: the completed compensable steps, the latest first. Nothing
    /// is undone once the pivot has completed.
    pub fn compensations(&self, failed: usize) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut next = self.first_compensation(failed);
        while let Some(index) = next {
            chain.push(index);
            next = self.compensation_after(index);
        }
        chain
    }

    /// The step whose `undo` runs first when step `failed` fails, if any:
    /// the first of [`Self::compensations`], without listing the others.
    pub fn first_compensation(&self, failed: usize) -> Option<usize> {
        if self.steps.get(failed).is_none_or(|step| step.after_pivot) {
            return None;
        }
        self.undo_below.get(failed).copied().flatten()
    }

    /// The step whose undo runs after the undo of step `undone`: the next
    /// compensable step below it.
    pub fn compensation_after(&self, undone: usize) -> Option<usize> {
        self.undo_below.get(undone).copied().flatten()
    }

    /// Whether a failure of step `failed` runs `on_failure`: a failure
    /// before the pivot has completed does.
    pub fn runs_on_failure(&self, failed: usize) -> bool {
        self.on_failure.is_some() && self.steps.get(failed).is_some_and(|step| !step.after_pivot)
    }

    /// Every service the saga runs an operation of, with how, each once.
    pub fn invocations(&self) -> &[Invocation] {
        &self.invocations
    }
}

/// The Fargate services that receive saga operations on a command queue.
pub fn command_receivers(plans: &[SagaPlan]) -> Vec<ServiceId> {
    let mut services: Vec<ServiceId> = plans
        .iter()
        .flat_map(SagaPlan::invocations)
        .filter_map(|invocation| match *invocation {
            Invocation::Commands(service) => Some(service),
            Invocation::Function(_) => None,
        })
        .collect();
    services.sort();
    services.dedup();
    services
}

// ---------------------------------------------------------------------------
// Choreography: the same saga as EventBridge rules between the services.

/// What became of an action of a choreographed saga. The service that ran
/// it publishes the outcome as an event whose `detail-type` is
/// `SAGA.STEP.OUTCOME` (`checkout.charge.failed`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    Completed,
    Failed,
    Undone,
    UndoFailed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::Failed => "failed",
            Outcome::Undone => "undone",
            Outcome::UndoFailed => "undo-failed",
        }
    }
}

/// An outcome event of a choreographed saga.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SagaEvent {
    pub step: usize,
    pub outcome: Outcome,
}

/// What a choreography rule runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runs {
    Step(usize),
    Undo(usize),
    OnFailure,
    /// Keeps the event of a failure nothing can undo in the saga's
    /// dead-letter queue.
    DeadLetter,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ChoreographyRule {
    /// A name for the rule within the saga: `charge`, `undo-reserve`.
    pub label: String,
    pub runs: Runs,
    /// The saga's trigger event starts the first step.
    pub on_trigger: bool,
    /// The outcome events that start it.
    pub on: Vec<SagaEvent>,
}

impl SagaPlan {
    /// The `detail-type` of an outcome event.
    pub fn detail_type(&self, event: SagaEvent) -> String {
        let step = self
            .steps
            .get(event.step)
            .map_or("", |step| step.name.as_str());
        format!("{}.{step}.{}", self.name, event.outcome.as_str())
    }

    /// The service that publishes an outcome event.
    pub fn publisher(&self, event: SagaEvent) -> Option<ServiceId> {
        let step = self.steps.get(event.step)?;
        match event.outcome {
            Outcome::Completed | Outcome::Failed => Some(step.action.service),
            Outcome::Undone | Outcome::UndoFailed => step.undo.as_ref().map(|undo| undo.service),
        }
    }

    /// The action a choreography rule runs, if it runs one.
    pub fn action_of(&self, runs: Runs) -> Option<&Action> {
        match runs {
            Runs::Step(index) => self.steps.get(index).map(|step| &step.action),
            Runs::Undo(index) => self.steps.get(index).and_then(|step| step.undo.as_ref()),
            Runs::OnFailure => self.on_failure.as_ref(),
            Runs::DeadLetter => None,
        }
    }
}

/// The rules of a choreographed saga: each step starts on the completion of
/// the one before (the first on the trigger); each undo starts on the
/// failure that needs it first, or on the undo before it; the failure
/// handler starts when there is nothing (left) to undo; failures nothing
/// can undo go to the saga's dead-letter queue.
///
/// Each failure and each undo starts exactly one rule, so the rules are
/// found by grouping the outcome events by the compensation they start, in
/// one pass over the steps.
fn choreography(plan: &SagaPlan) -> Vec<ChoreographyRule> {
    let mut rules = Vec::new();
    for (index, step) in plan.steps.iter().enumerate() {
        rules.push(ChoreographyRule {
            label: step.name.clone(),
            runs: Runs::Step(index),
            on_trigger: index == 0,
            on: match index.checked_sub(1) {
                None => Vec::new(),
                Some(previous) => vec![SagaEvent {
                    step: previous,
                    outcome: Outcome::Completed,
                }],
            },
        });
    }
    // What starts the undo of each step (by index) and, under `None`, the
    // failure handler: the failures of compensable steps, then the undos,
    // each in step order.
    let mut failures: BTreeMap<Option<usize>, Vec<SagaEvent>> = BTreeMap::new();
    let mut undos: BTreeMap<Option<usize>, Vec<SagaEvent>> = BTreeMap::new();
    for (index, step) in plan.steps.iter().enumerate() {
        if step.after_pivot {
            continue;
        }
        failures
            .entry(plan.first_compensation(index))
            .or_default()
            .push(SagaEvent {
                step: index,
                outcome: Outcome::Failed,
            });
        if step.undo.is_some() {
            undos
                .entry(plan.compensation_after(index))
                .or_default()
                .push(SagaEvent {
                    step: index,
                    outcome: Outcome::Undone,
                });
        }
    }
    let mut starters = |target: Option<usize>| {
        let mut on = failures.remove(&target).unwrap_or_default();
        on.extend(undos.remove(&target).unwrap_or_default());
        on
    };
    for (index, step) in plan.steps.iter().enumerate() {
        if step.undo.is_none() || step.after_pivot {
            continue;
        }
        let on = starters(Some(index));
        if !on.is_empty() {
            rules.push(ChoreographyRule {
                label: format!("undo-{}", step.name),
                runs: Runs::Undo(index),
                on_trigger: false,
                on,
            });
        }
    }
    if plan.on_failure.is_some() {
        let on = starters(None);
        if !on.is_empty() {
            rules.push(ChoreographyRule {
                label: "on-failure".to_string(),
                runs: Runs::OnFailure,
                on_trigger: false,
                on,
            });
        }
    }
    let mut stuck = Vec::new();
    for (index, step) in plan.steps.iter().enumerate() {
        if step.after_pivot {
            stuck.push(SagaEvent {
                step: index,
                outcome: Outcome::Failed,
            });
        }
        if step.undo.is_some() && !step.after_pivot {
            stuck.push(SagaEvent {
                step: index,
                outcome: Outcome::UndoFailed,
            });
        }
    }
    if !stuck.is_empty() {
        rules.push(ChoreographyRule {
            label: "dead-letter".to_string(),
            runs: Runs::DeadLetter,
            on_trigger: false,
            on: stuck,
        });
    }
    rules
}
