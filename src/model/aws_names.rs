//! What AWS accepts as the name of each kind of resource meshc creates, as
//! data: one row per kind of name, each citing the AWS page it is taken
//! from, and the one function that fits a name to its row.
//!
//! A physical name is made of parts fixed by meshc (`/aws/lambda/`,
//! `.fifo`), parts chosen at deploy time (the name prefix, the account id,
//! the region, a zone's index) and one part that comes from declarations
//! (the base name of `emit::names`). [`fit`] checks the whole name, with
//! every deploy-time part at its longest, against the row of its kind. A
//! name that fits is kept exactly as it is; one that does not is shortened
//! deterministically to a readable head and a hash of the full text, so
//! that the same declarations always give the same name and no build emits
//! a name AWS would reject. The prefix is a deploy-time input and
//! CloudFormation has no hash function, so this happens at build time, for
//! the longest prefix the variable and the parameter accept.
//!
//! Where the Terraform AWS provider checks a name more strictly than AWS
//! itself (it refuses upper case in RDS identifiers, which AWS would store
//! in lower case), the row holds the stricter rule: `terraform plan` would
//! refuse the name before AWS sees it. Rows were cross-checked with the
//! `maxLength` and `pattern` of the name property in cfn-lint's registry
//! schemas (`cfnlint/data/schemas`) and with the provider's validation
//! functions.

/// The longest name prefix a deployment may choose (`var.name_prefix`,
/// the `NamePrefix` parameter).
pub const PREFIX_MAX: usize = 20;

/// The prefix the limits are checked with: the longest allowed. Only its
/// length matters; every prefix the rules below accept is made of the
/// characters every prefixed row allows, never ends with a dash and never
/// starts a reserved word.
pub const LONGEST_PREFIX: &str = "abcdefghijklmnopqrst";

/// An AWS account id: always 12 digits.
pub const ACCOUNT_ID: &str = "123456789012";

/// The longest region code of any partition (`us-isof-south-1`, 15
/// characters), from the region lists of the AWS SDKs' `partitions.json`
/// and of cfn-lint's per-region schemas. A template deploys to whatever
/// region its stack is in, so names count the longest.
pub const LONGEST_REGION: &str = "us-isof-south-1";

/// The largest index of a counted resource (a zone): a region has at most
/// six zones, so two digits is more than any index needs.
pub const LONGEST_INDEX: &str = "99";

/// What a prefix is: 1 to [`PREFIX_MAX`] lower-case letters, digits and
/// single dashes, starting with a letter and ending with a letter or digit
/// (a dash at the end or two in a row would make RDS identifiers, which
/// allow neither, invalid). RE2 syntax, which Terraform's `regex` uses.
pub const PREFIX_SHAPE: &str = "^[a-z](-?[a-z0-9])*$";

/// Words a prefix must not be (or start, followed by a dash), because a name
/// that starts with the prefix would then start with a word AWS reserves:
/// `internal-` for load balancers, `sg-` for security groups, `sthree-` and
/// `amzn-s3-demo-` for S3 buckets (`xn--` is ruled out by the shape).
pub const PREFIX_RESERVED: [&str; 6] = ["internal", "sg", "sthree", "amzn-s3-demo", "aws", "ssm"];

/// The reserved words as one RE2 pattern that a prefix must not match.
pub fn prefix_reserved_pattern() -> String {
    format!("^({})(-|$)", PREFIX_RESERVED.join("|"))
}

/// The whole prefix rule as one Java pattern, with a lookahead for the
/// reserved words (CloudFormation's `AllowedPattern` is a Java regular
/// expression); the length is the parameter's `MaxLength`.
pub fn prefix_pattern_with_lookahead() -> String {
    format!(
        "^(?!({})(-|$)){}",
        PREFIX_RESERVED.join("|"),
        PREFIX_SHAPE.trim_start_matches('^')
    )
}

