//! Flows: the security groups and NACLs meshc emits allow exactly the
//! network flows of the system. For every example and every near-miss input
//! with a network, both directions are proved, packet by packet:
//!
//! (a) every flow, and the replies of every flow, is allowed;
//! (b) every emitted security-group rule and every emitted NACL `allow`
//!     entry is needed by some flow (or its replies), and opens no port
//!     that none of them uses.
//!
//! # What is taken from meshc, and what is not
//!
//! The flows come from meshc's public graph API, `Graph::network.flows`:
//! who starts the conversation and who answers (in the user's terms), the
//! protocol and port, the component with a security group at each end, and
//! the subnet group each end runs in. They are first cross-checked against
//! the relations of the model (`calls`, `uses` of a database, `expose`, and
//! the AWS APIs each service needs): every relation that needs the network
//! has a flow, and every flow stands for a relation.
//!
//! Everything else is read from the emitted Terraform, parsed with hcl-rs
//! (never matched with regular expressions), and judged by the evaluator in
//! this file, which shares no code with the one that derived the rules:
//! `aws_security_group` and the `aws_vpc_security_group_{ingress,egress}_rule`
//! resources; `aws_vpc` and `aws_subnet` with their CIDR blocks (evaluated
//! with `count.index`, `element` and `cidrsubnet` as Terraform would);
//! `aws_network_acl` with `aws_network_acl_rule`, inline `ingress`/`egress`
//! blocks and `aws_network_acl_association`; route tables, routes, NAT
//! gateways and VPC endpoints.
//!
//! # Which security group belongs to which component
//!
//! A security group is tied to its component by the naming convention of
//! `src/emit/names.rs`, written out again here (so that this test also pins
//! it down):
//!
//! | component                           | security group label             |
//! |-------------------------------------|----------------------------------|
//! | service or database                 | its `.mesh` name                 |
//! | interface endpoint of API `a`       | `NETWORK--a-endpoint`            |
//! | internet-facing / internal ALB      | `NETWORK--public-alb` / `NETWORK--internal-alb` |
//! | NLB of service `s`                  | `s--nlb`                         |
//! | PrivateLink endpoint for callee `s` | `NETWORK--s-privatelink`         |
//!
//! Subnet groups are `aws_subnet` resources labelled with the subnet's name
//! (one instance per zone), VPCs are labelled with the network's name, and
//! a gateway endpoint for API `a` is `aws_vpc_endpoint.NETWORK--a`.
//!
//! The resources that carry the groups (tasks, functions, databases, load
//! balancers, VPC endpoints: any resource that names a group, with the
//! subnets it names directly or through a subnet group) are checked too:
//! every group with flows is carried by some resource, a resource labelled
//! like a group carries that group and no other, and every carrier sits in
//! the subnet group the flows of its group say.
//!
//! # The packet model
//!
//! - Security groups are stateful: a flow needs an egress rule of the
//!   source's group and an ingress rule of the destination's group that
//!   match its protocol, port and other end (that end's group, its
//!   addresses, or the prefix list of a gateway endpoint). Replies are
//!   allowed with the connection.
//! - NACLs are stateless and belong to subnets. A NACL's entries are tried
//!   from the lowest rule number; the first that matches a packet decides;
//!   what none matches is denied. A packet leaving a subnet meets that
//!   subnet's egress entries (matched on its destination), and entering a
//!   subnet that subnet's ingress entries (matched on its source). Packets
//!   between two addresses of one subnet (one zone of one group) meet no
//!   NACL. Replies travel back on the ephemeral ports 1024-65535.
//! - Each end of a flow is in every zone of its subnet group, so a flow
//!   crosses from each zone of one group to each zone of the other.
//! - AWS APIs reached over the internet (through NAT or from a public
//!   subnet) and through gateway endpoints, and internet clients of a
//!   public load balancer, have addresses outside the VPC. Through NAT a
//!   flow also enters the NAT gateway's subnet from the source, leaves it
//!   for the internet, and its replies come back the same way.
//! - Clients anywhere in a network (of an internal load balancer) have any
//!   address of the VPC.
//! - Between a PrivateLink interface endpoint and the network load balancer
//!   behind the endpoint service the traffic is carried by AWS PrivateLink,
//!   not routed through the VPC: the test checks that the endpoint service
//!   is offered by that load balancer, that it listens on the port, and
//!   that its security group is not applied to PrivateLink traffic; NACLs
//!   are not modelled on that hop.
//!
//! Routes are checked as far as the flows depend on them: a flow through
//! NAT leaves a subnet whose default route is a NAT gateway, in the subnet
//! group the flow's NAT entries are for, which itself routes to an internet
//! gateway; a flow to a gateway endpoint leaves a subnet whose route table
//! the endpoint is attached to; an internet-facing end routes to an
//! internet gateway; an interface endpoint of an AWS API has private DNS.
//!
//! # Declared NACLs
//!
//! A `nacl` written in the `.mesh` file is emitted as written: its entries
//! are the user's. They must let every flow through like any other; an
//! entry no flow needs is reported as a finding when meshc warns about its
//! rule (a diagnostic of warning severity whose primary label is the rule),
//! and fails the test otherwise.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout
)] // Tests may fail loudly, and report their findings on their output.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::Ipv4Addr;

use hcl::eval::{Context, Evaluate, FuncArgs, FuncDef, ParamType};
use hcl::expr::{Traversal, TraversalOperator};
use hcl::{Body, Expression, Value};
use ipnet::Ipv4Net;

use meshc::diagnostics::{Severity, SourceFile};
use meshc::graph::LoadBalancerRef;
use meshc::graph::network::{ApiRoute, Flow, FlowEnd, Guarded, Logical};
use meshc::model::{
    ComponentId, DataStore, NaclPeer, NetworkId, ServiceId, SubnetRef, System, Via,
};
use meshc::syntax::ast::{Direction, Protocol, RuleAction};

// ---------------------------------------------------------------------------
// Ports and addresses.

/// An inclusive range of ports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Ports {
    from: u16,
    to: u16,
}

impl Ports {
    const ALL: Ports = Ports { from: 0, to: 65535 };
    /// Where replies arrive: the ports clients, NAT gateways and load
    /// balancers open connections from.
    const EPHEMERAL: Ports = Ports {
        from: 1024,
        to: 65535,
    };

    fn overlap(self, other: Ports) -> Option<Ports> {
        let from = self.from.max(other.from);
        let to = self.to.min(other.to);
        (from <= to).then_some(Ports { from, to })
    }
}

impl fmt::Display for Ports {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{}-{}", self.from, self.to)
        }
    }
}

/// The parts of `range` that none of `parts` covers.
fn uncovered(range: Ports, parts: &[Ports]) -> Vec<Ports> {
    let mut sorted: Vec<Ports> = parts.to_vec();
    sorted.sort();
    let mut gaps = Vec::new();
    let mut next = u32::from(range.from);
    for part in sorted {
        if u32::from(part.to) < next {
            continue;
        }
        if u32::from(part.from) > next {
            let end = u32::from(part.from).min(u32::from(range.to) + 1);
            if end > next {
                gaps.push(Ports {
                    from: next as u16,
                    to: (end - 1) as u16,
                });
            }
        }
        next = next.max(u32::from(part.to) + 1);
    }
    if next <= u32::from(range.to) {
        gaps.push(Ports {
            from: next as u16,
            to: range.to,
        });
    }
    gaps
}

fn anywhere() -> Ipv4Net {
    Ipv4Net::new(Ipv4Addr::UNSPECIFIED, 0).unwrap()
}

/// CIDR blocks are aligned: two either nest or are disjoint.
fn overlaps(a: Ipv4Net, b: Ipv4Net) -> bool {
    a.contains(&b) || b.contains(&a)
}

/// The blocks of `outer` outside `inner`.
fn difference(outer: Ipv4Net, inner: Ipv4Net) -> Vec<Ipv4Net> {
    if inner.contains(&outer) {
        return Vec::new();
    }
    if !outer.contains(&inner) {
        return vec![outer];
    }
    outer
        .subnets(outer.prefix_len() + 1)
        .unwrap()
        .flat_map(|half| difference(half, inner))
        .collect()
}

/// Every address outside a VPC: the internet, and AWS's public endpoints.
fn outside(vpc: Ipv4Net) -> Vec<Ipv4Net> {
    difference(anywhere(), vpc)
}

/// A set of packets of one protocol: destination ports by addresses (the
/// source's addresses for ingress, the destination's for egress).
type Boxes = Vec<(Ports, Ipv4Net)>;

fn intersect(a: (Ports, Ipv4Net), b: (Ports, Ipv4Net)) -> Option<(Ports, Ipv4Net)> {
    let ports = a.0.overlap(b.0)?;
    if !overlaps(a.1, b.1) {
        return None;
    }
    let net = if a.1.prefix_len() >= b.1.prefix_len() {
        a.1
    } else {
        b.1
    };
    Some((ports, net))
}

/// What of `part` the box `rule` does not cover.
fn subtract(part: (Ports, Ipv4Net), rule: (Ports, Ipv4Net)) -> Boxes {
    let Some((shared, _)) = intersect(part, rule) else {
        return vec![part];
    };
    let mut rest = Vec::new();
    if part.0.from < shared.from {
        rest.push((
            Ports {
                from: part.0.from,
                to: shared.from - 1,
            },
            part.1,
        ));
    }
    if part.0.to > shared.to {
        rest.push((
            Ports {
                from: shared.to + 1,
                to: part.0.to,
            },
            part.1,
        ));
    }
    for net in difference(part.1, rule.1) {
        rest.push((shared, net));
    }
    rest
}

fn describe_boxes(protocol: Proto, boxes: &[(Ports, Ipv4Net)], preposition: &str) -> String {
    let mut text: Vec<String> = boxes
        .iter()
        .take(3)
        .map(|(ports, net)| format!("{protocol} {ports} {preposition} {net}"))
        .collect();
    if boxes.len() > 3 {
        text.push(format!("and {} more blocks", boxes.len() - 3));
    }
    text.join(", ")
}

// ---------------------------------------------------------------------------
// Protocols.

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Proto {
    All,
    Tcp,
    Udp,
    Icmp,
}

impl Proto {
    /// As the AWS provider writes it: a name or an IANA number.
    fn parse(text: &str) -> Option<Proto> {
        match text.to_ascii_lowercase().as_str() {
            "-1" | "all" => Some(Proto::All),
            "tcp" | "6" => Some(Proto::Tcp),
            "udp" | "17" => Some(Proto::Udp),
            "icmp" | "1" => Some(Proto::Icmp),
            _ => None,
        }
    }

    fn of(protocol: Protocol) -> Proto {
        match protocol {
            Protocol::Tcp => Proto::Tcp,
            Protocol::Udp => Proto::Udp,
            Protocol::Icmp => Proto::Icmp,
            Protocol::All => Proto::All,
        }
    }

    /// Whether a rule for `self` matches packets of `packet`.
    fn matches(self, packet: Proto) -> bool {
        self == Proto::All || self == packet
    }

    /// Whether rules for the protocol name ports.
    fn has_ports(self) -> bool {
        matches!(self, Proto::Tcp | Proto::Udp)
    }
}

impl fmt::Display for Proto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Proto::All => "all",
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
            Proto::Icmp => "icmp",
        })
    }
}

// ---------------------------------------------------------------------------
// Reading Terraform.

#[derive(Debug)]
struct Resource {
    kind: String,
    name: String,
    body: Body,
}

impl Resource {
    fn address(&self) -> String {
        format!("{}.{}", self.kind, self.name)
    }
}

/// A reference to another resource: `aws_subnet.app[*].id`.
#[derive(Clone, Debug)]
struct Reference {
    kind: String,
    name: String,
    index: Index,
    attribute: Option<String>,
}

