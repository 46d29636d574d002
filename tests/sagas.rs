//! Sagas, proven on what meshc emits rather than on its model.
//!
//! For every saga of every example and every choice of failing step:
//! - an orchestrated saga's generated Step Functions JSON is walked from
//!   `StartAt` (every task succeeds but the failing step's, which follows its
//!   `Catch`): the path must run exactly the `undo` of the completed steps,
//!   latest first, then `on_failure`, and end in a `Fail` state — or, for a
//!   step after the pivot, undo nothing, keep the state in the dead-letter
//!   queue and fail; the happy path runs every step in order and ends in
//!   `Succeed`. Every state is reachable and every task has a timeout.
//! - a choreographed saga's generated EventBridge rules (parsed from
//!   `events.tf`) are followed event by event, with the same expectations.
//!
//! The expected paths are computed here from the `.mesh` declarations.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // Tests may fail loudly.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value as Json;

/// A saga as declared: its steps (name, `do`, `undo`, pivot) and failure
/// handler, as `service.operation` texts.
struct Declared {
    name: String,
    choreographed: bool,
    steps: Vec<(String, String, Option<String>, bool)>,
    on_failure: Option<String>,
}

fn operation(system: &meshc::model::System, op: &meshc::model::OperationRef) -> String {
    format!(
        "{}.{}",
        system.service(op.service).unwrap().name.text,
        op.operation.text
    )
}

fn declared(system: &meshc::model::System) -> Vec<Declared> {
    system
        .sagas
        .iter()
        .map(|saga| Declared {
            name: saga.name.text.clone(),
            choreographed: saga.mode.value == meshc::model::SagaMode::Choreographed,
            steps: saga
                .steps
                .iter()
                .map(|step| {
                    (
                        step.name.text.clone(),
                        operation(system, step.action.as_ref().unwrap()),
                        step.undo.as_ref().map(|undo| operation(system, undo)),
                        step.pivot,
                    )
                })
                .collect(),
            on_failure: saga.on_failure.as_ref().map(|op| operation(system, op)),
        })
        .collect()
}

impl Declared {
    /// The operations that must run after step `failed` fails, in order,
    /// and whether the execution must end in the dead-letter path.
    fn expected_after(&self, failed: usize) -> (Vec<String>, bool) {
        let pivot = self.steps.iter().position(|step| step.3);
        if pivot.is_some_and(|pivot| failed > pivot) {
            return (Vec::new(), true);
        }
        let mut expected: Vec<String> = (0..failed)
            .rev()
            .filter_map(|index| self.steps[index].2.clone())
            .collect();
        expected.extend(self.on_failure.clone());
        (expected, false)
    }
}

fn build(path: &Path) -> (meshc::model::System, BTreeMap<String, String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let analysis = meshc::analyze(&text);
    let system = analysis.system.unwrap();
    let source = meshc::diagnostics::SourceFile {
        name: common::file_name(path),
        text,
    };
    let files = meshc::compile(&source, &meshc::Options::default()).files;
    (system, files)
}

// ---------------------------------------------------------------------------
// Orchestrated: the Step Functions JSON.

/// The service and operation a task state runs, read from its parameters:
/// the placeholder names the service, the payload or message the operation.
fn task_operation(state: &Json) -> Option<String> {
    let parameters = state.get("Parameters")?;
    let (target, message) = if let Some(function) = parameters.get("FunctionName") {
        (function.as_str()?, parameters.get("Payload")?)
    } else {
        (
            parameters.get("QueueUrl")?.as_str()?,
            parameters.get("MessageBody")?,
        )
    };
    let operation = message.get("operation")?.as_str()?;
    // `${inventory_function_arn}`, `${payment_commands_queue_url}`.
    let placeholder = target.strip_prefix("${")?.strip_suffix('}')?;
    let service = placeholder
        .strip_suffix("_function_arn")
        .or_else(|| placeholder.strip_suffix("_commands_queue_url"))?;
    Some(format!("{}.{operation}", service.replace('_', "-")))
}

struct Walk {
    /// The operations of the tasks run, in order (dead-letter sends are
    /// `dead-letter`).
    operations: Vec<String>,
    /// The state types visited, the last one first.
    end: String,
}

