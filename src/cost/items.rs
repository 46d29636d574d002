//! The line items: for each resource the backends emit that AWS bills, its
//! charges, worked out from the graph's plans and the declared usage and
//! priced from the catalog.
//!
//! Input: `System`, `Graph`, `Catalog`, the period in hours. Output: the
//! [`Item`]s of the estimate, grouped by the declaration that causes them.

use super::usage::{self, Tally};
use super::{Catalog, Charge, Concern, Decimal, HOURS_PER_MONTH, Item, Part, Price, Quantity};
use crate::diagnostics::Span;
use crate::graph::network::{ApiRoute, LoadBalancer};
use crate::graph::{Graph, LoadBalancerRef, QueueRef};
use crate::model::aws::EndpointKind;
use crate::model::{
    Architecture, Billing, Carrier, Channel, Compute, DataStore, NatMode, SagaMode, ServiceId,
    StreamCapacity, System,
};

const GIB: u64 = 1 << 30;
const MILLION: u64 = 1_000_000;

/// Requests per LCU-hour when each request opens a connection: an LCU
/// serves 25 new connections a second (ALB); an NLCU 800 (NLB).
const ALB_REQUESTS_PER_LCU_HOUR: u64 = 25 * 3600;
const NLB_REQUESTS_PER_NLCU_HOUR: u64 = 800 * 3600;

/// SQS requests per message: a send, a receive and a delete.
const SQS_REQUESTS_PER_MESSAGE: u64 = 3;

/// Bytes per Kinesis PUT payload unit.
const PUT_UNIT_BYTES: u64 = 25 * 1024;

/// The managed rule groups of the web ACL in front of a public ALB.
const WAF_RULES: u64 = 3;

fn gb(bytes: u64) -> Decimal {
    Decimal::ratio(bytes, GIB)
}

/// A declared size as GB, with where it is declared.
fn declared_gb(
    size: Option<crate::model::Spanned<crate::model::Size>>,
    owner: &str,
) -> Option<(Decimal, String)> {
    size.map(|size| {
        let amount = gb(size.value.as_bytes());
        (
            amount,
            format!("{} GB (the usage of {owner})", amount.grouped(2)),
        )
    })
}

fn count(value: u64) -> String {
    Decimal::from_int(value).grouped(0)
}

struct Pricer<'a> {
    system: &'a System,
    graph: &'a Graph,
    catalog: &'a Catalog,
    hours: u64,
    relations: usage::Relations<'a>,
    items: Vec<Item>,
}

impl Pricer<'_> {
    fn price(&self, key: &str) -> Option<Price> {
        self.catalog.price(key, &self.system.region.value).cloned()
    }

    fn charge(&self, what: &str, part: Part, key: &str, quantity: Quantity) -> Charge {
        let price = self.price(key);
        let amount = match (&quantity, &price) {
            (Quantity::Known { amount, .. }, Some(price)) => {
                Some(amount.times(price.usd).round_to_cents())
            }
            _ => None,
        };
        Charge {
            what: what.to_string(),
            part,
            key: key.to_string(),
            quantity,
            price,
            amount,
        }
    }

    /// A charge by the hour: `units` of it, every hour of the period.
    fn hourly(&self, what: &str, key: &str, units: Decimal, text: &str) -> Charge {
        let hours = Decimal::from_int(self.hours);
        self.charge(
            what,
            Part::Fixed,
            key,
            Quantity::Known {
                amount: units.times(hours),
                formula: format!("{text} × {} h", count(self.hours)),
            },
        )
    }

    /// The period as a fraction of a month.
    fn of_month(&self) -> Decimal {
        Decimal::ratio(self.hours, HOURS_PER_MONTH)
    }

    fn period_text(&self) -> String {
        if self.hours == HOURS_PER_MONTH {
            String::new()
        } else {
            format!(" × {}/{HOURS_PER_MONTH} of a month", count(self.hours))
        }
    }

    /// A charge by the month, whatever the traffic.
    fn monthly(&self, what: &str, key: &str, units: Decimal, text: &str) -> Charge {
        self.charge(
            what,
            Part::Fixed,
            key,
            Quantity::Known {
                amount: units.times(self.of_month()),
                formula: format!("{text}{}", self.period_text()),
            },
        )
    }

    /// A charge with the traffic: `monthly` units a month (in the price's
    /// unit), or unknown, in which case `declare` says what to write.
    fn usage(
        &self,
        what: &str,
        key: &str,
        monthly: Option<(Decimal, String)>,
        declare: &str,
    ) -> Charge {
        let quantity = match monthly {
            Some((amount, formula)) => Quantity::Known {
                amount: amount.times(self.of_month()),
                formula: format!("{formula}{}", self.period_text()),
            },
            None => Quantity::Unknown {
                declare: declare.to_string(),
            },
        };
        self.charge(what, Part::Usage, key, quantity)
    }

    fn push(
        &mut self,
        group: String,
        concern: Concern,
        resource: String,
        terraform: &'static str,
        span: Span,
        charges: Vec<Charge>,
    ) {
        self.items.push(Item {
            group,
            concern,
            resource,
            terraform,
            span,
            charges,
        });
    }
}

