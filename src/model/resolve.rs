//! Name resolution and lowering: `ast::File` → `System`.
//!
//! Pass 1 gives every declaration an id and enters its name in the table
//! (reporting duplicates); subnets go into a table of their own. Pass 2
//! lowers each declaration, resolving its references through the tables.
//! Pass 3 fills in the defaults that depend on other declarations (how a
//! call travels depends on whether the callee is a Lambda function).

use std::collections::BTreeMap;

use super::aws::{self, AwsService, RuntimeStatus, limits};
use super::reader::{Reader, Setting};
use super::units::Duration;
use super::{
    Access, Architecture, Billing, Breaker, Bus, Call, Carrier, Channel, Cidr, ComponentId,
    Compute, Condition, Consume, DataStore, Database, DatabaseId, DeadLetter, Engine, Event,
    EventId, EventRule, EventSource, Expose, Fargate, FieldDef, FieldType, Filter, FilterValue,
    Firewall, FirewallPeer, FirewallRule, Index, Key, KeyType, Lambda, LoadBalancerKind, Nacl,
    NaclRule, Name, NatMode, Network, NetworkId, OperationRef, Projection, Publish, Queue, QueueId,
    Retry, RuleTarget, Saga, SagaMode, Scalar, Service, ServiceId, Size, Spanned, Step, Stream,
    StreamCapacity, StreamView, Subnet, SubnetRef, Subscription, SubscriptionTarget, System, Table,
    Tier, Topic, Usage, Use, Via, defaults,
};
use crate::check::names::{
    aws_limit, conflicting_attributes, duplicate_name, firewall_deny, invalid_fargate_size,
    invalid_value, missing_attribute, system_declaration, type_mismatch, unknown_name, wrong_kind,
};
use crate::diagnostics::{Diagnostic, Span};
use crate::suggest;
use crate::syntax::ast::{
    self, Block, CompareOp, DeclKind, Declaration, DocLine, Item, Path, Peer, Relation,
    RelationKind, RuleAction, TypeExpr, TypeExprKind, ValueKind,
};

/// What a name in the table stands for.
#[derive(Clone, Copy, Debug)]
struct Entry {
    id: ComponentId,
    span: Span,
}

pub(super) struct Resolver<'d> {
    pub(super) diagnostics: &'d mut Vec<Diagnostic>,
    names: BTreeMap<String, Entry>,
    subnets: BTreeMap<String, (SubnetRef, Span)>,
}

/// The kinds a reference may name, and how to say so ("a service").
#[derive(Clone, Copy)]
struct Expect {
    kinds: &'static [&'static str],
    text: &'static str,
}

const SERVICE: Expect = Expect {
    kinds: &["service"],
    text: "service",
};
const EVENT: Expect = Expect {
    kinds: &["event"],
    text: "event",
};
const QUEUE: Expect = Expect {
    kinds: &["queue"],
    text: "queue",
};
const BUS: Expect = Expect {
    kinds: &["bus"],
    text: "bus",
};
const TOPIC: Expect = Expect {
    kinds: &["topic"],
    text: "topic",
};
const STREAM: Expect = Expect {
    kinds: &["stream"],
    text: "stream",
};
const CHANNEL: Expect = Expect {
    kinds: &["event", "queue", "topic", "stream"],
    text: "event, queue, topic or stream",
};
const DATA_STORE: Expect = Expect {
    kinds: &["table", "database"],
    text: "table or database",
};
const RULE_TARGET: Expect = Expect {
    kinds: &["service", "queue", "topic", "stream", "saga"],
    text: "service, queue, topic, stream or saga",
};
const SUBSCRIBER: Expect = Expect {
    kinds: &["queue", "service"],
    text: "queue or Lambda service",
};
const GUARDED: Expect = Expect {
    kinds: &["service", "database"],
    text: "service or database",
};

pub(super) fn resolve(file: &ast::File, diagnostics: &mut Vec<Diagnostic>) -> System {
    let mut resolver = Resolver {
        diagnostics,
        names: BTreeMap::new(),
        subnets: BTreeMap::new(),
    };
    resolver.declare(file);
    let mut system = resolver.system(file);
    for declaration in &file.declarations {
        resolver.lower(declaration, &mut system);
    }
    Resolver::finish(&mut system);
    system
}

fn doc_text(doc: &[DocLine]) -> Vec<String> {
    doc.iter().map(|line| line.text.clone()).collect()
}

fn name_of(ident: &ast::Ident) -> Name {
    Name {
        text: ident.text.clone(),
        span: ident.span,
    }
}

