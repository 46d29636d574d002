//! What meshc knows about AWS itself: regions and their availability zones,
//! the AWS APIs a VPC endpoint can serve, Lambda runtimes, Fargate task
//! sizes, and the numeric limits of each service. Data and pure functions;
//! `resolve` turns violations into diagnostics.
//!
//! Sources: the AWS General Reference (regions), the AWS `PrivateLink` guide
//! (endpoint service names), the Lambda developer guide (runtimes, quotas),
//! the Amazon ECS developer guide (task sizes) and the SQS, Kinesis,
//! `DynamoDB`, RDS and VPC quota pages, as read in November 2026.

use super::units::{Duration, Size};

/// Regions, and the letters of the availability zones a new account can
/// use in each, in the order meshc uses them (us-east-1e takes no new
/// capacity; us-west-1 offers two zones).
pub const REGIONS: [(&str, &str); 33] = [
    ("af-south-1", "abc"),
    ("ap-east-1", "abc"),
    ("ap-east-2", "abc"),
    ("ap-northeast-1", "acd"),
    ("ap-northeast-2", "abcd"),
    ("ap-northeast-3", "abc"),
    ("ap-south-1", "abc"),
    ("ap-south-2", "abc"),
    ("ap-southeast-1", "abc"),
    ("ap-southeast-2", "abc"),
    ("ap-southeast-3", "abc"),
    ("ap-southeast-4", "abc"),
    ("ap-southeast-5", "abc"),
    ("ap-southeast-7", "abc"),
    ("ca-central-1", "abd"),
    ("ca-west-1", "abc"),
    ("eu-central-1", "abc"),
    ("eu-central-2", "abc"),
    ("eu-north-1", "abc"),
    ("eu-south-1", "abc"),
    ("eu-south-2", "abc"),
    ("eu-west-1", "abc"),
    ("eu-west-2", "abc"),
    ("eu-west-3", "abc"),
    ("il-central-1", "abc"),
    ("me-central-1", "abc"),
    ("me-south-1", "abc"),
    ("mx-central-1", "abc"),
    ("sa-east-1", "abc"),
    ("us-east-1", "abcdf"),
    ("us-east-2", "abc"),
    ("us-west-1", "bc"),
    ("us-west-2", "abcd"),
];

/// Regions launched in August 2022 or later, where Elastic Load Balancing
/// delivers access logs as the service principal
/// `logdelivery.elasticloadbalancing.amazonaws.com` rather than from a
/// per-region AWS account.
pub const ELB_LOG_DELIVERY_BY_SERVICE: [&str; 11] = [
    "ap-east-2",
    "ap-south-2",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "ca-west-1",
    "eu-central-2",
    "eu-south-2",
    "il-central-1",
    "me-central-1",
    "mx-central-1",
];

/// The AWS account that writes a load balancer's access logs, in the
/// regions older than August 2022 (the others use the service principal of
/// [`ELB_LOG_DELIVERY_BY_SERVICE`]). Terraform reads it with the
/// `aws_elb_service_account` data source; CloudFormation has no such lookup,
/// so the template maps the region to it. From the Elastic Load Balancing
/// guide, "Enable access logs for your Application Load Balancer".
pub const ELB_LOG_DELIVERY_ACCOUNTS: [(&str, &str); 24] = [
    ("af-south-1", "098369216593"),
    ("ap-east-1", "754344448648"),
    ("ap-northeast-1", "582318560864"),
    ("ap-northeast-2", "600734575887"),
    ("ap-northeast-3", "383597477331"),
    ("ap-south-1", "718504428378"),
    ("ap-southeast-1", "114774131450"),
    ("ap-southeast-2", "783225319266"),
    ("ap-southeast-3", "589379963580"),
    ("ca-central-1", "985666609251"),
    ("eu-central-1", "054676820928"),
    ("eu-north-1", "897822967062"),
    ("eu-south-1", "635631232127"),
    ("eu-west-1", "156460612806"),
    ("eu-west-2", "652711504416"),
    ("eu-west-3", "009996457667"),
    ("me-south-1", "076674570225"),
    ("sa-east-1", "507241528517"),
    ("us-east-1", "127311923021"),
    ("us-east-2", "033677994240"),
    ("us-gov-east-1", "190560391635"),
    ("us-gov-west-1", "048591011584"),
    ("us-west-1", "027434742980"),
    ("us-west-2", "797873946194"),
];

