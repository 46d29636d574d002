//! The two infrastructure backends cannot drift apart: for every example,
//! each resource of the Terraform output is mapped to its CloudFormation
//! counterpart, and the inventory that mapping predicts must be exactly the
//! template's. Terraform resources that CloudFormation writes as properties
//! (rule targets, queue redrive, bucket settings, ...) are counted in those
//! properties instead; the two that CloudFormation cannot express are
//! listed with the reason.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // Tests may fail loudly.

mod common;

use std::collections::BTreeMap;

use serde_json::Value as Json;

/// A Terraform resource type and what it is in CloudFormation.
enum Counterpart {
    /// One resource of this type per Terraform instance.
    Resource(&'static str),
    /// A property of other resources: (resource type, property path); each
    /// Terraform instance is one entry (or one array item) there.
    Property(&'static str, &'static str),
    /// No counterpart, for the reason given (which the assertion prints
    /// when a resource is missing).
    #[allow(dead_code)]
    Nothing(&'static str),
}

fn counterpart(terraform: &str) -> Counterpart {
    use Counterpart::{Nothing, Property, Resource};
    match terraform {
        "aws_vpc" => Resource("AWS::EC2::VPC"),
        "aws_internet_gateway" => Resource("AWS::EC2::InternetGateway"),
        "aws_subnet" => Resource("AWS::EC2::Subnet"),
        "aws_eip" => Resource("AWS::EC2::EIP"),
        "aws_nat_gateway" => Resource("AWS::EC2::NatGateway"),
        "aws_route_table" => Resource("AWS::EC2::RouteTable"),
        "aws_route_table_association" => Resource("AWS::EC2::SubnetRouteTableAssociation"),
        "aws_route" => Resource("AWS::EC2::Route"),
        "aws_cloudwatch_log_group" => Resource("AWS::Logs::LogGroup"),
        "aws_flow_log" => Resource("AWS::EC2::FlowLog"),
        "aws_vpc_endpoint" => Resource("AWS::EC2::VPCEndpoint"),
        "aws_security_group" => Resource("AWS::EC2::SecurityGroup"),
        "aws_vpc_security_group_ingress_rule" => Resource("AWS::EC2::SecurityGroupIngress"),
        "aws_vpc_security_group_egress_rule" => Resource("AWS::EC2::SecurityGroupEgress"),
        "aws_network_acl" => Resource("AWS::EC2::NetworkAcl"),
        "aws_network_acl_rule" => Resource("AWS::EC2::NetworkAclEntry"),
        "aws_iam_role" => Resource("AWS::IAM::Role"),
        "aws_iam_role_policy" => Resource("AWS::IAM::RolePolicy"),
        "aws_iam_role_policy_attachment" => Property("AWS::IAM::Role", "ManagedPolicyArns"),
        "aws_kms_key" => Resource("AWS::KMS::Key"),
        "aws_secretsmanager_secret" => Resource("AWS::SecretsManager::Secret"),
        "aws_ssm_parameter" => Resource("AWS::SSM::Parameter"),
        "aws_kms_alias" => Resource("AWS::KMS::Alias"),
        "aws_ecs_cluster" => Resource("AWS::ECS::Cluster"),
        "aws_service_discovery_private_dns_namespace" => {
            Resource("AWS::ServiceDiscovery::PrivateDnsNamespace")
        }
        "aws_service_discovery_service" => Resource("AWS::ServiceDiscovery::Service"),
        "aws_ecr_repository" => Resource("AWS::ECR::Repository"),
        "aws_ecr_lifecycle_policy" => Property("AWS::ECR::Repository", "LifecyclePolicy"),
        "aws_ecs_task_definition" => Resource("AWS::ECS::TaskDefinition"),
        "aws_ecs_service" => Resource("AWS::ECS::Service"),
        "aws_signer_signing_profile" => Resource("AWS::Signer::SigningProfile"),
        "aws_lambda_code_signing_config" => Resource("AWS::Lambda::CodeSigningConfig"),
        "aws_lambda_function" => Resource("AWS::Lambda::Function"),
        "aws_lambda_event_source_mapping" => Resource("AWS::Lambda::EventSourceMapping"),
        "aws_lambda_permission" => Resource("AWS::Lambda::Permission"),
        "aws_lb" => Resource("AWS::ElasticLoadBalancingV2::LoadBalancer"),
        "aws_lb_target_group" => Resource("AWS::ElasticLoadBalancingV2::TargetGroup"),
        "aws_lb_target_group_attachment" => {
            Property("AWS::ElasticLoadBalancingV2::TargetGroup", "Targets")
        }
        "aws_lb_listener" => Resource("AWS::ElasticLoadBalancingV2::Listener"),
        "aws_lb_listener_rule" => Resource("AWS::ElasticLoadBalancingV2::ListenerRule"),
        "aws_wafv2_web_acl" => Resource("AWS::WAFv2::WebACL"),
        "aws_wafv2_web_acl_association" => Resource("AWS::WAFv2::WebACLAssociation"),
        "aws_wafv2_web_acl_logging_configuration" => Resource("AWS::WAFv2::LoggingConfiguration"),
        "aws_s3_bucket" => Resource("AWS::S3::Bucket"),
        "aws_s3_bucket_public_access_block" => {
            Property("AWS::S3::Bucket", "PublicAccessBlockConfiguration")
        }
        "aws_s3_bucket_ownership_controls" => Property("AWS::S3::Bucket", "OwnershipControls"),
        "aws_s3_bucket_server_side_encryption_configuration" => {
            Property("AWS::S3::Bucket", "BucketEncryption")
        }
        "aws_s3_bucket_versioning" => Property("AWS::S3::Bucket", "VersioningConfiguration"),
        "aws_s3_bucket_lifecycle_configuration" => {
            Property("AWS::S3::Bucket", "LifecycleConfiguration")
        }
        "aws_s3_bucket_policy" => Resource("AWS::S3::BucketPolicy"),
        "aws_cloudwatch_event_bus" => Resource("AWS::Events::EventBus"),
        "aws_cloudwatch_event_archive" => Resource("AWS::Events::Archive"),
        "aws_schemas_registry" => Resource("AWS::EventSchemas::Registry"),
        "aws_schemas_schema" => Resource("AWS::EventSchemas::Schema"),
        "aws_cloudwatch_event_rule" => Resource("AWS::Events::Rule"),
        "aws_cloudwatch_event_target" => Property("AWS::Events::Rule", "Targets"),
        "aws_sqs_queue" => Resource("AWS::SQS::Queue"),
        "aws_sqs_queue_redrive_policy" => Property("AWS::SQS::Queue", "RedrivePolicy"),
        "aws_sqs_queue_policy" => Resource("AWS::SQS::QueuePolicy"),
        "aws_sns_topic" => Resource("AWS::SNS::Topic"),
        "aws_cloudwatch_metric_alarm" => Resource("AWS::CloudWatch::Alarm"),
        "aws_sns_topic_policy" => Resource("AWS::SNS::TopicPolicy"),
        "aws_sns_topic_subscription" => Resource("AWS::SNS::Subscription"),
        "aws_kinesis_stream" => Resource("AWS::Kinesis::Stream"),
        "aws_kinesis_stream_consumer" => Resource("AWS::Kinesis::StreamConsumer"),
        "aws_dynamodb_table" => Resource("AWS::DynamoDB::Table"),
        "aws_db_subnet_group" => Resource("AWS::RDS::DBSubnetGroup"),
        "aws_db_parameter_group" => Resource("AWS::RDS::DBParameterGroup"),
        "aws_db_instance" | "aws_rds_cluster_instance" => Resource("AWS::RDS::DBInstance"),
        "aws_rds_cluster" => Resource("AWS::RDS::DBCluster"),
        "aws_rds_cluster_parameter_group" => Resource("AWS::RDS::DBClusterParameterGroup"),
        "aws_sfn_state_machine" => Resource("AWS::StepFunctions::StateMachine"),
        "aws_vpc_endpoint_service" => Resource("AWS::EC2::VPCEndpointService"),
        "aws_default_security_group" => Nothing(
            "CloudFormation cannot manage a VPC's default security group; nothing meshc creates uses it",
        ),
        "aws_vpc_endpoint_connection_accepter" => Nothing(
            "CloudFormation cannot accept an endpoint connection; the endpoint service accepts the account's own principals",
        ),
        other => panic!("no CloudFormation counterpart is known for {other}"),
    }
}

/// What CloudFormation needs beyond Terraform's resources: (Terraform type,
/// CloudFormation type it adds one of per instance).
const EXTRA: [(&str, &str); 3] = [
    // Terraform names the VPC in the gateway; CloudFormation attaches it.
    ("aws_internet_gateway", "AWS::EC2::VPCGatewayAttachment"),
    // Terraform names the principals in the service; CloudFormation in a
    // resource of their own.
    (
        "aws_vpc_endpoint_service",
        "AWS::EC2::VPCEndpointServicePermissions",
    ),
    // A NACL's subnets: Terraform lists them, CloudFormation associates each
    // (counted below, per subnet of the NACL).
    ("aws_network_acl", ""),
];

/// Terraform resources of a configuration: (type, label) → instances.
fn terraform_inventory(files: &BTreeMap<String, String>) -> BTreeMap<(String, String), usize> {
    let mut inventory = BTreeMap::new();
    for (path, text) in files {
        let terraform = path.starts_with("terraform/")
            && std::path::Path::new(path)
                .extension()
                .is_some_and(|extension| extension == "tf");
        if !terraform {
            continue;
        }
        let body: hcl::Body = hcl::from_str(text).unwrap_or_else(|e| panic!("{path}: {e}"));
        for block in body.blocks() {
            if block.identifier() != "resource" {
                continue;
            }
            let labels: Vec<&str> = block.labels().iter().map(hcl::BlockLabel::as_str).collect();
            let count = block
                .body()
                .attributes()
                .find(|attribute| attribute.key() == "count")
                .map_or(1, |attribute| match attribute.expr() {
                    hcl::Expression::Number(number) => number.as_u64().unwrap() as usize,
                    other => panic!("{path}: count {other:?} is not a number"),
                });
            inventory.insert((labels[0].to_string(), labels[1].to_string()), count);
        }
    }
    inventory
}

/// The number of subnets a NACL covers: its `subnet_ids` names
/// `aws_subnet.NAME[*].id`.
fn nacl_subnets(
    files: &BTreeMap<String, String>,
    inventory: &BTreeMap<(String, String), usize>,
) -> usize {
    let mut total = 0;
    for text in files.values() {
        for line in text.lines() {
            let line = line.trim();
            if let Some(rest) = line.strip_prefix("subnet_ids = aws_subnet.")
                && let Some(name) = rest.strip_suffix("[*].id")
                && files
                    .get("terraform/nacls.tf")
                    .is_some_and(|nacls| nacls.contains(line))
            {
                total += inventory[&("aws_subnet".to_string(), name.to_string())];
            }
        }
    }
    total
}

fn property_entries(template: &Json, kind: &str, property: &str) -> usize {
    template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|resource| resource["Type"] == kind)
        .filter_map(|resource| resource["Properties"].get(property))
        .map(|value| value.as_array().map_or(1, Vec::len))
        .sum()
}

#[test]
fn terraform_and_cloudformation_hold_the_same_resources() {
    for path in common::mesh_files("examples") {
        let name = common::file_name(&path);
        let source = meshc::diagnostics::SourceFile {
            name: name.clone(),
            text: std::fs::read_to_string(&path).unwrap(),
        };
        let files = meshc::compile(&source, &meshc::Options::default()).files;
        let template: Json = serde_json::from_str(&files["cloudformation/template.json"]).unwrap();
        let terraform = terraform_inventory(&files);

        let mut expected: BTreeMap<String, usize> = BTreeMap::new();
        let mut properties: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for ((kind, _), count) in &terraform {
            match counterpart(kind) {
                Counterpart::Resource(cloudformation) => {
                    *expected.entry(cloudformation.to_string()).or_default() += count;
                }
                Counterpart::Property(resource, property) => {
                    *properties.entry((resource, property)).or_default() += count;
                }
                Counterpart::Nothing(_) => {}
            }
            for (terraform_kind, extra) in EXTRA {
                if terraform_kind == kind && !extra.is_empty() {
                    *expected.entry(extra.to_string()).or_default() += count;
                }
            }
        }
        let associations = nacl_subnets(&files, &terraform);
        if associations > 0 {
            expected.insert(
                "AWS::EC2::SubnetNetworkAclAssociation".to_string(),
                associations,
            );
        }

        let mut actual: BTreeMap<String, usize> = BTreeMap::new();
        for resource in template["Resources"].as_object().unwrap().values() {
            *actual
                .entry(resource["Type"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
        assert_eq!(
            expected, actual,
            "{name}: the CloudFormation resources differ from what the Terraform ones map to"
        );
        for ((resource, property), count) in properties {
            assert_eq!(
                property_entries(&template, resource, property),
                count,
                "{name}: {resource}.{property} should hold what {count} Terraform resources do"
            );
        }
    }
}

#[test]
fn both_backends_name_the_same_aws_resources() {
    // The AWS names (Name, QueueName, FunctionName, ...) are the same in
    // both outputs once the prefix is substituted.
    for path in common::mesh_files("examples") {
        let name = common::file_name(&path);
        let source = meshc::diagnostics::SourceFile {
            name: name.clone(),
            text: std::fs::read_to_string(&path).unwrap(),
        };
        let files = meshc::compile(&source, &meshc::Options::default()).files;
        let template: Json = serde_json::from_str(&files["cloudformation/template.json"]).unwrap();
        let hcl_text: String = files
            .iter()
            .filter(|(path, _)| path.starts_with("terraform/"))
            .map(|(_, text)| text.as_str())
            .collect();
        for resource in template["Resources"].as_object().unwrap().values() {
            for key in [
                "QueueName",
                "TopicName",
                "FunctionName",
                "TableName",
                "RoleName",
                "StateMachineName",
            ] {
                let Some(text) = resource["Properties"]
                    .get(key)
                    .and_then(|value| value.get("Fn::Sub"))
                    .and_then(Json::as_str)
                else {
                    continue;
                };
                let terraform = text.replace("${NamePrefix}", "${var.name_prefix}");
                assert!(
                    hcl_text.contains(&format!("\"{terraform}\"")),
                    "{name}: {key} {text} has no Terraform twin"
                );
            }
        }
    }
}

/// A documentation comment of several lines on a database is its resource's
/// comment, line for line, as on any other declaration. The Terraform
/// backend used to join a database's lines with a newline and four spaces,
/// which indented every line after the first inside the comment.
#[test]
fn a_database_documented_over_lines_is_commented_line_for_line() {
    let shop = std::fs::read_to_string("examples/shop.mesh").unwrap();
    let text = shop.replace(
        "/// Payments ledger.\n",
        "/// Payments ledger.\n/// Kept seven years.\n",
    );
    assert_ne!(text, shop, "the shop's database comment moved");
    let source = meshc::diagnostics::SourceFile {
        name: "shop.mesh".to_string(),
        text,
    };
    let files = meshc::compile(&source, &meshc::Options::default()).files;
    let data = &files["terraform/data.tf"];
    assert!(
        data.contains("# Payments ledger.\n# Kept seven years.\n# Its master password"),
        "{data}"
    );
}
