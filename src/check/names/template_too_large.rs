//! M230 template-too-large
use std::collections::BTreeMap;

use crate::diagnostics::Diagnostic;
use crate::model::System;

/// Which of CloudFormation's limits on a template a system goes over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    Resources,
    Parameters,
    Outputs,
    Bytes,
}

impl Limit {
    fn what(self) -> &'static str {
        match self {
            Limit::Resources => "resources",
            Limit::Parameters => "parameters",
            Limit::Outputs => "outputs",
            Limit::Bytes => "bytes",
        }
    }
}

/// `count` of `limit` against CloudFormation's `most`; `by_kind` counts the
/// template's resources by type, to name the largest.
pub fn diagnostic(
    system: &System,
    limit: Limit,
    count: usize,
    most: usize,
    by_kind: &BTreeMap<&str, usize>,
) -> Diagnostic {
    let mut kinds: Vec<(&str, usize)> = by_kind.iter().map(|(kind, n)| (*kind, *n)).collect();
    kinds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let largest: Vec<String> = kinds
        .iter()
        .take(3)
        .map(|(kind, n)| format!("{n} {kind}"))
        .collect();
    Diagnostic::new(
        &TemplateTooLarge::CODE,
        format!(
            "the CloudFormation template of system `{}` would have {count} {}; a stack takes at most {most}",
            system.name.text,
            limit.what()
        ),
    )
    .primary(
        system.name.span,
        format!("the largest parts are {}", largest.join(", ")),
    )
    .help("split the system into several .mesh files, one stack each, or build only `--target terraform`, which has no such limit")
}

declare_code! {
    /// ## What it does
    /// Reports a system whose CloudFormation template would go over a limit
    /// of a stack: 500 resources, 200 parameters, 200 outputs, or a body of
    /// 1 MB (counted on the file as written: compact when only the compact
    /// form fits). `meshc build` and `meshc check` translate the system to
    /// find out; the Terraform output has no such limit. A template over the
    /// 51,200 bytes CloudFormation takes inline is not an error: it is
    /// deployed through an S3 bucket, and `meshc build` prints the command.
    ///
    /// ## Why is this bad?
    /// CloudFormation refuses the whole template before it creates anything;
    /// meshc refuses to write a template that cannot be deployed.
    ///
    /// ## Example
    /// Thirty subnet groups over five zones: 150 subnets, each with its
    /// route table and NACL associations.
    /// ```mesh
    /// system big { region = "us-east-1" }
    /// network main {
    ///   cidr = 10.0.0.0/16  zones = 5
    ///   subnet s1 { tier = isolated }  subnet s2 { tier = isolated }  subnet s3 { tier = isolated }
    ///   subnet s4 { tier = isolated }  subnet s5 { tier = isolated }  subnet s6 { tier = isolated }
    ///   subnet s7 { tier = isolated }  subnet s8 { tier = isolated }  subnet s9 { tier = isolated }
    ///   subnet s10 { tier = isolated }  subnet s11 { tier = isolated }  subnet s12 { tier = isolated }
    ///   subnet s13 { tier = isolated }  subnet s14 { tier = isolated }  subnet s15 { tier = isolated }
    ///   subnet s16 { tier = isolated }  subnet s17 { tier = isolated }  subnet s18 { tier = isolated }
    ///   subnet s19 { tier = isolated }  subnet s20 { tier = isolated }  subnet s21 { tier = isolated }
    ///   subnet s22 { tier = isolated }  subnet s23 { tier = isolated }  subnet s24 { tier = isolated }
    ///   subnet s25 { tier = isolated }  subnet s26 { tier = isolated }  subnet s27 { tier = isolated }
    ///   subnet s28 { tier = isolated }  subnet s29 { tier = isolated }  subnet s30 { tier = isolated }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```mesh
    /// system big { region = "us-east-1" }
    /// network main {
    ///   cidr = 10.0.0.0/16  zones = 5
    ///   subnet data { tier = isolated }
    /// }
    /// ```
    TemplateTooLarge, code = M230, slug = "template-too-large", severity = Error,
}
