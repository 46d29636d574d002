//! Lowering events (with their schemas), buses, rules, queues, topics and
//! streams.

use super::{
    BUS, EVENT, QUEUE, RULE_TARGET, Resolver, SERVICE, STREAM, SUBSCRIBER, TOPIC, doc_text, name_of,
};
use crate::check::names::{
    aws_limit, conflicting_attributes, duplicate_attribute, duplicate_name, missing_attribute,
    type_mismatch, unknown_name,
};
use crate::diagnostics::Span;
use crate::model::aws::limits;
use crate::model::reader::{Reader, Setting};
use crate::model::units::Duration;
use crate::model::{
    Bus, Carrier, ComponentId, DeadLetter, Event, EventRule, EventSource, FieldDef, FieldType,
    FilterScope, Queue, RuleTarget, Schedule, Spanned, Stream, StreamCapacity, Subscription,
    SubscriptionTarget, Topic, Usage, defaults,
};
use crate::suggest;
use crate::syntax::ast::{self, Block, Declaration, Item, TypeExpr, TypeExprKind, ValueKind};

impl Resolver<'_> {
    pub(super) fn event(&mut self, declaration: &Declaration) -> Event {
        let mut reader = Self::reader(declaration);
        let span = declaration.name.span;
        let mut event = Event {
            name: name_of(&declaration.name),
            doc: doc_text(&declaration.doc),
            span: declaration.span,
            carrier: Spanned::new(Carrier::DefaultBus, span),
            source: None,
            detail_type: declaration.name.text.clone(),
            schema: Vec::new(),
            schema_span: None,
            usage: Usage::default(),
        };
        let carriers = [
            ("bus", reader.take("bus", self.diagnostics)),
            ("topic", reader.take("topic", self.diagnostics)),
            ("stream", reader.take("stream", self.diagnostics)),
        ];
        let mut chosen: Option<(&str, Span)> = None;
        for (key, setting) in carriers {
            let Some(setting) = setting else {
                continue;
            };
            if let Some((first, first_span)) = chosen {
                self.diagnostics.push(conflicting_attributes::diagnostic(
                    first,
                    first_span,
                    key,
                    setting.key.span,
                    "an event travels on one bus, topic or stream: keep one of them",
                ));
                continue;
            }
            chosen = Some((key, setting.key.span));
            let carrier = match key {
                "bus" => {
                    if matches!(&setting.value.kind, ValueKind::Path(path) if path.text() == "default")
                    {
                        Some(Carrier::DefaultBus)
                    } else {
                        match self.lookup_setting(setting, BUS).map(|id| id.value) {
                            Some(ComponentId::Bus(id)) => Some(Carrier::Bus(id)),
                            _ => None,
                        }
                    }
                }
                "topic" => match self.lookup_setting(setting, TOPIC).map(|id| id.value) {
                    Some(ComponentId::Topic(id)) => Some(Carrier::Topic(id)),
                    _ => None,
                },
                _ => match self.lookup_setting(setting, STREAM).map(|id| id.value) {
                    Some(ComponentId::Stream(id)) => Some(Carrier::Stream(id)),
                    _ => None,
                },
            };
            if let Some(carrier) = carrier {
                event.carrier = Spanned::new(carrier, setting.span());
            }
        }
        if let Some(setting) = reader.take("source", self.diagnostics) {
            event.source = match &setting.value.kind {
                ValueKind::String(text) => Some(Spanned::new(
                    EventSource::Text(text.clone()),
                    setting.span(),
                )),
                _ => match self.lookup_setting(setting, SERVICE) {
                    Some(Spanned {
                        value: ComponentId::Service(id),
                        span,
                    }) => Some(Spanned::new(EventSource::Service(id), span)),
                    _ => None,
                },
            };
        }
        if let Some(setting) = reader.take("detail_type", self.diagnostics) {
            if let Some(detail_type) = self.string(setting) {
                event.detail_type = detail_type.value;
            }
        }
        event.usage = self.usage_of(&mut reader);
        reader.finish(self.diagnostics);
        let mut schemas = declaration
            .members
            .iter()
            .filter_map(|member| match &member.item {
                Item::Schema(schema) => Some(schema),
                _ => None,
            });
        if let Some(schema) = schemas.next() {
            event.schema = self.fields(&schema.fields);
            event.schema_span = Some(schema.span);
            for extra in schemas {
                self.diagnostics.push(duplicate_attribute::diagnostic(
                    "schema",
                    schema.keyword_span,
                    extra.keyword_span,
                ));
            }
        }
        event
    }

    pub(super) fn fields(&mut self, fields: &[ast::Field]) -> Vec<FieldDef> {
        let mut lowered: Vec<FieldDef> = Vec::new();
        for field in fields {
            if let Some(first) = lowered
                .iter()
                .find(|known| known.name.text == field.name.text)
            {
                self.diagnostics.push(duplicate_name::diagnostic(
                    "field",
                    &field.name.text,
                    first.name.span,
                    field.name.span,
                ));
                continue;
            }
            let Some(ty) = self.field_type(&field.ty) else {
                continue;
            };
            lowered.push(FieldDef {
                name: name_of(&field.name),
                doc: doc_text(&field.doc),
                optional: field.optional,
                ty,
                span: field.span,
            });
        }
        lowered
    }

    pub(super) fn field_type(&mut self, ty: &TypeExpr) -> Option<FieldType> {
        const TYPES: [(&str, u8); 5] = [
            ("string", 0),
            ("number", 1),
            ("int", 2),
            ("bool", 3),
            ("timestamp", 4),
        ];
        match &ty.kind {
            TypeExprKind::Named(name) => {
                let Some(&(_, index)) = TYPES.iter().find(|(candidate, _)| *candidate == name.text)
                else {
                    let suggestion =
                        suggest::closest(&name.text, TYPES.iter().map(|(name, _)| *name));
                    let types = TYPES.map(|(name, _)| name);
                    self.diagnostics.push(unknown_name::builtin(
                        "type", &name.text, name.span, suggestion, &types,
                    ));
                    return None;
                };
                Some(match index {
                    0 => FieldType::String,
                    1 => FieldType::Number,
                    2 => FieldType::Int,
                    3 => FieldType::Bool,
                    _ => FieldType::Timestamp,
                })
            }
            TypeExprKind::Literal(text) => Some(FieldType::Enum(vec![text.clone()])),
            TypeExprKind::List(inner) => Some(FieldType::List(Box::new(self.field_type(inner)?))),
            TypeExprKind::Object(fields) => Some(FieldType::Object(self.fields(fields))),
            TypeExprKind::Union(alternatives) => {
                let mut literals = Vec::new();
                for alternative in alternatives {
                    if let TypeExprKind::Literal(text) = &alternative.kind {
                        literals.push(text.clone());
                    } else {
                        self.diagnostics.push(type_mismatch::diagnostic(
                            "a union",
                            "string literals",
                            "a type name",
                            alternative.span,
                            "\"pending\" | \"confirmed\"",
                        ));
                        return None;
                    }
                }
                Some(FieldType::Enum(literals))
            }
        }
    }

    pub(super) fn bus(&mut self, declaration: &Declaration) -> Bus {
        let mut reader = Self::reader(declaration);
        let mut bus = Bus {
            name: name_of(&declaration.name),
            doc: doc_text(&declaration.doc),
            span: declaration.span,
            archive: None,
            usage: Usage::default(),
        };
        if let Some(setting) = reader.take("archive", self.diagnostics) {
            bus.archive = match setting.value.kind {
                ValueKind::Bool(true) => Some(Spanned::new(Duration::ZERO, setting.span())),
                ValueKind::Bool(false) => None,
                _ => self.duration(setting).inspect(|retention| {
                    self.whole(
                        "an EventBridge archive retention",
                        "archive",
                        *retention,
                        Duration::from_days(1),
                    );
                }),
            };
        }
        bus.usage = self.usage_of(&mut reader);
        reader.finish(self.diagnostics);
        bus
    }

    pub(super) fn event_rule(&mut self, declaration: &Declaration) -> EventRule {
        let mut reader = Self::reader(declaration);
        let span = declaration.name.span;
        let mut rule = EventRule {
            name: name_of(&declaration.name),
            doc: doc_text(&declaration.doc),
            span: declaration.span,
            matches: Vec::new(),
            filter: None,
            schedule: None,
            targets: Vec::new(),
            retries: Spanned::new(defaults::RULE_RETRIES, span),
            max_event_age: Spanned::new(defaults::RULE_MAX_EVENT_AGE, span),
            dlq: None,
            usage: Usage::default(),
        };
        let mut matches_span: Option<Span> = None;
        for member in &declaration.members {
            let Item::Relation(relation) = &member.item else {
                continue;
            };
            if let Some(first) = matches_span {
                self.diagnostics.push(duplicate_attribute::diagnostic(
                    "matches",
                    first,
                    relation.keyword_span,
                ));
                continue;
            }
            matches_span = Some(relation.keyword_span);
            for target in &relation.targets {
                if let Some(ComponentId::Event(id)) = self.lookup(target, EVENT) {
                    rule.matches.push(Spanned::new(id, target.span));
                }
            }
            rule.filter = relation.filter.as_ref().map(|filter| self.filter(filter));
        }
        if let Some(setting) = reader.take("schedule", self.diagnostics) {
            rule.schedule = self.schedule(setting);
            if let Some(matches) = matches_span {
                self.diagnostics.push(conflicting_attributes::diagnostic(
                    "matches",
                    matches,
                    "schedule",
                    setting.key.span,
                    "a rule runs on a schedule or on matching events: split it into two rules",
                ));
            }
        } else if matches_span.is_none() {
            self.diagnostics.push(missing_attribute::diagnostic(
                &reader.owner,
                span,
                "matches",
                "matches OrderCreated where total > 100",
            ));
        }
        if let Some(setting) = self.required(&mut reader, "targets", "targets = [audit]") {
            rule.targets = self.list_of(setting, |resolver, item| {
                let target = resolver.lookup_setting(item, RULE_TARGET)?;
                let value = match target.value {
                    ComponentId::Service(id) => RuleTarget::Service(id),
                    ComponentId::Queue(id) => RuleTarget::Queue(id),
                    ComponentId::Topic(id) => RuleTarget::Topic(id),
                    ComponentId::Stream(id) => RuleTarget::Stream(id),
                    ComponentId::Saga(id) => RuleTarget::Saga(id),
                    _ => return None,
                };
                Some(Spanned::new(value, target.span))
            });
        }
        if let Some(setting) = reader.take("retries", self.diagnostics) {
            let (min, max) = limits::EVENTBRIDGE_RETRY_ATTEMPTS;
            if let Some(retries) = self.count_in(setting, min, max, true) {
                rule.retries = retries;
            }
        }
        if let Some(setting) = reader.take("max_age", self.diagnostics) {
            if let Some(age) = self.duration(setting) {
                self.duration_within(
                    "an event age",
                    "max_age",
                    age,
                    limits::EVENTBRIDGE_EVENT_AGE,
                    Duration::from_secs(1),
                );
                rule.max_event_age = age;
            }
        }
        if let Some(setting) = reader.take("dlq", self.diagnostics) {
            if let Some(Spanned {
                value: ComponentId::Queue(id),
                span,
            }) = self.lookup_setting(setting, QUEUE)
            {
                rule.dlq = Some(Spanned::new(id, span));
            }
        }
        rule.usage = self.usage_of(&mut reader);
        reader.finish(self.diagnostics);
        rule
    }

    /// `schedule = 5m` (every five minutes) or `schedule = "cron(0 3 * * ? *)"`.
    fn schedule(&mut self, setting: Setting<'_>) -> Option<Spanned<Schedule>> {
        if let ValueKind::String(expression) = &setting.value.kind {
            let cron = expression
                .strip_prefix("cron(")
                .and_then(|rest| rest.strip_suffix(')'))
                .filter(|fields| fields.split_whitespace().count() == 6);
            if cron.is_none() {
                self.mismatch(
                    setting,
                    "a rate or a cron expression",
                    "\"cron(0 3 * * ? *)\"",
                );
                return None;
            }
            Some(Spanned::new(
                Schedule::Cron(expression.clone()),
                setting.span(),
            ))
        } else {
            let every = self.duration(setting)?;
            if every.value < Duration::from_mins(1) || every.value.as_millis() % 60_000 != 0 {
                self.diagnostics.push(aws_limit::diagnostic(
                    "an EventBridge schedule",
                    &every.value.to_string(),
                    every.span,
                    "rates of whole minutes, 1m or more",
                    &format!("{} = 1m", setting.key.text),
                ));
                return None;
            }
            Some(Spanned::new(Schedule::Rate(every.value), every.span))
        }
    }

    pub(super) fn queue(&mut self, declaration: &Declaration) -> Queue {
        let mut reader = Self::reader(declaration);
        let span = declaration.name.span;
        let mut queue = Queue {
            name: name_of(&declaration.name),
            doc: doc_text(&declaration.doc),
            span: declaration.span,
            fifo: Spanned::new(false, span),
            visibility: Spanned::new(defaults::QUEUE_VISIBILITY, span),
            retention: Spanned::new(defaults::QUEUE_RETENTION, span),
            delay: Spanned::new(defaults::QUEUE_DELAY, span),
            receive_wait: Spanned::new(defaults::QUEUE_RECEIVE_WAIT, span),
            max_message_size: None,
            content_based_deduplication: false,
            dlq: None,
            usage: Usage::default(),
        };
        if let Some(setting) = reader.take("fifo", self.diagnostics) {
            if let Some(fifo) = self.boolean(setting) {
                queue.fifo = fifo;
            }
        }
        #[allow(clippy::type_complexity)] // A table of the four SQS durations.
        let durations: [(
            &'static str,
            &str,
            (Duration, Duration),
            &mut Spanned<Duration>,
        ); 4] = [
            (
                "visibility",
                "an SQS visibility timeout",
                limits::SQS_VISIBILITY,
                &mut queue.visibility,
            ),
            (
                "retention",
                "an SQS retention",
                limits::SQS_RETENTION,
                &mut queue.retention,
            ),
            (
                "delay",
                "an SQS delivery delay",
                limits::SQS_DELAY,
                &mut queue.delay,
            ),
            (
                "receive_wait",
                "an SQS receive wait",
                limits::SQS_RECEIVE_WAIT,
                &mut queue.receive_wait,
            ),
        ];
        for (key, what, bounds, slot) in durations {
            if let Some(setting) = reader.take(key, self.diagnostics) {
                if let Some(duration) = self.duration(setting) {
                    self.duration_within(what, key, duration, bounds, Duration::from_secs(1));
                    *slot = duration;
                }
            }
        }
        if let Some(setting) = reader.take("max_message_size", self.diagnostics) {
            if let Some(size) = self.size(setting) {
                self.size_within(
                    "an SQS message size",
                    "max_message_size",
                    size,
                    limits::SQS_MESSAGE_SIZE,
                );
                queue.max_message_size = Some(size);
            }
        }
        if let Some(setting) = reader.take("content_based_deduplication", self.diagnostics) {
            queue.content_based_deduplication =
                self.boolean(setting).is_some_and(|flag| flag.value);
        }
        let dlq_attribute = reader.take("dlq", self.diagnostics);
        let dlq_block = reader.block("dlq", self.diagnostics);
        match (dlq_block, dlq_attribute) {
            (Some(block), Some(setting)) => {
                self.diagnostics.push(conflicting_attributes::diagnostic(
                    "dlq { }",
                    block.keyword.span,
                    "dlq =",
                    setting.key.span,
                    "name the dead-letter queue inside the block: `dlq { queue = NAME  max_receives = 3 }`",
                ));
                queue.dlq = Some(self.dead_letter(block));
            }
            (Some(block), None) => queue.dlq = Some(self.dead_letter(block)),
            (None, Some(setting)) => {
                if let Some(Spanned {
                    value: ComponentId::Queue(id),
                    span,
                }) = self.lookup_setting(setting, QUEUE)
                {
                    queue.dlq = Some(DeadLetter {
                        max_receives: Spanned::new(defaults::DLQ_MAX_RECEIVES, span),
                        retention: Spanned::new(defaults::DLQ_RETENTION, span),
                        queue: Some(Spanned::new(id, span)),
                        span: setting.span(),
                    });
                }
            }
            (None, None) => {}
        }
        queue.usage = self.usage_of(&mut reader);
        reader.finish(self.diagnostics);
        queue
    }

    pub(super) fn dead_letter(&mut self, block: &Block) -> DeadLetter {
        let mut reader = Reader::members(
            "the `dlq` block".to_string(),
            block.keyword.span,
            &block.members,
        );
        let mut dead_letter = DeadLetter {
            max_receives: Spanned::new(defaults::DLQ_MAX_RECEIVES, block.keyword.span),
            retention: Spanned::new(defaults::DLQ_RETENTION, block.keyword.span),
            queue: None,
            span: block.span,
        };
        if let Some(setting) = reader.take("max_receives", self.diagnostics) {
            let (min, max) = limits::SQS_MAX_RECEIVES;
            if let Some(receives) = self.count_in(setting, min, max, true) {
                dead_letter.max_receives = receives;
            }
        }
        if let Some(setting) = reader.take("retention", self.diagnostics) {
            if let Some(retention) = self.duration(setting) {
                self.duration_within(
                    "an SQS retention",
                    "retention",
                    retention,
                    limits::SQS_RETENTION,
                    Duration::from_secs(1),
                );
                dead_letter.retention = retention;
            }
        }
        if let Some(setting) = reader.take("queue", self.diagnostics) {
            if let Some(Spanned {
                value: ComponentId::Queue(id),
                span,
            }) = self.lookup_setting(setting, QUEUE)
            {
                dead_letter.queue = Some(Spanned::new(id, span));
            }
        }
        reader.finish(self.diagnostics);
        dead_letter
    }

    pub(super) fn topic(&mut self, declaration: &Declaration) -> Topic {
        let mut reader = Self::reader(declaration);
        let mut topic = Topic {
            name: name_of(&declaration.name),
            doc: doc_text(&declaration.doc),
            span: declaration.span,
            fifo: Spanned::new(false, declaration.name.span),
            filter_on: Spanned::new(FilterScope::Body, declaration.name.span),
            subscriptions: Vec::new(),
            usage: Usage::default(),
        };
        if let Some(setting) = reader.take("fifo", self.diagnostics) {
            if let Some(fifo) = self.boolean(setting) {
                topic.fifo = fifo;
            }
        }
        if let Some(setting) = reader.take("filter_on", self.diagnostics) {
            if let Some(scope) = self.choice(
                setting,
                &[
                    ("body", FilterScope::Body),
                    ("attributes", FilterScope::Attributes),
                ],
            ) {
                topic.filter_on = scope;
            }
        }
        topic.usage = self.usage_of(&mut reader);
        reader.finish(self.diagnostics);
        for member in &declaration.members {
            let Item::Relation(relation) = &member.item else {
                continue;
            };
            let mut body = Self::relation_reader(relation);
            let raw_delivery = body
                .take("raw", self.diagnostics)
                .and_then(|setting| self.boolean(setting))
                .is_some_and(|flag| flag.value);
            body.finish(self.diagnostics);
            let filter = relation.filter.as_ref().map(|filter| self.filter(filter));
            for target in &relation.targets {
                let subscriber = match self.lookup(target, SUBSCRIBER) {
                    Some(ComponentId::Queue(id)) => SubscriptionTarget::Queue(id),
                    Some(ComponentId::Service(id)) => SubscriptionTarget::Service(id),
                    _ => continue,
                };
                topic.subscriptions.push(Subscription {
                    target: Spanned::new(subscriber, target.span),
                    filter: filter.clone(),
                    raw_delivery,
                    span: relation.span,
                });
            }
        }
        topic
    }

    pub(super) fn stream(&mut self, declaration: &Declaration) -> Stream {
        let mut reader = Self::reader(declaration);
        let span = declaration.name.span;
        let mut stream = Stream {
            name: name_of(&declaration.name),
            doc: doc_text(&declaration.doc),
            span: declaration.span,
            capacity: Spanned::new(StreamCapacity::OnDemand, span),
            retention: Spanned::new(defaults::STREAM_RETENTION, span),
            usage: Usage::default(),
        };
        let mode_setting = reader.take("mode", self.diagnostics);
        let mode = mode_setting.and_then(|setting| {
            self.choice(setting, &[("on_demand", false), ("provisioned", true)])
        });
        let shards = reader.take("shards", self.diagnostics).and_then(|setting| {
            let (min, max) = limits::KINESIS_SHARDS;
            self.count_in(setting, min, max, true)
                .map(|count| (count, setting.key.span))
        });
        match (mode, shards) {
            (Some(mode), Some((shards, shards_key))) if !mode.value => {
                let mode_key = mode_setting.map_or(mode.span, |setting| setting.key.span);
                self.diagnostics.push(conflicting_attributes::diagnostic(
                    "mode = on_demand",
                    mode_key,
                    "shards",
                    shards_key,
                    "an on-demand stream scales its own shards: remove `shards`, or write `mode = provisioned`",
                ));
                stream.capacity = Spanned::new(
                    StreamCapacity::Provisioned {
                        shards: shards.value,
                    },
                    shards.span,
                );
            }
            (_, Some((shards, _))) => {
                stream.capacity = Spanned::new(
                    StreamCapacity::Provisioned {
                        shards: shards.value,
                    },
                    shards.span,
                );
            }
            (Some(mode), None) if mode.value => {
                self.diagnostics.push(missing_attribute::diagnostic(
                    &reader.owner,
                    reader.owner_span,
                    "shards",
                    "shards = 2",
                ));
            }
            _ => {}
        }
        if let Some(setting) = reader.take("retention", self.diagnostics) {
            if let Some(retention) = self.duration(setting) {
                self.duration_within(
                    "a Kinesis retention",
                    "retention",
                    retention,
                    limits::KINESIS_RETENTION,
                    Duration::from_hours(1),
                );
                stream.retention = retention;
            }
        }
        stream.usage = self.usage_of(&mut reader);
        reader.finish(self.diagnostics);
        stream
    }
}
