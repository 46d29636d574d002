//! `meshc simulate`: the path an execution of a saga takes when one of its
//! steps fails (or none does), state by state, so that a person can check
//! the compensation before deploying.
//!
//! An orchestrated saga is walked through its generated Step Functions
//! definition — the JSON that will run, not the model: every task succeeds
//! except the failing step's, which fails after its retries and follows its
//! `Catch`. A choreographed saga is walked through its generated rules: each
//! action publishes its outcome event, and the rule that matches it runs
//! next.

use crate::emit::asl::{self, Call, Machine, State};
use crate::graph::Graph;
use crate::graph::saga::{self, Invocation, Outcome, Runs, SagaEvent, SagaPlan};
use crate::model::{SagaMode, System};

/// One state (or rule) the execution passes through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Visit {
    /// The state's name, or the rule's.
    pub state: String,
    /// `Pass`, `Task`, `Fail`, `Succeed`; `Rule` for a choreography.
    pub kind: String,
    /// What it does: `inventory.reserve (Lambda)`.
    pub what: String,
    /// What happens to it: `completes`, `fails after 3 attempts`.
    pub outcome: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Simulation {
    pub saga: String,
    pub mode: SagaMode,
    pub failing: Option<String>,
    pub visits: Vec<Visit>,
    /// How the execution ends, in a sentence.
    pub end: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimulateError {
    /// No saga of that name; the closest name, if any.
    UnknownSaga(String, Option<String>),
    /// No step of that name in the saga; the closest, if any.
    UnknownStep(String, Option<String>),
    /// The definition does not say where to go: a defect of meshc.
    Definition(String),
}

impl std::fmt::Display for SimulateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SimulateError::UnknownSaga(name, Some(close)) => {
                write!(f, "no saga `{name}`; did you mean `{close}`?")
            }
            SimulateError::UnknownSaga(name, None) => write!(f, "no saga `{name}`"),
            SimulateError::UnknownStep(name, Some(close)) => {
                write!(f, "no step `{name}`; did you mean `{close}`?")
            }
            SimulateError::UnknownStep(name, None) => write!(f, "no step `{name}`"),
            SimulateError::Definition(message) => write!(f, "{message}"),
        }
    }
}

/// Simulates saga `name` of a resolved system and its graph, with step
/// `failing` failing.
pub fn simulate(
    system: &System,
    graph: &Graph,
    name: &str,
    failing: Option<&str>,
) -> Result<Simulation, SimulateError> {
    let plans = &graph.sagas;
    let Some(plan) = plans.iter().find(|plan| plan.name == name) else {
        let names = plans.iter().map(|plan| plan.name.as_str());
        return Err(SimulateError::UnknownSaga(
            name.to_string(),
            crate::suggest::closest(name, names).map(str::to_string),
        ));
    };
    if let Some(step) = failing {
        if !plan.steps.iter().any(|known| known.name == step) {
            let names = plan.steps.iter().map(|known| known.name.as_str());
            return Err(SimulateError::UnknownStep(
                step.to_string(),
                crate::suggest::closest(step, names).map(str::to_string),
            ));
        }
    }
    match plan.mode {
        SagaMode::Orchestrated => {
            // The walk reads states, not the machine's `Comment`: either
            // filler gives the same path.
            let machine = asl::machine(system, plan, asl::Filler::Templatefile);
            let failing_state = failing.map(asl::step_state);
            let visits = walk(&machine, failing_state.as_deref())?;
            let end = match visits.last().map(|visit| visit.kind.as_str()) {
                Some("Succeed") => "The execution succeeds.".to_string(),
                _ => format!(
                    "The execution fails{}.",
                    match visits.iter().find(|visit| visit.state == asl::KEEP_STATE) {
                        Some(_) => ", with its state in the saga's dead-letter queue",
                        None => "",
                    }
                ),
            };
            Ok(Simulation {
                saga: plan.name.clone(),
                mode: plan.mode,
                failing: failing.map(str::to_string),
                visits,
                end,
            })
        }
        SagaMode::Choreographed => Ok(choreograph(system, plan, failing)),
    }
}

/// How many attempts a state allows before it fails, the first included:
/// a task's retries, and one for any other.
fn attempts(state: &State) -> u64 {
    match state {
        State::Task(task) => task
            .retry
            .as_ref()
            .map_or(1, |retry| u64::from(retry.max_attempts) + 1),
        _ => 1,
    }
}

fn what(state: &State) -> String {
    match state {
        State::Start { .. } => "keeps the input as `event`".to_string(),
        State::Task(task) => match task.call {
            Call::DeadLetter => "sends the execution's state to the dead-letter queue".to_string(),
            Call::Lambda => format!("{} (Lambda)", task.comment),
            Call::Commands => format!("{} (command queue, waits for the task token)", task.comment),
        },
        State::Fail(fail) => fail.error().map_or_else(
            || "fails with the step's error".to_string(),
            |error| format!("fails with {error}"),
        ),
        State::Succeed => "succeeds".to_string(),
    }
}