/// The partitions an ARN may name.
pub const PARTITIONS: [&str; 3] = ["aws", "aws-cn", "aws-us-gov"];

/// Whether a text is an ARN: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`,
/// with a known partition, a service, a region and account that are empty
/// or well formed, a resource, and no white space or control character.
/// Wildcards (`*`, `?`) may stand in the region, the account and the
/// resource, as IAM allows.
pub fn is_arn(text: &str) -> bool {
    let mut parts = text.splitn(6, ':');
    let (Some("arn"), Some(partition), Some(service), Some(region), Some(account), Some(rest)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let wild =
        |part: &str, ok: fn(char) -> bool| part.chars().all(|ch| ok(ch) || ch == '*' || ch == '?');
    PARTITIONS.contains(&partition)
        && !service.is_empty()
        && service
            .chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
        && wild(region, |ch| {
            ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'
        })
        && wild(account, |ch| ch.is_ascii_digit())
        && !rest.is_empty()
        && !text.chars().any(|ch| ch.is_whitespace() || ch.is_control())
        && !text.contains("${")
}

/// How many availability zones a region offers.
pub fn availability_zones(region: &str) -> Option<u8> {
    zone_letters(region).map(|letters| letters.len() as u8)
}

/// The letters of a region's zones, in order.
pub fn zone_letters(region: &str) -> Option<&'static str> {
    REGIONS
        .iter()
        .find(|(name, _)| *name == region)
        .map(|&(_, letters)| letters)
}

/// The names of the first `count` zones of a region: `us-east-1a`, ...
pub fn zone_names(region: &str, count: u8) -> Vec<String> {
    zone_letters(region)
        .unwrap_or("abc")
        .chars()
        .take(usize::from(count))
        .map(|letter| format!("{region}{letter}"))
        .collect()
}

/// An AWS API that services call and that a VPC endpoint can serve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AwsService {
    S3,
    DynamoDb,
    Sqs,
    Sns,
    Events,
    States,
    Logs,
    Ecr,
    Kinesis,
    SecretsManager,
    Ssm,
    Kms,
    Xray,
    Lambda,
    Sts,
    Ecs,
    Monitoring,
}

/// How a VPC endpoint reaches an AWS API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndpointKind {
    /// A route-table entry; no charge.
    Gateway,
    /// Elastic network interfaces in each zone; charged per hour and per GB.
    Interface,
}

impl AwsService {
    pub const ALL: [AwsService; 17] = [
        AwsService::S3,
        AwsService::DynamoDb,
        AwsService::Sqs,
        AwsService::Sns,
        AwsService::Events,
        AwsService::States,
        AwsService::Logs,
        AwsService::Ecr,
        AwsService::Kinesis,
        AwsService::SecretsManager,
        AwsService::Ssm,
        AwsService::Kms,
        AwsService::Xray,
        AwsService::Lambda,
        AwsService::Sts,
        AwsService::Ecs,
        AwsService::Monitoring,
    ];