/// A count of messages or requests in millions, with the formula.
fn in_millions(tally: &Tally, noun: &str, factor: u64) -> Option<(Decimal, String)> {
    let messages = tally.known()?;
    let units = messages.saturating_mul(factor);
    let text = if factor == 1 {
        format!("{} {noun} ({})", count(messages), tally.source)
    } else {
        format!("{} {noun} ({}) × {factor}", count(messages), tally.source)
    };
    Some((Decimal::ratio(units, MILLION), text))
}

pub(super) fn items(system: &System, graph: &Graph, catalog: &Catalog, hours: u64) -> Vec<Item> {
    let mut pricer = Pricer {
        system,
        graph,
        catalog,
        hours,
        relations: usage::Relations::new(system, graph),
        items: Vec::new(),
    };
    system_key(&mut pricer);
    networks(&mut pricer);
    for index in 0..system.services.len() {
        service(&mut pricer, ServiceId(index));
    }
    buses(&mut pricer);
    topics(&mut pricer);
    queues(&mut pricer);
    streams(&mut pricer);
    tables(&mut pricer);
    databases(&mut pricer);
    secrets(&mut pricer);
    sagas(&mut pricer);
    alarms(&mut pricer);
    pricer.items
}

/// The system's alarms, each a standard-resolution alarm on one metric.
fn alarms(pricer: &mut Pricer<'_>) {
    let count = pricer.graph.alarms.alarms.len();
    if count == 0 {
        return;
    }
    let charges = vec![pricer.monthly(
        "alarms",
        "cloudwatch.alarm.standard",
        Decimal::from_int(count as u64),
        &format!("{count} alarms"),
    )];
    let span = pricer.system.name.span;
    pricer.push(
        "alarms".to_string(),
        Concern::Observability,
        "alarms".to_string(),
        "aws_cloudwatch_metric_alarm",
        span,
        charges,
    );
}

fn system_key(pricer: &mut Pricer<'_>) {
    let system = pricer.system;
    let charge = pricer.monthly("key", "kms.key", Decimal::from_int(1), "1 key");
    pricer.push(
        format!("system {}", system.name.text),
        Concern::Security,
        "KMS key for logs, queues, topics, streams and tables".into(),
        "aws_kms_key",
        system.name.span,
        vec![charge],
    );
}

