//! Every string the user writes reaches the emitted files as the text
//! written, whatever it holds: template syntax of Terraform (`${...}`,
//! `%{ if }`, their escapes `$${`, `%%{`), CloudFormation references
//! (`${AWS::Region}`, `${!x}`, a placeholder's own `${name}`), backslashes,
//! quotes and line breaks.
//!
//! A system with a payload in every free-text field — the doc comment of
//! every kind of declaration, of schema fields and members, tags, the
//! environment, a health check path, an image, a handler, a detail type, enum values and
//! filter values — is built, and each field's text is looked for where the
//! tools that deploy the files will read it:
//!
//! - every `.tf` file is parsed with hcl-rs, and its strings and templates
//!   decoded as Terraform decodes them: the user's text is literal text,
//!   never an interpolation or a directive;
//! - each `stepfunctions/*.asl.json` is parsed as the template Terraform's
//!   `templatefile` reads, which may interpolate only the placeholders that
//!   `sagas.tf` passes it, and rendered with hcl-rs's evaluator;
//! - each state machine of the CloudFormation template gets the
//!   substitution AWS applies to `Definition` with `DefinitionSubstitutions`
//!   (the resource provider replaces `${KEY}` for each key, repeatedly until
//!   none is left: `StringUtils.replaceEachRepeatedly`), and every `Fn::Sub`
//!   string may reference only parameters, pseudo parameters, resources and
//!   their attributes, never hold the user's text.
//!
//! Each field's text is wrapped as `<FIELD PAYLOAD>` so that where it
//! lands can be found: wherever `<FIELD ` stands in a decoded string, the
//! whole text must follow.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // Tests may fail loudly.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use hcl::eval::{Context, Evaluate};
use hcl::template::{Element, Template};
use hcl::{BlockLabel, Body, Expression, ObjectKey, Structure};
use serde_json::Value as Json;

/// A system with `{D:field}` where a doc comment goes and `{S:field}` where
/// a string literal goes.
const SYSTEM: &str = r#"/// {D:system}
system shop {
  region = "us-east-1"
  tags   = { team = {S:tag-value}  {S:tag-key} = "x" }
}

/// {D:network}
network main {
  cidr = 10.20.0.0/16
  nat  = single
  /// {D:subnet}
  subnet edge { tier = public }
  subnet app  { tier = private }
  subnet data { tier = isolated }
}

/// {D:bus}
bus commerce { archive = 7d }

/// {D:event}
event OrderCreated {
  bus         = commerce
  source      = order
  detail_type = {S:detail-type}
  schema {
    /// {D:field}
    orderId: string
    status: {S:enum} | {S:where} | {S:rule-filter} | "confirmed"
    items: [{
      /// {D:nested-field}
      sku: string
    }]
  }
}

/// {D:queue}
queue jobs { dlq { max_receives = 3 } }

/// {D:topic}
topic alerts {
  subscribe jobs where kind = {S:topic-filter}
}

/// {D:stream}
stream clicks { retention = 24h }

/// {D:table}
table orders { partition_key = orderId: string }

/// {D:database}
database ledger { engine = postgres  class = "db.t4g.medium"  subnet = data }

/// {D:service}
service order {
  compute = fargate { cpu = 0.5  memory = 1GB  image = {S:image} }
  subnet  = app
  port    = 8080
  expose  = alb {
    public      = true
    path        = "/orders/*"
    health      = {P:health}
    certificate = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d"
  }
  environment = { MODE = {S:env-value} }
  uses orders (read_write)
  uses ledger
  publishes OrderCreated
  publishes clicks
  operations = [confirm]
}

/// {D:function}
service inventory {
  compute = lambda { runtime = "python3.12"  handler = {S:handler} }
  subnet  = app
  consumes OrderCreated where status = {S:where}
  consumes jobs
  publishes alerts
  operations = [reserve, release]
}

/// {D:rule}
rule big-orders {
  matches OrderCreated where status starts_with {S:rule-filter}
  targets = [inventory]
}

/// {D:saga}
saga checkout {
  trigger = OrderCreated
  /// {D:step}
  step reserve { do = inventory.reserve  undo = inventory.release }
  step confirm { do = order.confirm  pivot = true }
}