    /// The name written in .mesh (`endpoints = [s3, sqs]`).
    pub fn mesh_name(self) -> &'static str {
        match self {
            AwsService::S3 => "s3",
            AwsService::DynamoDb => "dynamodb",
            AwsService::Sqs => "sqs",
            AwsService::Sns => "sns",
            AwsService::Events => "events",
            AwsService::States => "states",
            AwsService::Logs => "logs",
            AwsService::Ecr => "ecr",
            AwsService::Kinesis => "kinesis",
            AwsService::SecretsManager => "secretsmanager",
            AwsService::Ssm => "ssm",
            AwsService::Kms => "kms",
            AwsService::Xray => "xray",
            AwsService::Lambda => "lambda",
            AwsService::Sts => "sts",
            AwsService::Ecs => "ecs",
            AwsService::Monitoring => "monitoring",
        }
    }

    /// The API's name for people: "Secrets Manager".
    pub fn display_name(self) -> &'static str {
        match self {
            AwsService::S3 => "S3",
            AwsService::DynamoDb => "DynamoDB",
            AwsService::Sqs => "SQS",
            AwsService::Sns => "SNS",
            AwsService::Events => "EventBridge",
            AwsService::States => "Step Functions",
            AwsService::Logs => "CloudWatch Logs",
            AwsService::Ecr => "ECR",
            AwsService::Kinesis => "Kinesis",
            AwsService::SecretsManager => "Secrets Manager",
            AwsService::Ssm => "Systems Manager",
            AwsService::Kms => "KMS",
            AwsService::Xray => "X-Ray",
            AwsService::Lambda => "Lambda",
            AwsService::Sts => "STS",
            AwsService::Ecs => "ECS",
            AwsService::Monitoring => "CloudWatch",
        }
    }

    /// The IAM service prefix of the API's actions (`secretsmanager` in
    /// `secretsmanager:GetSecretValue`).
    pub fn iam_prefix(self) -> &'static str {
        match self {
            AwsService::Monitoring => "cloudwatch",
            other => other.mesh_name(),
        }
    }

    /// What a role needs to call an API whose calls name no resource, and
    /// which IAM therefore grants only on `*`: the actions, and why the
    /// resource is `*`. Listing such an API in `apis` is enough to be
    /// granted them; every other API is granted through the relation or
    /// declaration that names what it acts on.
    pub fn resourceless_actions(self) -> Option<(&'static [&'static str], &'static str)> {
        match self {
            AwsService::Xray => Some((
                &[
                    "xray:GetSamplingRules",
                    "xray:GetSamplingTargets",
                    "xray:PutTelemetryRecords",
                    "xray:PutTraceSegments",
                ],
                "the X-Ray trace actions have no resource-level permissions",
            )),
            AwsService::Monitoring => Some((
                &["cloudwatch:PutMetricData"],
                "cloudwatch:PutMetricData has no resource-level permissions",
            )),
            _ => None,
        }
    }

    pub fn from_mesh_name(name: &str) -> Option<AwsService> {
        AwsService::ALL
            .into_iter()
            .find(|service| service.mesh_name() == name)
    }

    pub fn endpoint_kind(self) -> EndpointKind {
        match self {
            AwsService::S3 | AwsService::DynamoDb => EndpointKind::Gateway,
            _ => EndpointKind::Interface,
        }
    }

    /// The suffixes of the endpoint service names, after
    /// `com.amazonaws.REGION.`. ECR needs two interface endpoints, ECS
    /// three.
    pub fn endpoint_services(self) -> &'static [&'static str] {
        match self {
            AwsService::S3 => &["s3"],
            AwsService::DynamoDb => &["dynamodb"],
            AwsService::Sqs => &["sqs"],
            AwsService::Sns => &["sns"],
            AwsService::Events => &["events"],
            AwsService::States => &["states"],
            AwsService::Logs => &["logs"],
            AwsService::Ecr => &["ecr.api", "ecr.dkr"],
            AwsService::Kinesis => &["kinesis-streams"],
            AwsService::SecretsManager => &["secretsmanager"],
            AwsService::Ssm => &["ssm"],
            AwsService::Kms => &["kms"],
            AwsService::Xray => &["xray"],
            AwsService::Lambda => &["lambda"],
            AwsService::Sts => &["sts"],
            AwsService::Ecs => &["ecs", "ecs-agent", "ecs-telemetry"],
            AwsService::Monitoring => &["monitoring"],
        }
    }
}

/// Whether a Lambda runtime identifier can be used for a new function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuntimeStatus {
    Supported,
    /// Deprecated on the date given; the successor to move to.
    Deprecated {
        since: &'static str,
        successor: &'static str,
    },
    Unknown,
}

/// Runtimes for which Lambda accepts new functions.
pub const LAMBDA_RUNTIMES: [&str; 16] = [
    "dotnet10",
    "dotnet8",
    "java11",
    "java17",
    "java21",
    "java25",
    "java8.al2",
    "nodejs22.x",
    "nodejs24.x",
    "provided.al2",
    "provided.al2023",
    "python3.12",
    "python3.13",
    "python3.14",
    "ruby3.3",
    "ruby3.4",
];