#[derive(Clone, Debug)]
enum Index {
    /// No index: a resource without `count`.
    Whole,
    /// `[*]`: every instance.
    All,
    At(Expression),
}

fn reference(traversal: &Traversal) -> Option<Reference> {
    let Expression::Variable(kind) = &traversal.expr else {
        return None;
    };
    let mut operators = traversal.operators.iter();
    let Some(TraversalOperator::GetAttr(name)) = operators.next() else {
        return None;
    };
    let mut index = Index::Whole;
    let mut attribute = None;
    for operator in operators {
        match operator {
            TraversalOperator::FullSplat | TraversalOperator::AttrSplat => index = Index::All,
            TraversalOperator::Index(expr) => index = Index::At(expr.clone()),
            TraversalOperator::LegacyIndex(number) => index = Index::At(Expression::from(*number)),
            TraversalOperator::GetAttr(name) if attribute.is_none() => {
                attribute = Some(name.to_string());
            }
            TraversalOperator::GetAttr(_) => {}
        }
    }
    Some(Reference {
        kind: kind.to_string(),
        name: name.to_string(),
        index,
        attribute,
    })
}

/// Every reference to a resource in an expression.
fn references_in(expr: &Expression, out: &mut Vec<Reference>) {
    match expr {
        Expression::Traversal(traversal) => {
            if let Some(found) = reference(traversal) {
                out.push(found);
            } else {
                references_in(&traversal.expr, out);
            }
            for operator in &traversal.operators {
                if let TraversalOperator::Index(index) = operator {
                    references_in(index, out);
                }
            }
        }
        Expression::Array(items) => {
            for item in items {
                references_in(item, out);
            }
        }
        Expression::Object(object) => {
            for value in object.values() {
                references_in(value, out);
            }
        }
        Expression::FuncCall(call) => {
            for argument in &call.args {
                references_in(argument, out);
            }
        }
        Expression::Parenthesis(inner) => references_in(inner, out),
        Expression::Conditional(conditional) => {
            references_in(&conditional.cond_expr, out);
            references_in(&conditional.true_expr, out);
            references_in(&conditional.false_expr, out);
        }
        _ => {}
    }
}

fn references_of(expr: Option<&Expression>) -> Vec<Reference> {
    let mut out = Vec::new();
    if let Some(expr) = expr {
        references_in(expr, &mut out);
    }
    out
}

/// Every reference anywhere in a body, nested blocks included.
fn body_references(body: &Body, out: &mut Vec<Reference>) {
    for attribute in body.attributes() {
        references_in(&attribute.expr, out);
    }
    for block in body.blocks() {
        body_references(&block.body, out);
    }
}

fn attribute<'a>(body: &'a Body, key: &str) -> Option<&'a Expression> {
    body.attributes()
        .find(|attribute| attribute.key.as_str() == key)
        .map(|attribute| &attribute.expr)
}

// The functions of Terraform the emitted CIDR blocks may be computed with.

#[allow(clippy::needless_pass_by_value)] // The signature hcl-rs expects.
fn element(args: FuncArgs) -> Result<Value, String> {
    let (Some(Value::Array(items)), Some(Value::Number(index))) = (args.first(), args.get(1))
    else {
        return Err("element(list, index)".to_string());
    };
    let index = index.as_u64().ok_or("element: bad index")? as usize;
    if items.is_empty() {
        return Err("element of an empty list".to_string());
    }
    Ok(items[index % items.len()].clone())
}

#[allow(clippy::needless_pass_by_value)] // The signature hcl-rs expects.
fn concat(args: FuncArgs) -> Result<Value, String> {
    let mut all = Vec::new();
    for list in args.iter() {
        let Value::Array(items) = list else {
            return Err("concat(lists...)".to_string());
        };
        all.extend(items.iter().cloned());
    }
    Ok(Value::Array(all))
}

#[allow(clippy::needless_pass_by_value)] // The signature hcl-rs expects.
fn cidrsubnet(args: FuncArgs) -> Result<Value, String> {
    let (Some(Value::String(prefix)), Some(Value::Number(bits)), Some(Value::Number(number))) =
        (args.first(), args.get(1), args.get(2))
    else {
        return Err("cidrsubnet(prefix, newbits, netnum)".to_string());
    };
    let prefix: Ipv4Net = prefix.parse().map_err(|error| format!("{error}"))?;
    let bits = bits.as_u64().ok_or("cidrsubnet: bad newbits")?;
    let number = number.as_u64().ok_or("cidrsubnet: bad netnum")?;
    let length = u64::from(prefix.prefix_len()) + bits;
    if length > 32 || number >= 1 << bits {
        return Err(format!(
            "cidrsubnet({prefix}, {bits}, {number}) is out of range"
        ));
    }
    let base = u64::from(u32::from(prefix.network()));
    let address = base + (number << (32 - length));
    let net = Ipv4Net::new(Ipv4Addr::from(address as u32), length as u8)
        .map_err(|error| format!("{error}"))?;
    Ok(Value::String(net.to_string()))
}

/// Every `resource` block of the emitted Terraform.
#[derive(Debug, Default)]
struct Terraform {
    resources: Vec<Resource>,
    /// The CIDR block of each VPC, for expressions that compute from it.
    vpcs: hcl::Map<String, Value>,
}

impl Terraform {
    fn parse(files: &BTreeMap<String, String>) -> Result<Terraform, Vec<String>> {
        let mut terraform = Terraform::default();
        let mut problems = Vec::new();
        let mut seen = BTreeSet::new();
        for (path, text) in files {
            if std::path::Path::new(path)
                .extension()
                .is_none_or(|extension| extension != "tf")
            {
                continue;
            }
            let body = match hcl::parse(text) {
                Ok(body) => body,
                Err(error) => {
                    problems.push(format!("{path} does not parse as HCL: {error}"));
                    continue;
                }
            };
            for block in body.blocks() {
                if block.identifier.as_str() != "resource" {
                    continue;
                }
                let [kind, name] = block.labels.as_slice() else {
                    problems.push(format!("{path}: a resource without two labels"));
                    continue;
                };
                let resource = Resource {
                    kind: kind.as_str().to_string(),
                    name: name.as_str().to_string(),
                    body: block.body.clone(),
                };
                if !seen.insert(resource.address()) {
                    problems.push(format!("{path}: {} is declared twice", resource.address()));
                }
                terraform.resources.push(resource);
            }
        }
        let vpcs: Vec<(String, Value)> = terraform
            .of_kind("aws_vpc")
            .filter_map(|vpc| {
                let Some(Expression::String(cidr)) = attribute(&vpc.body, "cidr_block") else {
                    return None;
                };
                let mut fields = hcl::Map::new();
                fields.insert("cidr_block".to_string(), Value::String(cidr.clone()));
                Some((vpc.name.clone(), Value::Object(fields)))
            })
            .collect();
        terraform.vpcs.extend(vpcs);
        if problems.is_empty() {
            Ok(terraform)
        } else {
            Err(problems)
        }
    }

    fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Resource> + 'a {
        self.resources
            .iter()
            .filter(move |resource| resource.kind == kind)
    }

    fn find(&self, kind: &str, name: &str) -> Option<&Resource> {
        self.resources
            .iter()
            .find(|resource| resource.kind == kind && resource.name == name)
    }

    /// The value of an expression for one instance of a resource, as
    /// Terraform would compute it.
    fn value(&self, expr: &Expression, count_index: Option<usize>) -> Result<Value, String> {
        let mut context = Context::new();
        if let Some(index) = count_index {
            let mut count = hcl::Map::new();
            count.insert("index".to_string(), Value::from(index as u64));
            context.declare_var("count", Value::Object(count));
        }
        context.declare_var("aws_vpc", Value::Object(self.vpcs.clone()));
        context.declare_func(
            "element",
            FuncDef::builder()
                .param(ParamType::Any)
                .param(ParamType::Number)
                .build(element),
        );
        context.declare_func(
            "concat",
            FuncDef::builder()
                .variadic_param(ParamType::Any)
                .build(concat),
        );
        context.declare_func(
            "cidrsubnet",
            FuncDef::builder()
                .param(ParamType::String)
                .param(ParamType::Number)
                .param(ParamType::Number)
                .build(cidrsubnet),
        );
        expr.evaluate(&context).map_err(|error| error.to_string())
    }

    fn string(&self, body: &Body, key: &str, count_index: Option<usize>) -> Option<String> {
        match self.value(attribute(body, key)?, count_index) {
            Ok(Value::String(text)) => Some(text),
            Ok(Value::Number(number)) => Some(number.to_string()),
            _ => None,
        }
    }

    fn number(&self, body: &Body, key: &str, count_index: Option<usize>) -> Option<i64> {
        match self.value(attribute(body, key)?, count_index) {
            Ok(Value::Number(number)) => number.as_i64(),
            Ok(Value::String(text)) => text.parse().ok(),
            _ => None,
        }
    }

    fn boolean(&self, body: &Body, key: &str) -> Option<bool> {
        match self.value(attribute(body, key)?, None) {
            Ok(Value::Bool(value)) => Some(value),
            Ok(Value::String(text)) => text.parse().ok(),
            _ => None,
        }
    }

    /// The instances of a resource: `count` of them, or one without an
    /// index.
    fn instances_of(&self, resource: &Resource) -> Vec<Option<usize>> {
        match self.number(&resource.body, "count", None) {
            Some(count) => (0..usize::try_from(count).unwrap_or(0)).map(Some).collect(),
            None => vec![None],
        }
    }

    /// The instances a reference names, from an instance whose
    /// `count.index` is `count_index`.
    fn instances(&self, target: &Reference, count_index: Option<usize>) -> Vec<Option<usize>> {
        match &target.index {
            Index::Whole => vec![None],
            Index::All => self
                .find(&target.kind, &target.name)
                .map(|resource| self.instances_of(resource))
                .unwrap_or_default(),
            Index::At(expr) => match self.value(expr, count_index) {
                Ok(Value::Number(number)) => number
                    .as_u64()
                    .map(|index| vec![Some(index as usize)])
                    .unwrap_or_default(),
                _ => Vec::new(),
            },
        }
    }
}

// ---------------------------------------------------------------------------
// The network as emitted.

/// A resource instance: label and `count.index`.
type Instance = (String, Option<usize>);

#[derive(Clone, Debug)]
struct SubnetGroup {
    vpc: String,
    /// One CIDR block per zone, by `count.index`.
    zones: Vec<Ipv4Net>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Peer {
    Group(String),
    Cidr(Ipv4Net),
    /// The prefix list of the gateway endpoint with this label.
    PrefixList(String),
}

impl fmt::Display for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Peer::Group(group) => write!(f, "security group {group}"),
            Peer::Cidr(cidr) => write!(f, "{cidr}"),
            Peer::PrefixList(endpoint) => write!(f, "the prefix list of {endpoint}"),
        }
    }
}

#[derive(Clone, Debug)]
struct SgRule {
    address: String,
    group: String,
    ingress: bool,
    protocol: Proto,
    ports: Ports,
    peer: Peer,
}

impl fmt::Display for SgRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (direction, preposition) = if self.ingress {
            ("ingress", "from")
        } else {
            ("egress", "to")
        };
        write!(
            f,
            "{} ({direction} of {}: {} {} {preposition} {})",
            self.address, self.group, self.protocol, self.ports, self.peer
        )
    }
}

#[derive(Clone, Debug)]
struct NaclEntry {
    /// The resource, or the NACL and its inline block.
    address: String,
    nacl: String,
    number: i64,
    egress: bool,
    allow: bool,
    protocol: Proto,
    ports: Ports,
    cidr: Ipv4Net,
}

impl fmt::Display for NaclEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (direction, preposition) = if self.egress {
            ("out", "to")
        } else {
            ("in", "from")
        };
        let action = if self.allow { "allow" } else { "deny" };
        write!(
            f,
            "{} (rule {} of NACL {}: {action} {direction} {} {} {preposition} {})",
            self.address, self.number, self.nacl, self.protocol, self.ports, self.cidr
        )
    }
}

