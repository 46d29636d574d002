//! `services.tf`: the Fargate services — the ECS cluster, a Cloud Map
//! namespace per network whose services find each other by name, and per
//! service its log group, image repository, task definition and ECS service
//! (with its load balancer targets, Service Connect and DNS registration).
//! `functions.tf`: the Lambda functions and their event source mappings.

use hcl::Expression;

use super::Context;
use super::references;
use super::writer::{
    TfFile, attribute, aws_name, call, list, nested_block, object, physical_name, reference,
    resource, strings, variable_entry,
};
use crate::emit::names;
use crate::graph::iam::Principal;
use crate::graph::messaging::{self, SourceMapping};
use crate::graph::network::Guarded;
use crate::graph::{LoadBalancerRef, Node, QueueRef, runtime};
use crate::model::aws_names::NameKind;
use crate::model::{Architecture, Fargate, Lambda, Service, ServiceId};

pub(super) fn service_name(context: &Context<'_>, id: ServiceId) -> String {
    crate::emit::infra::named(context, crate::model::ComponentId::Service(id))
}

fn architecture(architecture: Architecture) -> &'static str {
    match architecture {
        Architecture::X86_64 => "X86_64",
        Architecture::Arm64 => "ARM64",
    }
}

/// A log group with the declared retention, encrypted with the system key.
fn log_group(
    file: &mut TfFile,
    context: &Context<'_>,
    label: &str,
    name: crate::emit::names::PhysicalName,
    service: &Service,
) {
    let days = service.log_retention.value.as_days_ceil();
    super::infra::add(
        file,
        context,
        crate::emit::infra::logs::log_group(label, name, days),
    );
}

/// The runtime environment of a service as `{ name = ..., value = ... }`
/// objects (ECS) or a map (Lambda).
fn environment(context: &Context<'_>, id: ServiceId) -> Vec<(String, Expression)> {
    runtime::environment(context.system, context.graph, id)
        .into_iter()
        .map(|setting| {
            let value = references::setting(context, &setting.value);
            (setting.name, value)
        })
        .collect()
}

pub(super) fn services(context: &Context<'_>) -> TfFile {
    let system = context.system;
    let mut file = TfFile::new(context);
    let fargate = context.fargate_services();
    if fargate.is_empty() {
        return file;
    }
    file.add(
        resource("aws_ecs_cluster", "system")
            .add_attribute(attribute("name", physical_name(&names::cluster(context))))
            .add_block(
                nested_block("setting")
                    .add_attribute(attribute("name", "containerInsights"))
                    .add_attribute(attribute("value", "enabled"))
                    .build(),
            )
            .build(),
    );
    file.note_above("The cluster the Fargate services run in.");
    for network in context.namespaces() {
        let name = names::network(system, network);
        file.add(
            resource("aws_service_discovery_private_dns_namespace", &name)
                .add_attribute(attribute(
                    "name",
                    physical_name(&names::namespace(context, &name)),
                ))
                .add_attribute(attribute(
                    "description",
                    format!("How the services of network {name} find each other."),
                ))
                .add_attribute(attribute("vpc", reference(&format!("aws_vpc.{name}.id"))))
                .build(),
        );
        file.note_above(
            "Service Connect (`via = mesh`) and DNS (`via = dns`) names of the network.",
        );
    }
    for (id, service, compute) in fargate {
        add_fargate(&mut file, context, id, service, compute);
    }
    file
}

/// The tag a task definition names before `image_tags` gives one: no task
/// runs it (the service's desired count is 0 until then).
const UNSET_TAG: &str = "unset";

/// The tasks a Fargate service runs. One whose image meshc's own ECR
/// repository holds runs none until `image_tags` names it: the first apply
/// creates the repository, an image can be pushed only then, and a service
/// that started at once would fail to pull it until the deployment circuit
/// breaker gave up.
pub(super) fn desired_count(name: &str, compute: &Fargate) -> Expression {
    if compute.image.is_some() {
        return Expression::from(compute.replicas.value);
    }
    hcl::expr::Conditional::new(
        call(
            "contains",
            vec![
                call("keys", vec![reference("var.image_tags")]),
                Expression::from(name),
            ],
        ),
        Expression::from(compute.replicas.value),
        Expression::from(0),
    )
    .into()
}