/// Why a prefix is not one the variable and the parameter accept.
pub fn prefix_violation(prefix: &str) -> Option<String> {
    let mut chars = prefix.chars();
    let shaped = chars.next().is_some_and(|first| first.is_ascii_lowercase())
        && prefix
            .chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
        && !prefix.contains("--")
        && !prefix.ends_with('-');
    if !shaped {
        return Some(format!("`{prefix}` is not of the shape {PREFIX_SHAPE}"));
    }
    if prefix.len() > PREFIX_MAX {
        return Some(format!("`{prefix}` is longer than {PREFIX_MAX} characters"));
    }
    PREFIX_RESERVED
        .iter()
        .find(|word| prefix == **word || prefix.starts_with(&format!("{word}-")))
        .map(|word| format!("`{prefix}` starts with the reserved word `{word}`"))
}

/// Every kind of name meshc gives an AWS resource (or a part of one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NameKind {
    LoadBalancer,
    TargetGroup,
    IamRole,
    IamRolePolicy,
    EventRule,
    EventTarget,
    EventBus,
    EventArchive,
    SchemaRegistry,
    Schema,
    MessageGroup,
    Queue,
    Topic,
    Stream,
    StreamConsumer,
    Table,
    TableIndex,
    DbInstance,
    DbCluster,
    DbSnapshot,
    DbSubnetGroup,
    DbParameterGroup,
    DbClusterParameterGroup,
    EcsCluster,
    EcsService,
    TaskFamily,
    Container,
    ServiceConnect,
    Namespace,
    DiscoveryService,
    LogGroup,
    Function,
    FunctionPermission,
    StateMachine,
    Bucket,
    Secret,
    Parameter,
    KmsAlias,
    SecurityGroup,
    WebAcl,
    WebAclMetric,
    SigningProfile,
    Repository,
    Alarm,
    NameTag,
}

impl NameKind {
    pub const ALL: [NameKind; 45] = [
        NameKind::LoadBalancer,
        NameKind::TargetGroup,
        NameKind::IamRole,
        NameKind::IamRolePolicy,
        NameKind::EventRule,
        NameKind::EventTarget,
        NameKind::EventBus,
        NameKind::EventArchive,
        NameKind::SchemaRegistry,
        NameKind::Schema,
        NameKind::MessageGroup,
        NameKind::Queue,
        NameKind::Topic,
        NameKind::Stream,
        NameKind::StreamConsumer,
        NameKind::Table,
        NameKind::TableIndex,
        NameKind::DbInstance,
        NameKind::DbCluster,
        NameKind::DbSnapshot,
        NameKind::DbSubnetGroup,
        NameKind::DbParameterGroup,
        NameKind::DbClusterParameterGroup,
        NameKind::EcsCluster,
        NameKind::EcsService,
        NameKind::TaskFamily,
        NameKind::Container,
        NameKind::ServiceConnect,
        NameKind::Namespace,
        NameKind::DiscoveryService,
        NameKind::LogGroup,
        NameKind::Function,
        NameKind::FunctionPermission,
        NameKind::StateMachine,
        NameKind::Bucket,
        NameKind::Secret,
        NameKind::Parameter,
        NameKind::KmsAlias,
        NameKind::SecurityGroup,
        NameKind::WebAcl,
        NameKind::WebAclMetric,
        NameKind::SigningProfile,
        NameKind::Repository,
        NameKind::Alarm,
        NameKind::NameTag,
    ];

    /// The row of this kind.
    pub fn rule(self) -> Option<&'static NameRule> {
        NAME_RULES.iter().find(|rule| rule.kind == self)
    }
}

/// What the first or last character of a name may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edge {
    Any,
    Letter,
    LetterOrDigit,
    NotHyphen,
    NotDigit,
}

impl Edge {
    fn allows(self, ch: char) -> bool {
        match self {
            Edge::Any => true,
            Edge::Letter => ch.is_ascii_alphabetic(),
            Edge::LetterOrDigit => ch.is_ascii_alphanumeric(),
            Edge::NotHyphen => ch != '-',
            Edge::NotDigit => !ch.is_ascii_digit(),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Edge::Any => "any character",
            Edge::Letter => "a letter",
            Edge::LetterOrDigit => "a letter or digit",
            Edge::NotHyphen => "anything but a hyphen",
            Edge::NotDigit => "anything but a digit",
        }
    }
}

