//! What the unit tests of the emitters share: a system analysed from
//! source, and the problems a context reported.

/// The system and graph of `source`, which must resolve.
pub fn analysed(source: &str) -> (crate::model::System, crate::graph::Graph) {
    let analysis = crate::analyze(source);
    let (Some(system), Some(graph)) = (analysis.system, analysis.graph) else {
        panic!("the system resolves: {:?}", analysis.diagnostics);
    };
    (system, graph)
}

/// What `context` reported, as `code: message`, in its order.
pub fn problems(context: &super::Context<'_>) -> Vec<String> {
    context
        .diagnostics()
        .iter()
        .map(|diagnostic| format!("{}: {}", diagnostic.code.code, diagnostic.message))
        .collect()
}
