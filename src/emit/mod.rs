//! Stage 5, emit: `System` and `Graph` → the files of each target. A
//! backend translates what the model and the graph say; it decides nothing
//! that another backend would have to decide again.

pub mod asl;
pub mod cloudformation;
pub mod datastores;
pub mod deployed;
pub mod events;
pub mod firewall;
pub(crate) mod infra;
pub mod json_schema;
pub mod names;
pub mod notes;
pub mod ordering;
pub mod picture;
pub mod policies;
pub mod terraform;
#[cfg(test)]
mod testing;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use crate::graph::Graph;
use crate::model::{Compute, Fargate, Lambda, NetworkId, Service, ServiceId, System, Via};

/// What a backend could not translate (`Context::diagnostics`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Problem {
    Name(String),
    Internal(String),
}

/// What every part of an infrastructure backend reads: the system, its
/// graph, and the calls indexed once.
#[derive(Debug)]
pub(crate) struct Context<'a> {
    pub system: &'a System,
    pub graph: &'a Graph,
    /// Every (callee, way it is called) of the system's calls.
    pub calls: BTreeSet<(ServiceId, &'static str)>,
    /// What a backend could not translate, which the design rules out: a
    /// physical name that could not be made to fit AWS's rules, or an
    /// inconsistency in meshc's own model. A backend that finds any
    /// refuses to write its files.
    problems: RefCell<BTreeSet<Problem>>,
    /// Whether the backend only looks for what its target refuses (for
    /// `meshc check`): each resource is built, measured and dropped, and
    /// no file is rendered.
    pub measuring: bool,
}

impl<'a> Context<'a> {
    pub fn new(system: &'a System, graph: &'a Graph) -> Self {
        let calls = system
            .services
            .iter()
            .flat_map(|caller| caller.calls.iter())
            .map(|call| (call.target, call.via.value.as_str()))
            .collect();
        Context {
            system,
            graph,
            calls,
            problems: RefCell::new(BTreeSet::new()),
            measuring: false,
        }
    }

    /// A context in which the backends only measure what they build.
    pub fn measuring(system: &'a System, graph: &'a Graph) -> Self {
        Context {
            measuring: true,
            ..Context::new(system, graph)
        }
    }

    /// Logs a physical name that could not be made to fit.
    pub fn name_problem(&self, problem: String) {
        self.problems.borrow_mut().insert(Problem::Name(problem));
    }

    /// Logs an inconsistency in meshc's own model: an id that names
    /// nothing, a value the model rules out. The caller writes a
    /// placeholder, which no file will hold: the backend refuses to write.
    pub fn internal(&self, problem: String) {
        self.problems
            .borrow_mut()
            .insert(Problem::Internal(problem));
    }

    /// The problems logged so far, as diagnostics: M209 for a name, M001
    /// for an inconsistency.
    pub fn diagnostics(&self) -> Vec<crate::diagnostics::Diagnostic> {
        self.problems
            .borrow()
            .iter()
            .map(|problem| match problem {
                Problem::Name(problem) => {
                    crate::check::names::aws_limit::name_diagnostic(self.system, problem)
                }
                Problem::Internal(problem) => {
                    crate::check::internal::internal_error::diagnostic(self.system, problem)
                }
            })
            .collect()
    }

    /// Whether some service calls `callee` the way `via` says.
    pub fn called_via(&self, callee: ServiceId, via: Via) -> bool {
        self.calls.contains(&(callee, via.as_str()))
    }

    /// Whether a Fargate service takes part in ECS Service Connect: it
    /// calls `via = mesh`, and whether it is called so.
    pub fn in_mesh(&self, id: ServiceId) -> (bool, bool) {
        let calls = self
            .system
            .service(id)
            .is_some_and(|service| service.calls.iter().any(|call| call.via.value == Via::Mesh));
        (calls, self.called_via(id, Via::Mesh))
    }

    /// Whether a service is registered in Cloud Map DNS: something calls
    /// it `via = dns`.
    pub fn called_by_dns(&self, id: ServiceId) -> bool {
        self.called_via(id, Via::Dns)
    }

    /// The services that run on Fargate, in declaration order.
    pub fn fargate_services(&self) -> Vec<(ServiceId, &'a Service, &'a Fargate)> {
        let system: &'a System = self.system;
        system
            .services
            .iter()
            .enumerate()
            .filter_map(|(index, service)| match &service.compute {
                Compute::Fargate(fargate) => Some((ServiceId(index), service, fargate)),
                Compute::Lambda(_) => None,
            })
            .collect()
    }

    /// The services that run on Lambda, in declaration order.
    pub fn lambda_services(&self) -> Vec<(ServiceId, &'a Service, &'a Lambda)> {
        let system: &'a System = self.system;
        system
            .services
            .iter()
            .enumerate()
            .filter_map(|(index, service)| match &service.compute {
                Compute::Lambda(lambda) => Some((ServiceId(index), service, lambda)),
                Compute::Fargate(_) => None,
            })
            .collect()
    }