/// AWS's rule for one kind of name.
#[derive(Debug)]
pub struct NameRule {
    pub kind: NameKind,
    /// What AWS calls it, for messages.
    pub what: &'static str,
    /// The fewest and most characters, `.fifo` and every other part
    /// included.
    pub length: (usize, usize),
    /// Letters must be lower case.
    pub lower_case: bool,
    /// The characters allowed besides ASCII letters and digits.
    pub punctuation: &'static str,
    pub first: Edge,
    pub last: Edge,
    /// Two hyphens in a row are refused.
    pub no_double_hyphen: bool,
    /// Punctuation only ever stands alone between letters or digits.
    pub lone_punctuation: bool,
    /// The longest DNS label (the text between dots), for DNS names.
    pub label: Option<usize>,
    /// Text every name of the kind starts with (`alias/`).
    pub start: &'static str,
    /// Endings allowed outside the character set (`.fifo`).
    pub endings: &'static [&'static str],
    pub reserved_starts: &'static [&'static str],
    pub reserved_ends: &'static [&'static str],
    /// Whole names AWS refuses (compared without regard to case).
    pub reserved_names: &'static [&'static str],
    /// Whether meshc may shorten a name of this kind. A name the runtime
    /// contract fixes (an index a service queries by name) is refused with
    /// a located diagnostic instead (M209).
    pub shortened: bool,
    /// The AWS documentation page the rule is taken from.
    pub source: &'static str,
}

const BASE: NameRule = NameRule {
    kind: NameKind::NameTag,
    what: "",
    length: (1, 0),
    lower_case: false,
    punctuation: "-",
    first: Edge::Any,
    last: Edge::Any,
    no_double_hyphen: false,
    lone_punctuation: false,
    label: None,
    start: "",
    endings: &[],
    reserved_starts: &[],
    reserved_ends: &[],
    reserved_names: &[],
    shortened: true,
    source: "",
};

/// RDS identifiers: letters, digits and hyphens, a letter first, no hyphen
/// last, never two in a row.
const RDS_IDENTIFIER: NameRule = NameRule {
    punctuation: "-",
    first: Edge::Letter,
    last: Edge::NotHyphen,
    no_double_hyphen: true,
    ..BASE
};