fn add_fargate(
    file: &mut TfFile,
    context: &Context<'_>,
    id: ServiceId,
    service: &Service,
    compute: &Fargate,
) {
    let system = context.system;
    let plan = &context.graph.network;
    let name = service.name.text.clone();
    log_group(
        file,
        context,
        &name,
        names::task_log_group(context, &name),
        service,
    );
    let image = if let Some(image) = &compute.image {
        Expression::from(image.as_str())
    } else {
        file.add(
            resource("aws_ecr_repository", &name)
                .add_attribute(attribute(
                    "name",
                    physical_name(&names::repository(context, &name)),
                ))
                .add_attribute(attribute("image_tag_mutability", "IMMUTABLE"))
                .add_block(
                    nested_block("image_scanning_configuration")
                        .add_attribute(attribute("scan_on_push", true))
                        .build(),
                )
                .add_block(
                    nested_block("encryption_configuration")
                        .add_attribute(attribute("encryption_type", "KMS"))
                        .add_attribute(attribute("kms_key", reference("aws_kms_key.system.arn")))
                        .build(),
                )
                .build(),
        );
        file.note_above(&format!(
            "The images of {name}: tags never move, every push is scanned."
        ));
        let policy = serde_json::json!({
            "rules": [{
                "rulePriority": 1,
                "description": "Keep the last 30 images",
                "selection": {
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": 30,
                },
                "action": { "type": "expire" },
            }],
        });
        file.add(
            resource("aws_ecr_lifecycle_policy", &name)
                .add_attribute(attribute(
                    "repository",
                    reference(&format!("aws_ecr_repository.{name}.name")),
                ))
                .add_attribute(attribute(
                    "policy",
                    call("jsonencode", vec![json_expression(&policy)]),
                ))
                .build(),
        );
        call(
            "format",
            vec![
                Expression::from("%s:%s"),
                reference(&format!("aws_ecr_repository.{name}.repository_url")),
                call(
                    "lookup",
                    vec![
                        reference("var.image_tags"),
                        Expression::from(name.as_str()),
                        Expression::from(UNSET_TAG),
                    ],
                ),
            ],
        )
    };
    let port = service.port.map(|port| port.value);
    let container_name = names::bare(context, NameKind::Container, &name);
    let mut container = vec![
        ("name", Expression::from(container_name.as_str())),
        ("image", image),
        ("essential", Expression::from(true)),
        ("readonlyRootFilesystem", Expression::from(true)),
    ];
    if let Some(port) = port {
        container.push((
            "portMappings",
            list([object([
                ("name", Expression::from("http")),
                ("containerPort", Expression::from(port)),
                ("protocol", Expression::from("tcp")),
                ("appProtocol", Expression::from("http")),
            ])]),
        ));
    }
    let settings = environment(context, id);
    container.push((
        "environment",
        list(settings.iter().map(|(key, value)| {
            object([
                ("name", Expression::from(key.as_str())),
                ("value", value.clone()),
            ])
        })),
    ));
    container.push((
        "logConfiguration",
        object([
            ("logDriver", Expression::from("awslogs")),
            (
                "options",
                object([
                    (
                        "awslogs-group",
                        reference(&format!("aws_cloudwatch_log_group.{name}.name")),
                    ),
                    ("awslogs-region", reference("var.region")),
                    ("awslogs-stream-prefix", Expression::from(name.as_str())),
                ]),
            ),
        ]),
    ));
    let execution = names::role(
        system,
        context.graph,
        crate::graph::iam::Principal::TaskExecution(id),
    );
    file.add(
        resource("aws_ecs_task_definition", &name)
            .add_attribute(attribute(
                "family",
                aws_name(context, NameKind::TaskFamily, &name),
            ))
            .add_attribute(attribute("requires_compatibilities", strings(["FARGATE"])))
            .add_attribute(attribute("network_mode", "awsvpc"))
            .add_attribute(attribute(
                "cpu",
                crate::model::aws::fargate_cpu_units(compute.millicpu.value).to_string(),
            ))
            .add_attribute(attribute(
                "memory",
                compute.memory.value.as_mib_ceil().to_string(),
            ))
            .add_attribute(attribute(
                "execution_role_arn",
                reference(&format!("aws_iam_role.{execution}.arn")),
            ))
            .add_attribute(attribute(
                "task_role_arn",
                reference(&format!(
                    "aws_iam_role.{}.arn",
                    names::role(
                        system,
                        context.graph,
                        crate::graph::iam::Principal::Service(id)
                    )
                )),
            ))
            .add_block(
                nested_block("runtime_platform")
                    .add_attribute(attribute("operating_system_family", "LINUX"))
                    .add_attribute(attribute(
                        "cpu_architecture",
                        architecture(compute.architecture),
                    ))
                    .build(),
            )
            .add_attribute(attribute(
                "container_definitions",
                call("jsonencode", vec![list([object(container)])]),
            ))
            .build(),
    );
    file.note_above(&format!(
            "The task of {name}. Its MESH_* environment tells the code where its queues, tables and\ncallees are, and the timeout, retries and circuit breaker of each call."
        ),
    );
    let balancers: Vec<LoadBalancerRef> = plan
        .load_balancers
        .iter()
        .filter(|balancer| balancer.targets.iter().any(|target| target.service == id))
        .map(|balancer| balancer.id)
        .collect();
    let (calls_mesh, called_mesh) = context.in_mesh(id);
    let dns = context.called_by_dns(id);
    let network = service
        .subnet
        .map(|subnet| names::network(system, subnet.value.network));
    if dns && let Some(network) = &network {
        file.add(
            resource("aws_service_discovery_service", &name)
                .add_attribute(attribute(
                    "name",
                    names::bare(context, NameKind::DiscoveryService, &name),
                ))
                .add_block(
                    nested_block("dns_config")
                        .add_attribute(attribute(
                            "namespace_id",
                            reference(&format!(
                                "aws_service_discovery_private_dns_namespace.{network}.id"
                            )),
                        ))
                        .add_attribute(attribute("routing_policy", "MULTIVALUE"))
                        .add_block(
                            nested_block("dns_records")
                                .add_attribute(attribute("type", "A"))
                                .add_attribute(attribute("ttl", 10))
                                .build(),
                        )
                        .build(),
                )
                .build(),
        );
    }
    let subnet = service
        .subnet
        .map(|subnet| names::subnet(system, subnet.value));
    let mut ecs = resource("aws_ecs_service", &name)
        .add_attribute(attribute(
            "name",
            aws_name(context, NameKind::EcsService, &name),
        ))
        .add_attribute(attribute("cluster", reference("aws_ecs_cluster.system.id")))
        .add_attribute(attribute(
            "task_definition",
            reference(&format!("aws_ecs_task_definition.{name}.arn")),
        ))
        .add_attribute(attribute("desired_count", desired_count(&name, compute)))
        .add_attribute(attribute("launch_type", "FARGATE"))
        .add_attribute(attribute("platform_version", "LATEST"))
        .add_attribute(attribute("propagate_tags", "SERVICE"))
        .add_attribute(attribute("enable_ecs_managed_tags", true));
    if !balancers.is_empty() {
        ecs = ecs.add_attribute(attribute("health_check_grace_period_seconds", 60));
    }
    if let Some(subnet) = &subnet {
        ecs = ecs.add_block(
            nested_block("network_configuration")
                .add_attribute(attribute(
                    "subnets",
                    reference(&format!("aws_subnet.{subnet}[*].id")),
                ))
                .add_attribute(attribute(
                    "security_groups",
                    list([reference(&format!(
                        "aws_security_group.{}.id",
                        names::guarded(system, Guarded::Service(id))
                    ))]),
                ))
                .add_attribute(attribute("assign_public_ip", false))
                .build(),
        );
    }
    ecs = ecs.add_block(
        nested_block("deployment_circuit_breaker")
            .add_attribute(attribute("enable", true))
            .add_attribute(attribute("rollback", true))
            .build(),
    );
    let mut depends = Vec::new();
    for balancer in &balancers {
        let Some(port) = port else {
            continue;
        };
        ecs = ecs.add_block(
            nested_block("load_balancer")
                .add_attribute(attribute(
                    "target_group_arn",
                    reference(&format!(
                        "aws_lb_target_group.{}.arn",
                        names::target_group(system, *balancer, id)
                    )),
                ))
                .add_attribute(attribute(
                    "container_name",
                    names::bare(context, NameKind::Container, &name),
                ))
                .add_attribute(attribute("container_port", port))
                .build(),
        );
    }
    if dns {
        ecs = ecs.add_block(
            nested_block("service_registries")
                .add_attribute(attribute(
                    "registry_arn",
                    reference(&format!("aws_service_discovery_service.{name}.arn")),
                ))
                .build(),
        );
    }
    if (calls_mesh || called_mesh)
        && let Some(network) = &network
    {
        let mut connect = nested_block("service_connect_configuration")
            .add_attribute(attribute("enabled", true))
            .add_attribute(attribute(
                "namespace",
                reference(&format!(
                    "aws_service_discovery_private_dns_namespace.{network}.arn"
                )),
            ));
        if called_mesh && let Some(port) = port {
            let alias = names::bare(context, NameKind::ServiceConnect, &name);
            let discovery = names::service_connect_discovery(context, id, &name);
            connect = connect.add_block(
                nested_block("service")
                    .add_attribute(attribute("port_name", "http"))
                    .add_attribute(attribute("discovery_name", discovery.as_str()))
                    .add_block(
                        nested_block("client_alias")
                            .add_attribute(attribute("port", port))
                            .add_attribute(attribute("dns_name", alias.as_str()))
                            .build(),
                    )
                    .build(),
            );
        }
        connect = connect.add_block(
            nested_block("log_configuration")
                .add_attribute(attribute("log_driver", "awslogs"))
                .add_attribute(attribute(
                    "options",
                    object([
                        (
                            "awslogs-group",
                            reference(&format!("aws_cloudwatch_log_group.{name}.name")),
                        ),
                        ("awslogs-region", reference("var.region")),
                        ("awslogs-stream-prefix", Expression::from("service-connect")),
                    ]),
                ))
                .build(),
        );
        ecs = ecs.add_block(connect.build());
    }
    depends.extend(references::prerequisites(
        context,
        &crate::emit::ordering::ecs_service(context, id),
    ));
    if !depends.is_empty() {
        ecs = ecs.add_attribute(attribute("depends_on", list(depends)));
    }
    file.add(ecs.build());
    file.note_above(&format!(
        "{name}: {} task{} in the private subnets, rolled back when a deployment fails.",
        compute.replicas.value,
        if compute.replicas.value == 1 { "" } else { "s" }
    ));
}

