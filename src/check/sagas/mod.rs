//! M5xx, sagas: whether each saga can run and compensate as planned — the
//! operations its steps invoke exist, every step a later failure must undo
//! has an `undo`, its timeout leaves room for its steps, and its trigger is
//! published where a rule can start it. Rules over the plans of
//! `graph::saga`.

pub mod duplicate_pivot;
pub mod saga_retriggers_itself;
pub mod saga_timeout_too_short;
pub mod step_without_undo;
pub mod trigger_never_published;
pub mod trigger_not_on_a_bus;
pub mod unknown_operation;

use crate::model::{OperationRef, Saga, Step, System};

/// `payment.charge`, for messages.
pub(crate) fn operation_text(system: &System, operation: &OperationRef) -> String {
    let service = system
        .service(operation.service)
        .map_or("", |service| service.name.text.as_str());
    format!("{service}.{}", operation.operation.text)
}

/// The declared step of a saga a plan's step stands for (step names are
/// unique within a saga).
pub(crate) fn step_named<'a>(saga: &'a Saga, name: &str) -> Option<&'a Step> {
    saga.steps.iter().find(|step| step.name.text == name)
}

/// "`a`", "`a` and `b`", "`a`, `b` and `c`".
pub(crate) fn quoted_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| format!("`{item}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::quoted_list;

    #[test]
    fn lists_read_as_prose() {
        assert_eq!(quoted_list(&[]), "");
        assert_eq!(quoted_list(&["charge"]), "`charge`");
        assert_eq!(quoted_list(&["charge", "refund"]), "`charge` and `refund`");
        assert_eq!(
            quoted_list(&["reserve", "release", "count"]),
            "`reserve`, `release` and `count`"
        );
    }
}
