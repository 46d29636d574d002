//! The Fargate services — the ECS cluster, a Cloud Map namespace per
//! network, and per service its log group, image repository (with its
//! lifecycle policy), task definition, DNS registration and ECS service —
//! and the Lambda functions with their code signing and event source
//! mappings (Terraform's `services.tf` and `functions.tf`).

use serde_json::{Map, Value as Json, json};

use super::settings::{PACKAGES_BUCKET, image_given, image_tag, package_key};
use super::{
    Context, Template, attribute, aws_name, id, physical_name, reference, references, sub,
};
use crate::emit::names;
use crate::graph::iam::Principal;
use crate::graph::messaging::{self, SourceMapping};
use crate::graph::network::Guarded;
use crate::graph::{LoadBalancerRef, Node, QueueRef, runtime};
use crate::model::aws_names::NameKind;
use crate::model::{Architecture, Fargate, Lambda, Service, ServiceId};

/// The runtime environment of a service, as (name, value) pairs.
fn environment(context: &Context<'_>, service: ServiceId) -> Vec<(String, Json)> {
    runtime::environment(context.system, context.graph, service)
        .into_iter()
        .map(|setting| {
            let value = references::setting(context, &setting.value);
            (setting.name, value)
        })
        .collect()
}

pub(super) fn services(context: &Context<'_>, template: &mut Template) {
    let system = context.system;
    let fargate = context.fargate_services();
    if fargate.is_empty() {
        return;
    }
    template
        .add(
            "SystemCluster".to_string(),
            "system",
            "AWS::ECS::Cluster",
            json!({
                "ClusterName": physical_name(context, &names::cluster(context)),
                "ClusterSettings": [{ "Name": "containerInsights", "Value": "enabled" }],
            }),
        )
        .note("The cluster the Fargate services run in.");
    for network in context.namespaces() {
        let name = names::network(system, network);
        template.add(
            id(&name, "Namespace"),
            &name,
            "AWS::ServiceDiscovery::PrivateDnsNamespace",
            json!({
                "Name": physical_name(context, &names::namespace(context, &name)),
                "Description": format!("How the services of network {name} find each other."),
                "Vpc": reference(&id(&name, "Vpc")),
            }),
        );
    }
    for (service_id, service, compute) in fargate {
        add_fargate(template, context, service_id, service, compute);
    }
}