fn networks(pricer: &mut Pricer<'_>) {
    let system = pricer.system;
    let graph = pricer.graph;
    for layout in &graph.network.networks {
        let Some(network) = system.network(layout.network) else {
            continue;
        };
        let group = format!("network {}", network.name.text);
        let span = network.name.span;
        let gateways = layout.nat_zones.len() as u64;
        if gateways > 0 && layout.nat_subnet.is_some() {
            let how = match network.nat.value {
                NatMode::PerZone => "one per zone",
                NatMode::Single | NatMode::None => "shared by every zone",
            };
            let noun = if gateways == 1 { "gateway" } else { "gateways" };
            let text = format!("{gateways} {noun}");
            // Traffic through NAT: what the network declares (third
            // parties, the internet) plus the AWS API uses routed through it.
            let mut bytes: Option<u64> = network.usage.data.map(|data| data.value.as_bytes());
            let mut sources: Vec<String> = Vec::new();
            if bytes.is_some() {
                sources.push(format!("the usage of network {}", network.name.text));
            }
            for api_use in graph
                .network
                .api_uses
                .iter()
                .filter(|api_use| api_use.route == ApiRoute::Nat)
                .filter(|api_use| in_network(system, api_use.service, layout.network))
            {
                if let Some(data) = usage::api_use_data(system, api_use) {
                    bytes = Some(bytes.unwrap_or(0).saturating_add(data));
                    sources.push(format!(
                        "{} to {}",
                        service_name(system, api_use.service),
                        api_use.api.display_name()
                    ));
                }
            }
            let processed = bytes.map(|bytes| {
                (
                    gb(bytes),
                    format!("{} GB ({})", gb(bytes).grouped(2), sources.join(" + ")),
                )
            });
            let charges = vec![
                pricer.hourly(
                    "gateway hours",
                    "vpc.nat_gateway.hour",
                    Decimal::from_int(gateways),
                    &text,
                ),
                pricer.hourly(
                    "public IPv4 addresses",
                    "vpc.public_ipv4.hour",
                    Decimal::from_int(gateways),
                    &format!("{gateways} Elastic IP"),
                ),
                pricer.usage(
                    "data processed",
                    "vpc.nat_gateway.gb",
                    processed,
                    &format!(
                        "`usage {{ data = … }}` on network {} (its traffic to the internet)",
                        network.name.text
                    ),
                ),
            ];
            pricer.push(
                group.clone(),
                Concern::Network,
                format!("NAT gateways ({gateways}, {how})"),
                "aws_nat_gateway",
                network.nat.span,
                charges,
            );
        }
        for endpoint in &layout.endpoints {
            let name = endpoint.service.mesh_name();
            // Where the endpoint is written in `endpoints`, if it is.
            let span = network
                .endpoints
                .iter()
                .find(|declared| declared.value == endpoint.service)
                .map_or(span, |declared| declared.span);
            match endpoint.kind {
                EndpointKind::Gateway => {
                    let charge = pricer.monthly(
                        "endpoint",
                        "vpc.gateway_endpoint",
                        Decimal::from_int(1),
                        "1 gateway endpoint",
                    );
                    pricer.push(
                        group.clone(),
                        Concern::Network,
                        format!("{name} gateway endpoint"),
                        "aws_vpc_endpoint",
                        span,
                        vec![charge],
                    );
                }
                EndpointKind::Interface => {
                    let Some(subnet) = endpoint.subnet.and_then(|subnet| layout.subnet(subnet))
                    else {
                        continue;
                    };
                    let endpoints = endpoint.service.endpoint_services().len() as u64;
                    let zones = subnet.zones.len() as u64;
                    let text = if endpoints == 1 {
                        format!("{zones} zones")
                    } else {
                        format!("{endpoints} endpoints × {zones} zones")
                    };
                    let mut bytes: Option<u64> = None;
                    for api_use in graph.network.api_uses.iter().filter(|api_use| {
                        api_use.api == endpoint.service
                            && api_use.route == ApiRoute::InterfaceEndpoint
                            && in_network(system, api_use.service, layout.network)
                    }) {
                        if let Some(data) = usage::api_use_data(system, api_use) {
                            bytes = Some(bytes.unwrap_or(0).saturating_add(data));
                        }
                    }
                    let processed = bytes.map(|bytes| {
                        (
                            gb(bytes),
                            format!(
                                "{} GB (the data of its users' relations)",
                                gb(bytes).grouped(2)
                            ),
                        )
                    });
                    let charges = vec![
                        pricer.hourly(
                            "endpoint-zone hours",
                            "vpc.interface_endpoint.hour",
                            Decimal::from_int(endpoints.saturating_mul(zones)),
                            &text,
                        ),
                        pricer.usage(
                            "data processed",
                            "vpc.interface_endpoint.gb",
                            processed,
                            "`usage { data = … }` on the relations that use the API",
                        ),
                    ];
                    pricer.push(
                        group.clone(),
                        Concern::Network,
                        format!("{name} interface endpoint"),
                        "aws_vpc_endpoint",
                        span,
                        charges,
                    );
                }
            }
        }
        if network.flow_logs.value {
            let logs = declared_gb(
                network.usage.logs,
                &format!("network {}", network.name.text),
            );
            let charge = pricer.usage(
                "log ingestion",
                "cloudwatch.logs.vended",
                logs,
                &format!("`usage {{ logs = … }}` on network {}", network.name.text),
            );
            pricer.push(
                group.clone(),
                Concern::Observability,
                "VPC flow logs".into(),
                "aws_flow_log",
                network.flow_logs.span,
                vec![charge],
            );
        }
        for balancer in graph.network.load_balancers.iter().filter(|balancer| {
            balancer.network == layout.network && matches!(balancer.id, LoadBalancerRef::Alb { .. })
        }) {
            alb(pricer, &group, span, balancer);
        }
    }
}

fn in_network(system: &System, service: ServiceId, network: crate::model::NetworkId) -> bool {
    system
        .service(service)
        .and_then(|service| service.subnet)
        .is_some_and(|subnet| subnet.value.network == network)
}

fn service_name(system: &System, service: ServiceId) -> &str {
    system
        .service(service)
        .map_or("", |service| service.name.text.as_str())
}

/// The zones of a load balancer's subnets.
fn balancer_zones(pricer: &Pricer<'_>, balancer: &LoadBalancer) -> u64 {
    pricer
        .graph
        .network
        .network(balancer.network)
        .and_then(|layout| layout.subnet(balancer.subnet))
        .map_or(0, |subnet| subnet.zones.len() as u64)
}

/// Requests to a load balancer's targets: each target's own usage.
fn target_requests(pricer: &Pricer<'_>, balancer: &LoadBalancer) -> Tally {
    let system = pricer.system;
    let mut tally = Tally::default();
    let mut names = Vec::new();
    for target in &balancer.targets {
        let requests = system
            .service(target.service)
            .and_then(|service| service.usage.requests)
            .map(|requests| requests.value);
        match requests {
            Some(requests) => {
                tally.sum = tally.sum.saturating_add(requests);
                tally.declared += 1;
                names.push(service_name(system, target.service).to_string());
            }
            None => tally.undeclared += 1,
        }
    }
    tally.source = if tally.undeclared == 0 {
        format!("the usage of {}", names.join(", "))
    } else {
        format!(
            "the usage of {}; {} more targets declare no usage",
            names.join(", "),
            tally.undeclared
        )
    };
    tally
}