/// A JSON value as an HCL expression (for `jsonencode`).
pub(super) fn json_expression(value: &serde_json::Value) -> Expression {
    match value {
        serde_json::Value::Null => Expression::Null,
        serde_json::Value::Bool(flag) => Expression::from(*flag),
        serde_json::Value::Number(number) => number
            .as_i64()
            .map(Expression::from)
            .or_else(|| number.as_f64().map(Expression::from))
            .unwrap_or(Expression::Null),
        serde_json::Value::String(text) => Expression::from(text.as_str()),
        serde_json::Value::Array(items) => list(items.iter().map(json_expression)),
        serde_json::Value::Object(entries) => object(
            entries
                .iter()
                .map(|(key, value)| (key.as_str(), json_expression(value))),
        ),
    }
}

// ---------------------------------------------------------------------------
// Lambda.

pub(super) fn functions(context: &Context<'_>) -> TfFile {
    let system = context.system;
    let mut file = TfFile::new(context);
    let lambdas = context.lambda_services();
    if lambdas.is_empty() {
        return file;
    }
    file.add(
        resource("aws_signer_signing_profile", "functions")
            .add_attribute(attribute(
                "name_prefix",
                call(
                    "format",
                    vec![
                        Expression::from("%s_"),
                        call(
                            "replace",
                            vec![
                                reference("var.name_prefix"),
                                Expression::from("-"),
                                Expression::from("_"),
                            ],
                        ),
                    ],
                ),
            ))
            .add_attribute(attribute("platform_id", "AWSLambda-SHA384-ECDSA"))
            .build(),
    );
    file.note_above("Lambda code signing: packages signed with this profile are trusted. Unsigned packages are\ndeployed with a warning until untrusted_artifact_on_deployment is set to Enforce.",
    );
    file.add(
        resource("aws_lambda_code_signing_config", "functions")
            .add_attribute(attribute(
                "description",
                format!(
                    "Code signing of the functions of system {}",
                    system.name.text
                ),
            ))
            .add_block(
                nested_block("allowed_publishers")
                    .add_attribute(attribute(
                        "signing_profile_version_arns",
                        list([reference(
                            "aws_signer_signing_profile.functions.version_arn",
                        )]),
                    ))
                    .build(),
            )
            .add_block(
                nested_block("policies")
                    .add_attribute(attribute("untrusted_artifact_on_deployment", "Warn"))
                    .build(),
            )
            .build(),
    );
    for (id, service, lambda) in lambdas {
        add_function(&mut file, context, id, service, lambda);
    }
    for mapping in messaging::source_mappings(system, context.graph) {
        add_source_mapping(&mut file, context, &mapping);
    }
    file
}

