//! The CloudFormation backend: the whole system as one template,
//! `out/cloudformation/template.json`, equivalent to the Terraform output.
//!
//! It reads the same model, network plan, IAM plan and messaging plans as
//! the Terraform backend and decides nothing of its own: each part below
//! mirrors the Terraform file of the same concern. Where the two languages
//! differ, the template says so in the resource's `Metadata`:
//!
//! - resources Terraform counts (`count = N`) are written N times, with the
//!   zone's index at the end of the logical id (`AppSubnet0`, `AppSubnet1`);
//! - what the AWS provider models as separate resources and CloudFormation
//!   as properties (rule targets, queue redrive, ECR lifecycle, S3 bucket
//!   settings, managed policy attachments) is written as properties;
//! - what Terraform reads with data sources comes from pseudo parameters,
//!   and what it takes as variables comes from template parameters
//!   (`NamePrefix`, `AvailabilityZones`, image tags, function packages, the
//!   prefix lists of gateway endpoints);
//! - Terraform's VPC default security group and the PrivateLink connection
//!   accepter have no CloudFormation counterpart (see `security.rs` and
//!   `privatelink.rs`).
//!
//! A template CloudFormation would refuse is never written: one over the
//! limits of a stack, or whose names fold to the same logical id, is an
//! error diagnostic instead (M230, M231).

mod alarms;
mod data;
mod iam;
mod infra;
mod load_balancers;
mod messaging;
mod network;
mod privatelink;
mod references;
mod sagas;
mod security;
mod services;
mod settings;
pub mod tagging;

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json, json};

use crate::check::names::logical_id_collision;
use crate::check::names::template_too_large::{self, Limit};
use crate::diagnostics::Diagnostic;
use crate::graph::Graph;
use crate::model::System;

/// The most resources a CloudFormation stack may declare.
pub const RESOURCE_LIMIT: usize = 500;
/// The largest template CloudFormation accepts (from S3), in bytes: "1 MB"
/// in AWS's quota table, counted as cfn-lint counts it (rule E1002).
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html>
pub const BODY_LIMIT: usize = 1_000_000;
/// The largest template CloudFormation accepts in the request itself
/// (`--template-body`, and `aws cloudformation deploy` without
/// `--s3-bucket`), in bytes; a larger one is uploaded to S3 first. Same
/// source.
pub const INLINE_BODY_LIMIT: usize = 51_200;
/// The most outputs and parameters of a template.
pub const OUTPUT_LIMIT: usize = 200;
pub const PARAMETER_LIMIT: usize = 200;

pub(crate) use crate::emit::Context;

/// The parameter that turns deletion protection on, and its condition.
const DELETION_PROTECTION: &str = "DeletionProtection";
const PROTECTED: &str = "Protected";

/// One resource of the template.
#[derive(Debug)]
pub(crate) struct Resource {
    kind: &'static str,
    properties: Json,
    depends_on: Vec<String>,
    skips: Vec<(String, String)>,
    lint_ignores: Vec<&'static str>,
    notes: Vec<String>,
    retain: Option<&'static str>,
}

impl Resource {
    /// Created only after `id` is.
    pub fn depends_on(&mut self, id: impl Into<String>) -> &mut Self {
        let id = id.into();
        if !self.depends_on.contains(&id) {
            self.depends_on.push(id);
        }
        self
    }

    /// Its properties, to add to.
    pub fn properties_mut(&mut self) -> Option<&mut Map<String, Json>> {
        self.properties.as_object_mut()
    }

    /// Created only after every one of `ids` is.
    pub fn depends_on_all(&mut self, ids: impl IntoIterator<Item = String>) -> &mut Self {
        for id in ids {
            self.depends_on(id);
        }
        self
    }

    /// A checkov check that does not apply, with the reason, where checkov
    /// reads it (`Metadata.checkov.skip`).
    pub fn skip(&mut self, check: &str, reason: &str) -> &mut Self {
        self.skips.push((check.to_string(), reason.to_string()));
        self
    }

    /// A cfn-lint rule that does not apply, with the reason (in the
    /// resource's comment, since cfn-lint's own metadata has no place for
    /// one).
    pub fn lint_ignore(&mut self, rule: &'static str, reason: &str) -> &mut Self {
        self.lint_ignores.push(rule);
        self.note(&format!("cfn-lint {rule} does not apply: {reason}."))
    }

    /// A line for the reader of the template (`Metadata.Comment`).
    pub fn note(&mut self, text: &str) -> &mut Self {
        self.notes.push(text.to_string());
        self
    }