/// Walks the definition: every task succeeds but the one running
/// `failing`'s operation at step position, which follows its first Catch.
fn walk(definition: &Json, failing_state: Option<&str>) -> Walk {
    let states = definition["States"].as_object().unwrap();
    let mut current = definition["StartAt"].as_str().unwrap().to_string();
    let mut operations = Vec::new();
    for _ in 0..1000 {
        let state = &states[&current];
        let kind = state["Type"].as_str().unwrap();
        match kind {
            "Succeed" | "Fail" => {
                return Walk {
                    operations,
                    end: kind.to_string(),
                };
            }
            "Task" => {
                assert!(
                    state.get("TimeoutSeconds").and_then(Json::as_u64).is_some()
                        || state["Resource"] == "arn:aws:states:::sqs:sendMessage",
                    "{current} has no timeout"
                );
                operations.push(task_operation(state).unwrap_or_else(|| "dead-letter".to_string()));
            }
            _ => {}
        }
        let next = if failing_state == Some(current.as_str()) {
            state["Catch"][0]["Next"].as_str()
        } else {
            state["Next"].as_str()
        };
        current = next
            .unwrap_or_else(|| panic!("{current} says nowhere to go"))
            .to_string();
    }
    panic!("the definition loops");
}

fn reachable(definition: &Json) -> BTreeSet<String> {
    let states = definition["States"].as_object().unwrap();
    let mut seen = BTreeSet::new();
    let mut stack = vec![definition["StartAt"].as_str().unwrap().to_string()];
    while let Some(name) = stack.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let state = &states[&name];
        if let Some(next) = state["Next"].as_str() {
            stack.push(next.to_string());
        }
        for catch in state["Catch"].as_array().into_iter().flatten() {
            stack.push(catch["Next"].as_str().unwrap().to_string());
        }
    }
    seen
}

/// The state that runs a step: the task whose operation is the step's `do`
/// and which the happy path reaches in the step's position.
fn step_states(definition: &Json, saga: &Declared) -> Vec<String> {
    let states = definition["States"].as_object().unwrap();
    let mut current = definition["StartAt"].as_str().unwrap().to_string();
    let mut found = Vec::new();
    while found.len() < saga.steps.len() {
        let state = &states[&current];
        if state["Type"] == "Task" {
            assert_eq!(
                task_operation(state).as_deref(),
                Some(saga.steps[found.len()].1.as_str()),
                "{}: the happy path runs the steps in order",
                saga.name
            );
            found.push(current.clone());
        }
        current = state["Next"].as_str().unwrap().to_string();
    }
    found
}

