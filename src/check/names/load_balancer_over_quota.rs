//! M248 load-balancer-over-quota
use super::quotas::{self, Site};
use crate::check::{Context, Rule};
use crate::diagnostics::Diagnostic;
use crate::graph::LoadBalancerRef;
use crate::graph::network::Target;
use crate::model::aws_quotas::{QuotaKind, quota};
use crate::model::{Compute, System};

/// `over` is the service that takes the count over the limit.
pub fn diagnostic(
    balancer: &Site,
    kind: QuotaKind,
    count: usize,
    region: &str,
    over: Option<&Site>,
) -> Diagnostic {
    let row = quota(kind);
    let (what, instead) = match kind {
        QuotaKind::RulesPerAlb => (
            "listener rules (one per service exposed with a `path`)",
            "serve several paths from one service, or expose some services on another network's load balancer",
        ),
        QuotaKind::TargetsPerAlb => (
            "registered targets (each task of a Fargate service, each function)",
            "run fewer `replicas` behind this load balancer, or expose some services on another network's load balancer",
        ),
        _ => (
            "target groups (one per service behind it)",
            "expose fewer services on one load balancer: put some in another network, or behind a Network Load Balancer (`expose = nlb`)",
        ),
    };
    let mut diagnostic = Diagnostic::new(
        &LoadBalancerOverQuota::CODE,
        format!(
            "{} would have {} {what}, more than the {} Elastic Load Balancing allows",
            balancer.text,
            quotas::amount(row, count),
            quotas::limit(row, region)
        ),
    )
    .primary(
        over.map_or(balancer.span, |over| over.span),
        format!("goes over {}", quotas::limit(row, region)),
    );
    if over.is_some() {
        diagnostic = diagnostic.secondary(balancer.span, balancer.text.clone());
    }
    diagnostic
        .help(format!("{instead}; {}", row.increase()))
        .note(quotas::source_note(row))
}

declare_rule! {
    /// ## What it does
    /// Reports an Application Load Balancer that would go over a quota of
    /// Elastic Load Balancing: 100 target groups (one per service behind
    /// it; a hard limit), 100 listener rules (one per service exposed with
    /// a `path`), or 1,000 registered targets (each task of a Fargate
    /// service, each Lambda function). meshc puts every service of a network
    /// exposed with `alb` behind one internet-facing or one internal load
    /// balancer.
    ///
    /// ## Why is this bad?
    /// Creating the target group or rule, or registering the task, fails:
    /// the deployment stops, or tasks of a service never receive traffic.
    /// The rules and targets quotas can be raised on request; an account
    /// that has the increase says so with `// meshc:allow(M248) reason: "..."`.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet edge { tier = public }  subnet app { tier = private }  nat = single }
    /// service web {
    ///   compute = fargate { cpu = 4  memory = 8GB  replicas = 1001 }
    ///   subnet = app  port = 8080
    ///   expose = alb { public = true  certificate = "arn:aws:acm:us-east-1:111122223333:certificate/6f1c2e0a-8b1d-4c1e-9a57-2f0c7d3e5b21" }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network main { cidr = 10.0.0.0/16  subnet edge { tier = public }  subnet app { tier = private }  nat = single }
    /// service web {
    ///   compute = fargate { cpu = 4  memory = 8GB  replicas = 100 }
    ///   subnet = app  port = 8080
    ///   expose = alb { public = true  certificate = "arn:aws:acm:us-east-1:111122223333:certificate/6f1c2e0a-8b1d-4c1e-9a57-2f0c7d3e5b21" }
    /// }
    /// ```
    LoadBalancerOverQuota, code = M248, slug = "load-balancer-over-quota", severity = Error,
}

/// The declaration that puts a service behind a load balancer: its
/// `expose`, or the service.
fn target_site(system: &System, target: &Target) -> Option<Site> {
    let service = system.service(target.service)?;
    let span = service
        .expose
        .as_ref()
        .map_or(service.name.span, |expose| expose.span);
    Some(Site {
        span,
        text: format!("service `{}`", service.name.text),
    })
}

impl Rule for LoadBalancerOverQuota {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        let region = system.region.value.as_str();
        for balancer in &context.graph.network.load_balancers {
            if !matches!(balancer.id, LoadBalancerRef::Alb { .. }) {
                continue;
            }
            let Some(site) = quotas::load_balancer(system, balancer.id) else {
                continue;
            };
            let groups: Vec<(&Target, usize)> =
                balancer.targets.iter().map(|target| (target, 1)).collect();
            let rules: Vec<(&Target, usize)> = balancer
                .targets
                .iter()
                .filter(|target| target.path.is_some())
                .map(|target| (target, 1))
                .collect();
            let registered: Vec<(&Target, usize)> = balancer
                .targets
                .iter()
                .map(|target| {
                    let tasks = match system
                        .service(target.service)
                        .map(|service| &service.compute)
                    {
                        Some(Compute::Fargate(fargate)) => {
                            usize::try_from(fargate.replicas.value).unwrap_or(usize::MAX)
                        }
                        _ => 1,
                    };
                    (target, tasks)
                })
                .collect();
            for (kind, items) in [
                (QuotaKind::TargetGroupsPerAlb, groups),
                (QuotaKind::RulesPerAlb, rules),
                (QuotaKind::TargetsPerAlb, registered),
            ] {
                let limit = quota(kind).limit_in(region);
                let (over, count) = quotas::first_over(&items, limit);
                if count > limit {
                    let over = over.and_then(|target| target_site(system, target));
                    out.push(diagnostic(&site, kind, count, region, over.as_ref()));
                }
            }
        }
    }
}
