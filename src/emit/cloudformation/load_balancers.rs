//! The Application Load Balancers of the network plan (listeners, path
//! rules, target groups, Lambda targets), the Network Load Balancers, the
//! bucket of their access logs and the web ACL in front of every
//! internet-facing one (Terraform's `load_balancers.tf`). The bucket's
//! settings, separate resources in Terraform, are properties of the bucket.

use serde_json::{Map, Value as Json, json};

use super::{
    Context, Template, attribute, aws_name, id, physical_name, reference, references, sub, sub_text,
};
use crate::emit::firewall::{MANAGED_RULES, TLS_POLICY};
use crate::emit::names;
use crate::graph::LoadBalancerRef;
use crate::graph::network::{Guarded, HealthCheck, ListenerProtocol, LoadBalancer, Target};
use crate::model::aws::{ELB_LOG_DELIVERY_ACCOUNTS, ELB_LOG_DELIVERY_BY_SERVICE};
use crate::model::aws_names::NameKind;

const BUCKET: &str = "AccessLogsBucket";

/// A target group's `properties` with its health check (none where nothing
/// is checked: a Lambda function's group is not checked unless enabled).
fn with_health_check(check: &HealthCheck, lambda: bool, mut properties: Json) -> Json {
    let settings: Vec<(&str, Json)> = match check {
        HealthCheck::Off => Vec::new(),
        HealthCheck::Tcp => vec![
            ("HealthCheckProtocol", json!("TCP")),
            ("HealthCheckPort", json!("traffic-port")),
        ],
        HealthCheck::Http { path } if lambda => vec![
            ("HealthCheckEnabled", json!(true)),
            ("HealthCheckPath", json!(path)),
            ("Matcher", json!({ "HttpCode": HealthCheck::HEALTHY_CODES })),
        ],
        HealthCheck::Http { path } => vec![
            ("HealthCheckProtocol", json!("HTTP")),
            ("HealthCheckPort", json!("traffic-port")),
            ("HealthCheckPath", json!(path)),
            ("Matcher", json!({ "HttpCode": HealthCheck::HEALTHY_CODES })),
            (
                "HealthCheckIntervalSeconds",
                json!(HealthCheck::INTERVAL_SECONDS),
            ),
            (
                "HealthCheckTimeoutSeconds",
                json!(HealthCheck::TIMEOUT_SECONDS),
            ),
            (
                "HealthyThresholdCount",
                json!(HealthCheck::HEALTHY_THRESHOLD),
            ),
            (
                "UnhealthyThresholdCount",
                json!(HealthCheck::UNHEALTHY_THRESHOLD),
            ),
        ],
    };
    for (key, value) in settings {
        super::set(&mut properties, key, value);
    }
    properties
}
const BUCKET_POLICY: &str = "AccessLogsBucketPolicy";

pub(super) fn load_balancers(context: &Context<'_>, template: &mut Template) {
    let plan = &context.graph.network;
    let balancers: Vec<&LoadBalancer> = plan
        .load_balancers
        .iter()
        .filter(|balancer| !balancer.endpoint_service)
        .collect();
    if balancers
        .iter()
        .any(|balancer| matches!(balancer.id, LoadBalancerRef::Alb { .. }))
    {
        add_log_bucket(template, context);
    }
    for balancer in balancers {
        match balancer.id {
            LoadBalancerRef::Alb { .. } => add_alb(template, context, balancer),
            LoadBalancerRef::Nlb(_) => add_nlb(template, context, balancer),
        }
    }
}

fn attributes(pairs: &[(&str, Json)]) -> Json {
    Json::Array(
        pairs
            .iter()
            .map(|(key, value)| json!({ "Key": key, "Value": value }))
            .collect(),
    )
}