    /// `DeletionPolicy` (`Retain`, `RetainExceptOnCreate` or `Snapshot`) and
    /// the matching `UpdateReplacePolicy` (which has no
    /// `RetainExceptOnCreate`: a replaced resource is kept). A resource kept
    /// even when the stack's first create rolls back (`Retain`) must not
    /// carry a fixed name, or it blocks the next attempt.
    pub fn keep_on_delete(&mut self, policy: &'static str) -> &mut Self {
        self.retain = Some(policy);
        self
    }

    fn render(mut self, tags: &[(String, String)]) -> Json {
        tagging::add_tags(self.kind, &mut self.properties, tags);
        let mut entry = Map::new();
        entry.insert("Type".into(), Json::from(self.kind));
        if let Some(policy) = self.retain {
            entry.insert("DeletionPolicy".into(), Json::from(policy));
            let on_replace = if policy == "RetainExceptOnCreate" {
                "Retain"
            } else {
                policy
            };
            entry.insert("UpdateReplacePolicy".into(), Json::from(on_replace));
        }
        if !self.depends_on.is_empty() {
            entry.insert("DependsOn".into(), json!(self.depends_on));
        }
        if !self.notes.is_empty() || !self.skips.is_empty() || !self.lint_ignores.is_empty() {
            let mut metadata = Map::new();
            if !self.notes.is_empty() {
                metadata.insert("Comment".into(), Json::from(self.notes.join(" ")));
            }
            if !self.skips.is_empty() {
                let skips: Vec<Json> = self
                    .skips
                    .iter()
                    .map(|(id, comment)| json!({ "id": id, "comment": comment }))
                    .collect();
                metadata.insert("checkov".into(), json!({ "skip": skips }));
            }
            if !self.lint_ignores.is_empty() {
                metadata.insert(
                    "cfn-lint".into(),
                    json!({ "config": { "ignore_checks": self.lint_ignores } }),
                );
            }
            entry.insert("Metadata".into(), Json::Object(metadata));
        }
        let empty = self
            .properties
            .as_object()
            .is_some_and(serde_json::Map::is_empty);
        if !empty {
            entry.insert("Properties".into(), self.properties);
        }
        Json::Object(entry)
    }
}

/// The template being built.
#[derive(Debug, Default)]
pub(crate) struct Template {
    parameters: Map<String, Json>,
    mappings: Map<String, Json>,
    conditions: Map<String, Json>,
    /// Whether a resource's deletion protection follows the
    /// `DeletionProtection` parameter.
    protects: bool,
    resources: Vec<(String, Resource)>,
    /// The resource added last, which its caller may still be configuring.
    pending: Option<(String, Resource)>,
    /// Every logical id added: the base name it was made from, to find two
    /// names that fold to the same id, and, when measuring, its entry in
    /// the `Resources` of the written template (a repeated id replaces the
    /// entry of the first, as it does in the template).
    ids: BTreeMap<String, Added>,
    /// (logical id, one base name, the other), each pair of names once.
    collisions: Vec<(String, String, String)>,
    outputs: Map<String, Json>,
    /// Whether resources are measured and dropped as they are added
    /// (`meshc check`), rather than kept to be written.
    measuring: bool,
    /// The system's tags, which a measured resource carries as the
    /// rendered one does.
    tags: Vec<(String, String)>,
    /// Every resource added, by type, repeats included.
    kinds: BTreeMap<&'static str, usize>,
}

/// What the template keeps of a logical id once its resource is added.
#[derive(Debug)]
struct Added {
    /// The base name the id was made from.
    origin: Box<str>,
    /// When measuring, the bytes of its entry.
    size: EntrySize,
}

/// The bytes of one entry `"id": value` of the template's `Resources`.
#[derive(Clone, Copy, Debug, Default)]
struct EntrySize {
    /// Indented as `render_json` writes it, at its depth, without the
    /// separator before it.
    indented: usize,
    compact: usize,
}

/// Counts the bytes and line breaks written to it.
#[derive(Debug, Default)]
struct Counter {
    bytes: usize,
    lines: usize,
}

