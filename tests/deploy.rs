//! What AWS does with the output on the first deploy, read from the files
//! every example builds to: no ECS service waits for an image from a
//! repository its own apply or stack creates; nothing a failed first
//! create keeps behind carries a fixed name that would block the next
//! attempt; a CloudFormation template either fits the 51,200 bytes
//! CloudFormation takes inline or the build says how to deploy it through
//! S3. Terraform expressions are evaluated with hcl-rs's evaluator,
//! CloudFormation conditions with the few intrinsic functions they use.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::needless_pass_by_value // hcl-rs passes a function's arguments by value
)] // Tests may fail loudly.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use hcl::eval::{Context, Evaluate as _, FuncArgs, FuncDef, ParamType};
use serde_json::{Value as Json, json};

/// CloudFormation's limit on a template passed in the request itself.
const INLINE_LIMIT: usize = 51_200;

fn scratch(name: &str) -> common::Scratch {
    common::scratch_dir("deploy", name)
}

/// Builds an example with the binary, as a user does, and returns what it
/// printed.
fn build(example: &Path, out: &Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_meshc"))
        .args([
            "build",
            example.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn every_template_fits_inline_or_the_build_says_how_to_deploy_it() {
    let dir = scratch("size");
    for example in common::mesh_files("examples") {
        let name = common::file_name(&example)
            .trim_end_matches(".mesh")
            .to_string();
        let out = dir.join(&name);
        let printed = build(&example, &out);
        let path = out.join("cloudformation/template.json");
        let text = std::fs::read_to_string(&path).unwrap();
        let template: serde_json::Value = serde_json::from_str(&text).unwrap();
        let system = template["Parameters"]["NamePrefix"]["Default"]
            .as_str()
            .unwrap();
        let command = format!(
            "aws cloudformation deploy --template-file {} --stack-name {system} --s3-bucket BUCKET \
             --capabilities CAPABILITY_NAMED_IAM",
            path.display()
        );
        let compact = serde_json::to_string(&template).unwrap().len() + 1;
        if text.len() <= INLINE_LIMIT {
            assert!(!printed.contains("s3-bucket"), "{name}: {printed}");
        } else {
            assert!(
                compact > INLINE_LIMIT,
                "{name}: {} bytes written where the compact form, {compact} bytes, fits inline",
                text.len()
            );
            let last = printed.lines().last().unwrap().trim();
            assert_eq!(last, command, "{name}: the build's last line");
            assert!(
                printed.contains(&format!("is {} bytes", text.len())),
                "{name}: {printed}"
            );
        }
    }
}

/// The files an example builds to.
fn compile(path: &Path) -> BTreeMap<String, String> {
    let source = meshc::diagnostics::SourceFile {
        name: common::file_name(path),
        text: std::fs::read_to_string(path).unwrap(),
    };
    let output = meshc::compile(&source, &meshc::Options::default());
    assert!(!output.files.is_empty(), "{}: nothing built", source.name);
    output.files
}

// ---------------------------------------------------------------------------
// Terraform: evaluated with hcl-rs, with the functions the expressions use.

fn tf_keys(args: FuncArgs) -> Result<hcl::Value, String> {
    match &args[0] {
        hcl::Value::Object(map) => Ok(hcl::Value::Array(
            map.keys()
                .map(|key| hcl::Value::from(key.as_str()))
                .collect(),
        )),
        other => Err(format!("keys of {other:?}")),
    }
}

fn tf_contains(args: FuncArgs) -> Result<hcl::Value, String> {
    match &args[0] {
        hcl::Value::Array(items) => Ok(hcl::Value::Bool(items.contains(&args[1]))),
        other => Err(format!("contains of {other:?}")),
    }
}

fn tf_context(image_tags: &[(&str, &str)]) -> Context<'static> {
    let mut context = Context::new();
    let tags: hcl::Map<String, hcl::Value> = image_tags
        .iter()
        .map(|(name, tag)| ((*name).to_string(), hcl::Value::from(*tag)))
        .collect();
    let mut variables = hcl::Map::new();
    variables.insert("image_tags".to_string(), hcl::Value::Object(tags));
    context.declare_var("var", hcl::Value::Object(variables));
    context.declare_func(
        "keys",
        FuncDef::builder().param(ParamType::Any).build(tf_keys),
    );
    context.declare_func(
        "contains",
        FuncDef::builder()
            .param(ParamType::Any)
            .param(ParamType::Any)
            .build(tf_contains),
    );
    context
}

/// The blocks `resource "KIND" "NAME"` of a configuration, by name.
fn tf_resources<'a>(body: &'a hcl::Body, kind: &str) -> BTreeMap<String, &'a hcl::Block> {
    body.blocks()
        .filter(|block| block.identifier() == "resource")
        .filter(|block| block.labels().first().map(hcl::BlockLabel::as_str) == Some(kind))
        .map(|block| (block.labels()[1].as_str().to_string(), block))
        .collect()
}

