//! `load_balancers.tf`: the Application Load Balancers of the network plan
//! (listeners, path rules, target groups, Lambda targets), the Network Load
//! Balancers of services exposed with `nlb` (those offered over PrivateLink
//! are in `privatelink.tf`), the bucket their access logs go to, and a web
//! ACL with AWS's managed rules in front of every internet-facing one.

use hcl::{Block, BlockBuilder, Expression};

use super::Context;
use super::writer::{
    TfFile, attribute, aws_name, data, list, nested_block, physical_name, reference, resource,
    strings, template,
};
use crate::emit::firewall::{MANAGED_RULES, TLS_POLICY};
use crate::emit::names;
use crate::graph::LoadBalancerRef;
use crate::graph::network::{Guarded, HealthCheck, ListenerProtocol, LoadBalancer, Target};
use crate::model::aws::ELB_LOG_DELIVERY_BY_SERVICE;
use crate::model::aws_names::NameKind;

/// The `health_check` block of a target group, none where nothing is
/// checked (a Lambda function's group is not checked unless enabled).
fn health_check(check: &HealthCheck, lambda: bool) -> Option<Block> {
    let block = nested_block("health_check");
    let block = match check {
        HealthCheck::Off => return None,
        HealthCheck::Tcp => block
            .add_attribute(attribute("protocol", "TCP"))
            .add_attribute(attribute("port", "traffic-port")),
        HealthCheck::Http { path } if lambda => block
            .add_attribute(attribute("enabled", true))
            .add_attribute(attribute("path", path.as_str()))
            .add_attribute(attribute("matcher", HealthCheck::HEALTHY_CODES)),
        HealthCheck::Http { path } => block
            .add_attribute(attribute("protocol", "HTTP"))
            .add_attribute(attribute("port", "traffic-port"))
            .add_attribute(attribute("path", path.as_str()))
            .add_attribute(attribute("matcher", HealthCheck::HEALTHY_CODES))
            .add_attribute(attribute("interval", HealthCheck::INTERVAL_SECONDS))
            .add_attribute(attribute("timeout", HealthCheck::TIMEOUT_SECONDS))
            .add_attribute(attribute(
                "healthy_threshold",
                HealthCheck::HEALTHY_THRESHOLD,
            ))
            .add_attribute(attribute(
                "unhealthy_threshold",
                HealthCheck::UNHEALTHY_THRESHOLD,
            )),
    };
    Some(block.build())
}

fn empty(name: &str) -> Block {
    Block::builder(name).build()
}

pub(super) fn load_balancers(context: &Context<'_>) -> TfFile {
    let plan = &context.graph.network;
    let mut file = TfFile::new(context);
    let balancers: Vec<&LoadBalancer> = plan
        .load_balancers
        .iter()
        .filter(|balancer| !balancer.endpoint_service)
        .collect();
    let albs = balancers
        .iter()
        .any(|balancer| matches!(balancer.id, LoadBalancerRef::Alb { .. }));
    if albs {
        add_log_bucket(&mut file, context);
    }
    for balancer in balancers {
        match balancer.id {
            LoadBalancerRef::Alb { .. } => add_alb(&mut file, context, balancer),
            LoadBalancerRef::Nlb(_) => add_nlb(&mut file, context, balancer),
        }
    }
    file
}

fn visibility(metric: Expression) -> Block {
    nested_block("visibility_config")
        .add_attribute(attribute("cloudwatch_metrics_enabled", true))
        .add_attribute(attribute("metric_name", metric))
        .add_attribute(attribute("sampled_requests_enabled", true))
        .build()
}

