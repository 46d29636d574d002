//! M601 budget-exceeded
use std::fmt::Write as _;

use crate::check::{Context, Rule};
use crate::cost::{Budget, Catalog, Decimal, Estimate, HOURS_PER_MONTH};
use crate::diagnostics::Diagnostic;

/// How many of the biggest items the diagnostic names.
const NAMED: usize = 3;

pub fn diagnostic(budget: Budget, estimate: &Estimate) -> Diagnostic {
    let total = estimate.total();
    let mut diagnostic = Diagnostic::new(
        &BudgetExceeded::CODE,
        format!(
            "the estimated cost of ${} a month exceeds the budget of ${}",
            total.dollars(),
            budget.amount.dollars()
        ),
    )
    .primary(
        budget.span,
        format!("over by ${}", total.minus(budget.amount).dollars()),
    );
    let biggest = estimate.biggest(NAMED);
    for item in &biggest {
        diagnostic = diagnostic.secondary(
            item.span,
            format!("${} a month: {}", item.total().dollars(), item.resource),
        );
    }
    let named: Vec<String> = biggest
        .iter()
        .map(|item| format!("{} ${}", item.id(), item.total().dollars()))
        .collect();
    let unknown = estimate.unknown();
    let mut note = format!("the biggest items: {}", named.join("; "));
    if unknown > 0 {
        let _ = write!(
            note,
            "; {unknown} charges without declared usage are not counted, so the real cost is higher"
        );
    }
    diagnostic
        .help(format!(
            "raise `budget` to at least ${}, or make the biggest items cheaper; `meshc cost` itemises the estimate",
            total.round_to_cents().dollars()
        ))
        .note(note)
}

declare_rule! {
    /// ## What it does
    /// Estimates the monthly cost of the system from the price catalog
    /// embedded in meshc and the declared `usage`, exactly as `meshc cost`
    /// does, and reports when it exceeds the system's `budget`, naming the
    /// three biggest items with their dollar figures.
    ///
    /// Charges whose traffic nobody declared are not counted: the estimate
    /// is a floor, so a system over budget is certainly over.
    ///
    /// ## Why is this bad?
    /// A budget is the ceiling the owners agreed to. Finding out that a
    /// change breaks it from the first bill is a month too late; failing the
    /// check in CI puts the figure in the pull request that causes it.
    ///
    /// ## Example
    /// ```mesh
    /// system shop { region = "us-east-1"  budget = $50 }
    /// network main {
    ///   cidr  = 10.0.0.0/16
    ///   zones = 2
    ///   nat   = per_zone
    ///   subnet edge { tier = public }
    ///   subnet app  { tier = private }
    /// }
    /// ```
    ///
    /// Two NAT gateways cost $73.00 a month with their addresses.
    ///
    /// Use instead:
    /// ```mesh
    /// system shop { region = "us-east-1"  budget = $100 }
    /// network main {
    ///   cidr  = 10.0.0.0/16
    ///   zones = 2
    ///   nat   = per_zone
    ///   subnet edge { tier = public }
    ///   subnet app  { tier = private }
    /// }
    /// ```
    BudgetExceeded, code = M601, slug = "budget-exceeded", severity = Error,
}

impl Rule for BudgetExceeded {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if context.system.budget.is_none() {
            return;
        }
        let Ok(catalog) = Catalog::embedded() else {
            return;
        };
        // A region the catalog does not price cannot be checked; `meshc
        // cost` says so.
        let Ok(estimate) =
            crate::cost::estimate(context.system, context.graph, catalog, HOURS_PER_MONTH)
        else {
            return;
        };
        let Some(budget) = estimate.budget else {
            return;
        };
        if estimate.total() > budget.amount && budget.amount >= Decimal::ZERO {
            out.push(diagnostic(budget, &estimate));
        }
    }
}
