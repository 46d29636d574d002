//! The system's KMS key, which encrypts its logs, queues, topics, streams
//! and tables, and its alias (Terraform's `encryption.tf`). Its policy
//! gives the account the key's administration and use (IAM policies then
//! grant each role what it needs), and lets the AWS services that write
//! encrypted data on the system's behalf use it.

use super::policy::{Actions, Condition, Effect, Principal, Statement, Values};
use super::{Attribute, Keep, Key, Kind, Resource, Sink, Value};
use crate::emit::Context;
use crate::emit::firewall::{
    KEY_ALARMS, KEY_DELIVERIES, KMS_ADMINISTER, KMS_LOGS, KMS_USE, STATE_MACHINE_LOGS,
};
use crate::emit::names::{self, Part, text};

/// The base name of the system's key.
pub const SYSTEM_KEY: &str = "system";

/// Why checkov's checks of an identity policy's `*` do not apply.
const KEY_POLICY_STAR: &str = "a key policy can only name its own key as \"*\"";

pub fn encryption(context: &Context<'_>, out: &mut Sink<'_>) {
    let mut key = Resource::new(Kind::Key, SYSTEM_KEY)
        .with(
            "Description",
            format!(
                "Encrypts the logs, queues, topics, streams and tables of system {}",
                context.system.name.text
            ),
        )
        .with("EnableKeyRotation", Value::Bool(true))
        .with("PendingWindowInDays", 30_u64)
        .with("KeyPolicy", Value::Policy(key_policy(context)))
        .note("In a key policy, the resource \"*\" means this key and no other.")
        .keep(Keep::RetainExceptOnCreate);
    for check in ["CKV_AWS_109", "CKV_AWS_111", "CKV_AWS_356"] {
        key = key.waive(check, KEY_POLICY_STAR.to_string());
    }
    out(key);
    out(Resource::new(Kind::KeyAlias, SYSTEM_KEY)
        .with("AliasName", Value::Name(names::key_alias(context)))
        .with(
            "TargetKeyId",
            Key::new(Kind::Key, SYSTEM_KEY).get(Attribute::Id),
        ));
}

/// A statement of the key policy on the key itself (`*`).
fn on_the_key(
    sid: &str,
    actions: &[&'static str],
    principal: Principal,
    condition: Option<Condition>,
) -> Statement {
    Statement {
        sid: Some(sid.to_string()),
        effect: Effect::Allow,
        principal: Some(principal),
        actions: Actions::Listed(actions.iter().map(|action| (*action).into()).collect()),
        resources: vec![Value::from("*")],
        condition,
        note: None,
    }
}

fn key_policy(context: &Context<'_>) -> Vec<Statement> {
    let root = Value::Interpolated(vec![
        text("arn:"),
        Part::Partition,
        text(":iam::"),
        Part::AccountId,
        text(":root"),
    ]);
    let logs = Principal::Services(Values::One(Value::Interpolated(vec![
        text("logs."),
        Part::Region,
        text(".amazonaws.com"),
    ])));
    let log_groups = Condition {
        test: "ArnLike",
        variable: "kms:EncryptionContext:aws:logs:arn",
        values: Values::One(Value::Interpolated(vec![
            text("arn:"),
            Part::Partition,
            text(":logs:"),
            Part::Region,
            text(":"),
            Part::AccountId,
            text(":log-group:*"),
        ])),
    };
    let mut statements = vec![
        on_the_key(
            "AccountAdministers",
            &KMS_ADMINISTER,
            Principal::Aws(root.clone()),
            None,
        ),
        on_the_key(
            "AccountUsesThroughIam",
            &KMS_USE,
            Principal::Aws(root),
            None,
        ),
        on_the_key(
            "CloudWatchLogsEncryptsLogGroups",
            &KMS_LOGS,
            logs,
            Some(log_groups),
        ),
    ];
    let alarms = context.graph.alarms.topic.is_some();
    for (sid, services, account) in KEY_DELIVERIES
        .into_iter()
        .chain(alarms.then_some(KEY_ALARMS))
    {
        let services = Values::Any(
            services
                .iter()
                .map(|service| Value::from(*service))
                .collect(),
        );
        let condition = account.then(|| Condition {
            test: "StringEquals",
            variable: "aws:SourceAccount",
            values: Values::One(Value::Interpolated(vec![Part::AccountId])),
        });
        statements.push(on_the_key(
            sid,
            &["kms:Decrypt", "kms:GenerateDataKey"],
            Principal::Services(services),
            condition,
        ));
    }
    if context.graph.state_machines().next().is_some() {
        let (sid, actions, service) = STATE_MACHINE_LOGS;
        statements.push(on_the_key(
            sid,
            &actions,
            Principal::Services(Values::One(Value::from(service))),
            None,
        ));
    }
    statements
}
