//! Secure defaults: the value a setting takes when the .mesh file leaves it
//! out. Each is the safer choice where safety and convenience differ (flow
//! logs on, no NAT, encryption on, deletion protection on), and AWS's own
//! default otherwise. The language reference lists them.

use super::units::{Duration, Size};

/// Availability zones of a network.
pub const ZONES: u8 = 2;
/// VPC flow logs.
pub const FLOW_LOGS: bool = true;

/// Fargate task size: the smallest Fargate offers.
pub const FARGATE_MILLICPU: u32 = 250;
pub const FARGATE_MEMORY: Size = Size::from_mib(512);
/// Two tasks, so that a service survives the loss of one zone.
pub const FARGATE_REPLICAS: u32 = 2;

/// Lambda's own defaults.
pub const LAMBDA_MEMORY: Size = Size::from_mib(128);
pub const LAMBDA_TIMEOUT: Duration = Duration::from_secs(3);

/// `CloudWatch` log retention: one year, the minimum CIS and checkov ask for.
pub const LOG_RETENTION: Duration = Duration::from_days(365);

/// What an ALB asks a Fargate service that declares no `health`: the path
/// the runtime contract (docs/runtime.md) tells every service to answer.
pub const HEALTH_CHECK_PATH: &str = "/health";

/// A synchronous call gives up after this long, and is not retried.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(3);
pub const CALL_RETRIES: u32 = 0;

/// SQS: AWS's defaults, except long polling (cheaper, and no empty receives).
pub const QUEUE_VISIBILITY: Duration = Duration::from_secs(30);
pub const QUEUE_RETENTION: Duration = Duration::from_days(4);
pub const QUEUE_DELAY: Duration = Duration::ZERO;
pub const QUEUE_RECEIVE_WAIT: Duration = Duration::from_secs(20);
/// A dead-letter queue keeps messages as long as SQS allows.
pub const DLQ_RETENTION: Duration = Duration::from_days(14);
pub const DLQ_MAX_RECEIVES: u32 = 3;

/// `EventBridge` targets: retry for a day, as `EventBridge` does by default.
pub const RULE_RETRIES: u32 = 185;
pub const RULE_MAX_EVENT_AGE: Duration = Duration::from_hours(24);

/// Kinesis: 24 hours, the minimum and AWS's default.
pub const STREAM_RETENTION: Duration = Duration::from_hours(24);
/// A Lambda function consuming a stream: a batch that fails is split in two
/// and retried, at most this many times, then reported to the function's
/// stream-failures queue; AWS's default (-1) retries until the records
/// expire, while the shard's later records wait.
pub const STREAM_CONSUMER_RETRIES: u32 = 3;
/// The longest AWS allows for a stream consumer's maximum record age.
pub const STREAM_CONSUMER_MAX_RECORD_AGE: Duration = Duration::from_days(7);

/// `DynamoDB`.
pub const POINT_IN_TIME_RECOVERY: bool = true;
pub const TABLE_DELETION_PROTECTION: bool = true;

/// RDS.
pub const DATABASE_STORAGE: Size = Size::from_gib(20);
pub const DATABASE_BACKUP_RETENTION: Duration = Duration::from_days(7);
pub const DATABASE_MULTI_AZ: bool = false;
pub const DATABASE_DELETION_PROTECTION: bool = true;
/// A bucket is kept when its declaration is removed or the stack deleted.
pub const BUCKET_DELETION_PROTECTION: bool = true;

/// Step retries when `retry = { ... }` leaves a part out.
pub const RETRY_ATTEMPTS: u32 = 3;
pub const RETRY_BACKOFF: Duration = Duration::from_secs(1);
pub const RETRY_RATE: f64 = 2.0;