/// {D:firewall}
firewall order {
  allow in tcp 8080 from 10.20.0.0/16
}

/// {D:nacl}
nacl app-acl {
  subnet = app
  allow in all from 10.20.0.0/16
  allow in tcp 1024-65535 from 0.0.0.0/0
  allow out all to 0.0.0.0/0
}
"#;

/// What a hostile or careless user writes. No `<` or `>`: they delimit the
/// payload in the output.
const PAYLOADS: [&str; 14] = [
    "From a new order %{ if false }hidden%{ endif }[${upper(inventory_function_arn)}]",
    "${upper(x)}",
    "%{ if false }hidden%{ endif }",
    "${AWS::Region}",
    "${!x}",
    "$${",
    "a lone ${ in prose",
    "%%{ and %{ and $$${",
    "${inventory_function_arn} ${alerts_queue_url}",
    "${NamePrefix}-${ServiceOrder.Arn}",
    "${var.name_prefix}",
    r"back\slash \n \u{41} \\",
    "quote \" quote",
    "line\nbreak\ttab",
];

/// The fields that reach at least one emitted file.
const REACHING: [&str; 24] = [
    "network",
    "subnet",
    "bus",
    "event",
    "field",
    "nested-field",
    "queue",
    "topic",
    "stream",
    "table",
    "database",
    "function",
    "rule",
    "saga",
    "tag-value",
    "tag-key",
    "detail-type",
    "enum",
    "where",
    "rule-filter",
    "topic-filter",
    "image",
    "health",
    "env-value",
    // An environment variable's name carries no text of the user's: M223
    // holds it to a letter, then letters, digits and `_`.
];

/// The source with `payload` in every field, and the text each field must
/// keep, by field.
/// Whether code holds the user's text: the `<FIELD ` that opens every
/// field of the test system (an operator such as `<=` does not).
fn holds_user_text(code: &str) -> bool {
    code.split('<')
        .skip(1)
        .any(|after| after.starts_with(|ch: char| ch.is_ascii_alphabetic()))
}

fn source_with(payload: &str) -> (String, BTreeMap<String, String>) {
    let mut source = String::new();
    let mut texts = BTreeMap::new();
    let mut rest = SYSTEM;
    while let Some(start) = rest.find('{') {
        let (before, after) = rest.split_at(start);
        source.push_str(before);
        let marker = after
            .get(1..3)
            .filter(|kind| ["D:", "S:", "P:"].contains(kind))
            .and_then(|_| after.find('}'));
        let Some(end) = marker else {
            source.push('{');
            rest = &after[1..];
            continue;
        };
        let field = &after[3..end];
        if after.starts_with("{D:") {
            // A doc comment is one line.
            let text = format!("<{field} {}>", payload.replace(['\n', '\r'], " "));
            source.push_str(&text);
            texts.insert(field.to_string(), text);
        } else {
            let text = if after.starts_with("{P:") {
                // A health check path: `/` first, no space or control
                // character (anything else would be M209).
                let kept: String = payload.chars().filter(char::is_ascii_graphic).collect();
                format!("/<{field}_{kept}>")
            } else {
                format!("<{field} {payload}>")
            };
            source.push('"');
            for ch in text.chars() {
                match ch {
                    '"' => source.push_str("\\\""),
                    '\\' => source.push_str("\\\\"),
                    '\n' => source.push_str("\\n"),
                    '\t' => source.push_str("\\t"),
                    '\r' => source.push_str("\\r"),
                    other => source.push(other),
                }
            }
            source.push('"');
            texts.insert(field.to_string(), text);
        }
        rest = &after[end + 1..];
    }
    source.push_str(rest);
    (source, texts)
}

/// Where a field's text lands, `texts` being what it must read there:
/// every `<FIELD ` in `found` must open the whole text. Returns the fields
/// seen.
fn expect_literal(
    place: &str,
    found: &str,
    texts: &BTreeMap<String, String>,
    seen: &mut BTreeSet<String>,
) {
    for (field, text) in texts {
        let opening = format!("<{field}");
        for (index, _) in found.match_indices(&opening) {
            // `<FIELD ` opens a text, `<FIELD_` a path's.
            if !found[index + opening.len()..].starts_with([' ', '_']) {
                continue;
            }
            // A path's text starts with the `/` before its marker.
            let index = index - usize::from(text.starts_with('/'));
            assert!(
                found[index..].starts_with(text.as_str()),
                "{place}: the text of {field} should read\n  {text:?}\nbut reads\n  {:?}",
                found[index..]
                    .chars()
                    .take(text.chars().count() + 20)
                    .collect::<String>()
            );
            seen.insert(field.clone());
        }
    }
}

