//! M210 invalid-fargate-size
use crate::diagnostics::{Diagnostic, Span};

/// `memory` is `None` when `cpu` itself is not a Fargate size; `valid` says
/// what is (the memory sizes for `cpu`, or the cpu values).
pub fn diagnostic(cpu: &str, memory: Option<&str>, span: Span, valid: &str) -> Diagnostic {
    let message = match memory {
        Some(memory) => format!("Fargate has no task size with cpu = {cpu} and memory = {memory}"),
        None => format!("Fargate has no task size with cpu = {cpu}"),
    };
    Diagnostic::new(&InvalidFargateSize::CODE, message)
    .primary(span, "not a Fargate task size")
    .help(valid.to_string())
    .note("Fargate tasks come in fixed cpu/memory combinations; see the task size table of the Amazon ECS developer guide")
}

declare_code! {
    /// ## What it does
    /// Reports a Fargate `cpu`/`memory` pair that AWS does not offer. The
    /// valid sizes are: 0.25 vCPU with 512MB, 1GB or 2GB; 0.5 vCPU with 1GB
    /// to 4GB; 1 vCPU with 2GB to 8GB; 2 vCPU with 4GB to 16GB; 4 vCPU with
    /// 8GB to 30GB (in 1GB steps); 8 vCPU with 16GB to 60GB in 4GB steps;
    /// 16 vCPU with 32GB to 120GB in 8GB steps. `cpu` is in vCPU.
    ///
    /// ## Why is this bad?
    /// ECS rejects the task definition at deploy time.
    ///
    /// ## Example
    /// ```mesh
    /// service payment {
    ///   compute = fargate { cpu = 1  memory = 16GB }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// service payment {
    ///   compute = fargate { cpu = 2  memory = 16GB }
    /// }
    /// ```
    InvalidFargateSize, code = M210, slug = "invalid-fargate-size", severity = Error,
}