fn alb(pricer: &mut Pricer<'_>, group: &str, span: Span, balancer: &LoadBalancer) {
    let requests = target_requests(pricer, balancer);
    let lcu = requests.known().map(|requests_count| {
        (
            Decimal::ratio(requests_count, ALB_REQUESTS_PER_LCU_HOUR),
            format!(
                "{} requests ({}) ÷ 90,000 requests per LCU-hour (25 new connections a second)",
                count(requests_count),
                requests.source
            ),
        )
    });
    let declare = "`usage { requests = … }` on the services it exposes";
    let mut charges = vec![
        pricer.hourly(
            "load balancer hours",
            "elb.alb.hour",
            Decimal::from_int(1),
            "1 ALB",
        ),
        pricer.usage("capacity units", "elb.alb.lcu_hour", lcu, declare),
    ];
    let kind = if balancer.public {
        "internet-facing"
    } else {
        "internal"
    };
    if balancer.public {
        let zones = balancer_zones(pricer, balancer);
        charges.push(pricer.hourly(
            "public IPv4 addresses",
            "vpc.public_ipv4.hour",
            Decimal::from_int(zones),
            &format!("{zones} addresses (one per zone)"),
        ));
    }
    pricer.push(
        group.to_string(),
        Concern::Network,
        format!("Application Load Balancer ({kind})"),
        "aws_lb",
        span,
        charges,
    );
    if balancer.public {
        let waf_requests = in_millions(&requests, "requests", 1);
        let charges = vec![
            pricer.monthly("web ACL", "waf.web_acl", Decimal::from_int(1), "1 web ACL"),
            pricer.monthly(
                "rules",
                "waf.rule",
                Decimal::from_int(WAF_RULES),
                &format!("{WAF_RULES} managed rule groups"),
            ),
            pricer.usage("requests", "waf.requests", waf_requests, declare),
        ];
        pricer.push(
            group.to_string(),
            Concern::Security,
            "WAF web ACL of the internet-facing ALB".into(),
            "aws_wafv2_web_acl",
            span,
            charges,
        );
    }
}

fn service(pricer: &mut Pricer<'_>, id: ServiceId) {
    let system = pricer.system;
    let graph = pricer.graph;
    let Some(service) = system.service(id) else {
        return;
    };
    let group = format!("service {}", service.name.text);
    let name = &service.name.text;
    match &service.compute {
        Compute::Fargate(fargate) => {
            let arch = match fargate.architecture {
                Architecture::X86_64 => "x86",
                Architecture::Arm64 => "arm",
            };
            let replicas = u64::from(fargate.replicas.value);
            let vcpu = Decimal::ratio(u64::from(fargate.millicpu.value), 1000)
                .times(Decimal::from_int(replicas));
            let memory = gb(fargate.memory.value.as_bytes()).times(Decimal::from_int(replicas));
            let tasks = if replicas == 1 { "task" } else { "tasks" };
            let charges = vec![
                pricer.hourly(
                    "vCPU hours",
                    &format!("fargate.{arch}.vcpu_hour"),
                    vcpu,
                    &format!(
                        "{} vCPU × {replicas} {tasks}",
                        Decimal::ratio(u64::from(fargate.millicpu.value), 1000).plain()
                    ),
                ),
                pricer.hourly(
                    "memory GB hours",
                    &format!("fargate.{arch}.gb_hour"),
                    memory,
                    &format!(
                        "{} GB × {replicas} {tasks}",
                        gb(fargate.memory.value.as_bytes()).plain()
                    ),
                ),
            ];
            pricer.push(
                group.clone(),
                Concern::Compute,
                format!("Fargate service ({replicas} {tasks}, {arch})"),
                "aws_ecs_service",
                fargate.span,
                charges,
            );
        }
        Compute::Lambda(lambda) => {
            let arch = match lambda.architecture {
                Architecture::X86_64 => "x86",
                Architecture::Arm64 => "arm",
            };
            let (invocations, source) = pricer.relations.invocations(id);
            let declare = format!("`usage {{ requests = … }}` on service {name}");
            let requests = invocations.map(|invocations| {
                (
                    invocations.div_int(MILLION),
                    format!("{} invocations ({source})", invocations.grouped(0)),
                )
            });
            let memory = gb(lambda.memory.value.as_bytes());
            let duration = service.usage.duration.map(|duration| duration.value);
            let compute = match (invocations, duration) {
                (Some(invocations), Some(duration)) => {
                    let seconds = Decimal::ratio(duration.as_millis(), 1000);
                    Some((
                        invocations.times(seconds).times(memory),
                        format!(
                            "{} invocations × {} s × {} GB",
                            invocations.grouped(0),
                            seconds.plain(),
                            memory.plain()
                        ),
                    ))
                }
                _ => None,
            };
            let declare_duration = if invocations.is_some() {
                format!("`usage {{ duration = … }}` on service {name}")
            } else {
                format!("`usage {{ requests = …  duration = … }}` on service {name}")
            };
            let charges = vec![
                pricer.usage("requests", "lambda.requests", requests, &declare),
                pricer.usage(
                    "compute GB-seconds",
                    &format!("lambda.{arch}.gb_second"),
                    compute,
                    &declare_duration,
                ),
            ];
            pricer.push(
                group.clone(),
                Concern::Compute,
                format!(
                    "Lambda function ({} MB, {arch})",
                    lambda.memory.value.as_mib_ceil()
                ),
                "aws_lambda_function",
                lambda.span,
                charges,
            );
        }
    }
    log_group(
        pricer,
        &group,
        &format!("service {name}"),
        service.usage.logs,
        service.name.span,
    );
    for balancer in graph
        .network
        .load_balancers
        .iter()
        .filter(|balancer| balancer.id == LoadBalancerRef::Nlb(id))
    {
        nlb(pricer, &group, id, balancer);
    }
    for link in graph
        .network
        .private_links
        .iter()
        .filter(|link| link.callee == id)
    {
        let zones = pricer
            .graph
            .network
            .network(link.network)
            .and_then(|layout| layout.subnet(link.subnet))
            .map_or(0, |subnet| subnet.zones.len() as u64);
        let data = pricer
            .relations
            .calls_to(id, |usage| usage.data.map(|data| data.value.as_bytes()));
        let processed = data.known().map(|bytes| {
            (
                gb(bytes),
                format!("{} GB ({})", gb(bytes).grouped(2), data.source),
            )
        });
        let network = system
            .network(link.network)
            .map_or("", |network| network.name.text.as_str());
        let charges = vec![
            pricer.hourly(
                "endpoint-zone hours",
                "vpc.interface_endpoint.hour",
                Decimal::from_int(zones),
                &format!("{zones} zones"),
            ),
            pricer.usage(
                "data processed",
                "vpc.interface_endpoint.gb",
                processed,
                &format!("`usage {{ data = … }}` on the calls to {name}"),
            ),
        ];
        pricer.push(
            group.clone(),
            Concern::Network,
            format!("PrivateLink interface endpoint in network {network}"),
            "aws_vpc_endpoint",
            service.name.span,
            charges,
        );
    }
}

