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

use common::terraform_bodies;
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

/// How a target group checks its targets: `Some(path)` over HTTP, `None`
/// over TCP; no entry where nothing is checked.
type HealthChecks = BTreeMap<String, Option<String>>;

/// Each target group's check in Terraform, by the service it serves (the
/// `container_name` of the ECS service, the function of a Lambda target).
fn terraform_health_checks(files: &BTreeMap<String, String>) -> HealthChecks {
    let bodies = terraform_bodies(files);
    let mut served_by_group = BTreeMap::new();
    let mut groups = BTreeMap::new();
    for block in bodies.iter().flat_map(hcl::Body::blocks) {
        match labels(block).as_slice() {
            ["aws_ecs_service", _] => {
                for balancer in block.body().blocks() {
                    if balancer.identifier() != "load_balancer" {
                        continue;
                    }
                    let body = balancer.body();
                    let group = label(&expression(attribute(body, "target_group_arn").unwrap()));
                    let container = expression(attribute(body, "container_name").unwrap());
                    served_by_group.insert(group, container.trim_matches('"').to_string());
                }
            }
            ["aws_lb_target_group_attachment", _] => {
                let body = block.body();
                let group = label(&expression(attribute(body, "target_group_arn").unwrap()));
                let function = label(&expression(attribute(body, "target_id").unwrap()));
                served_by_group.insert(group, function);
            }
            ["aws_lb_target_group", name] => {
                groups.insert((*name).to_string(), block.body().clone());
            }
            _ => {}
        }
    }
    let mut checks = HealthChecks::new();
    for (group, body) in &groups {
        let served = served_by_group
            .get(group)
            .unwrap_or_else(|| panic!("target group {group} serves nothing"));
        let Some(check) = body
            .blocks()
            .find(|inner| inner.identifier() == "health_check")
        else {
            continue;
        };
        let text = |key: &str| {
            attribute(check.body(), key)
                .map(|value| expression(value).trim_matches('"').to_string())
        };
        let lambda = text("enabled").is_some();
        // ELB checks over the group's own protocol unless told otherwise.
        let protocol = text("protocol").or_else(|| {
            attribute(body, "protocol").map(|value| expression(value).trim_matches('"').to_string())
        });
        let http = lambda || protocol.as_deref() == Some("HTTP");
        assert!(
            http || protocol.as_deref() == Some("TCP"),
            "{group}: a check over neither HTTP nor TCP"
        );
        checks.insert(served.clone(), http.then(|| text("path").unwrap()));
    }
    checks
}

/// The same, read from the CloudFormation template.
fn cloudformation_health_checks(template: &Json) -> HealthChecks {
    let resources = template["Resources"].as_object().unwrap();
    let mut checks = HealthChecks::new();
    let mut served_by_group = BTreeMap::new();
    for resource in resources.values() {
        if resource["Type"] == "AWS::ECS::Service" {
            for balancer in resource["Properties"]["LoadBalancers"]
                .as_array()
                .into_iter()
                .flatten()
            {
                served_by_group.insert(
                    logical_id(&balancer["TargetGroupArn"]).unwrap(),
                    balancer["ContainerName"].as_str().unwrap().to_string(),
                );
            }
        }
    }
    let functions: BTreeMap<&str, &str> = resources
        .iter()
        .filter(|(_, resource)| resource["Type"] == "AWS::Lambda::Function")
        .map(|(id, resource)| {
            let name = &resource["Properties"]["FunctionName"];
            // `${NamePrefix}-NAME`: the function's name in the system.
            let name = name["Fn::Sub"].as_str().unwrap_or_default();
            (
                id.as_str(),
                name.rsplit_once("}-").map_or(name, |(_, name)| name),
            )
        })
        .collect();
    for (id, resource) in resources {
        if resource["Type"] != "AWS::ElasticLoadBalancingV2::TargetGroup" {
            continue;
        }
        let properties = &resource["Properties"];
        let served = match properties["Targets"].as_array() {
            Some(targets) => {
                let function = logical_id(&targets[0]["Id"]).unwrap();
                functions[function.as_str()].to_string()
            }
            None => served_by_group
                .get(id)
                .unwrap_or_else(|| panic!("target group {id} serves nothing"))
                .clone(),
        };
        let lambda = properties["TargetType"] == "lambda";
        if lambda && properties["HealthCheckEnabled"] != true {
            continue;
        }
        let protocol = properties["HealthCheckProtocol"]
            .as_str()
            .or(properties["Protocol"].as_str());
        let http = lambda || protocol == Some("HTTP");
        assert!(
            http || protocol == Some("TCP"),
            "{id}: a check over neither HTTP nor TCP"
        );
        checks.insert(
            served,
            http.then(|| properties["HealthCheckPath"].as_str().unwrap().to_string()),
        );
    }
    checks
}