#[test]
fn every_orchestrated_saga_compensates_exactly_the_completed_steps() {
    let mut checked = 0;
    for path in common::mesh_files("examples") {
        let (system, files) = build(&path);
        for saga in declared(&system).iter().filter(|saga| !saga.choreographed) {
            let file = format!("stepfunctions/{}.asl.json", saga.name);
            let definition: Json = serde_json::from_str(
                files
                    .get(&file)
                    .unwrap_or_else(|| panic!("{}: no {file}", common::file_name(&path))),
            )
            .unwrap();
            let states = definition["States"].as_object().unwrap();
            assert_eq!(
                reachable(&definition),
                states.keys().cloned().collect::<BTreeSet<_>>(),
                "{}: every state is reachable",
                saga.name
            );
            let happy = walk(&definition, None);
            let all: Vec<String> = saga.steps.iter().map(|step| step.1.clone()).collect();
            assert_eq!(happy.operations, all, "{}: the happy path", saga.name);
            assert_eq!(happy.end, "Succeed", "{}: the happy path", saga.name);
            let step_states = step_states(&definition, saga);
            for (failed, state) in step_states.iter().enumerate() {
                let run = walk(&definition, Some(state));
                let (after, dead_letter) = saga.expected_after(failed);
                let mut expected: Vec<String> = all[..=failed].to_vec();
                expected.extend(after);
                if dead_letter {
                    expected.push("dead-letter".to_string());
                }
                assert_eq!(
                    run.operations, expected,
                    "{}: when {} fails",
                    saga.name, saga.steps[failed].0
                );
                assert_eq!(
                    run.end, "Fail",
                    "{}: when {} fails",
                    saga.name, saga.steps[failed].0
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 0, "no orchestrated saga in the examples");
}

#[test]
fn a_failing_compensation_keeps_the_state_and_fails() {
    for path in common::mesh_files("examples") {
        let (system, files) = build(&path);
        for saga in declared(&system).iter().filter(|saga| !saga.choreographed) {
            let definition: Json =
                serde_json::from_str(&files[&format!("stepfunctions/{}.asl.json", saga.name)])
                    .unwrap();
            let states = definition["States"].as_object().unwrap();
            for (name, state) in states {
                let operation = task_operation(state);
                let compensation = saga.steps.iter().any(|step| step.2 == operation)
                    || operation == saga.on_failure;
                if operation.is_none() || !compensation {
                    continue;
                }
                // Where a failed compensation goes, and where that goes.
                let mut current = state["Catch"][0]["Next"].as_str().unwrap();
                let sink = &states[current];
                assert_eq!(
                    sink["Resource"], "arn:aws:states:::sqs:sendMessage",
                    "{name}"
                );
                assert!(
                    sink["Parameters"]["QueueUrl"]
                        .as_str()
                        .unwrap()
                        .contains("dlq"),
                    "{name}"
                );
                current = sink["Next"].as_str().unwrap();
                assert_eq!(states[current]["Type"], "Fail", "{name}");
                assert!(state["Retry"].is_array(), "{name}: compensations retry");
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Choreographed: the EventBridge rules in events.tf.

/// A literal HCL expression as JSON (for `jsonencode(...)` arguments).
fn literal(expression: &hcl::Expression) -> Json {
    match expression {
        hcl::Expression::String(text) => Json::from(text.as_str()),
        hcl::Expression::Number(number) => serde_json::to_value(number).unwrap(),
        hcl::Expression::Bool(flag) => Json::from(*flag),
        hcl::Expression::Array(items) => Json::Array(items.iter().map(literal).collect()),
        hcl::Expression::Object(entries) => Json::Object(
            entries
                .iter()
                .map(|(key, value)| {
                    let key = match key {
                        hcl::ObjectKey::Identifier(identifier) => identifier.to_string(),
                        hcl::ObjectKey::Expression(hcl::Expression::String(text)) => text.clone(),
                        other => panic!("unexpected key {other:?}"),
                    };
                    (key, literal(value))
                })
                .collect(),
        ),
        other => Json::from(format!("{other}")),
    }
}

struct Rule {
    /// The detail types the rule matches (empty for the trigger rule).
    detail_types: Vec<String>,
    detail_type_only_trigger: bool,
    /// `service.operation` it runs, or `dead-letter`.
    runs: String,
}

fn choreography_rules(events_tf: &str, saga: &str, trigger: &str) -> Vec<Rule> {
    let body: hcl::Body = hcl::from_str(events_tf).unwrap();
    let mut patterns: BTreeMap<String, Json> = BTreeMap::new();
    let mut rules = Vec::new();
    for block in body.blocks() {
        let labels: Vec<String> = block
            .labels()
            .iter()
            .map(|label| label.as_str().to_string())
            .collect();
        if block.identifier() != "resource" || !labels[1].starts_with(&format!("{saga}--")) {
            continue;
        }
        let attribute = |key: &str| {
            block
                .body()
                .attributes()
                .find(|attribute| attribute.key() == key)
                .map(|attribute| attribute.expr().clone())
        };
        match labels[0].as_str() {
            "aws_cloudwatch_event_rule" => {
                let hcl::Expression::FuncCall(call) = attribute("event_pattern").unwrap() else {
                    panic!("{}: event_pattern is not jsonencode(...)", labels[1]);
                };
                patterns.insert(labels[1].clone(), literal(&call.args[0]));
            }
            "aws_cloudwatch_event_target" => {
                // `aws_cloudwatch_event_rule.LABEL.name`: the rule the target is on.
                let rule_ref = attribute("rule").unwrap().to_string();
                let rule_name = rule_ref.split('.').nth(1).unwrap().to_string();
                // aws_lambda_function.SERVICE.arn or aws_sqs_queue.SERVICE--commands.arn
                let arn = attribute("arn").unwrap().to_string();
                let service = arn
                    .split('.')
                    .nth(1)
                    .unwrap()
                    .trim_end_matches("--commands")
                    .to_string();
                let template = block
                    .body()
                    .blocks()
                    .find(|nested| nested.identifier() == "input_transformer")
                    .and_then(|transformer| {
                        transformer
                            .body()
                            .attributes()
                            .find(|attribute| attribute.key() == "input_template")
                            .map(|attribute| attribute.expr().clone())
                    });
                let runs = match template {
                    // The template is JSON once EventBridge puts the event in.
                    Some(hcl::Expression::String(text)) => {
                        let input: Json =
                            serde_json::from_str(&text.replace("<aws.events.event>", "{}"))
                                .unwrap();
                        format!("{service}.{}", input["operation"].as_str().unwrap())
                    }
                    Some(other) => panic!("{rule_name}: input_template is {other:?}"),
                    None => "dead-letter".to_string(),
                };
                rules.push((rule_name, runs));
            }
            _ => {}
        }
    }
    rules
        .into_iter()
        .map(|(rule, runs)| {
            let pattern = &patterns[&rule];
            let detail_types: Vec<String> = pattern["detail-type"]
                .as_array()
                .unwrap()
                .iter()
                .map(|value| value.as_str().unwrap().to_string())
                .collect();
            let only_trigger = detail_types == [trigger.to_string()];
            Rule {
                detail_types,
                detail_type_only_trigger: only_trigger,
                runs,
            }
        })
        .collect()
}

#[test]
fn every_choreographed_saga_compensates_exactly_the_completed_steps() {
    let mut checked = 0;
    for path in common::mesh_files("examples") {
        let (system, files) = build(&path);
        for (index, saga) in declared(&system).iter().enumerate() {
            if !saga.choreographed {
                continue;
            }
            let trigger = system.sagas[index]
                .trigger
                .map(|trigger| system.event(trigger.value).unwrap().detail_type.clone())
                .unwrap();
            let rules = choreography_rules(&files["terraform/events.tf"], &saga.name, &trigger);
            let step_of = |operation: &str| saga.steps.iter().position(|step| step.1 == operation);
            let undo_of = |operation: &str| {
                saga.steps
                    .iter()
                    .position(|step| step.2.as_deref() == Some(operation))
            };
            // Follows the events from the trigger; `failing` fails.
            let follow = |failing: Option<usize>| -> Vec<String> {
                let mut ran = Vec::new();
                let mut rule = rules.iter().find(|rule| rule.detail_type_only_trigger);
                for _ in 0..100 {
                    let Some(current) = rule else { break };
                    ran.push(current.runs.clone());
                    let event = if let Some(step) = step_of(&current.runs) {
                        let outcome = if failing == Some(step) {
                            "failed"
                        } else {
                            "completed"
                        };
                        format!("{}.{}.{outcome}", saga.name, saga.steps[step].0)
                    } else if let Some(step) = undo_of(&current.runs) {
                        format!("{}.{}.undone", saga.name, saga.steps[step].0)
                    } else {
                        break;
                    };
                    rule = rules.iter().find(|rule| rule.detail_types.contains(&event));
                }
                ran
            };
            let all: Vec<String> = saga.steps.iter().map(|step| step.1.clone()).collect();
            assert_eq!(follow(None), all, "{}: the happy path", saga.name);
            for failed in 0..saga.steps.len() {
                let (after, dead_letter) = saga.expected_after(failed);
                let mut expected: Vec<String> = all[..=failed].to_vec();
                expected.extend(after);
                if dead_letter {
                    expected.push("dead-letter".to_string());
                }
                assert_eq!(
                    follow(Some(failed)),
                    expected,
                    "{}: when {} fails",
                    saga.name,
                    saga.steps[failed].0
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 0, "no choreographed saga in the examples");
}

fn meshc(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_meshc"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn snapshot_of(input: &str, name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_input_file(input);
    settings.set_snapshot_suffix(name);
    settings.bind(|| insta::assert_snapshot!(text));
}

#[test]
fn simulate_prints_the_path_of_a_failure() {
    let output = meshc(&[
        "simulate",
        "examples/shop.mesh",
        "checkout",
        "--fail",
        "confirm",
    ]);
    assert!(output.status.success());
    snapshot_of(
        "examples/shop.mesh",
        "checkout-confirm",
        &String::from_utf8(output.stdout).unwrap(),
    );
    let output = meshc(&[
        "simulate",
        "examples/orders-choreography.mesh",
        "order-saga",
        "--fail",
        "pay",
    ]);
    assert!(output.status.success());
    snapshot_of(
        "examples/orders-choreography.mesh",
        "order-saga-pay",
        &String::from_utf8(output.stdout).unwrap(),
    );
    let output = meshc(&[
        "simulate",
        "examples/shop.mesh",
        "checkout",
        "--fail",
        "chrage",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "error: no step `chrage`; did you mean `charge`?\n"
    );
    let output = meshc(&["simulate", "examples/shop.mesh", "chekout"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "error: no saga `chekout`; did you mean `checkout`?\n"
    );
}

/// The longest a task state can take, read from its definition: every
/// attempt up to its `TimeoutSeconds`, and every wait between (jitter only
/// shortens them).
fn task_worst_case(state: &Json) -> f64 {
    let timeout = state["TimeoutSeconds"]
        .as_f64()
        .expect("a task without a timeout");
    let mut attempts = 1.0;
    let mut waits = 0.0;
    for retry in state["Retry"].as_array().into_iter().flatten() {
        let interval = retry["IntervalSeconds"].as_f64().unwrap_or(1.0);
        let rate = retry["BackoffRate"].as_f64().unwrap_or(2.0);
        let cap = retry["MaxDelaySeconds"].as_f64().unwrap_or(f64::INFINITY);
        let retries = retry["MaxAttempts"].as_u64().unwrap_or(3);
        attempts += retries as f64;
        for k in 0..retries {
            waits += (interval * rate.powi(i32::try_from(k).unwrap())).min(cap);
        }
    }
    timeout * attempts + waits
}

/// A saga's `timeout` is a deadline on the steps it can still undo (up to
/// and including the pivot): read from the emitted definition, those
/// steps, each failing every attempt at its `TimeoutSeconds` with every
/// backoff, end by it, so that a slow execution fails a step, which is
/// caught and undone. The machine's own `TimeoutSeconds` is a backstop
/// long enough for that and for the steps after the pivot and every
/// compensation, so it never cuts a compensation short. (A Fargate step's
/// attempts had the whole deadline each: the shop's checkout could take
/// 3 × 300 s on one step of a 5-minute saga, and the backstop then stopped
/// it without running a `Catch`.)
#[test]
fn the_deadline_of_a_saga_ends_its_steps_and_leaves_time_to_undo_them() {
    let mut checked = 0;
    for path in common::mesh_files("examples") {
        let (system, files) = build(&path);
        for (saga, model) in declared(&system).iter().zip(&system.sagas) {
            let Some(deadline) = model.timeout else {
                continue;
            };
            if saga.choreographed {
                continue;
            }
            let deadline = deadline.value.as_secs_f64();
            let definition: Json =
                serde_json::from_str(&files[&format!("stepfunctions/{}.asl.json", saga.name)])
                    .unwrap();
            let steps = step_states(&definition, saga);
            let pivot = saga.steps.iter().position(|step| step.3);
            let states = definition["States"].as_object().unwrap();
            let mut forward = 0.0;
            let mut after = 0.0;
            for (index, name) in steps.iter().enumerate() {
                let worst = task_worst_case(&states[name]);
                if pivot.is_some_and(|pivot| index > pivot) {
                    after += worst;
                } else {
                    forward += worst;
                }
            }
            assert!(
                forward <= deadline,
                "{}: the steps up to the pivot may take {forward}s, past the deadline of {deadline}s",
                saga.name
            );
            let undoing: f64 = states
                .iter()
                .filter(|(name, state)| state["Type"] == "Task" && !steps.contains(name))
                .map(|(_, state)| task_worst_case(state))
                .sum();
            let backstop = definition["TimeoutSeconds"].as_f64().unwrap();
            assert!(
                backstop >= deadline + after + undoing,
                "{}: the machine stops after {backstop}s, before its steps and compensations may end ({deadline}s + {after}s + {undoing}s)",
                saga.name
            );
            checked += 1;
        }
    }
    assert!(
        checked > 0,
        "no example has an orchestrated saga with a timeout"
    );
}