fn nlb(pricer: &mut Pricer<'_>, group: &str, id: ServiceId, balancer: &LoadBalancer) {
    let system = pricer.system;
    let requests = if balancer.endpoint_service {
        pricer
            .relations
            .calls_to(id, |usage| usage.requests.map(|requests| requests.value))
    } else {
        pricer.relations.served_requests(id)
    };
    let nlcu = requests.known().map(|requests_count| {
        (
            Decimal::ratio(requests_count, NLB_REQUESTS_PER_NLCU_HOUR),
            format!(
                "{} requests ({}) ÷ 2,880,000 requests per NLCU-hour (800 new connections a second)",
                count(requests_count),
                requests.source
            ),
        )
    });
    let name = service_name(system, id);
    let mut charges = vec![
        pricer.hourly(
            "load balancer hours",
            "elb.nlb.hour",
            Decimal::from_int(1),
            "1 NLB",
        ),
        pricer.usage(
            "capacity units",
            "elb.nlb.nlcu_hour",
            nlcu,
            &format!("`usage {{ requests = … }}` on the calls to {name}"),
        ),
    ];
    if balancer.public {
        let zones = balancer_zones(pricer, balancer);
        charges.push(pricer.hourly(
            "public IPv4 addresses",
            "vpc.public_ipv4.hour",
            Decimal::from_int(zones),
            &format!("{zones} addresses (one per zone)"),
        ));
    }
    let why = if balancer.endpoint_service {
        "PrivateLink endpoint service"
    } else if balancer.public {
        "internet-facing"
    } else {
        "internal"
    };
    let span = system
        .service(id)
        .map_or(Span::default(), |service| service.name.span);
    pricer.push(
        group.to_string(),
        Concern::Network,
        format!("Network Load Balancer ({why})"),
        "aws_lb",
        span,
        charges,
    );
}

fn buses(pricer: &mut Pricer<'_>) {
    let system = pricer.system;
    let default_used = system
        .events
        .iter()
        .any(|event| event.carrier.value == Carrier::DefaultBus);
    let mut buses: Vec<(
        String,
        Carrier,
        crate::model::Usage,
        Span,
        Option<&crate::model::Bus>,
    )> = Vec::new();
    if default_used {
        buses.push((
            "default".into(),
            Carrier::DefaultBus,
            crate::model::Usage::default(),
            system.name.span,
            None,
        ));
    }
    for (index, bus) in system.buses.iter().enumerate() {
        buses.push((
            bus.name.text.clone(),
            Carrier::Bus(crate::model::BusId(index)),
            bus.usage.clone(),
            bus.name.span,
            Some(bus),
        ));
    }
    for (name, carrier, own, span, declared) in buses {
        let tally = pricer
            .relations
            .carried(&own, &format!("bus {name}"), carrier, None);
        let events = in_millions(&tally, "events", 1);
        let declare =
            format!("`usage {{ messages = … }}` on the publishes of the events on bus {name}");
        let mut charges =
            vec![pricer.usage("events published", "events.custom_events", events, &declare)];
        if declared.is_some_and(|bus| bus.archive.is_some()) {
            let data = pricer
                .relations
                .carried_data(&own, carrier)
                .map(|bytes| (gb(bytes), format!("{} GB of events", gb(bytes).grouped(2))));
            charges.push(pricer.usage(
                "events archived",
                "events.archive.gb",
                data,
                &format!("`usage {{ data = … }}` on bus {name}"),
            ));
        }
        let group = if declared.is_some() {
            format!("bus {name}")
        } else {
            "bus default".to_string()
        };
        pricer.push(
            group,
            Concern::Messaging,
            format!("EventBridge bus {name}"),
            "aws_cloudwatch_event_bus",
            span,
            charges,
        );
    }
}