fn add_alb(file: &mut TfFile, context: &Context<'_>, balancer: &LoadBalancer) {
    let system = context.system;
    let name = names::load_balancer(system, balancer.id);
    let subnet = names::subnet(system, balancer.subnet);
    let security_group = names::guarded(system, Guarded::LoadBalancer(balancer.id));
    file.add(
        resource("aws_lb", &name)
            .add_attribute(attribute(
                "name",
                aws_name(context, NameKind::LoadBalancer, &name),
            ))
            .add_attribute(attribute("internal", !balancer.public))
            .add_attribute(attribute("load_balancer_type", "application"))
            .add_attribute(attribute(
                "subnets",
                reference(&format!("aws_subnet.{subnet}[*].id")),
            ))
            .add_attribute(attribute(
                "security_groups",
                list([reference(&format!(
                    "aws_security_group.{security_group}.id"
                ))]),
            ))
            .add_attribute(attribute("drop_invalid_header_fields", true))
            .add_attribute(attribute("enable_deletion_protection", true))
            .add_block(
                nested_block("access_logs")
                    .add_attribute(attribute(
                        "bucket",
                        reference("aws_s3_bucket.access-logs.id"),
                    ))
                    .add_attribute(attribute("prefix", names::physical(&name)))
                    .add_attribute(attribute("enabled", true))
                    .build(),
            )
            .add_attribute(attribute(
                "depends_on",
                list([reference("aws_s3_bucket_policy.access-logs")]),
            ))
            .build(),
    );
    if balancer.public {
        file.note_inside("#checkov:skip=CKV2_AWS_76:the web ACL has AWSManagedRulesKnownBadInputsRuleSet, the rules against Log4j; the anonymous IP list checkov also asks for would turn away customers behind VPNs",
        );
        let plain = balancer.listeners.iter().any(|listener| {
            listener.protocol == ListenerProtocol::Http && !listener.redirect_to_https
        });
        if plain {
            file.note_inside("#checkov:skip=CKV2_AWS_20:no certificate is declared in `expose`, so port 80 serves plain HTTP (meshc check warns); declare `certificate` to serve HTTPS and redirect HTTP",
            );
        }
    }
    file.note_above(&crate::emit::notes::load_balancer(system, balancer));
    for target in &balancer.targets {
        add_target_group(file, context, balancer, target);
    }
    let secure = balancer
        .listeners
        .iter()
        .any(|listener| listener.protocol == ListenerProtocol::Https);
    for listener in &balancer.listeners {
        let label = names::listener(system, balancer.id, listener.port);
        let protocol = match listener.protocol {
            ListenerProtocol::Https => "HTTPS",
            ListenerProtocol::Http => "HTTP",
            ListenerProtocol::Tcp => "TCP",
        };
        let mut block = resource("aws_lb_listener", &label)
            .add_attribute(attribute(
                "load_balancer_arn",
                reference(&format!("aws_lb.{name}.arn")),
            ))
            .add_attribute(attribute("port", listener.port))
            .add_attribute(attribute("protocol", protocol));
        if let Some(certificate) = &listener.certificate {
            block = block
                .add_attribute(attribute("ssl_policy", TLS_POLICY))
                .add_attribute(attribute("certificate_arn", certificate.as_str()));
        }
        block = if listener.redirect_to_https {
            block.add_block(
                nested_block("default_action")
                    .add_attribute(attribute("type", "redirect"))
                    .add_block(
                        nested_block("redirect")
                            .add_attribute(attribute("port", "443"))
                            .add_attribute(attribute("protocol", "HTTPS"))
                            .add_attribute(attribute("status_code", "HTTP_301"))
                            .build(),
                    )
                    .build(),
            )
        } else {
            block.add_block(default_action(context, balancer))
        };
        file.add(block.build());
        if listener.protocol == ListenerProtocol::Http && !listener.redirect_to_https {
            let why = "no certificate is declared in `expose`, so this listener serves plain HTTP (meshc check warns); declare `certificate` to serve HTTPS and redirect HTTP";
            file.note_inside(&format!("#checkov:skip=CKV_AWS_2:{why}"));
            file.note_inside(&format!("#checkov:skip=CKV_AWS_103:{why}"));
        }
        let serving = match listener.protocol {
            ListenerProtocol::Https => true,
            ListenerProtocol::Http => !secure && !listener.redirect_to_https,
            ListenerProtocol::Tcp => false,
        };
        if serving {
            add_path_rules(file, context, balancer, &label);
        }
    }
    if balancer.public {
        add_web_acl(file, context, balancer);
    }
}