/// An interpolation, as it appears among the literal text of a decoded
/// template.
const INTERPOLATION: char = '\u{1}';
/// A directive, likewise.
const DIRECTIVE: char = '\u{2}';

/// Every string of an HCL body as Terraform decodes it: literal strings as
/// they are, templates with their interpolations and directives replaced by
/// a marker; and the interpolations, as text.
#[derive(Default)]
struct Strings {
    decoded: Vec<String>,
    interpolations: Vec<String>,
    directives: usize,
}

impl Strings {
    fn body(&mut self, body: &Body) {
        for structure in body {
            match structure {
                Structure::Attribute(attribute) => self.expression(&attribute.expr),
                Structure::Block(block) => {
                    for label in &block.labels {
                        match label {
                            BlockLabel::String(text) => self.decoded.push(text.clone()),
                            BlockLabel::Identifier(identifier) => {
                                self.decoded.push(identifier.to_string());
                            }
                        }
                    }
                    self.body(&block.body);
                }
            }
        }
    }

    fn template(&mut self, template: &Template) -> String {
        let mut text = String::new();
        for element in template.elements() {
            match element {
                Element::Literal(literal) => text.push_str(literal),
                Element::Interpolation(interpolation) => {
                    text.push(INTERPOLATION);
                    self.interpolations.push(interpolation.expr.to_string());
                }
                Element::Directive(_) => {
                    text.push(DIRECTIVE);
                    self.directives += 1;
                }
            }
        }
        text
    }

    fn expression(&mut self, expression: &Expression) {
        match expression {
            Expression::String(text) => self.decoded.push(text.clone()),
            Expression::TemplateExpr(template) => {
                let template = Template::from_expr(template).unwrap();
                let text = self.template(&template);
                self.decoded.push(text);
            }
            Expression::Array(items) => {
                for item in items {
                    self.expression(item);
                }
            }
            Expression::Object(object) => {
                for (key, value) in object {
                    match key {
                        ObjectKey::Identifier(identifier) => {
                            self.decoded.push(identifier.to_string());
                        }
                        ObjectKey::Expression(key) => self.expression(key),
                        _ => panic!("an object key of an unknown kind: {key:?}"),
                    }
                    self.expression(value);
                }
            }
            Expression::FuncCall(call) => {
                for argument in &call.args {
                    self.expression(argument);
                }
            }
            Expression::Parenthesis(inner) => self.expression(inner),
            Expression::Conditional(conditional) => {
                self.expression(&conditional.cond_expr);
                self.expression(&conditional.true_expr);
                self.expression(&conditional.false_expr);
            }
            Expression::Traversal(traversal) => {
                self.interpolations.push(expression.to_string());
                self.expression(&traversal.expr);
            }
            Expression::Null | Expression::Bool(_) | Expression::Number(_) => {}
            // Operations, `for` expressions: code, which must not hold the
            // user's text either.
            other => self.interpolations.push(other.to_string()),
        }
    }
}

/// The keys `templatefile` is given for each definition file, from the
/// `templatefile("${path.module}/../FILE", { KEY = ... })` calls.
fn templatefile_keys(body: &Body, keys: &mut BTreeMap<String, BTreeSet<String>>) {
    fn walk(expression: &Expression, keys: &mut BTreeMap<String, BTreeSet<String>>) {
        match expression {
            Expression::FuncCall(call) if call.name.to_string() == "templatefile" => {
                let mut strings = Strings::default();
                strings.expression(&call.args[0]);
                let path = strings.decoded[0].clone();
                let file = path.rsplit("../").next().unwrap().to_string();
                let Expression::Object(object) = &call.args[1] else {
                    panic!("templatefile without an object of placeholders");
                };
                let names = object
                    .keys()
                    .map(|key| match key {
                        ObjectKey::Identifier(identifier) => identifier.to_string(),
                        other => panic!("a placeholder named by {other:?}"),
                    })
                    .collect();
                keys.insert(file, names);
            }
            Expression::FuncCall(call) => {
                for argument in &call.args {
                    walk(argument, keys);
                }
            }
            _ => {}
        }
    }
    for structure in body {
        match structure {
            Structure::Attribute(attribute) => walk(&attribute.expr, keys),
            Structure::Block(block) => templatefile_keys(&block.body, keys),
        }
    }
}