/// Runtimes past their deprecation date, with the date and a successor.
const DEPRECATED_RUNTIMES: [(&str, &str, &str); 17] = [
    ("dotnet6", "2024-12-20", "dotnet8"),
    ("dotnetcore3.1", "2023-04-03", "dotnet8"),
    ("go1.x", "2024-01-08", "provided.al2023"),
    ("java8", "2024-01-08", "java21"),
    ("nodejs12.x", "2023-03-31", "nodejs22.x"),
    ("nodejs14.x", "2023-12-04", "nodejs22.x"),
    ("nodejs16.x", "2024-06-12", "nodejs22.x"),
    ("nodejs18.x", "2025-09-01", "nodejs22.x"),
    ("nodejs20.x", "2026-04-30", "nodejs22.x"),
    ("provided", "2024-01-08", "provided.al2023"),
    ("python3.7", "2023-12-04", "python3.13"),
    ("python3.8", "2024-10-14", "python3.13"),
    ("python3.9", "2025-12-15", "python3.13"),
    ("python3.10", "2026-06-30", "python3.13"),
    ("python3.11", "2026-06-30", "python3.13"),
    ("ruby2.7", "2023-12-07", "ruby3.4"),
    ("ruby3.2", "2026-03-31", "ruby3.4"),
];

/// The handler a function has when the service declares none: the
/// convention of each runtime family for a module named `main`.
pub fn default_handler(runtime: &str) -> String {
    let handler = if runtime.starts_with("python") {
        "main.handler"
    } else if runtime.starts_with("nodejs") {
        "index.handler"
    } else if runtime.starts_with("java") {
        "Main::handleRequest"
    } else if runtime.starts_with("dotnet") {
        "Main::Main.Function::Handler"
    } else {
        // Custom runtimes (`provided.*`) run the `bootstrap` executable and
        // pass it the handler's name.
        "bootstrap"
    };
    handler.to_string()
}

pub fn runtime_status(runtime: &str) -> RuntimeStatus {
    if let Some(&(_, since, successor)) = DEPRECATED_RUNTIMES
        .iter()
        .find(|(name, _, _)| *name == runtime)
    {
        return RuntimeStatus::Deprecated { since, successor };
    }
    if LAMBDA_RUNTIMES.contains(&runtime) {
        RuntimeStatus::Supported
    } else {
        RuntimeStatus::Unknown
    }
}

/// The runtimes to suggest, without duplicates.
pub fn supported_runtimes() -> Vec<&'static str> {
    let mut runtimes: Vec<&'static str> = LAMBDA_RUNTIMES
        .iter()
        .copied()
        .filter(|runtime| {
            !DEPRECATED_RUNTIMES
                .iter()
                .any(|(name, _, _)| name == runtime)
        })
        .collect();
    runtimes.sort_unstable();
    runtimes.dedup();
    runtimes
}

/// Fargate task sizes: vCPU in thousandths, and the memory sizes in MiB
/// (from, to, step) that go with it.
pub const FARGATE_SIZES: [(u32, u64, u64, u64); 7] = [
    (250, 512, 2048, 512),
    (500, 1024, 4096, 1024),
    (1000, 2048, 8192, 1024),
    (2000, 4096, 16384, 1024),
    (4000, 8192, 30720, 1024),
    (8000, 16384, 61440, 4096),
    (16000, 32768, 122_880, 8192),
];

/// The CPU units ECS takes for `millicpu` vCPU-thousandths: 1,024 units
/// are one vCPU, so 0.25 vCPU is 256 and 0.5 is 512.
pub fn fargate_cpu_units(millicpu: u32) -> u32 {
    millicpu.saturating_mul(1024) / 1000
}

/// Whether Fargate offers a task of `millicpu` vCPU-thousandths and
/// `memory`. 0.25 vCPU offers 512MB, 1GB and 2GB (not 1.5GB).
pub fn fargate_size_valid(millicpu: u32, memory: Size) -> bool {
    let mib = memory.as_mib_ceil();
    if memory.as_bytes() % (1024 * 1024) != 0 {
        return false;
    }
    if millicpu == 250 {
        return matches!(mib, 512 | 1024 | 2048);
    }
    FARGATE_SIZES.iter().any(|&(cpu, from, to, step)| {
        cpu == millicpu && (from..=to).contains(&mib) && (mib - from) % step == 0
    })
}