fn topics(pricer: &mut Pricer<'_>) {
    let system = pricer.system;
    for (index, topic) in system.topics.iter().enumerate() {
        let id = crate::model::TopicId(index);
        let name = &topic.name.text;
        let tally = pricer.relations.carried(
            &topic.usage,
            &format!("topic {name}"),
            Carrier::Topic(id),
            Some(Channel::Topic(id)),
        );
        let publishes = in_millions(&tally, "messages", 1);
        let charge = pricer.usage(
            "publishes",
            "sns.publishes",
            publishes,
            &format!("`usage {{ messages = … }}` on topic {name} or its publishes"),
        );
        pricer.push(
            format!("topic {name}"),
            Concern::Messaging,
            format!("SNS topic {name}"),
            "aws_sns_topic",
            topic.name.span,
            vec![charge],
        );
    }
}

fn queues(pricer: &mut Pricer<'_>) {
    let system = pricer.system;
    let dead_letter = system.dead_letter_queues();
    for settings in &pricer.graph.messaging.queues {
        let (group, label, span) = match settings.queue {
            QueueRef::Declared(id) => {
                let Some(queue) = system.queue(id) else {
                    continue;
                };
                // A declared queue that only receives what failed elsewhere
                // is a dead-letter queue like the derived ones.
                if dead_letter.contains(&id) && !pricer.relations.queue_used(id) {
                    continue;
                }
                (
                    format!("queue {}", queue.name.text),
                    format!("SQS queue {}", queue.name.text),
                    queue.name.span,
                )
            }
            QueueRef::Inbox(service) => {
                let Some(declared) = system.service(service) else {
                    continue;
                };
                (
                    format!("service {}", declared.name.text),
                    "SQS inbox queue".to_string(),
                    declared.name.span,
                )
            }
            // Dead-letter and failure queues carry failures only; command
            // queues are listed in NOT_PRICED.
            _ => continue,
        };
        let tally = pricer.relations.queue_messages(settings.queue);
        let requests = in_millions(&tally, "messages", SQS_REQUESTS_PER_MESSAGE);
        let key = if settings.fifo {
            "sqs.fifo.requests"
        } else {
            "sqs.standard.requests"
        };
        let charge = pricer.usage(
            "requests (send, receive, delete)",
            key,
            requests,
            &format!("`usage {{ messages = … }}` on {group} or on its consumers"),
        );
        pricer.push(
            group,
            Concern::Messaging,
            label,
            "aws_sqs_queue",
            span,
            vec![charge],
        );
    }
}

fn streams(pricer: &mut Pricer<'_>) {
    let system = pricer.system;
    for (index, stream) in system.streams.iter().enumerate() {
        let id = crate::model::StreamId(index);
        let name = &stream.name.text;
        let tally = pricer.relations.carried(
            &stream.usage,
            &format!("stream {name}"),
            Carrier::Stream(id),
            Some(Channel::Stream(id)),
        );
        let data = pricer
            .relations
            .carried_data(&stream.usage, Carrier::Stream(id));
        let readers = crate::graph::messaging::stream_readers(pricer.graph, id).len() as u64;
        let fan_out = crate::graph::messaging::enhanced_fan_out(pricer.graph, id);
        let extended = stream.retention.value.as_millis() > 24 * 3_600_000;
        let declare = format!("`usage {{ messages = …  data = … }}` on stream {name}");
        let mut charges = Vec::new();
        match stream.capacity.value {
            StreamCapacity::Provisioned { shards } => {
                let shards = u64::from(shards);
                let text = format!("{shards} shards");
                charges.push(pricer.hourly(
                    "shard hours",
                    "kinesis.shard_hour",
                    Decimal::from_int(shards),
                    &text,
                ));
                if extended {
                    charges.push(pricer.hourly(
                        "extended retention",
                        "kinesis.extended_retention.shard_hour",
                        Decimal::from_int(shards),
                        &text,
                    ));
                }
                let units = tally.known().map(|records| {
                    let per_record = match data {
                        Some(bytes) if records > 0 => {
                            Decimal::ratio(bytes, records.saturating_mul(PUT_UNIT_BYTES)).ceil()
                        }
                        _ => Decimal::from_int(1),
                    };
                    (
                        Decimal::from_int(records)
                            .times(per_record)
                            .div_int(MILLION),
                        format!(
                            "{} records ({}) × {} PUT payload units of 25 KB",
                            count(records),
                            tally.source,
                            per_record.plain()
                        ),
                    )
                });
                charges.push(pricer.usage(
                    "PUT payload units",
                    "kinesis.put_units",
                    units,
                    &declare,
                ));
                if fan_out {
                    charges.push(pricer.hourly(
                        "enhanced fan-out",
                        "kinesis.efo.consumer_shard_hour",
                        Decimal::from_int(readers.saturating_mul(shards)),
                        &format!("{readers} consumers × {shards} shards"),
                    ));
                }
            }
            StreamCapacity::OnDemand => {
                charges.push(pricer.hourly(
                    "stream hours",
                    "kinesis.on_demand.stream_hour",
                    Decimal::from_int(1),
                    "1 stream",
                ));
                let written = data.map(|bytes| (gb(bytes), format!("{} GB", gb(bytes).grouped(2))));
                charges.push(pricer.usage(
                    "data written",
                    "kinesis.on_demand.gb_in",
                    written,
                    &declare,
                ));
                let read = data.map(|bytes| {
                    (
                        gb(bytes).times(Decimal::from_int(readers)),
                        format!("{} GB × {readers} readers", gb(bytes).grouped(2)),
                    )
                });
                let out_key = if fan_out {
                    "kinesis.efo.gb"
                } else {
                    "kinesis.on_demand.gb_out"
                };
                charges.push(pricer.usage("data read", out_key, read, &declare));
                if extended {
                    let days = stream
                        .retention
                        .value
                        .as_millis()
                        .div_ceil(86_400_000)
                        .min(7);
                    let stored = data.map(|bytes| {
                        (
                            gb(bytes).times(Decimal::ratio(days.saturating_sub(1), 30)),
                            format!(
                                "{} GB a month kept {} more days",
                                gb(bytes).grouped(2),
                                days.saturating_sub(1)
                            ),
                        )
                    });
                    charges.push(pricer.usage(
                        "extended retention",
                        "kinesis.on_demand.extended_retention.gb_month",
                        stored,
                        &declare,
                    ));
                }
            }
        }
        pricer.push(
            format!("stream {name}"),
            Concern::Messaging,
            format!("Kinesis stream {name}"),
            "aws_kinesis_stream",
            stream.name.span,
            charges,
        );
    }
}

