//! M317 call-outside-reach
use super::network_name;
use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::{Call, Service, System, Via};

/// Why the caller cannot reach the callee over the network.
#[derive(Debug)]
pub enum Outside<'a> {
    /// The caller has no subnet: a Lambda function outside every VPC.
    NoSubnet,
    /// The caller runs in another network than the callee's.
    OtherNetwork { network: &'a str, span: Span },
}

pub fn diagnostic(
    caller: &str,
    callee: &str,
    callee_network: &str,
    call: &Call,
    outside: &Outside<'_>,
    suggested_subnet: Option<&str>,
) -> Diagnostic {
    let via = call.via.value.as_str();
    let (span, label) = if call.via_declared {
        (
            call.via.span,
            format!("`via = {via}` only reaches addresses inside network `{callee_network}`"),
        )
    } else {
        (
            call.target_span,
            format!(
                "reached `via = {via}` (the default), which only works inside network `{callee_network}`"
            ),
        )
    };
    let diagnostic = Diagnostic::new(
        &CallOutsideReach::CODE,
        format!("service `{caller}` calls `{callee}`, which it has no network path to"),
    )
    .primary(span, label);
    match outside {
        Outside::NoSubnet => diagnostic
            .note(format!(
                "without a `subnet`, `{caller}` runs outside every VPC: it can resolve no private name and route to no private address"
            ))
            .help(match suggested_subnet {
                Some(subnet) => format!("run `{caller}` in network `{callee_network}`: `subnet = {subnet}`"),
                None => format!(
                    "add a private subnet to network `{callee_network}` and run `{caller}` in it"
                ),
            }),
        Outside::OtherNetwork { network, span } => {
            let diagnostic = diagnostic
                .secondary(*span, format!("runs in network `{network}`"))
                .note(
                    "meshc connects no two networks: Service Connect and Cloud Map names resolve only in their own VPC, an internal load balancer answers only there, and a security group cannot name one in another VPC",
                );
            if call.via.value == Via::PrivateLink {
                diagnostic
            } else {
                diagnostic.help(format!(
                    "write `via = privatelink`: `{callee}` is then offered as an endpoint service, reached through an interface endpoint in network `{network}`"
                ))
            }
        }
    }
}

declare_rule! {
    /// ## What it does
    /// Reports a `calls` of a Fargate service that no network path can
    /// carry: the caller runs in another network and calls over `mesh`,
    /// `dns` or `alb`, or the caller is a Lambda function without a
    /// `subnet`, outside every VPC, and calls over `dns`, `alb` or
    /// `privatelink`.
    ///
    /// meshc connects no two networks. Service Connect (`mesh`) and Cloud
    /// Map (`dns`) names resolve only inside the callee's VPC, an internal
    /// ALB answers only there, and PrivateLink (`privatelink`) is the way
    /// across: an interface endpoint in the caller's network.
    ///
    /// ## Why is this bad?
    /// The security-group rules would name a group of another VPC, which
    /// EC2 refuses, so the first deploy fails; were it to succeed, every
    /// call would fail to resolve or time out.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network front { cidr = 10.0.0.0/16  subnet web { tier = private } }
    /// network back  { cidr = 10.1.0.0/16  subnet app { tier = private } }
    /// service order   { compute = fargate { }  subnet = web  port = 8080  calls payment { via = dns } }
    /// service payment { compute = fargate { }  subnet = app  port = 8443 }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// network front { cidr = 10.0.0.0/16  subnet web { tier = private } }
    /// network back  { cidr = 10.1.0.0/16  subnet app { tier = private } }
    /// service order   { compute = fargate { }  subnet = web  port = 8080  calls payment { via = privatelink } }
    /// service payment { compute = fargate { }  subnet = app  port = 8443 }
    /// ```
    CallOutsideReach, code = M317, slug = "call-outside-reach", severity = Error,
}

impl Rule for CallOutsideReach {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        for caller in &system.services {
            for call in &caller.calls {
                if let Some((callee, outside)) = unreachable(system, caller, call) {
                    let Some(callee_subnet) = callee.subnet else {
                        continue;
                    };
                    out.push(diagnostic(
                        &caller.name.text,
                        &callee.name.text,
                        network_name(system, callee_subnet.value.network),
                        call,
                        &outside,
                        super::store_outside_reach::private_subnet(
                            system,
                            callee_subnet.value.network,
                        ),
                    ));
                }
            }
        }
    }
}

/// The callee and why `call` cannot reach it, if it cannot.
fn unreachable<'s>(
    system: &'s System,
    caller: &Service,
    call: &Call,
) -> Option<(&'s Service, Outside<'s>)> {
    let callee = system.service(call.target)?;
    let callee_network = callee.subnet?.value.network;
    match (call.via.value, caller.subnet) {
        // Invoking goes through the Lambda API; M219 reports an invoke of a
        // Fargate service and Service Connect for a Lambda caller.
        // PrivateLink is the way across networks.
        (Via::Invoke, _) | (Via::Mesh, None) | (Via::PrivateLink, Some(_)) => None,
        (_, None) => Some((callee, Outside::NoSubnet)),
        (Via::Mesh | Via::Dns | Via::Alb, Some(subnet)) => (subnet.value.network != callee_network)
            .then(|| {
                (
                    callee,
                    Outside::OtherNetwork {
                        network: network_name(system, subnet.value.network),
                        span: subnet.span,
                    },
                )
            }),
    }
}