fn add_function(
    file: &mut TfFile,
    context: &Context<'_>,
    id: ServiceId,
    service: &Service,
    lambda: &Lambda,
) {
    let system = context.system;
    let name = service.name.text.clone();
    log_group(
        file,
        context,
        &name,
        names::function_log_group(context, &name),
        service,
    );
    let role = names::role(
        system,
        context.graph,
        crate::graph::iam::Principal::Service(id),
    );
    let handler = lambda
        .handler
        .clone()
        .unwrap_or_else(|| crate::model::aws::default_handler(&lambda.runtime.value));
    let mut function = resource("aws_lambda_function", &name)
        .add_attribute(attribute(
            "function_name",
            aws_name(context, NameKind::Function, &name),
        ))
        .add_attribute(attribute(
            "description",
            names::description(
                &crate::model::prose(&service.doc)
                    .unwrap_or_else(|| format!("The service {name}.")),
                256,
            ),
        ))
        .add_attribute(attribute(
            "role",
            reference(&format!("aws_iam_role.{role}.arn")),
        ))
        .add_attribute(attribute("runtime", lambda.runtime.value.as_str()))
        .add_attribute(attribute("handler", handler))
        .add_attribute(attribute(
            "filename",
            variable_entry("function_packages", &name),
        ))
        .add_attribute(attribute(
            "source_code_hash",
            call(
                "filebase64sha256",
                vec![variable_entry("function_packages", &name)],
            ),
        ))
        .add_attribute(attribute(
            "architectures",
            strings([match lambda.architecture {
                Architecture::X86_64 => "x86_64",
                Architecture::Arm64 => "arm64",
            }]),
        ))
        .add_attribute(attribute("memory_size", lambda.memory.value.as_mib_ceil()))
        .add_attribute(attribute("timeout", lambda.timeout.value.as_secs_ceil()))
        .add_attribute(attribute(
            "kms_key_arn",
            reference("aws_kms_key.system.arn"),
        ))
        .add_attribute(attribute(
            "code_signing_config_arn",
            reference("aws_lambda_code_signing_config.functions.arn"),
        ));
    if let Some(concurrency) = lambda.reserved_concurrency {
        function = function.add_attribute(attribute(
            "reserved_concurrent_executions",
            concurrency.value,
        ));
    }
    if let Some(storage) = lambda.ephemeral_storage {
        function = function.add_block(
            nested_block("ephemeral_storage")
                .add_attribute(attribute("size", storage.value.as_mib_ceil()))
                .build(),
        );
    }
    function = function
        .add_block(
            nested_block("tracing_config")
                .add_attribute(attribute("mode", "Active"))
                .build(),
        )
        .add_block(
            nested_block("logging_config")
                .add_attribute(attribute("log_format", "JSON"))
                .add_attribute(attribute(
                    "log_group",
                    reference(&format!("aws_cloudwatch_log_group.{name}.name")),
                ))
                .build(),
        );
    let settings = environment(context, id);
    function = function.add_block(
        nested_block("environment")
            .add_attribute(attribute(
                "variables",
                object(
                    settings
                        .iter()
                        .map(|(key, value)| (key.as_str(), value.clone())),
                ),
            ))
            .build(),
    );
    if let Some(subnet) = service.subnet {
        function = function.add_block(
            nested_block("vpc_config")
                .add_attribute(attribute(
                    "subnet_ids",
                    reference(&format!(
                        "aws_subnet.{}[*].id",
                        names::subnet(system, subnet.value)
                    )),
                ))
                .add_attribute(attribute(
                    "security_group_ids",
                    list([reference(&format!(
                        "aws_security_group.{}.id",
                        names::guarded(system, Guarded::Service(id))
                    ))]),
                ))
                .build(),
        );
    }
    let failures = QueueRef::FunctionFailures(id);
    let asynchronous = context.graph.node(Node::Queue(failures)).is_some();
    if asynchronous {
        function = function.add_block(
            nested_block("dead_letter_config")
                .add_attribute(attribute(
                    "target_arn",
                    references::queue_arn(context, failures),
                ))
                .build(),
        );
    }
    let mut depends = vec![reference(&format!("aws_cloudwatch_log_group.{name}"))];
    depends.extend(references::prerequisites(
        context,
        &[crate::emit::ordering::assumes(Principal::Service(id))],
    ));
    function = function.add_attribute(attribute("depends_on", list(depends)));
    file.add(function.build());
    file.note_above(&format!(
        "{name}: its MESH_* environment tells the code where its queues, tables and callees are."
    ));
    if lambda.reserved_concurrency.is_none() {
        file.note_inside("#checkov:skip=CKV_AWS_115:no reserved_concurrency is declared; reserving some would take it from the account's shared pool",
        );
    }
    if service.subnet.is_none() {
        file.note_inside("#checkov:skip=CKV_AWS_117:the service declares no subnet: it reaches only AWS APIs, which it does without a VPC",
        );
    }
    if !asynchronous {
        file.note_inside(&format!(
            "#checkov:skip=CKV_AWS_116:{}",
            crate::emit::SYNCHRONOUS_FUNCTION
        ));
    }
}