/// What docs/runtime.md promises: a load balancer asks a service the path
/// it declares as `health`, wherever it is in front of it; without one, an
/// ALB asks a Fargate service `/health`, an NLB opens a TCP connection and
/// a Lambda function is not checked. (ELB's own default was `/`, which a
/// service routed at `/orders/*` does not serve, and an NLB dropped the
/// declared path for a TCP check.)
#[test]
fn every_load_balancer_asks_the_health_path_its_service_declares() {
    let mut seen = BTreeSet::new();
    for (example, files) in examples() {
        let source = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("examples")
                .join(&example),
        )
        .unwrap();
        let analysis = meshc::analyze(&source);
        let system = analysis.system.unwrap();
        let terraform = terraform_health_checks(&files);
        let template: Json = serde_json::from_str(&files["cloudformation/template.json"]).unwrap();
        let cloudformation = cloudformation_health_checks(&template);
        assert_eq!(
            terraform, cloudformation,
            "{example}: the backends disagree"
        );
        for service in &system.services {
            let name = &service.name.text;
            let declared = service
                .expose
                .as_ref()
                .and_then(|expose| expose.health_check.clone());
            let Some(check) = terraform.get(name) else {
                assert!(
                    declared.is_none(),
                    "{example}: {name} declares `health` and no load balancer asks it"
                );
                continue;
            };
            match (&declared, check) {
                (Some(declared), Some(path)) => assert_eq!(path, declared, "{example}: {name}"),
                (None, Some(path)) => {
                    assert!(!service.is_lambda(), "{example}: {name} checked unasked");
                    assert_eq!(path, "/health", "{example}: {name}");
                }
                (Some(_), None) => panic!("{example}: {name} declares `health` and gets TCP"),
                (None, None) => {}
            }
        }
        seen.extend(terraform.into_values());
    }
    // The examples hold a declared path, the default one and a TCP check.
    for kind in [Some("/health".to_string()), None] {
        assert!(seen.contains(&kind), "no example checks with {kind:?}");
    }
}

/// Whether a key policy statement, as (principal services, actions), lets
/// log delivery decrypt.
fn lets_log_delivery_decrypt(services: &[String], actions: &[String]) -> bool {
    services
        .iter()
        .any(|service| service == "delivery.logs.amazonaws.com")
        && actions
            .iter()
            .any(|action| action == "kms:Decrypt" || action == "kms:*")
}