impl Resolver<'_> {
    // -----------------------------------------------------------------------
    // Pass 1: names.

    fn declare(&mut self, file: &ast::File) {
        let mut counts: BTreeMap<DeclKind, usize> = BTreeMap::new();
        for declaration in &file.declarations {
            let count = counts.entry(declaration.kind).or_insert(0);
            let index = *count;
            *count += 1;
            let id = match declaration.kind {
                DeclKind::System | DeclKind::Firewall | DeclKind::Nacl => continue,
                DeclKind::Network => {
                    self.declare_subnets(declaration, NetworkId(index));
                    ComponentId::Network(NetworkId(index))
                }
                DeclKind::Service => ComponentId::Service(ServiceId(index)),
                DeclKind::Event => ComponentId::Event(EventId(index)),
                DeclKind::Bus => ComponentId::Bus(super::BusId(index)),
                DeclKind::Rule => ComponentId::Rule(super::RuleId(index)),
                DeclKind::Queue => ComponentId::Queue(QueueId(index)),
                DeclKind::Topic => ComponentId::Topic(super::TopicId(index)),
                DeclKind::Stream => ComponentId::Stream(super::StreamId(index)),
                DeclKind::Table => ComponentId::Table(super::TableId(index)),
                DeclKind::Database => ComponentId::Database(DatabaseId(index)),
                DeclKind::Saga => ComponentId::Saga(super::SagaId(index)),
            };
            let name = &declaration.name;
            match self.names.get(&name.text) {
                Some(first) => self.diagnostics.push(duplicate_name::diagnostic(
                    declaration.kind.keyword(),
                    &name.text,
                    first.span,
                    name.span,
                )),
                None => {
                    self.names.insert(
                        name.text.clone(),
                        Entry {
                            id,
                            span: name.span,
                        },
                    );
                }
            }
        }
        // NACL names form a namespace of their own.
        let mut nacls: BTreeMap<&str, Span> = BTreeMap::new();
        for declaration in file
            .declarations
            .iter()
            .filter(|d| d.kind == DeclKind::Nacl)
        {
            let name = &declaration.name;
            if let Some(&first) = nacls.get(name.text.as_str()) {
                self.diagnostics.push(duplicate_name::diagnostic(
                    "nacl", &name.text, first, name.span,
                ));
            } else {
                nacls.insert(&name.text, name.span);
            }
        }
    }

    fn declare_subnets(&mut self, network: &Declaration, id: NetworkId) {
        let subnets = network
            .members
            .iter()
            .filter_map(|member| match &member.item {
                Item::Block(block) if block.keyword.text == "subnet" => block.name.as_ref(),
                _ => None,
            });
        for (index, name) in subnets.enumerate() {
            if let Some(&(_, first)) = self.subnets.get(&name.text) {
                self.diagnostics.push(duplicate_name::diagnostic(
                    "subnet", &name.text, first, name.span,
                ));
            } else {
                self.subnets.insert(
                    name.text.clone(),
                    (SubnetRef { network: id, index }, name.span),
                );
            }
        }
    }

    /// Looks a reference up, reporting it if it names nothing, or something
    /// of a kind `expect` does not allow.
    fn lookup(&mut self, path: &Path, expect: Expect) -> Option<ComponentId> {
        let text = path.text();
        let Some(entry) = self.names.get(&text).copied() else {
            let same_kind = self
                .names
                .iter()
                .filter(|(_, entry)| expect.kinds.contains(&entry.id.kind_name()))
                .map(|(name, _)| name.as_str());
            let suggestion = suggest::closest(&text, same_kind)
                .or_else(|| suggest::closest(&text, self.names.keys().map(String::as_str)))
                .map(str::to_string);
            self.diagnostics.push(unknown_name::diagnostic(
                expect.text,
                &text,
                path.span,
                suggestion.as_deref(),
            ));
            return None;
        };
        if expect.kinds.contains(&entry.id.kind_name()) {
            Some(entry.id)
        } else {
            self.diagnostics.push(wrong_kind::diagnostic(
                &text,
                path.span,
                &unknown_name::with_article(expect.text),
                entry.id.kind_name(),
                entry.span,
            ));
            None
        }
    }

    fn lookup_setting(
        &mut self,
        setting: Setting<'_>,
        expect: Expect,
    ) -> Option<Spanned<ComponentId>> {
        let ValueKind::Path(path) = &setting.value.kind else {
            self.mismatch(setting, &unknown_name::with_article(expect.text), "name");
            return None;
        };
        self.lookup(path, expect)
            .map(|id| Spanned::new(id, path.span))
    }

    fn subnet(&mut self, setting: Setting<'_>) -> Option<Spanned<SubnetRef>> {
        let ident = self.ident(setting)?;
        if let Some(&(subnet, _)) = self.subnets.get(&ident.text) {
            return Some(Spanned::new(subnet, ident.span));
        }
        let suggestion = suggest::closest(&ident.text, self.subnets.keys().map(String::as_str))
            .map(str::to_string);
        self.diagnostics.push(unknown_name::diagnostic(
            "subnet",
            &ident.text,
            ident.span,
            suggestion.as_deref(),
        ));
        None
    }

    fn required<'a>(
        &mut self,
        reader: &mut Reader<'a>,
        key: &'static str,
        example: &str,
    ) -> Option<Setting<'a>> {
        let setting = reader.take(key, self.diagnostics);
        if setting.is_none() {
            self.diagnostics.push(missing_attribute::diagnostic(
                &reader.owner,
                reader.owner_span,
                key,
                example,
            ));
        }
        setting
    }

    // -----------------------------------------------------------------------
    // Pass 2: declarations.

    fn system(&mut self, file: &ast::File) -> System {
        let systems: Vec<&Declaration> = file
            .declarations
            .iter()
            .filter(|declaration| declaration.kind == DeclKind::System)
            .collect();
        let mut system = System {
            name: Name {
                text: String::new(),
                span: Span::default(),
            },
            doc: Vec::new(),
            span: Span::default(),
            region: Spanned::new("us-east-1".to_string(), Span::default()),
            budget: None,
            tags: BTreeMap::new(),
            networks: Vec::new(),
            services: Vec::new(),
            events: Vec::new(),
            buses: Vec::new(),
            rules: Vec::new(),
            queues: Vec::new(),
            topics: Vec::new(),
            streams: Vec::new(),
            tables: Vec::new(),
            databases: Vec::new(),
            sagas: Vec::new(),
            firewalls: Vec::new(),
            nacls: Vec::new(),
            usage: Usage::default(),
        };
        let Some(declaration) = systems.first() else {
            let span = file
                .declarations
                .first()
                .map_or(Span::default(), |declaration| declaration.keyword_span);
            self.diagnostics.push(system_declaration::missing(span));
            return system;
        };
        for extra in systems.iter().skip(1) {
            self.diagnostics.push(system_declaration::duplicate(
                declaration.name.span,
                extra.name.span,
            ));
        }
        system.name = name_of(&declaration.name);
        system.doc = doc_text(&declaration.doc);
        system.span = declaration.span;
        system.region.span = declaration.name.span;
        let mut reader = Reader::members(
            format!("system `{}`", declaration.name.text),
            declaration.name.span,
            &declaration.members,
        );
        if let Some(setting) = self.required(&mut reader, "region", "region = \"us-east-1\"") {
            if let Some(region) = self.string(setting) {
                let names: Vec<(&str, &str)> = aws::REGIONS
                    .iter()
                    .map(|(name, _)| (*name, *name))
                    .collect();
                if let Some(known) = self.choose("region", &region.value, region.span, &names) {
                    system.region = Spanned::new(known.value.to_string(), region.span);
                }
            }
        }
        if let Some(setting) = reader.take("budget", self.diagnostics) {
            system.budget = self.money(setting);
        }
        if let Some(setting) = reader.take("tags", self.diagnostics) {
            system.tags = self.string_map(setting);
        }
        system.usage = self.usage_of(&mut reader);
        reader.finish(self.diagnostics);
        system
    }

    fn lower(&mut self, declaration: &Declaration, system: &mut System) {
        match declaration.kind {
            DeclKind::System => {}
            DeclKind::Network => {
                let network = self.network(declaration, system.region.value.as_str());
                system.networks.push(network);
            }
            DeclKind::Service => {
                let service = self.service(declaration);
                system.services.push(service);
            }
            DeclKind::Event => {
                let event = self.event(declaration);
                system.events.push(event);
            }
            DeclKind::Bus => {
                let bus = self.bus(declaration);
                system.buses.push(bus);
            }
            DeclKind::Rule => {
                let rule = self.event_rule(declaration);
                system.rules.push(rule);
            }
            DeclKind::Queue => {
                let queue = self.queue(declaration);
                system.queues.push(queue);
            }
            DeclKind::Topic => {
                let topic = self.topic(declaration);
                system.topics.push(topic);
            }
            DeclKind::Stream => {
                let stream = self.stream(declaration);
                system.streams.push(stream);
            }
            DeclKind::Table => {
                let table = self.table(declaration);
                system.tables.push(table);
            }
            DeclKind::Database => {
                let database = self.database(declaration);
                system.databases.push(database);
            }
            DeclKind::Saga => {
                let saga = self.saga(declaration);
                system.sagas.push(saga);
            }
            DeclKind::Firewall => {
                if let Some(firewall) = self.firewall(declaration) {
                    system.firewalls.push(firewall);
                }
            }
            DeclKind::Nacl => {
                let nacl = self.nacl(declaration);
                system.nacls.push(nacl);
            }
        }
    }

    fn reader(declaration: &Declaration) -> Reader<'_> {
        Reader::members(
            format!("{} `{}`", declaration.kind.keyword(), declaration.name.text),
            declaration.name.span,
            &declaration.members,
        )
    }

    fn string_map(&mut self, setting: Setting<'_>) -> BTreeMap<String, String> {
        let ValueKind::Object(entries) = &setting.value.kind else {
            self.mismatch(setting, "an object of strings", "{ team = \"commerce\" }");
            return BTreeMap::new();
        };
        let mut map = BTreeMap::new();
        for entry in entries {
            let entry_setting = Setting {
                key: &entry.key,
                value: &entry.value,
            };
            if let Some(text) = self.string(entry_setting) {
                map.insert(entry.key.text.clone(), text.value);
            }
        }
        map
    }

    fn usage_of(&mut self, reader: &mut Reader<'_>) -> Usage {
        match reader.block("usage", self.diagnostics) {
            Some(block) => self.usage(block),
            None => Usage::default(),
        }
    }

    fn usage(&mut self, block: &Block) -> Usage {
        let mut reader = Reader::members(
            "the `usage` block".to_string(),
            block.keyword.span,
            &block.members,
        );
        let mut usage = Usage {
            span: Some(block.span),
            ..Usage::default()
        };
        let counts: [(&'static str, &mut Option<Spanned<u64>>); 5] = [
            ("requests", &mut usage.requests),
            ("messages", &mut usage.messages),
            ("executions", &mut usage.executions),
            ("reads", &mut usage.reads),
            ("writes", &mut usage.writes),
        ];
        for (key, slot) in counts {
            if let Some(setting) = reader.take(key, self.diagnostics) {
                *slot = self.count(setting);
            }
        }
        let sizes: [(&'static str, &mut Option<Spanned<Size>>); 3] = [
            ("data", &mut usage.data),
            ("storage", &mut usage.storage),
            ("logs", &mut usage.logs),
        ];
        for (key, slot) in sizes {
            if let Some(setting) = reader.take(key, self.diagnostics) {
                *slot = self.size(setting);
            }
        }
        if let Some(setting) = reader.take("duration", self.diagnostics) {
            usage.duration = self.duration(setting);
        }
        reader.finish(self.diagnostics);
        usage
    }

    // -----------------------------------------------------------------------
    // Network.

    fn network(&mut self, declaration: &Declaration, region: &str) -> Network {
        let mut reader = Self::reader(declaration);
        let span = declaration.name.span;
        let mut network = Network {
            name: name_of(&declaration.name),
            doc: doc_text(&declaration.doc),
            span: declaration.span,
            cidr: Spanned::new(Cidr::anywhere(), span),
            zones: Spanned::new(defaults::ZONES, span),
            nat: Spanned::new(NatMode::None, span),
            flow_logs: Spanned::new(defaults::FLOW_LOGS, span),
            endpoints: Vec::new(),
            subnets: Vec::new(),
            usage: Usage::default(),
        };
        if let Some(setting) = self.required(&mut reader, "cidr", "cidr = 10.0.0.0/16") {
            if let Some(cidr) = self.cidr(setting) {
                let (min, max) = limits::VPC_PREFIX;
                if cidr.value.prefix() < min || cidr.value.prefix() > max {
                    let nearest = cidr.value.prefix().clamp(min, max);
                    self.diagnostics.push(aws_limit::diagnostic(
                        "a VPC",
                        &cidr.value.to_string(),
                        cidr.span,
                        "a prefix length from /16 to /28",
                        &format!("cidr = {}/{nearest}", cidr.value.0.network()),
                    ));
                }
                network.cidr = cidr;
            }
        }
        if let Some(setting) = reader.take("zones", self.diagnostics) {
            let available = aws::availability_zones(region).unwrap_or(3);
            if let Some(zones) = self.count_in(
                setting,
                limits::AVAILABILITY_ZONES_MIN,
                u64::from(available),
                true,
            ) {
                network.zones = Spanned::new(zones.value as u8, zones.span);
            }
        }
        if let Some(setting) = reader.take("nat", self.diagnostics) {
            if let Some(nat) = self.choice(
                setting,
                &[
                    ("none", NatMode::None),
                    ("single", NatMode::Single),
                    ("per_zone", NatMode::PerZone),
                ],
            ) {
                network.nat = nat;
            }
        }
        if let Some(setting) = reader.take("flow_logs", self.diagnostics) {
            if let Some(flag) = self.boolean(setting) {
                network.flow_logs = flag;
            }
        }
        if let Some(setting) = reader.take("endpoints", self.diagnostics) {
            network.endpoints = self.list_of(setting, Self::aws_service);
        }
        for block in reader.blocks("subnet") {
            network
                .subnets
                .push(self.subnet_block(block, network.zones.value));
        }
        network.usage = self.usage_of(&mut reader);
        reader.finish(self.diagnostics);
        network
    }

    fn aws_service(&mut self, setting: Setting<'_>) -> Option<Spanned<AwsService>> {
        let ident = self.ident(setting)?;
        let choices: Vec<(&str, AwsService)> = AwsService::ALL
            .iter()
            .map(|service| (service.mesh_name(), *service))
            .collect();
        self.choose(&setting.key.text, &ident.text, ident.span, &choices)
    }

    fn subnet_block(&mut self, block: &Block, zones: u8) -> Subnet {
        let name = block.name.as_ref().map_or_else(
            || Name {
                text: String::new(),
                span: block.keyword.span,
            },
            name_of,
        );
        let mut reader =
            Reader::members(format!("subnet `{}`", name.text), name.span, &block.members);
        let mut subnet = Subnet {
            name,
            doc: Vec::new(),
            span: block.span,
            tier: Spanned::new(Tier::Private, block.span),
            cidrs: Vec::new(),
            prefix: None,
        };
        if block.name.is_none() {
            self.diagnostics.push(missing_attribute::diagnostic(
                "this subnet",
                block.keyword.span,
                "name",
                "subnet app { tier = private }",
            ));
        }
        if let Some(setting) = self.required(&mut reader, "tier", "tier = private") {
            if let Some(tier) = self.choice(
                setting,
                &[
                    ("public", Tier::Public),
                    ("private", Tier::Private),
                    ("isolated", Tier::Isolated),
                ],
            ) {
                subnet.tier = tier;
            }
        }
        if let Some(setting) = reader.take("cidrs", self.diagnostics) {
            subnet.cidrs = self.list_of(setting, Self::cidr);
            if subnet.cidrs.len() != usize::from(zones) {
                self.diagnostics.push(type_mismatch::diagnostic(
                    "cidrs",
                    &format!("one CIDR block per zone ({zones})"),
                    &format!("{} blocks", subnet.cidrs.len()),
                    setting.span(),
                    "[10.0.0.0/24, 10.0.1.0/24]",
                ));
            }
        }
        if let Some(setting) = reader.take("prefix", self.diagnostics) {
            subnet.prefix = self
                .count_in(setting, 16, 28, true)
                .map(|prefix| Spanned::new(prefix.value as u8, prefix.span));
        }
        reader.finish(self.diagnostics);
        subnet
    }

    // -----------------------------------------------------------------------
    // Services.

    fn service(&mut self, declaration: &Declaration) -> Service {
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
            log_retention: Spanned::new(defaults::LOG_RETENTION, span),
            environment: BTreeMap::new(),
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
        if let Some(setting) = reader.take("subnet", self.diagnostics) {
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
        if let Some(setting) = reader.take("log_retention", self.diagnostics) {
            if let Some(retention) = self.log_retention(setting) {
                service.log_retention = retention;
            }
        }
        if let Some(setting) = reader.take("environment", self.diagnostics) {
            service.environment = self.string_map(setting);
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
        service
    }

    fn names_list(&mut self, setting: Setting<'_>, what: &str) -> Vec<Name> {
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

    fn log_retention(&mut self, setting: Setting<'_>) -> Option<Spanned<Duration>> {
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

    fn compute(&mut self, setting: Setting<'_>) -> Option<Compute> {
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

    fn fargate(
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
        if let Some(setting) = reader.take("cpu", self.diagnostics) {
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
                        &super::values::text_of(setting.value),
                        "any",
                        cpu.span,
                        &help,
                    ));
                }
            }
        }
        if let Some(setting) = reader.take("memory", self.diagnostics) {
            if let Some(memory) = self.size(setting) {
                fargate.memory = memory;
            }
        }
        if size_valid && !aws::fargate_size_valid(fargate.millicpu.value, fargate.memory.value) {
            let text = aws::fargate_memory_text(fargate.millicpu.value).unwrap_or_default();
            self.diagnostics.push(invalid_fargate_size::diagnostic(
                &(f64::from(fargate.millicpu.value) / 1000.0).to_string(),
                &fargate.memory.value.to_string(),
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

    fn lambda(
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

    fn check_runtime(&mut self, runtime: &Spanned<String>) {
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

    fn expose(&mut self, setting: Setting<'_>) -> Option<Expose> {
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
        if let Some(setting) = reader.take("path", self.diagnostics) {
            expose.path = self.string(setting).map(|path| path.value);
        }
        if let Some(setting) = reader.take("certificate", self.diagnostics) {
            expose.certificate = self.string(setting).map(|certificate| certificate.value);
        }
        if let Some(setting) = reader.take("health", self.diagnostics) {
            expose.health_check = self.string(setting).map(|health| health.value);
        }
        reader.finish(self.diagnostics);
        Some(expose)
    }

    fn relation_reader(relation: &Relation) -> Reader<'_> {
        let targets: Vec<String> = relation.targets.iter().map(Path::text).collect();
        Reader::members(
            format!("`{} {}`", relation.kind.keyword(), targets.join(", ")),
            relation.keyword_span,
            relation.body.as_deref().unwrap_or(&[]),
        )
    }

    fn calls(&mut self, relation: &Relation) -> Vec<Call> {
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
            .and_then(|setting| self.duration(setting));
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

    fn breaker(&mut self, setting: Setting<'_>) -> Option<Breaker> {
        let ValueKind::Object(entries) = &setting.value.kind else {
            self.mismatch(setting, "an object", "{ errors = 50%  reset = 30s }");
            return None;
        };
        let mut reader = Reader::entries("the `breaker`".to_string(), setting.span(), entries);
        let errors = self
            .required(&mut reader, "errors", "errors = 50%")
            .and_then(|errors| self.percent(errors));
        let reset = self
            .required(&mut reader, "reset", "reset = 30s")
            .and_then(|reset| self.duration(reset));
        reader.finish(self.diagnostics);
        Some(Breaker {
            errors: errors?,
            reset: reset?,
            span: setting.span(),
        })
    }

    fn channel(&mut self, path: &Path) -> Option<Spanned<Channel>> {
        let channel = match self.lookup(path, CHANNEL)? {
            ComponentId::Event(id) => Channel::Event(id),
            ComponentId::Queue(id) => Channel::Queue(id),
            ComponentId::Topic(id) => Channel::Topic(id),
            ComponentId::Stream(id) => Channel::Stream(id),
            _ => return None,
        };
        Some(Spanned::new(channel, path.span))
    }

    fn publishes(&mut self, relation: &Relation) -> Vec<Publish> {
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

    fn consumes(&mut self, relation: &Relation) -> Option<Consume> {
        let mut reader = Self::relation_reader(relation);
        let batch_size = reader
            .take("batch_size", self.diagnostics)
            .and_then(|setting| self.count_in(setting, 1, 10_000, true));
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
            usage,
            span: relation.span,
        })
    }

    fn uses(&mut self, relation: &Relation) -> Vec<super::Use> {
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
                _ => continue,
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

    fn filter(&mut self, filter: &ast::Filter) -> Filter {
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

    fn condition(&mut self, condition: &ast::Condition) -> Option<Condition> {
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

    fn scalar(&mut self, setting: Setting<'_>) -> Option<Scalar> {
        match &setting.value.kind {
            ValueKind::String(text) => Some(Scalar::String(text.clone())),
            ValueKind::Bool(flag) => Some(Scalar::Bool(*flag)),
            ValueKind::Quantity { number, unit: None } => {
                super::units::parse_number(number).map(Scalar::Number)
            }
            _ => {
                self.mismatch(setting, "a string, number or boolean", "\"confirmed\"");
                None
            }
        }
    }

    // -----------------------------------------------------------------------
    // Events and messaging.

    fn event(&mut self, declaration: &Declaration) -> Event {
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
                self.diagnostics
                    .push(crate::check::names::duplicate_attribute::diagnostic(
                        "schema",
                        schema.keyword_span,
                        extra.keyword_span,
                    ));
            }
        }
        event
    }

    fn fields(&mut self, fields: &[ast::Field]) -> Vec<FieldDef> {
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

    fn field_type(&mut self, ty: &TypeExpr) -> Option<FieldType> {
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
                    self.diagnostics.push(unknown_name::diagnostic(
                        "type", &name.text, name.span, suggestion,
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

    fn bus(&mut self, declaration: &Declaration) -> Bus {
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
                _ => self.duration(setting),
            };
        }
        bus.usage = self.usage_of(&mut reader);
        reader.finish(self.diagnostics);
        bus
    }

    fn event_rule(&mut self, declaration: &Declaration) -> EventRule {
        let mut reader = Self::reader(declaration);
        let span = declaration.name.span;
        let mut rule = EventRule {
            name: name_of(&declaration.name),
            doc: doc_text(&declaration.doc),
            span: declaration.span,
            matches: Vec::new(),
            filter: None,
            targets: Vec::new(),
            retry_attempts: Spanned::new(defaults::RULE_RETRY_ATTEMPTS, span),
            max_event_age: Spanned::new(defaults::RULE_MAX_EVENT_AGE, span),
            dlq: None,
            usage: Usage::default(),
        };
        let mut matched = false;
        for member in &declaration.members {
            if let Item::Relation(relation) = &member.item {
                if relation.kind != RelationKind::Matches {
                    continue;
                }
                if matched {
                    self.diagnostics
                        .push(crate::check::names::duplicate_attribute::diagnostic(
                            "matches",
                            rule.filter.as_ref().map_or(span, |filter| filter.span),
                            relation.keyword_span,
                        ));
                    continue;
                }
                matched = true;
                for target in &relation.targets {
                    if let Some(ComponentId::Event(id)) = self.lookup(target, EVENT) {
                        rule.matches.push(Spanned::new(id, target.span));
                    }
                }
                rule.filter = relation.filter.as_ref().map(|filter| self.filter(filter));
            }
        }
        if !matched {
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
        if let Some(setting) = reader.take("retry", self.diagnostics) {
            if let ValueKind::Object(entries) = &setting.value.kind {
                let mut retry =
                    Reader::entries("the `retry` of a rule".to_string(), setting.span(), entries);
                if let Some(attempts) = retry.take("attempts", self.diagnostics) {
                    let (min, max) = limits::EVENTBRIDGE_RETRY_ATTEMPTS;
                    if let Some(attempts) = self.count_in(attempts, min, max, true) {
                        rule.retry_attempts = attempts;
                    }
                }
                if let Some(age) = retry.take("max_age", self.diagnostics) {
                    if let Some(age) = self.duration(age) {
                        self.duration_within(
                            "an event age",
                            "max_age",
                            age,
                            limits::EVENTBRIDGE_EVENT_AGE,
                        );
                        rule.max_event_age = age;
                    }
                }
                retry.finish(self.diagnostics);
            } else {
                self.mismatch(setting, "an object", "{ attempts = 3  max_age = 1h }");
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

    fn queue(&mut self, declaration: &Declaration) -> Queue {
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
                    self.duration_within(what, key, duration, bounds);
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

    fn dead_letter(&mut self, block: &Block) -> DeadLetter {
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

    fn topic(&mut self, declaration: &Declaration) -> Topic {
        let mut reader = Self::reader(declaration);
        let mut topic = Topic {
            name: name_of(&declaration.name),
            doc: doc_text(&declaration.doc),
            span: declaration.span,
            fifo: Spanned::new(false, declaration.name.span),
            subscriptions: Vec::new(),
            usage: Usage::default(),
        };
        if let Some(setting) = reader.take("fifo", self.diagnostics) {
            if let Some(fifo) = self.boolean(setting) {
                topic.fifo = fifo;
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

    fn stream(&mut self, declaration: &Declaration) -> Stream {
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
                );
                stream.retention = retention;
            }
        }
        stream.usage = self.usage_of(&mut reader);
        reader.finish(self.diagnostics);
        stream
    }

    // -----------------------------------------------------------------------
    // Data stores.

    fn key(&mut self, setting: Setting<'_>) -> Option<Key> {
        let ValueKind::Typed { name, ty } = &setting.value.kind else {
            self.mismatch(setting, "a key with its type", "orderId: string");
            return None;
        };
        let TypeExprKind::Named(type_name) = &ty.kind else {
            self.diagnostics.push(type_mismatch::diagnostic(
                &setting.key.text,
                "`string`, `number` or `binary`",
                "another type",
                ty.span,
                &format!("{}: string", name.text),
            ));
            return None;
        };
        let ty = self.choose(
            "key type",
            &type_name.text,
            type_name.span,
            &[
                ("string", KeyType::String),
                ("number", KeyType::Number),
                ("binary", KeyType::Binary),
            ],
        )?;
        Some(Key {
            name: name.text.clone(),
            ty: ty.value,
            span: setting.span(),
        })
    }

    fn table(&mut self, declaration: &Declaration) -> Table {
        let mut reader = Self::reader(declaration);
        let span = declaration.name.span;
        let mut table = Table {
            name: name_of(&declaration.name),
            doc: doc_text(&declaration.doc),
            span: declaration.span,
            partition_key: Key {
                name: String::new(),
                ty: KeyType::String,
                span,
            },
            sort_key: None,
            indexes: Vec::new(),
            billing: Spanned::new(Billing::OnDemand, span),
            point_in_time_recovery: Spanned::new(defaults::POINT_IN_TIME_RECOVERY, span),
            ttl: None,
            stream: None,
            deletion_protection: defaults::TABLE_DELETION_PROTECTION,
            usage: Usage::default(),
        };
        if let Some(setting) =
            self.required(&mut reader, "partition_key", "partition_key = id: string")
        {
            if let Some(key) = self.key(setting) {
                table.partition_key = key;
            }
        }
        if let Some(setting) = reader.take("sort_key", self.diagnostics) {
            table.sort_key = self.key(setting);
        }
        let index_blocks = reader.blocks("index");
        for block in &index_blocks {
            if let Some(index) = self.index(block) {
                if let Some(first) = table
                    .indexes
                    .iter()
                    .find(|known| known.name.text == index.name.text)
                {
                    self.diagnostics.push(duplicate_name::diagnostic(
                        "index",
                        &index.name.text,
                        first.name.span,
                        index.name.span,
                    ));
                } else {
                    table.indexes.push(index);
                }
            }
        }
        if let Some(extra) = index_blocks.get(limits::DYNAMODB_GLOBAL_INDEXES) {
            self.diagnostics.push(aws_limit::diagnostic(
                "the number of DynamoDB indexes",
                &index_blocks.len().to_string(),
                extra.span,
                "20 global secondary indexes per table",
                "20 indexes",
            ));
        }
        if let Some(setting) = reader.take("billing", self.diagnostics) {
            if let Some(billing) = self.billing(setting) {
                table.billing = billing;
            }
        }
        if let Some(setting) = reader.take("pitr", self.diagnostics) {
            if let Some(flag) = self.boolean(setting) {
                table.point_in_time_recovery = flag;
            }
        }
        if let Some(setting) = reader.take("ttl", self.diagnostics) {
            table.ttl = self.ident(setting).map(|ident| ident.text.clone());
        }
        if let Some(setting) = reader.take("stream", self.diagnostics) {
            table.stream = self
                .choice(
                    setting,
                    &[
                        ("keys_only", StreamView::KeysOnly),
                        ("new_image", StreamView::NewImage),
                        ("old_image", StreamView::OldImage),
                        ("new_and_old_images", StreamView::NewAndOldImages),
                    ],
                )
                .map(|view| view.value);
        }
        if let Some(setting) = reader.take("deletion_protection", self.diagnostics) {
            table.deletion_protection = self.boolean(setting).is_none_or(|flag| flag.value);
        }
        table.usage = self.usage_of(&mut reader);
        reader.finish(self.diagnostics);
        table
    }

    fn index(&mut self, block: &Block) -> Option<Index> {
        let Some(name) = &block.name else {
            self.diagnostics.push(missing_attribute::diagnostic(
                "this index",
                block.keyword.span,
                "name",
                "index by-customer { partition_key = customerId: string }",
            ));
            return None;
        };
        let mut reader =
            Reader::members(format!("index `{}`", name.text), name.span, &block.members);
        let partition_key = self
            .required(
                &mut reader,
                "partition_key",
                "partition_key = customerId: string",
            )
            .and_then(|setting| self.key(setting));
        let sort_key = reader
            .take("sort_key", self.diagnostics)
            .and_then(|setting| self.key(setting));
        let projection = match reader.take("projection", self.diagnostics) {
            Some(setting) => match &setting.value.kind {
                ValueKind::List(_) => {
                    Projection::Include(self.list_of(setting, |resolver, item| {
                        resolver.ident(item).map(|ident| ident.text.clone())
                    }))
                }
                _ => self
                    .choice(setting, &[("all", 0u8), ("keys_only", 1u8)])
                    .map_or(Projection::All, |choice| {
                        if choice.value == 0 {
                            Projection::All
                        } else {
                            Projection::KeysOnly
                        }
                    }),
            },
            None => Projection::All,
        };
        reader.finish(self.diagnostics);
        Some(Index {
            name: name_of(name),
            span: block.span,
            partition_key: partition_key?,
            sort_key,
            projection,
        })
    }

    fn billing(&mut self, setting: Setting<'_>) -> Option<Spanned<Billing>> {
        match &setting.value.kind {
            ValueKind::Path(path) if path.text() == "on_demand" => {
                Some(Spanned::new(Billing::OnDemand, setting.span()))
            }
            ValueKind::Constructor { name, entries } if name.text == "provisioned" => {
                let mut reader =
                    Reader::entries("`provisioned` billing".to_string(), name.span, entries);
                let reads = self
                    .required(&mut reader, "reads", "reads = 5")
                    .and_then(|reads| self.count_in(reads, 1, 40_000, true));
                let writes = self
                    .required(&mut reader, "writes", "writes = 5")
                    .and_then(|writes| self.count_in(writes, 1, 40_000, true));
                reader.finish(self.diagnostics);
                Some(Spanned::new(
                    Billing::Provisioned {
                        reads: reads?.value,
                        writes: writes?.value,
                    },
                    setting.span(),
                ))
            }
            _ => {
                self.mismatch(setting, "`on_demand` or `provisioned { ... }`", "on_demand");
                None
            }
        }
    }

    fn database(&mut self, declaration: &Declaration) -> Database {
        let mut reader = Self::reader(declaration);
        let span = declaration.name.span;
        let mut database = Database {
            name: name_of(&declaration.name),
            doc: doc_text(&declaration.doc),
            span: declaration.span,
            engine: Spanned::new(Engine::Postgres, span),
            version: None,
            class: Spanned::new(String::new(), span),
            storage: Spanned::new(defaults::DATABASE_STORAGE, span),
            subnet: None,
            multi_az: Spanned::new(defaults::DATABASE_MULTI_AZ, span),
            backup_retention: Spanned::new(defaults::DATABASE_BACKUP_RETENTION, span),
            port: Spanned::new(Engine::Postgres.default_port(), span),
            deletion_protection: defaults::DATABASE_DELETION_PROTECTION,
            usage: Usage::default(),
        };
        if let Some(setting) = self.required(&mut reader, "engine", "engine = postgres") {
            if let Some(engine) = self.choice(
                setting,
                &[
                    ("postgres", Engine::Postgres),
                    ("mysql", Engine::Mysql),
                    ("mariadb", Engine::Mariadb),
                    ("aurora-postgresql", Engine::AuroraPostgresql),
                    ("aurora-mysql", Engine::AuroraMysql),
                ],
            ) {
                database.engine = engine;
                database.port = Spanned::new(engine.value.default_port(), span);
            }
        }
        if let Some(setting) = reader.take("version", self.diagnostics) {
            database.version = self.string(setting).map(|version| version.value);
        }
        if let Some(setting) = self.required(&mut reader, "class", "class = \"db.t4g.medium\"") {
            if let Some(class) = self.string(setting) {
                let parts: Vec<&str> = class.value.split('.').collect();
                if parts.len() != 3 || parts.first() != Some(&"db") {
                    self.diagnostics.push(invalid_value::diagnostic(
                        "class",
                        &class.value,
                        class.span,
                        &[
                            "db.t4g.micro",
                            "db.t4g.medium",
                            "db.m7g.large",
                            "db.r7g.large",
                        ],
                        None,
                    ));
                }
                database.class = class;
            }
        }
        if let Some(setting) = reader.take("storage", self.diagnostics) {
            if let Some(storage) = self.size(setting) {
                self.size_within("RDS storage", "storage", storage, limits::RDS_STORAGE);
                database.storage = storage;
            }
        }
        if let Some(setting) = reader.take("subnet", self.diagnostics) {
            database.subnet = self.subnet(setting);
        }
        if let Some(setting) = reader.take("multi_az", self.diagnostics) {
            if let Some(flag) = self.boolean(setting) {
                database.multi_az = flag;
            }
        }
        if let Some(setting) = reader.take("backup_retention", self.diagnostics) {
            if let Some(retention) = self.duration(setting) {
                self.duration_within(
                    "an RDS backup retention",
                    "backup_retention",
                    retention,
                    limits::RDS_BACKUP_RETENTION,
                );
                database.backup_retention = retention;
            }
        }
        if let Some(setting) = reader.take("port", self.diagnostics) {
            if let Some(port) = self.port(setting) {
                database.port = port;
            }
        }
        if let Some(setting) = reader.take("deletion_protection", self.diagnostics) {
            database.deletion_protection = self.boolean(setting).is_none_or(|flag| flag.value);
        }
        database.usage = self.usage_of(&mut reader);
        reader.finish(self.diagnostics);
        database
    }

    // -----------------------------------------------------------------------
    // Sagas.

    fn operation(&mut self, setting: Setting<'_>) -> Option<OperationRef> {
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

    fn saga(&mut self, declaration: &Declaration) -> Saga {
        let mut reader = Self::reader(declaration);
        let span = declaration.name.span;
        let mut saga = Saga {
            name: name_of(&declaration.name),
            doc: doc_text(&declaration.doc),
            span: declaration.span,
            trigger: None,
            timeout: None,
            mode: Spanned::new(SagaMode::Orchestrated, span),
            steps: Vec::new(),
            on_failure: None,
            dlq: None,
            usage: Usage::default(),
        };
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
            let Some(step) = self.step(block) else {
                continue;
            };
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

    fn step(&mut self, block: &Block) -> Option<Step> {
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

    fn retry(&mut self, setting: Setting<'_>) -> Option<Retry> {
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
        }
        if let Some(jitter) = reader.take("jitter", self.diagnostics) {
            retry.jitter = self.boolean(jitter).is_some_and(|flag| flag.value);
        }
        reader.finish(self.diagnostics);
        Some(retry)
    }

    // -----------------------------------------------------------------------
    // Explicit network rules.

    fn firewall(&mut self, declaration: &Declaration) -> Option<Firewall> {
        let reader = Self::reader(declaration);
        reader.finish(self.diagnostics);
        let target_path = Path {
            segments: vec![declaration.name.clone()],
            span: declaration.name.span,
        };
        let target = self.lookup(&target_path, GUARDED);
        let mut rules = Vec::new();
        for member in &declaration.members {
            let Item::NetRule(rule) = &member.item else {
                continue;
            };
            if rule.action == RuleAction::Deny {
                self.diagnostics
                    .push(firewall_deny::diagnostic(rule.action_span));
                continue;
            }
            let ports = rule.ports.as_ref().and_then(|ports| self.port_range(ports));
            let peer = match &rule.peer {
                Peer::Anywhere => FirewallPeer::Cidr(Cidr::anywhere()),
                Peer::Cidr(text) => match self.cidr_text(text, rule.peer_span) {
                    Some(cidr) => FirewallPeer::Cidr(cidr.value),
                    None => continue,
                },
                Peer::Name(path) => match self.lookup(path, GUARDED) {
                    Some(id) => FirewallPeer::Component(id),
                    None => continue,
                },
            };
            rules.push(FirewallRule {
                direction: rule.direction,
                protocol: rule.protocol,
                ports,
                peer: Spanned::new(peer, rule.peer_span),
                span: rule.span,
            });
        }
        Some(Firewall {
            target: Spanned::new(target?, declaration.name.span),
            span: declaration.span,
            rules,
        })
    }

    fn nacl(&mut self, declaration: &Declaration) -> Nacl {
        let mut reader = Self::reader(declaration);
        let mut nacl = Nacl {
            name: name_of(&declaration.name),
            span: declaration.span,
            subnet: None,
            rules: Vec::new(),
        };
        if let Some(setting) = self.required(&mut reader, "subnet", "subnet = app") {
            nacl.subnet = self.subnet(setting);
        }
        reader.finish(self.diagnostics);
        for member in &declaration.members {
            let Item::NetRule(rule) = &member.item else {
                continue;
            };
            let ports = rule.ports.as_ref().and_then(|ports| self.port_range(ports));
            let cidr = match &rule.peer {
                Peer::Anywhere => Spanned::new(Cidr::anywhere(), rule.peer_span),
                Peer::Cidr(text) => match self.cidr_text(text, rule.peer_span) {
                    Some(cidr) => cidr,
                    None => continue,
                },
                Peer::Name(path) => {
                    self.diagnostics.push(type_mismatch::diagnostic(
                        "a NACL rule",
                        "a CIDR block or `anywhere`",
                        &format!("the name `{}`", path.text()),
                        path.span,
                        "allow in tcp 443 from 10.0.0.0/16",
                    ));
                    continue;
                }
            };
            nacl.rules.push(NaclRule {
                action: rule.action,
                direction: rule.direction,
                protocol: rule.protocol,
                ports,
                cidr,
                span: rule.span,
            });
        }
        nacl
    }

    // -----------------------------------------------------------------------
    // Pass 3: defaults that depend on other declarations.

    fn finish(system: &mut System) {
        let lambdas: Vec<bool> = system.services.iter().map(Service::is_lambda).collect();
        for service in &mut system.services {
            for call in &mut service.calls {
                if !call.via_declared {
                    let callee_is_lambda = lambdas.get(call.target.0).copied().unwrap_or(false);
                    call.via.value = if callee_is_lambda {
                        Via::Invoke
                    } else {
                        Via::Mesh
                    };
                }
            }
        }
    }
}
