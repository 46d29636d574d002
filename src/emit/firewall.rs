//! What both infrastructure backends say about security groups and NACLs:
//! the labels of rules, the descriptions AWS accepts, the numbered entries
//! of a NACL (declared, or derived by the network plan), and the checks of
//! checkov that an entry from anywhere on a port range trips; the TLS policy
//! of HTTPS listeners, the managed rules of web ACLs, and the actions of
//! the system key's policy.

use crate::emit::names;
use crate::graph::network::{Guarded, NaclLine, Plan, SecurityGroup, SgPeer, SgRule};
use crate::model::{Cidr, PortRange, System};
use crate::vocabulary::Protocol;

/// `tcp`, `udp`, `icmp` or `-1`, as the AWS provider writes protocols.
pub fn protocol_name(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Tcp => "tcp",
        Protocol::Udp => "udp",
        Protocol::Icmp => "icmp",
        Protocol::All => "-1",
    }
}

pub fn ports_label(ports: PortRange) -> String {
    if ports.from == ports.to {
        ports.from.to_string()
    } else {
        format!("{}-{}", ports.from, ports.to)
    }
}

pub fn cidr_label(cidr: Cidr) -> String {
    if cidr == Cidr::anywhere() {
        "anywhere".to_string()
    } else {
        cidr.to_string().replace(['.', '/'], "-")
    }
}

pub fn peer_label(system: &System, peer: SgPeer) -> String {
    match peer {
        SgPeer::Group(group) => names::guarded(system, group),
        SgPeer::Cidr(cidr) => cidr_label(cidr),
        SgPeer::PrefixList(_, api) => format!("{}-prefix-list", api.mesh_name()),
        SgPeer::Declared(egress) => egress
            .prefix_list(system)
            .unwrap_or("prefix-list")
            .to_string(),
    }
}

/// The outbound rule CloudFormation gives every security group in place of
/// the allow-all default AWS would add (Terraform's provider removes the
/// default instead): all protocols to the loopback address, which reaches
/// nothing.
pub const PLACEHOLDER_EGRESS_CIDR: &str = "127.0.0.1/32";

/// The rules AWS counts against the quota of rules per group in one
/// direction, on the backend that writes the most (CloudFormation, with
/// its placeholder outbound rule, counted first as `None`), each with its
/// weight: one, or a referenced prefix list's weight.
pub fn counted_rules(group: &SecurityGroup, inbound: bool) -> Vec<(Option<&SgRule>, usize)> {
    let weight = |rule: &SgRule| match rule.peer {
        SgPeer::PrefixList(_, api) => crate::model::aws_quotas::prefix_list_weight(api),
        // A declared prefix list counts as its maximum entries, which only
        // its owner knows: one here (docs/language.md says so).
        SgPeer::Group(_) | SgPeer::Cidr(_) | SgPeer::Declared(_) => 1,
    };
    let rules = if inbound {
        &group.ingress
    } else {
        &group.egress
    };
    let placeholder = (!inbound).then_some((None, 1));
    placeholder
        .into_iter()
        .chain(rules.iter().map(|rule| (Some(rule), weight(rule))))
        .collect()
}

/// The description of a security group: what it guards.
pub fn group_description(system: &System, group: &SecurityGroup) -> String {
    match group.owner {
        Guarded::Service(_) | Guarded::Database(_) => {
            let kind = if matches!(group.owner, Guarded::Service(_)) {
                "service"
            } else {
                "database"
            };
            format!("The {kind} {}", names::guarded(system, group.owner))
        }
        Guarded::Endpoint(_, api) => format!("The {} interface endpoint", api.mesh_name()),
        Guarded::LoadBalancer(_) => format!(
            "The load balancer {}",
            names::physical(&names::guarded(system, group.owner))
        ),
        Guarded::PrivateLink { .. } => {
            format!(
                "The PrivateLink endpoint {}",
                names::physical(&names::guarded(system, group.owner))
            )
        }
    }
}

/// A rule description in the characters AWS accepts there.
pub fn description(text: &str) -> String {
    let allowed = |ch: char| ch.is_ascii_alphanumeric() || " ._-:/()#,@[]+=&;{}!$*".contains(ch);
    let cleaned: String = text
        .chars()
        .map(|ch| if allowed(ch) { ch } else { ' ' })
        .collect();
    cleaned.chars().take(255).collect()
}

/// Why an entry with an ingress from anywhere on the ephemeral ports is
/// acceptable, for the checkov rules that flag ports 20, 21, 22 and 3389.
pub const EPHEMERAL_FROM_ANYWHERE: &str = "replies to connections the subnet opens (NAT, gateway endpoints) arrive on the ephemeral ports from any address; NACLs are stateless and cannot match replies, and the stateful security groups admit no such inbound connections";