/// A string as the service that reads it sees it: a JSON document held in
/// a string (an event schema, a pattern, a policy) is read as JSON.
fn read_string(text: &str, out: &mut Vec<String>) {
    match serde_json::from_str::<Json>(text) {
        Ok(document @ (Json::Object(_) | Json::Array(_))) => json_strings(&document, out),
        _ => out.push(text.to_string()),
    }
}

/// Every string of a JSON value, keys included.
fn json_strings(value: &Json, out: &mut Vec<String>) {
    match value {
        Json::String(text) => read_string(text, out),
        Json::Array(items) => {
            for item in items {
                json_strings(item, out);
            }
        }
        Json::Object(entries) => {
            for (key, value) in entries {
                out.push(key.clone());
                json_strings(value, out);
            }
        }
        _ => {}
    }
}

/// What CloudFormation's Step Functions resource provider does with
/// `DefinitionSubstitutions` (`DefinitionProcessor.transformDefinition`):
/// `StringUtils.replaceEachRepeatedly(definition, ["${KEY}"...],
/// [value...])`, which replaces until nothing changes.
fn substitute_repeatedly(text: &str, substitutions: &BTreeMap<String, String>) -> String {
    let mut text = text.to_string();
    for _ in 0..=substitutions.len() {
        let mut changed = false;
        for (key, value) in substitutions {
            let placeholder = format!("${{{key}}}");
            if text.contains(&placeholder) {
                text = text.replace(&placeholder, value);
                changed = true;
            }
        }
        if !changed {
            return text;
        }
    }
    panic!("the substitution does not end");
}

/// The references of a `Fn::Sub` string: `${X}`, not `${!X}`.
fn sub_references(text: &str) -> Vec<String> {
    let mut references = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let end = after.find('}').expect("a closed reference");
        if !after.starts_with('!') {
            references.push(after[..end].to_string());
        }
        rest = &after[end + 1..];
    }
    references
}

/// Every `Fn::Sub` string of a template, with the names of its own
/// variable map.
fn sub_strings(value: &Json, out: &mut Vec<(String, BTreeSet<String>)>) {
    match value {
        Json::Object(entries) => {
            for (key, value) in entries {
                match (key.as_str(), value) {
                    ("Fn::Sub", Json::String(text)) => out.push((text.clone(), BTreeSet::new())),
                    ("Fn::Sub", Json::Array(parts)) => {
                        let variables = parts[1].as_object().unwrap();
                        out.push((
                            parts[0].as_str().unwrap().to_string(),
                            variables.keys().cloned().collect(),
                        ));
                        sub_strings(&parts[1], out);
                    }
                    _ => sub_strings(value, out),
                }
            }
        }
        Json::Array(items) => {
            for item in items {
                sub_strings(item, out);
            }
        }
        _ => {}
    }
}

fn build(source: &str) -> BTreeMap<String, String> {
    let output = meshc::compile(
        &meshc::diagnostics::SourceFile {
            name: "injection.mesh".to_string(),
            text: source.to_string(),
        },
        &meshc::Options::default(),
    );
    let errors: Vec<String> = output
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.is_error())
        .map(|diagnostic| format!("{} {}", diagnostic.code.code, diagnostic.message))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{source}");
    output.files
}

/// The system built with one payload in every field.
struct Built {
    payload: &'static str,
    files: BTreeMap<String, String>,
    /// What each field must read, by field.
    texts: BTreeMap<String, String>,
}

fn builds() -> Vec<Built> {
    PAYLOADS
        .into_iter()
        .map(|payload| {
            let (source, texts) = source_with(payload);
            Built {
                payload,
                files: build(&source),
                texts,
            }
        })
        .collect()
}