fn tables(pricer: &mut Pricer<'_>) {
    let system = pricer.system;
    for (index, table) in system.tables.iter().enumerate() {
        let store = DataStore::Table(crate::model::TableId(index));
        let name = &table.name.text;
        let label = format!("table {name}");
        let mut charges = Vec::new();
        match table.billing.value {
            Billing::OnDemand => {
                let writes =
                    pricer
                        .relations
                        .store_operations(store, &table.usage, &label, |usage| usage.writes);
                let reads =
                    pricer
                        .relations
                        .store_operations(store, &table.usage, &label, |usage| usage.reads);
                let indexes = table.indexes.len() as u64;
                let write_units = writes.known().map(|writes_count| {
                    let formula = if indexes == 0 {
                        format!("{} writes ({})", count(writes_count), writes.source)
                    } else {
                        format!(
                            "{} writes ({}) × {} (the table and {indexes} index{})",
                            count(writes_count),
                            writes.source,
                            indexes + 1,
                            if indexes == 1 { "" } else { "es" }
                        )
                    };
                    (
                        Decimal::ratio(writes_count.saturating_mul(indexes + 1), MILLION),
                        formula,
                    )
                });
                charges.push(pricer.usage(
                    "write request units",
                    "dynamodb.on_demand.write_units",
                    write_units,
                    &format!("`usage {{ writes = … }}` on the uses of table {name}"),
                ));
                charges.push(pricer.usage(
                    "read request units",
                    "dynamodb.on_demand.read_units",
                    in_millions(&reads, "reads", 1),
                    &format!("`usage {{ reads = … }}` on the uses of table {name}"),
                ));
            }
            Billing::Provisioned { reads, writes } => {
                charges.push(pricer.hourly(
                    "write capacity",
                    "dynamodb.provisioned.wcu_hour",
                    Decimal::from_int(u64::from(writes)),
                    &format!("{writes} WCU"),
                ));
                charges.push(pricer.hourly(
                    "read capacity",
                    "dynamodb.provisioned.rcu_hour",
                    Decimal::from_int(u64::from(reads)),
                    &format!("{reads} RCU"),
                ));
            }
        }
        let storage = declared_gb(table.usage.storage, &label);
        let declare = format!("`usage {{ storage = … }}` on table {name}");
        charges.push(pricer.usage("storage", "dynamodb.storage", storage.clone(), &declare));
        if table.point_in_time_recovery.value {
            charges.push(pricer.usage(
                "point-in-time recovery",
                "dynamodb.pitr",
                storage,
                &declare,
            ));
        }
        pricer.push(
            label,
            Concern::Data,
            format!("DynamoDB table {name}"),
            "aws_dynamodb_table",
            table.name.span,
            charges,
        );
    }
}