/// What a route sends traffic to.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Target {
    Nat(Instance),
    InternetGateway(String),
    Other(String),
}

#[derive(Clone, Debug, Default)]
struct VpcEndpoint {
    gateway: bool,
    subnets: BTreeSet<String>,
    groups: BTreeSet<String>,
    route_tables: BTreeSet<Instance>,
    private_dns: Option<bool>,
    /// The endpoint service it connects to, for PrivateLink.
    service: Option<String>,
}

/// A resource that carries security groups and sits in subnets.
#[derive(Clone, Debug)]
struct Attachment {
    address: String,
    groups: BTreeSet<String>,
    subnets: BTreeSet<String>,
}

#[derive(Debug, Default)]
struct Emitted {
    vpcs: BTreeMap<String, Ipv4Net>,
    subnets: BTreeMap<String, SubnetGroup>,
    groups: BTreeSet<String>,
    sg_rules: Vec<SgRule>,
    nacl_entries: Vec<NaclEntry>,
    /// The NACLs of each subnet (group and zone).
    nacl_of: BTreeMap<(String, usize), BTreeSet<String>>,
    nacls: BTreeSet<String>,
    route_table_of: BTreeMap<(String, usize), Instance>,
    default_routes: BTreeMap<Instance, Vec<Target>>,
    nat_gateways: BTreeMap<Instance, (String, usize)>,
    endpoints: BTreeMap<String, VpcEndpoint>,
    attachments: Vec<Attachment>,
    /// Load balancers: whether their security groups filter PrivateLink
    /// traffic, and the ports they listen on.
    filters_private_link: BTreeMap<String, bool>,
    listener_ports: BTreeMap<String, BTreeSet<i64>>,
    /// Endpoint services and the load balancers behind them.
    endpoint_services: BTreeMap<String, BTreeSet<String>>,
}

fn subnet_zone(instance: Option<usize>) -> usize {
    instance.unwrap_or(0)
}

impl Emitted {
    fn read(tf: &Terraform, problems: &mut Vec<String>) -> Emitted {
        let mut emitted = Emitted::default();
        emitted.read_addresses(tf, problems);
        emitted.read_security_groups(tf, problems);
        emitted.read_nacls(tf, problems);
        emitted.read_routes(tf);
        emitted.read_endpoints(tf);
        emitted.read_attachments(tf);
        emitted
    }

    fn read_addresses(&mut self, tf: &Terraform, problems: &mut Vec<String>) {
        for vpc in tf.of_kind("aws_vpc") {
            match tf
                .string(&vpc.body, "cidr_block", None)
                .and_then(|text| text.parse().ok())
            {
                Some(cidr) => {
                    self.vpcs.insert(vpc.name.clone(), cidr);
                }
                None => problems.push(format!("{}: no CIDR block", vpc.address())),
            }
        }
        for subnet in tf.of_kind("aws_subnet") {
            let vpc = references_of(attribute(&subnet.body, "vpc_id"))
                .into_iter()
                .find(|found| found.kind == "aws_vpc")
                .map(|found| found.name)
                .unwrap_or_default();
            let mut zones = Vec::new();
            for instance in tf.instances_of(subnet) {
                let cidr = attribute(&subnet.body, "cidr_block")
                    .ok_or_else(|| "no cidr_block".to_string())
                    .and_then(|expr| tf.value(expr, instance));
                match cidr {
                    Ok(Value::String(text)) if text.parse::<Ipv4Net>().is_ok() => {
                        zones.push(text.parse().unwrap());
                    }
                    other => problems.push(format!(
                        "{}[{}]: cannot evaluate its CIDR block: {other:?}",
                        subnet.address(),
                        subnet_zone(instance)
                    )),
                }
            }
            self.subnets
                .insert(subnet.name.clone(), SubnetGroup { vpc, zones });
        }
    }

    fn read_security_groups(&mut self, tf: &Terraform, problems: &mut Vec<String>) {
        for group in tf.of_kind("aws_security_group") {
            self.groups.insert(group.name.clone());
            for block in group.body.blocks() {
                problems.push(format!(
                    "{}: an inline `{}` block; rules are separate resources",
                    group.address(),
                    block.identifier
                ));
            }
        }
        for (kind, ingress) in [
            ("aws_vpc_security_group_ingress_rule", true),
            ("aws_vpc_security_group_egress_rule", false),
        ] {
            for rule in tf.of_kind(kind) {
                let body = &rule.body;
                let owner = references_of(attribute(body, "security_group_id"))
                    .into_iter()
                    .find(|found| found.kind == "aws_security_group");
                let protocol = tf
                    .string(body, "ip_protocol", None)
                    .and_then(|text| Proto::parse(&text));
                let (Some(owner), Some(protocol)) = (owner, protocol) else {
                    problems.push(format!("{}: no security group or protocol", rule.address()));
                    continue;
                };
                let ports = if protocol.has_ports() {
                    let from = tf.number(body, "from_port", None);
                    let to = tf.number(body, "to_port", None);
                    let (Some(from), Some(to)) = (from, to) else {
                        problems.push(format!("{}: no ports", rule.address()));
                        continue;
                    };
                    Ports {
                        from: u16::try_from(from).unwrap_or(0),
                        to: u16::try_from(to).unwrap_or(65535),
                    }
                } else {
                    Ports::ALL
                };
                let group_peer = references_of(attribute(body, "referenced_security_group_id"))
                    .into_iter()
                    .find(|found| found.kind == "aws_security_group")
                    .map(|found| Peer::Group(found.name));
                let prefix_list = references_of(attribute(body, "prefix_list_id"))
                    .into_iter()
                    .find(|found| {
                        found.kind == "aws_vpc_endpoint"
                            && found.attribute.as_deref() == Some("prefix_list_id")
                    })
                    .map(|found| Peer::PrefixList(found.name))
                    .or_else(|| {
                        // A managed prefix list an `egress` names, by its id.
                        tf.string(body, "prefix_list_id", None)
                            .filter(|id| id.starts_with("pl-"))
                            .map(Peer::PrefixList)
                    });
                let cidr = tf
                    .string(body, "cidr_ipv4", None)
                    .and_then(|text| text.parse().ok())
                    .map(Peer::Cidr);
                let peers: Vec<Peer> = [group_peer, prefix_list, cidr]
                    .into_iter()
                    .flatten()
                    .collect();
                let [peer] = peers.as_slice() else {
                    problems.push(format!(
                        "{}: needs exactly one peer the test understands, has {peers:?}",
                        rule.address()
                    ));
                    continue;
                };
                self.sg_rules.push(SgRule {
                    address: rule.address(),
                    group: owner.name,
                    ingress,
                    protocol,
                    ports,
                    peer: peer.clone(),
                });
            }
        }
    }

    fn nacl_entry(
        tf: &Terraform,
        body: &Body,
        address: String,
        nacl: &str,
        egress: bool,
        keys: [&str; 2],
        problems: &mut Vec<String>,
    ) -> Option<NaclEntry> {
        let [number_key, action_key] = keys;
        let number = tf.number(body, number_key, None);
        let protocol = tf
            .string(body, "protocol", None)
            .and_then(|text| Proto::parse(&text));
        let action = tf.string(body, action_key, None);
        let cidr = tf
            .string(body, "cidr_block", None)
            .and_then(|text| text.parse().ok());
        let (Some(number), Some(protocol), Some(action), Some(cidr)) =
            (number, protocol, action, cidr)
        else {
            problems.push(format!("{address}: an entry the test cannot read"));
            return None;
        };
        let ports = if protocol.has_ports() {
            Ports {
                from: tf
                    .number(body, "from_port", None)
                    .and_then(|port| u16::try_from(port).ok())
                    .unwrap_or(0),
                to: tf
                    .number(body, "to_port", None)
                    .and_then(|port| u16::try_from(port).ok())
                    .unwrap_or(0),
            }
        } else {
            Ports::ALL
        };
        Some(NaclEntry {
            address,
            nacl: nacl.to_string(),
            number,
            egress,
            allow: action == "allow",
            protocol,
            ports,
            cidr,
        })
    }

    fn read_nacls(&mut self, tf: &Terraform, problems: &mut Vec<String>) {
        let associate =
            |emitted: &mut Emitted, nacl: &str, subnet: &Reference, from: Option<usize>| {
                for instance in tf.instances(subnet, from) {
                    emitted
                        .nacl_of
                        .entry((subnet.name.clone(), subnet_zone(instance)))
                        .or_default()
                        .insert(nacl.to_string());
                }
            };
        for nacl in tf.of_kind("aws_network_acl") {
            self.nacls.insert(nacl.name.clone());
            for subnet in references_of(attribute(&nacl.body, "subnet_ids")) {
                if subnet.kind == "aws_subnet" {
                    associate(self, &nacl.name, &subnet, None);
                }
            }
            for (position, block) in nacl.body.blocks().enumerate() {
                let egress = match block.identifier.as_str() {
                    "egress" => true,
                    "ingress" => false,
                    _ => continue,
                };
                let address = format!("{} {} block {position}", nacl.address(), block.identifier);
                if let Some(entry) = Self::nacl_entry(
                    tf,
                    &block.body,
                    address,
                    &nacl.name,
                    egress,
                    ["rule_no", "action"],
                    problems,
                ) {
                    self.nacl_entries.push(entry);
                }
            }
        }
        for association in tf.of_kind("aws_network_acl_association") {
            let nacl = references_of(attribute(&association.body, "network_acl_id"))
                .into_iter()
                .find(|found| found.kind == "aws_network_acl");
            let subnets = references_of(attribute(&association.body, "subnet_id"));
            for instance in tf.instances_of(association) {
                for subnet in subnets.iter().filter(|found| found.kind == "aws_subnet") {
                    if let Some(nacl) = &nacl {
                        associate(self, &nacl.name, subnet, instance);
                    }
                }
            }
        }
        for rule in tf.of_kind("aws_network_acl_rule") {
            let Some(nacl) = references_of(attribute(&rule.body, "network_acl_id"))
                .into_iter()
                .find(|found| found.kind == "aws_network_acl")
            else {
                problems.push(format!("{}: no NACL", rule.address()));
                continue;
            };
            let egress = tf.boolean(&rule.body, "egress").unwrap_or(false);
            if let Some(entry) = Self::nacl_entry(
                tf,
                &rule.body,
                rule.address(),
                &nacl.name,
                egress,
                ["rule_number", "rule_action"],
                problems,
            ) {
                self.nacl_entries.push(entry);
            }
        }
    }

    fn read_routes(&mut self, tf: &Terraform) {
        for association in tf.of_kind("aws_route_table_association") {
            let subnets = references_of(attribute(&association.body, "subnet_id"));
            let tables = references_of(attribute(&association.body, "route_table_id"));
            for instance in tf.instances_of(association) {
                for subnet in subnets.iter().filter(|found| found.kind == "aws_subnet") {
                    for table in tables
                        .iter()
                        .filter(|found| found.kind == "aws_route_table")
                    {
                        for subnet_instance in tf.instances(subnet, instance) {
                            for table_instance in tf.instances(table, instance) {
                                self.route_table_of.insert(
                                    (subnet.name.clone(), subnet_zone(subnet_instance)),
                                    (table.name.clone(), table_instance),
                                );
                            }
                        }
                    }
                }
            }
        }
        for route in tf.of_kind("aws_route") {
            let tables = references_of(attribute(&route.body, "route_table_id"));
            for instance in tf.instances_of(route) {
                if tf
                    .string(&route.body, "destination_cidr_block", instance)
                    .as_deref()
                    != Some("0.0.0.0/0")
                {
                    continue;
                }
                let mut targets = Vec::new();
                for found in references_of(attribute(&route.body, "nat_gateway_id")) {
                    for target in tf.instances(&found, instance) {
                        targets.push(Target::Nat((found.name.clone(), target)));
                    }
                }
                for found in references_of(attribute(&route.body, "gateway_id")) {
                    if found.kind == "aws_internet_gateway" {
                        targets.push(Target::InternetGateway(found.name.clone()));
                    } else {
                        targets.push(Target::Other(format!("{}.{}", found.kind, found.name)));
                    }
                }
                for table in tables
                    .iter()
                    .filter(|found| found.kind == "aws_route_table")
                {
                    for table_instance in tf.instances(table, instance) {
                        self.default_routes
                            .entry((table.name.clone(), table_instance))
                            .or_default()
                            .extend(targets.iter().cloned());
                    }
                }
            }
        }
        for gateway in tf.of_kind("aws_nat_gateway") {
            let subnets = references_of(attribute(&gateway.body, "subnet_id"));
            for instance in tf.instances_of(gateway) {
                for subnet in subnets.iter().filter(|found| found.kind == "aws_subnet") {
                    for subnet_instance in tf.instances(subnet, instance) {
                        self.nat_gateways.insert(
                            (gateway.name.clone(), instance),
                            (subnet.name.clone(), subnet_zone(subnet_instance)),
                        );
                    }
                }
            }
        }
    }