fn add_source_mapping(file: &mut TfFile, context: &Context<'_>, mapping: &SourceMapping) {
    let system = context.system;
    let service = service_name(context, mapping.service);
    let (label, arn, stream) = match mapping.source {
        Node::Queue(queue) => {
            let queue_name = names::queue(system, queue);
            (
                format!("{service}--{queue_name}"),
                references::queue_arn(context, queue),
                false,
            )
        }
        Node::Stream(stream) => {
            let stream_name =
                crate::emit::infra::named(context, crate::model::ComponentId::Stream(stream));
            let arn = if messaging::enhanced_fan_out(context.graph, stream) {
                reference(&format!(
                    "aws_kinesis_stream_consumer.{stream_name}--{service}.arn"
                ))
            } else {
                reference(&format!("aws_kinesis_stream.{stream_name}.arn"))
            };
            (format!("{service}--{stream_name}"), arn, true)
        }
        _ => return,
    };
    let mut block = resource("aws_lambda_event_source_mapping", &label)
        .add_attribute(attribute("event_source_arn", arn))
        .add_attribute(attribute(
            "function_name",
            reference(&format!("aws_lambda_function.{service}.arn")),
        ))
        .add_attribute(attribute(
            "function_response_types",
            strings(["ReportBatchItemFailures"]),
        ));
    if let Some(size) = mapping.batch_size {
        block = block.add_attribute(attribute("batch_size", size));
    }
    if let Some(window) = mapping.batch_window {
        block = block.add_attribute(attribute(
            "maximum_batching_window_in_seconds",
            window.as_secs_ceil(),
        ));
    }
    if stream {
        block = block
            .add_attribute(attribute("starting_position", "LATEST"))
            .add_attribute(attribute("bisect_batch_on_function_error", true));
    }
    if let Some(failure) = &mapping.on_failure {
        block = block
            .add_attribute(attribute("maximum_retry_attempts", failure.retries))
            .add_attribute(attribute(
                "maximum_record_age_in_seconds",
                failure.max_record_age.as_secs_ceil(),
            ))
            .add_block(
                nested_block("destination_config")
                    .add_block(
                        nested_block("on_failure")
                            .add_attribute(attribute(
                                "destination_arn",
                                references::queue_arn(context, failure.destination),
                            ))
                            .build(),
                    )
                    .build(),
            );
    }
    if let Some(filter) = &mapping.filter {
        block = block.add_block(
            nested_block("filter_criteria")
                .add_block(
                    nested_block("filter")
                        .add_attribute(attribute(
                            "pattern",
                            call("jsonencode", vec![json_expression(filter)]),
                        ))
                        .build(),
                )
                .build(),
        );
    }
    file.add(block.build());
    file.note_above(&crate::emit::source_mapping_note(&service, mapping));
}
