//! M4xx, events and messaging: whether every event has a sender and a
//! receiver, whether `where` filters fit the schemas of the events they
//! filter and can be written as AWS patterns, and whether queues, their
//! dead-letter queues, topics and rules are configured the way SQS, SNS,
//! EventBridge and Lambda accept and recommend.
//!
//! Who sends and who receives each event is derived once, in the graph
//! (`graph::messaging::Traffic`); the helpers here answer the other
//! question several rules share: which events a filter applies to.

pub mod dlq_retention_too_short;
pub mod event_never_consumed;
pub mod event_never_published;
pub mod event_received_twice;
pub mod fifo_mismatch;
pub mod filter_not_an_attribute;
pub mod filter_not_expressible;
pub mod filter_outside_schema;
pub mod filters_not_joinable;
pub mod queue_never_fed;
pub mod queue_without_dlq;
pub mod too_many_rule_targets;
pub mod topic_mixes_events;
pub mod visibility_timeout_too_short;

use std::collections::BTreeMap;

use crate::model::{Carrier, Channel, Duration, EventId, Filter, System, TopicId};

pub(crate) use crate::graph::messaging::End;

/// What a `where` clause filters, and so what its pattern is made for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterKind {
    /// An EventBridge event pattern: a `rule`, or a `consumes` of events
    /// on a bus.
    Pattern,
    /// An SNS subscription filter policy.
    Policy,
    /// Lambda event filtering of a queue or stream.
    Criteria,
}

impl FilterKind {
    pub fn text(self) -> &'static str {
        match self {
            FilterKind::Pattern => "an EventBridge event pattern",
            FilterKind::Policy => "an SNS filter policy",
            FilterKind::Criteria => "a Lambda filter",
        }
    }
}

/// A `where` clause, the events whose fields it tests, and what it becomes.
#[derive(Debug)]
pub(crate) struct FilterSite<'a> {
    pub filter: &'a Filter,
    pub events: Vec<EventId>,
    /// Whether the events are named where the filter is written (`consumes
    /// [A, B] where ...`, a rule's `matches`), so that each must be able to
    /// pass it; or are those a topic or stream happens to carry, among which
    /// the filter may well select.
    pub named: bool,
    pub kind: FilterKind,
}

/// Every `where` clause of the system, once each (a subscription of
/// several queues shares one clause), in source order.
pub(crate) fn filter_sites<'a>(
    system: &'a System,
    carried: &BTreeMap<Channel, Vec<EventId>>,
) -> Vec<FilterSite<'a>> {
    let events_on = |channel: Channel| carried.get(&channel).cloned().unwrap_or_default();
    let mut sites: Vec<FilterSite<'_>> = Vec::new();
    for service in &system.services {
        for consume in &service.consumes {
            let Some(filter) = &consume.filter else {
                continue;
            };
            let mut events = Vec::new();
            let mut named = true;
            let mut kind = FilterKind::Criteria;
            for source in &consume.sources {
                match source.value {
                    Channel::Event(id) => {
                        events.push(id);
                        kind = match system.event(id).map(|event| event.carrier.value) {
                            Some(Carrier::DefaultBus | Carrier::Bus(_)) => FilterKind::Pattern,
                            Some(Carrier::Topic(_)) => FilterKind::Policy,
                            _ => kind,
                        };
                    }
                    Channel::Topic(_) => {
                        events.extend(events_on(source.value));
                        named = false;
                        kind = FilterKind::Policy;
                    }
                    Channel::Stream(_) => {
                        events.extend(events_on(source.value));
                        named = false;
                    }
                    Channel::Queue(_) => named = false,
                }
            }
            sites.push(FilterSite {
                filter,
                events,
                named,
                kind,
            });
        }
    }
    for rule in &system.rules {
        if let Some(filter) = &rule.filter {
            sites.push(FilterSite {
                filter,
                events: rule.matches.iter().map(|matched| matched.value).collect(),
                named: true,
                kind: FilterKind::Pattern,
            });
        }
    }
    // A saga's trigger is an event on a bus (M506 reports one that is not):
    // its rule matches the filter.
    for saga in &system.sagas {
        if let (Some(filter), Some(trigger)) = (&saga.trigger_filter, saga.trigger) {
            sites.push(FilterSite {
                filter,
                events: vec![trigger.value],
                named: true,
                kind: FilterKind::Pattern,
            });
        }
    }
    for (index, topic) in system.topics.iter().enumerate() {
        for subscription in &topic.subscriptions {
            let Some(filter) = &subscription.filter else {
                continue;
            };
            sites.push(FilterSite {
                filter,
                events: events_on(Channel::Topic(TopicId(index))),
                named: false,
                kind: FilterKind::Policy,
            });
        }
    }
    for site in &mut sites {
        site.events.sort();
        site.events.dedup();
    }
    sites.sort_by_key(|site| site.filter.span);
    sites.dedup_by_key(|site| site.filter.span);
    sites
}

/// A duration as the language writes retentions: whole days as `14d`
/// (never `2w`), anything else as `Duration` displays it.
pub(crate) fn days(duration: Duration) -> String {
    let day = Duration::from_days(1).as_millis();
    let millis = duration.as_millis();
    if millis > 0 && millis % day == 0 {
        format!("{}d", millis / day)
    } else {
        duration.to_string()
    }
}