/// The targets with a path get a listener rule each; the listener's default
/// forwards to the one target without a path, or answers 404.
fn default_action(context: &Context<'_>, balancer: &LoadBalancer) -> Block {
    let system = context.system;
    let catch_all = balancer.targets.iter().find(|target| target.path.is_none());
    match catch_all {
        Some(target) => nested_block("default_action")
            .add_attribute(attribute("type", "forward"))
            .add_attribute(attribute(
                "target_group_arn",
                reference(&format!(
                    "aws_lb_target_group.{}.arn",
                    names::target_group(system, balancer.id, target.service)
                )),
            ))
            .build(),
        None => nested_block("default_action")
            .add_attribute(attribute("type", "fixed-response"))
            .add_block(
                nested_block("fixed_response")
                    .add_attribute(attribute("content_type", "text/plain"))
                    .add_attribute(attribute("message_body", "Not found"))
                    .add_attribute(attribute("status_code", "404"))
                    .build(),
            )
            .build(),
    }
}

fn add_path_rules(
    file: &mut TfFile,
    context: &Context<'_>,
    balancer: &LoadBalancer,
    listener: &str,
) {
    let system = context.system;
    let mut priority = 100;
    for target in &balancer.targets {
        let Some(path) = &target.path else {
            continue;
        };
        let group = names::target_group(system, balancer.id, target.service);
        file.add(
            resource("aws_lb_listener_rule", &group)
                .add_attribute(attribute(
                    "listener_arn",
                    reference(&format!("aws_lb_listener.{listener}.arn")),
                ))
                .add_attribute(attribute("priority", priority))
                .add_block(
                    nested_block("action")
                        .add_attribute(attribute("type", "forward"))
                        .add_attribute(attribute(
                            "target_group_arn",
                            reference(&format!("aws_lb_target_group.{group}.arn")),
                        ))
                        .build(),
                )
                .add_block(
                    nested_block("condition")
                        .add_block(
                            nested_block("path_pattern")
                                .add_attribute(attribute("values", strings([path.as_str()])))
                                .build(),
                        )
                        .build(),
                )
                .build(),
        );
        priority += 10;
    }
}

fn add_target_group(
    file: &mut TfFile,
    context: &Context<'_>,
    balancer: &LoadBalancer,
    target: &Target,
) {
    let system = context.system;
    let Some(service) = system.service(target.service) else {
        return;
    };
    let service_name = service.name.text.as_str();
    let label = names::target_group(system, balancer.id, target.service);
    let network = names::network(system, balancer.network);
    let physical = physical_name(&names::alb_target_group(
        context,
        service_name,
        balancer.public,
    ));
    if service.is_lambda() {
        file.add(
            resource("aws_lb_target_group", &label)
                .add_attribute(attribute("name", physical))
                .add_attribute(attribute("target_type", "lambda"))
                .add_blocks(health_check(&target.health, true))
                .build(),
        );
        file.add(
            resource(
                "aws_lambda_permission",
                &format!("{service_name}--from-{label}"),
            )
            .add_attribute(attribute(
                "statement_id",
                names::bare(
                    context,
                    NameKind::FunctionPermission,
                    &names::physical(&format!("from-{label}")),
                ),
            ))
            .add_attribute(attribute("action", "lambda:InvokeFunction"))
            .add_attribute(attribute(
                "function_name",
                reference(&format!("aws_lambda_function.{service_name}.function_name")),
            ))
            .add_attribute(attribute("principal", "elasticloadbalancing.amazonaws.com"))
            .add_attribute(attribute(
                "source_arn",
                reference(&format!("aws_lb_target_group.{label}.arn")),
            ))
            .build(),
        );
        file.add(
            resource("aws_lb_target_group_attachment", &label)
                .add_attribute(attribute(
                    "target_group_arn",
                    reference(&format!("aws_lb_target_group.{label}.arn")),
                ))
                .add_attribute(attribute(
                    "target_id",
                    reference(&format!("aws_lambda_function.{service_name}.arn")),
                ))
                .add_attribute(attribute(
                    "depends_on",
                    list([reference(&format!(
                        "aws_lambda_permission.{service_name}--from-{label}"
                    ))]),
                ))
                .build(),
        );
        return;
    }
    file.add(
        resource("aws_lb_target_group", &label)
            .add_attribute(attribute("name", physical))
            .add_attribute(attribute("port", target.port))
            .add_attribute(attribute("protocol", "HTTP"))
            .add_attribute(attribute("target_type", "ip"))
            .add_attribute(attribute(
                "vpc_id",
                reference(&format!("aws_vpc.{network}.id")),
            ))
            .add_attribute(attribute("deregistration_delay", 30))
            .add_blocks(health_check(&target.health, false))
            .build(),
    );
    file.note_inside("#checkov:skip=CKV_AWS_378:TLS ends at the load balancer; the targets sit in private subnets that only its security group reaches",
    );
}