fn add_alb(template: &mut Template, context: &Context<'_>, balancer: &LoadBalancer) {
    let system = context.system;
    let name = names::load_balancer(system, balancer.id);
    let protection = template.deletion_protection_attribute();
    let resource = template.add(
        id(&name, "LoadBalancer"),
        &name,
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        json!({
            "Name": aws_name(context, NameKind::LoadBalancer, &name),
            "Scheme": if balancer.public { "internet-facing" } else { "internal" },
            "Type": "application",
            "Subnets": super::subnet_ids(context, balancer.subnet),
            "SecurityGroups": [super::group_id(context, Guarded::LoadBalancer(balancer.id))],
            "LoadBalancerAttributes": attributes(&[
                ("routing.http.drop_invalid_header_fields.enabled", Json::from("true")),
                ("deletion_protection.enabled", protection.clone()),
                ("access_logs.s3.enabled", Json::from("true")),
                ("access_logs.s3.bucket", reference(BUCKET)),
                ("access_logs.s3.prefix", Json::from(names::physical(&name))),
            ]),
        }),
    );
    resource
        .depends_on(BUCKET_POLICY)
        .note(&crate::emit::notes::load_balancer(system, balancer));
    if balancer.public {
        let plain = balancer.listeners.iter().any(|listener| {
            listener.protocol == ListenerProtocol::Http && !listener.redirect_to_https
        });
        if plain {
            resource.skip(
                "CKV2_AWS_20",
                "no certificate is declared in `expose`, so port 80 serves plain HTTP (meshc check warns); declare `certificate` to serve HTTPS and redirect HTTP",
            );
        }
    }
    for target in &balancer.targets {
        add_target_group(template, context, balancer, target);
    }
    let secure = balancer
        .listeners
        .iter()
        .any(|listener| listener.protocol == ListenerProtocol::Https);
    for listener in &balancer.listeners {
        let label = names::listener(system, balancer.id, listener.port);
        let mut properties = Map::new();
        properties.insert(
            "LoadBalancerArn".into(),
            reference(&id(&name, "LoadBalancer")),
        );
        properties.insert("Port".into(), Json::from(listener.port));
        properties.insert(
            "Protocol".into(),
            Json::from(match listener.protocol {
                ListenerProtocol::Https => "HTTPS",
                ListenerProtocol::Http => "HTTP",
                ListenerProtocol::Tcp => "TCP",
            }),
        );
        if let Some(certificate) = &listener.certificate {
            properties.insert("SslPolicy".into(), Json::from(TLS_POLICY));
            properties.insert(
                "Certificates".into(),
                json!([{ "CertificateArn": certificate }]),
            );
        }
        let action = if listener.redirect_to_https {
            json!({
                "Type": "redirect",
                "RedirectConfig": { "Port": "443", "Protocol": "HTTPS", "StatusCode": "HTTP_301" },
            })
        } else {
            default_action(context, balancer)
        };
        properties.insert("DefaultActions".into(), json!([action]));
        let resource = template.add(
            id(&label, "Listener"),
            &label,
            "AWS::ElasticLoadBalancingV2::Listener",
            Json::Object(properties),
        );
        if listener.protocol == ListenerProtocol::Http && !listener.redirect_to_https {
            let why = "no certificate is declared in `expose`, so this listener serves plain HTTP (meshc check warns); declare `certificate` to serve HTTPS and redirect HTTP";
            resource.skip("CKV_AWS_2", why).skip("CKV_AWS_103", why);
        }
        let serving = match listener.protocol {
            ListenerProtocol::Https => true,
            ListenerProtocol::Http => !secure && !listener.redirect_to_https,
            ListenerProtocol::Tcp => false,
        };
        if serving {
            add_path_rules(template, context, balancer, &label);
        }
    }
    if balancer.public {
        add_web_acl(template, context, balancer);
    }
}

/// The targets with a path get a listener rule each; the listener's default
/// forwards to the one target without a path, or answers 404.
fn default_action(context: &Context<'_>, balancer: &LoadBalancer) -> Json {
    match balancer.targets.iter().find(|target| target.path.is_none()) {
        Some(target) => json!({
            "Type": "forward",
            "TargetGroupArn": reference(&id(
                &names::target_group(context.system, balancer.id, target.service),
                "TargetGroup",
            )),
        }),
        None => json!({
            "Type": "fixed-response",
            "FixedResponseConfig": {
                "ContentType": "text/plain",
                "MessageBody": "Not found",
                "StatusCode": "404",
            },
        }),
    }
}

fn add_path_rules(
    template: &mut Template,
    context: &Context<'_>,
    balancer: &LoadBalancer,
    listener: &str,
) {
    let mut priority = 100;
    for target in &balancer.targets {
        let Some(path) = &target.path else {
            continue;
        };
        let group = names::target_group(context.system, balancer.id, target.service);
        template.add(
            id(&group, "ListenerRule"),
            &group,
            "AWS::ElasticLoadBalancingV2::ListenerRule",
            json!({
                "ListenerArn": reference(&id(listener, "Listener")),
                "Priority": priority,
                "Actions": [{ "Type": "forward", "TargetGroupArn": reference(&id(&group, "TargetGroup")) }],
                "Conditions": [{ "Field": "path-pattern", "PathPatternConfig": { "Values": [path] } }],
            }),
        );
        priority += 10;
    }
}

