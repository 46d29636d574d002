//! Name resolution and lowering: `ast::File` → `System`.
//!
//! Pass 1 gives every declaration an id and enters its name in the table
//! (reporting duplicates); subnets go into a table of their own. Pass 2
//! lowers each declaration, resolving its references through the tables.
//! Pass 3 fills in the defaults that depend on other declarations (how a
//! call travels depends on whether the callee is a Lambda function).
//!
//! The lowering of each family of declarations is in a file of its own.

mod data;
mod messaging;
mod network;
mod saga;
mod service;

use std::collections::{BTreeMap, BTreeSet};

use crate::check::names::{
    aws_limit, duplicate_name, missing_attribute, name_too_long, system_declaration, unknown_name,
    wrong_kind,
};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::aws;
use crate::model::reader::{Reader, Setting};
use crate::model::{
    Channel, ComponentId, DatabaseId, EventId, Name, NetworkId, QueueId, Service, ServiceId, Size,
    Spanned, SubnetRef, System, Tier, Usage, Via,
};
use crate::suggest;
use crate::syntax::ast::{self, Block, DeclKind, Declaration, DocLine, Item, Path, ValueKind};

/// What a name in the table stands for.
#[derive(Clone, Copy, Debug)]
struct Entry {
    id: ComponentId,
    span: Span,
}

pub(super) struct Resolver<'d> {
    pub(super) diagnostics: &'d mut Vec<Diagnostic>,
    names: BTreeMap<String, Entry>,
    /// Later declarations of an already declared name (reported as M202):
    /// a reference that fits one of them by kind is resolved to it rather
    /// than reported a second time.
    duplicates: BTreeMap<String, Vec<Entry>>,
    subnets: BTreeMap<String, (SubnetRef, Span)>,
    /// Every subnet declared, in order, with its `tier` when it names one:
    /// what a help line that asks for a subnet names.
    subnet_tiers: Vec<(String, Option<Tier>)>,
    /// Names of declarations that did not parse: references to them are
    /// not reported again.
    unparsed: BTreeSet<String>,
    /// Whether a network did not parse: its subnets are unknown, so
    /// references to subnets are not reported either.
    network_unparsed: bool,
    /// The declared names indexed for did-you-mean, built at the first
    /// unknown reference: by the kinds a reference expects (`Expect::text`),
    /// and under `""` every name.
    suggestions: BTreeMap<&'static str, suggest::Candidates>,
    /// The subnet names indexed for did-you-mean.
    subnet_suggestions: Option<suggest::Candidates>,
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
    kinds: &["table", "database", "bucket", "secret", "parameter"],
    text: "table, database, bucket, secret or parameter",
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
        duplicates: BTreeMap::new(),
        subnets: BTreeMap::new(),
        subnet_tiers: Vec::new(),
        unparsed: file
            .unparsed
            .iter()
            .map(|(_, name)| name.text.clone())
            .collect(),
        network_unparsed: file
            .unparsed
            .iter()
            .any(|(kind, _)| *kind == DeclKind::Network),
        suggestions: BTreeMap::new(),
        subnet_suggestions: None,
    };
    resolver.declare(file);
    let mut system = resolver.system(file);
    for declaration in &file.declarations {
        resolver.lower(declaration, &mut system);
    }
    resolver.finish(&mut system);
    shrink(&mut system);
    system
}