/// The table: one row per kind of name meshc emits.
pub const NAME_RULES: [NameRule; 45] = [
    NameRule {
        kind: NameKind::LoadBalancer,
        what: "load balancer name",
        length: (1, 32),
        first: Edge::LetterOrDigit,
        last: Edge::LetterOrDigit,
        reserved_starts: &["internal-"],
        source: "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html",
        ..BASE
    },
    NameRule {
        kind: NameKind::TargetGroup,
        what: "target group name",
        length: (1, 32),
        first: Edge::LetterOrDigit,
        last: Edge::LetterOrDigit,
        source: "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html",
        ..BASE
    },
    NameRule {
        kind: NameKind::IamRole,
        what: "IAM role name",
        length: (1, 64),
        punctuation: "_+=,.@-",
        source: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
        ..BASE
    },
    NameRule {
        kind: NameKind::IamRolePolicy,
        what: "IAM inline policy name",
        length: (1, 128),
        punctuation: "_+=,.@-",
        source: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html",
        ..BASE
    },
    NameRule {
        kind: NameKind::EventRule,
        what: "EventBridge rule name",
        length: (1, 64),
        punctuation: "._-",
        source: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html",
        ..BASE
    },
    NameRule {
        kind: NameKind::EventTarget,
        what: "EventBridge target id",
        length: (1, 64),
        punctuation: "._-",
        source: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html",
        ..BASE
    },
    NameRule {
        kind: NameKind::EventBus,
        what: "EventBridge event bus name",
        length: (1, 256),
        punctuation: "/._-",
        reserved_starts: &["aws."],
        reserved_names: &["default"],
        source: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html",
        ..BASE
    },
    NameRule {
        kind: NameKind::EventArchive,
        what: "EventBridge archive name",
        length: (1, 48),
        punctuation: "._-",
        source: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateArchive.html",
        ..BASE
    },
    // The API reference gives no limit; the AWS provider checks 1 to 64
    // characters (`aws_schemas_registry`).
    NameRule {
        kind: NameKind::SchemaRegistry,
        what: "EventBridge schema registry name",
        length: (1, 64),
        punctuation: "._-",
        reserved_starts: &["aws."],
        source: "https://docs.aws.amazon.com/eventbridge/latest/schema-reference/v1-registries-name-registryname.html",
        ..BASE
    },
    // The AWS provider checks 1 to 385 characters that do not start with
    // a digit (`aws_schemas_schema`).
    NameRule {
        kind: NameKind::Schema,
        what: "EventBridge schema name",
        length: (1, 385),
        punctuation: "._@-",
        first: Edge::NotDigit,
        source: "https://docs.aws.amazon.com/eventbridge/latest/schema-reference/v1-registries-name-registryname-schemas-name-schemaname.html",
        ..BASE
    },
    // The group of the messages a rule sends to a FIFO queue (the rule's
    // SqsParameters, https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_SqsParameters.html).
    NameRule {
        kind: NameKind::MessageGroup,
        what: "SQS message group id",
        length: (1, 128),
        punctuation: "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
        source: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html",
        ..BASE
    },
    NameRule {
        kind: NameKind::Queue,
        what: "SQS queue name",
        length: (1, 80),
        punctuation: "_-",
        endings: &[".fifo"],
        source: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html",
        ..BASE
    },
    NameRule {
        kind: NameKind::Topic,
        what: "SNS topic name",
        length: (1, 256),
        punctuation: "_-",
        endings: &[".fifo"],
        source: "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html",
        ..BASE
    },
    NameRule {
        kind: NameKind::Stream,
        what: "Kinesis stream name",
        length: (1, 128),
        punctuation: "_.-",
        source: "https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html",
        ..BASE
    },
    NameRule {
        kind: NameKind::StreamConsumer,
        what: "Kinesis stream consumer name",
        length: (1, 128),
        punctuation: "_.-",
        source: "https://docs.aws.amazon.com/kinesis/latest/APIReference/API_RegisterStreamConsumer.html",
        ..BASE
    },
    NameRule {
        kind: NameKind::Table,
        what: "DynamoDB table name",
        length: (3, 255),
        punctuation: "_.-",
        source: "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html",
        ..BASE
    },
    // The services of the system query an index by its declared name, so
    // it is never shortened: the model refuses one AWS would (M209).
    NameRule {
        kind: NameKind::TableIndex,
        what: "DynamoDB index name",
        length: (3, 255),
        punctuation: "_.-",
        shortened: false,
        source: "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GlobalSecondaryIndex.html",
        ..BASE
    },
    // AWS stores identifiers in lower case; the AWS provider refuses upper
    // case (`validIdentifier`).
    NameRule {
        kind: NameKind::DbInstance,
        what: "RDS DB instance identifier",
        length: (1, 63),
        lower_case: true,
        source: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.Constraints",
        ..RDS_IDENTIFIER
    },
    NameRule {
        kind: NameKind::DbCluster,
        what: "RDS DB cluster identifier",
        length: (1, 63),
        lower_case: true,
        source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html",
        ..RDS_IDENTIFIER
    },
    NameRule {
        kind: NameKind::DbSnapshot,
        what: "RDS final snapshot identifier",
        length: (1, 255),
        source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSnapshot.html",
        ..RDS_IDENTIFIER
    },
    // AWS stores the name in lower case; the AWS provider refuses upper
    // case (`validSubnetGroupName`).
    NameRule {
        kind: NameKind::DbSubnetGroup,
        what: "RDS DB subnet group name",
        length: (1, 255),
        lower_case: true,
        punctuation: "_ .-",
        first: Edge::Letter,
        reserved_names: &["default"],
        source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html",
        ..BASE
    },
    // AWS stores the name in lower case; the AWS provider refuses upper
    // case (`validParamGroupName`).
    NameRule {
        kind: NameKind::DbParameterGroup,
        what: "RDS DB parameter group name",
        length: (1, 255),
        lower_case: true,
        source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBParameterGroup.html",
        ..RDS_IDENTIFIER
    },
    NameRule {
        kind: NameKind::DbClusterParameterGroup,
        what: "RDS DB cluster parameter group name",
        length: (1, 255),
        lower_case: true,
        source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBClusterParameterGroup.html",
        ..RDS_IDENTIFIER
    },
    NameRule {
        kind: NameKind::EcsCluster,
        what: "ECS cluster name",
        length: (1, 255),
        punctuation: "_-",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html",
        ..BASE
    },
    NameRule {
        kind: NameKind::EcsService,
        what: "ECS service name",
        length: (1, 255),
        punctuation: "_-",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html",
        ..BASE
    },
    NameRule {
        kind: NameKind::TaskFamily,
        what: "ECS task definition family",
        length: (1, 255),
        punctuation: "_-",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html",
        ..BASE
    },
    NameRule {
        kind: NameKind::Container,
        what: "ECS container name",
        length: (1, 255),
        punctuation: "_-",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html",
        ..BASE
    },
    // One name is both the discovery name (64 characters) and the client
    // alias (127 characters, also `.`) that callers use: the stricter of
    // the two (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceConnectClientAlias.html).
    NameRule {
        kind: NameKind::ServiceConnect,
        what: "ECS Service Connect discovery name",
        length: (1, 64),
        lower_case: true,
        punctuation: "_-",
        first: Edge::NotHyphen,
        source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceConnectService.html",
        ..BASE
    },
    // A private DNS namespace is a Route 53 hosted zone: labels of at most
    // 63 characters (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html).
    NameRule {
        kind: NameKind::Namespace,
        what: "Cloud Map namespace name",
        length: (1, 253),
        punctuation: "_.-",
        first: Edge::LetterOrDigit,
        last: Edge::LetterOrDigit,
        label: Some(63),
        source: "https://docs.aws.amazon.com/cloud-map/latest/api/API_CreatePrivateDnsNamespace.html",
        ..BASE
    },
    NameRule {
        kind: NameKind::DiscoveryService,
        what: "Cloud Map service name",
        length: (1, 127),
        punctuation: "_.-",
        first: Edge::NotHyphen,
        last: Edge::NotHyphen,
        label: Some(63),
        source: "https://docs.aws.amazon.com/cloud-map/latest/api/API_CreateService.html",
        ..BASE
    },
    NameRule {
        kind: NameKind::LogGroup,
        what: "CloudWatch Logs log group name",
        length: (1, 512),
        punctuation: "._/#-",
        source: "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html",
        ..BASE
    },
    NameRule {
        kind: NameKind::Function,
        what: "Lambda function name",
        length: (1, 64),
        punctuation: "_-",
        source: "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html",
        ..BASE
    },
    NameRule {
        kind: NameKind::FunctionPermission,
        what: "Lambda permission statement id",
        length: (1, 100),
        punctuation: "_-",
        source: "https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html",
        ..BASE
    },
    // The API refuses white space, brackets and a list of special
    // characters; logging to CloudWatch Logs needs the name to be letters,
    // digits, `-` and `_` only, and meshc always logs.
    NameRule {
        kind: NameKind::StateMachine,
        what: "Step Functions state machine name",
        length: (1, 80),
        punctuation: "_-",
        source: "https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html",
        ..BASE
    },
    // Never an IP address: meshc's bucket names hold letters.
    NameRule {
        kind: NameKind::Bucket,
        what: "S3 bucket name",
        length: (3, 63),
        lower_case: true,
        punctuation: ".-",
        first: Edge::LetterOrDigit,
        last: Edge::LetterOrDigit,
        reserved_starts: &["xn--", "sthree-", "amzn-s3-demo-"],
        reserved_ends: &["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"],
        source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
        ..BASE
    },
    NameRule {
        kind: NameKind::Secret,
        what: "Secrets Manager secret name",
        length: (1, 512),
        punctuation: "/_+=.@-",
        source: "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html",
        ..BASE
    },
    NameRule {
        kind: NameKind::Parameter,
        what: "Parameter Store parameter name",
        length: (1, 1011),
        punctuation: "_.-/",
        reserved_starts: &["/aws", "/ssm"],
        source: "https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html",
        ..BASE
    },
    NameRule {
        kind: NameKind::KmsAlias,
        what: "KMS alias name",
        length: (1, 256),
        punctuation: "/_-",
        start: "alias/",
        reserved_starts: &["alias/aws/"],
        source: "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html",
        ..BASE
    },
    NameRule {
        kind: NameKind::SecurityGroup,
        what: "security group name",
        length: (1, 255),
        punctuation: " ._-:/()#,@[]+=&;{}!$*",
        reserved_starts: &["sg-"],
        source: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html",
        ..BASE
    },
    NameRule {
        kind: NameKind::WebAcl,
        what: "WAF web ACL name",
        length: (1, 128),
        punctuation: "_-",
        source: "https://docs.aws.amazon.com/waf/latest/APIReference/API_CreateWebACL.html",
        ..BASE
    },
    // The API allows 255 characters; cfn-lint's schema of
    // AWS::WAFv2::WebACL allows 128, the stricter is kept.
    NameRule {
        kind: NameKind::WebAclMetric,
        what: "WAF metric name",
        length: (1, 128),
        punctuation: "_#:.-/",
        source: "https://docs.aws.amazon.com/waf/latest/APIReference/API_VisibilityConfig.html",
        ..BASE
    },
    // Terraform gives a name prefix, to which the provider appends 26
    // characters; CloudFormation names the profile itself.
    NameRule {
        kind: NameKind::SigningProfile,
        what: "Signer signing profile name",
        length: (2, 64),
        punctuation: "_",
        source: "https://docs.aws.amazon.com/signer/latest/api/API_PutSigningProfile.html",
        ..BASE
    },
    NameRule {
        kind: NameKind::Repository,
        what: "ECR repository name",
        length: (2, 256),
        lower_case: true,
        punctuation: "._/-",
        first: Edge::LetterOrDigit,
        last: Edge::LetterOrDigit,
        lone_punctuation: true,
        source: "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html",
        ..BASE
    },
    NameRule {
        kind: NameKind::Alarm,
        what: "CloudWatch alarm name",
        length: (1, 255),
        punctuation: "_.-",
        source: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
        ..BASE
    },
    NameRule {
        kind: NameKind::NameTag,
        what: "tag value",
        length: (0, 256),
        punctuation: " _.:/=+-@",
        source: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions",
        ..BASE
    },
];