/// A Network Load Balancer with its target group and listeners: for a
/// service exposed with `nlb`, or offered over PrivateLink (whose endpoint
/// service `privatelink.tf` adds).
pub(super) fn add_nlb(file: &mut TfFile, context: &Context<'_>, balancer: &LoadBalancer) {
    let system = context.system;
    let name = names::load_balancer(system, balancer.id);
    let subnet = names::subnet(system, balancer.subnet);
    let network = names::network(system, balancer.network);
    let security_group = names::guarded(system, Guarded::LoadBalancer(balancer.id));
    let Some(target) = balancer.targets.first() else {
        return;
    };
    let mut block = resource("aws_lb", &name)
        .add_attribute(attribute(
            "name",
            aws_name(context, NameKind::LoadBalancer, &name),
        ))
        .add_attribute(attribute("internal", !balancer.public))
        .add_attribute(attribute("load_balancer_type", "network"))
        .add_attribute(attribute(
            "subnets",
            reference(&format!("aws_subnet.{subnet}[*].id")),
        ))
        .add_attribute(attribute(
            "security_groups",
            list([reference(&format!(
                "aws_security_group.{security_group}.id"
            ))]),
        ));
    if balancer.endpoint_service {
        block = block.add_attribute(attribute(
            "enforce_security_group_inbound_rules_on_private_link_traffic",
            "off",
        ));
    }
    file.add(
        block
            .add_attribute(attribute("enable_cross_zone_load_balancing", true))
            .add_attribute(attribute("enable_deletion_protection", true))
            .build(),
    );
    let served =
        crate::emit::infra::named(context, crate::model::ComponentId::Service(target.service));
    file.note_above(&if balancer.endpoint_service {
            format!(
                "The network load balancer that offers {served} over PrivateLink. Its security group does not\nfilter PrivateLink traffic: the endpoint service decides who may connect."
            )
        } else {
            format!(
                "The {} network load balancer in front of {served}.",
                if balancer.public { "internet-facing" } else { "internal" }
            )
        },
    );
    file.note_inside("#checkov:skip=CKV_AWS_91:a network load balancer logs TLS listeners only, and this one forwards TCP to a service that logs its own requests",
    );
    file.add(
        resource("aws_lb_target_group", &name)
            .add_attribute(attribute(
                "name",
                aws_name(context, NameKind::TargetGroup, &name),
            ))
            .add_attribute(attribute("port", target.port))
            .add_attribute(attribute("protocol", "TCP"))
            .add_attribute(attribute("target_type", "ip"))
            .add_attribute(attribute(
                "vpc_id",
                reference(&format!("aws_vpc.{network}.id")),
            ))
            .add_blocks(health_check(&target.health, false))
            .build(),
    );
    for listener in &balancer.listeners {
        file.add(
            resource(
                "aws_lb_listener",
                &names::listener(system, balancer.id, listener.port),
            )
            .add_attribute(attribute(
                "load_balancer_arn",
                reference(&format!("aws_lb.{name}.arn")),
            ))
            .add_attribute(attribute("port", listener.port))
            .add_attribute(attribute("protocol", "TCP"))
            .add_block(
                nested_block("default_action")
                    .add_attribute(attribute("type", "forward"))
                    .add_attribute(attribute(
                        "target_group_arn",
                        reference(&format!("aws_lb_target_group.{name}.arn")),
                    ))
                    .build(),
            )
            .build(),
        );
    }
}