    fn read_endpoints(&mut self, tf: &Terraform) {
        for endpoint in tf.of_kind("aws_vpc_endpoint") {
            let body = &endpoint.body;
            let mut read = VpcEndpoint {
                gateway: tf
                    .string(body, "vpc_endpoint_type", None)
                    .is_some_and(|kind| kind == "Gateway"),
                private_dns: tf.boolean(body, "private_dns_enabled"),
                ..VpcEndpoint::default()
            };
            for found in references_of(attribute(body, "subnet_ids")) {
                if found.kind == "aws_subnet" {
                    read.subnets.insert(found.name);
                }
            }
            for found in references_of(attribute(body, "security_group_ids")) {
                if found.kind == "aws_security_group" {
                    read.groups.insert(found.name);
                }
            }
            for found in references_of(attribute(body, "route_table_ids")) {
                if found.kind == "aws_route_table" {
                    for instance in tf.instances(&found, None) {
                        read.route_tables.insert((found.name.clone(), instance));
                    }
                }
            }
            read.service = references_of(attribute(body, "service_name"))
                .into_iter()
                .find(|found| found.kind == "aws_vpc_endpoint_service")
                .map(|found| found.name);
            self.endpoints.insert(endpoint.name.clone(), read);
        }
        for balancer in tf.of_kind("aws_lb") {
            let filters = tf
                .string(
                    &balancer.body,
                    "enforce_security_group_inbound_rules_on_private_link_traffic",
                    None,
                )
                .is_none_or(|setting| setting != "off");
            self.filters_private_link
                .insert(balancer.name.clone(), filters);
        }
        for listener in tf.of_kind("aws_lb_listener") {
            let port = tf.number(&listener.body, "port", None);
            for found in references_of(attribute(&listener.body, "load_balancer_arn")) {
                if let (true, Some(port)) = (found.kind == "aws_lb", port) {
                    self.listener_ports
                        .entry(found.name)
                        .or_default()
                        .insert(port);
                }
            }
        }
        for service in tf.of_kind("aws_vpc_endpoint_service") {
            let balancers = references_of(attribute(&service.body, "network_load_balancer_arns"))
                .into_iter()
                .filter(|found| found.kind == "aws_lb")
                .map(|found| found.name)
                .collect();
            self.endpoint_services
                .insert(service.name.clone(), balancers);
        }
    }

    fn read_attachments(&mut self, tf: &Terraform) {
        let not_attachments = [
            "aws_security_group",
            "aws_default_security_group",
            "aws_vpc_security_group_ingress_rule",
            "aws_vpc_security_group_egress_rule",
        ];
        for resource in &tf.resources {
            if not_attachments.contains(&resource.kind.as_str()) {
                continue;
            }
            let mut found = Vec::new();
            body_references(&resource.body, &mut found);
            let groups: BTreeSet<String> = found
                .iter()
                .filter(|reference| reference.kind == "aws_security_group")
                .map(|reference| reference.name.clone())
                .collect();
            if groups.is_empty() {
                continue;
            }
            let mut subnets: BTreeSet<String> = BTreeSet::new();
            for reference in &found {
                if reference.kind == "aws_subnet" {
                    subnets.insert(reference.name.clone());
                }
                // A subnet group (of a database, a cache) names the subnets.
                if reference.kind.ends_with("_subnet_group") {
                    if let Some(group) = tf.find(&reference.kind, &reference.name) {
                        let mut inner = Vec::new();
                        body_references(&group.body, &mut inner);
                        subnets.extend(
                            inner
                                .into_iter()
                                .filter(|reference| reference.kind == "aws_subnet")
                                .map(|reference| reference.name),
                        );
                    }
                }
            }
            self.attachments.push(Attachment {
                address: resource.address(),
                groups,
                subnets,
            });
        }
    }

    /// The default route of one subnet.
    fn default_route(&self, subnet: &str, zone: usize) -> Vec<Target> {
        self.route_table_of
            .get(&(subnet.to_string(), zone))
            .and_then(|table| self.default_routes.get(table))
            .cloned()
            .unwrap_or_default()
    }

    fn routes_to_internet(&self, subnet: &str, zone: usize) -> bool {
        self.default_route(subnet, zone)
            .iter()
            .any(|target| matches!(target, Target::InternetGateway(_)))
    }
}

// ---------------------------------------------------------------------------
// The naming convention of `src/emit/names.rs`, written out again.

fn service_name(system: &System, id: ServiceId) -> String {
    system
        .service(id)
        .map(|service| service.name.text.clone())
        .unwrap_or_default()
}

fn network_name(system: &System, id: NetworkId) -> String {
    system
        .network(id)
        .map(|network| network.name.text.clone())
        .unwrap_or_default()
}

fn subnet_name(system: &System, subnet: SubnetRef) -> String {
    system
        .subnet(subnet)
        .map(|subnet| subnet.name.text.clone())
        .unwrap_or_default()
}

/// The label of the security group of a component.
fn group_name(system: &System, owner: Guarded) -> String {
    match owner {
        Guarded::Service(id) => service_name(system, id),
        Guarded::Database(id) => system
            .databases
            .get(id.0)
            .map(|database| database.name.text.clone())
            .unwrap_or_default(),
        Guarded::Endpoint(network, api) => {
            format!(
                "{}--{}-endpoint",
                network_name(system, network),
                api.mesh_name()
            )
        }
        Guarded::LoadBalancer(LoadBalancerRef::Alb { network, public }) => format!(
            "{}--{}-alb",
            network_name(system, network),
            if public { "public" } else { "internal" }
        ),
        Guarded::LoadBalancer(LoadBalancerRef::Nlb(service)) => {
            format!("{}--nlb", service_name(system, service))
        }
        Guarded::PrivateLink { network, callee } => format!(
            "{}--{}-privatelink",
            network_name(system, network),
            service_name(system, callee)
        ),
    }
}

fn logical_name(system: &System, logical: Logical) -> String {
    match logical {
        Logical::Component(id) => system
            .component_name(id)
            .map(|name| name.text.clone())
            .unwrap_or_default(),
        Logical::Internet => "the internet".to_string(),
        Logical::Network(network) => format!("clients in {}", network_name(system, network)),
        Logical::Api(api) => format!("the {} API", api.display_name()),
        Logical::Address(cidr) => format!("addresses {cidr}"),
    }
}

// ---------------------------------------------------------------------------
// The flows.

/// One end of a flow, in the terms of the emitted Terraform.
#[derive(Clone, Debug)]
enum End {
    /// A component with a security group, in every zone of a subnet group.
    Group { group: String, subnet: String },
    /// Addresses outside the VPC: the internet, or an AWS API reached over
    /// it or through a gateway endpoint (then with its prefix list).
    Outside {
        vpc: String,
        prefix_list: Option<String>,
    },
    /// Any address of a VPC.
    Network { vpc: String },
    /// The addresses of a declared egress or firewall rule, seen from a
    /// VPC: outside it (through NAT), or within it; an egress to a managed
    /// prefix list is anywhere, with the list's id.
    Block {
        vpc: String,
        cidr: Ipv4Net,
        prefix_list: Option<String>,
    },
}

impl fmt::Display for End {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            End::Group { group, subnet } => write!(f, "{group} in {subnet}"),
            End::Outside {
                prefix_list: Some(endpoint),
                ..
            } => write!(f, "an AWS API through {endpoint}"),
            End::Outside { .. } => f.write_str("the internet"),
            End::Network { vpc } => write!(f, "any address of {vpc}"),
            End::Block { cidr, .. } => write!(f, "addresses {cidr}"),
        }
    }
}

/// The subnet a flow end's component runs in, as the model declares it.
fn declared_subnet(system: &System, owner: Guarded) -> Option<SubnetRef> {
    match owner {
        Guarded::Service(id) => system.service(id)?.subnet.map(|subnet| subnet.value),
        Guarded::Database(id) => system
            .databases
            .get(id.0)?
            .subnet
            .map(|subnet| subnet.value),
        _ => None,
    }
}

fn end_of(
    system: &System,
    end: FlowEnd,
    subnet: Option<SubnetRef>,
    other: Option<SubnetRef>,
) -> Result<End, String> {
    let network_of_other = || {
        other
            .map(|subnet| network_name(system, subnet.network))
            .ok_or_else(|| "neither end is in a subnet".to_string())
    };
    match end {
        FlowEnd::Group(owner) => {
            let subnet =
                subnet.ok_or_else(|| format!("{} has no subnet", group_name(system, owner)))?;
            if let Some(declared) = declared_subnet(system, owner) {
                if declared != subnet {
                    return Err(format!(
                        "{} runs in {} but the flow says {}",
                        group_name(system, owner),
                        subnet_name(system, declared),
                        subnet_name(system, subnet)
                    ));
                }
            }
            Ok(End::Group {
                group: group_name(system, owner),
                subnet: subnet_name(system, subnet),
            })
        }
        FlowEnd::Internet | FlowEnd::PublicApi(_) => Ok(End::Outside {
            vpc: network_of_other()?,
            prefix_list: None,
        }),
        FlowEnd::GatewayEndpoint(network, api) => Ok(End::Outside {
            vpc: network_name(system, network),
            prefix_list: Some(format!(
                "{}--{}",
                network_name(system, network),
                api.mesh_name()
            )),
        }),
        FlowEnd::Network(network) => Ok(End::Network {
            vpc: network_name(system, network),
        }),
        FlowEnd::Cidr(cidr) => Ok(End::Block {
            vpc: network_of_other()?,
            cidr: cidr
                .to_string()
                .parse()
                .map_err(|_| format!("{cidr} is not a block"))?,
            prefix_list: None,
        }),
        FlowEnd::PrefixList(egress) => Ok(End::Block {
            vpc: network_of_other()?,
            cidr: anywhere(),
            prefix_list: Some(
                egress
                    .prefix_list(system)
                    .ok_or("the egress names no prefix list")?
                    .to_string(),
            ),
        }),
    }
}

/// The addresses of a block as packets from or to a VPC carry them:
/// anywhere is the internet, the addresses outside the VPC (as for
/// `End::Outside`); any other block is itself.
fn block_addresses(vpc: Ipv4Net, cidr: Ipv4Net) -> Vec<Ipv4Net> {
    if cidr == anywhere() {
        outside(vpc)
    } else {
        vec![cidr]
    }
}