fn tf_attribute<'a>(block: &'a hcl::Block, key: &str) -> &'a hcl::Expression {
    block
        .body()
        .attributes()
        .find(|attribute| attribute.key() == key)
        .map_or_else(|| panic!("no {key}"), hcl::Attribute::expr)
}

// ---------------------------------------------------------------------------
// CloudFormation: parameters, conditions and the intrinsic functions they
// use.

struct Stack<'a> {
    template: &'a Json,
    parameters: BTreeMap<String, String>,
}

impl<'a> Stack<'a> {
    /// The stack as created with `overrides` and the other parameters'
    /// defaults.
    fn new(template: &'a Json, overrides: &[(&str, &str)]) -> Self {
        let mut parameters = common::parameter_defaults(template);
        for (name, value) in overrides {
            assert!(
                template["Parameters"].get(*name).is_some(),
                "no parameter {name}"
            );
            parameters.insert((*name).to_string(), (*value).to_string());
        }
        Stack {
            template,
            parameters,
        }
    }

    fn condition(&self, name: &str) -> bool {
        let definition = &self.template["Conditions"][name];
        assert!(!definition.is_null(), "no condition {name}");
        self.evaluate(definition).as_bool().unwrap()
    }

    /// A value with its parameter references and conditions resolved;
    /// other references stay as they are.
    fn evaluate(&self, value: &Json) -> Json {
        let Some(object) = value.as_object().filter(|object| object.len() == 1) else {
            return value.clone();
        };
        let (function, arguments) = object.iter().next().unwrap();
        match function.as_str() {
            "Ref" => match self.parameters.get(arguments.as_str().unwrap()) {
                Some(parameter) => Json::from(parameter.as_str()),
                None => value.clone(),
            },
            "Fn::If" => {
                let chosen = if self.condition(arguments[0].as_str().unwrap()) {
                    &arguments[1]
                } else {
                    &arguments[2]
                };
                self.evaluate(chosen)
            }
            "Fn::Equals" => {
                Json::from(self.evaluate(&arguments[0]) == self.evaluate(&arguments[1]))
            }
            "Fn::Not" => Json::from(!self.evaluate(&arguments[0]).as_bool().unwrap()),
            "Fn::And" => Json::from(
                arguments
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|argument| self.evaluate(argument).as_bool().unwrap()),
            ),
            "Fn::Or" => Json::from(
                arguments
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|argument| self.evaluate(argument).as_bool().unwrap()),
            ),
            "Condition" => Json::from(self.condition(arguments.as_str().unwrap())),
            _ => value.clone(),
        }
    }

    fn resources(&self) -> impl Iterator<Item = (&'a String, &'a Json)> {
        self.template["Resources"].as_object().unwrap().iter()
    }
}

