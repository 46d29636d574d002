//! Lowering sagas: their steps, the operations they invoke and undo, and
//! their retry policies.

use super::{EVENT, QUEUE, Resolver, SERVICE, doc_text, name_of};
use crate::check::names::{aws_limit, duplicate_name, missing_attribute};
use crate::model::aws::limits;
use crate::model::reader::{Reader, Setting};
use crate::model::units::Duration;
use crate::model::{
    ComponentId, OperationRef, Retry, Saga, SagaMode, Spanned, Step, Usage, defaults,
};
use crate::syntax::ast::{Block, Declaration, Path, ValueKind};

impl Resolver<'_> {
    pub(super) fn operation(&mut self, setting: Setting<'_>) -> Option<OperationRef> {
        let path = self.path(setting, "payment.charge")?;
        let [service, operation] = path.segments.as_slice() else {
            self.mismatch(
                setting,
                "an operation `service.operation`",
                "payment.charge",
            );
            return None;
        };
        let service_path = Path {
            segments: vec![service.clone()],
            span: service.span,
        };
        let Some(ComponentId::Service(id)) = self.lookup(&service_path, SERVICE) else {
            return None;
        };
        Some(OperationRef {
            service: id,
            operation: name_of(operation),
            span: path.span,
        })
    }

    pub(super) fn saga(&mut self, declaration: &Declaration) -> Saga {
        let mut reader = Self::reader(declaration);
        let span = declaration.name.span;
        let mut saga = Saga {
            name: name_of(&declaration.name),
            doc: doc_text(&declaration.doc),
            span: declaration.span,
            trigger: None,
            trigger_filter: None,
            timeout: None,
            mode: Spanned::new(SagaMode::Orchestrated, span),
            steps: Vec::new(),
            on_failure: None,
            dlq: None,
            usage: Usage::default(),
        };
        saga.trigger_filter = reader.filter("trigger").map(|filter| self.filter(filter));
        if let Some(setting) = reader.take("trigger", self.diagnostics) {
            if let Some(Spanned {
                value: ComponentId::Event(id),
                span,
            }) = self.lookup_setting(setting, EVENT)
            {
                saga.trigger = Some(Spanned::new(id, span));
            }
        }
        if let Some(setting) = reader.take("timeout", self.diagnostics) {
            if let Some(timeout) = self.duration(setting) {
                self.duration_within(
                    "a Step Functions timeout",
                    "timeout",
                    timeout,
                    limits::STATES_TIMEOUT,
                    Duration::from_secs(1),
                );
                saga.timeout = Some(timeout);
            }
        }
        if let Some(setting) = reader.take("mode", self.diagnostics) {
            if let Some(mode) = self.choice(
                setting,
                &[
                    ("orchestrated", SagaMode::Orchestrated),
                    ("choreographed", SagaMode::Choreographed),
                ],
            ) {
                saga.mode = mode;
            }
        }
        for block in reader.blocks("step") {
            let Some(mut step) = self.step(block) else {
                continue;
            };
            step.doc = reader.doc_of(block);
            if let Some(first) = saga
                .steps
                .iter()
                .find(|known| known.name.text == step.name.text)
            {
                self.diagnostics.push(duplicate_name::diagnostic(
                    "step",
                    &step.name.text,
                    first.name.span,
                    step.name.span,
                ));
            } else {
                saga.steps.push(step);
            }
        }
        if let Some(setting) = reader.take("on_failure", self.diagnostics) {
            saga.on_failure = self.operation(setting);
        }
        if let Some(setting) = reader.take("dlq", self.diagnostics) {
            if let Some(Spanned {
                value: ComponentId::Queue(id),
                span,
            }) = self.lookup_setting(setting, QUEUE)
            {
                saga.dlq = Some(Spanned::new(id, span));
            }
        }
        saga.usage = self.usage_of(&mut reader);
        reader.finish(self.diagnostics);
        saga
    }

    pub(super) fn step(&mut self, block: &Block) -> Option<Step> {
        let Some(name) = &block.name else {
            self.diagnostics.push(missing_attribute::diagnostic(
                "this step",
                block.keyword.span,
                "name",
                "step charge { do = payment.charge }",
            ));
            return None;
        };
        let mut reader =
            Reader::members(format!("step `{}`", name.text), name.span, &block.members);
        let mut step = Step {
            name: name_of(name),
            doc: Vec::new(),
            span: block.span,
            action: None,
            undo: None,
            retry: None,
            timeout: None,
            pivot: false,
        };
        if let Some(setting) = self.required(&mut reader, "do", "do = payment.charge") {
            step.action = self.operation(setting);
        }
        if let Some(setting) = reader.take("undo", self.diagnostics) {
            step.undo = self.operation(setting);
        }
        if let Some(setting) = reader.take("retry", self.diagnostics) {
            step.retry = self.retry(setting);
        }
        if let Some(setting) = reader.take("timeout", self.diagnostics) {
            if let Some(timeout) = self.duration(setting) {
                self.duration_within(
                    "a Step Functions timeout",
                    "timeout",
                    timeout,
                    limits::STATES_TIMEOUT,
                    Duration::from_secs(1),
                );
                step.timeout = Some(timeout);
            }
        }
        if let Some(setting) = reader.take("pivot", self.diagnostics) {
            step.pivot = self.boolean(setting).is_some_and(|flag| flag.value);
        }
        reader.finish(self.diagnostics);
        Some(step)
    }

    pub(super) fn retry(&mut self, setting: Setting<'_>) -> Option<Retry> {
        let ValueKind::Object(entries) = &setting.value.kind else {
            self.mismatch(
                setting,
                "an object",
                "{ attempts = 3  backoff = 2s  rate = 2.0 }",
            );
            return None;
        };
        let span = setting.span();
        let mut reader = Reader::entries("the `retry`".to_string(), span, entries);
        let mut retry = Retry {
            attempts: Spanned::new(defaults::RETRY_ATTEMPTS, span),
            backoff: Spanned::new(defaults::RETRY_BACKOFF, span),
            rate: Spanned::new(defaults::RETRY_RATE, span),
            max_delay: None,
            jitter: false,
            span,
        };
        if let Some(attempts) = reader.take("attempts", self.diagnostics) {
            if let Some(attempts) = self.count_in(attempts, 1, 100, false) {
                retry.attempts = attempts;
            }
        }
        if let Some(backoff) = reader.take("backoff", self.diagnostics) {
            if let Some(backoff) = self.duration(backoff) {
                self.duration_within(
                    "a Step Functions retry interval",
                    "backoff",
                    backoff,
                    (Duration::from_secs(1), Duration::from_days(365)),
                    Duration::from_secs(1),
                );
                retry.backoff = backoff;
            }
        }
        if let Some(rate) = reader.take("rate", self.diagnostics) {
            if let Some(rate) = self.number(rate) {
                if rate.value < 1.0 {
                    self.diagnostics.push(aws_limit::diagnostic(
                        "a Step Functions backoff rate",
                        &rate.value.to_string(),
                        rate.span,
                        "1.0 or more",
                        "rate = 1.0",
                    ));
                }
                retry.rate = rate;
            }
        }
        if let Some(max_delay) = reader.take("max_delay", self.diagnostics) {
            retry.max_delay = self.duration(max_delay);
            if let Some(max_delay) = retry.max_delay {
                self.whole(
                    "a Step Functions retry delay",
                    "max_delay",
                    max_delay,
                    Duration::from_secs(1),
                );
            }
        }
        if let Some(jitter) = reader.take("jitter", self.diagnostics) {
            retry.jitter = self.boolean(jitter).is_some_and(|flag| flag.value);
        }
        reader.finish(self.diagnostics);
        Some(retry)
    }
}
