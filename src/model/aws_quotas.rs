//! What AWS lets one system have of what meshc creates, as data: one row
//! per quota a system can be pushed over, each with its value, whether AWS
//! raises it on request, the resource meshc emits that it bounds, how AWS
//! counts it, the AWS page it is taken from, and who keeps the system
//! inside it — a check (its code), or meshc's own construction (why the
//! emitted resources never approach it).
//!
//! The checks measure what the backends emit, from the same plans they
//! read (`graph::iam`, `graph::network`, `graph::runtime`,
//! `graph::messaging`), with every deploy-time part (prefix, partition,
//! region, account, the ids AWS generates) at its longest, as the name
//! limits of [`super::aws_names`] do (`emit::deployed` renders that text).
//!
//! A quota AWS raises on request is still an error: the first deploy into a
//! new account, which has the default, fails. An account that has the
//! increase says so where the finding is, with
//! `// meshc:allow(CODE) reason: "..."`.

/// Every quota of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum QuotaKind {
    RolePolicySize,
    RoleTrustPolicySize,
    ManagedPoliciesPerRole,
    ManagedPolicySize,
    RolesPerAccount,
    SecurityGroupRules,
    SecurityGroupsPerInterface,
    SecurityGroupsPerRegion,
    NaclRules,
    InterfaceEndpointsPerVpc,
    SubnetsPerVpc,
    LambdaInterfacesPerVpc,
    VpcsPerRegion,
    ElasticIpsPerRegion,
    GatewayEndpointsPerRegion,
    LambdaEnvironmentSize,
    LambdaPolicySize,
    LambdaLayers,
    RuleTargets,
    EventPatternSize,
    RulesPerBus,
    FilterPolicyCombinations,
    FilterPolicyKeys,
    FilterPolicySize,
    FilterPoliciesPerTopic,
    QueuePolicySize,
    QueuePolicyStatements,
    QueuePolicyConditions,
    TopicPolicySize,
    TopicPolicyStatements,
    TargetGroupsPerAlb,
    RulesPerAlb,
    TargetsPerAlb,
    TargetGroupsPerAction,
    AlbsPerRegion,
    NlbsPerRegion,
    StateMachineDefinitionSize,
    TaskDefinitionSize,
    KeyPolicySize,
    BucketPolicySize,
    TemplateResources,
    TemplateParameters,
    TemplateOutputs,
    TemplateBodySize,
}

/// What a quota counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// Characters of a document, white space outside strings not counted
    /// (IAM).
    CharactersWithoutWhitespace,
    /// Characters of a document as it is sent (compact JSON).
    Characters,
    /// Bytes of a document as it is sent (compact JSON).
    Bytes,
    /// Things of a kind.
    Count,
}

impl Measure {
    /// The unit after a number: "characters", "bytes", or nothing.
    pub fn unit(self) -> &'static str {
        match self {
            Measure::CharactersWithoutWhitespace | Measure::Characters => "characters",
            Measure::Bytes => "bytes",
            Measure::Count => "",
        }
    }
}

/// Whether AWS raises a quota on request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Adjustable {
    /// A hard limit.
    No,
    /// Raised on request, to at most this.
    UpTo(u64),
    /// Raised on request (Service Quotas, or AWS Support where the quota
    /// is not in Service Quotas).
    OnRequest,
}

/// Who keeps a system inside a quota.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// A check reports a system over it: the code.
    Checked(&'static str),
    /// meshc's own construction keeps every system far inside it, or only
    /// an input far beyond any real system's would approach it: why.
    Bounded(&'static str),
}

/// One quota.
#[derive(Debug)]
pub struct Quota {
    pub kind: QuotaKind,
    /// What AWS calls it, in words that read in a message: "inline
    /// policies of an IAM role".
    pub what: &'static str,
    /// The default value.
    pub value: u64,
    /// Regions with another default value.
    pub regional: &'static [(&'static str, u64)],
    pub measure: Measure,
    pub adjustable: Adjustable,
    /// The quota code in Service Quotas, where it has one: the name of the
    /// increase to ask for.
    pub service_quota: Option<&'static str>,
    /// What the quota applies to, and how AWS counts it.
    pub counts: &'static str,
    /// The resource meshc emits that the quota bounds.
    pub bounds: &'static str,
    pub reach: Reach,
    /// The AWS documentation page the value is taken from.
    pub source: &'static str,
}