/// The logical ids a value refers to (`Ref`, `Fn::GetAtt`, and `${...}` in
/// `Fn::Sub`).
fn cfn_references(value: &Json, found: &mut Vec<String>) {
    match value {
        Json::Object(object) => {
            for (key, inner) in object {
                match key.as_str() {
                    "Ref" => found.extend(inner.as_str().map(str::to_string)),
                    "Fn::GetAtt" => found.extend(inner[0].as_str().map(str::to_string)),
                    "Fn::Sub" => {
                        let text = inner.as_str().or_else(|| inner[0].as_str()).unwrap_or("");
                        for part in text.split("${").skip(1) {
                            let name = part.split(['}', '.']).next().unwrap_or("");
                            found.push(name.to_string());
                        }
                        cfn_references(inner, found);
                    }
                    _ => cfn_references(inner, found),
                }
            }
        }
        Json::Array(items) => items.iter().for_each(|item| cfn_references(item, found)),
        _ => {}
    }
}

#[test]
fn no_service_waits_for_an_image_its_own_apply_or_stack_creates() {
    let mut checked = 0;
    for example in common::mesh_files("examples") {
        let name = common::file_name(&example);
        let files = compile(&example);

        // Terraform: services whose task definition pulls from an
        // aws_ecr_repository of this configuration.
        let services = files
            .get("terraform/services.tf")
            .map_or("", String::as_str);
        let body: hcl::Body = hcl::from_str(services).unwrap();
        let task_definitions = tf_resources(&body, "aws_ecs_task_definition");
        let mut pulling = Vec::new();
        for (service, block) in tf_resources(&body, "aws_ecs_service") {
            let task = tf_attribute(block, "task_definition").to_string();
            let task = task.split('.').nth(1).unwrap();
            let definition = hcl::to_string(task_definitions[task]).unwrap();
            let first = tf_context(&[]);
            let count = tf_attribute(block, "desired_count")
                .evaluate(&first)
                .unwrap();
            if definition.contains("aws_ecr_repository.") {
                assert_eq!(
                    count,
                    hcl::Value::from(0),
                    "{name}: service {service} starts tasks before its image can exist"
                );
                pulling.push(service);
            }
        }
        // With every tag given, every service runs its replicas.
        let tags: Vec<(&str, &str)> = pulling
            .iter()
            .map(|service| (service.as_str(), "v1"))
            .collect();
        let given = tf_context(&tags);
        for (service, block) in tf_resources(&body, "aws_ecs_service") {
            let count = tf_attribute(block, "desired_count")
                .evaluate(&given)
                .unwrap();
            assert!(
                count.as_u64().unwrap() > 0,
                "{name}: service {service} runs no task even with its image tag"
            );
        }

        // CloudFormation: the same, with the parameters' defaults, then with
        // the tags given.
        let template: Json = serde_json::from_str(&files["cloudformation/template.json"]).unwrap();
        let first = Stack::new(&template, &[]);
        let mut tag_parameters = Vec::new();
        for (logical_id, resource) in first.resources() {
            if resource["Type"] != "AWS::ECS::Service" {
                continue;
            }
            let task = resource["Properties"]["TaskDefinition"]["Ref"]
                .as_str()
                .unwrap();
            let mut references = Vec::new();
            cfn_references(
                &first.evaluate_all(&template["Resources"][task]),
                &mut references,
            );
            let from_stack = references.iter().any(|referenced| {
                template["Resources"][referenced.as_str()]["Type"] == "AWS::ECR::Repository"
            });
            let count = first.evaluate(&resource["Properties"]["DesiredCount"]);
            if from_stack {
                assert_eq!(
                    count,
                    json!(0),
                    "{name}: {logical_id} starts tasks before its image can exist"
                );
                let mut parameters = Vec::new();
                cfn_references(&template["Resources"][task], &mut parameters);
                tag_parameters.extend(
                    parameters
                        .into_iter()
                        .filter(|parameter| parameter.ends_with("ImageTag")),
                );
            }
            checked += 1;
        }
        let tags: Vec<(&str, &str)> = tag_parameters
            .iter()
            .map(|parameter| (parameter.as_str(), "v1"))
            .collect();
        let given = Stack::new(&template, &tags);
        for (logical_id, resource) in given.resources() {
            if resource["Type"] == "AWS::ECS::Service" {
                let count = given.evaluate(&resource["Properties"]["DesiredCount"]);
                assert!(
                    count.as_u64().unwrap() > 0,
                    "{name}: {logical_id} runs no task with its tag"
                );
            }
        }
    }
    assert!(checked > 0, "no ECS service in the examples");
}