/// The checkov checks that flag a NACL entry allowing a port from anywhere:
/// (check, port).
pub const OPEN_PORT_CHECKS: [(&str, u16); 4] = [
    ("CKV_AWS_229", 21),
    ("CKV_AWS_230", 20),
    ("CKV_AWS_231", 3389),
    ("CKV_AWS_232", 22),
];

impl NaclLine {
    /// The checks of [`OPEN_PORT_CHECKS`] an entry trips: an ingress allowed
    /// from anywhere on a range that holds the check's port.
    pub fn open_port_checks(&self) -> Vec<&'static str> {
        if !(self.allow && !self.egress && self.cidr == Cidr::anywhere()) {
            return Vec::new();
        }
        OPEN_PORT_CHECKS
            .iter()
            .filter(|(_, port)| {
                self.protocol == Protocol::All
                    || (self.protocol == Protocol::Tcp
                        && self.ports.from <= *port
                        && *port <= self.ports.to)
            })
            .map(|(check, _)| *check)
            .collect()
    }
}

/// The TLS policy of HTTPS listeners: TLS 1.3, and 1.2 for older clients.
pub const TLS_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/// The AWS managed rule groups of the web ACL: the common rule set, known
/// bad inputs (`Log4Shell` among them) and Amazon's IP reputation list.
pub const MANAGED_RULES: [&str; 3] = [
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
];

/// What the account may do to the system's KMS key: administer it.
pub const KMS_ADMINISTER: [&str; 22] = [
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:CreateGrant",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:RetireGrant",
    "kms:RevokeGrant",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
];

/// What the account may do with the key through IAM: use it.
pub const KMS_USE: [&str; 7] = [
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
];

/// What CloudWatch Logs may do with the key for the system's log groups.
pub const KMS_LOGS: [&str; 6] = [
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
];

/// The key policy statements that let AWS services deliver messages to the
/// system's encrypted queues and topics: (sid, service principals, whether
/// the statement asks for `aws:SourceAccount`). EventBridge's requests to
/// KMS carry no `aws:SourceAccount`, `aws:SourceArn` or `aws:SourceOrgID`:
/// the SNS Developer Guide ("Enable compatibility between event sources
/// from AWS services and encrypted topics") says such a condition is not
/// supported for EventBridge, so a statement with one would fail every
/// delivery of a rule to an encrypted target, which only the rule's
/// `FailedInvocations` metric shows. Its grant is scoped by the principal,
/// and by the queue and topic policies, which name each rule.
pub const KEY_DELIVERIES: [(&str, &[&str], bool); 2] = [
    (
        "EventBridgeDeliversEncryptedEvents",
        &["events.amazonaws.com"],
        false,
    ),
    (
        "ServicesDeliverEncryptedMessages",
        &["sns.amazonaws.com"],
        true,
    ),
];

/// The key policy statement that lets the system's alarms notify their
/// encrypted topic (SNS Developer Guide, "Enable compatibility between
/// event sources from AWS services and encrypted topics", step 2, whose
/// statement this is): without it CloudWatch cannot publish, and an alarm
/// that fires tells no one. The topic's policy names the alarms.
pub const KEY_ALARMS: (&str, &[&str], bool) = (
    "CloudWatchNotifiesEncryptedAlarms",
    &["cloudwatch.amazonaws.com"],
    false,
);

/// The key policy statement a state machine encrypted with the system key
/// needs for its logs to be delivered: (sid, actions, service principal).
/// CloudWatch Logs' delivery service reads the encrypted execution data it
/// delivers (Step Functions Developer Guide, "Data at rest encryption",
/// step 3, whose statement this is, without a condition: the guide names
/// none that log delivery sends).
pub const STATE_MACHINE_LOGS: (&str, [&str; 1], &str) = (
    "LogDeliveryReadsStateMachineExecutions",
    ["kms:Decrypt"],
    "delivery.logs.amazonaws.com",
);

/// Why checkov's `CKV_AWS_260` (port 80 open to the internet) does not apply
/// to an ingress rule, when it does not: the rule lets anyone reach an
/// internet-facing load balancer on a range that includes port 80, which is
/// what the load balancer is for.
pub fn open_port_80_reason(
    network: &Plan,
    owner: Guarded,
    ingress: bool,
    rule: &SgRule,
) -> Option<&'static str> {
    let (true, SgPeer::Cidr(cidr), Guarded::LoadBalancer(balancer)) = (ingress, rule.peer, owner)
    else {
        return None;
    };
    let public = network
        .load_balancer(balancer)
        .filter(|found| found.public)?;
    if cidr != Cidr::anywhere() || !(rule.ports.from <= 80 && 80 <= rule.ports.to) {
        return None;
    }
    let redirect = public
        .listeners
        .iter()
        .any(|listener| listener.port == rule.ports.from && listener.redirect_to_https);
    Some(if redirect {
        "the internet-facing load balancer's HTTP listener only redirects to HTTPS"
    } else {
        "the service is exposed to the internet as declared; meshc warns when a public listener has no TLS certificate"
    })
}