impl NameRule {
    /// Whether a character may appear in a name of this kind (outside its
    /// allowed endings).
    pub fn allows(&self, ch: char) -> bool {
        ch.is_ascii_digit()
            || ch.is_ascii_lowercase()
            || (ch.is_ascii_uppercase() && !self.lower_case)
            || self.punctuation.contains(ch)
    }

    /// What is wrong with `name` for this kind, if anything.
    pub fn violation(&self, name: &str) -> Option<String> {
        let what = self.what;
        let count = name.chars().count();
        let (min, max) = self.length;
        if count < min || count > max {
            return Some(format!(
                "the {what} `{name}` is {count} characters; AWS allows {min} to {max}"
            ));
        }
        if !name.starts_with(self.start) {
            return Some(format!(
                "the {what} `{name}` does not start with `{}`",
                self.start
            ));
        }
        let body = self
            .endings
            .iter()
            .find_map(|ending| name.strip_suffix(ending))
            .unwrap_or(name);
        if let Some(ch) = body.chars().find(|&ch| !self.allows(ch)) {
            return Some(format!("the {what} `{name}` contains `{ch}`"));
        }
        if let Some(first) = body.chars().next() {
            if !self.first.allows(first) {
                return Some(format!(
                    "the {what} `{name}` must start with {}",
                    self.first.describe()
                ));
            }
        }
        if let Some(last) = body.chars().last() {
            if !self.last.allows(last) {
                return Some(format!(
                    "the {what} `{name}` must end with {}",
                    self.last.describe()
                ));
            }
        }
        if self.no_double_hyphen && body.contains("--") {
            return Some(format!("the {what} `{name}` contains `--`"));
        }
        if self.lone_punctuation {
            let mut previous = None;
            for ch in body.chars() {
                let punctuation = !ch.is_ascii_alphanumeric();
                if punctuation
                    && previous.is_none_or(|before: char| !before.is_ascii_alphanumeric())
                {
                    return Some(format!(
                        "the {what} `{name}` has `{ch}` next to another separator"
                    ));
                }
                previous = Some(ch);
            }
        }
        if let Some(longest) = self.label {
            for label in body.split('.') {
                if label.is_empty() || label.chars().count() > longest {
                    return Some(format!(
                        "the {what} `{name}` has a label of {} characters; DNS allows 1 to {longest}",
                        label.chars().count()
                    ));
                }
                if label.starts_with('-') || label.ends_with('-') {
                    return Some(format!(
                        "the {what} `{name}` has a label that starts or ends with `-`"
                    ));
                }
            }
        }
        if let Some(word) = self
            .reserved_starts
            .iter()
            .find(|word| name.starts_with(**word))
        {
            return Some(format!(
                "the {what} `{name}` starts with `{word}`, which AWS reserves"
            ));
        }
        if let Some(word) = self
            .reserved_ends
            .iter()
            .find(|word| name.ends_with(**word))
        {
            return Some(format!(
                "the {what} `{name}` ends with `{word}`, which AWS reserves"
            ));
        }
        if self
            .reserved_names
            .iter()
            .any(|word| name.eq_ignore_ascii_case(word))
        {
            return Some(format!("the {what} `{name}` is reserved by AWS"));
        }
        None
    }

