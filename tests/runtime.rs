//! What AWS does with the emitted messaging when a delivery fails, read
//! from the files of every example as AWS reads them.
//!
//! EventBridge sends an event it could not deliver to the dead-letter
//! queue of the target, and only when that queue's policy allows
//! `sqs:SendMessage` to `events.amazonaws.com` for that rule's ARN
//! (`aws:SourceArn`); otherwise the event is dropped and only the rule's
//! `InvocationsFailedToBeSentToDlq` metric says so. So for every target of
//! every rule with a dead-letter queue, in Terraform and in CloudFormation,
//! the queue's policy must have such a statement.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // Tests may fail loudly.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

/// Every example's emitted files, by example name.
fn examples() -> Vec<(String, BTreeMap<String, String>)> {
    common::mesh_files(concat!(env!("CARGO_MANIFEST_DIR"), "/examples"))
        .into_iter()
        .map(|path| {
            let source = meshc::diagnostics::SourceFile {
                name: common::file_name(&path),
                text: std::fs::read_to_string(&path).unwrap(),
            };
            let output = meshc::compile(&source, &meshc::Options::default());
            assert!(!output.files.is_empty(), "{}: nothing built", source.name);
            (source.name, output.files)
        })
        .collect()
}

/// (rule, dead-letter queue) for every target with a dead-letter queue,
/// and (queue, rule) for every statement that lets a rule send to a queue.
type Deliveries = (BTreeSet<(String, String)>, BTreeSet<(String, String)>);

fn expression(expression: &hcl::Expression) -> String {
    hcl::format::to_string(expression).unwrap()
}

fn attribute<'a>(body: &'a hcl::Body, key: &str) -> Option<&'a hcl::Expression> {
    body.attributes()
        .find(|attribute| attribute.key() == key)
        .map(hcl::Attribute::expr)
}

/// `aws_x.NAME.attribute` → NAME.
fn label(reference: &str) -> String {
    reference.split('.').nth(1).unwrap_or(reference).to_string()
}

/// Every Terraform file of a build, parsed.
fn terraform_bodies(files: &BTreeMap<String, String>) -> Vec<hcl::Body> {
    files
        .iter()
        .filter(|(path, _)| {
            std::path::Path::new(path)
                .extension()
                .is_some_and(|extension| extension == "tf")
        })
        .map(|(_, text)| hcl::from_str(text).unwrap())
        .collect()
}

/// A block's labels, as text.
fn labels(block: &hcl::Block) -> Vec<&str> {
    block.labels().iter().map(hcl::BlockLabel::as_str).collect()
}

fn terraform(files: &BTreeMap<String, String>) -> Deliveries {
    let mut dead_letters = BTreeSet::new();
    let mut allowed = BTreeSet::new();
    // The policy document each queue's policy names.
    let mut document_of_queue = BTreeMap::new();
    let mut statements_of_document: BTreeMap<String, Vec<&hcl::Block>> = BTreeMap::new();
    let bodies = terraform_bodies(files);
    for body in &bodies {
        for block in body.blocks() {
            let labels = labels(block);
            match (block.identifier(), labels.as_slice()) {
                ("resource", ["aws_cloudwatch_event_target", _]) => {
                    let rule = label(&expression(attribute(block.body(), "rule").unwrap()));
                    for dead_letter in block
                        .body()
                        .blocks()
                        .filter(|inner| inner.identifier() == "dead_letter_config")
                    {
                        let queue =
                            label(&expression(attribute(dead_letter.body(), "arn").unwrap()));
                        dead_letters.insert((rule.clone(), queue));
                    }
                }
                ("resource", ["aws_sqs_queue_policy", name]) => {
                    let queue = label(&expression(attribute(block.body(), "queue_url").unwrap()));
                    let policy = expression(attribute(block.body(), "policy").unwrap());
                    assert_eq!(queue, *name);
                    document_of_queue.insert(label(policy.trim_start_matches("data.")), queue);
                }
                ("data", ["aws_iam_policy_document", name]) => {
                    statements_of_document.insert(
                        (*name).to_string(),
                        block
                            .body()
                            .blocks()
                            .filter(|inner| inner.identifier() == "statement")
                            .collect(),
                    );
                }
                _ => {}
            }
        }
    }
    for (document, queue) in &document_of_queue {
        for statement in statements_of_document.get(document).into_iter().flatten() {
            let body = statement.body();
            let effect = attribute(body, "effect").map(expression);
            let actions = attribute(body, "actions")
                .map(expression)
                .unwrap_or_default();
            let principal = body
                .blocks()
                .filter(|inner| inner.identifier() == "principals")
                .filter_map(|inner| attribute(inner.body(), "identifiers"))
                .map(expression)
                .collect::<String>();
            if effect.as_deref() != Some("\"Allow\"")
                || !actions.contains("\"sqs:SendMessage\"")
                || !principal.contains("\"events.amazonaws.com\"")
            {
                continue;
            }
            for condition in body
                .blocks()
                .filter(|inner| inner.identifier() == "condition")
            {
                let variable = attribute(condition.body(), "variable").map(expression);
                if variable.as_deref() != Some("\"aws:SourceArn\"") {
                    continue;
                }
                let Some(hcl::Expression::Array(values)) = attribute(condition.body(), "values")
                else {
                    continue;
                };
                for value in values {
                    let value = expression(value);
                    if value.starts_with("aws_cloudwatch_event_rule.") {
                        allowed.insert((queue.clone(), label(&value)));
                    }
                }
            }
        }
    }
    (dead_letters, allowed)
}