fn databases(pricer: &mut Pricer<'_>) {
    let system = pricer.system;
    for (index, database) in system.databases.iter().enumerate() {
        let store = DataStore::Database(crate::model::DatabaseId(index));
        let name = &database.name.text;
        let label = format!("database {name}");
        let engine = database.engine.value;
        let class = &database.class.value;
        let multi_az = database.multi_az.value;
        let instances: u64 = if multi_az { 2 } else { 1 };
        let instance_key = format!("rds.{}.{class}", engine.as_str());
        let text = if engine.is_aurora() {
            format!(
                "{instances} cluster instance{}",
                if instances == 1 { "" } else { "s" }
            )
        } else if multi_az {
            "2 instances (Multi-AZ: primary and standby)".to_string()
        } else {
            "1 instance".to_string()
        };
        let mut charges = vec![pricer.hourly(
            &format!("{class} hours"),
            &instance_key,
            Decimal::from_int(instances),
            &text,
        )];
        if engine.is_aurora() {
            let storage = declared_gb(database.usage.storage, &label);
            charges.push(pricer.usage(
                "storage",
                "rds.aurora.storage",
                storage,
                &format!("`usage {{ storage = … }}` on database {name}"),
            ));
            let reads =
                pricer
                    .relations
                    .store_operations(store, &database.usage, &label, |usage| usage.reads);
            let writes =
                pricer
                    .relations
                    .store_operations(store, &database.usage, &label, |usage| usage.writes);
            let io = match (reads.known(), writes.known()) {
                (None, None) => None,
                (reads_count, writes_count) => {
                    let total = reads_count
                        .unwrap_or(0)
                        .saturating_add(writes_count.unwrap_or(0));
                    Some((
                        Decimal::ratio(total, MILLION),
                        format!("{} reads and writes, one I/O each", count(total)),
                    ))
                }
            };
            charges.push(pricer.usage(
                "I/O requests",
                "rds.aurora.io",
                io,
                &format!("`usage {{ reads = …  writes = … }}` on the uses of database {name}"),
            ));
        } else {
            let size = gb(database.storage.value.as_bytes());
            charges.push(pricer.monthly(
                "gp3 storage",
                "rds.gp3.gb_month",
                size.times(Decimal::from_int(instances)),
                &format!("{} GB × {instances}", size.plain()),
            ));
        }
        charges.push(pricer.monthly(
            "master password secret",
            "secretsmanager.secret",
            Decimal::from_int(1),
            "1 secret",
        ));
        let kind = if engine.is_aurora() {
            "Aurora cluster"
        } else {
            "RDS instance"
        };
        pricer.push(
            label,
            Concern::Data,
            format!("{kind} {name} ({}, {class})", engine.as_str()),
            if engine.is_aurora() {
                "aws_rds_cluster"
            } else {
                "aws_db_instance"
            },
            database.name.span,
            charges,
        );
    }
}

/// A declared secret: its monthly charge. Its API calls are not priced.
fn secrets(pricer: &mut Pricer<'_>) {
    let system = pricer.system;
    for secret in &system.secrets {
        let name = &secret.name.text;
        let charges = vec![pricer.monthly(
            "secret",
            "secretsmanager.secret",
            Decimal::from_int(1),
            "1 secret",
        )];
        pricer.push(
            format!("secret {name}"),
            Concern::Data,
            format!("secret {name}"),
            "aws_secretsmanager_secret",
            secret.name.span,
            charges,
        );
    }
}

fn sagas(pricer: &mut Pricer<'_>) {
    let system = pricer.system;
    let graph = pricer.graph;
    for plan in &graph.sagas {
        if plan.mode != SagaMode::Orchestrated {
            continue;
        }
        let Some(saga) = system.sagas.get(plan.saga.0) else {
            continue;
        };
        let name = &saga.name.text;
        // The states of the happy path, read from the state machine meshc
        // emits: each one entered is a transition.
        let states = crate::simulate::simulate(system, graph, name, None)
            .map_or(0, |simulation| simulation.visits.len() as u64);
        let executions = pricer.relations.saga_executions(plan.saga);
        let transitions = executions.known().map(|runs| {
            (
                Decimal::ratio(runs.saturating_mul(states), 1000),
                format!(
                    "{} executions ({}) × {states} states of the path without failures",
                    count(runs),
                    executions.source
                ),
            )
        });
        let charges = vec![pricer.usage(
            "state transitions",
            "stepfunctions.transitions",
            transitions,
            &format!("`usage {{ executions = … }}` on saga {name}"),
        )];
        let group = format!("saga {name}");
        pricer.push(
            group.clone(),
            Concern::Orchestration,
            format!("Step Functions state machine {name}"),
            "aws_sfn_state_machine",
            saga.name.span,
            charges,
        );
        log_group(
            pricer,
            &group,
            &format!("saga {name}"),
            saga.usage.logs,
            saga.name.span,
        );
    }
}

/// The log group of a service or saga, priced by the logs it declares.
fn log_group(
    pricer: &mut Pricer<'_>,
    group: &str,
    owner: &str,
    logs: Option<crate::model::Spanned<crate::model::Size>>,
    span: Span,
) {
    let charge = pricer.usage(
        "log ingestion",
        "cloudwatch.logs.ingest",
        declared_gb(logs, owner),
        &format!("`usage {{ logs = … }}` on {owner}"),
    );
    pricer.push(
        group.to_string(),
        Concern::Observability,
        "log group".into(),
        "aws_cloudwatch_log_group",
        span,
        vec![charge],
    );
}