fn managed_rule(name: &str, priority: u64) -> Block {
    nested_block("rule")
        .add_attribute(attribute("name", name))
        .add_attribute(attribute("priority", priority))
        .add_block(
            nested_block("override_action")
                .add_block(empty("none"))
                .build(),
        )
        .add_block(
            nested_block("statement")
                .add_block(
                    nested_block("managed_rule_group_statement")
                        .add_attribute(attribute("name", name))
                        .add_attribute(attribute("vendor_name", "AWS"))
                        .build(),
                )
                .build(),
        )
        .add_block(visibility(Expression::from(name)))
        .build()
}

fn add_web_acl(file: &mut TfFile, context: &Context<'_>, balancer: &LoadBalancer) {
    let system = context.system;
    let name = names::load_balancer(system, balancer.id);
    let mut acl: BlockBuilder = resource("aws_wafv2_web_acl", &name)
        .add_attribute(attribute(
            "name",
            aws_name(context, NameKind::WebAcl, &name),
        ))
        .add_attribute(attribute("scope", "REGIONAL"))
        .add_attribute(attribute(
            "description",
            format!("AWS managed rules in front of {}", names::physical(&name)),
        ))
        .add_block(
            nested_block("default_action")
                .add_block(empty("allow"))
                .build(),
        );
    for (index, rule) in MANAGED_RULES.iter().enumerate() {
        acl = acl.add_block(managed_rule(rule, index as u64 + 1));
    }
    acl = acl.add_block(visibility(aws_name(context, NameKind::WebAclMetric, &name)));
    file.add(acl.build());
    file.note_above("The web ACL of the internet-facing load balancer: AWS's common rules, known bad inputs\n(Log4Shell among them) and Amazon's IP reputation list.",
    );
    file.add(
        resource("aws_wafv2_web_acl_association", &name)
            .add_attribute(attribute(
                "resource_arn",
                reference(&format!("aws_lb.{name}.arn")),
            ))
            .add_attribute(attribute(
                "web_acl_arn",
                reference(&format!("aws_wafv2_web_acl.{name}.arn")),
            ))
            .build(),
    );
    let log_group = format!("{name}--waf");
    super::infra::add(
        file,
        context,
        crate::emit::infra::logs::log_group(
            &log_group,
            names::web_acl_log_group(context, &name),
            365,
        ),
    );
    file.add(
        resource("aws_wafv2_web_acl_logging_configuration", &name)
            .add_attribute(attribute(
                "log_destination_configs",
                list([reference(&format!(
                    "aws_cloudwatch_log_group.{log_group}.arn"
                ))]),
            ))
            .add_attribute(attribute(
                "resource_arn",
                reference(&format!("aws_wafv2_web_acl.{name}.arn")),
            ))
            .build(),
    );
}