/// The logical id a `Fn::GetAtt` or `Ref` names.
fn logical_id(value: &Json) -> Option<String> {
    value
        .get("Fn::GetAtt")
        .and_then(|pair| pair.get(0))
        .or_else(|| value.get("Ref"))
        .and_then(Json::as_str)
        .map(str::to_string)
}

fn cloudformation(template: &Json) -> Deliveries {
    let mut dead_letters = BTreeSet::new();
    let mut allowed = BTreeSet::new();
    let resources = template["Resources"].as_object().unwrap();
    for (id, resource) in resources {
        let properties = &resource["Properties"];
        match resource["Type"].as_str().unwrap() {
            "AWS::Events::Rule" => {
                for target in properties["Targets"].as_array().into_iter().flatten() {
                    if let Some(queue) = logical_id(&target["DeadLetterConfig"]["Arn"]) {
                        dead_letters.insert((id.clone(), queue));
                    }
                }
            }
            "AWS::SQS::QueuePolicy" => {
                let queues: Vec<String> = properties["Queues"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(logical_id)
                    .collect();
                for statement in properties["PolicyDocument"]["Statement"]
                    .as_array()
                    .unwrap()
                {
                    let actions = statement["Action"].to_string();
                    if statement["Effect"] != "Allow"
                        || statement["Principal"]["Service"] != "events.amazonaws.com"
                        || !actions.contains("sqs:SendMessage")
                    {
                        continue;
                    }
                    let sources = &statement["Condition"]["ArnEquals"]["aws:SourceArn"];
                    let sources: Vec<&Json> = match sources {
                        Json::Array(values) => values.iter().collect(),
                        other => vec![other],
                    };
                    for rule in sources.into_iter().filter_map(logical_id) {
                        for queue in &queues {
                            allowed.insert((queue.clone(), rule.clone()));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    (dead_letters, allowed)
}

#[test]
fn every_dead_letter_queue_accepts_what_its_rule_could_not_deliver() {
    let mut checked = 0;
    for (example, files) in examples() {
        let template: Json = serde_json::from_str(&files["cloudformation/template.json"]).unwrap();
        for (backend, (dead_letters, allowed)) in [
            ("terraform", terraform(&files)),
            ("cloudformation", cloudformation(&template)),
        ] {
            let refused: Vec<&(String, String)> = dead_letters
                .iter()
                .filter(|(rule, queue)| !allowed.contains(&(queue.clone(), rule.clone())))
                .collect();
            assert!(
                refused.is_empty(),
                "{example} ({backend}): these rules' dead-letter queues refuse them (rule, queue): {refused:?}"
            );
            checked += dead_letters.len();
        }
    }
    // The examples have rules with dead-letter queues in both backends.
    assert!(checked >= 20, "only {checked} dead-letter queues checked");
}

/// What a stream's event source mapping does with a batch that keeps
/// failing: (retries, record age in seconds, on-failure queue, the stream's
/// retention in seconds), by mapping.
type StreamMappings = BTreeMap<String, (Option<i64>, Option<i64>, Option<String>, i64)>;

fn number(value: Option<&hcl::Expression>) -> Option<i64> {
    match value {
        Some(hcl::Expression::Number(number)) => number.as_i64(),
        _ => None,
    }
}

fn terraform_stream_mappings(files: &BTreeMap<String, String>) -> StreamMappings {
    let mut found = BTreeMap::new();
    let bodies = terraform_bodies(files);
    // Each stream's and stream consumer's retention, in seconds.
    let mut retention = BTreeMap::new();
    for block in bodies.iter().flat_map(hcl::Body::blocks) {
        let labels = labels(block);
        if let ["aws_kinesis_stream", name] = labels.as_slice() {
            let hours = number(attribute(block.body(), "retention_period")).unwrap_or(24);
            retention.insert(format!("aws_kinesis_stream.{name}"), hours * 3600);
        }
    }
    for block in bodies.iter().flat_map(hcl::Body::blocks) {
        let labels = labels(block);
        if let ["aws_kinesis_stream_consumer", name] = labels.as_slice() {
            let stream = expression(attribute(block.body(), "stream_arn").unwrap());
            let seconds = retention[stream.trim_end_matches(".arn")];
            retention.insert(format!("aws_kinesis_stream_consumer.{name}"), seconds);
        }
    }
    for body in &bodies {
        for block in body.blocks() {
            let labels = labels(block);
            let ["aws_lambda_event_source_mapping", name] = labels.as_slice() else {
                continue;
            };
            let source = expression(attribute(block.body(), "event_source_arn").unwrap());
            if !source.starts_with("aws_kinesis_") {
                continue;
            }
            let destination = block
                .body()
                .blocks()
                .filter(|inner| inner.identifier() == "destination_config")
                .flat_map(|inner| inner.body().blocks())
                .filter(|inner| inner.identifier() == "on_failure")
                .find_map(|inner| attribute(inner.body(), "destination_arn"))
                .map(|arn| label(&expression(arn)));
            found.insert(
                (*name).to_string(),
                (
                    number(attribute(block.body(), "maximum_retry_attempts")),
                    number(attribute(block.body(), "maximum_record_age_in_seconds")),
                    destination,
                    retention[source.trim_end_matches(".arn")],
                ),
            );
        }
    }
    found
}

fn cloudformation_stream_mappings(template: &Json) -> StreamMappings {
    let mut found = BTreeMap::new();
    for (id, resource) in template["Resources"].as_object().unwrap() {
        if resource["Type"] != "AWS::Lambda::EventSourceMapping" {
            continue;
        }
        let properties = &resource["Properties"];
        let resources = &template["Resources"];
        let mut source = logical_id(&properties["EventSourceArn"]).unwrap_or_default();
        if resources[&source]["Type"] == "AWS::Kinesis::StreamConsumer" {
            source = logical_id(&resources[&source]["Properties"]["StreamARN"]).unwrap();
        }
        if resources[&source]["Type"] != "AWS::Kinesis::Stream" {
            continue;
        }
        let hours = resources[&source]["Properties"]["RetentionPeriodHours"]
            .as_i64()
            .unwrap_or(24);
        found.insert(
            id.clone(),
            (
                properties["MaximumRetryAttempts"].as_i64(),
                properties["MaximumRecordAgeInSeconds"].as_i64(),
                logical_id(&properties["DestinationConfig"]["OnFailure"]["Destination"]),
                hours * 3600,
            ),
        );
    }
    found
}

/// Whether some role policy of the template lets its role send to `queue`.
fn cloudformation_may_send_to(template: &Json, queue: &str) -> bool {
    template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|resource| resource["Type"] == "AWS::IAM::RolePolicy")
        .flat_map(|policy| {
            policy["Properties"]["PolicyDocument"]["Statement"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .any(|statement| {
            statement["Effect"] == "Allow"
                && statement["Action"].to_string().contains("sqs:SendMessage")
                && statement["Resource"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|resource| logical_id(resource).as_deref() == Some(queue))
        })
}

#[test]
fn no_failing_stream_record_blocks_its_shard_until_it_expires() {
    let mut checked = 0;
    for (example, files) in examples() {
        let template: Json = serde_json::from_str(&files["cloudformation/template.json"]).unwrap();
        for (backend, mappings) in [
            ("terraform", terraform_stream_mappings(&files)),
            ("cloudformation", cloudformation_stream_mappings(&template)),
        ] {
            for (mapping, (retries, age, destination, retention)) in mappings {
                // AWS's defaults (-1, or nothing) retry until the record
                // expires from the stream, its shard stalled behind it.
                assert!(
                    retries.is_some_and(|retries| (0..=10).contains(&retries)),
                    "{example} ({backend}) {mapping}: retries {retries:?}"
                );
                // Under the stream's retention, so that a record given up
                // on can still be read again from the stream.
                assert!(
                    age.is_some_and(|age| (60..retention).contains(&age)),
                    "{example} ({backend}) {mapping}: maximum record age {age:?}, retention {retention} s"
                );
                let destination = destination.unwrap_or_else(|| {
                    panic!("{example} ({backend}) {mapping}: no on-failure destination")
                });
                if backend == "cloudformation" {
                    assert!(
                        cloudformation_may_send_to(&template, &destination),
                        "{example}: no role may send to {destination}"
                    );
                } else {
                    // The queue exists and its ARN is what the mapping names.
                    assert!(
                        files.values().any(|text| text
                            .contains(&format!("resource \"aws_sqs_queue\" \"{destination}\""))),
                        "{example}: no queue {destination}"
                    );
                }
                checked += 1;
            }
        }
    }
    // The analytics example consumes a stream with a Lambda function.
    assert!(checked >= 2, "only {checked} stream mappings checked");
}