fn add_target_group(
    template: &mut Template,
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
    let group_name = names::alb_target_group(context, service_name, balancer.public);
    let physical = physical_name(context, &group_name);
    if service.is_lambda() {
        let permission = id(&format!("{service_name}--from-{label}"), "Permission");
        template.add(
            permission.clone(),
            &format!("{service_name}--from-{label}"),
            "AWS::Lambda::Permission",
            json!({
                "Action": "lambda:InvokeFunction",
                "FunctionName": reference(&references::function(context, target.service)),
                "Principal": "elasticloadbalancing.amazonaws.com",
                "SourceArn": sub(&format!(
                    "arn:${{AWS::Partition}}:elasticloadbalancing:${{AWS::Region}}:${{AWS::AccountId}}:targetgroup/{}/*",
                    sub_text(context, &group_name)
                )),
            }),
        );
        template
            .add(
                id(&label, "TargetGroup"),
                &label,
                "AWS::ElasticLoadBalancingV2::TargetGroup",
                with_health_check(&target.health, true, json!({
                    "Name": physical,
                    "TargetType": "lambda",
                    "Targets": [{ "Id": attribute(&references::function(context, target.service), "Arn") }],
                })),
            )
            .depends_on(permission)
            .note("The permission names the group by its name: its ARN exists only once the group does, and the group cannot register the function before the permission exists.");
        return;
    }
    template
        .add(
            id(&label, "TargetGroup"),
            &label,
            "AWS::ElasticLoadBalancingV2::TargetGroup",
            with_health_check(&target.health, false, json!({
                "Name": physical,
                "Port": target.port,
                "Protocol": "HTTP",
                "TargetType": "ip",
                "VpcId": reference(&id(&network, "Vpc")),
                "TargetGroupAttributes": attributes(&[
                    ("deregistration_delay.timeout_seconds", Json::from("30")),
                ]),
            })),
        )
        .skip(
            "CKV_AWS_378",
            "TLS ends at the load balancer; the targets sit in private subnets that only its security group reaches",
        );
}

/// A Network Load Balancer with its target group and listeners: for a
/// service exposed with `nlb`, or offered over PrivateLink.
pub(super) fn add_nlb(template: &mut Template, context: &Context<'_>, balancer: &LoadBalancer) {
    let system = context.system;
    let name = names::load_balancer(system, balancer.id);
    let network = names::network(system, balancer.network);
    let Some(target) = balancer.targets.first() else {
        return;
    };
    let protection = template.deletion_protection_attribute();
    let mut properties = json!({
        "Name": aws_name(context, NameKind::LoadBalancer, &name),
        "Scheme": if balancer.public { "internet-facing" } else { "internal" },
        "Type": "network",
        "Subnets": super::subnet_ids(context, balancer.subnet),
        "SecurityGroups": [super::group_id(context, Guarded::LoadBalancer(balancer.id))],
        "LoadBalancerAttributes": attributes(&[
            ("load_balancing.cross_zone.enabled", Json::from("true")),
            ("deletion_protection.enabled", protection.clone()),
        ]),
    });
    if balancer.endpoint_service {
        super::set(
            &mut properties,
            "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic",
            Json::from("off"),
        );
    }
    let served =
        crate::emit::infra::named(context, crate::model::ComponentId::Service(target.service));
    template
        .add(
            id(&name, "LoadBalancer"),
            &name,
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            properties,
        )
        .note(&if balancer.endpoint_service {
            format!(
                "The network load balancer that offers {served} over PrivateLink. Its security group does not filter PrivateLink traffic: the endpoint service decides who may connect."
            )
        } else {
            format!(
                "The {} network load balancer in front of {served}.",
                if balancer.public { "internet-facing" } else { "internal" }
            )
        })
        .skip(
            "CKV_AWS_91",
            "a network load balancer logs TLS listeners only, and this one forwards TCP to a service that logs its own requests",
        );
    template.add(
        id(&name, "TargetGroup"),
        &name,
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        with_health_check(
            &target.health,
            false,
            json!({
                "Name": aws_name(context, NameKind::TargetGroup, &name),
                "Port": target.port,
                "Protocol": "TCP",
                "TargetType": "ip",
                "VpcId": reference(&id(&network, "Vpc")),
            }),
        ),
    );
    for listener in &balancer.listeners {
        let label = names::listener(system, balancer.id, listener.port);
        template.add(
            id(&label, "Listener"),
            &label,
            "AWS::ElasticLoadBalancingV2::Listener",
            json!({
                "LoadBalancerArn": reference(&id(&name, "LoadBalancer")),
                "Port": listener.port,
                "Protocol": "TCP",
                "DefaultActions": [{ "Type": "forward", "TargetGroupArn": reference(&id(&name, "TargetGroup")) }],
            }),
        );
    }
}

fn visibility(metric: &Json) -> Json {
    json!({
        "CloudWatchMetricsEnabled": true,
        "MetricName": metric,
        "SampledRequestsEnabled": true,
    })
}