fn add_fargate(
    template: &mut Template,
    context: &Context<'_>,
    service_id: ServiceId,
    service: &Service,
    compute: &Fargate,
) {
    let system = context.system;
    let plan = &context.graph.network;
    let name = service.name.text.clone();
    let log_group = super::log_group(
        context,
        template,
        &name,
        names::task_log_group(context, &name),
        service.log_retention.value.as_days_ceil(),
    );
    let image = if let Some(image) = &compute.image {
        Json::from(image.as_str())
    } else {
        let lifecycle = json!({
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
        template
            .add(
                id(&name, "Repository"),
                &name,
                "AWS::ECR::Repository",
                json!({
                    "RepositoryName": physical_name(context, &names::repository(context, &name)),
                    "ImageTagMutability": "IMMUTABLE",
                    "ImageScanningConfiguration": { "ScanOnPush": true },
                    "EncryptionConfiguration": {
                        "EncryptionType": "KMS",
                        "KmsKey": super::key_arn(),
                    },
                    "LifecyclePolicy": {
                        "LifecyclePolicyText": super::render_json(&lifecycle).trim_end(),
                    },
                }),
            )
            .note(&format!(
                "The images of {name}: tags never move, every push is scanned."
            ));
        // Until a tag is given the service runs no task (see its desired
        // count), and the task definition names a tag that is never pushed.
        json!({ "Fn::If": [
            image_given(&name),
            sub(&format!("${{{}.RepositoryUri}}:${{{}}}", id(&name, "Repository"), image_tag(&name))),
            sub(&format!("${{{}.RepositoryUri}}:unset", id(&name, "Repository"))),
        ] })
    };
    let port = service.port.map(|port| port.value);
    let container_name = names::bare(context, NameKind::Container, &name);
    let mut container = Map::new();
    container.insert("Name".into(), Json::from(container_name.as_str()));
    container.insert("Image".into(), image);
    container.insert("Essential".into(), Json::from(true));
    container.insert("ReadonlyRootFilesystem".into(), Json::from(true));
    if let Some(port) = port {
        container.insert(
            "PortMappings".into(),
            json!([{ "Name": "http", "ContainerPort": port, "Protocol": "tcp", "AppProtocol": "http" }]),
        );
    }
    let settings: Vec<Json> = environment(context, service_id)
        .into_iter()
        .map(|(key, value)| json!({ "Name": key, "Value": value }))
        .collect();
    container.insert("Environment".into(), Json::Array(settings));
    container.insert(
        "LogConfiguration".into(),
        json!({
            "LogDriver": "awslogs",
            "Options": {
                "awslogs-group": reference(&log_group),
                "awslogs-region": reference("AWS::Region"),
                "awslogs-stream-prefix": name,
            },
        }),
    );
    template
        .add(
            id(&name, "TaskDefinition"),
            &name,
            "AWS::ECS::TaskDefinition",
            json!({
                "Family": aws_name(context, NameKind::TaskFamily, &name),
                "RequiresCompatibilities": ["FARGATE"],
                "NetworkMode": "awsvpc",
                "Cpu": crate::model::aws::fargate_cpu_units(compute.millicpu.value).to_string(),
                "Memory": compute.memory.value.as_mib_ceil().to_string(),
                "ExecutionRoleArn": attribute(&references::role(context, Principal::TaskExecution(service_id)), "Arn"),
                "TaskRoleArn": attribute(&references::role(context, Principal::Service(service_id)), "Arn"),
                "RuntimePlatform": {
                    "OperatingSystemFamily": "LINUX",
                    "CpuArchitecture": match compute.architecture {
                        Architecture::X86_64 => "X86_64",
                        Architecture::Arm64 => "ARM64",
                    },
                },
                "ContainerDefinitions": [Json::Object(container)],
            }),
        )
        .note(&format!(
            "The task of {name}. Its MESH_* environment tells the code where its queues, tables and callees are, and the timeout, retries and circuit breaker of each call."
        ));
    let balancers: Vec<LoadBalancerRef> = plan
        .load_balancers
        .iter()
        .filter(|balancer| {
            balancer
                .targets
                .iter()
                .any(|target| target.service == service_id)
        })
        .map(|balancer| balancer.id)
        .collect();
    let (calls_mesh, called_mesh) = context.in_mesh(service_id);
    let dns = context.called_by_dns(service_id);
    let network = service
        .subnet
        .map(|subnet| names::network(system, subnet.value.network));
    if dns && let Some(network) = &network {
        template.add(
            id(&name, "Discovery"),
            &name,
            "AWS::ServiceDiscovery::Service",
            json!({
                "Name": names::bare(context, NameKind::DiscoveryService, &name),
                "DnsConfig": {
                    "NamespaceId": attribute(&id(network, "Namespace"), "Id"),
                    "RoutingPolicy": "MULTIVALUE",
                    "DnsRecords": [{ "Type": "A", "TTL": 10 }],
                },
            }),
        );
    }
    let mut properties = Map::new();
    properties.insert(
        "ServiceName".into(),
        aws_name(context, NameKind::EcsService, &name),
    );
    properties.insert("Cluster".into(), reference("SystemCluster"));
    properties.insert(
        "TaskDefinition".into(),
        reference(&id(&name, "TaskDefinition")),
    );
    // A service whose image meshc's own repository holds runs no task
    // until its image tag is given: the repository is created by the same
    // stack, and a task that cannot pull its image would keep the create
    // waiting until the deployment circuit breaker failed it.
    properties.insert("DesiredCount".into(), desired_count(&name, compute));
    properties.insert("LaunchType".into(), Json::from("FARGATE"));
    properties.insert("PlatformVersion".into(), Json::from("LATEST"));
    properties.insert("PropagateTags".into(), Json::from("SERVICE"));
    properties.insert("EnableECSManagedTags".into(), Json::from(true));
    if !balancers.is_empty() {
        properties.insert("HealthCheckGracePeriodSeconds".into(), Json::from(60));
    }
    if let Some(subnet) = service.subnet {
        properties.insert(
            "NetworkConfiguration".into(),
            json!({
                "AwsvpcConfiguration": {
                    "Subnets": super::subnet_ids(context, subnet.value),
                    "SecurityGroups": [super::group_id(context, Guarded::Service(service_id))],
                    "AssignPublicIp": "DISABLED",
                },
            }),
        );
    }
    properties.insert(
        "DeploymentConfiguration".into(),
        json!({ "DeploymentCircuitBreaker": { "Enable": true, "Rollback": true } }),
    );
    let mut targets = Vec::new();
    for balancer in &balancers {
        let Some(port) = port else {
            continue;
        };
        targets.push(json!({
            "TargetGroupArn": reference(&id(&names::target_group(system, *balancer, service_id), "TargetGroup")),
            "ContainerName": container_name,
            "ContainerPort": port,
        }));
    }
    if !targets.is_empty() {
        properties.insert("LoadBalancers".into(), Json::Array(targets));
    }
    if dns {
        properties.insert(
            "ServiceRegistries".into(),
            json!([{ "RegistryArn": attribute(&id(&name, "Discovery"), "Arn") }]),
        );
    }
    if (calls_mesh || called_mesh)
        && let Some(network) = &network
    {
        let mut connect = Map::new();
        connect.insert("Enabled".into(), Json::from(true));
        connect.insert(
            "Namespace".into(),
            attribute(&id(network, "Namespace"), "Arn"),
        );
        if called_mesh && let Some(port) = port {
            let alias = names::bare(context, NameKind::ServiceConnect, &name);
            let discovery = names::service_connect_discovery(context, service_id, &name);
            connect.insert(
                "Services".into(),
                json!([{
                    "PortName": "http",
                    "DiscoveryName": discovery,
                    "ClientAliases": [{ "Port": port, "DnsName": alias }],
                }]),
            );
        }
        connect.insert(
            "LogConfiguration".into(),
            json!({
                "LogDriver": "awslogs",
                "Options": {
                    "awslogs-group": reference(&log_group),
                    "awslogs-region": reference("AWS::Region"),
                    "awslogs-stream-prefix": "service-connect",
                },
            }),
        );
        properties.insert("ServiceConnectConfiguration".into(), Json::Object(connect));
    }
    let ecs = template.add(
        id(&name, "Service"),
        &name,
        "AWS::ECS::Service",
        Json::Object(properties),
    );
    ecs.depends_on_all(references::prerequisites(
        context,
        &crate::emit::ordering::ecs_service(context, service_id),
    ));
    ecs.note(&format!(
        "{name}: {} task{} in the private subnets, rolled back when a deployment fails.",
        compute.replicas.value,
        if compute.replicas.value == 1 { "" } else { "s" }
    ));
}

// ---------------------------------------------------------------------------
// Lambda.

pub(super) fn functions(context: &Context<'_>, template: &mut Template) {
    let system = context.system;
    let lambdas = context.lambda_services();
    if lambdas.is_empty() {
        return;
    }
    template
        .add(
            "FunctionsSigningProfile".to_string(),
            "functions",
            "AWS::Signer::SigningProfile",
            json!({ "PlatformId": "AWSLambda-SHA384-ECDSA" }),
        )
        .note("Lambda code signing: packages signed with this profile are trusted. Unsigned packages are deployed with a warning until UntrustedArtifactOnDeployment is set to Enforce.");
    template.add(
        "FunctionsCodeSigningConfig".to_string(),
        "functions",
        "AWS::Lambda::CodeSigningConfig",
        json!({
            "Description": format!("Code signing of the functions of system {}", system.name.text),
            "AllowedPublishers": {
                "SigningProfileVersionArns": [attribute("FunctionsSigningProfile", "ProfileVersionArn")],
            },
            "CodeSigningPolicies": { "UntrustedArtifactOnDeployment": "Warn" },
        }),
    );
    for (service_id, service, lambda) in lambdas {
        add_function(template, context, service_id, service, lambda);
    }
    for mapping in messaging::source_mappings(system, context.graph) {
        add_source_mapping(template, context, &mapping);
    }
}

fn add_function(
    template: &mut Template,
    context: &Context<'_>,
    service_id: ServiceId,
    service: &Service,
    lambda: &Lambda,
) {
    let system = context.system;
    let name = service.name.text.clone();
    let log_group = super::log_group(
        context,
        template,
        &name,
        names::function_log_group(context, &name),
        service.log_retention.value.as_days_ceil(),
    );
    let handler = lambda
        .handler
        .clone()
        .unwrap_or_else(|| crate::model::aws::default_handler(&lambda.runtime.value));
    let mut properties = Map::new();
    properties.insert(
        "FunctionName".into(),
        aws_name(context, NameKind::Function, &name),
    );
    properties.insert(
        "Description".into(),
        Json::from(names::description(
            &crate::model::prose(&service.doc).unwrap_or_else(|| format!("The service {name}.")),
            256,
        )),
    );
    properties.insert(
        "Role".into(),
        attribute(
            &references::role(context, Principal::Service(service_id)),
            "Arn",
        ),
    );
    properties.insert("Runtime".into(), Json::from(lambda.runtime.value.as_str()));
    properties.insert("Handler".into(), Json::from(handler));
    properties.insert(
        "Code".into(),
        json!({ "S3Bucket": reference(PACKAGES_BUCKET), "S3Key": reference(&package_key(&name)) }),
    );
    properties.insert(
        "Architectures".into(),
        json!([match lambda.architecture {
            Architecture::X86_64 => "x86_64",
            Architecture::Arm64 => "arm64",
        }]),
    );
    properties.insert(
        "MemorySize".into(),
        Json::from(lambda.memory.value.as_mib_ceil()),
    );
    properties.insert(
        "Timeout".into(),
        Json::from(lambda.timeout.value.as_secs_ceil()),
    );
    properties.insert("KmsKeyArn".into(), super::key_arn());
    properties.insert(
        "CodeSigningConfigArn".into(),
        // `Ref` of a code signing configuration is its ARN.
        reference("FunctionsCodeSigningConfig"),
    );
    if let Some(concurrency) = lambda.reserved_concurrency {
        properties.insert(
            "ReservedConcurrentExecutions".into(),
            Json::from(concurrency.value),
        );
    }
    if let Some(storage) = lambda.ephemeral_storage {
        properties.insert(
            "EphemeralStorage".into(),
            json!({ "Size": storage.value.as_mib_ceil() }),
        );
    }
    properties.insert("TracingConfig".into(), json!({ "Mode": "Active" }));
    properties.insert(
        "LoggingConfig".into(),
        json!({ "LogFormat": "JSON", "LogGroup": reference(&log_group) }),
    );
    let variables: Map<String, Json> = environment(context, service_id).into_iter().collect();
    properties.insert(
        "Environment".into(),
        json!({ "Variables": Json::Object(variables) }),
    );
    if let Some(subnet) = service.subnet {
        properties.insert(
            "VpcConfig".into(),
            json!({
                "SubnetIds": super::subnet_ids(context, subnet.value),
                "SecurityGroupIds": [super::group_id(context, Guarded::Service(service_id))],
            }),
        );
    }
    let failures = QueueRef::FunctionFailures(service_id);
    let asynchronous = context.graph.node(Node::Queue(failures)).is_some();
    if asynchronous {
        properties.insert(
            "DeadLetterConfig".into(),
            json!({ "TargetArn": references::queue_arn(system, failures) }),
        );
    }
    let function = template.add(
        references::function(context, service_id),
        &name,
        "AWS::Lambda::Function",
        Json::Object(properties),
    );
    function
        .depends_on_all(references::prerequisites(
            context,
            &[crate::emit::ordering::assumes(Principal::Service(service_id))],
        ))
        .note(&format!(
            "{name}: its MESH_* environment tells the code where its queues, tables and callees are."
        ));
    if lambda.reserved_concurrency.is_none() {
        function.skip(
            "CKV_AWS_115",
            "no reserved_concurrency is declared; reserving some would take it from the account's shared pool",
        );
    }
    if service.subnet.is_none() {
        function.skip(
            "CKV_AWS_117",
            "the service declares no subnet: it reaches only AWS APIs, which it does without a VPC",
        );
    }
    if !asynchronous {
        function.skip("CKV_AWS_116", crate::emit::SYNCHRONOUS_FUNCTION);
    }
}

fn add_source_mapping(template: &mut Template, context: &Context<'_>, mapping: &SourceMapping) {
    let system = context.system;
    let service =
        crate::emit::infra::named(context, crate::model::ComponentId::Service(mapping.service));
    let (label, arn, stream) = match mapping.source {
        Node::Queue(queue) => (
            format!("{service}--{}", names::queue(system, queue)),
            references::queue_arn(system, queue),
            false,
        ),
        Node::Stream(stream) => {
            let stream_name =
                crate::emit::infra::named(context, crate::model::ComponentId::Stream(stream));
            let arn = if messaging::enhanced_fan_out(context.graph, stream) {
                attribute(
                    &id(&format!("{stream_name}--{service}"), "StreamConsumer"),
                    "ConsumerARN",
                )
            } else {
                attribute(&references::stream(context, stream), "Arn")
            };
            (format!("{service}--{stream_name}"), arn, true)
        }
        _ => return,
    };
    let mut properties = Map::new();
    properties.insert("EventSourceArn".into(), arn);
    properties.insert(
        "FunctionName".into(),
        attribute(&references::function(context, mapping.service), "Arn"),
    );
    properties.insert(
        "FunctionResponseTypes".into(),
        json!(["ReportBatchItemFailures"]),
    );
    if let Some(size) = mapping.batch_size {
        properties.insert("BatchSize".into(), Json::from(size));
    }
    if let Some(window) = mapping.batch_window {
        properties.insert(
            "MaximumBatchingWindowInSeconds".into(),
            Json::from(window.as_secs_ceil()),
        );
    }
    if stream {
        properties.insert("StartingPosition".into(), Json::from("LATEST"));
        properties.insert("BisectBatchOnFunctionError".into(), Json::from(true));
    }
    if let Some(failure) = &mapping.on_failure {
        properties.insert("MaximumRetryAttempts".into(), Json::from(failure.retries));
        properties.insert(
            "MaximumRecordAgeInSeconds".into(),
            Json::from(failure.max_record_age.as_secs_ceil()),
        );
        properties.insert(
            "DestinationConfig".into(),
            json!({ "OnFailure": { "Destination": references::queue_arn(context.system, failure.destination) } }),
        );
    }
    if let Some(filter) = &mapping.filter {
        properties.insert(
            "FilterCriteria".into(),
            json!({ "Filters": [{ "Pattern": serde_json::to_string(filter).unwrap_or_default() }] }),
        );
    }
    template
        .add(
            id(&label, "EventSourceMapping"),
            &label,
            "AWS::Lambda::EventSourceMapping",
            Json::Object(properties),
        )
        .note(&crate::emit::source_mapping_note(&service, mapping));
}

/// The tasks a Fargate service runs: none until the image tag of one whose
/// image meshc's own repository holds is given.
pub(super) fn desired_count(name: &str, compute: &crate::model::Fargate) -> Json {
    let replicas = Json::from(compute.replicas.value);
    if compute.image.is_some() {
        replicas
    } else {
        json!({ "Fn::If": [image_given(name), replicas, 0] })
    }
}