/// Walks a state machine from its start: every state succeeds except
/// `failing`, which fails after its retries and follows its `Catch`.
pub fn walk(machine: &Machine, failing: Option<&str>) -> Result<Vec<Visit>, SimulateError> {
    let mut current = asl::START.to_string();
    let mut visits = Vec::new();
    for _ in 0..=machine.states.len() * 2 {
        let state = machine.state(&current).ok_or_else(|| {
            SimulateError::Definition(format!("no state `{current}` in the definition"))
        })?;
        let fails = failing == Some(current.as_str());
        let outcome = match state {
            State::Fail(_) | State::Succeed => String::new(),
            _ if fails => format!(
                "fails after {} attempt{}",
                attempts(state),
                if attempts(state) == 1 { "" } else { "s" }
            ),
            _ => "completes".to_string(),
        };
        visits.push(Visit {
            state: current.clone(),
            kind: state.kind().to_string(),
            what: what(state),
            outcome,
        });
        current = match state {
            State::Fail(_) | State::Succeed => return Ok(visits),
            State::Start { next } => next.clone(),
            State::Task(task) if fails => task.catch.0.clone(),
            State::Task(task) => task.next.clone(),
        };
    }
    Err(SimulateError::Definition(
        "the definition loops".to_string(),
    ))
}

/// Follows the outcome events of a choreographed saga through its rules.
fn choreograph(system: &System, plan: &SagaPlan, failing: Option<&str>) -> Simulation {
    let rules = &plan.choreography;
    // Each outcome event starts at most one rule: index them by event.
    let mut started_by: std::collections::BTreeMap<SagaEvent, &saga::ChoreographyRule> =
        std::collections::BTreeMap::new();
    for rule in rules {
        for event in &rule.on {
            started_by.entry(*event).or_insert(rule);
        }
    }
    let describe = |runs: Runs| -> String {
        match plan.action_of(runs) {
            Some(action) => {
                let service = system
                    .service(action.service)
                    .map_or("", |service| service.name.text.as_str());
                let via = match action.invocation {
                    Invocation::Function(_) => "Lambda",
                    Invocation::Commands(_) => "command queue",
                };
                format!("{service}.{} ({via})", action.operation)
            }
            None => "keeps the event in the saga's dead-letter queue".to_string(),
        }
    };
    let trigger = plan
        .trigger
        .and_then(|event| system.event(event))
        .map_or_else(
            || "its trigger".to_string(),
            |event| event.name.text.clone(),
        );
    let mut visits = Vec::new();
    let mut pending: Option<SagaEvent> = None;
    let mut first = rules.iter().find(|rule| rule.on_trigger);
    let mut on = trigger;
    let mut end = "The saga completes.".to_string();
    for _ in 0..=rules.len() * 2 {
        let rule = match (first.take(), pending) {
            (Some(rule), _) => rule,
            (None, Some(event)) => {
                on = plan.detail_type(event);
                let Some(rule) = started_by.get(&event).copied() else {
                    if event.outcome == Outcome::Failed || event.outcome == Outcome::UndoFailed {
                        end = format!("The saga stops on {on}.");
                    }
                    break;
                };
                rule
            }
            (None, None) => break,
        };
        let fails = matches!(rule.runs, Runs::Step(index) if plan.steps.get(index).map(|step| step.name.as_str()) == failing);
        visits.push(Visit {
            state: rule.label.clone(),
            kind: "Rule".to_string(),
            what: format!("on {on}: {}", describe(rule.runs)),
            outcome: if fails {
                "fails".to_string()
            } else {
                "completes".to_string()
            },
        });
        pending = match rule.runs {
            Runs::Step(index) => Some(SagaEvent {
                step: index,
                outcome: if fails {
                    Outcome::Failed
                } else {
                    Outcome::Completed
                },
            }),
            Runs::Undo(index) => Some(SagaEvent {
                step: index,
                outcome: Outcome::Undone,
            }),
            Runs::OnFailure => {
                end = "The saga ends failed: its failure handler ran.".to_string();
                None
            }
            Runs::DeadLetter => {
                end = "The saga stops: the event is in its dead-letter queue.".to_string();
                None
            }
        };
    }
    Simulation {
        saga: plan.name.clone(),
        mode: plan.mode,
        failing: failing.map(str::to_string),
        visits,
        end,
    }
}

impl Simulation {
    /// The simulation as a table, for people.
    pub fn render(&self) -> String {
        use std::fmt::Write as _;
        let mode = match self.mode {
            SagaMode::Orchestrated => "orchestrated by Step Functions",
            SagaMode::Choreographed => "choreographed through EventBridge",
        };
        let mut out = match &self.failing {
            Some(step) => format!("saga {} ({mode}), when step {step} fails:\n\n", self.saga),
            None => format!("saga {} ({mode}), when every step succeeds:\n\n", self.saga),
        };
        let state_width = self
            .visits
            .iter()
            .map(|visit| visit.state.len())
            .max()
            .unwrap_or(0);
        let kind_width = self
            .visits
            .iter()
            .map(|visit| visit.kind.len())
            .max()
            .unwrap_or(0);
        let what_width = self
            .visits
            .iter()
            .map(|visit| visit.what.len())
            .max()
            .unwrap_or(0);
        for (index, visit) in self.visits.iter().enumerate() {
            let line = format!(
                "  {:>2}  {:<state_width$}  {:<kind_width$}  {:<what_width$}  {}",
                index + 1,
                visit.state,
                visit.kind,
                visit.what,
                visit.outcome,
            );
            let _ = writeln!(out, "{}", line.trim_end());
        }
        let _ = writeln!(out, "\n{}", self.end);
        out
    }
}