/// "cpu = 1 takes memory = 2GB to 8GB in steps of 1GB".
pub fn fargate_memory_text(millicpu: u32) -> Option<String> {
    if millicpu == 250 {
        return Some("cpu = 0.25 takes memory = 512MB, 1GB or 2GB".to_string());
    }
    let &(cpu, from, to, step) = FARGATE_SIZES.iter().find(|(cpu, ..)| *cpu == millicpu)?;
    Some(format!(
        "cpu = {} takes memory = {} to {} in steps of {}",
        f64::from(cpu) / 1000.0,
        Size::from_mib(from),
        Size::from_mib(to),
        Size::from_mib(step)
    ))
}

pub const FARGATE_CPUS: &str = "0.25, 0.5, 1, 2, 4, 8 or 16";

/// What a URL path of a load balancer may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpPathRule {
    /// "path pattern", for the diagnostic.
    pub what: &'static str,
    pub max: usize,
    /// Must start with `/`.
    pub rooted: bool,
    /// Characters allowed besides ASCII letters and digits; `None` allows
    /// every printable ASCII character but the space.
    pub specials: Option<&'static str>,
    /// "at most 128 characters of ...", for the diagnostic.
    pub text: &'static str,
}

impl HttpPathRule {
    pub fn allows(&self, ch: char) -> bool {
        match self.specials {
            Some(specials) => ch.is_ascii_alphanumeric() || specials.contains(ch),
            None => ch.is_ascii_graphic(),
        }
    }

    /// Whether AWS accepts `path`.
    pub fn accepts(&self, path: &str) -> bool {
        !path.is_empty()
            && path.chars().count() <= self.max
            && (!self.rooted || path.starts_with('/'))
            && path.chars().all(|ch| self.allows(ch))
    }

    /// The closest path AWS accepts: the characters it does not allow
    /// dropped, a `/` put first where one is needed, and cut to length.
    pub fn nearest(&self, path: &str) -> String {
        let kept: String = path.chars().filter(|&ch| self.allows(ch)).collect();
        let rooted = if self.rooted && !kept.starts_with('/') {
            format!("/{kept}")
        } else {
            kept
        };
        let nearest: String = rooted.chars().take(self.max).collect();
        if nearest.is_empty() {
            "/".to_string()
        } else {
            nearest
        }
    }
}

/// A path-pattern condition of an ALB listener rule (Elastic Load
/// Balancing, "Condition types for listener rules": case-sensitive, at
/// most 128 characters, `*` and `?` as wildcards; `&` is written as is
/// and XML-escaped by the API).
pub const ALB_PATH_PATTERN: HttpPathRule = HttpPathRule {
    what: "path pattern",
    max: 128,
    rooted: false,
    specials: Some("_-.$/~\"'@:+&*?"),
    text: "at most 128 characters of A-Z, a-z, 0-9 and _-.$/~\"'@:+&*?",
};

/// A target group's health check path (ELB API reference, `HealthCheckPath`:
/// 1 to 1024 characters; ELB refuses one that does not start with `/`).
/// It is the path of an HTTP request line, so it holds no space or
/// control character.
pub const HEALTH_CHECK_PATH: HttpPathRule = HttpPathRule {
    what: "health check path",
    max: 1024,
    rooted: true,
    specials: None,
    text: "a path that starts with `/`, of at most 1024 printable ASCII characters and no space",
};

/// Numeric limits, as (minimum, maximum).
pub mod limits {
    use super::{Duration, Size};

    /// The environment variables a Lambda runtime sets itself, whose keys
    /// a function's configuration cannot set (Lambda developer guide,
    /// "Defined runtime environment variables"; `UpdateFunctionConfiguration`
    /// refuses them).
    pub const LAMBDA_RESERVED_VARIABLES: &[&str] = &[
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
        "TZ",
    ];

    /// Whether a key is one Lambda's `Environment.Variables` accepts:
    /// `[a-zA-Z]([a-zA-Z0-9_])+` (Lambda API reference, `Environment`).
    pub fn valid_variable_name(name: &str) -> bool {
        let mut chars = name.chars();
        chars
            .next()
            .is_some_and(|first| first.is_ascii_alphabetic())
            && name.len() >= 2
            && chars.all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
    }

