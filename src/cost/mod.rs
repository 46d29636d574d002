//! Stage 5 (beside emit), cost: `System` + `Graph` + price catalog → an
//! itemised monthly [`Estimate`].
//!
//! The estimate prices what the backends emit, reading the model and the
//! graph's plans (the network layout, load balancers, PrivateLink
//! connections, queues, source mappings, saga plans) and never the AST:
//! one [`Item`] per emitted resource that AWS bills, each with its
//! [`Charge`]s, fixed (billed by the hour or month whatever the traffic)
//! and usage (billed by the request, message or GB).
//!
//! Usage comes from the `usage { }` blocks on declarations and on their
//! relations (`calls`, `publishes`, `consumes`, `uses`). A usage charge
//! whose traffic nobody declared is "usage unknown" — never zero — and a
//! price missing from the catalog is "price unknown". Both are counted and
//! shown; the total is the sum of what is known.
//!
//! Money is exact: [`money::Decimal`] has twelve places, each charge is
//! rounded to cents once, and totals are sums of those cents, so the table
//! adds up.

pub mod catalog;
mod items;
pub mod money;
pub mod render;
mod usage;

use std::collections::BTreeMap;

use crate::diagnostics::Span;
use crate::graph::Graph;
use crate::model::System;

pub use catalog::{Catalog, CatalogError, Price};
pub use money::Decimal;
pub use usage::api_use_data;

/// Hours in the month AWS prices by (365 × 24 / 12).
pub const HOURS_PER_MONTH: u64 = 730;

/// What a resource is for, to total the bill by concern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Concern {
    Compute,
    Network,
    Messaging,
    Data,
    Orchestration,
    Observability,
    Security,
}

impl Concern {
    pub const ALL: [Concern; 7] = [
        Concern::Compute,
        Concern::Network,
        Concern::Messaging,
        Concern::Data,
        Concern::Orchestration,
        Concern::Observability,
        Concern::Security,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Concern::Compute => "compute",
            Concern::Network => "network",
            Concern::Messaging => "messaging",
            Concern::Data => "data",
            Concern::Orchestration => "orchestration",
            Concern::Observability => "observability",
            Concern::Security => "security",
        }
    }
}

/// Whether a charge accrues whatever the traffic, or with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Fixed,
    Usage,
}

impl Part {
    pub fn as_str(self) -> &'static str {
        match self {
            Part::Fixed => "fixed",
            Part::Usage => "usage",
        }
    }
}

/// How much of a priced unit is consumed in the period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Quantity {
    /// In the price's unit, with how it was worked out.
    Known { amount: Decimal, formula: String },
    /// Nobody declared the traffic; what to declare, and where.
    Unknown { declare: String },
}

/// One priced dimension of a resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Charge {
    /// `gateway hours`, `data processed`.
    pub what: String,
    pub part: Part,
    /// The catalog key of the price.
    pub key: String,
    pub quantity: Quantity,
    /// `None` when the catalog has no price for the key in the region.
    pub price: Option<Price>,
    /// Quantity × price, rounded to cents; `None` when either is unknown.
    pub amount: Option<Decimal>,
}

impl Charge {
    /// Whether the amount is known.
    pub fn is_known(&self) -> bool {
        self.amount.is_some()
    }
}

/// One billed resource, as the backends emit it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// The declaration the resource belongs to: `service order`,
    /// `network main`, `system shop`.
    pub group: String,
    pub concern: Concern,
    /// What it is, for people: `NAT gateways (2, one per zone)`.
    pub resource: String,
    /// The Terraform resource type it is emitted as.
    pub terraform: &'static str,
    /// Where the declaration that causes it is written.
    pub span: Span,
    pub charges: Vec<Charge>,
}

impl Item {
    /// A stable identity, to compare two estimates: the group and the
    /// resource without its details in parentheses.
    pub fn id(&self) -> String {
        let resource = self
            .resource
            .split_once(" (")
            .map_or(self.resource.as_str(), |(name, _)| name);
        format!("{} / {resource}", self.group)
    }

    fn sum(&self, part: Option<Part>) -> Decimal {
        self.charges
            .iter()
            .filter(|charge| part.is_none_or(|part| charge.part == part))
            .filter_map(|charge| charge.amount)
            .fold(Decimal::ZERO, Decimal::plus)
    }

    /// The known fixed part.
    pub fn fixed(&self) -> Decimal {
        self.sum(Some(Part::Fixed))
    }

    /// The known usage part.
    pub fn usage(&self) -> Decimal {
        self.sum(Some(Part::Usage))
    }

    /// Everything known.
    pub fn total(&self) -> Decimal {
        self.sum(None)
    }

    /// How many of its charges are unknown (usage or price).
    pub fn unknown(&self) -> usize {
        self.charges
            .iter()
            .filter(|charge| !charge.is_known())
            .count()
    }

    /// Whether any charge of `part` is unknown.
    pub fn unknown_in(&self, part: Part) -> bool {
        self.charges
            .iter()
            .any(|charge| charge.part == part && !charge.is_known())
    }
}

/// The declared budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub amount: Decimal,
    pub span: Span,
}

/// The itemised estimate of a system.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Estimate {
    pub system: String,
    pub region: String,
    /// The period priced, in hours (730 for a month).
    pub hours: u64,
    /// The latest read date of the region's prices.
    pub prices_read: String,
    /// How many prices an override file replaced or added.
    pub overridden: usize,
    pub items: Vec<Item>,
    pub budget: Option<Budget>,
}

