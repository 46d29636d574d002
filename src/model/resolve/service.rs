//! Lowering services: compute, exposure, and the relations `calls`,
//! `publishes`, `consumes` and `uses` with their `where` filters.

use super::{CHANNEL, DATA_STORE, QUEUE, Resolver, SERVICE, doc_text, name_of};
use crate::check::names::{
    aws_limit, duplicate_name, invalid_fargate_size, invalid_value, value_out_of_range,
};
use crate::diagnostics::Span;
use crate::model::aws::{self, RuntimeStatus, limits};
use crate::model::reader::{Reader, Setting};
use crate::model::units::Duration;
use crate::model::{
    Access, Architecture, Breaker, Call, Channel, Cidr, ComponentId, Compute, Condition, Consume,
    DataStore, Destination, Egress, Expose, Fargate, Filter, FilterValue, IamStatement, Lambda,
    LoadBalancerKind, Name, Publish, Scalar, Service, Spanned, Tier, Usage, Use, Via, defaults,
};
use crate::suggest;
use crate::syntax::ast::{
    self, CompareOp, Declaration, Item, Path, Relation, RelationKind, ValueKind,
};

impl Resolver<'_> {
    pub(super) fn service(&mut self, declaration: &Declaration) -> Service {
        let mut reader = Self::reader(declaration);
        let span = declaration.name.span;
        let mut service = Service {
            name: name_of(&declaration.name),
            doc: doc_text(&declaration.doc),
            span: declaration.span,
            compute: Compute::Fargate(Fargate {
                millicpu: Spanned::new(defaults::FARGATE_MILLICPU, span),
                memory: Spanned::new(defaults::FARGATE_MEMORY, span),
                replicas: Spanned::new(defaults::FARGATE_REPLICAS, span),
                architecture: Architecture::X86_64,
                image: None,
                span,
            }),
            subnet: None,
            port: None,
            expose: None,
            calls: Vec::new(),
            publishes: Vec::new(),
            consumes: Vec::new(),
            uses: Vec::new(),
            operations: Vec::new(),
            apis: Vec::new(),
            iam: Vec::new(),
            egress: Vec::new(),
            log_retention: Spanned::new(defaults::LOG_RETENTION, span),
            environment: Vec::new(),
            usage: Usage::default(),
        };
        if let Some(setting) = self.required(
            &mut reader,
            "compute",
            "compute = fargate { cpu = 0.5  memory = 1GB }",
        ) {
            if let Some(compute) = self.compute(setting) {
                service.compute = compute;
            }
        }
        // A Fargate task always runs in subnets of a VPC; a Lambda function
        // without a subnet runs outside any VPC.
        let subnet = if matches!(service.compute, Compute::Fargate(_)) {
            let example = self.subnet_example(&[Tier::Private], "app");
            self.required(&mut reader, "subnet", &example)
        } else {
            reader.take("subnet", self.diagnostics)
        };
        if let Some(setting) = subnet {
            service.subnet = self.subnet(setting);
        }
        if let Some(setting) = reader.take("port", self.diagnostics) {
            service.port = self.port(setting);
        }
        if let Some(setting) = reader.take("expose", self.diagnostics) {
            service.expose = self.expose(setting);
        }
        if let Some(setting) = reader.take("operations", self.diagnostics) {
            service.operations = self.names_list(setting, "operation");
        }
        if let Some(setting) = reader.take("apis", self.diagnostics) {
            service.apis = self.list_of(setting, Self::aws_service);
        }
        if let Some(setting) = reader.take("iam", self.diagnostics) {
            service.iam = self.list_of(setting, Self::iam_statement);
        }
        if let Some(setting) = reader.take("egress", self.diagnostics) {
            service.egress = self.list_of(setting, Self::egress);
        }
        if let Some(setting) = reader.take("log_retention", self.diagnostics) {
            if let Some(retention) = self.log_retention(setting) {
                service.log_retention = retention;
            }
        }
        if let Some(setting) = reader.take("environment", self.diagnostics) {
            service.environment = self.environment(setting);
        }
        service.usage = self.usage_of(&mut reader);
        reader.finish(self.diagnostics);
        for member in &declaration.members {
            if let Item::Relation(relation) = &member.item {
                match relation.kind {
                    RelationKind::Calls => service.calls.extend(self.calls(relation)),
                    RelationKind::Publishes => service.publishes.extend(self.publishes(relation)),
                    RelationKind::Consumes => service.consumes.extend(self.consumes(relation)),
                    RelationKind::Uses => service.uses.extend(self.uses(relation)),
                    RelationKind::Subscribe | RelationKind::Matches => {}
                }
            }
        }
        // A service has one or two relations of a kind; grown one by one, a
        // vector keeps room for four, which at thousands of services is a
        // tenth of the memory a check takes.
        service.calls.shrink_to_fit();
        service.publishes.shrink_to_fit();
        service.consumes.shrink_to_fit();
        service.uses.shrink_to_fit();
        service
    }

    pub(super) fn names_list(&mut self, setting: Setting<'_>, what: &str) -> Vec<Name> {
        let idents: Vec<&ast::Ident> = self.list_of(setting, |resolver, item| resolver.ident(item));
        let mut names: Vec<Name> = Vec::new();
        for ident in idents {
            if let Some(first) = names.iter().find(|name| name.text == ident.text) {
                self.diagnostics.push(duplicate_name::diagnostic(
                    what,
                    &ident.text,
                    first.span,
                    ident.span,
                ));
            } else {
                names.push(name_of(ident));
            }
        }
        names
    }

    pub(super) fn log_retention(&mut self, setting: Setting<'_>) -> Option<Spanned<Duration>> {
        let retention = self.duration(setting)?;
        let days = retention.value.as_days_ceil();
        let whole_days = retention.value == Duration::from_days(days);
        if whole_days && limits::LOG_RETENTION_DAYS.contains(&days) {
            return Some(retention);
        }
        let nearest = limits::LOG_RETENTION_DAYS
            .iter()
            .copied()
            .find(|&allowed| allowed >= days)
            .unwrap_or(3653);
        self.diagnostics.push(aws_limit::diagnostic(
            "a CloudWatch log retention",
            &retention.value.to_string(),
            retention.span,
            "1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653 days",
            &format!("log_retention = {nearest}d"),
        ));
        None
    }

    pub(super) fn compute(&mut self, setting: Setting<'_>) -> Option<Compute> {
        let (name, entries) = match &setting.value.kind {
            ValueKind::Constructor { name, entries } => (name, entries.as_slice()),
            ValueKind::Path(path) if path.segments.len() == 1 => (path.segments.first()?, &[][..]),
            _ => {
                self.mismatch(
                    setting,
                    "`fargate { ... }` or `lambda { ... }`",
                    "lambda { runtime = \"python3.12\" }",
                );
                return None;
            }
        };
        let kind = self.choose(
            "compute",
            &name.text,
            name.span,
            &[("fargate", true), ("lambda", false)],
        )?;
        let span = setting.span();
        let mut reader = Reader::entries(format!("`{}` compute", name.text), name.span, entries);
        let architecture = match reader.take("architecture", self.diagnostics) {
            Some(setting) => self
                .choice(
                    setting,
                    &[
                        ("x86_64", Architecture::X86_64),
                        ("arm64", Architecture::Arm64),
                    ],
                )
                .map_or(Architecture::X86_64, |choice| choice.value),
            None => Architecture::X86_64,
        };
        let compute = if kind.value {
            Compute::Fargate(self.fargate(&mut reader, architecture, span))
        } else {
            Compute::Lambda(self.lambda(&mut reader, architecture, span))
        };
        reader.finish(self.diagnostics);
        Some(compute)
    }

    pub(super) fn fargate(
        &mut self,
        reader: &mut Reader<'_>,
        architecture: Architecture,
        span: Span,
    ) -> Fargate {
        let mut fargate = Fargate {
            millicpu: Spanned::new(defaults::FARGATE_MILLICPU, span),
            memory: Spanned::new(defaults::FARGATE_MEMORY, span),
            replicas: Spanned::new(defaults::FARGATE_REPLICAS, span),
            architecture,
            image: None,
            span,
        };
        let mut size_valid = true;
        let cpu_setting = reader.take("cpu", self.diagnostics);
        let memory_setting = reader.take("memory", self.diagnostics);
        // A size from a default the user meant to override is no error of
        // theirs: the misspelt key is (M203).
        if (cpu_setting.is_none() && reader.has_misspelling_of("cpu"))
            || (memory_setting.is_none() && reader.has_misspelling_of("memory"))
        {
            size_valid = false;
        }
        if let Some(setting) = cpu_setting {
            if let Some(cpu) = self.number(setting) {
                let millicpu = (cpu.value * 1000.0).round().clamp(0.0, f64::from(u32::MAX)) as u32;
                let known = aws::FARGATE_SIZES
                    .iter()
                    .any(|&(size, ..)| size == millicpu);
                if known {
                    fargate.millicpu = Spanned::new(millicpu, cpu.span);
                } else {
                    size_valid = false;
                    let help = if cpu.value >= 128.0 {
                        format!(
                            "`cpu` is in vCPU, not CPU units: write `cpu = {}`",
                            cpu.value / 1024.0
                        )
                    } else {
                        format!("`cpu` is one of {}", aws::FARGATE_CPUS)
                    };
                    self.diagnostics.push(invalid_fargate_size::diagnostic(
                        &crate::model::values::text_of(setting.value),
                        None,
                        cpu.span,
                        &help,
                    ));
                }
            }
        }
        if let Some(setting) = memory_setting {
            if let Some(memory) = self.size(setting) {
                fargate.memory = memory;
            }
        }
        if size_valid && !aws::fargate_size_valid(fargate.millicpu.value, fargate.memory.value) {
            let text = aws::fargate_memory_text(fargate.millicpu.value).unwrap_or_default();
            self.diagnostics.push(invalid_fargate_size::diagnostic(
                &(f64::from(fargate.millicpu.value) / 1000.0).to_string(),
                Some(&fargate.memory.value.to_string()),
                fargate.memory.span.to(fargate.millicpu.span),
                &text,
            ));
        }
        if let Some(setting) = reader.take("replicas", self.diagnostics) {
            let (min, max) = limits::ECS_REPLICAS;
            if let Some(replicas) = self.count_in(setting, min, max, true) {
                fargate.replicas = replicas;
            }
        }
        if let Some(setting) = reader.take("image", self.diagnostics) {
            fargate.image = self.string(setting).map(|image| image.value);
        }
        fargate
    }

    pub(super) fn lambda(
        &mut self,
        reader: &mut Reader<'_>,
        architecture: Architecture,
        span: Span,
    ) -> Lambda {
        let mut lambda = Lambda {
            runtime: Spanned::new(String::new(), span),
            memory: Spanned::new(defaults::LAMBDA_MEMORY, span),
            timeout: Spanned::new(defaults::LAMBDA_TIMEOUT, span),
            architecture,
            handler: None,
            reserved_concurrency: None,
            ephemeral_storage: None,
            span,
        };
        if let Some(setting) = self.required(reader, "runtime", "runtime = \"python3.13\"") {
            if let Some(runtime) = self.string(setting) {
                self.check_runtime(&runtime);
                lambda.runtime = runtime;
            }
        }
        if let Some(setting) = reader.take("memory", self.diagnostics) {
            if let Some(memory) = self.size(setting) {
                self.size_within("Lambda memory", "memory", memory, limits::LAMBDA_MEMORY);
                lambda.memory = memory;
            }
        }
        if let Some(setting) = reader.take("timeout", self.diagnostics) {
            if let Some(timeout) = self.duration(setting) {
                self.duration_within(
                    "a Lambda timeout",
                    "timeout",
                    timeout,
                    limits::LAMBDA_TIMEOUT,
                    Duration::from_secs(1),
                );
                lambda.timeout = timeout;
            }
        }
        if let Some(setting) = reader.take("handler", self.diagnostics) {
            lambda.handler = self.string(setting).map(|handler| handler.value);
        }
        if let Some(setting) = reader.take("concurrency", self.diagnostics) {
            lambda.reserved_concurrency = self.count_in(setting, 0, 1000, false);
        }
        if let Some(setting) = reader.take("storage", self.diagnostics) {
            if let Some(storage) = self.size(setting) {
                self.size_within(
                    "Lambda ephemeral storage",
                    "storage",
                    storage,
                    limits::LAMBDA_EPHEMERAL_STORAGE,
                );
                lambda.ephemeral_storage = Some(storage);
            }
        }
        lambda
    }

    pub(super) fn check_runtime(&mut self, runtime: &Spanned<String>) {
        match aws::runtime_status(&runtime.value) {
            RuntimeStatus::Supported => {}
            RuntimeStatus::Deprecated { since, successor } => {
                self.diagnostics.push(
                    invalid_value::diagnostic(
                        "runtime",
                        &runtime.value,
                        runtime.span,
                        &aws::supported_runtimes(),
                        Some(successor),
                    )
                    .note(format!("Lambda deprecated `{}` on {since}", runtime.value)),
                );
            }
            RuntimeStatus::Unknown => {
                let supported = aws::supported_runtimes();
                let suggestion = suggest::closest(&runtime.value, supported.iter().copied());
                self.diagnostics.push(invalid_value::diagnostic(
                    "runtime",
                    &runtime.value,
                    runtime.span,
                    &supported,
                    suggestion,
                ));
            }
        }
    }

    pub(super) fn expose(&mut self, setting: Setting<'_>) -> Option<Expose> {
        let (name, entries) = match &setting.value.kind {
            ValueKind::Constructor { name, entries } => (name, entries.as_slice()),
            ValueKind::Path(path) if path.segments.len() == 1 => (path.segments.first()?, &[][..]),
            _ => {
                self.mismatch(
                    setting,
                    "`alb { ... }` or `nlb { ... }`",
                    "alb { public = true }",
                );
                return None;
            }
        };
        let kind = self.choose(
            "expose",
            &name.text,
            name.span,
            &[
                ("alb", LoadBalancerKind::Alb),
                ("nlb", LoadBalancerKind::Nlb),
            ],
        )?;
        let mut reader = Reader::entries(format!("`expose = {}`", name.text), name.span, entries);
        let mut expose = Expose {
            kind: kind.value,
            public: false,
            path: None,
            certificate: None,
            health_check: None,
            span: setting.span(),
        };
        if let Some(setting) = reader.take("public", self.diagnostics) {
            expose.public = self.boolean(setting).is_some_and(|flag| flag.value);
        }
        // A network load balancer forwards TCP: it neither routes by path
        // nor ends TLS here, so `path` and `certificate` are unknown to it.
        if kind.value == LoadBalancerKind::Alb {
            if let Some(setting) = reader.take("path", self.diagnostics) {
                expose.path = self.http_path(setting, &aws::ALB_PATH_PATTERN);
            }
            if let Some(setting) = reader.take("certificate", self.diagnostics) {
                expose.certificate = self.string(setting).map(|certificate| certificate.value);
            }
        }
        if let Some(setting) = reader.take("health", self.diagnostics) {
            expose.health_check = self.http_path(setting, &aws::HEALTH_CHECK_PATH);
        }
        reader.finish(self.diagnostics);
        Some(expose)
    }

    /// A string that AWS accepts as a path of `rule`, or M209 at it.
    fn http_path(&mut self, setting: Setting<'_>, rule: &aws::HttpPathRule) -> Option<String> {
        let path = self.string(setting)?;
        if rule.accepts(&path.value) {
            return Some(path.value);
        }
        let shown = if path.value.chars().count() > 60 {
            let head: String = path.value.chars().take(40).collect();
            format!("\"{head}…\" ({} characters)", path.value.chars().count())
        } else {
            format!("{:?}", path.value)
        };
        self.diagnostics.push(aws_limit::diagnostic(
            rule.what,
            &shown,
            path.span,
            rule.text,
            &format!("{:?}", rule.nearest(&path.value)),
        ));
        None
    }

    pub(super) fn relation_reader(relation: &Relation) -> Reader<'_> {
        let targets: Vec<String> = relation.targets.iter().map(Path::text).collect();
        Reader::members(
            format!("`{} {}`", relation.kind.keyword(), targets.join(", ")),
            relation.keyword_span,
            relation.body.as_deref().unwrap_or(&[]),
        )
    }

    pub(super) fn calls(&mut self, relation: &Relation) -> Vec<Call> {
        let mut reader = Self::relation_reader(relation);
        let via = reader.take("via", self.diagnostics).and_then(|setting| {
            self.choice(
                setting,
                &[
                    ("mesh", Via::Mesh),
                    ("privatelink", Via::PrivateLink),
                    ("dns", Via::Dns),
                    ("alb", Via::Alb),
                    ("invoke", Via::Invoke),
                ],
            )
        });
        let timeout = reader
            .take("timeout", self.diagnostics)
            .and_then(|setting| self.positive_duration(setting));
        let retries = reader
            .take("retries", self.diagnostics)
            .and_then(|setting| self.count_in(setting, 0, 10, false));
        let breaker = reader
            .take("breaker", self.diagnostics)
            .and_then(|setting| self.breaker(setting));
        let usage = self.usage_of(&mut reader);
        reader.finish(self.diagnostics);
        let mut calls = Vec::new();
        for target in &relation.targets {
            let Some(ComponentId::Service(id)) = self.lookup(target, SERVICE) else {
                continue;
            };
            calls.push(Call {
                target: id,
                target_span: target.span,
                via: via.unwrap_or(Spanned::new(Via::Mesh, relation.keyword_span)),
                via_declared: via.is_some(),
                timeout: timeout
                    .unwrap_or(Spanned::new(defaults::CALL_TIMEOUT, relation.keyword_span)),
                retries: retries
                    .unwrap_or(Spanned::new(defaults::CALL_RETRIES, relation.keyword_span)),
                breaker,
                usage: usage.clone(),
                span: relation.span,
            });
        }
        calls
    }

    /// One destination outside the system: `{ host = "..."  to = CIDR
    /// port = 443 }`.
    pub(super) fn egress(&mut self, setting: Setting<'_>) -> Option<Egress> {
        let ValueKind::Object(entries) = &setting.value.kind else {
            self.mismatch(
                setting,
                "a destination",
                "{ host = \"api.example.com\"  port = 443 }",
            );
            return None;
        };
        let mut reader = Reader::entries(
            "an `egress` destination".to_string(),
            setting.span(),
            entries,
        );
        let host = reader
            .take("host", self.diagnostics)
            .and_then(|host| self.string(host));
        let to = match reader.take("to", self.diagnostics) {
            Some(to) => self.destination(to)?,
            None => Spanned::new(Destination::Addresses(Cidr::anywhere()), setting.span()),
        };
        let port = self
            .required(&mut reader, "port", "port = 443")
            .and_then(|port| self.port(port));
        reader.finish(self.diagnostics);
        Some(Egress {
            host,
            to,
            port: port?,
            span: setting.span(),
        })
    }

    /// Where an `egress` goes: a CIDR block, or the id of a managed prefix
    /// list (`"pl-0123456789abcdef0"`).
    fn destination(&mut self, setting: Setting<'_>) -> Option<Spanned<Destination>> {
        const EXAMPLE: &str = "\"pl-0123456789abcdef0\"";
        if let ValueKind::String(text) = &setting.value.kind {
            if is_prefix_list_id(text) {
                return Some(Spanned::new(
                    Destination::PrefixList(text.clone()),
                    setting.value.span,
                ));
            }
            self.diagnostics.push(value_out_of_range::diagnostic(
                "prefix list id",
                text,
                setting.value.span,
                "`pl-` and 8 or 17 lower-case hexadecimal digits",
                &format!(
                    "name the managed prefix list by its id, as in `to = {EXAMPLE}`, or write a CIDR block: `to = 203.0.113.0/24`"
                ),
            ));
            return None;
        }
        self.cidr(setting)
            .map(|cidr| Spanned::new(Destination::Addresses(cidr.value), cidr.span))
    }

    /// One hand-written IAM statement: explicit actions on explicit ARNs,
    /// with the reason a reviewer reads.
    pub(super) fn iam_statement(&mut self, setting: Setting<'_>) -> Option<IamStatement> {
        const EXAMPLE: &str =
            "{ actions = [\"sns:Publish\"]  resources = [\"*\"]  reason = \"...\" }";
        let ValueKind::Object(entries) = &setting.value.kind else {
            self.mismatch(setting, "an IAM statement", EXAMPLE);
            return None;
        };
        let mut reader = Reader::entries("an `iam` statement".to_string(), setting.span(), entries);
        let actions = self
            .required(&mut reader, "actions", "actions = [\"sns:Publish\"]")
            .map(|actions| self.list_of(actions, Self::iam_action))
            .unwrap_or_default();
        let resources = self
            .required(&mut reader, "resources", "resources = [\"arn:aws:...\"]")
            .map(|resources| self.list_of(resources, Self::iam_resource))
            .unwrap_or_default();
        let reason = self
            .required(
                &mut reader,
                "reason",
                "reason = \"why the language cannot say it\"",
            )
            .and_then(|reason| self.string(reason))
            .filter(|reason| {
                let empty = reason.value.trim().is_empty();
                if empty {
                    self.diagnostics.push(invalid_value::malformed(
                        "reason",
                        &reason.value,
                        reason.span,
                        "say why the role needs it: the reviewer reads this reason",
                    ));
                }
                !empty
            });
        reader.finish(self.diagnostics);
        if actions.is_empty() || resources.is_empty() {
            return None;
        }
        Some(IamStatement {
            actions,
            resources,
            reason: reason?,
            span: setting.span(),
        })
    }

    /// `service:Action`: a lower-case service prefix and an action name,
    /// with no wildcard (meshc grants no action it cannot name).
    fn iam_action(&mut self, setting: Setting<'_>) -> Option<Spanned<String>> {
        let text = self.string(setting)?;
        let valid = text.value.split_once(':').is_some_and(|(prefix, action)| {
            !prefix.is_empty()
                && prefix
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
                && action
                    .chars()
                    .next()
                    .is_some_and(|ch| ch.is_ascii_uppercase())
                && action.chars().all(|ch| ch.is_ascii_alphanumeric())
        });
        if valid {
            return Some(text);
        }
        let help = if text.value.contains('*') {
            "name every action (`s3:GetObject`, not `s3:Get*`): a wildcard grants actions \
             AWS adds later, unseen by review"
        } else {
            "an action is `service:Action`, as in `sns:Publish`"
        };
        self.diagnostics.push(invalid_value::malformed(
            "action",
            &text.value,
            text.span,
            help,
        ));
        None
    }

    /// An ARN (`arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`) or `*`.
    fn iam_resource(&mut self, setting: Setting<'_>) -> Option<Spanned<String>> {
        let text = self.string(setting)?;
        if text.value == "*" || aws::is_arn(&text.value) {
            return Some(text);
        }
        self.diagnostics.push(invalid_value::malformed(
            "resource",
            &text.value,
            text.span,
            "a resource is an ARN, `arn:aws:SERVICE:REGION:ACCOUNT:RESOURCE`, or `*` for an \
             action that takes none",
        ));
        None
    }

    pub(super) fn breaker(&mut self, setting: Setting<'_>) -> Option<Breaker> {
        let ValueKind::Object(entries) = &setting.value.kind else {
            self.mismatch(setting, "an object", "{ errors = 50%  reset = 30s }");
            return None;
        };
        let mut reader = Reader::entries("the `breaker`".to_string(), setting.span(), entries);
        let errors = self
            .required(&mut reader, "errors", "errors = 50%")
            .and_then(|errors| {
                let percent = self.percent(errors)?;
                if percent.value == 0.0 {
                    self.diagnostics.push(value_out_of_range::diagnostic(
                        "breaker threshold",
                        "0%",
                        percent.span,
                        "above 0%",
                        "a breaker that opens at 0% errors never lets a request through: write `errors = 50%`",
                    ));
                    return None;
                }
                Some(percent)
            });
        let reset = self
            .required(&mut reader, "reset", "reset = 30s")
            .and_then(|reset| self.positive_duration(reset));
        reader.finish(self.diagnostics);
        Some(Breaker {
            errors: errors?,
            reset: reset?,
            span: setting.span(),
        })
    }

    pub(super) fn channel(&mut self, path: &Path) -> Option<Spanned<Channel>> {
        let channel = match self.lookup(path, CHANNEL)? {
            ComponentId::Event(id) => Channel::Event(id),
            ComponentId::Queue(id) => Channel::Queue(id),
            ComponentId::Topic(id) => Channel::Topic(id),
            ComponentId::Stream(id) => Channel::Stream(id),
            _ => return None,
        };
        Some(Spanned::new(channel, path.span))
    }

    pub(super) fn publishes(&mut self, relation: &Relation) -> Vec<Publish> {
        let mut reader = Self::relation_reader(relation);
        let usage = self.usage_of(&mut reader);
        reader.finish(self.diagnostics);
        relation
            .targets
            .iter()
            .filter_map(|target| self.channel(target))
            .map(|channel| Publish {
                target: channel.value,
                target_span: channel.span,
                usage: usage.clone(),
                span: relation.span,
            })
            .collect()
    }

    pub(super) fn consumes(&mut self, relation: &Relation) -> Option<Consume> {
        let mut reader = Self::relation_reader(relation);
        let batch_size = reader
            .take("batch_size", self.diagnostics)
            .and_then(|setting| self.count_in(setting, 1, 10_000, true));
        let batch_window = reader
            .take("batch_window", self.diagnostics)
            .and_then(|setting| {
                let window = self.duration(setting)?;
                self.duration_within(
                    "a Lambda batching window",
                    "batch_window",
                    window,
                    limits::LAMBDA_BATCH_WINDOW,
                    Duration::from_secs(1),
                );
                Some(window)
            });
        let usage = self.usage_of(&mut reader);
        reader.finish(self.diagnostics);
        let sources: Vec<Spanned<Channel>> = relation
            .targets
            .iter()
            .filter_map(|target| self.channel(target))
            .collect();
        let via = relation
            .via
            .as_ref()
            .and_then(|via| match self.lookup(via, QUEUE) {
                Some(ComponentId::Queue(id)) => Some(Spanned::new(id, via.span)),
                _ => None,
            });
        let filter = relation.filter.as_ref().map(|filter| self.filter(filter));
        if sources.is_empty() {
            return None;
        }
        Some(Consume {
            sources,
            filter,
            via,
            batch_size,
            batch_window,
            usage,
            span: relation.span,
        })
    }

    pub(super) fn uses(&mut self, relation: &Relation) -> Vec<Use> {
        let mut reader = Self::relation_reader(relation);
        let usage = self.usage_of(&mut reader);
        reader.finish(self.diagnostics);
        let access = match &relation.access {
            Some(mode) => self.choose(
                "access",
                &mode.text,
                mode.span,
                &[
                    ("read", Access::Read),
                    ("write", Access::Write),
                    ("read_write", Access::ReadWrite),
                ],
            ),
            None => Some(Spanned::new(Access::ReadWrite, relation.keyword_span)),
        };
        let Some(access) = access else {
            return Vec::new();
        };
        let mut uses = Vec::new();
        for target in &relation.targets {
            let store = match self.lookup(target, DATA_STORE) {
                Some(ComponentId::Table(id)) => DataStore::Table(id),
                Some(ComponentId::Database(id)) => DataStore::Database(id),
                Some(ComponentId::Bucket(id)) => DataStore::Bucket(id),
                Some(ComponentId::Secret(id)) => DataStore::Secret(id),
                Some(ComponentId::Parameter(id)) => DataStore::Parameter(id),
                _ => continue,
            };
            let access = match (store, &relation.access) {
                // Parameters are configuration the deployment writes.
                (DataStore::Parameter(_), None) => Spanned::new(Access::Read, access.span),
                (DataStore::Parameter(_), Some(_)) if access.value != Access::Read => {
                    self.diagnostics.push(
                        invalid_value::diagnostic(
                            "access",
                            access.value.as_str(),
                            access.span,
                            &["read"],
                            None,
                        )
                        .note(
                            "a parameter is configuration the deployment writes; a service \
                             only reads it (keep state a service writes in a table or a bucket)",
                        ),
                    );
                    continue;
                }
                _ => access,
            };
            uses.push(Use {
                target: store,
                target_span: target.span,
                access,
                usage: usage.clone(),
                span: relation.span,
            });
        }
        uses
    }

    pub(super) fn filter(&mut self, filter: &ast::Filter) -> Filter {
        let conditions = filter
            .conditions
            .iter()
            .filter_map(|condition| self.condition(condition))
            .collect();
        Filter {
            conditions,
            span: filter.span,
        }
    }

    pub(super) fn condition(&mut self, condition: &ast::Condition) -> Option<Condition> {
        let field: Vec<String> = condition
            .field
            .segments
            .iter()
            .map(|segment| segment.text.clone())
            .collect();
        let key = ast::Ident {
            text: condition.field.text(),
            span: condition.field.span,
        };
        let value = match (&condition.value, condition.op) {
            (None, _) => FilterValue::None,
            (Some(value), CompareOp::In | CompareOp::NotIn) => match &value.kind {
                ValueKind::List(items) => FilterValue::List(
                    items
                        .iter()
                        .filter_map(|item| {
                            self.scalar(Setting {
                                key: &key,
                                value: item,
                            })
                        })
                        .collect(),
                ),
                _ => FilterValue::List(
                    self.scalar(Setting { key: &key, value })
                        .into_iter()
                        .collect(),
                ),
            },
            (Some(value), op) => {
                let scalar = self.scalar(Setting { key: &key, value })?;
                let numeric = matches!(
                    op,
                    CompareOp::Lt | CompareOp::LtEq | CompareOp::Gt | CompareOp::GtEq
                );
                let textual = matches!(op, CompareOp::StartsWith | CompareOp::EndsWith);
                let fits = match &scalar {
                    Scalar::Number(_) => !textual,
                    Scalar::String(_) => !numeric,
                    Scalar::Bool(_) => !numeric && !textual,
                };
                if !fits {
                    let expected = if numeric { "a number" } else { "a string" };
                    self.mismatch(
                        Setting { key: &key, value },
                        expected,
                        if numeric { "100" } else { "\"prefix\"" },
                    );
                    return None;
                }
                FilterValue::Scalar(scalar)
            }
        };
        Some(Condition {
            field,
            field_span: condition.field.span,
            op: condition.op,
            value,
            value_span: condition.value.as_ref().map(|value| value.span),
            span: condition.span,
        })
    }

    pub(super) fn scalar(&mut self, setting: Setting<'_>) -> Option<Scalar> {
        match &setting.value.kind {
            ValueKind::String(text) => Some(Scalar::String(text.clone())),
            ValueKind::Bool(flag) => Some(Scalar::Bool(*flag)),
            ValueKind::Quantity { number, unit: None } => {
                crate::model::units::parse_number(number).map(Scalar::Number)
            }
            _ => {
                self.mismatch(setting, "a string, number or boolean", "\"confirmed\"");
                None
            }
        }
    }
}

/// `pl-` and 8 or 17 lower-case hexadecimal digits: a managed prefix list's
/// id, as EC2 gives it.
fn is_prefix_list_id(text: &str) -> bool {
    text.strip_prefix("pl-").is_some_and(|digits| {
        matches!(digits.len(), 8 | 17)
            && digits
                .bytes()
                .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
    })
}