/// The `.tf` files as Terraform reads them: the user's text is literal,
/// never interpolated. Returns the placeholders `templatefile` is given,
/// by definition file.
fn follow_terraform(
    built: &Built,
    seen: &mut BTreeSet<String>,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut keys = BTreeMap::new();
    for (path, text) in built
        .files
        .iter()
        .filter(|(path, _)| Path::new(path).extension().is_some_and(|ext| ext == "tf"))
    {
        let body: Body = hcl::parse(text).unwrap_or_else(|error| panic!("{path}: {error}"));
        let mut strings = Strings::default();
        strings.body(&body);
        assert_eq!(strings.directives, 0, "{path}: a template directive");
        for interpolation in &strings.interpolations {
            assert!(
                !holds_user_text(interpolation),
                "{path}: the user's text is interpolated: {interpolation}"
            );
        }
        let mut read = Vec::new();
        for decoded in &strings.decoded {
            read_string(decoded, &mut read);
        }
        for string in &read {
            expect_literal(path, string, &built.texts, seen);
        }
        templatefile_keys(&body, &mut keys);
    }
    keys
}

/// The definitions as `templatefile` renders them: they interpolate only
/// the placeholders it is given, and the saga's doc comment is their
/// `Comment`, as written.
fn follow_templatefile(built: &Built, seen: &mut BTreeSet<String>) {
    let keys = follow_terraform(built, &mut BTreeSet::new());
    let definitions: Vec<(&String, &String)> = built
        .files
        .iter()
        .filter(|(path, _)| path.starts_with("stepfunctions/"))
        .collect();
    assert!(!definitions.is_empty());
    for (path, text) in definitions {
        let names = keys
            .get(path)
            .unwrap_or_else(|| panic!("no templatefile reads {path}"));
        let template: Template = text
            .parse()
            .unwrap_or_else(|error| panic!("{path} as a template: {error}"));
        let mut context = Context::new();
        for element in template.elements() {
            match element {
                Element::Literal(_) => {}
                Element::Interpolation(interpolation) => match &interpolation.expr {
                    Expression::Variable(variable) => assert!(
                        names.contains(variable.as_str()),
                        "{path} interpolates `{}`, which templatefile is not given",
                        variable.as_str()
                    ),
                    other => panic!("{path} interpolates `{other}`"),
                },
                Element::Directive(directive) => panic!("{path} has a directive: {directive:?}"),
            }
        }
        for name in names {
            context.declare_var(name.as_str(), format!("[{name}]"));
        }
        let rendered = template
            .evaluate(&context)
            .unwrap_or_else(|error| panic!("{path}: {error}"));
        let definition: Json = serde_json::from_str(&rendered)
            .unwrap_or_else(|error| panic!("{path} rendered is not JSON: {error}\n{rendered}"));
        let mut strings = Vec::new();
        json_strings(&definition, &mut strings);
        for string in &strings {
            expect_literal(&format!("{path}, rendered"), string, &built.texts, seen);
        }
        assert_eq!(
            definition["Comment"].as_str(),
            Some(built.texts["saga"].as_str()),
            "{path}: the saga's doc comment"
        );
    }
}

fn template(built: &Built) -> Json {
    serde_json::from_str(&built.files["cloudformation/template.json"]).unwrap()
}

/// The CloudFormation template's strings outside the state machines'
/// definitions, which CloudFormation passes on as they are; and its
/// `Fn::Sub` strings, which never hold the user's text and reference only
/// what the template declares.
fn follow_cloudformation(built: &Built, seen: &mut BTreeSet<String>) {
    let template = template(built);
    let resources = template["Resources"].as_object().unwrap();
    let mut known: BTreeSet<String> = resources.keys().cloned().collect();
    if let Some(parameters) = template["Parameters"].as_object() {
        known.extend(parameters.keys().cloned());
    }
    let mut strings = Vec::new();
    let mut others = template.clone();
    for resource in others["Resources"].as_object_mut().unwrap().values_mut() {
        if resource["Type"] == "AWS::StepFunctions::StateMachine" {
            resource["Properties"]["Definition"] = Json::Null;
        }
    }
    json_strings(&others, &mut strings);
    for string in &strings {
        expect_literal("template.json", string, &built.texts, seen);
    }
    let mut subs = Vec::new();
    sub_strings(&template, &mut subs);
    assert!(!subs.is_empty());
    for (sub, variables) in &subs {
        assert!(!holds_user_text(sub), "the user's text in Fn::Sub: {sub}");
        for reference in sub_references(sub) {
            let resource = reference.split('.').next().unwrap();
            assert!(
                reference.starts_with("AWS::")
                    || known.contains(resource)
                    || variables.contains(&reference),
                "Fn::Sub references `{reference}`, which the template does not declare"
            );
        }
    }
}