impl Estimate {
    fn sum(&self, value: impl Fn(&Item) -> Decimal) -> Decimal {
        self.items
            .iter()
            .map(value)
            .fold(Decimal::ZERO, Decimal::plus)
    }

    pub fn total(&self) -> Decimal {
        self.sum(Item::total)
    }

    pub fn fixed(&self) -> Decimal {
        self.sum(Item::fixed)
    }

    pub fn usage(&self) -> Decimal {
        self.sum(Item::usage)
    }

    /// How many charges are unknown.
    pub fn unknown(&self) -> usize {
        self.items.iter().map(Item::unknown).sum()
    }

    /// The known total of each group, in the order groups first appear,
    /// and how many unknown charges it has.
    pub fn groups(&self) -> Vec<(String, Decimal, usize)> {
        let mut order: Vec<String> = Vec::new();
        let mut totals: BTreeMap<&str, (Decimal, usize)> = BTreeMap::new();
        for item in &self.items {
            if !totals.contains_key(item.group.as_str()) {
                order.push(item.group.clone());
            }
            let (total, unknown) = totals.entry(&item.group).or_default();
            *total = total.plus(item.total());
            *unknown += item.unknown();
        }
        order
            .into_iter()
            .map(|group| {
                let (total, unknown) = totals.get(group.as_str()).copied().unwrap_or_default();
                (group, total, unknown)
            })
            .collect()
    }

    /// The known total of each concern that has an item, and how many
    /// unknown charges it has.
    pub fn concerns(&self) -> Vec<(Concern, Decimal, usize)> {
        Concern::ALL
            .into_iter()
            .filter_map(|concern| {
                let items: Vec<&Item> = self
                    .items
                    .iter()
                    .filter(|item| item.concern == concern)
                    .collect();
                if items.is_empty() {
                    return None;
                }
                let total = items
                    .iter()
                    .map(|item| item.total())
                    .fold(Decimal::ZERO, Decimal::plus);
                let unknown = items.iter().map(|item| item.unknown()).sum();
                Some((concern, total, unknown))
            })
            .collect()
    }

    /// The `count` most expensive items, the most expensive first (ties in
    /// the order of the table).
    pub fn biggest(&self, count: usize) -> Vec<&Item> {
        let mut items: Vec<&Item> = self.items.iter().collect();
        items.sort_by_key(|item| std::cmp::Reverse(item.total()));
        items.truncate(count);
        items
    }
}

/// Why a system cannot be priced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EstimateError {
    /// The catalog has no price in the system's region.
    UnknownRegion { region: String, known: Vec<String> },
}

impl std::fmt::Display for EstimateError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EstimateError::UnknownRegion { region, known } => write!(
                formatter,
                "the price catalog has no prices for region {region} (it prices {}); \
                 give them with `--prices FILE`",
                known.join(", ")
            ),
        }
    }
}

/// Prices a resolved system over `hours` (730 for a month): one item per
/// billed resource the backends emit.
pub fn estimate(
    system: &System,
    graph: &Graph,
    catalog: &Catalog,
    hours: u64,
) -> Result<Estimate, EstimateError> {
    let region = system.region.value.clone();
    if !catalog.has_region(&region) {
        return Err(EstimateError::UnknownRegion {
            region,
            known: catalog.regions().into_iter().map(str::to_string).collect(),
        });
    }
    let items = items::items(system, graph, catalog, hours);
    let budget = system.budget.map(|budget| Budget {
        amount: Decimal::from_cents((budget.value.0 * 100.0).round() as i64),
        span: budget.span,
    });
    Ok(Estimate {
        system: system.name.text.clone(),
        prices_read: catalog.read_date(&region).unwrap_or_default().to_string(),
        region,
        hours,
        overridden: catalog.overridden,
        items,
        budget,
    })
}

/// What meshc emits that the estimate does not price, and why; printed
/// under the table and documented in `docs/cost.md`.
pub const NOT_PRICED: &[(&str, &str)] = &[
    (
        "data transfer",
        "to the internet, between zones, and between regions",
    ),
    (
        "dead-letter and failure queues",
        "no fixed charge; they carry only failed messages",
    ),
    (
        "saga command queues",
        "one message per step run on a Fargate service",
    ),
    (
        "log storage",
        "CloudWatch Logs storage ($0.03/GB-month, compressed); ingestion is priced",
    ),
    (
        "CloudWatch metrics and Container Insights",
        "per metric and per task",
    ),
    (
        "declared buckets",
        "S3 storage per GB-month and requests per thousand",
    ),
    (
        "Secrets Manager and Parameter Store API calls",
        "$0.05 per 10,000 secret reads; standard parameters and their reads are free",
    ),
    (
        "KMS API requests",
        "$0.03 per 10,000; SQS, SNS and Lambda cache data keys",
    ),
    (
        "ECR image storage and the access-log bucket",
        "S3 storage per GB-month",
    ),
    (
        "X-Ray traces",
        "$5 per million traces recorded after the free tier",
    ),
    (
        "Cloud Map",
        "$0.50 a month per private DNS namespace, $0.10 per instance",
    ),
    (
        "WAF logs",
        "ingested into CloudWatch Logs with the requests",
    ),
    ("free tiers", "prices are on-demand list prices"),
];