impl Stack<'_> {
    /// A value with every condition inside it resolved, at any depth.
    fn evaluate_all(&self, value: &Json) -> Json {
        match self.evaluate(value) {
            Json::Object(object) => Json::Object(
                object
                    .into_iter()
                    .map(|(key, inner)| (key, self.evaluate_all(&inner)))
                    .collect(),
            ),
            Json::Array(items) => {
                Json::Array(items.iter().map(|item| self.evaluate_all(item)).collect())
            }
            other => other,
        }
    }
}

/// The property that names a resource of each type kept when its stack's
/// first create rolls back, and of each type with deletion protection.
const NAME_PROPERTY: [(&str, &str); 6] = [
    ("AWS::S3::Bucket", "BucketName"),
    ("AWS::DynamoDB::Table", "TableName"),
    ("AWS::RDS::DBInstance", "DBInstanceIdentifier"),
    ("AWS::RDS::DBCluster", "DBClusterIdentifier"),
    ("AWS::ElasticLoadBalancingV2::LoadBalancer", "Name"),
    ("AWS::KMS::Key", ""),
];

/// Whether a resource refuses deletion, as the stack evaluates it.
fn protected(stack: &Stack<'_>, resource: &Json) -> bool {
    let properties = stack.evaluate_all(&resource["Properties"]);
    let attribute = properties["LoadBalancerAttributes"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|pair| pair["Key"] == "deletion_protection.enabled" && pair["Value"] == "true");
    attribute
        || properties["DeletionProtection"] == json!(true)
        || properties["DeletionProtectionEnabled"] == json!(true)
}

