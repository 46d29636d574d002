//! Lowering `DynamoDB` tables (keys, indexes, billing), RDS databases, S3
//! buckets, Secrets Manager secrets and Parameter Store parameters.

use super::{Resolver, doc_text, name_of};
use crate::check::names::{
    aws_limit, duplicate_name, invalid_value, missing_attribute, type_mismatch,
};
use crate::model::aws::limits;
use crate::model::aws_names::NameKind;
use crate::model::reader::{Reader, Setting};
use crate::model::units::Duration;
use crate::model::{
    Billing, Bucket, Database, Engine, Index, Key, KeyType, Parameter, Projection, Secret, Spanned,
    StreamView, Table, Tier, Usage, defaults,
};
use crate::syntax::ast::{Block, Declaration, TypeExprKind, ValueKind};

impl Resolver<'_> {
    pub(super) fn key(&mut self, setting: Setting<'_>) -> Option<Key> {
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

    pub(super) fn table(&mut self, declaration: &Declaration) -> Table {
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

    pub(super) fn index(&mut self, block: &Block) -> Option<Index> {
        let Some(name) = &block.name else {
            self.diagnostics.push(missing_attribute::diagnostic(
                "this index",
                block.keyword.span,
                "name",
                "index by-customer { partition_key = customerId: string }",
            ));
            return None;
        };
        if let Some(rule) = NameKind::TableIndex.rule()
            && rule.violation(&name.text).is_some()
        {
            let (min, max) = rule.length;
            let nearest = if name.text.len() < min {
                format!("{}-index", name.text)
            } else {
                name.text
                    .chars()
                    .take(max)
                    .collect::<String>()
                    .trim_end_matches(['-', '_'])
                    .to_string()
            };
            self.diagnostics.push(aws_limit::diagnostic(
                "the DynamoDB index name",
                &format!("`{}`", name.text),
                name.span,
                &format!("{min} to {max} characters"),
                &nearest,
            ));
        }
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

    pub(super) fn billing(&mut self, setting: Setting<'_>) -> Option<Spanned<Billing>> {
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

    pub(super) fn database(&mut self, declaration: &Declaration) -> Database {
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
        let example = self.subnet_example(&[Tier::Isolated, Tier::Private], "data");
        if let Some(setting) = self.required(&mut reader, "subnet", &example) {
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
                    Duration::from_days(1),
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
}

impl Resolver<'_> {
    pub(super) fn bucket(&mut self, declaration: &Declaration) -> Bucket {
        let mut reader = Self::reader(declaration);
        let mut bucket = Bucket {
            name: name_of(&declaration.name),
            doc: doc_text(&declaration.doc),
            span: declaration.span,
            expire: None,
            deletion_protection: defaults::BUCKET_DELETION_PROTECTION,
            usage: Usage::default(),
        };
        if let Some(setting) = reader.take("expire", self.diagnostics) {
            if let Some(expire) = self.duration(setting) {
                bucket.expire = self.whole_days("an S3 object expiry", expire);
            }
        }
        if let Some(setting) = reader.take("deletion_protection", self.diagnostics) {
            bucket.deletion_protection = self.boolean(setting).is_none_or(|flag| flag.value);
        }
        bucket.usage = self.usage_of(&mut reader);
        reader.finish(self.diagnostics);
        bucket
    }

    /// A duration AWS counts in whole days, at least one.
    fn whole_days(&mut self, what: &str, value: Spanned<Duration>) -> Option<Spanned<Duration>> {
        let day = Duration::from_days(1).as_millis();
        let millis = value.value.as_millis();
        if millis >= day && millis % day == 0 {
            return Some(value);
        }
        let nearest = millis.div_ceil(day).max(1);
        self.diagnostics.push(aws_limit::diagnostic(
            what,
            &value.value.to_string(),
            value.span,
            "a whole number of days, at least one",
            &format!("{nearest}d"),
        ));
        None
    }

    pub(super) fn secret(&mut self, declaration: &Declaration) -> Secret {
        let mut reader = Self::reader(declaration);
        let usage = self.usage_of(&mut reader);
        reader.finish(self.diagnostics);
        Secret {
            name: name_of(&declaration.name),
            doc: doc_text(&declaration.doc),
            span: declaration.span,
            usage,
        }
    }

    pub(super) fn parameter(&mut self, declaration: &Declaration) -> Parameter {
        let mut reader = Self::reader(declaration);
        let mut value = Spanned::new(String::new(), declaration.name.span);
        if let Some(setting) = self.required(&mut reader, "value", "value = \"...\"") {
            if let Some(text) = self.string(setting) {
                let length = text.value.len();
                if !(limits::SSM_PARAMETER_VALUE.0..=limits::SSM_PARAMETER_VALUE.1)
                    .contains(&length)
                {
                    let nearest = if length == 0 { "1 byte" } else { "4096 bytes" };
                    self.diagnostics.push(aws_limit::diagnostic(
                        "a Parameter Store value",
                        &format!("{length} bytes"),
                        text.span,
                        "1 to 4096 bytes in a standard parameter",
                        nearest,
                    ));
                }
                value = text;
            }
        }
        let usage = self.usage_of(&mut reader);
        reader.finish(self.diagnostics);
        Parameter {
            name: name_of(&declaration.name),
            doc: doc_text(&declaration.doc),
            span: declaration.span,
            value,
            usage,
        }
    }
}
