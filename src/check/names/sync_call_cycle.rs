//! M216 sync-call-cycle
use petgraph::algo::tarjan_scc;
use petgraph::graph::DiGraph;

use crate::check::{Context, Rule};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::ServiceId;

/// `path` names the services of the cycle in order, the first repeated at
/// the end; `calls` are the spans of the calls that close it.
pub fn diagnostic(path: &[&str], calls: &[Span]) -> Diagnostic {
    let cycle = path
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(" → ");
    let mut diagnostic = Diagnostic::new(
        &SyncCallCycle::CODE,
        format!("synchronous calls form a cycle: {cycle}"),
    );
    for (position, span) in calls.iter().enumerate() {
        diagnostic = if position == 0 {
            diagnostic.primary(*span, "this call starts the cycle")
        } else {
            diagnostic.secondary(*span, "which calls on")
        };
    }
    diagnostic.help(
        "break the cycle: turn one of these calls into an event (`publishes` on one side, `consumes` on the other)",
    )
}

declare_rule! {
    /// ## What it does
    /// Reports services that call each other synchronously in a cycle:
    /// `a` calls `b`, which calls `a` (directly or through others), or a
    /// service that calls itself.
    ///
    /// ## Why is this bad?
    /// Each request holds a connection and a thread while it waits. In a
    /// cycle, a slow service makes its own callers slow, which makes it
    /// slower still: retries multiply, timeouts cascade, and one incident
    /// takes down every service in the loop. Circuit breakers only stop the
    /// bleeding once it has started.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// service order { compute = lambda { runtime = "python3.13" }  calls payment }
    /// service payment { compute = lambda { runtime = "python3.13" }  calls order }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1" }
    /// event PaymentDone { schema { orderId: string } }
    /// service order { compute = lambda { runtime = "python3.13" }  calls payment  consumes PaymentDone }
    /// service payment { compute = lambda { runtime = "python3.13" }  publishes PaymentDone }
    /// ```
    SyncCallCycle, code = M216, slug = "sync-call-cycle", severity = Error,
}

impl Rule for SyncCallCycle {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let system = context.system;
        let mut graph: DiGraph<ServiceId, Span> = DiGraph::new();
        let nodes: Vec<_> = (0..system.services.len())
            .map(|index| graph.add_node(ServiceId(index)))
            .collect();
        for (caller, service) in system.services.iter().enumerate() {
            for call in &service.calls {
                if let (Some(&from), Some(&to)) = (nodes.get(caller), nodes.get(call.target.0)) {
                    graph.add_edge(from, to, call.span);
                }
            }
        }
        let mut components = tarjan_scc(&graph);
        // Report in source order.
        for component in &mut components {
            component.sort();
        }
        components.sort();
        for component in components {
            let self_call = component.len() == 1
                && component
                    .first()
                    .is_some_and(|&node| graph.find_edge(node, node).is_some());
            if component.len() < 2 && !self_call {
                continue;
            }
            // Walk the cycle from its first service, following calls that
            // stay inside the component.
            let Some(&start) = component.first() else {
                continue;
            };
            let mut path = vec![start];
            let mut spans = Vec::new();
            let mut current = start;
            loop {
                let next = graph
                    .edges(current)
                    .filter(|edge| component.contains(&petgraph::visit::EdgeRef::target(edge)))
                    .min_by_key(|edge| {
                        let target = petgraph::visit::EdgeRef::target(edge);
                        (target != start && path.contains(&target), target)
                    });
                let Some(edge) = next else {
                    break;
                };
                let target = petgraph::visit::EdgeRef::target(&edge);
                spans.push(*edge.weight());
                path.push(target);
                if target == start || spans.len() > component.len() {
                    break;
                }
                current = target;
            }
            let names: Vec<&str> = path
                .iter()
                .filter_map(|node| graph.node_weight(*node))
                .filter_map(|id| system.service(*id))
                .map(|service| service.name.text.as_str())
                .collect();
            out.push(diagnostic(&names, &spans));
        }
    }
}