/// Every relation of the model that needs the network has a flow, and
/// every flow stands for such a relation.
fn relations_have_flows(system: &System, graph: &meshc::graph::Graph, failures: &mut Vec<String>) {
    let flows = &graph.network.flows;
    let mut expected: BTreeSet<(Logical, Logical)> = BTreeSet::new();
    for (index, service) in system.services.iter().enumerate() {
        let Some(subnet) = service.subnet else {
            continue;
        };
        let me = Logical::Component(ComponentId::Service(ServiceId(index)));
        for call in &service.calls {
            let Some(callee) = system.service(call.target) else {
                continue;
            };
            let through_network = match call.via.value {
                // Through the Lambda API: an API use, below.
                Via::Invoke => false,
                Via::Mesh | Via::Dns => !callee.is_lambda() && callee.port.is_some(),
                Via::Alb | Via::PrivateLink => callee.port.is_some(),
            };
            if through_network {
                expected.insert((me, Logical::Component(ComponentId::Service(call.target))));
            }
        }
        for usage in &service.uses {
            if let DataStore::Database(database) = usage.target {
                expected.insert((me, Logical::Component(ComponentId::Database(database))));
            }
        }
        for egress in &service.egress {
            let routed = meshc::graph::network::route_out(
                system,
                &graph.network,
                subnet.value,
                egress.to.value.addresses(),
            )
            .is_ok();
            if routed {
                expected.insert((me, Logical::Address(egress.to.value.addresses())));
            }
        }
        if let Some(expose) = &service.expose {
            let clients = if expose.public {
                Logical::Internet
            } else {
                Logical::Network(subnet.value.network)
            };
            expected.insert((clients, me));
        }
    }
    for usage in &graph.network.api_uses {
        let in_vpc = system
            .service(usage.service)
            .is_some_and(|service| service.subnet.is_some());
        if in_vpc && usage.route != ApiRoute::Unreachable {
            expected.insert((
                Logical::Component(ComponentId::Service(usage.service)),
                Logical::Api(usage.api),
            ));
        }
    }
    for (origin, target) in &expected {
        if !flows
            .iter()
            .any(|flow| flow.origin == *origin && flow.target == *target)
        {
            failures.push(format!(
                "{} reaches {} in the model, but no flow carries it",
                logical_name(system, *origin),
                logical_name(system, *target)
            ));
        }
    }
    // A flow a firewall rule declares stands for that rule.
    for (index, flow) in flows.iter().enumerate().filter(|(_, flow)| !flow.declared) {
        if !expected.contains(&(flow.origin, flow.target)) {
            failures.push(format!(
                "flow {index} `{}` stands for no relation of the model",
                flow.description
            ));
        }
    }
}

// ---------------------------------------------------------------------------
// What the flows need.

/// The other end of a flow, as a security-group rule may name it.
#[derive(Clone, Debug)]
struct PeerSet {
    group: Option<String>,
    prefix_list: Option<String>,
    addresses: Vec<Ipv4Net>,
}

/// A flow needs a rule of a security group.
#[derive(Clone, Debug)]
struct SgNeed {
    flow: usize,
    group: String,
    ingress: bool,
    protocol: Proto,
    ports: Ports,
    peer: PeerSet,
    peer_text: String,
}

/// A flow (or its replies) needs a NACL of one subnet to let packets
/// through.
#[derive(Clone, Debug)]
struct NaclNeed {
    flow: usize,
    subnet: String,
    zone: usize,
    egress: bool,
    protocol: Proto,
    ports: Ports,
    /// The other end: the source for ingress, the destination for egress.
    addresses: Vec<Ipv4Net>,
    leg: String,
}

/// Which entries of a NACL a packet meets: leaving its subnet, or
/// entering it.
const EGRESS: bool = true;
const INGRESS: bool = false;

/// Where one end of a flow is, for NACLs.
enum Side {
    Inside { subnet: String, zones: Vec<Ipv4Net> },
    Outside(Vec<Ipv4Net>),
}

struct Needs<'a> {
    emitted: &'a Emitted,
    sg: Vec<SgNeed>,
    nacl: Vec<NaclNeed>,
    failures: Vec<String>,
}