    /// The networks whose services find each other through Cloud Map.
    pub fn namespaces(&self) -> Vec<NetworkId> {
        let mut networks: Vec<NetworkId> = self
            .system
            .services
            .iter()
            .enumerate()
            .filter(|(index, service)| {
                let id = ServiceId(*index);
                let (calls, called) = self.in_mesh(id);
                !service.is_lambda() && (calls || called || self.called_by_dns(id))
            })
            .filter_map(|(_, service)| service.subnet.map(|subnet| subnet.value.network))
            .collect();
        networks.sort();
        networks.dedup();
        networks
    }
}

/// The tag that names the system a resource belongs to.
pub const SYSTEM_TAG: &str = "meshc:system";

/// The tags of every resource of the system: its declared `tags`, and
/// [`SYSTEM_TAG`] with its name.
pub fn system_tags(system: &System) -> Vec<(String, String)> {
    let mut tags: Vec<(String, String)> = system
        .tags
        .iter()
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    tags.push((SYSTEM_TAG.to_string(), system.name.text.clone()));
    tags
}

/// Whether meshc can write a file at `path`, relative to the output
/// directory: the files of every backend, whatever the system. The output
/// writer adopts such files in a directory an earlier meshc wrote without
/// recording what it wrote.
pub fn is_output_path(path: &str) -> bool {
    match path.split_once('/') {
        Some(("terraform", name)) => terraform::is_file_name(name),
        Some(("cloudformation", name)) => name == "template.json",
        Some(("stepfunctions", name)) => name
            .strip_suffix(".asl.json")
            .is_some_and(|saga| !saga.is_empty() && !saga.contains('/')),
        _ => false,
    }
}

/// The comment on an event source mapping, in both backends.
pub(crate) fn source_mapping_note(
    service: &str,
    mapping: &crate::graph::messaging::SourceMapping,
) -> String {
    match &mapping.on_failure {
        None => format!(
            "Lambda polls for {service}; a failed record is reported alone, not the whole batch."
        ),
        Some(failure) => format!(
            "Lambda polls for {service}; a failing batch is split in two and retried, {} times at most, and records older than {} are skipped; both are reported to its stream-failures queue, to read them again from the stream.",
            failure.retries, failure.max_record_age
        ),
    }
}

/// Why a Lambda function that AWS never invokes asynchronously has no
/// dead-letter queue of its own (checkov's `CKV_AWS_116`), in both backends.
pub(crate) const SYNCHRONOUS_FUNCTION: &str = "the function is never invoked asynchronously: a message it fails on returns to its queue, whose dead-letter queue keeps it, and a batch of stream records it gives up on is reported to its stream-failures queue";

/// What `emit` would refuse the system for, without producing its files:
/// the same diagnostics, found by building each resource, measuring it and
/// dropping it, so that checking a large system holds no more than one
/// resource of its output at a time.
pub fn check(
    system: &System,
    graph: &Graph,
    target: crate::Target,
) -> Vec<crate::diagnostics::Diagnostic> {
    let mut problems = Vec::new();
    if target.terraform() {
        problems.extend(terraform::check(system, graph));
        if !problems.is_empty() {
            return problems;
        }
    }
    if target.cloudformation() {
        problems.extend(cloudformation::check(system, graph));
    }
    problems
}

/// Every file of the chosen backends, by path relative to the output
/// directory; or, when a backend cannot express the system, why.
pub fn emit(
    system: &System,
    graph: &Graph,
    target: crate::Target,
) -> Result<BTreeMap<String, String>, Vec<crate::diagnostics::Diagnostic>> {
    let mut files = BTreeMap::new();
    if target.terraform() {
        for (path, contents) in terraform::emit(system, graph)? {
            files.insert(format!("terraform/{path}"), contents);
        }
    }
    if target.cloudformation() {
        files.insert(
            "cloudformation/template.json".to_string(),
            cloudformation::emit(system, graph)?,
        );
    }
    for (path, contents) in asl::emit(system, graph) {
        files.insert(path, contents);
    }
    Ok(files)
}

/// The text of one resource of a hand-written IAM statement (an ARN or `*`),
/// as written. A resource the plan names but the model lacks (which a
/// resolved system never has) is empty: IAM refuses the policy rather than
/// grant more.
pub(crate) fn written_resource(
    system: &System,
    service: crate::model::ServiceId,
    statement: usize,
    resource: usize,
) -> String {
    system
        .service(service)
        .and_then(|service| service.iam.get(statement))
        .and_then(|statement| statement.resources.get(resource))
        .map_or_else(String::new, |resource| resource.value.clone())
}