    /// The character that joins a shortened head to its hash.
    fn joiner(&self) -> Option<char> {
        ['-', '_'].into_iter().find(|&ch| self.allows(ch))
    }
}

/// How many hexadecimal digits of the hash end a shortened name.
pub const HASH_DIGITS: usize = 6;

/// The 64-bit FNV-1a hash of `text` (Fowler, Noll and Vo; the parameters of
/// draft-eastlake-fnv): a published, stable function, unlike `std`'s
/// `DefaultHasher`, whose output may change between Rust releases.
pub fn stable_hash(text: &str) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    text.bytes().fold(OFFSET, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    })
}

/// The end of a shortened name: the top [`HASH_DIGITS`] hexadecimal digits
/// of the hash of the full text (FNV's top bits mix every input byte).
pub fn hash_tag(text: &str) -> String {
    let bits = 4 * HASH_DIGITS as u32;
    format!(
        "{:0width$x}",
        stable_hash(text) >> (64 - bits),
        width = HASH_DIGITS
    )
}

/// A name part after fitting: the text and, when it had to change, what it
/// was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fitted {
    pub text: String,
    pub shortened_from: Option<String>,
}

/// Fits the declaration part of a name of `kind`. `whole` builds the full
/// name around a candidate part, with every deploy-time part at its
/// longest. A part whose whole name satisfies the row is returned as it is;
/// any other is replaced by a readable head (the characters the row allows,
/// letters lowered where it wants lower case) and the [`hash_tag`] of the
/// full part, as long as the row allows. The error says why no name could be
/// made, which the design of the table and the frames rules out (tested).
pub fn fit(kind: NameKind, part: &str, whole: impl Fn(&str) -> String) -> Result<Fitted, String> {
    let Some(rule) = kind.rule() else {
        return Err(format!("no name rule for {kind:?}"));
    };
    let Some(problem) = rule.violation(&whole(part)) else {
        return Ok(Fitted {
            text: part.to_string(),
            shortened_from: None,
        });
    };
    if !rule.shortened {
        return Err(problem);
    }
    let tag = hash_tag(part);
    let joiner = rule.joiner();
    let frame = whole("").chars().count();
    let mut room = rule.length.1.saturating_sub(frame);
    if let Some(label) = rule.label {
        room = room.min(label);
    }
    let head_room = room.saturating_sub(tag.len() + usize::from(joiner.is_some()));
    let head = readable_head(rule, part, head_room);
    let text = match joiner {
        Some(joiner) if !head.is_empty() => format!("{head}{joiner}{tag}"),
        _ => tag,
    };
    match rule.violation(&whole(&text)) {
        None => Ok(Fitted {
            text,
            shortened_from: Some(part.to_string()),
        }),
        Some(problem) => Err(problem),
    }
}