/// The state machines of the CloudFormation template after
/// `DefinitionSubstitutions`: the saga's doc comment is their `Comment`,
/// as written but for a word joiner in each `${KEY}` that names a
/// placeholder.
fn follow_definition_substitutions(built: &Built, seen: &mut BTreeSet<String>) {
    let template = template(built);
    let machines: Vec<(&String, &Json)> = template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, resource)| resource["Type"] == "AWS::StepFunctions::StateMachine")
        .collect();
    assert!(!machines.is_empty());
    for (id, resource) in machines {
        let properties = &resource["Properties"];
        let substitutions: BTreeMap<String, String> = properties["DefinitionSubstitutions"]
            .as_object()
            .unwrap()
            .keys()
            .map(|key| (key.clone(), format!("[{key}]")))
            .collect();
        let text = serde_json::to_string(&properties["Definition"]).unwrap();
        let substituted = substitute_repeatedly(&text, &substitutions);
        let definition: Json = serde_json::from_str(&substituted).unwrap();
        let comment = definition["Comment"].as_str().unwrap();
        let written = &built.texts["saga"];
        let mut expected = written.clone();
        for key in substitutions.keys() {
            expected = expected.replace(&format!("${{{key}}}"), &format!("$\u{2060}{{{key}}}"));
        }
        assert_eq!(comment, expected, "{id}: the saga's doc comment");
        assert_eq!(&comment.replace('\u{2060}', ""), written);
        let mut strings = Vec::new();
        json_strings(&definition, &mut strings);
        let mut texts = built.texts.clone();
        texts.insert("saga".to_string(), expected.clone());
        for string in &strings {
            expect_literal(&format!("{id}, substituted"), string, &texts, seen);
        }
    }
}

#[test]
fn terraform_reads_the_users_text_as_written() {
    for built in builds() {
        follow_terraform(&built, &mut BTreeSet::new());
    }
}

#[test]
fn templatefile_renders_the_users_text_as_written() {
    for built in builds() {
        follow_templatefile(&built, &mut BTreeSet::new());
    }
}

#[test]
fn cloudformation_passes_the_users_text_on_as_written() {
    for built in builds() {
        follow_cloudformation(&built, &mut BTreeSet::new());
    }
}

#[test]
fn definition_substitutions_leave_the_users_text_as_written() {
    for built in builds() {
        follow_definition_substitutions(&built, &mut BTreeSet::new());
    }
}

/// The system does put each field's text into some file, whatever it
/// holds: the tests above looked at something.
#[test]
fn every_field_reaches_a_file() {
    for built in builds() {
        let mut seen = BTreeSet::new();
        follow_terraform(&built, &mut seen);
        follow_templatefile(&built, &mut seen);
        follow_cloudformation(&built, &mut seen);
        follow_definition_substitutions(&built, &mut seen);
        for field in REACHING {
            assert!(
                seen.contains(field),
                "{field} was not found in any file with payload {:?}",
                built.payload
            );
        }
    }
}

/// The injection of the issue: Terraform evaluated the saga's doc comment
/// into the deployed definition. The definition interpolates the ARN of
/// the function its steps invoke, and the URL of the saga's dead-letter
/// queue, and nothing else.
#[test]
fn a_doc_comment_is_no_template_for_terraform() {
    let (source, _) = source_with(PAYLOADS[0]);
    let files = build(&source);
    let template: Template = files["stepfunctions/checkout.asl.json"].parse().unwrap();
    let interpolations: BTreeSet<String> = template
        .elements()
        .iter()
        .filter_map(|element| match element {
            Element::Interpolation(interpolation) => Some(interpolation.expr.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(
        interpolations,
        BTreeSet::from([
            "inventory_function_arn".to_string(),
            "order_commands_queue_url".to_string(),
            "checkout_dlq_queue_url".to_string(),
        ])
    );
}