/// Gives back the room the declarations' vectors grew into: up to half of
/// each, which the later stages would otherwise carry to the end.
fn shrink(system: &mut System) {
    system.networks.shrink_to_fit();
    system.services.shrink_to_fit();
    system.events.shrink_to_fit();
    system.buses.shrink_to_fit();
    system.rules.shrink_to_fit();
    system.queues.shrink_to_fit();
    system.topics.shrink_to_fit();
    system.streams.shrink_to_fit();
    system.tables.shrink_to_fit();
    system.databases.shrink_to_fit();
    system.buckets.shrink_to_fit();
    system.secrets.shrink_to_fit();
    system.parameters.shrink_to_fit();
    system.sagas.shrink_to_fit();
    system.firewalls.shrink_to_fit();
    system.nacls.shrink_to_fit();
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
    /// Reports every declared name over the length a name may have: of a
    /// declaration, and of the named blocks inside it at any depth. The
    /// name is declared all the same, so that its references resolve.
    fn check_name_lengths(&mut self, file: &ast::File) {
        let too_long = |name: &ast::Ident| {
            let chars = name.text.chars().count();
            (chars > name_too_long::MAX_NAME_CHARS).then_some(chars)
        };
        for declaration in &file.declarations {
            if let Some(chars) = too_long(&declaration.name) {
                self.diagnostics.push(name_too_long::diagnostic(
                    declaration.kind.keyword(),
                    &declaration.name.text,
                    chars,
                    declaration.name.span,
                ));
            }
            let mut members: Vec<&ast::Member> = declaration.members.iter().collect();
            while let Some(member) = members.pop() {
                let Item::Block(block) = &member.item else {
                    continue;
                };
                if let Some((name, chars)) = block
                    .name
                    .as_ref()
                    .and_then(|name| Some((name, too_long(name)?)))
                {
                    self.diagnostics.push(name_too_long::diagnostic(
                        &block.keyword.text,
                        &name.text,
                        chars,
                        name.span,
                    ));
                }
                members.extend(&block.members);
            }
        }
    }

    fn declare(&mut self, file: &ast::File) {
        self.check_name_lengths(file);
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
                DeclKind::Bus => ComponentId::Bus(crate::model::BusId(index)),
                DeclKind::Rule => ComponentId::Rule(crate::model::RuleId(index)),
                DeclKind::Queue => ComponentId::Queue(QueueId(index)),
                DeclKind::Topic => ComponentId::Topic(crate::model::TopicId(index)),
                DeclKind::Stream => ComponentId::Stream(crate::model::StreamId(index)),
                DeclKind::Table => ComponentId::Table(crate::model::TableId(index)),
                DeclKind::Database => ComponentId::Database(DatabaseId(index)),
                DeclKind::Bucket => ComponentId::Bucket(crate::model::BucketId(index)),
                DeclKind::Secret => ComponentId::Secret(crate::model::SecretId(index)),
                DeclKind::Parameter => ComponentId::Parameter(crate::model::ParameterId(index)),
                DeclKind::Saga => ComponentId::Saga(crate::model::SagaId(index)),
            };
            let name = &declaration.name;
            match self.names.get(&name.text) {
                Some(first) => {
                    self.diagnostics.push(duplicate_name::diagnostic(
                        declaration.kind.keyword(),
                        &name.text,
                        first.span,
                        name.span,
                    ));
                    self.duplicates
                        .entry(name.text.clone())
                        .or_default()
                        .push(Entry {
                            id,
                            span: name.span,
                        });
                }
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
                Item::Block(block) if block.keyword.text == "subnet" => {
                    block.name.as_ref().map(|name| (name, block))
                }
                _ => None,
            });
        for (index, (name, block)) in subnets.enumerate() {
            let tier = block.members.iter().find_map(|member| match &member.item {
                Item::Attribute(attribute) if attribute.key.text == "tier" => {
                    match &attribute.value.kind {
                        ValueKind::Path(path) => Tier::named(&path.text()),
                        _ => None,
                    }
                }
                _ => None,
            });
            self.subnet_tiers.push((name.text.clone(), tier));
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

    /// The declared name a reference to nothing probably meant: one of the
    /// kinds it expects, else one of any kind.
    fn suggest_name(&mut self, text: &str, expect: Expect) -> Option<String> {
        let names = &self.names;
        let same_kind = self.suggestions.entry(expect.text).or_insert_with(|| {
            suggest::Candidates::new(
                names
                    .iter()
                    .filter(|(_, entry)| expect.kinds.contains(&entry.id.kind_name()))
                    .map(|(name, _)| name.as_str()),
            )
        });
        if let Some(name) = same_kind.closest(text) {
            return Some(name.to_string());
        }
        self.suggestions
            .entry("")
            .or_insert_with(|| suggest::Candidates::new(names.keys().map(String::as_str)))
            .closest(text)
            .map(str::to_string)
    }

    /// The declared subnet a reference to no subnet probably meant.
    fn suggest_subnet(&mut self, text: &str) -> Option<String> {
        let subnets = &self.subnets;
        self.subnet_suggestions
            .get_or_insert_with(|| suggest::Candidates::new(subnets.keys().map(String::as_str)))
            .closest(text)
            .map(str::to_string)
    }

    /// Looks a reference up, reporting it if it names nothing, or something
    /// of a kind `expect` does not allow.
    fn lookup(&mut self, path: &Path, expect: Expect) -> Option<ComponentId> {
        let text = path.text();
        let Some(entry) = self.names.get(&text).copied() else {
            if self.unparsed.contains(&text) {
                return None;
            }
            let suggestion = self.suggest_name(&text, expect);
            let declared = self
                .suggestions
                .get(expect.text)
                .map_or(&[][..], suggest::Candidates::texts);
            self.diagnostics.push(unknown_name::diagnostic(
                expect.text,
                &text,
                path.span,
                suggestion.as_deref(),
                declared,
            ));
            return None;
        };
        let duplicate_of_right_kind = self.duplicates.get(&text).and_then(|entries| {
            entries
                .iter()
                .find(|duplicate| expect.kinds.contains(&duplicate.id.kind_name()))
        });
        if expect.kinds.contains(&entry.id.kind_name()) {
            Some(entry.id)
        } else if let Some(duplicate) = duplicate_of_right_kind {
            Some(duplicate.id)
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

    /// The subnet a path names, if it names one (no diagnostic).
    fn subnet_named(&self, path: &Path) -> Option<SubnetRef> {
        self.subnets.get(&path.text()).map(|&(subnet, _)| subnet)
    }

    /// Whether a path names a declared component.
    fn is_component(&self, path: &Path) -> bool {
        self.names.contains_key(&path.text())
    }

    /// A subnet named in a rule (`from edge`).
    fn subnet_path(&mut self, path: &Path) -> Option<SubnetRef> {
        let text = path.text();
        if let Some(&(subnet, _)) = self.subnets.get(&text) {
            return Some(subnet);
        }
        if self.network_unparsed {
            return None;
        }
        let suggestion = self.suggest_subnet(&text);
        let declared = self
            .subnet_suggestions
            .as_ref()
            .map_or(&[][..], suggest::Candidates::texts);
        self.diagnostics.push(unknown_name::diagnostic(
            "subnet",
            &text,
            path.span,
            suggestion.as_deref(),
            declared,
        ));
        None
    }

    fn subnet(&mut self, setting: Setting<'_>) -> Option<Spanned<SubnetRef>> {
        let ident = self.ident(setting)?;
        if let Some(&(subnet, _)) = self.subnets.get(&ident.text) {
            return Some(Spanned::new(subnet, ident.span));
        }
        if self.network_unparsed {
            return None;
        }
        let suggestion = self.suggest_subnet(&ident.text);
        let declared = self
            .subnet_suggestions
            .as_ref()
            .map_or(&[][..], suggest::Candidates::texts);
        self.diagnostics.push(unknown_name::diagnostic(
            "subnet",
            &ident.text,
            ident.span,
            suggestion.as_deref(),
            declared,
        ));
        None
    }

    /// `subnet = NAME` for a help line: the first subnet declared in the
    /// first of the `tiers` (in order of preference) that has one, else the
    /// first subnet declared, else `subnet = NAME` with `fallback`.
    fn subnet_example(&self, tiers: &[Tier], fallback: &str) -> String {
        let name = tiers
            .iter()
            .find_map(|tier| {
                self.subnet_tiers
                    .iter()
                    .find(|(_, written)| *written == Some(*tier))
            })
            .or_else(|| self.subnet_tiers.first())
            .map_or(fallback, |(name, _)| name.as_str());
        format!("subnet = {name}")
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
            buckets: Vec::new(),
            secrets: Vec::new(),
            parameters: Vec::new(),
            sagas: Vec::new(),
            firewalls: Vec::new(),
            nacls: Vec::new(),
            usage: Usage::default(),
        };
        let Some(declaration) = systems.first() else {
            if file
                .unparsed
                .iter()
                .any(|(kind, _)| *kind == DeclKind::System)
            {
                return system;
            }
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
            DeclKind::Bucket => {
                let bucket = self.bucket(declaration);
                system.buckets.push(bucket);
            }
            DeclKind::Secret => {
                let secret = self.secret(declaration);
                system.secrets.push(secret);
            }
            DeclKind::Parameter => {
                let parameter = self.parameter(declaration);
                system.parameters.push(parameter);
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
        self.string_entries(setting, "{ team = \"commerce\" }")
            .into_iter()
            .map(|(name, value)| (name.text, value))
            .collect()
    }

    /// A service's `environment`: each variable with where its name is.
    fn environment(&mut self, setting: Setting<'_>) -> Vec<crate::model::EnvironmentVariable> {
        self.string_entries(setting, "{ LOG_LEVEL = \"info\" }")
            .into_iter()
            .map(|(name, value)| crate::model::EnvironmentVariable { name, value })
            .collect()
    }

    /// The entries of an object of strings, each key with where it is.
    fn string_entries(&mut self, setting: Setting<'_>, example: &str) -> Vec<(Name, String)> {
        let ValueKind::Object(entries) = &setting.value.kind else {
            self.mismatch(setting, "an object of strings", example);
            return Vec::new();
        };
        let mut found = Vec::new();
        for entry in entries {
            let entry_setting = Setting {
                key: &entry.key,
                value: &entry.value,
            };
            if let Some(text) = self.string(entry_setting) {
                found.push((
                    Name {
                        text: entry.key.text.clone(),
                        span: entry.key.span,
                    },
                    text.value,
                ));
            }
        }
        found
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

    fn finish(&mut self, system: &mut System) {
        // How a call travels by default: a Lambda callee is invoked; a
        // Fargate callee is reached through ECS Service Connect from other
        // tasks, and through Cloud Map DNS from Lambda functions, which
        // Service Connect does not serve.
        let lambdas: Vec<bool> = system.services.iter().map(Service::is_lambda).collect();
        for (caller, service) in system.services.iter_mut().enumerate() {
            let caller_is_lambda = lambdas.get(caller).copied().unwrap_or(false);
            for call in &mut service.calls {
                if !call.via_declared {
                    let callee_is_lambda = lambdas.get(call.target.0).copied().unwrap_or(false);
                    call.via.value = match (callee_is_lambda, caller_is_lambda) {
                        (true, _) => Via::Invoke,
                        (false, true) => Via::Dns,
                        (false, false) => Via::Mesh,
                    };
                }
            }
        }
        // A Lambda function reads at most 10 messages at a time from a FIFO
        // queue.
        for service in &system.services {
            for consume in &service.consumes {
                let Some(batch) = consume.batch_size else {
                    continue;
                };
                let queues = consume
                    .sources
                    .iter()
                    .filter_map(|source| match source.value {
                        Channel::Queue(id) => Some(id),
                        _ => None,
                    })
                    .chain(consume.via.map(|via| via.value));
                let fifo = queues
                    .into_iter()
                    .any(|id| system.queue(id).is_some_and(|queue| queue.fifo.value));
                if fifo && batch.value > 10 {
                    self.diagnostics.push(aws_limit::diagnostic(
                        "a batch from a FIFO queue",
                        &batch.value.to_string(),
                        batch.span,
                        "1 to 10 messages per batch from a FIFO queue",
                        "batch_size = 10",
                    ));
                }
            }
        }
    }
}