    pub const LAMBDA_MEMORY: (Size, Size) = (Size::from_mib(128), Size::from_mib(10_240));
    pub const LAMBDA_TIMEOUT: (Duration, Duration) =
        (Duration::from_secs(1), Duration::from_mins(15));
    pub const LAMBDA_BATCH_WINDOW: (Duration, Duration) = (Duration::ZERO, Duration::from_mins(5));
    pub const LAMBDA_EPHEMERAL_STORAGE: (Size, Size) =
        (Size::from_mib(512), Size::from_mib(10_240));
    pub const SQS_VISIBILITY: (Duration, Duration) = (Duration::ZERO, Duration::from_hours(12));
    pub const SQS_RETENTION: (Duration, Duration) =
        (Duration::from_secs(60), Duration::from_days(14));
    pub const SQS_DELAY: (Duration, Duration) = (Duration::ZERO, Duration::from_mins(15));
    pub const SQS_RECEIVE_WAIT: (Duration, Duration) = (Duration::ZERO, Duration::from_secs(20));
    pub const SQS_MESSAGE_SIZE: (Size, Size) =
        (Size::from_bytes(1024), Size::from_bytes(1_048_576));
    pub const SQS_MAX_RECEIVES: (u64, u64) = (1, 1000);
    pub const VPC_PREFIX: (u8, u8) = (16, 28);
    pub const KINESIS_RETENTION: (Duration, Duration) =
        (Duration::from_hours(24), Duration::from_days(365));
    pub const KINESIS_SHARDS: (u64, u64) = (1, 10_000);
    pub const DYNAMODB_GLOBAL_INDEXES: usize = 20;
    /// The bytes of a standard-tier Parameter Store value.
    pub const SSM_PARAMETER_VALUE: (usize, usize) = (1, 4096);
    pub const RDS_STORAGE: (Size, Size) = (Size::from_gib(20), Size::from_gib(65_536));
    pub const RDS_BACKUP_RETENTION: (Duration, Duration) =
        (Duration::ZERO, Duration::from_days(35));
    pub const EVENTBRIDGE_RETRY_ATTEMPTS: (u64, u64) = (0, 185);
    pub const EVENTBRIDGE_EVENT_AGE: (Duration, Duration) =
        (Duration::from_mins(1), Duration::from_hours(24));
    /// Targets of one EventBridge rule (a hard quota).
    pub const EVENTBRIDGE_RULE_TARGETS: usize = 5;
    pub const STATES_TIMEOUT: (Duration, Duration) =
        (Duration::from_secs(1), Duration::from_days(365));
    pub const LOG_RETENTION_DAYS: [u64; 22] = [
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
        2922, 3288, 3653,
    ];
    pub const ECS_REPLICAS: (u64, u64) = (0, 5000);
    pub const AVAILABILITY_ZONES_MIN: u64 = 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fargate_sizes_follow_the_ecs_table() {
        assert!(fargate_size_valid(250, Size::from_mib(512)));
        assert!(!fargate_size_valid(250, Size::from_mib(1536)));
        assert!(fargate_size_valid(500, Size::from_gib(1)));
        assert!(fargate_size_valid(1000, Size::from_gib(2)));
        assert!(!fargate_size_valid(1000, Size::from_gib(16)));
        assert!(fargate_size_valid(2000, Size::from_gib(16)));
        assert!(fargate_size_valid(8000, Size::from_gib(20)));
        assert!(!fargate_size_valid(8000, Size::from_gib(18)));
        assert!(!fargate_size_valid(3000, Size::from_gib(8)));
    }

    #[test]
    fn runtimes() {
        assert_eq!(runtime_status("python3.12"), RuntimeStatus::Supported);
        assert!(matches!(
            runtime_status("nodejs18.x"),
            RuntimeStatus::Deprecated { .. }
        ));
        assert_eq!(runtime_status("cobol"), RuntimeStatus::Unknown);
        assert!(!supported_runtimes().contains(&"ruby3.2"));
    }
}