impl std::io::Write for Counter {
    fn write(&mut self, buffer: &[u8]) -> std::io::Result<usize> {
        self.bytes += buffer.len();
        self.lines += buffer.iter().filter(|byte| **byte == b'\n').count();
        Ok(buffer.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The bytes of `value` written compact, and indented at `depth` (two spaces
/// a level) as `render_json` writes it inside an object.
fn json_sizes(value: &Json, depth: usize) -> (usize, usize) {
    let mut compact = Counter::default();
    let mut indented = Counter::default();
    // Writing to a counter cannot fail, nor can a `Value`.
    let _ = serde_json::to_writer(&mut compact, value);
    let _ = serde_json::to_writer_pretty(&mut indented, value);
    (compact.bytes, indented.bytes + indented.lines * 2 * depth)
}

impl Template {
    /// Adds a resource under a logical id made by [`id`] from `origin`.
    pub fn add(
        &mut self,
        logical_id: String,
        origin: &str,
        kind: &'static str,
        properties: Json,
    ) -> &mut Resource {
        if let Some(previous) = self.ids.get(&logical_id) {
            let previous = &*previous.origin;
            let known = self
                .collisions
                .iter()
                .any(|(_, first, second)| first == previous && second == origin);
            if previous != origin && !known {
                self.collisions.push((
                    logical_id.clone(),
                    previous.to_string(),
                    origin.to_string(),
                ));
            }
        } else {
            let added = Added {
                origin: origin.into(),
                size: EntrySize::default(),
            };
            self.ids.insert(logical_id.clone(), added);
        }
        self.flush();
        let (_, resource) = self.pending.insert((
            logical_id,
            Resource {
                kind,
                properties,
                depends_on: Vec::new(),
                skips: Vec::new(),
                lint_ignores: Vec::new(),
                notes: Vec::new(),
                retain: None,
            },
        ));
        resource
    }

    /// The resource added last, when its logical id is `logical_id`: a
    /// resource the template holds inside another goes into it.
    pub fn last(&mut self, logical_id: &str) -> Option<&mut Resource> {
        match &mut self.pending {
            Some((id, resource)) if id == logical_id => Some(resource),
            _ => None,
        }
    }

    fn flush(&mut self) {
        let Some((logical_id, resource)) = self.pending.take() else {
            return;
        };
        *self.kinds.entry(resource.kind).or_default() += 1;
        if !self.measuring {
            self.resources.push((logical_id, resource));
            return;
        }
        // `"id": value` at depth 2, in `Resources` in the template.
        let (key_compact, key_indented) = json_sizes(&Json::from(logical_id.as_str()), 2);
        let (compact, indented) = json_sizes(&resource.render(&self.tags), 2);
        let entry = EntrySize {
            indented: 2 * 2 + key_indented + ": ".len() + indented,
            compact: key_compact + ":".len() + compact,
        };
        if let Some(added) = self.ids.get_mut(&logical_id) {
            added.size = entry;
        }
    }

    /// How many resources were added, repeats included.
    fn resource_count(&self) -> usize {
        self.kinds.values().sum()
    }

    pub fn parameter(&mut self, name: &str, definition: Json) {
        self.parameters.insert(name.to_string(), definition);
    }

    pub fn mapping(&mut self, name: &str, definition: Json) {
        self.mappings.insert(name.to_string(), definition);
    }

    pub fn condition(&mut self, name: &str, definition: Json) {
        self.conditions.insert(name.to_string(), definition);
    }

    /// The deletion protection of a resource whose declaration asks for it:
    /// the `DeletionProtection` parameter, as a boolean. It is off for the
    /// stack's first create, so that a create that fails rolls back
    /// completely (a protected load balancer, table or database cannot be
    /// deleted, and the rollback would stop at it), and on from the next
    /// deploy.
    pub fn deletion_protection(&mut self, declared: bool) -> Json {
        if !declared {
            return Json::from(false);
        }
        self.protects = true;
        json!({ "Fn::If": [PROTECTED, true, false] })
    }

    /// [`Self::deletion_protection`] as a load balancer attribute, a string.
    pub fn deletion_protection_attribute(&mut self) -> Json {
        self.protects = true;
        reference(DELETION_PROTECTION)
    }

    pub fn output(&mut self, name: &str, description: &str, value: Json) {
        let mut output = Map::new();
        output.insert("Description".into(), Json::from(description));
        output.insert("Value".into(), value);
        self.outputs.insert(name.to_string(), Json::Object(output));
    }

    fn render(self, system: &System) -> Json {
        // The system's tags on every resource that takes them, as
        // Terraform's `default_tags` puts them.
        let tags = crate::emit::system_tags(system);
        let mut template = Map::new();
        template.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
        template.insert(
            "Description".into(),
            Json::from(crate::emit::names::description(
                &format!(
                    "The system {}, as compiled by meshc from its .mesh description.",
                    system.name.text
                ),
                1024,
            )),
        );
        let mut parameters = self.parameters;
        let mut conditions = self.conditions;
        if self.protects {
            parameters.insert(
                DELETION_PROTECTION.into(),
                json!({
                    "Type": "String",
                    "Description": "Whether the load balancers, tables and databases refuse to be deleted. Create the stack with false, so that a first create that fails rolls back completely; deploy every later change with true.",
                    "AllowedValues": ["true", "false"],
                    "Default": "true",
                }),
            );
            conditions.insert(
                PROTECTED.into(),
                json!({ "Fn::Equals": [reference(DELETION_PROTECTION), "true"] }),
            );
        }
        if !parameters.is_empty() {
            template.insert("Parameters".into(), Json::Object(parameters));
        }
        if !self.mappings.is_empty() {
            template.insert("Mappings".into(), Json::Object(self.mappings));
        }
        if !conditions.is_empty() {
            template.insert("Conditions".into(), Json::Object(conditions));
        }
        let resources: Map<String, Json> = self
            .resources
            .into_iter()
            .map(|(id, resource)| (id, resource.render(&tags)))
            .collect();
        template.insert("Resources".into(), Json::Object(resources));
        if !self.outputs.is_empty() {
            template.insert("Outputs".into(), Json::Object(self.outputs));
        }
        Json::Object(template)
    }
}

// ---------------------------------------------------------------------------
// Logical ids and intrinsic functions.

/// The logical id of a resource: its base name in `PascalCase` (dashes and
/// underscores start a new word; a word that starts with a digit is marked
/// with `N`, so that `10-20` and `102-0` differ), then its kind.
pub(crate) fn id(base: &str, kind: &str) -> String {
    let mut out = String::with_capacity(base.len() + kind.len());
    let mut word_start = true;
    for ch in base.chars() {
        if ch.is_ascii_alphanumeric() {
            if word_start {
                if ch.is_ascii_digit() && !out.is_empty() {
                    out.push('N');
                }
                out.push(ch.to_ascii_uppercase());
            } else {
                out.push(ch);
            }
            word_start = false;
        } else {
            word_start = true;
        }
    }
    out.push_str(kind);
    out
}

/// The logical id of the `index`th of a counted resource.
pub(crate) fn counted(base: &str, kind: &str, index: usize) -> String {
    format!("{}{index}", id(base, kind))
}

/// Sets `key` of a JSON object (and does nothing to any other value).
pub(crate) fn set(object: &mut Json, key: &str, value: Json) {
    if let Some(entries) = object.as_object_mut() {
        entries.insert(key.to_string(), value);
    }
}

pub(crate) fn reference(id: &str) -> Json {
    json!({ "Ref": id })
}

pub(crate) fn attribute(id: &str, name: &str) -> Json {
    json!({ "Fn::GetAtt": [id, name] })
}

pub(crate) fn sub(text: &str) -> Json {
    json!({ "Fn::Sub": text })
}

/// The AWS name of a resource of `kind`: the system prefix, a dash, the
/// base name.
pub(crate) fn aws_name(
    context: &Context<'_>,
    kind: crate::model::aws_names::NameKind,
    base: &str,
) -> Json {
    physical_name(context, &crate::emit::names::aws(context, kind, base))
}

/// A physical name in the template: a string, a `Fn::Sub` of its parts, or
/// a `Ref` to the prefix parameter. A counted name is given its zone first
/// ([`crate::emit::names::PhysicalName::in_zone`]).
pub(crate) fn physical_name(
    context: &Context<'_>,
    name: &crate::emit::names::PhysicalName,
) -> Json {
    written(context, &name.parts, || what_name(name))
}

/// A text of deploy-time parts in the template (an ARN pattern).
pub(crate) fn interpolated(context: &Context<'_>, parts: &[crate::emit::names::Part]) -> Json {
    written(context, parts, || format!("text {parts:?}"))
}

/// Deploy-time parts, `what` for an error: a string, a `Fn::Sub`, or a
/// `Ref` to the one part (the prefix parameter, a pseudo parameter).
fn written(
    context: &Context<'_>,
    parts: &[crate::emit::names::Part],
    what: impl Fn() -> String,
) -> Json {
    use crate::emit::names::Part;
    match parts {
        [Part::Prefix] => return reference("NamePrefix"),
        [Part::AccountId] => return reference("AWS::AccountId"),
        [Part::Region] => return reference("AWS::Region"),
        [Part::Partition] => return reference("AWS::Partition"),
        _ => {}
    }
    let text = parts_text(context, parts, what);
    if parts.iter().all(|part| matches!(part, Part::Text(_))) {
        return Json::from(text);
    }
    sub(&text)
}

/// A physical name as the text of a `Fn::Sub`, to write inside another
/// (an ARN).
pub(crate) fn sub_text(context: &Context<'_>, name: &crate::emit::names::PhysicalName) -> String {
    parts_text(context, &name.parts, || what_name(name))
}

/// A physical name, for an error.
fn what_name(name: &crate::emit::names::PhysicalName) -> String {
    format!("{:?} name {:?}", name.kind, name.parts)
}

/// Deploy-time parts as the text of a `Fn::Sub`. A zone index left in
/// them is an internal error: a template unrolls every counted resource.
fn parts_text(
    context: &Context<'_>,
    parts: &[crate::emit::names::Part],
    what: impl Fn() -> String,
) -> String {
    use crate::emit::names::Part;
    parts
        .iter()
        .map(|part| match part {
            Part::Text(text) => text.clone(),
            Part::Prefix => "${NamePrefix}".to_string(),
            Part::AccountId => "${AWS::AccountId}".to_string(),
            Part::Region => "${AWS::Region}".to_string(),
            Part::Partition => "${AWS::Partition}".to_string(),
            Part::Index => {
                context.name_problem(format!("the {} has no zone in the template", what()));
                String::new()
            }
        })
        .collect()
}

/// `Name` (and more) tags.
pub(crate) fn name_tags(name: Json, extra: &[(&str, &str)]) -> Json {
    let mut first = Map::new();
    first.insert("Key".into(), Json::from("Name"));
    first.insert("Value".into(), name);
    let mut tags = vec![Json::Object(first)];
    tags.extend(
        extra
            .iter()
            .map(|(key, value)| json!({ "Key": key, "Value": value })),
    );
    Json::Array(tags)
}

/// The ARN of the account's root, for key and endpoint service policies.
pub(crate) fn account_root() -> Json {
    sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")
}

/// The subnet ids of a subnet group, one per zone.
pub(crate) fn subnet_ids(context: &Context<'_>, subnet: crate::model::SubnetRef) -> Json {
    let name = crate::emit::names::subnet(context.system, subnet);
    let zones = context
        .graph
        .network
        .subnet(subnet)
        .map_or(0, |layout| layout.zones.len());
    Json::Array(
        (0..zones)
            .map(|zone| reference(&counted(&name, "Subnet", zone)))
            .collect(),
    )
}

/// The group id of a security group of the network plan.
pub(crate) fn group_id(context: &Context<'_>, owner: crate::graph::network::Guarded) -> Json {
    attribute(
        &id(
            &crate::emit::names::guarded(context.system, owner),
            "SecurityGroup",
        ),
        "GroupId",
    )
}

/// The system's KMS key ARN.
pub(crate) fn key_arn() -> Json {
    attribute(settings::KEY, "Arn")
}

/// A log group with a retention, encrypted with the system key.
pub(crate) fn log_group(
    context: &Context<'_>,
    template: &mut Template,
    base: &str,
    name: crate::emit::names::PhysicalName,
    days: u64,
) -> String {
    infra::add(
        context,
        template,
        &crate::emit::infra::logs::log_group(base, name, days),
    )
}

/// The template of a system, or the diagnostics that say why CloudFormation
/// would refuse it.
pub fn emit(system: &System, graph: &Graph) -> Result<String, Vec<Diagnostic>> {
    let context = Context::new(system, graph);
    let template = translate(&context);
    let (diagnostics, text) = refusals(&context, template);
    match text {
        Some(text) if diagnostics.is_empty() => Ok(text),
        _ => Err(diagnostics),
    }
}

/// Why CloudFormation would refuse the template of a system, found as
/// `emit` finds it but without writing the template: each resource is
/// built, measured and dropped.
pub fn check(system: &System, graph: &Graph) -> Vec<Diagnostic> {
    let context = Context::measuring(system, graph);
    let template = translate(&context);
    refusals(&context, template).0
}

/// Every resource of the system, in the template.
fn translate(context: &Context<'_>) -> Template {
    let mut template = Template {
        measuring: context.measuring,
        tags: crate::emit::system_tags(context.system),
        ..Template::default()
    };
    settings::parameters(context, &mut template);
    settings::encryption(context, &mut template);
    network::network(context, &mut template);
    network::endpoints(context, &mut template);
    security::security_groups(context, &mut template);
    security::nacls(context, &mut template);
    iam::roles(context, &mut template);
    services::services(context, &mut template);
    services::functions(context, &mut template);
    load_balancers::load_balancers(context, &mut template);
    messaging::events(context, &mut template);
    messaging::queues(context, &mut template);
    messaging::topics(context, &mut template);
    messaging::streams(context, &mut template);
    data::data_stores(context, &mut template);
    sagas::sagas(context, &mut template);
    alarms::alarms(context, &mut template);
    privatelink::private_links(context, &mut template);
    settings::outputs(context, &mut template);
    template.flush();
    template
}

/// What CloudFormation would refuse in a template (names, collisions, the
/// limits of a stack), and the template's text unless it was measured.
fn refusals(context: &Context<'_>, template: Template) -> (Vec<Diagnostic>, Option<String>) {
    let system = context.system;
    let mut diagnostics = context.diagnostics();
    for (logical_id, first, second) in &template.collisions {
        diagnostics.push(logical_id_collision::diagnostic(
            system, logical_id, first, second,
        ));
    }
    let counts = [
        (Limit::Resources, template.resource_count(), RESOURCE_LIMIT),
        (
            Limit::Parameters,
            template.parameters.len(),
            PARAMETER_LIMIT,
        ),
        (Limit::Outputs, template.outputs.len(), OUTPUT_LIMIT),
    ];
    let by_kind = template.kinds.clone();
    let (size, text) = if template.measuring {
        (measured_size(template, system), None)
    } else {
        let text = layout(&template.render(system));
        (text.len(), Some(text))
    };
    for (limit, count, most) in counts {
        if count > most {
            diagnostics.push(template_too_large::diagnostic(
                system, limit, count, most, &by_kind,
            ));
        }
    }
    if size > BODY_LIMIT {
        diagnostics.push(template_too_large::diagnostic(
            system,
            Limit::Bytes,
            size,
            BODY_LIMIT,
            &by_kind,
        ));
    }
    (diagnostics, text)
}

/// The bytes of the template `layout` would write, from a template whose
/// resources were measured: the rest of the template is written with an
/// empty `Resources`, and the entries' bytes take the place of its `{}`.
fn measured_size(mut template: Template, system: &System) -> usize {
    let entries: Vec<EntrySize> = std::mem::take(&mut template.ids)
        .into_values()
        .map(|added| added.size)
        .collect();
    let skeleton = template.render(system);
    let mut indented = render_json(&skeleton).len();
    let mut compact = serde_json::to_string(&skeleton).map_or(0, |text| text.len()) + 1;
    if !entries.is_empty() {
        let count = entries.len();
        // `{` + "\n" before the first entry, ",\n" before each other one,
        // then "\n" + two spaces + `}`; compact: `{`, commas, `}`.
        indented += entries.iter().map(|entry| entry.indented).sum::<usize>()
            + 1
            + (2 * count - 1)
            + 1
            + 2
            + 1
            - "{}".len();
        compact += entries.iter().map(|entry| entry.compact).sum::<usize>() + (count - 1);
    }
    match chosen_layout(indented, compact) {
        Layout::Indented => indented,
        Layout::Compact => compact,
    }
}

/// How a template is written.
enum Layout {
    Indented,
    Compact,
}

/// Indented, unless only the compact form fits a limit the indented one
/// goes over (the 51,200 bytes of an inline body, or the 1 MB of one
/// uploaded to S3), given the bytes of both.
fn chosen_layout(indented: usize, compact: usize) -> Layout {
    if indented <= INLINE_BODY_LIMIT {
        Layout::Indented
    } else if compact <= INLINE_BODY_LIMIT || indented > BODY_LIMIT {
        Layout::Compact
    } else {
        Layout::Indented
    }
}

/// The template as it is written (see [`chosen_layout`]). The limits count
/// the bytes of the file, so the written text is what M230 measures.
fn layout(template: &Json) -> String {
    let indented = render_json(template);
    if indented.len() <= INLINE_BODY_LIMIT {
        return indented;
    }
    let mut compact = serde_json::to_string(template).unwrap_or_default();
    compact.push('\n');
    match chosen_layout(indented.len(), compact.len()) {
        Layout::Indented => indented,
        Layout::Compact => compact,
    }
}

/// JSON with two-space indentation and a final newline.
pub(crate) fn render_json(value: &Json) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}