/// A state machine encrypted with a customer managed key delivers its logs
/// only when the key policy lets `delivery.logs.amazonaws.com` decrypt
/// (Step Functions Developer Guide, "Data at rest encryption", step 3);
/// otherwise no execution is logged. Every example's state machines are
/// encrypted with the system key and log every execution.
#[test]
fn log_delivery_may_read_every_encrypted_state_machine() {
    let mut machines = 0;
    for (example, files) in examples() {
        let bodies = terraform_bodies(&files);
        let blocks: Vec<&hcl::Block> = bodies.iter().flat_map(hcl::Body::blocks).collect();
        let encrypted_and_logged = blocks
            .iter()
            .filter(|block| labels(block).first() == Some(&"aws_sfn_state_machine"))
            .filter(|block| {
                let inner: Vec<&str> = block.body().blocks().map(hcl::Block::identifier).collect();
                inner.contains(&"encryption_configuration")
                    && inner.contains(&"logging_configuration")
            })
            .count();
        let terraform = blocks
            .iter()
            .filter(|block| labels(block) == ["aws_iam_policy_document", "kms"])
            .flat_map(|block| block.body().blocks())
            .filter(|statement| statement.identifier() == "statement")
            .any(|statement| {
                // The literal strings of a list attribute.
                let strings = |body: &hcl::Body, key: &str| -> Vec<String> {
                    match attribute(body, key) {
                        Some(hcl::Expression::Array(items)) => items
                            .iter()
                            .filter_map(|item| match item {
                                hcl::Expression::String(text) => Some(text.clone()),
                                _ => None,
                            })
                            .collect(),
                        _ => Vec::new(),
                    }
                };
                let services: Vec<String> = statement
                    .body()
                    .blocks()
                    .filter(|inner| inner.identifier() == "principals")
                    .flat_map(|inner| strings(inner.body(), "identifiers"))
                    .collect();
                lets_log_delivery_decrypt(&services, &strings(statement.body(), "actions"))
            });
        let template: Json = serde_json::from_str(&files["cloudformation/template.json"]).unwrap();
        let resources = template["Resources"].as_object().unwrap();
        let cloudformation_machines = resources
            .values()
            .filter(|resource| resource["Type"] == "AWS::StepFunctions::StateMachine")
            .filter(|resource| {
                let properties = &resource["Properties"];
                properties["EncryptionConfiguration"]["Type"] == "CUSTOMER_MANAGED_KMS_KEY"
                    && properties["LoggingConfiguration"].is_object()
            })
            .count();
        assert_eq!(encrypted_and_logged, cloudformation_machines, "{example}");
        let as_list = |value: &Json| -> Vec<String> {
            match value {
                Json::String(text) => vec![text.clone()],
                Json::Array(items) => items
                    .iter()
                    .filter_map(|item| item.as_str().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            }
        };
        let cloudformation = resources
            .values()
            .filter(|resource| resource["Type"] == "AWS::KMS::Key")
            .flat_map(|key| {
                key["Properties"]["KeyPolicy"]["Statement"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .any(|statement| {
                statement["Effect"] == "Allow"
                    && lets_log_delivery_decrypt(
                        &as_list(&statement["Principal"]["Service"]),
                        &as_list(&statement["Action"]),
                    )
            });
        let needed = encrypted_and_logged > 0;
        assert_eq!(terraform, needed, "{example}: Terraform's key policy");
        assert_eq!(
            cloudformation, needed,
            "{example}: CloudFormation's key policy"
        );
        machines += encrypted_and_logged;
    }
    assert!(machines > 0, "no example has a state machine");
}

/// Every example's resolved system, emitted files and CloudFormation
/// template, with its path.
fn examples_with_systems() -> Vec<(String, meshc::model::System, BTreeMap<String, String>, Json)> {
    common::mesh_files(concat!(env!("CARGO_MANIFEST_DIR"), "/examples"))
        .into_iter()
        .map(|path| {
            let (system, files) = common::system_and_files(&path);
            let template: Json =
                serde_json::from_str(&files["cloudformation/template.json"]).unwrap();
            (path.display().to_string(), system, files, template)
        })
        .collect()
}

/// Every declared `egress` becomes the way out it needs, in both backends:
/// an egress rule of the service's security group to the declared
/// addresses or managed prefix list and port (the examples' payment and
/// notification services had none, behind NAT gateways they paid for; a
/// prefix list could not be declared), and, in Terraform, the network ACL
/// entries out to the addresses (anywhere, for a prefix list) and back on
/// the ephemeral ports.
#[test]
fn every_declared_egress_leaves_through_its_security_group_and_acls() {
    let mut checked = 0;
    let mut prefix_lists = 0;
    let mut systems = examples_with_systems();
    let pass = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/ui/pass/egress.mesh"
    ));
    let (system, files) = common::system_and_files(pass);
    let template: Json = serde_json::from_str(&files["cloudformation/template.json"]).unwrap();
    systems.push((pass.display().to_string(), system, files, template));
    for (path, system, files, template) in systems {
        let bodies = terraform_bodies(&files);
        let blocks: Vec<&hcl::Block> = bodies.iter().flat_map(hcl::Body::blocks).collect();
        let resources = template["Resources"].as_object().unwrap();
        for service in &system.services {
            for egress in &service.egress {
                let host = egress.host.as_ref().unwrap().value.clone();
                let description = format!("{} reaches {host}", service.name.text);
                // The security group names the prefix list; the network
                // ACLs, which cannot, open the port to anywhere.
                let (terraform_peer, cloudformation_peer, peer) = match &egress.to.value {
                    meshc::model::Destination::Addresses(cidr) => {
                        ("cidr_ipv4", "CidrIp", cidr.to_string())
                    }
                    meshc::model::Destination::PrefixList(id) => {
                        prefix_lists += 1;
                        ("prefix_list_id", "DestinationPrefixListId", id.clone())
                    }
                };
                let cidr = egress.to.value.addresses().to_string();
                let port = i64::from(egress.port.value);
                let terraform = blocks.iter().any(|block| {
                    labels(block).first() == Some(&"aws_vpc_security_group_egress_rule")
                        && attribute(block.body(), "description").map(expression)
                            == Some(format!("{description:?}"))
                        && attribute(block.body(), terraform_peer).map(expression)
                            == Some(format!("{peer:?}"))
                        && number(attribute(block.body(), "from_port")) == Some(port)
                });
                assert!(terraform, "{path}: no Terraform rule for {description}");
                let cloudformation = resources.values().any(|resource| {
                    resource["Type"] == "AWS::EC2::SecurityGroupEgress"
                        && resource["Properties"]["Description"] == description.as_str()
                        && resource["Properties"][cloudformation_peer] == peer.as_str()
                        && resource["Properties"]["FromPort"] == port
                });
                assert!(
                    cloudformation,
                    "{path}: no CloudFormation rule for {description}"
                );
                // An entry lets the traffic through when its block holds
                // the destination's and its ports the port (a wider entry,
                // for another flow, serves this one too).
                let destination: ipnet::Ipv4Net = cidr.parse().unwrap();
                let acl = |egress_side: bool, port: i64| {
                    blocks.iter().any(|block| {
                        let body = block.body();
                        let block_of = attribute(body, "cidr_block")
                            .map(expression)
                            .and_then(|text| text.trim_matches('"').parse::<ipnet::Ipv4Net>().ok());
                        labels(block).first() == Some(&"aws_network_acl_rule")
                            && attribute(body, "egress").map(expression)
                                == Some(egress_side.to_string())
                            && attribute(body, "rule_action").map(expression)
                                == Some("\"allow\"".to_string())
                            && block_of.is_some_and(|block| block.contains(&destination))
                            && number(attribute(body, "from_port")).is_some_and(|from| from <= port)
                            && number(attribute(body, "to_port")).is_some_and(|to| to >= port)
                    })
                };
                assert!(
                    acl(true, port),
                    "{path}: no ACL entry out for {description}"
                );
                assert!(
                    acl(false, 1024),
                    "{path}: no ACL entry for the replies of {description}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 6, "only {checked} egress destinations checked");
    assert_eq!(
        prefix_lists, 1,
        "the prefix list of tests/ui/pass/egress.mesh"
    );
}

/// A firewall rule to addresses that no relation needs is emitted as
/// declared, in both backends (it was dropped with a warning, so a partner
/// API declared this way was unreachable).
#[test]
fn a_declared_firewall_rule_to_addresses_is_emitted() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ui/pass/egress.mesh");
    let output = meshc::compile(
        &meshc::diagnostics::SourceFile {
            name: "egress.mesh".to_string(),
            text: std::fs::read_to_string(path).unwrap(),
        },
        &meshc::Options::default(),
    );
    let bodies = terraform_bodies(&output.files);
    let terraform = bodies.iter().flat_map(hcl::Body::blocks).any(|block| {
        labels(block).first() == Some(&"aws_vpc_security_group_egress_rule")
            && attribute(block.body(), "description").map(expression)
                == Some("\"declared in firewall payment\"".to_string())
            && attribute(block.body(), "cidr_ipv4").map(expression)
                == Some("\"203.0.113.0/24\"".to_string())
            && number(attribute(block.body(), "from_port")) == Some(8443)
    });
    assert!(terraform, "no Terraform rule for the declared opening");
    let template: Json =
        serde_json::from_str(&output.files["cloudformation/template.json"]).unwrap();
    let cloudformation = template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .any(|resource| {
            resource["Type"] == "AWS::EC2::SecurityGroupEgress"
                && resource["Properties"]["CidrIp"] == "203.0.113.0/24"
                && resource["Properties"]["FromPort"] == 8443
        });
    assert!(
        cloudformation,
        "no CloudFormation rule for the declared opening"
    );
}

/// Whether the template has an alarm on `metric` whose dimension `name` is
/// `value`, that fires above `threshold` (or below, for a desired count)
/// and notifies a topic.
fn alarmed(template: &Json, metric: &str, name: &str, value: &Json, threshold: &Json) -> bool {
    template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|resource| resource["Type"] == "AWS::CloudWatch::Alarm")
        .map(|resource| &resource["Properties"])
        .any(|alarm| {
            alarm["MetricName"] == metric
                && alarm["Dimensions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|dimension| dimension["Name"] == name && dimension["Value"] == *value)
                && alarm["Threshold"] == *threshold
                && alarm["AlarmActions"].as_array().is_some_and(|actions| {
                    actions
                        .iter()
                        .any(|action| action.get("Ref").is_some_and(Json::is_string))
                })
                && alarm["OKActions"] == alarm["AlarmActions"]
        })
}

/// What keeps a failure, read from the template: the dead-letter queue of
/// every queue, rule target and function, and the failure destination of
/// every stream mapping (the logical ids of the queues).
fn failure_queues(template: &Json) -> BTreeSet<String> {
    let mut queues = BTreeSet::new();
    let mut add = |value: &Json| {
        if let Some(id) = logical_id(value) {
            queues.insert(id);
        }
    };
    for resource in template["Resources"].as_object().unwrap().values() {
        let properties = &resource["Properties"];
        match resource["Type"].as_str().unwrap() {
            "AWS::SQS::Queue" => add(&properties["RedrivePolicy"]["deadLetterTargetArn"]),
            "AWS::Events::Rule" => {
                for target in properties["Targets"].as_array().into_iter().flatten() {
                    add(&target["DeadLetterConfig"]["Arn"]);
                }
            }
            "AWS::Lambda::Function" => add(&properties["DeadLetterConfig"]["TargetArn"]),
            "AWS::Lambda::EventSourceMapping" => {
                add(&properties["DestinationConfig"]["OnFailure"]["Destination"]);
            }
            _ => {}
        }
    }
    queues
}

/// Someone is told when something fails: in every example, every queue
/// that keeps failures has an alarm on a visible message; every queue a
/// function is fed from, an alarm on its oldest message; every function, on
/// its errors and throttles (and on its iterator age when it reads a
/// stream); every state machine, on failed and timed-out executions; every
/// Fargate service, on running fewer tasks than its desired count — each
/// notifying a topic when it fires and when it recovers. No alarm existed
/// anywhere, not even on the dead-letter queues meshc creates.
#[test]
fn every_failure_and_backlog_raises_an_alarm() {
    let mut checked = 0;
    for (example, files) in examples() {
        let template: Json = serde_json::from_str(&files["cloudformation/template.json"]).unwrap();
        let zero = Json::from(0);
        for queue in failure_queues(&template) {
            assert!(
                alarmed(
                    &template,
                    "ApproximateNumberOfMessagesVisible",
                    "QueueName",
                    &serde_json::json!({ "Fn::GetAtt": [queue, "QueueName"] }),
                    &zero
                ),
                "{example}: nobody hears of what {queue} keeps"
            );
            checked += 1;
        }
        for (id, resource) in template["Resources"].as_object().unwrap() {
            let properties = &resource["Properties"];
            let reference = serde_json::json!({ "Ref": id });
            let needed: Vec<(&str, &str, Json, Json)> = match resource["Type"].as_str().unwrap() {
                "AWS::Lambda::Function" => vec![
                    ("Errors", "FunctionName", reference.clone(), zero.clone()),
                    ("Throttles", "FunctionName", reference.clone(), zero.clone()),
                ],
                "AWS::StepFunctions::StateMachine" => vec![
                    (
                        "ExecutionsFailed",
                        "StateMachineArn",
                        reference.clone(),
                        zero.clone(),
                    ),
                    (
                        "ExecutionsTimedOut",
                        "StateMachineArn",
                        reference.clone(),
                        zero.clone(),
                    ),
                ],
                "AWS::ECS::Service" => vec![(
                    "RunningTaskCount",
                    "ServiceName",
                    serde_json::json!({ "Fn::GetAtt": [id, "Name"] }),
                    properties["DesiredCount"].clone(),
                )],
                "AWS::Lambda::EventSourceMapping" => {
                    let function = logical_id(&properties["FunctionName"]).unwrap();
                    let source = logical_id(&properties["EventSourceArn"]).unwrap();
                    if template["Resources"][&source]["Type"] == "AWS::SQS::Queue" {
                        vec![(
                            "ApproximateAgeOfOldestMessage",
                            "QueueName",
                            serde_json::json!({ "Fn::GetAtt": [source, "QueueName"] }),
                            Json::Null,
                        )]
                    } else {
                        vec![(
                            "IteratorAge",
                            "FunctionName",
                            serde_json::json!({ "Ref": function }),
                            Json::from(600_000),
                        )]
                    }
                }
                _ => Vec::new(),
            };
            for (metric, dimension, value, threshold) in needed {
                let threshold = if threshold.is_null() {
                    // Ten minutes, or half a shorter retention.
                    let retention = template["Resources"][logical_id(&value).unwrap()]
                        ["Properties"]["MessageRetentionPeriod"]
                        .as_u64()
                        .unwrap_or(345_600);
                    Json::from(600.min(retention / 2))
                } else {
                    threshold
                };
                assert!(
                    alarmed(&template, metric, dimension, &value, &threshold),
                    "{example}: no alarm on {metric} of {id} above {threshold}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 60, "only {checked} alarms checked");
}

// ---------------------------------------------------------------------------
// SNS: what a subscription lets through, as SNS evaluates its filter policy.

/// Whether one matcher of a filter policy accepts a value, as SNS compares
/// them: exact strings and numbers, `numeric` ranges, `exists`. Anything
/// else fails the test rather than passing unread.
fn sns_matches(matcher: &Json, value: Option<&Json>) -> bool {
    match (matcher, value) {
        (Json::String(_) | Json::Number(_), Some(value)) => match value {
            Json::Array(items) => items.contains(matcher),
            value => value == matcher,
        },
        (Json::Object(rule), value) => {
            if let Some(exists) = rule.get("exists") {
                return exists.as_bool().unwrap() == value.is_some();
            }
            if let Some(prefix) = rule.get("prefix") {
                return value
                    .and_then(Json::as_str)
                    .is_some_and(|text| text.starts_with(prefix.as_str().unwrap()));
            }
            let Some(Json::Array(range)) = rule.get("numeric") else {
                panic!("a matcher this test does not read: {matcher}");
            };
            let Some(number) = value.and_then(Json::as_f64) else {
                return false;
            };
            range.chunks(2).all(|pair| {
                let bound = pair[1].as_f64().unwrap();
                match pair[0].as_str().unwrap() {
                    "=" => (number - bound).abs() < f64::EPSILON,
                    ">" => number > bound,
                    ">=" => number >= bound,
                    "<" => number < bound,
                    "<=" => number <= bound,
                    operator => panic!("numeric operator {operator}"),
                }
            })
        }
        _ => false,
    }
}

/// Whether SNS delivers a message to a subscription: every key of the
/// policy has a matching value in what the scope says it reads, nested
/// keys in nested objects, and one alternative of an `$or` matches.
fn sns_accepts(
    scope: Option<&str>,
    policy: Option<&Json>,
    body: &Json,
    attributes: &BTreeMap<String, Json>,
) -> bool {
    let Some(policy) = policy else {
        return true;
    };
    let read = match scope {
        Some("MessageBody") => body.clone(),
        Some("MessageAttributes") => serde_json::to_value(attributes).unwrap(),
        other => panic!("filter policy scope {other:?}: SNS would read attributes by default"),
    };
    sns_policy_accepts(policy, Some(&read))
}

fn sns_policy_accepts(policy: &Json, value: Option<&Json>) -> bool {
    policy.as_object().unwrap().iter().all(|(key, rule)| {
        if key == "$or" {
            let branches = rule.as_array().unwrap();
            assert!(
                branches.len() >= 2,
                "SNS reads an `$or` of one branch as a field: {policy}"
            );
            return branches
                .iter()
                .any(|branch| sns_policy_accepts(branch, value));
        }
        let inner = value.and_then(|value| value.get(key));
        match rule {
            Json::Array(matchers) => matchers.iter().any(|matcher| sns_matches(matcher, inner)),
            Json::Object(_) => sns_policy_accepts(rule, inner),
            other => panic!("SNS refuses a policy key holding {other}"),
        }
    })
}

/// The message attributes docs/runtime.md ("Publishing to a topic") tells
/// a publisher to set, from its environment: `event`, the detail type, and
/// each field `MESH_EVENT_<EVENT>_ATTRIBUTES` lists, copied from the
/// document.
fn contract_attributes(
    environment: &BTreeMap<String, String>,
    event: &str,
    document: &Json,
) -> BTreeMap<String, Json> {
    let key = format!("MESH_EVENT_{}_", event.to_uppercase());
    let Some(fields) = environment.get(&format!("{key}ATTRIBUTES")) else {
        return BTreeMap::new();
    };
    let mut attributes = BTreeMap::new();
    attributes.insert(
        "event".to_string(),
        Json::from(environment[&format!("{key}DETAIL_TYPE")].clone()),
    );
    for field in fields.split(',').filter(|field| !field.is_empty()) {
        attributes.insert(field.to_string(), document[field].clone());
    }
    attributes
}

/// (topic, subscriber, scope, policy) of every subscription of a build,
/// and the publisher's environment, in CloudFormation.
type Subscriptions = Vec<(String, String, Option<String>, Option<Json>)>;

fn cloudformation_subscriptions(
    template: &Json,
    publisher: &str,
) -> (Subscriptions, BTreeMap<String, String>) {
    let mut found = Vec::new();
    let mut environment = BTreeMap::new();
    for (id, resource) in template["Resources"].as_object().unwrap() {
        let properties = &resource["Properties"];
        if resource["Type"] == "AWS::SNS::Subscription" {
            let endpoint = properties["Endpoint"]["Fn::GetAtt"][0]
                .as_str()
                .unwrap()
                .to_string();
            found.push((
                logical_id(&properties["TopicArn"]).unwrap(),
                endpoint,
                properties["FilterPolicyScope"].as_str().map(str::to_string),
                properties.get("FilterPolicy").cloned(),
            ));
        }
        if resource["Type"] == "AWS::Lambda::Function" && id.as_str() == publisher {
            for (name, value) in properties["Environment"]["Variables"].as_object().unwrap() {
                if let Some(text) = value.as_str() {
                    environment.insert(name.clone(), text.to_string());
                }
            }
        }
    }
    (found, environment)
}

/// The same, in Terraform: `filter_policy = jsonencode({...})` read as the
/// JSON it encodes.
fn terraform_subscriptions(
    files: &BTreeMap<String, String>,
    publisher: &str,
) -> (Subscriptions, BTreeMap<String, String>) {
    let mut found = Vec::new();
    let mut environment = BTreeMap::new();
    for body in terraform_bodies(files) {
        for block in body.blocks() {
            let names = labels(block);
            if names.first() == Some(&"aws_sns_topic_subscription") {
                let policy = attribute(block.body(), "filter_policy").map(|policy| {
                    let hcl::Expression::FuncCall(call) = policy else {
                        panic!("filter_policy is not jsonencode(...)");
                    };
                    serde_json::to_value(hcl::Value::from(call.args[0].clone())).unwrap()
                });
                let scope = attribute(block.body(), "filter_policy_scope")
                    .map(|scope| expression(scope).trim_matches('"').to_string());
                found.push((
                    label(&expression(attribute(block.body(), "topic_arn").unwrap())),
                    label(&expression(attribute(block.body(), "endpoint").unwrap())),
                    scope,
                    policy,
                ));
            }
            if names == ["aws_lambda_function", publisher] {
                let variables = block
                    .body()
                    .blocks()
                    .find(|inner| inner.identifier() == "environment")
                    .and_then(|inner| attribute(inner.body(), "variables"))
                    .unwrap();
                let hcl::Expression::Object(variables) = variables else {
                    panic!("environment variables are not an object");
                };
                for (name, value) in variables {
                    if let hcl::Expression::String(text) = value {
                        environment.insert(name.to_string(), text.clone());
                    }
                }
            }
        }
    }
    (found, environment)
}

/// A message published on a topic reaches exactly the subscribers that
/// take it, in both backends, when published as docs/runtime.md says: a
/// `consumes` of some of a topic's events receives those alone (on a topic
/// filtering on attributes, by the `event` attribute; before, every event
/// of the topic reached it), and a subscription's `where` tests what the
/// topic's `filter_on` says. The expectations are worked by hand from
/// tests/ui/pass/topic-filters.mesh.
#[test]
fn a_topic_delivers_each_event_to_exactly_the_subscribers_that_take_it() {
    let path = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/ui/pass/topic-filters.mesh"
    ));
    let (_, files) = common::system_and_files(path);
    let template: Json = serde_json::from_str(&files["cloudformation/template.json"]).unwrap();
    // (event, document, the subscribers that must receive it)
    let cases = [
        (
            "OrderPlaced",
            serde_json::json!({ "orderId": "o-1", "status": "new", "total": 12.5 }),
            vec!["auditor", "billing", "tracker"],
        ),
        (
            "OrderPlaced",
            serde_json::json!({ "orderId": "o-2", "status": "paid", "total": 12.5 }),
            vec!["auditor", "billing", "paid-orders", "tracker"],
        ),
        (
            "OrderPlaced",
            serde_json::json!({ "orderId": "o-3", "status": "paid", "total": 0 }),
            vec!["paid-orders", "tracker"],
        ),
        (
            "OrderShipped",
            serde_json::json!({ "orderId": "o-1", "status": "shipped", "carrier": "ups" }),
            vec!["auditor", "shipping-inbox", "tracker"],
        ),
        (
            "OrderShipped",
            serde_json::json!({ "orderId": "o-2", "status": "shipped", "carrier": "dhl" }),
            vec!["shipping-inbox", "tracker"],
        ),
        (
            "ReceiptPrinted",
            serde_json::json!({ "receiptId": "r-1", "medium": "paper" }),
            vec!["archivist", "receipt-log"],
        ),
        (
            "ReceiptEmailed",
            serde_json::json!({ "receiptId": "r-2", "medium": "email" }),
            vec!["archivist", "mailer", "receipt-log"],
        ),
        (
            "ReceiptEmailed",
            serde_json::json!({ "receiptId": "r-3", "medium": "email" }),
            vec!["mailer", "receipt-log"],
        ),
    ];
    let topic_of = |event: &str| {
        if event.starts_with("Order") {
            "orders"
        } else {
            "receipts"
        }
    };
    let backends = [
        (
            "CloudFormation",
            cloudformation_subscriptions(&template, "OrderFunction"),
        ),
        ("Terraform", terraform_subscriptions(&files, "order")),
    ];
    for (backend, (subscriptions, environment)) in backends {
        assert_eq!(subscriptions.len(), 8, "{backend}: {subscriptions:?}");
        assert!(
            environment.contains_key("MESH_EVENT_ORDERPLACED_ATTRIBUTES"),
            "{backend}: {environment:?}"
        );
        for (event, document, expected) in &cases {
            let attributes = contract_attributes(&environment, event, document);
            let mut received: Vec<String> = subscriptions
                .iter()
                .filter(|(topic, ..)| {
                    let topic = topic.to_lowercase();
                    topic.strip_suffix("topic").unwrap_or(&topic) == topic_of(event)
                })
                .filter(|(_, _, scope, policy)| {
                    sns_accepts(scope.as_deref(), policy.as_ref(), document, &attributes)
                })
                .map(|(_, subscriber, ..)| {
                    let name = subscriber.to_lowercase().replace('-', "");
                    let name = name.strip_suffix("queue").unwrap_or(&name);
                    name.strip_suffix("function").unwrap_or(name).to_string()
                })
                .collect();
            received.sort();
            let mut expected: Vec<String> =
                expected.iter().map(|name| name.replace('-', "")).collect();
            expected.sort();
            assert_eq!(received, expected, "{backend}: {event} {document}");
        }
    }
}

/// The schema registry holds what a consumer receives: for an event on a
/// topic or a stream, the published document (its fields at the top); for
/// one on a bus, the EventBridge envelope with the fields as `detail`.
/// Before, every event was registered as an EventBridge envelope.
#[test]
fn every_registered_schema_is_what_its_consumers_receive() {
    let mut checked = 0;
    for (example, system, _, template) in examples_with_systems() {
        for event in &system.events {
            let schema = template["Resources"]
                .as_object()
                .unwrap()
                .values()
                .find(|resource| {
                    resource["Type"] == "AWS::EventSchemas::Schema"
                        && resource["Properties"]["SchemaName"] == event.name.text.as_str()
                })
                .unwrap_or_else(|| panic!("{example}: no schema for {}", event.name.text));
            let content: Json =
                serde_json::from_str(schema["Properties"]["Content"].as_str().unwrap()).unwrap();
            let document = match event.carrier.value {
                meshc::model::Carrier::Topic(_) | meshc::model::Carrier::Stream(_) => &content,
                _ => &content["properties"]["detail"],
            };
            let fields: BTreeSet<&str> = document["properties"]
                .as_object()
                .unwrap_or_else(|| {
                    panic!("{example}: {} has no fields: {content}", event.name.text)
                })
                .keys()
                .map(String::as_str)
                .collect();
            let declared: BTreeSet<&str> = event
                .schema
                .iter()
                .map(|field| field.name.text.as_str())
                .collect();
            assert_eq!(fields, declared, "{example}: {}", event.name.text);
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} schemas checked");
}