impl Quota {
    /// The value in a region (most quotas are the same everywhere).
    pub fn value_in(&self, region: &str) -> u64 {
        self.regional
            .iter()
            .find(|(name, _)| *name == region)
            .map_or(self.value, |&(_, value)| value)
    }

    /// The value as a `usize`, for comparisons with lengths.
    pub fn limit_in(&self, region: &str) -> usize {
        usize::try_from(self.value_in(region)).unwrap_or(usize::MAX)
    }

    /// How to get more, for a `help:` line: "or request an increase of
    /// Service Quotas code L-0EA8095F (up to 1,000) and say so with
    /// `// meshc:allow(M241) reason: \"...\"`", or that AWS does not raise
    /// it.
    pub fn increase(&self) -> String {
        let code = match self.reach {
            Reach::Checked(code) => code,
            Reach::Bounded(_) => "...",
        };
        let say = format!("and say so with `// meshc:allow({code}) reason: \"...\"`");
        match (self.adjustable, self.service_quota) {
            (Adjustable::No, _) => "AWS does not raise this limit".to_string(),
            (Adjustable::UpTo(most), Some(quota)) => format!(
                "or request an increase of Service Quotas code {quota} (up to {}) {say}",
                thousands(most)
            ),
            (Adjustable::UpTo(most), None) => format!(
                "or ask AWS Support to raise it (up to {}) {say}",
                thousands(most)
            ),
            (Adjustable::OnRequest, Some(quota)) => {
                format!("or request an increase of Service Quotas code {quota} {say}")
            }
            (Adjustable::OnRequest, None) => format!("or ask AWS Support to raise it {say}"),
        }
    }
}

/// `10240` as `10,240`.
pub fn thousands(number: u64) -> String {
    let digits = number.to_string();
    let mut text = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            text.push(',');
        }
        text.push(digit);
    }
    text
}

/// The quota of a kind. Every kind has a row (a unit test says so); a
/// missing one would be an internal inconsistency, answered with the first
/// row rather than a panic.
pub fn quota(kind: QuotaKind) -> &'static Quota {
    QUOTAS
        .iter()
        .find(|quota| quota.kind == kind)
        .unwrap_or(&ROW)
}

/// How many rules of a security group a reference to an AWS-managed prefix
/// list counts as: its weight (the gateway endpoints' lists weigh 1).
/// From "AWS-managed prefix lists", Amazon VPC User Guide:
/// <https://docs.aws.amazon.com/vpc/latest/userguide/working-with-aws-managed-prefix-lists.html>
pub const PREFIX_LIST_WEIGHTS: [(super::aws::AwsService, usize); 2] = [
    (super::aws::AwsService::S3, 1),
    (super::aws::AwsService::DynamoDb, 1),
];

/// The weight of the prefix list of an API's gateway endpoint.
pub fn prefix_list_weight(api: super::aws::AwsService) -> usize {
    PREFIX_LIST_WEIGHTS
        .iter()
        .find(|(service, _)| *service == api)
        .map_or(1, |&(_, weight)| weight)
}

const IAM: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html";
const VPC: &str = "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html";
const LAMBDA: &str = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html";
const EVENTBRIDGE: &str = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html";
const SNS_FILTER: &str =
    "https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html";
const SNS_POLICY: &str = "https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html";
const SQS_POLICY: &str = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-policies.html";
const ALB: &str =
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html";
const NLB: &str =
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-limits.html";
const CLOUDFORMATION: &str =
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html";