impl Needs<'_> {
    fn vpc(&mut self, vpc: &str, flow: &str) -> Option<Ipv4Net> {
        let found = self.emitted.vpcs.get(vpc).copied();
        if found.is_none() {
            self.failures.push(format!("{flow}: no aws_vpc.{vpc}"));
        }
        found
    }

    fn zones(&mut self, subnet: &str, flow: &str) -> Option<Vec<Ipv4Net>> {
        let found = self
            .emitted
            .subnets
            .get(subnet)
            .map(|group| group.zones.clone());
        if found.is_none() {
            self.failures
                .push(format!("{flow}: no aws_subnet.{subnet}"));
        }
        found
    }

    fn peer(&mut self, end: &End, flow: &str) -> Option<PeerSet> {
        Some(match end {
            End::Group { group, subnet } => PeerSet {
                group: Some(group.clone()),
                prefix_list: None,
                addresses: self.zones(subnet, flow)?,
            },
            End::Outside { vpc, prefix_list } => PeerSet {
                group: None,
                prefix_list: prefix_list.clone(),
                addresses: outside(self.vpc(vpc, flow)?),
            },
            End::Network { vpc } => PeerSet {
                group: None,
                prefix_list: None,
                addresses: vec![self.vpc(vpc, flow)?],
            },
            End::Block {
                vpc,
                cidr,
                prefix_list,
            } => PeerSet {
                group: None,
                prefix_list: prefix_list.clone(),
                addresses: block_addresses(self.vpc(vpc, flow)?, *cidr),
            },
        })
    }

    fn side(&mut self, end: &End, flow: &str) -> Option<Side> {
        Some(match end {
            End::Group { subnet, .. } => Side::Inside {
                subnet: subnet.clone(),
                zones: self.zones(subnet, flow)?,
            },
            End::Outside { vpc, .. } => Side::Outside(outside(self.vpc(vpc, flow)?)),
            End::Network { vpc } => Side::Outside(vec![self.vpc(vpc, flow)?]),
            End::Block { vpc, cidr, .. } => {
                Side::Outside(block_addresses(self.vpc(vpc, flow)?, *cidr))
            }
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        flow: usize,
        (subnet, zone): (&str, usize),
        egress: bool,
        protocol: Proto,
        ports: Ports,
        addresses: Vec<Ipv4Net>,
        leg: String,
    ) {
        if addresses.is_empty() {
            return;
        }
        self.nacl.push(NaclNeed {
            flow,
            subnet: subnet.to_string(),
            zone,
            egress,
            protocol,
            ports,
            addresses,
            leg,
        });
    }

    /// The packets of a request from `source` to `destination` and of its
    /// replies, at every subnet boundary they cross.
    fn crossing(
        &mut self,
        flow: usize,
        source: &Side,
        destination: &Side,
        protocol: Proto,
        ports: Ports,
    ) {
        let reply = Ports::EPHEMERAL;
        match (source, destination) {
            (
                Side::Inside {
                    subnet: from,
                    zones: from_zones,
                },
                Side::Inside {
                    subnet: to,
                    zones: to_zones,
                },
            ) => {
                for (from_zone, from_cidr) in from_zones.iter().enumerate() {
                    for (to_zone, to_cidr) in to_zones.iter().enumerate() {
                        if from == to && from_zone == to_zone {
                            // One subnet: no NACL between the two.
                            continue;
                        }
                        let source = format!("{from}[{from_zone}]");
                        let destination = format!("{to}[{to_zone}]");
                        self.push(
                            flow,
                            (from, from_zone),
                            EGRESS,
                            protocol,
                            ports,
                            vec![*to_cidr],
                            format!("request out of {source} to {destination}"),
                        );
                        self.push(
                            flow,
                            (to, to_zone),
                            INGRESS,
                            protocol,
                            ports,
                            vec![*from_cidr],
                            format!("request into {destination} from {source}"),
                        );
                        self.push(
                            flow,
                            (to, to_zone),
                            EGRESS,
                            protocol,
                            reply,
                            vec![*from_cidr],
                            format!("reply out of {destination} back to {source}"),
                        );
                        self.push(
                            flow,
                            (from, from_zone),
                            INGRESS,
                            protocol,
                            reply,
                            vec![*to_cidr],
                            format!("reply into {source} from {destination}"),
                        );
                    }
                }
            }
            (
                Side::Inside {
                    subnet: from,
                    zones,
                },
                Side::Outside(addresses),
            ) => {
                for zone in 0..zones.len() {
                    self.push(
                        flow,
                        (from, zone),
                        EGRESS,
                        protocol,
                        ports,
                        addresses.clone(),
                        format!("request out of {from}[{zone}] to the outside"),
                    );
                    self.push(
                        flow,
                        (from, zone),
                        INGRESS,
                        protocol,
                        reply,
                        addresses.clone(),
                        format!("reply into {from}[{zone}] from the outside"),
                    );
                }
            }
            (Side::Outside(addresses), Side::Inside { subnet: to, zones }) => {
                for (zone, cidr) in zones.iter().enumerate() {
                    // Packets from the subnet itself meet no NACL.
                    let others: Vec<Ipv4Net> = addresses
                        .iter()
                        .flat_map(|address| difference(*address, *cidr))
                        .collect();
                    self.push(
                        flow,
                        (to, zone),
                        INGRESS,
                        protocol,
                        ports,
                        others.clone(),
                        format!("request into {to}[{zone}] from the outside"),
                    );
                    self.push(
                        flow,
                        (to, zone),
                        EGRESS,
                        protocol,
                        reply,
                        others,
                        format!("reply out of {to}[{zone}] back to the outside"),
                    );
                }
            }
            (Side::Outside(_), Side::Outside(_)) => {}
        }
    }
}

/// What one flow needs: its security-group rules, NACL entries and routes.
#[allow(clippy::too_many_lines)]
fn needs_of(system: &System, index: usize, flow: &Flow, needs: &mut Needs<'_>) {
    let ends = end_of(
        system,
        flow.source,
        flow.source_subnet,
        flow.destination_subnet,
    )
    .and_then(|source| {
        end_of(
            system,
            flow.destination,
            flow.destination_subnet,
            flow.source_subnet,
        )
        .map(|destination| (source, destination))
    });
    let protocol = Proto::of(flow.protocol);
    let ports = Ports {
        from: flow.ports.from,
        to: flow.ports.to,
    };
    let (source, destination) = match ends {
        Ok(ends) => ends,
        Err(error) => {
            needs
                .failures
                .push(format!("flow {index} `{}`: {error}", flow.description));
            return;
        }
    };
    let label = format!(
        "flow {index} `{}` ({source} to {destination}, {protocol} {ports})",
        flow.description
    );
    for end in [&source, &destination] {
        if let End::Group { group, .. } = end {
            if !needs.emitted.groups.contains(group) {
                needs
                    .failures
                    .push(format!("{label}: no aws_security_group.{group}"));
            }
        }
    }

    // Security groups: egress of the source's, ingress of the destination's.
    if let End::Group { group, .. } = &source {
        if let Some(peer) = needs.peer(&destination, &label) {
            needs.sg.push(SgNeed {
                flow: index,
                group: group.clone(),
                ingress: false,
                protocol,
                ports,
                peer,
                peer_text: destination.to_string(),
            });
        }
    }
    if let End::Group { group, .. } = &destination {
        if let Some(peer) = needs.peer(&source, &label) {
            needs.sg.push(SgNeed {
                flow: index,
                group: group.clone(),
                ingress: true,
                protocol,
                ports,
                peer,
                peer_text: source.to_string(),
            });
        }
    }

    // NACLs, at every subnet boundary.
    let (Some(source_side), Some(destination_side)) = (
        needs.side(&source, &label),
        needs.side(&destination, &label),
    ) else {
        return;
    };
    needs.crossing(index, &source_side, &destination_side, protocol, ports);

    // Routes, and the NAT gateway's subnets.
    let emitted = needs.emitted;
    if let (Some(nat), Side::Inside { subnet, zones }) = (flow.nat_subnet, &source_side) {
        let expected = subnet_name(system, nat);
        let internet = match &destination_side {
            Side::Outside(addresses) => addresses.clone(),
            Side::Inside { .. } => Vec::new(),
        };
        for (zone, cidr) in zones.iter().enumerate() {
            let gateways: Vec<(String, usize)> = emitted
                .default_route(subnet, zone)
                .iter()
                .filter_map(|target| match target {
                    Target::Nat(instance) => emitted.nat_gateways.get(instance).cloned(),
                    _ => None,
                })
                .collect();
            let [(nat_subnet, nat_zone)] = gateways.as_slice() else {
                needs.failures.push(format!(
                    "{label}: {subnet}[{zone}] has no default route through one NAT gateway (routes: {:?})",
                    emitted.default_route(subnet, zone)
                ));
                continue;
            };
            if *nat_subnet != expected {
                needs.failures.push(format!(
                    "{label}: {subnet}[{zone}] routes through a NAT gateway in {nat_subnet}, the flow expects {expected}"
                ));
            }
            if !emitted.routes_to_internet(nat_subnet, *nat_zone) {
                needs.failures.push(format!(
                    "{label}: the NAT gateway's subnet {nat_subnet}[{nat_zone}] has no default route to an internet gateway"
                ));
            }
            let through =
                format!("{subnet}[{zone}] through the NAT gateway in {nat_subnet}[{nat_zone}]");
            let at = (nat_subnet.as_str(), *nat_zone);
            needs.push(
                index,
                at,
                INGRESS,
                protocol,
                ports,
                vec![*cidr],
                format!("request from {through}"),
            );
            needs.push(
                index,
                at,
                EGRESS,
                protocol,
                ports,
                internet.clone(),
                format!("request to the internet from {through}"),
            );
            needs.push(
                index,
                at,
                INGRESS,
                protocol,
                Ports::EPHEMERAL,
                internet.clone(),
                format!("reply from the internet to {through}"),
            );
            needs.push(
                index,
                at,
                EGRESS,
                protocol,
                Ports::EPHEMERAL,
                vec![*cidr],
                format!("reply to {through}"),
            );
        }
    } else if let (FlowEnd::PublicApi(_), Side::Inside { subnet, zones }) =
        (flow.destination, &source_side)
    {
        for zone in 0..zones.len() {
            if !emitted.routes_to_internet(subnet, zone) {
                needs.failures.push(format!(
                    "{label}: {subnet}[{zone}] has no default route to an internet gateway"
                ));
            }
        }
    }
    if let (FlowEnd::Internet, Side::Inside { subnet, zones }) = (flow.source, &destination_side) {
        for zone in 0..zones.len() {
            if !emitted.routes_to_internet(subnet, zone) {
                needs.failures.push(format!(
                    "{label}: {subnet}[{zone}] is reached from the internet but has no default route to an internet gateway"
                ));
            }
        }
    }
    if let (
        End::Outside {
            prefix_list: Some(endpoint),
            ..
        },
        Side::Inside { subnet, zones },
    ) = (&destination, &source_side)
    {
        match emitted.endpoints.get(endpoint) {
            Some(found) if found.gateway => {
                for zone in 0..zones.len() {
                    let table = emitted.route_table_of.get(&(subnet.clone(), zone));
                    if !table.is_some_and(|table| found.route_tables.contains(table)) {
                        needs.failures.push(format!(
                            "{label}: the route table of {subnet}[{zone}] is not attached to the gateway endpoint {endpoint}"
                        ));
                    }
                }
            }
            _ => needs.failures.push(format!(
                "{label}: no gateway endpoint aws_vpc_endpoint.{endpoint}"
            )),
        }
    }
    if let (FlowEnd::Group(owner), End::Group { group, .. }) = (flow.destination, &destination) {
        let carriers: Vec<(&String, &VpcEndpoint)> = emitted
            .endpoints
            .iter()
            .filter(|(_, endpoint)| endpoint.groups.contains(group))
            .collect();
        match owner {
            Guarded::Endpoint(..) => {
                if carriers.is_empty() {
                    needs
                        .failures
                        .push(format!("{label}: no interface endpoint carries {group}"));
                }
                for (name, endpoint) in carriers {
                    if endpoint.private_dns != Some(true) {
                        needs.failures.push(format!(
                            "{label}: aws_vpc_endpoint.{name} has no private DNS, so the API's name does not lead to it"
                        ));
                    }
                }
            }
            Guarded::PrivateLink { .. } => {
                if carriers.is_empty() {
                    needs
                        .failures
                        .push(format!("{label}: no PrivateLink endpoint carries {group}"));
                }
                for (name, endpoint) in carriers {
                    let balancers = endpoint
                        .service
                        .as_ref()
                        .and_then(|service| emitted.endpoint_services.get(service));
                    let Some(balancers) = balancers.filter(|found| !found.is_empty()) else {
                        needs.failures.push(format!(
                            "{label}: aws_vpc_endpoint.{name} connects to no endpoint service with a load balancer"
                        ));
                        continue;
                    };
                    for balancer in balancers {
                        if emitted.filters_private_link.get(balancer) != Some(&false) {
                            needs.failures.push(format!(
                                "{label}: the security group of aws_lb.{balancer} filters PrivateLink traffic, and no flow says what it must allow"
                            ));
                        }
                        let listens =
                            emitted
                                .listener_ports
                                .get(balancer)
                                .is_some_and(|listening| {
                                    (ports.from..=ports.to)
                                        .all(|port| listening.contains(&i64::from(port)))
                                });
                        if !listens {
                            needs.failures.push(format!(
                                "{label}: aws_lb.{balancer} does not listen on {ports}"
                            ));
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------
// The evaluator.

/// Which entries of an ordered NACL decide which packets, and which
/// packets no entry matches (the NACL's final deny drops them).
fn decide<'a>(
    entries: &[&'a NaclEntry],
    protocol: Proto,
    packets: Boxes,
) -> (Vec<(&'a NaclEntry, Boxes)>, Boxes) {
    let mut remaining = packets;
    let mut decided = Vec::new();
    for entry in entries {
        if !entry.protocol.matches(protocol) || remaining.is_empty() {
            continue;
        }
        let rule = (entry.ports, entry.cidr);
        let mut matched = Vec::new();
        let mut rest = Vec::new();
        for part in remaining {
            if let Some(shared) = intersect(part, rule) {
                matched.push(shared);
                rest.extend(subtract(part, rule));
            } else {
                rest.push(part);
            }
        }
        if !matched.is_empty() {
            decided.push((*entry, matched));
        }
        remaining = rest;
    }
    (decided, remaining)
}

/// How security-group rules and NACL entries were used.
#[derive(Default)]
struct Usage {
    /// By rule address: the flows, protocols and ports that needed it.
    uses: BTreeMap<String, Vec<(usize, Proto, Ports)>>,
}

impl Usage {
    fn record(&mut self, address: &str, flow: usize, protocol: Proto, ports: Ports) {
        self.uses
            .entry(address.to_string())
            .or_default()
            .push((flow, protocol, ports));
    }
}

fn evaluate_security_groups(
    emitted: &Emitted,
    needs: &[SgNeed],
    flows: &[Flow],
    failures: &mut Vec<String>,
    usage: &mut Usage,
) {
    for need in needs {
        let rules = emitted
            .sg_rules
            .iter()
            .filter(|rule| rule.group == need.group && rule.ingress == need.ingress)
            .filter(|rule| rule.protocol.matches(need.protocol));
        let mut remaining: Boxes = need
            .peer
            .addresses
            .iter()
            .map(|address| (need.ports, *address))
            .collect();
        for rule in rules {
            let Some(shared) = rule.ports.overlap(need.ports) else {
                continue;
            };
            let whole_peer = match &rule.peer {
                Peer::Group(group) => need.peer.group.as_ref() == Some(group),
                Peer::PrefixList(endpoint) => need.peer.prefix_list.as_ref() == Some(endpoint),
                Peer::Cidr(_) => false,
            };
            let covered = match &rule.peer {
                Peer::Cidr(cidr) => {
                    let touches = need
                        .peer
                        .addresses
                        .iter()
                        .any(|address| overlaps(*address, *cidr));
                    touches.then_some(*cidr)
                }
                _ => whole_peer.then(anywhere),
            };
            let Some(covered) = covered else {
                continue;
            };
            usage.record(&rule.address, need.flow, need.protocol, shared);
            remaining = remaining
                .into_iter()
                .flat_map(|part| subtract(part, (rule.ports, covered)))
                .collect();
        }
        if !remaining.is_empty() {
            let direction = if need.ingress { "ingress" } else { "egress" };
            let preposition = if need.ingress { "from" } else { "to" };
            let flow = &flows[need.flow];
            failures.push(format!(
                "flow {} `{}`: no {direction} rule of security group {} allows {} {preposition} {} (not allowed: {})",
                need.flow,
                flow.description,
                need.group,
                format_args!("{} {}", need.protocol, need.ports),
                need.peer_text,
                describe_boxes(need.protocol, &remaining, preposition)
            ));
        }
    }
}

fn evaluate_nacls(
    emitted: &Emitted,
    needs: &[NaclNeed],
    flows: &[Flow],
    failures: &mut Vec<String>,
    usage: &mut Usage,
) {
    for need in needs {
        let Some(nacls) = emitted.nacl_of.get(&(need.subnet.clone(), need.zone)) else {
            // Reported once per subnet, below.
            continue;
        };
        for nacl in nacls {
            let mut entries: Vec<&NaclEntry> = emitted
                .nacl_entries
                .iter()
                .filter(|entry| entry.nacl == *nacl && entry.egress == need.egress)
                .collect();
            entries.sort_by_key(|entry| entry.number);
            let packets: Boxes = need
                .addresses
                .iter()
                .map(|address| (need.ports, *address))
                .collect();
            let (decided, unmatched) = decide(&entries, need.protocol, packets);
            let flow = &flows[need.flow];
            let preposition = if need.egress { "to" } else { "from" };
            for (entry, packets) in &decided {
                if entry.allow {
                    for (ports, _) in packets {
                        usage.record(&entry.address, need.flow, need.protocol, *ports);
                    }
                } else {
                    failures.push(format!(
                        "flow {} `{}`: {}: {entry} denies {}",
                        need.flow,
                        flow.description,
                        need.leg,
                        describe_boxes(need.protocol, packets, preposition)
                    ));
                }
            }
            if !unmatched.is_empty() {
                failures.push(format!(
                    "flow {} `{}`: {}: no entry of NACL {nacl} ({} of {}[{}]) allows {}",
                    need.flow,
                    flow.description,
                    need.leg,
                    if need.egress { "egress" } else { "ingress" },
                    need.subnet,
                    need.zone,
                    describe_boxes(need.protocol, &unmatched, preposition)
                ));
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The proof.

#[derive(Debug, Default)]
struct Proof {
    failures: Vec<String>,
    findings: Vec<String>,
    summary: String,
}

/// Whether a rule lets through more than the uses recorded for it, and
/// how. `decides` are the ports of the packets the rule decides (for a
/// NACL entry, those no earlier entry matches).
fn excess(protocol: Proto, decides: &[Ports], uses: &[(usize, Proto, Ports)]) -> Option<String> {
    if decides.is_empty() {
        return Some("earlier entries decide all of its packets".to_string());
    }
    if uses.is_empty() {
        return Some("no flow needs it".to_string());
    }
    if protocol == Proto::All && !uses.iter().any(|(_, used, _)| *used == Proto::All) {
        return Some("it allows every protocol; its flows need only some".to_string());
    }
    let used: Vec<Ports> = uses.iter().map(|(_, _, ports)| *ports).collect();
    let gaps: Vec<String> = decides
        .iter()
        .flat_map(|ports| uncovered(*ports, &used))
        .map(|gap| gap.to_string())
        .collect();
    if protocol.has_ports() && !gaps.is_empty() {
        return Some(format!("no flow needs ports {}", gaps.join(", ")));
    }
    None
}

/// The ports of the packets a NACL entry decides: those of its own that no
/// earlier entry of its NACL and direction matches.
fn decided_ports(emitted: &Emitted, entry: &NaclEntry) -> Vec<Ports> {
    let mut region: Boxes = vec![(entry.ports, entry.cidr)];
    for earlier in emitted.nacl_entries.iter().filter(|earlier| {
        earlier.nacl == entry.nacl
            && earlier.egress == entry.egress
            && earlier.number < entry.number
            && (earlier.protocol == Proto::All || earlier.protocol == entry.protocol)
    }) {
        region = region
            .into_iter()
            .flat_map(|part| subtract(part, (earlier.ports, earlier.cidr)))
            .collect();
    }
    region.into_iter().map(|(ports, _)| ports).collect()
}

/// The rule of a declared `nacl` an emitted entry comes from.
fn declared_rule<'a>(
    system: &'a System,
    emitted: &Emitted,
    entry: &NaclEntry,
) -> Option<&'a meshc::model::NaclRule> {
    let nacl = system
        .nacls
        .iter()
        .find(|nacl| nacl.name.text == entry.nacl)?;
    let direction = if entry.egress {
        Direction::Out
    } else {
        Direction::In
    };
    nacl.rules.iter().find(|rule| {
        let ports = rule.ports.map_or(Ports::ALL, |ports| Ports {
            from: ports.value.from,
            to: ports.value.to,
        });
        let peer = match rule.peer.value {
            NaclPeer::Cidr(cidr) => cidr.0 == entry.cidr,
            NaclPeer::Subnet(subnet) => emitted
                .subnets
                .get(&subnet_name(system, subnet))
                .is_some_and(|group| group.zones.iter().any(|zone| overlaps(*zone, entry.cidr))),
        };
        rule.direction == direction
            && (rule.action == RuleAction::Allow) == entry.allow
            && Proto::of(rule.protocol) == entry.protocol
            && (!entry.protocol.has_ports() || ports == entry.ports)
            && peer
    })
}

/// Proves that the security groups and NACLs of `files` (the output of
/// `meshc::compile` for `source`) allow exactly the flows of the system.
#[allow(clippy::too_many_lines)]
fn prove(source: &str, files: &BTreeMap<String, String>) -> Proof {
    let mut proof = Proof::default();
    let analysis = meshc::analyze(source);
    let (Some(system), Some(graph)) = (&analysis.system, &analysis.graph) else {
        proof
            .failures
            .push("the input does not resolve".to_string());
        return proof;
    };
    let terraform: BTreeMap<String, String> = files
        .iter()
        .filter_map(|(path, text)| {
            path.strip_prefix("terraform/")
                .map(|name| (name.to_string(), text.clone()))
        })
        .collect();
    let tf = match Terraform::parse(&terraform) {
        Ok(tf) => tf,
        Err(problems) => {
            proof.failures.extend(problems);
            return proof;
        }
    };
    let emitted = Emitted::read(&tf, &mut proof.failures);
    let flows = &graph.network.flows;
    relations_have_flows(system, graph, &mut proof.failures);

    // (a): what the flows need, and whether the rules allow it.
    let mut needs = Needs {
        emitted: &emitted,
        sg: Vec::new(),
        nacl: Vec::new(),
        failures: Vec::new(),
    };
    for (index, flow) in flows.iter().enumerate() {
        needs_of(system, index, flow, &mut needs);
    }
    let Needs {
        sg: sg_needs,
        nacl: nacl_needs,
        failures: need_failures,
        ..
    } = needs;
    proof.failures.extend(need_failures);
    let mut usage = Usage::default();
    evaluate_security_groups(&emitted, &sg_needs, flows, &mut proof.failures, &mut usage);
    evaluate_nacls(
        &emitted,
        &nacl_needs,
        flows,
        &mut proof.failures,
        &mut usage,
    );

    // Every subnet lies in its VPC, apart from the others of the VPC.
    let mut blocks: Vec<(String, String, Ipv4Net)> = Vec::new();
    for (subnet, group) in &emitted.subnets {
        let vpc = emitted.vpcs.get(&group.vpc);
        for (zone, cidr) in group.zones.iter().enumerate() {
            if !vpc.is_some_and(|vpc| vpc.contains(cidr)) {
                proof.failures.push(format!(
                    "{subnet}[{zone}] ({cidr}) is not inside aws_vpc.{}",
                    group.vpc
                ));
            }
            for (other_vpc, other, other_cidr) in &blocks {
                if *other_vpc == group.vpc && overlaps(*cidr, *other_cidr) {
                    proof.failures.push(format!(
                        "{subnet}[{zone}] ({cidr}) overlaps {other} ({other_cidr})"
                    ));
                }
            }
            blocks.push((group.vpc.clone(), format!("{subnet}[{zone}]"), *cidr));
        }
    }

    // Every subnet has one NACL of its own, with distinct rule numbers.
    for (subnet, group) in &emitted.subnets {
        for zone in 0..group.zones.len() {
            match emitted.nacl_of.get(&(subnet.clone(), zone)).map(BTreeSet::len) {
                Some(1) => {}
                None | Some(0) => proof.failures.push(format!(
                    "{subnet}[{zone}] has no NACL: the VPC's default NACL, which allows everything, applies"
                )),
                Some(_) => proof
                    .failures
                    .push(format!("{subnet}[{zone}] is associated with several NACLs")),
            }
        }
    }
    let mut numbers: BTreeMap<(String, bool, i64), String> = BTreeMap::new();
    for entry in &emitted.nacl_entries {
        if !(1..=32766).contains(&entry.number) {
            proof
                .failures
                .push(format!("{entry}: rule numbers run from 1 to 32766"));
        }
        let key = (entry.nacl.clone(), entry.egress, entry.number);
        if let Some(other) = numbers.insert(key, entry.address.clone()) {
            proof
                .failures
                .push(format!("{entry} has the same rule number as {other}"));
        }
    }

    // Each resource that carries a security group sits where the flows of
    // the group say it is.
    let mut subnets_of_group: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for flow in flows {
        for (end, subnet) in [
            (flow.source, flow.source_subnet),
            (flow.destination, flow.destination_subnet),
        ] {
            if let (FlowEnd::Group(owner), Some(subnet)) = (end, subnet) {
                subnets_of_group
                    .entry(group_name(system, owner))
                    .or_default()
                    .insert(subnet_name(system, subnet));
            }
        }
    }
    for group in subnets_of_group.keys() {
        if !emitted
            .attachments
            .iter()
            .any(|attachment| attachment.groups.contains(group))
        {
            proof.failures.push(format!(
                "security group {group} has flows, but no emitted resource carries it"
            ));
        }
    }
    for attachment in &emitted.attachments {
        // A task, function, database or load balancer carries the group
        // named like it, and no other.
        let own = attachment
            .address
            .split_once('.')
            .map_or("", |(_, label)| label);
        if emitted.groups.contains(own) && attachment.groups != BTreeSet::from([own.to_string()]) {
            proof.failures.push(format!(
                "{} carries {:?}, not only its own security group {own}",
                attachment.address, attachment.groups
            ));
        }
        for group in &attachment.groups {
            if let Some(expected) = subnets_of_group.get(group) {
                if !attachment.subnets.is_empty() && attachment.subnets != *expected {
                    proof.failures.push(format!(
                        "{} carries security group {group} in {:?}, but its flows are in {:?}",
                        attachment.address, attachment.subnets, expected
                    ));
                }
            }
        }
    }

    // Every security group belongs to a component, by its name.
    let plan = &graph.network;
    let mut owners: Vec<Guarded> = Vec::new();
    for (index, service) in system.services.iter().enumerate() {
        if service.subnet.is_some() {
            owners.push(Guarded::Service(ServiceId(index)));
        }
    }
    for (index, database) in system.databases.iter().enumerate() {
        if database.subnet.is_some() {
            owners.push(Guarded::Database(meshc::model::DatabaseId(index)));
        }
    }
    for layout in &plan.networks {
        for endpoint in &layout.endpoints {
            if endpoint.subnet.is_some() {
                owners.push(Guarded::Endpoint(layout.network, endpoint.service));
            }
        }
    }
    owners.extend(
        plan.load_balancers
            .iter()
            .map(|balancer| Guarded::LoadBalancer(balancer.id)),
    );
    owners.extend(plan.private_links.iter().map(|link| Guarded::PrivateLink {
        network: link.network,
        callee: link.callee,
    }));
    let known: BTreeSet<String> = owners
        .iter()
        .map(|owner| group_name(system, *owner))
        .collect();
    for group in &emitted.groups {
        if !known.contains(group) {
            proof.failures.push(format!(
                "aws_security_group.{group} is named for no component"
            ));
        }
    }

    // (b): every rule serves a flow, and opens nothing more.
    let no_uses = Vec::new();
    for rule in &emitted.sg_rules {
        if !emitted.groups.contains(&rule.group) {
            proof
                .failures
                .push(format!("{rule}: no aws_security_group.{}", rule.group));
        }
        if let Peer::Group(peer) = &rule.peer {
            if !emitted.groups.contains(peer) {
                proof
                    .failures
                    .push(format!("{rule}: no aws_security_group.{peer}"));
            }
        }
        let uses = usage.uses.get(&rule.address).unwrap_or(&no_uses);
        if let Some(why) = excess(rule.protocol, &[rule.ports], uses) {
            proof
                .failures
                .push(format!("{rule} serves no flow beyond what it must: {why}"));
        }
    }
    for entry in emitted.nacl_entries.iter().filter(|entry| entry.allow) {
        let uses = usage.uses.get(&entry.address).unwrap_or(&no_uses);
        let Some(why) = excess(entry.protocol, &decided_ports(&emitted, entry), uses) else {
            continue;
        };
        let declared = system.nacls.iter().any(|nacl| nacl.name.text == entry.nacl);
        if !declared {
            proof
                .failures
                .push(format!("{entry} serves no flow beyond what it must: {why}"));
            continue;
        }
        let warning = declared_rule(system, &emitted, entry).and_then(|rule| {
            analysis.diagnostics.iter().find(|diagnostic| {
                diagnostic.severity == Severity::Warning && diagnostic.primary_span() == rule.span
            })
        });
        match warning {
            Some(diagnostic) => proof.findings.push(format!(
                "{entry}, as declared: {why} (meshc warns: {} {})",
                diagnostic.code.code, diagnostic.message
            )),
            None => proof.failures.push(format!(
                "{entry}, as declared: {why}, and meshc does not warn about the rule"
            )),
        }
    }

    proof.summary = format!(
        "{} flows; {} security groups with {} rules, on {} resources; {} NACLs with {} entries; {} security-group and {} NACL checks",
        flows.len(),
        emitted.groups.len(),
        emitted.sg_rules.len(),
        emitted.attachments.len(),
        emitted.nacls.len(),
        emitted.nacl_entries.len(),
        sg_needs.len(),
        nacl_needs.len()
    );
    proof
}

// ---------------------------------------------------------------------------
// The tests.

/// Every example, and every near-miss input that declares a network.
fn inputs() -> Vec<(String, String)> {
    let mut inputs = Vec::new();
    for path in common::mesh_files("examples") {
        inputs.push((
            format!("examples/{}", common::file_name(&path)),
            std::fs::read_to_string(&path).unwrap(),
        ));
    }
    for path in common::mesh_files("tests/ui/pass") {
        let source = std::fs::read_to_string(&path).unwrap();
        let has_network = meshc::analyze(&source)
            .system
            .is_some_and(|system| !system.networks.is_empty());
        if has_network {
            inputs.push((
                format!("tests/ui/pass/{}", common::file_name(&path)),
                source,
            ));
        }
    }
    inputs
}

fn build(name: &str, source: &str) -> BTreeMap<String, String> {
    let output = meshc::compile(
        &SourceFile {
            name: name.to_string(),
            text: source.to_string(),
        },
        &meshc::Options::default(),
    );
    assert!(
        !output.files.is_empty(),
        "{name} does not build: {:?}",
        output
            .diagnostics
            .iter()
            .map(|diagnostic| &diagnostic.message)
            .collect::<Vec<_>>()
    );
    output.files
}

#[test]
fn emitted_rules_allow_exactly_the_flows() {
    let inputs = inputs();
    assert!(inputs.len() >= 4, "too few inputs: {}", inputs.len());
    let mut failures = Vec::new();
    for (name, source) in &inputs {
        let files = build(name, source);
        let proof = prove(source, &files);
        println!("{name}: {}", proof.summary);
        for finding in &proof.findings {
            println!("  finding: {finding}");
        }
        for failure in &proof.failures {
            failures.push(format!("{name}: {failure}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------
// The proof can fail: mutants of the shop example's Terraform.

fn shop() -> (String, BTreeMap<String, String>) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/shop.mesh");
    let source = std::fs::read_to_string(path).unwrap();
    let files = build("shop.mesh", &source);
    let proof = prove(&source, &files);
    assert!(proof.failures.is_empty(), "{:#?}", proof.failures);
    (source, files)
}

fn number_is(body: &Body, key: &str, value: i64) -> bool {
    matches!(attribute(body, key), Some(Expression::Number(number)) if number.as_i64() == Some(value))
}

fn refers_to(body: &Body, key: &str, kind: &str, name: &str) -> bool {
    references_of(attribute(body, key))
        .iter()
        .any(|found| found.kind == kind && found.name == name)
}

/// `terraform/FILE` of `files` with its first resource of `kind` that
/// `matches` taken out; and that resource's label.
fn without(
    files: &BTreeMap<String, String>,
    file: &str,
    kind: &str,
    matches: impl Fn(&Body) -> bool,
) -> (BTreeMap<String, String>, String) {
    let path = format!("terraform/{file}");
    let body = hcl::parse(&files[&path]).unwrap();
    let mut removed = None;
    let kept: Body = body
        .into_iter()
        .filter(|structure| {
            let hcl::Structure::Block(block) = structure else {
                return true;
            };
            let labels: Vec<&str> = block.labels.iter().map(hcl::BlockLabel::as_str).collect();
            let hit = removed.is_none()
                && block.identifier.as_str() == "resource"
                && labels.first() == Some(&kind)
                && matches(&block.body);
            if hit {
                removed = labels.get(1).map(ToString::to_string);
            }
            !hit
        })
        .collect();
    let label = removed.unwrap_or_else(|| panic!("no {kind} to remove from {file}"));
    let mut mutant = files.clone();
    mutant.insert(path, hcl::to_string(&kept).unwrap());
    (mutant, label)
}

/// `terraform/FILE` of `files` with attribute `key` of the resource
/// labelled `label` set to the HCL expression `value`.
fn with_attribute(
    files: &BTreeMap<String, String>,
    file: &str,
    label: &str,
    key: &str,
    value: &str,
) -> BTreeMap<String, String> {
    let path = format!("terraform/{file}");
    let expr = hcl::parse(&format!("{key} = {value}\n"))
        .unwrap()
        .attributes()
        .next()
        .unwrap()
        .expr
        .clone();
    let mut body = hcl::parse(&files[&path]).unwrap();
    let mut changed = 0;
    for block in body.blocks_mut() {
        if block.labels.get(1).map(hcl::BlockLabel::as_str) == Some(label) {
            for attribute in block.body.attributes_mut() {
                if attribute.key.as_str() == key {
                    attribute.expr = expr.clone();
                    changed += 1;
                }
            }
        }
    }
    assert_eq!(changed, 1, "no {key} of {label} in {file}");
    let mut mutant = files.clone();
    mutant.insert(path, hcl::to_string(&body).unwrap());
    mutant
}

/// `files` with HCL text added to `terraform/FILE`.
fn with(files: &BTreeMap<String, String>, file: &str, text: &str) -> BTreeMap<String, String> {
    let mut mutant = files.clone();
    mutant
        .get_mut(&format!("terraform/{file}"))
        .unwrap()
        .push_str(text);
    mutant
}

#[test]
fn a_dropped_ingress_rule_blocks_its_flow() {
    let (source, files) = shop();
    let (mutant, label) = without(
        &files,
        "security_groups.tf",
        "aws_vpc_security_group_ingress_rule",
        |body| {
            refers_to(
                body,
                "security_group_id",
                "aws_security_group",
                "payments-db",
            )
        },
    );
    let proof = prove(&source, &mutant);
    println!("without {label}: {:#?}", proof.failures);
    let [failure] = proof.failures.as_slice() else {
        panic!("expected one failure, got {:#?}", proof.failures);
    };
    assert!(
        failure.contains("`payment uses payments-db`")
            && failure.contains("no ingress rule of security group payments-db allows tcp 5432"),
        "{failure}"
    );
}

#[test]
fn a_dropped_nacl_return_entry_blocks_the_replies() {
    let (source, files) = shop();
    let (mutant, label) = without(&files, "nacls.tf", "aws_network_acl_rule", |body| {
        refers_to(body, "network_acl_id", "aws_network_acl", "data")
            && matches!(attribute(body, "egress"), Some(Expression::Bool(true)))
            && number_is(body, "from_port", 1024)
    });
    let proof = prove(&source, &mutant);
    println!("without {label}: {:#?}", proof.failures);
    assert!(!proof.failures.is_empty());
    for failure in &proof.failures {
        assert!(
            failure.contains("`payment uses payments-db`")
                && failure.contains("reply out of data[")
                && failure.contains("no entry of NACL data (egress of data[")
                && failure.contains("allows tcp 1024-65535 to 10.20."),
            "{failure}"
        );
    }
    // Both zones of the database's subnets answer both zones of payment's.
    assert_eq!(proof.failures.len(), 4, "{:#?}", proof.failures);
}

#[test]
fn an_extra_rule_on_an_unused_port_is_reported() {
    let (source, files) = shop();
    let mutant = with(
        &files,
        "security_groups.tf",
        r#"
resource "aws_vpc_security_group_ingress_rule" "payment--in-22-main" {
  security_group_id = aws_security_group.payment.id
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = "10.20.0.0/16"
}
"#,
    );
    let proof = prove(&source, &mutant);
    assert_eq!(
        proof.failures,
        [
            "aws_vpc_security_group_ingress_rule.payment--in-22-main (ingress of payment: tcp 22 from 10.20.0.0/16) serves no flow beyond what it must: no flow needs it"
        ]
    );
}

#[test]
fn a_widened_rule_is_reported() {
    let (source, files) = shop();
    let mutant = with_attribute(
        &files,
        "security_groups.tf",
        "payments-db--in-5432-payment",
        "to_port",
        "5440",
    );
    let proof = prove(&source, &mutant);
    assert_eq!(
        proof.failures,
        [
            "aws_vpc_security_group_ingress_rule.payments-db--in-5432-payment (ingress of payments-db: tcp 5432-5440 from security group payment) serves no flow beyond what it must: no flow needs ports 5433-5440"
        ]
    );
}

#[test]
fn a_deny_above_the_allow_blocks_the_flow() {
    let (source, files) = shop();
    let mutant = with(
        &files,
        "nacls.tf",
        r#"
resource "aws_network_acl_rule" "data--in-50" {
  network_acl_id = aws_network_acl.data.id
  rule_number    = 50
  egress         = false
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "10.20.96.0/19"
}
"#,
    );
    let proof = prove(&source, &mutant);
    println!("{:#?}", proof.failures);
    // The second zone of app can no longer reach the database.
    let denied: Vec<&String> = proof
        .failures
        .iter()
        .filter(|failure| failure.contains("aws_network_acl_rule.data--in-50 (rule 50 of NACL data: deny in all 0-65535 from 10.20.96.0/19) denies tcp 5432 from 10.20.96.0/19"))
        .collect();
    assert_eq!(denied.len(), 2, "{:#?}", proof.failures);
    assert!(
        denied.iter().all(
            |failure| failure.contains("request into data[") && failure.contains("from app[1]")
        )
    );
}

#[test]
fn an_extra_nacl_entry_is_reported() {
    let (source, files) = shop();
    let mutant = with(
        &files,
        "nacls.tf",
        r#"
resource "aws_network_acl_rule" "data--in-200" {
  network_acl_id = aws_network_acl.data.id
  rule_number    = 200
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.20.0.0/16"
  from_port      = 22
  to_port        = 22
}
"#,
    );
    let proof = prove(&source, &mutant);
    assert_eq!(
        proof.failures,
        [
            "aws_network_acl_rule.data--in-200 (rule 200 of NACL data: allow in tcp 22 from 10.20.0.0/16) serves no flow beyond what it must: no flow needs it"
        ]
    );
}

#[test]
fn an_unneeded_declared_entry_is_a_finding_when_meshc_warns() {
    let (source, _) = shop();
    let opening = "  allow in  tcp 25 from app                      // an opening no flow needs\n";
    let source = source.replacen(
        "  allow in  tcp 8080 from edge",
        &format!("{opening}  allow in  tcp 8080 from edge"),
        1,
    );
    let files = build("shop.mesh", &source);
    let proof = prove(&source, &files);
    assert!(proof.failures.is_empty(), "{:#?}", proof.failures);
    let [finding] = proof.findings.as_slice() else {
        panic!("expected one finding, got {:#?}", proof.findings);
    };
    assert!(
        finding.contains("NACL app-acl: allow in tcp 25 from 10.20.64.0/18), as declared: no flow needs it (meshc warns: M315"),
        "{finding}"
    );
    // The same entry, emitted without the rule that meshc warns about,
    // fails the proof.
    let (original, files) = shop();
    let mutant = with(
        &files,
        "nacls.tf",
        r#"
resource "aws_network_acl_rule" "app-acl--in-200" {
  network_acl_id = aws_network_acl.app-acl.id
  rule_number    = 200
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.20.64.0/18"
  from_port      = 25
  to_port        = 25
}
"#,
    );
    let proof = prove(&original, &mutant);
    assert_eq!(
        proof.failures,
        [
            "aws_network_acl_rule.app-acl--in-200 (rule 200 of NACL app-acl: allow in tcp 25 from 10.20.64.0/18), as declared: no flow needs it, and meshc does not warn about the rule"
        ]
    );
}

#[test]
fn a_dropped_nat_route_is_reported() {
    let (source, files) = shop();
    let (mutant, _) = without(&files, "network.tf", "aws_route", |body| {
        attribute(body, "nat_gateway_id").is_some()
    });
    let proof = prove(&source, &mutant);
    println!("{:#?}", proof.failures);
    let (routes, rest): (Vec<&String>, Vec<&String>) = proof
        .failures
        .iter()
        .partition(|failure| failure.contains("has no default route through one NAT gateway"));
    // Payment's requests to Secrets Manager, from both zones of app.
    assert_eq!(routes.len(), 2, "{:#?}", proof.failures);
    assert!(routes.iter().all(|failure| {
        failure.contains("`payment reads its database credentials from Secrets Manager`")
    }));
    // The entries of the NAT gateways' subnets now serve no flow.
    assert!(!rest.is_empty());
    assert!(
        rest.iter().all(|failure| failure.contains("of NACL edge")),
        "{rest:#?}"
    );
}

#[test]
fn a_component_moved_to_other_subnets_is_reported() {
    let (source, files) = shop();
    let mutant = with_attribute(
        &files,
        "endpoints.tf",
        "main--sqs",
        "subnet_ids",
        "aws_subnet.edge[*].id",
    );
    let proof = prove(&source, &mutant);
    assert_eq!(
        proof.failures,
        [
            r#"aws_vpc_endpoint.main--sqs carries security group main--sqs-endpoint in {"edge"}, but its flows are in {"app"}"#
        ]
    );
}