/// The start of `part` in at most `room` characters the row allows:
/// letters lowered where the row wants lower case, any other character
/// replaced by the row's joiner, separators never doubled, first or last.
fn readable_head(rule: &NameRule, part: &str, room: usize) -> String {
    let joiner = rule.joiner();
    let mut head = String::new();
    for ch in part.chars() {
        if head.len() >= room {
            break;
        }
        let ch = if rule.allows(ch) {
            Some(ch)
        } else if rule.allows(ch.to_ascii_lowercase()) {
            Some(ch.to_ascii_lowercase())
        } else {
            joiner
        };
        let Some(ch) = ch else { continue };
        let separator = !ch.is_ascii_alphanumeric();
        let after_separator = head
            .chars()
            .last()
            .is_none_or(|last| !last.is_ascii_alphanumeric());
        if separator && after_separator {
            continue;
        }
        head.push(ch);
    }
    while head.ends_with(|ch: char| !ch.is_ascii_alphanumeric()) {
        head.pop();
    }
    head
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_fnv_1a_and_stable() {
        // The published test vectors of 64-bit FNV-1a.
        assert_eq!(stable_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(stable_hash("foobar"), 0x8594_4171_f739_67e8);
        assert_eq!(hash_tag("foobar"), "859441");
    }

    #[test]
    fn every_kind_has_exactly_one_row_with_a_source() {
        for kind in NameKind::ALL {
            let rows = NAME_RULES.iter().filter(|rule| rule.kind == kind).count();
            assert_eq!(rows, 1, "{kind:?} has {rows} rows");
            let rule = kind.rule().unwrap();
            assert!(
                rule.source.starts_with("https://docs.aws.amazon.com/"),
                "{kind:?}"
            );
            assert!(!rule.what.is_empty() && rule.length.1 > 0, "{kind:?}");
        }
    }

    #[test]
    fn a_name_that_fits_is_kept_and_one_that_does_not_is_shortened() {
        let whole = |part: &str| format!("{LONGEST_PREFIX}-{part}");
        let kept = fit(NameKind::LoadBalancer, "main-alb", whole).unwrap();
        assert_eq!(kept.text, "main-alb");
        assert_eq!(kept.shortened_from, None);
        let short = fit(NameKind::LoadBalancer, "main-public-alb", whole).unwrap();
        assert_eq!(short.text, format!("main-{}", hash_tag("main-public-alb")));
        assert_eq!(short.shortened_from.as_deref(), Some("main-public-alb"));
        assert_eq!(whole(&short.text).len(), 32);
        let lowered = fit(NameKind::DbInstance, "Payments_DB", whole).unwrap();
        assert!(lowered.text.starts_with("payments-db-"), "{}", lowered.text);
    }

    #[test]
    fn a_name_that_cannot_be_made_to_fit_is_an_error_not_a_wrong_name() {
        // A frame that leaves no room: the whole name would be too long
        // whatever the declaration part.
        let crowded = |part: &str| format!("{}{part}", "a".repeat(600));
        assert!(fit(NameKind::LogGroup, "x", crowded).is_err());
        // A kind meshc never shortens.
        assert!(fit(NameKind::TableIndex, "ab", str::to_string).is_err());
        assert_eq!(
            fit(NameKind::TableIndex, "abc", str::to_string).map(|fitted| fitted.text),
            Ok("abc".to_string())
        );
    }

    #[test]
    fn shortening_is_stable_and_keeps_distinct_names_distinct() {
        let whole = |part: &str| format!("{LONGEST_PREFIX}-{part}");
        let first = fit(NameKind::TargetGroup, "Order_Service-pub", whole).unwrap();
        let again = fit(NameKind::TargetGroup, "Order_Service-pub", whole).unwrap();
        let other = fit(NameKind::TargetGroup, "order_service-pub", whole).unwrap();
        assert_eq!(first, again);
        assert_ne!(first.text, other.text);
        assert_eq!(
            first.text,
            format!("Orde-{}", hash_tag("Order_Service-pub"))
        );
    }

    #[test]
    fn a_prefix_of_every_allowed_shape_is_accepted_and_others_are_not() {
        for good in [
            "a",
            "shop",
            "a1-b2-c3",
            "abcdefghijklmnopqrst",
            "internals",
            "sgx",
        ] {
            assert_eq!(prefix_violation(good), None, "{good}");
        }
        for bad in [
            "",
            "1a",
            "a-",
            "a--b",
            "A",
            "abcdefghijklmnopqrstu",
            "internal",
            "sg-x",
            "sthree",
            "amzn-s3-demo-x",
        ] {
            assert!(prefix_violation(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn every_reserved_start_of_a_prefixed_name_is_refused_in_the_prefix() {
        for rule in &NAME_RULES {
            for word in rule.reserved_starts {
                let outside_the_prefix_alphabet = word
                    .chars()
                    .any(|ch| !(ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'))
                    || word.contains("--");
                let refused = PREFIX_RESERVED.contains(&word.trim_end_matches('-'));
                assert!(outside_the_prefix_alphabet || refused, "{word}");
            }
        }
    }
}