/// The bucket of the load balancers' access logs. Elastic Load Balancing
/// writes them with S3-managed keys only.
fn add_log_bucket(file: &mut TfFile, context: &Context<'_>) {
    let region = context.system.region.value.as_str();
    let label = "access-logs";
    file.add(
        resource("aws_s3_bucket", label)
            .add_attribute(attribute(
                "bucket",
                physical_name(&names::access_log_bucket(context)),
            ))
            .build(),
    );
    file.note_above("Where the load balancers write their access logs.");
    for (check, why) in [
        (
            "CKV_AWS_18",
            "this bucket holds access logs; logging the access to it would recurse",
        ),
        (
            "CKV_AWS_144",
            "access logs are diagnostic data kept in the region; replicating them doubles their cost",
        ),
        (
            "CKV_AWS_145",
            "Elastic Load Balancing writes access logs only to buckets encrypted with S3-managed keys",
        ),
        (
            "CKV2_AWS_62",
            "nothing processes new log files as they arrive; they are read when needed",
        ),
    ] {
        file.note_inside(&format!("#checkov:skip={check}:{why}"));
    }
    super::data::add_bucket_closure(file, label);
    file.add(
        resource("aws_s3_bucket_server_side_encryption_configuration", label)
            .add_attribute(attribute(
                "bucket",
                reference("aws_s3_bucket.access-logs.id"),
            ))
            .add_block(
                nested_block("rule")
                    .add_block(
                        nested_block("apply_server_side_encryption_by_default")
                            .add_attribute(attribute("sse_algorithm", "AES256"))
                            .build(),
                    )
                    .build(),
            )
            .build(),
    );
    super::data::add_bucket_versioning(file, label);
    file.add(
        resource("aws_s3_bucket_lifecycle_configuration", label)
            .add_attribute(attribute(
                "bucket",
                reference("aws_s3_bucket.access-logs.id"),
            ))
            .add_block(
                nested_block("rule")
                    .add_attribute(attribute("id", "expire-access-logs"))
                    .add_attribute(attribute("status", "Enabled"))
                    .add_block(empty("filter"))
                    .add_block(
                        nested_block("expiration")
                            .add_attribute(attribute("days", 365))
                            .build(),
                    )
                    .add_block(
                        nested_block("noncurrent_version_expiration")
                            .add_attribute(attribute("noncurrent_days", 30))
                            .build(),
                    )
                    .add_block(
                        nested_block("abort_incomplete_multipart_upload")
                            .add_attribute(attribute("days_after_initiation", 7))
                            .build(),
                    )
                    .build(),
            )
            .build(),
    );
    let objects = template(
        "${aws_s3_bucket.access-logs.arn}/*/AWSLogs/${data.aws_caller_identity.current.account_id}/*",
    );
    let delivery = if ELB_LOG_DELIVERY_BY_SERVICE.contains(&region) {
        nested_block("principals")
            .add_attribute(attribute("type", "Service"))
            .add_attribute(attribute(
                "identifiers",
                strings(["logdelivery.elasticloadbalancing.amazonaws.com"]),
            ))
            .build()
    } else {
        file.add(data("aws_elb_service_account", "current").build());
        nested_block("principals")
            .add_attribute(attribute("type", "AWS"))
            .add_attribute(attribute(
                "identifiers",
                list([reference("data.aws_elb_service_account.current.arn")]),
            ))
            .build()
    };
    file.add(
        data("aws_iam_policy_document", label)
            .add_block(
                nested_block("statement")
                    .add_attribute(attribute("sid", "LoadBalancersWriteAccessLogs"))
                    .add_attribute(attribute("effect", "Allow"))
                    .add_attribute(attribute("actions", strings(["s3:PutObject"])))
                    .add_attribute(attribute("resources", list([objects])))
                    .add_block(delivery)
                    .build(),
            )
            .add_block(super::data::bucket_tls_only(label))
            .build(),
    );
    file.add(
        resource("aws_s3_bucket_policy", label)
            .add_attribute(attribute(
                "bucket",
                reference("aws_s3_bucket.access-logs.id"),
            ))
            .add_attribute(attribute(
                "policy",
                reference("data.aws_iam_policy_document.access-logs.json"),
            ))
            .add_attribute(attribute(
                "depends_on",
                list([reference("aws_s3_bucket_public_access_block.access-logs")]),
            ))
            .build(),
    );
}