#[test]
fn nothing_a_failed_first_create_keeps_carries_a_fixed_name() {
    for example in common::mesh_files("examples") {
        let name = common::file_name(&example);
        let files = compile(&example);
        let template: Json = serde_json::from_str(&files["cloudformation/template.json"]).unwrap();
        // The first create, as the README gives it.
        let first = Stack::new(&template, &[("DeletionProtection", "false")]);
        let later = Stack::new(&template, &[]);
        let mut protected_later = 0;
        for (logical_id, resource) in first.resources() {
            let kind = resource["Type"].as_str().unwrap();
            // What a rolled-back create leaves: resources it retains, and
            // resources it cannot delete.
            let kept = resource["DeletionPolicy"] == "Retain" || protected(&first, resource);
            assert!(
                !protected(&first, resource),
                "{name}: {logical_id} refuses deletion on the first create"
            );
            if kept {
                let property = NAME_PROPERTY
                    .iter()
                    .find(|(known, _)| *known == kind)
                    .unwrap_or_else(|| {
                        panic!("{name}: {logical_id}: no name property known for {kind}")
                    })
                    .1;
                assert!(
                    property.is_empty() || resource["Properties"].get(property).is_none(),
                    "{name}: {logical_id} is kept after a failed create and is named by {property}"
                );
            }
            if protected(&later, resource) {
                protected_later += 1;
            }
            if resource["DeletionPolicy"] == "RetainExceptOnCreate" {
                assert_eq!(
                    resource["UpdateReplacePolicy"], "Retain",
                    "{name}: {logical_id}"
                );
            }
        }
        if name == "shop.mesh" {
            assert!(
                protected_later >= 3,
                "{name}: deletion protection is off after the first create"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Deploy order: the dependency graphs of both backends.

/// A dependency graph: each resource with what it refers to or lists in
/// `depends_on` / `DependsOn`.
struct Dependencies {
    edges: BTreeMap<String, Vec<String>>,
}

impl Dependencies {
    /// Whether `from` waits for `to`, directly or through others.
    fn waits_for(&self, from: &str, to: &str) -> bool {
        let mut seen = std::collections::BTreeSet::new();
        let mut stack = vec![from.to_string()];
        while let Some(next) = stack.pop() {
            if next == to && next != from {
                return true;
            }
            if seen.insert(next.clone()) {
                stack.extend(self.edges.get(&next).into_iter().flatten().cloned());
            }
        }
        false
    }
}

/// Every `TYPE.LABEL` in a text that names one of `known`.
fn tf_mentions(text: &str, known: &std::collections::BTreeSet<String>) -> Vec<String> {
    let mut found = Vec::new();
    let bytes: Vec<char> = text.chars().collect();
    let is_part = |ch: char| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-' || ch == '.';
    let mut start = 0;
    while start < bytes.len() {
        if !is_part(bytes[start]) {
            start += 1;
            continue;
        }
        let mut end = start;
        while end < bytes.len() && is_part(bytes[end]) {
            end += 1;
        }
        let word: String = bytes[start..end].iter().collect();
        let parts: Vec<&str> = word.split('.').collect();
        for window in 0..parts.len().saturating_sub(1) {
            let address = format!("{}.{}", parts[window], parts[window + 1]);
            if known.contains(&address) {
                found.push(address);
            }
        }
        start = end;
    }
    found
}

/// The resources of a Terraform configuration, by address, and their
/// dependency graph.
fn tf_graph(files: &BTreeMap<String, String>) -> (BTreeMap<String, hcl::Block>, Dependencies) {
    let mut blocks = BTreeMap::new();
    for (path, text) in files {
        if !path.starts_with("terraform/") {
            continue;
        }
        let body: hcl::Body = hcl::from_str(text).unwrap();
        for block in body.into_blocks() {
            if block.identifier() == "resource" {
                let address = format!(
                    "{}.{}",
                    block.labels()[0].as_str(),
                    block.labels()[1].as_str()
                );
                blocks.insert(address, block);
            }
        }
    }
    let known: std::collections::BTreeSet<String> = blocks.keys().cloned().collect();
    let edges = blocks
        .iter()
        .map(|(address, block)| {
            let text = hcl::to_string(block).unwrap();
            (address.clone(), tf_mentions(&text, &known))
        })
        .collect();
    (blocks, Dependencies { edges })
}

/// The attributes through which a resource assumes a role when AWS creates
/// or runs it.
const TF_ASSUMING: [&str; 6] = [
    "role",
    "role_arn",
    "execution_role_arn",
    "task_role_arn",
    "monitoring_role_arn",
    "iam_role_arn",
];

fn tf_attribute_text(block: &hcl::Block, key: &str) -> Option<String> {
    block
        .body()
        .attributes()
        .find(|attribute| attribute.key() == key)
        .map(|attribute| attribute.expr().to_string())
}

/// The CloudFormation resources and their dependency graph.
fn cfn_graph(template: &Json) -> Dependencies {
    let edges = template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(logical_id, resource)| {
            let mut found = Vec::new();
            cfn_references(&resource["Properties"], &mut found);
            match &resource["DependsOn"] {
                Json::String(one) => found.push(one.clone()),
                Json::Array(many) => {
                    found.extend(many.iter().filter_map(|id| id.as_str().map(str::to_string)));
                }
                _ => {}
            }
            (logical_id.clone(), found)
        })
        .collect();
    Dependencies { edges }
}

/// The properties through which a resource assumes a role.
const CFN_ASSUMING: [&str; 6] = [
    "Role",
    "RoleArn",
    "ExecutionRoleArn",
    "TaskRoleArn",
    "MonitoringRoleArn",
    "DeliverLogsPermissionArn",
];

#[test]
fn both_backends_order_what_no_reference_orders() {
    let (mut listener_rule_edges, mut policy_edges) = (0, 0);
    for example in common::mesh_files("examples") {
        let name = common::file_name(&example);
        let files = compile(&example);

        // Terraform.
        let (blocks, graph) = tf_graph(&files);
        let of_kind = |kind: &'static str| {
            blocks
                .iter()
                .filter(move |(address, _)| address.starts_with(&format!("{kind}.")))
        };
        // An ECS service waits for every listener and listener rule that
        // forwards to its target groups.
        for (service, block) in of_kind("aws_ecs_service") {
            let text = hcl::to_string(block).unwrap();
            for (group, _) in of_kind("aws_lb_target_group") {
                if !text.contains(&format!("{group}.arn")) {
                    continue;
                }
                for (forwarder, forwarding) in
                    of_kind("aws_lb_listener_rule").chain(of_kind("aws_lb_listener"))
                {
                    if hcl::to_string(forwarding)
                        .unwrap()
                        .contains(&format!("{group}.arn"))
                    {
                        assert!(
                            graph.waits_for(service, forwarder),
                            "{name}: {service} does not wait for {forwarder}"
                        );
                        listener_rule_edges +=
                            usize::from(forwarder.starts_with("aws_lb_listener_rule."));
                    }
                }
            }
        }
        // A resource that assumes a role waits for the role's policies; a
        // task definition's roles are assumed by the services that run it.
        for (address, block) in &blocks {
            if address.starts_with("aws_iam_role_policy") {
                continue;
            }
            for key in TF_ASSUMING {
                let Some(value) = tf_attribute_text(block, key) else {
                    continue;
                };
                let Some(role) = value
                    .strip_prefix("aws_iam_role.")
                    .and_then(|rest| rest.split('.').next())
                else {
                    continue;
                };
                let waiting: Vec<&String> = if address.starts_with("aws_ecs_task_definition.") {
                    of_kind("aws_ecs_service")
                        .filter(|(_, service)| {
                            hcl::to_string(*service)
                                .unwrap()
                                .contains(&format!("{address}.arn"))
                        })
                        .map(|(service, _)| service)
                        .collect()
                } else {
                    vec![address]
                };
                for (policy, policy_block) in
                    of_kind("aws_iam_role_policy").chain(of_kind("aws_iam_role_policy_attachment"))
                {
                    let target = tf_attribute_text(policy_block, "role").unwrap();
                    if target.split('.').nth(1) != Some(role) {
                        continue;
                    }
                    for waiter in &waiting {
                        assert!(
                            graph.waits_for(waiter, policy),
                            "{name}: {waiter} does not wait for {policy}"
                        );
                        policy_edges += 1;
                    }
                }
            }
        }

        // CloudFormation.
        let template: Json = serde_json::from_str(&files["cloudformation/template.json"]).unwrap();
        let graph = cfn_graph(&template);
        let resources = template["Resources"].as_object().unwrap();
        let of_type = |kind: &'static str| {
            resources
                .iter()
                .filter(move |(_, resource)| resource["Type"] == kind)
        };
        for (service, resource) in of_type("AWS::ECS::Service") {
            for balancer in resource["Properties"]["LoadBalancers"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let group = &balancer["TargetGroupArn"];
                for (forwarder, forwarding) in of_type("AWS::ElasticLoadBalancingV2::ListenerRule")
                    .chain(of_type("AWS::ElasticLoadBalancingV2::Listener"))
                {
                    if forwarding.to_string().contains(&group.to_string()) {
                        assert!(
                            graph.waits_for(service, forwarder),
                            "{name}: {service} does not wait for {forwarder}"
                        );
                        listener_rule_edges += usize::from(
                            forwarding["Type"] == "AWS::ElasticLoadBalancingV2::ListenerRule",
                        );
                    }
                }
            }
        }
        for (logical_id, resource) in resources {
            let mut roles = Vec::new();
            let mut collect = |properties: &Json| {
                for key in CFN_ASSUMING {
                    if let Some(role) = properties[key]["Fn::GetAtt"][0].as_str() {
                        roles.push(role.to_string());
                    }
                }
            };
            collect(&resource["Properties"]);
            for target in resource["Properties"]["Targets"]
                .as_array()
                .into_iter()
                .flatten()
            {
                collect(target);
            }
            let waiting: Vec<&String> = if resource["Type"] == "AWS::ECS::TaskDefinition" {
                of_type("AWS::ECS::Service")
                    .filter(|(_, service)| {
                        service["Properties"]["TaskDefinition"]["Ref"] == logical_id.as_str()
                    })
                    .map(|(service, _)| service)
                    .collect()
            } else {
                vec![logical_id]
            };
            for role in roles {
                for (policy, policy_resource) in
                    of_type("AWS::IAM::RolePolicy").chain(of_type("AWS::IAM::Policy"))
                {
                    let text = policy_resource["Properties"].to_string();
                    if !text.contains(&format!("{{\"Ref\":\"{role}\"}}")) {
                        continue;
                    }
                    for waiter in &waiting {
                        assert!(
                            graph.waits_for(waiter, policy),
                            "{name}: {waiter} does not wait for {policy}"
                        );
                        policy_edges += 1;
                    }
                }
            }
        }
    }
    eprintln!(
        "{listener_rule_edges} listener rule edges, {policy_edges} role policy edges checked"
    );
    assert!(listener_rule_edges > 0, "no listener rule in the examples");
    assert!(policy_edges > 0, "no role policy in the examples");
}

/// The Cloud Map namespace a Terraform block refers to.
fn tf_namespace(text: &str) -> String {
    text.split("aws_service_discovery_private_dns_namespace.")
        .nth(1)
        .and_then(|rest| rest.split('.').next())
        .unwrap()
        .to_string()
}

/// Asserts that no namespace holds a name twice; returns how many names
/// were checked.
fn assert_unique(example: &str, by_namespace: BTreeMap<String, Vec<String>>) -> usize {
    let mut checked = 0;
    for (namespace, mut names) in by_namespace {
        checked += names.len();
        let count = names.len();
        names.sort();
        names.dedup();
        assert_eq!(
            names.len(),
            count,
            "{example}: namespace {namespace} has a name twice: {names:?}"
        );
    }
    checked
}

#[test]
fn every_cloud_map_name_is_unique_in_its_namespace() {
    let mut services_checked = 0;
    for example in common::mesh_files("examples") {
        let name = common::file_name(&example);
        let files = compile(&example);
        // Terraform: the Cloud Map services meshc declares, and the ones
        // Service Connect creates (its discovery names), by namespace.
        let (blocks, _) = tf_graph(&files);
        let mut by_namespace: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (address, block) in &blocks {
            let text = hcl::to_string(block).unwrap();
            if address.starts_with("aws_service_discovery_service.") {
                let namespace = tf_namespace(&text);
                let service = tf_attribute_text(block, "name").unwrap();
                by_namespace.entry(namespace).or_default().push(service);
            }
            if address.starts_with("aws_ecs_service.") {
                for connect in block
                    .body()
                    .blocks()
                    .filter(|inner| inner.identifier() == "service_connect_configuration")
                {
                    let connect_text = hcl::to_string(connect).unwrap();
                    let namespace = tf_namespace(&connect_text);
                    for service in connect
                        .body()
                        .blocks()
                        .filter(|inner| inner.identifier() == "service")
                    {
                        let discovery = tf_attribute_text(service, "discovery_name").unwrap();
                        by_namespace
                            .entry(namespace.clone())
                            .or_default()
                            .push(discovery);
                    }
                }
            }
        }
        services_checked += assert_unique(&name, by_namespace);

        // CloudFormation.
        let template: Json = serde_json::from_str(&files["cloudformation/template.json"]).unwrap();
        let mut by_namespace: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for resource in template["Resources"].as_object().unwrap().values() {
            let properties = &resource["Properties"];
            if resource["Type"] == "AWS::ServiceDiscovery::Service" {
                let namespace = properties["DnsConfig"]["NamespaceId"].to_string();
                by_namespace
                    .entry(namespace.replace("\"Id\"", "\"Arn\""))
                    .or_default()
                    .push(properties["Name"].as_str().unwrap().to_string());
            }
            if resource["Type"] == "AWS::ECS::Service" {
                let connect = &properties["ServiceConnectConfiguration"];
                for service in connect["Services"].as_array().into_iter().flatten() {
                    by_namespace
                        .entry(connect["Namespace"].to_string())
                        .or_default()
                        .push(service["DiscoveryName"].as_str().unwrap().to_string());
                }
            }
        }
        assert_unique(&name, by_namespace);
    }
    assert!(services_checked > 0);
}

#[test]
fn the_template_carries_the_tags_terraform_applies() {
    use meshc::emit::cloudformation::tagging::taggable;
    // Every resource type the backend can emit has a row in the table.
    let backend = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/emit/cloudformation");
    for entry in std::fs::read_dir(&backend).unwrap() {
        let path = entry.unwrap().path();
        let source = std::fs::read_to_string(&path).unwrap();
        for literal in source.split('"').skip(1).step_by(2) {
            let parts: Vec<&str> = literal.split("::").collect();
            if parts.len() == 3
                && parts[0] == "AWS"
                && parts
                    .iter()
                    .all(|part| !part.is_empty() && part.chars().all(char::is_alphanumeric))
            {
                assert!(
                    taggable(literal).is_some(),
                    "{}: {literal} has no row in tagging::TAGGABLE",
                    path.display()
                );
            }
        }
    }
    let mut tagged = 0;
    for example in common::mesh_files("examples") {
        let name = common::file_name(&example);
        let files = compile(&example);
        // What Terraform applies: the provider's default_tags, the system's
        // tags merged with meshc:system.
        let versions: hcl::Body = hcl::from_str(&files["terraform/versions.tf"]).unwrap();
        let variables: hcl::Body = hcl::from_str(&files["terraform/variables.tf"]).unwrap();
        let provider = versions
            .blocks()
            .find(|block| block.identifier() == "provider")
            .unwrap();
        let default_tags = provider
            .body()
            .blocks()
            .find(|block| block.identifier() == "default_tags")
            .unwrap();
        let expression = tf_attribute(default_tags, "tags");
        let tags_variable = variables
            .blocks()
            .find(|block| block.identifier() == "variable" && block.labels()[0].as_str() == "tags")
            .unwrap();
        let mut context = Context::new();
        let default = tf_attribute(tags_variable, "default")
            .evaluate(&Context::new())
            .unwrap();
        let mut variables_value = hcl::Map::new();
        variables_value.insert("tags".to_string(), default);
        context.declare_var("var", hcl::Value::Object(variables_value));
        context.declare_func(
            "merge",
            FuncDef::builder()
                .variadic_param(ParamType::Any)
                .build(|args| {
                    let mut merged = hcl::Map::new();
                    for arg in args.iter() {
                        if let hcl::Value::Object(map) = arg {
                            merged.extend(map.clone());
                        }
                    }
                    Ok(hcl::Value::Object(merged))
                }),
        );
        let hcl::Value::Object(expected) = expression.evaluate(&context).unwrap() else {
            panic!("{name}: default_tags is not an object");
        };
        assert!(expected.contains_key("meshc:system"), "{name}");

        let template: Json = serde_json::from_str(&files["cloudformation/template.json"]).unwrap();
        for (logical_id, resource) in template["Resources"].as_object().unwrap() {
            let kind = resource["Type"].as_str().unwrap();
            let takes_tags = taggable(kind).unwrap_or_else(|| panic!("{name}: {kind} has no row"));
            let tags = &resource["Properties"]["Tags"];
            if !takes_tags {
                assert!(
                    tags.is_null(),
                    "{name}: {logical_id} ({kind}) takes no tags"
                );
                continue;
            }
            for (key, value) in &expected {
                let found = tags
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|tag| tag["Key"] == key.as_str())
                    .unwrap_or_else(|| panic!("{name}: {logical_id} ({kind}) has no tag {key}"));
                assert_eq!(
                    found["Value"].as_str(),
                    value.as_str(),
                    "{name}: {logical_id} tag {key}"
                );
            }
            tagged += 1;
        }
    }
    assert!(tagged > 100, "{tagged} tagged resources");
}