const ROW: Quota = Quota {
    kind: QuotaKind::RolePolicySize,
    what: "",
    value: 0,
    regional: &[],
    measure: Measure::Count,
    adjustable: Adjustable::No,
    service_quota: None,
    counts: "",
    bounds: "",
    reach: Reach::Bounded(""),
    source: "",
};

/// The table: one row per quota.
pub const QUOTAS: [Quota; 44] = [
    // IAM.
    Quota {
        kind: QuotaKind::RolePolicySize,
        what: "inline policies of an IAM role",
        value: 10_240,
        measure: Measure::CharactersWithoutWhitespace,
        counts: "the total of every inline policy of one role, white space not counted (CloudFormation writes a one-element list as a list, Terraform's aws_iam_policy_document as a string: CloudFormation's document is the longer)",
        bounds: "aws_iam_role_policy / AWS::IAM::RolePolicy: the one inline policy of each role (service, task execution, flow logs, rule delivery, saga)",
        reach: Reach::Checked("M240"),
        source: IAM,
        ..ROW
    },
    Quota {
        kind: QuotaKind::RoleTrustPolicySize,
        what: "trust policy of an IAM role",
        value: 2_048,
        measure: Measure::CharactersWithoutWhitespace,
        adjustable: Adjustable::UpTo(4_096),
        service_quota: Some("L-C07B4B0D"),
        counts: "the characters of the role's trust policy, white space not counted",
        bounds: "assume_role_policy / AssumeRolePolicyDocument of each role",
        reach: Reach::Bounded(
            "one statement letting one AWS service assume the role from the system's account: under 300 characters",
        ),
        source: IAM,
        ..ROW
    },
    Quota {
        kind: QuotaKind::ManagedPoliciesPerRole,
        what: "managed policies attached to an IAM role",
        value: 10,
        adjustable: Adjustable::UpTo(20),
        service_quota: Some("L-0DA4ABF3"),
        counts: "the managed policies attached to one role",
        bounds: "aws_iam_role_policy_attachment / ManagedPolicyArns",
        reach: Reach::Bounded(
            "a role has at most one AWS-managed policy (RDS enhanced monitoring's); every other grant is inline",
        ),
        source: IAM,
        ..ROW
    },
    Quota {
        kind: QuotaKind::ManagedPolicySize,
        what: "managed policy",
        value: 6_144,
        measure: Measure::CharactersWithoutWhitespace,
        counts: "the characters of one managed policy, white space not counted",
        bounds: "customer managed policies, of which meshc creates none",
        reach: Reach::Bounded("meshc creates no customer managed policy: grants are inline (M240)"),
        source: IAM,
        ..ROW
    },
    Quota {
        kind: QuotaKind::RolesPerAccount,
        what: "IAM roles of an account",
        value: 1_000,
        adjustable: Adjustable::UpTo(5_000),
        service_quota: Some("L-FE177D64"),
        counts: "the roles of the account, in every region",
        bounds: "aws_iam_role / AWS::IAM::Role: one per service, one more per Fargate service, per network with flow logs, per rule delivering to streams or sagas, per orchestrated saga and per database",
        reach: Reach::Checked("M249"),
        source: IAM,
        ..ROW
    },
    // VPC.
    Quota {
        kind: QuotaKind::SecurityGroupRules,
        what: "rules of a security group in one direction",
        value: 60,
        adjustable: Adjustable::UpTo(1_000),
        service_quota: Some("L-0EA8095F"),
        counts: "inbound and outbound IPv4 rules separately; a reference to a managed prefix list counts its weight; CloudFormation keeps one placeholder outbound rule in place of the allow-all default; the quota times the security groups per interface must stay within 1,000, and meshc gives an interface one group",
        bounds: "aws_vpc_security_group_ingress_rule, _egress_rule / AWS::EC2::SecurityGroupIngress, Egress of each security group (service, database, endpoint, load balancer, PrivateLink endpoint)",
        reach: Reach::Checked("M241"),
        source: VPC,
        ..ROW
    },
    Quota {
        kind: QuotaKind::SecurityGroupsPerInterface,
        what: "security groups of a network interface",
        value: 5,
        adjustable: Adjustable::UpTo(16),
        service_quota: Some("L-2AFB9258"),
        counts: "the groups associated with one network interface",
        bounds: "security_groups / SecurityGroups of ECS services, Lambda functions, load balancers, endpoints and databases",
        reach: Reach::Bounded(
            "every network interface meshc creates has exactly one group: its component's",
        ),
        source: VPC,
        ..ROW
    },
    Quota {
        kind: QuotaKind::SecurityGroupsPerRegion,
        what: "security groups of an account in a region",
        value: 2_500,
        adjustable: Adjustable::OnRequest,
        service_quota: Some("L-E79EC296"),
        counts: "the VPC security groups of the account in the region",
        bounds: "aws_security_group / AWS::EC2::SecurityGroup",
        reach: Reach::Checked("M249"),
        source: VPC,
        ..ROW
    },
    Quota {
        kind: QuotaKind::NaclRules,
        what: "rules of a network ACL in one direction",
        value: 20,
        adjustable: Adjustable::UpTo(40),
        service_quota: Some("L-2AEEBF1A"),
        counts: "inbound and outbound IPv4 rules separately, the default deny rule (number 32767) included",
        bounds: "aws_network_acl_rule / AWS::EC2::NetworkAclEntry of the NACL of each subnet group (derived, or the declared `nacl`)",
        reach: Reach::Checked("M242"),
        source: VPC,
        ..ROW
    },
    Quota {
        kind: QuotaKind::InterfaceEndpointsPerVpc,
        what: "interface endpoints of a VPC",
        value: 50,
        adjustable: Adjustable::OnRequest,
        counts: "interface and Gateway Load Balancer endpoints of one VPC (AWS Support raises it)",
        bounds: "aws_vpc_endpoint / AWS::EC2::VPCEndpoint of type Interface: one per endpoint service of each API in `endpoints` or used (ECR two, ECS three), and one per callee reached over PrivateLink",
        reach: Reach::Checked("M247"),
        source: VPC,
        ..ROW
    },
    Quota {
        kind: QuotaKind::SubnetsPerVpc,
        what: "subnets of a VPC",
        value: 200,
        adjustable: Adjustable::OnRequest,
        service_quota: Some("L-407747CB"),
        counts: "the subnets of one VPC",
        bounds: "aws_subnet / AWS::EC2::Subnet: one per subnet group and zone",
        reach: Reach::Checked("M247"),
        source: VPC,
        ..ROW
    },
    Quota {
        kind: QuotaKind::LambdaInterfacesPerVpc,
        what: "network interfaces Lambda creates in a VPC",
        value: 250,
        adjustable: Adjustable::OnRequest,
        counts: "Lambda's Hyperplane network interfaces in one VPC: one per distinct subnet and security group of its functions; meshc gives each function a group of its own, so one per function and zone",
        bounds: "vpc_config / VpcConfig of the Lambda functions in a network",
        reach: Reach::Checked("M247"),
        source: LAMBDA,
        ..ROW
    },
    Quota {
        kind: QuotaKind::VpcsPerRegion,
        what: "VPCs of an account in a region",
        value: 5,
        adjustable: Adjustable::OnRequest,
        service_quota: Some("L-F678F1CE"),
        counts: "the VPCs of the account in the region, its default VPC included",
        bounds: "aws_vpc / AWS::EC2::VPC: one per network",
        reach: Reach::Checked("M249"),
        source: VPC,
        ..ROW
    },
    Quota {
        kind: QuotaKind::ElasticIpsPerRegion,
        what: "Elastic IP addresses of an account in a region",
        value: 5,
        adjustable: Adjustable::OnRequest,
        service_quota: Some("L-0263D0A3"),
        counts: "the Elastic IP addresses of the account in the region",
        bounds: "aws_eip / AWS::EC2::EIP: one per NAT gateway",
        reach: Reach::Checked("M249"),
        source: VPC,
        ..ROW
    },
    Quota {
        kind: QuotaKind::GatewayEndpointsPerRegion,
        what: "gateway endpoints of an account in a region",
        value: 20,
        adjustable: Adjustable::OnRequest,
        service_quota: Some("L-1B52E74A"),
        counts: "the gateway endpoints (S3, DynamoDB) of the account in the region",
        bounds: "aws_vpc_endpoint / AWS::EC2::VPCEndpoint of type Gateway: S3 and DynamoDB, in each network that uses them",
        reach: Reach::Checked("M249"),
        source: VPC,
        ..ROW
    },
    // Lambda.
    Quota {
        kind: QuotaKind::LambdaEnvironmentSize,
        what: "environment of a Lambda function",
        value: 4_096,
        measure: Measure::Bytes,
        service_quota: Some("L-6581F036"),
        counts: "the variables of one function as one JSON object, names and values (Lambda's error quotes the string it measured: {\"NAME\":\"value\",...})",
        bounds: "environment / Environment.Variables of each Lambda function: the MESH_* runtime contract and the declared `environment`",
        reach: Reach::Checked("M243"),
        source: LAMBDA,
        ..ROW
    },
    Quota {
        kind: QuotaKind::LambdaPolicySize,
        what: "resource-based policy of a Lambda function",
        value: 20_480,
        measure: Measure::Bytes,
        counts: "the function's policy, one statement per permission (aws_lambda_permission / AWS::Lambda::Permission)",
        bounds: "the Lambda permissions of each function: one per rule, topic or load balancer that invokes it",
        reach: Reach::Checked("M246"),
        source: LAMBDA,
        ..ROW
    },
    Quota {
        kind: QuotaKind::LambdaLayers,
        what: "layers of a Lambda function",
        value: 5,
        counts: "the layers of one function",
        bounds: "layers / Layers of each Lambda function",
        reach: Reach::Bounded("meshc attaches no layer"),
        source: LAMBDA,
        ..ROW
    },
    // EventBridge.
    Quota {
        kind: QuotaKind::RuleTargets,
        what: "targets of an EventBridge rule",
        value: 5,
        counts: "the targets of one rule",
        bounds: "aws_cloudwatch_event_target / Targets of each rule; rules derived from `consumes`, saga triggers and choreography have one target each",
        reach: Reach::Checked("M408"),
        source: EVENTBRIDGE,
        ..ROW
    },
    Quota {
        kind: QuotaKind::EventPatternSize,
        what: "event pattern of an EventBridge rule",
        value: 2_048,
        measure: Measure::Characters,
        adjustable: Adjustable::UpTo(4_096),
        service_quota: Some("L-664C5505"),
        counts: "the characters of the pattern as compact JSON (Terraform's jsonencode, and CloudFormation's serialisation of EventPattern)",
        bounds: "event_pattern / EventPattern of each rule",
        reach: Reach::Checked("M244"),
        source: EVENTBRIDGE,
        ..ROW
    },
    Quota {
        kind: QuotaKind::RulesPerBus,
        what: "rules of an event bus",
        value: 300,
        regional: &[("af-south-1", 100), ("eu-south-1", 100)],
        adjustable: Adjustable::OnRequest,
        service_quota: Some("L-244521F2"),
        counts: "the rules of one event bus",
        bounds: "aws_cloudwatch_event_rule / AWS::Events::Rule on each bus (the default bus included)",
        reach: Reach::Checked("M249"),
        source: EVENTBRIDGE,
        ..ROW
    },
    // SNS.
    Quota {
        kind: QuotaKind::FilterPolicyCombinations,
        what: "combinations of an SNS filter policy",
        value: 150,
        counts: "the product of the number of values in each array of the policy, added up over the alternatives of an `$or`",
        bounds: "filter_policy / FilterPolicy of each subscription",
        reach: Reach::Checked("M245"),
        source: SNS_FILTER,
        ..ROW
    },
    Quota {
        kind: QuotaKind::FilterPolicyKeys,
        what: "keys of an SNS filter policy",
        value: 5,
        counts: "the keys of the policy that hold values (the fields tested); for an `$or`, those of its widest alternative (AWS does not say how it counts them)",
        bounds: "filter_policy / FilterPolicy of each subscription",
        reach: Reach::Checked("M245"),
        source: SNS_FILTER,
        ..ROW
    },
    Quota {
        kind: QuotaKind::FilterPolicySize,
        what: "SNS filter policy",
        value: 262_144,
        measure: Measure::Bytes,
        counts: "the bytes of the policy as compact JSON",
        bounds: "filter_policy / FilterPolicy of each subscription",
        reach: Reach::Checked("M245"),
        source: SNS_FILTER,
        ..ROW
    },
    Quota {
        kind: QuotaKind::FilterPoliciesPerTopic,
        what: "filter policies of an SNS topic",
        value: 200,
        adjustable: Adjustable::OnRequest,
        counts: "the subscriptions of one topic that have a filter policy",
        bounds: "aws_sns_topic_subscription / AWS::SNS::Subscription with a filter policy",
        reach: Reach::Checked("M245"),
        source: SNS_FILTER,
        ..ROW
    },
    // Resource policies.
    Quota {
        kind: QuotaKind::QueuePolicySize,
        what: "policy of an SQS queue",
        value: 8_192,
        measure: Measure::Bytes,
        counts: "the bytes of the queue's policy",
        bounds: "aws_sqs_queue_policy / AWS::SQS::QueuePolicy: the TLS-only statement and one statement per AWS service that delivers to the queue, naming each of its rules or topics (a bus's undelivered queue: every rule on the bus, about 128 bytes each)",
        reach: Reach::Checked("M246"),
        source: SQS_POLICY,
        ..ROW
    },
    Quota {
        kind: QuotaKind::QueuePolicyStatements,
        what: "statements of an SQS queue's policy",
        value: 20,
        counts: "the statements of the queue's policy",
        bounds: "aws_sqs_queue_policy / AWS::SQS::QueuePolicy",
        reach: Reach::Bounded(
            "a queue's policy has the TLS-only statement and one statement per AWS service that delivers to it (EventBridge, SNS): at most three",
        ),
        source: SQS_POLICY,
        ..ROW
    },
    Quota {
        kind: QuotaKind::QueuePolicyConditions,
        what: "conditions of an SQS queue's policy",
        value: 10,
        counts: "the conditions of the queue's policy, one per statement",
        bounds: "aws_sqs_queue_policy / AWS::SQS::QueuePolicy",
        reach: Reach::Bounded(
            "each statement of a queue's policy has one condition, and there are at most three statements: one statement per source would go over at the tenth source",
        ),
        source: SQS_POLICY,
        ..ROW
    },
    Quota {
        kind: QuotaKind::TopicPolicySize,
        what: "policy of an SNS topic",
        value: 30_720,
        measure: Measure::Bytes,
        counts: "the bytes of the topic's policy",
        bounds: "aws_sns_topic_policy / AWS::SNS::TopicPolicy: the TLS-only statement and one statement per AWS service that delivers to the topic, naming each of its rules",
        reach: Reach::Checked("M246"),
        source: SNS_POLICY,
        ..ROW
    },
    Quota {
        kind: QuotaKind::TopicPolicyStatements,
        what: "statements of an SNS topic's policy",
        value: 100,
        counts: "the statements of the topic's policy",
        bounds: "aws_sns_topic_policy / AWS::SNS::TopicPolicy",
        reach: Reach::Bounded(
            "a topic's policy has the TLS-only statement and one statement per AWS service that delivers to it (EventBridge, CloudWatch): at most three",
        ),
        source: SNS_POLICY,
        ..ROW
    },
    Quota {
        kind: QuotaKind::KeyPolicySize,
        what: "policy of a KMS key",
        value: 32_768,
        measure: Measure::Bytes,
        counts: "the bytes of the key policy",
        bounds: "aws_kms_key policy / AWS::KMS::Key KeyPolicy of the system key",
        reach: Reach::Bounded("four fixed statements, whatever the system: about 2 KB"),
        source: "https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html",
        ..ROW
    },
    Quota {
        kind: QuotaKind::BucketPolicySize,
        what: "policy of an S3 bucket",
        value: 20_480,
        measure: Measure::Bytes,
        counts: "the bytes of the bucket policy",
        bounds: "aws_s3_bucket_policy / AWS::S3::BucketPolicy of the access-log bucket",
        reach: Reach::Bounded("two fixed statements, whatever the system: under 1 KB"),
        source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html",
        ..ROW
    },
    // Elastic Load Balancing.
    Quota {
        kind: QuotaKind::TargetGroupsPerAlb,
        what: "target groups of an Application Load Balancer",
        value: 100,
        counts: "the target groups one load balancer forwards to",
        bounds: "aws_lb_target_group / AWS::ElasticLoadBalancingV2::TargetGroup: one per service behind the load balancer",
        reach: Reach::Checked("M248"),
        source: ALB,
        ..ROW
    },
    Quota {
        kind: QuotaKind::RulesPerAlb,
        what: "listener rules of an Application Load Balancer",
        value: 100,
        adjustable: Adjustable::OnRequest,
        service_quota: Some("L-7EED9B64"),
        counts: "the rules of all listeners of one load balancer, default rules not counted",
        bounds: "aws_lb_listener_rule / AWS::ElasticLoadBalancingV2::ListenerRule: one per service exposed with a `path`",
        reach: Reach::Checked("M248"),
        source: ALB,
        ..ROW
    },
    Quota {
        kind: QuotaKind::TargetsPerAlb,
        what: "targets of an Application Load Balancer",
        value: 1_000,
        adjustable: Adjustable::OnRequest,
        service_quota: Some("L-7E6692B2"),
        counts: "the targets registered behind one load balancer: each task of a Fargate service, each Lambda function",
        bounds: "the ECS services (desired count) and Lambda functions behind each load balancer",
        reach: Reach::Checked("M248"),
        source: ALB,
        ..ROW
    },
    Quota {
        kind: QuotaKind::TargetGroupsPerAction,
        what: "target groups of a listener action",
        value: 5,
        counts: "the target groups one forward action names",
        bounds: "the actions of listeners and listener rules",
        reach: Reach::Bounded("every action forwards to one target group"),
        source: ALB,
        ..ROW
    },
    Quota {
        kind: QuotaKind::AlbsPerRegion,
        what: "Application Load Balancers of an account in a region",
        value: 50,
        adjustable: Adjustable::OnRequest,
        service_quota: Some("L-53DA6B97"),
        counts: "the Application Load Balancers of the account in the region",
        bounds: "aws_lb / AWS::ElasticLoadBalancingV2::LoadBalancer of type application: at most an internet-facing and an internal one per network",
        reach: Reach::Checked("M249"),
        source: ALB,
        ..ROW
    },
    Quota {
        kind: QuotaKind::NlbsPerRegion,
        what: "Network Load Balancers of an account in a region",
        value: 50,
        adjustable: Adjustable::OnRequest,
        service_quota: Some("L-69A177A2"),
        counts: "the Network Load Balancers of the account in the region",
        bounds: "aws_lb / AWS::ElasticLoadBalancingV2::LoadBalancer of type network: one per service exposed with `nlb` or called over PrivateLink",
        reach: Reach::Checked("M249"),
        source: NLB,
        ..ROW
    },
    // Step Functions, ECS.
    Quota {
        kind: QuotaKind::StateMachineDefinitionSize,
        what: "definition of a state machine",
        value: 1_048_576,
        measure: Measure::Bytes,
        counts: "the bytes of the Amazon States Language definition",
        bounds: "stepfunctions/SAGA.asl.json, the definition of each orchestrated saga's state machine",
        reach: Reach::Bounded(
            "a step adds about 2 KB of states (task, retry, catch, compensation): about 10 KB in the examples, 1 MB would take some 500 steps",
        ),
        source: "https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html",
        ..ROW
    },
    Quota {
        kind: QuotaKind::TaskDefinitionSize,
        what: "ECS task definition",
        value: 65_536,
        measure: Measure::Bytes,
        counts: "the bytes of the task definition",
        bounds: "aws_ecs_task_definition / AWS::ECS::TaskDefinition of each Fargate service: one container",
        reach: Reach::Bounded(
            "one container, whose environment is the MESH_* contract (about 100 bytes a relation) and the declared `environment`: about 2 KB in the examples, 64 KiB would take some 600 relations or kilobytes of declared values",
        ),
        source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html",
        ..ROW
    },
    // CloudFormation.
    Quota {
        kind: QuotaKind::TemplateResources,
        what: "resources of a CloudFormation stack",
        value: 500,
        counts: "the resources of the template",
        bounds: "cloudformation/template.json",
        reach: Reach::Checked("M230"),
        source: CLOUDFORMATION,
        ..ROW
    },
    Quota {
        kind: QuotaKind::TemplateParameters,
        what: "parameters of a CloudFormation template",
        value: 200,
        counts: "the parameters of the template",
        bounds: "cloudformation/template.json",
        reach: Reach::Checked("M230"),
        source: CLOUDFORMATION,
        ..ROW
    },
    Quota {
        kind: QuotaKind::TemplateOutputs,
        what: "outputs of a CloudFormation template",
        value: 200,
        counts: "the outputs of the template",
        bounds: "cloudformation/template.json",
        reach: Reach::Checked("M230"),
        source: CLOUDFORMATION,
        ..ROW
    },
    Quota {
        kind: QuotaKind::TemplateBodySize,
        what: "CloudFormation template",
        value: 1_000_000,
        measure: Measure::Bytes,
        counts: "the bytes of the template file as written (through S3; 51,200 inline)",
        bounds: "cloudformation/template.json",
        reach: Reach::Checked("M230"),
        source: CLOUDFORMATION,
        ..ROW
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_one_row_with_a_source() {
        let mut kinds: Vec<QuotaKind> = QUOTAS.iter().map(|quota| quota.kind).collect();
        kinds.sort();
        kinds.dedup();
        assert_eq!(kinds.len(), QUOTAS.len(), "a kind has two rows");
        for row in &QUOTAS {
            assert!(row.source.starts_with("https://docs.aws.amazon.com/"));
            assert!(row.value > 0 && !row.what.is_empty() && !row.bounds.is_empty());
            assert_eq!(quota(row.kind).kind, row.kind);
            if let Reach::Bounded(why) = row.reach {
                assert!(!why.is_empty());
            }
        }
    }

    #[test]
    fn regional_values_and_numbers() {
        let rules = quota(QuotaKind::RulesPerBus);
        assert_eq!(rules.value_in("us-east-1"), 300);
        assert_eq!(rules.value_in("eu-south-1"), 100);
        assert_eq!(thousands(10_240), "10,240");
        assert_eq!(thousands(150), "150");
        assert_eq!(thousands(1_048_576), "1,048,576");
    }
}
