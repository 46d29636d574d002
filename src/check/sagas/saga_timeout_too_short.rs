//! M503 saga-timeout-too-short
use super::step_named;
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::graph::saga::{AttemptBound, StepPlan};
use crate::model::{Duration, Saga, SagaMode};

/// `span` is the saga's `timeout`; `steps` the steps that take time in the
/// worst case, whose sum is `worst`.
pub fn diagnostic(
    saga: &str,
    timeout: Duration,
    span: Span,
    worst: Duration,
    steps: &[StepWorstCase],
) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(
        &SagaTimeoutTooShort::CODE,
        format!("saga `{saga}` has a deadline of {timeout}, but its steps may need {worst}"),
    )
    .primary(
        span,
        format!("the steps up to the pivot must end within {timeout}"),
    );
    for step in steps {
        diagnostic = diagnostic.secondary(step.span, step.label());
    }
    diagnostic
        .help(format!(
            "give the saga at least `timeout = {}`, or shorten the steps' timeouts or retries",
            round_up(worst)
        ))
        .note("past the deadline, the execution runs into the state machine's own timeout, where Step Functions stops it without running any `Catch`: what the saga did is not undone and nothing reaches its dead-letter queue")
}

declare_rule! {
    /// ## What it does
    /// Reports an orchestrated saga whose `timeout` its steps cannot meet.
    ///
    /// A saga's `timeout` is a deadline on the steps that can still be
    /// undone: those up to and including the pivot (all of them without
    /// one). meshc gives every attempt of such a step a timeout: the step's
    /// own `timeout`, or the timeout of the Lambda function that runs it
    /// when that is shorter, or, for a Fargate step without a `timeout`, an
    /// equal share of what the other steps leave (whole seconds, at least
    /// one). The steps, each failing every attempt at its limit with the
    /// backoff between, then end by the deadline, and a step that times out
    /// is caught like any failure: the compensations run and the failure
    /// handler with them.
    ///
    /// The state machine's own `TimeoutSeconds` is only a backstop: the
    /// deadline, plus the worst case of the steps after the pivot, of every
    /// compensation (persistent by design: ten attempts, minutes of
    /// backoff), of the failure handler and of the dead-letter send.
    ///
    /// This code reports a deadline that the steps bounded by their own
    /// timeouts, with the backoff of every step, overrun, or that leaves
    /// less than a second for each attempt of the others.
    ///
    /// A choreographed saga is not reported: no state machine enforces its
    /// timeout.
    ///
    /// ## Why is this bad?
    /// The deadline cannot hold: a slow execution — a few retries on a bad
    /// day — runs past it into the backstop, and when that expires Step
    /// Functions stops the execution where it stands, without running any
    /// `Catch`: the steps already done are not undone, the failure handler
    /// does not run and nothing reaches the dead-letter queue. It ends with
    /// stock reserved and a card charged for an order that no longer
    /// exists.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event OrderPlaced { source = "com.example.storefront"  schema { orderId: string } }
    /// service payment { compute = lambda { runtime = "python3.13"  timeout = 1m }  operations = [charge, refund] }
    /// saga checkout {
    ///   trigger = OrderPlaced
    ///   timeout = 2m
    ///   step charge { do = payment.charge  undo = payment.refund  retry = { attempts = 3  backoff = 5s } }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event OrderPlaced { source = "com.example.storefront"  schema { orderId: string } }
    /// service payment { compute = lambda { runtime = "python3.13"  timeout = 1m }  operations = [charge, refund] }
    /// saga checkout {
    ///   trigger = OrderPlaced
    ///   timeout = 4m
    ///   step charge { do = payment.charge  undo = payment.refund  retry = { attempts = 3  backoff = 5s } }
    /// }
    /// ```
    SagaTimeoutTooShort, code = M503, slug = "saga-timeout-too-short", severity = Error,
}

/// The worst case of one step on the saga's way to success: every attempt
/// but the last fails at its limit, with the backoff between them.
#[derive(Clone, Debug, PartialEq)]
pub struct StepWorstCase {
    pub span: Span,
    pub attempts: u32,
    /// The longest one attempt can take, when something other than the
    /// saga's own timeout bounds it.
    pub attempt: Option<(Duration, AttemptBound)>,
    /// The waits between the attempts.
    pub backoff: Duration,
}

impl StepWorstCase {
    pub fn total(&self) -> Duration {
        let attempts = self.attempt.map_or(Duration::ZERO, |(attempt, _)| {
            attempt.saturating_mul(u64::from(self.attempts))
        });
        attempts.saturating_add(self.backoff)
    }

    fn label(&self) -> String {
        let total = self.total();
        let backoff = if self.backoff == Duration::ZERO {
            String::new()
        } else {
            format!(" and {} of backoff", self.backoff)
        };
        match self.attempt {
            Some((attempt, bound)) => {
                let of = match bound {
                    AttemptBound::Step => String::new(),
                    AttemptBound::Function => " (the function's timeout)".to_string(),
                };
                let attempts = if self.attempts == 1 {
                    "1 attempt".to_string()
                } else {
                    format!("{} attempts", self.attempts)
                };
                if attempt == total {
                    format!("{attempts} of up to {attempt}{of}")
                } else {
                    format!("{attempts} of up to {attempt}{of}{backoff}: {total}")
                }
            }
            None => format!(
                "{} of backoff; its {} attempts have no `timeout` of their own and get at least 1s each",
                self.backoff, self.attempts
            ),
        }
    }
}

impl Rule for SagaTimeoutTooShort {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        for plan in &context.graph.sagas {
            if plan.mode != SagaMode::Orchestrated {
                continue;
            }
            let Some(saga) = system.sagas.get(plan.saga.0) else {
                continue;
            };
            let Some(timeout) = saga.timeout else {
                continue;
            };
            // The deadline covers the steps that can still be undone.
            let steps: Vec<StepWorstCase> = plan
                .steps
                .iter()
                .filter(|step| !step.after_pivot)
                .filter_map(|step| worst_case(saga, step))
                .filter(|step| step.total() > Duration::ZERO || step.attempt.is_none())
                .collect();
            // A step bounded by nothing gets at least a second an attempt.
            let worst = steps.iter().fold(Duration::ZERO, |sum, step| {
                let least = match step.attempt {
                    Some(_) => Duration::ZERO,
                    None => Duration::from_secs(u64::from(step.attempts)),
                };
                sum.saturating_add(step.total()).saturating_add(least)
            });
            if worst > timeout.value {
                out.push(diagnostic(
                    &plan.name,
                    timeout.value,
                    timeout.span,
                    worst,
                    &steps,
                ));
            }
        }
    }
}

/// The worst case of a step, from what bounds its attempts (the graph's
/// `attempt_bound`: its declared `timeout`, its Lambda function's). A
/// timeout the step inherits from the saga is no bound here.
fn worst_case(saga: &Saga, step: &StepPlan) -> Option<StepWorstCase> {
    let declared = step_named(saga, &step.name)?;
    Some(StepWorstCase {
        span: declared.name.span,
        attempts: step.action.retry.attempts,
        attempt: step.attempt_bound,
        backoff: step.action.retry.total_wait(),
    })
}

/// A timeout to suggest: whole seconds, and whole minutes above a minute.
fn round_up(duration: Duration) -> Duration {
    let seconds = duration.as_secs_ceil();
    if seconds > 60 {
        Duration::from_mins(seconds.div_ceil(60))
    } else {
        Duration::from_secs(seconds)
    }
}