fn add_web_acl(template: &mut Template, context: &Context<'_>, balancer: &LoadBalancer) {
    let name = names::load_balancer(context.system, balancer.id);
    let rules: Vec<Json> = MANAGED_RULES
        .iter()
        .enumerate()
        .map(|(index, rule)| {
            json!({
                "Name": rule,
                "Priority": index + 1,
                "OverrideAction": { "None": {} },
                "Statement": { "ManagedRuleGroupStatement": { "Name": rule, "VendorName": "AWS" } },
                "VisibilityConfig": visibility(&Json::from(*rule)),
            })
        })
        .collect();
    template
        .add(
            id(&name, "WebAcl"),
            &name,
            "AWS::WAFv2::WebACL",
            json!({
                "Name": aws_name(context, NameKind::WebAcl, &name),
                "Scope": "REGIONAL",
                "Description": format!("AWS managed rules in front of {}", names::physical(&name)),
                "DefaultAction": { "Allow": {} },
                "Rules": rules,
                "VisibilityConfig": visibility(&aws_name(context, NameKind::WebAclMetric, &name)),
            }),
        )
        .note("The web ACL of the internet-facing load balancer: AWS's common rules, known bad inputs (Log4Shell among them) and Amazon's IP reputation list.");
    template.add(
        id(&name, "WebAclAssociation"),
        &name,
        "AWS::WAFv2::WebACLAssociation",
        json!({
            "ResourceArn": reference(&id(&name, "LoadBalancer")),
            "WebACLArn": attribute(&id(&name, "WebAcl"), "Arn"),
        }),
    );
    let log_group = super::log_group(
        context,
        template,
        &format!("{name}--waf"),
        names::web_acl_log_group(context, &name),
        365,
    );
    template.add(
        id(&name, "WebAclLogging"),
        &name,
        "AWS::WAFv2::LoggingConfiguration",
        json!({
            "ResourceArn": attribute(&id(&name, "WebAcl"), "Arn"),
            "LogDestinationConfigs": [sub(&format!(
                "arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:${{{log_group}}}"
            ))],
        }),
    );
}

/// The bucket of the load balancers' access logs. Elastic Load Balancing
/// writes them with S3-managed keys only.
fn add_log_bucket(template: &mut Template, context: &Context<'_>) {
    let region = context.system.region.value.as_str();
    let bucket = template.add(
        BUCKET.to_string(),
        "access-logs",
        "AWS::S3::Bucket",
        json!({
            "PublicAccessBlockConfiguration": super::data::public_access_blocked(),
            "OwnershipControls": super::data::owner_enforced(),
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    { "ServerSideEncryptionByDefault": { "SSEAlgorithm": "AES256" } },
                ],
            },
            "VersioningConfiguration": { "Status": "Enabled" },
            "LifecycleConfiguration": {
                "Rules": [{
                    "Id": "expire-access-logs",
                    "Status": "Enabled",
                    "ExpirationInDays": 365,
                    "NoncurrentVersionExpiration": { "NoncurrentDays": 30 },
                    "AbortIncompleteMultipartUpload": { "DaysAfterInitiation": 7 },
                }],
            },
        }),
    );
    bucket.keep_on_delete("Retain").note(
        "Where the load balancers write their access logs. Kept when the stack is deleted or its \
         first create rolls back (Elastic Load Balancing writes a test object into it at once, and \
         a bucket that holds objects cannot be deleted), so CloudFormation names it: a fixed name \
         would block the next create.",
    );
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
    ] {
        bucket.skip(check, why);
    }
    let delivery = if ELB_LOG_DELIVERY_BY_SERVICE.contains(&region) {
        json!({ "Service": "logdelivery.elasticloadbalancing.amazonaws.com" })
    } else {
        let accounts: Map<String, Json> = ELB_LOG_DELIVERY_ACCOUNTS
            .iter()
            .map(|(region, account)| ((*region).to_string(), json!({ "Account": account })))
            .collect();
        template.mapping("ElbLogDelivery", Json::Object(accounts));
        json!({ "AWS": { "Fn::Sub": [
            "arn:${AWS::Partition}:iam::${Account}:root",
            { "Account": { "Fn::FindInMap": ["ElbLogDelivery", reference("AWS::Region"), "Account"] } },
        ] } })
    };
    template.add(
        BUCKET_POLICY.to_string(),
        "access-logs",
        "AWS::S3::BucketPolicy",
        json!({
            "Bucket": reference(BUCKET),
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "LoadBalancersWriteAccessLogs",
                        "Effect": "Allow",
                        "Principal": delivery,
                        "Action": "s3:PutObject",
                        "Resource": sub("${AccessLogsBucket.Arn}/*/AWSLogs/${AWS::AccountId}/*"),
                    },
                    {
                        "Sid": "DenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [
                            attribute(BUCKET, "Arn"),
                            sub("${AccessLogsBucket.Arn}/*"),
                        ],
                        "Condition": { "Bool": { "aws:SecureTransport": "false" } },
                    },
                ],
            },
        }),
    );
}
