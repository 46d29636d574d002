//! M214 firewall-deny
use crate::diagnostics::{Diagnostic, Span};

pub fn diagnostic(span: Span) -> Diagnostic {
    Diagnostic::new(&FirewallDeny::CODE, "a security group cannot deny traffic")
        .primary(span, "`deny` in a `firewall`")
        .help("remove the rule: a security group denies everything it does not allow; to block traffic at the subnet edge, write the `deny` in a `nacl`")
}

declare_code! {
    /// ## What it does
    /// Reports a `deny` rule in a `firewall` block. A `firewall` describes a
    /// security group, and security groups have allow rules only: everything
    /// they do not allow is denied. `deny` rules belong in a `nacl`, the
    /// stateless filter at the subnet edge.
    ///
    /// ## Why is this bad?
    /// The rule could not be expressed in AWS; dropping it silently would
    /// leave the author believing traffic is blocked that is not.
    ///
    /// ## Example
    /// ```mesh
    /// firewall payment {
    ///   allow in tcp 8443 from order
    ///   deny in tcp 22 from anywhere
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// firewall payment {
    ///   allow in tcp 8443 from order
    /// }
    /// ```
    FirewallDeny, code = M214, slug = "firewall-deny", severity = Error,
}
