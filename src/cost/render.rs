//! Rendering an [`Estimate`]: the itemised table people read, the JSON
//! machines read, and the comparison of two estimates (a markdown table
//! for pull-request comments, or JSON).
//!
//! Input: estimates. Output: text; the CLI prints it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use super::{Charge, Decimal, Estimate, HOURS_PER_MONTH, Item, NOT_PRICED, Part, Quantity};

const LABEL_WIDTH: usize = 56;
const NUMBER_WIDTH: usize = 11;

fn period(estimate: &Estimate) -> String {
    if estimate.hours == HOURS_PER_MONTH {
        format!("one month ({HOURS_PER_MONTH} hours)")
    } else {
        format!("{} hours", estimate.hours)
    }
}

/// The text of a part of an item: its known sum, `unknown` when nothing of
/// it is known, `+?` when part of it is, `-` when it has no such charge.
fn part_text(item: &Item, part: Part) -> String {
    let charges: Vec<&Charge> = item
        .charges
        .iter()
        .filter(|charge| charge.part == part)
        .collect();
    if charges.is_empty() {
        return "-".into();
    }
    let known: Vec<Decimal> = charges.iter().filter_map(|charge| charge.amount).collect();
    let sum = known.iter().copied().fold(Decimal::ZERO, Decimal::plus);
    match (known.len(), charges.len()) {
        (0, _) => "unknown".into(),
        (known, all) if known < all => format!("{}+?", sum.dollars()),
        _ => sum.dollars(),
    }
}

fn total_text(item: &Item) -> String {
    if item.charges.iter().all(|charge| !charge.is_known()) {
        "unknown".into()
    } else if item.unknown() > 0 {
        format!("{}+?", item.total().dollars())
    } else {
        item.total().dollars()
    }
}

fn row(text: &mut String, label: &str, columns: [&str; 3]) {
    let _ = writeln!(
        text,
        "{label:<LABEL_WIDTH$}{:>NUMBER_WIDTH$}{:>NUMBER_WIDTH$}{:>NUMBER_WIDTH$}",
        columns[0], columns[1], columns[2]
    );
}

/// How a charge was worked out, in one line.
pub fn charge_line(charge: &Charge) -> String {
    let unit = charge
        .price
        .as_ref()
        .map_or_else(|| "unit".to_string(), |price| price.unit.clone());
    match (&charge.quantity, &charge.price, charge.amount) {
        (Quantity::Unknown { declare }, _, _) => {
            format!("{}: usage unknown; declare {declare}", charge.what)
        }
        (Quantity::Known { amount, formula }, Some(price), Some(total)) => {
            let overridden = if price.origin == "catalog" {
                String::new()
            } else {
                format!(" ({})", price.origin)
            };
            format!(
                "{}: {formula} = {} {unit} × ${}{overridden} = ${}",
                charge.what,
                amount.grouped(4),
                price.usd.price(),
                total.dollars()
            )
        }
        (Quantity::Known { amount, formula }, _, _) => format!(
            "{}: {formula} = {} {unit}; price unknown: the catalog has no `{}` in this region",
            charge.what,
            amount.grouped(4),
            charge.key
        ),
    }
}

/// The itemised table.
pub fn table(estimate: &Estimate) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "meshc cost: system {} in {}, {}, prices read {}{}",
        estimate.system,
        estimate.region,
        period(estimate),
        estimate.prices_read,
        if estimate.overridden > 0 {
            format!(" ({} overridden)", estimate.overridden)
        } else {
            String::new()
        }
    );
    text.push('\n');
    row(&mut text, "", ["fixed", "usage", "total"]);
    let mut group = "";
    for item in &estimate.items {
        if item.group != group {
            group = &item.group;
            let _ = writeln!(text, "{group}");
        }
        let label = format!("  {}", item.resource);
        row(
            &mut text,
            &label,
            [
                &part_text(item, Part::Fixed),
                &part_text(item, Part::Usage),
                &total_text(item),
            ],
        );
        for charge in &item.charges {
            let _ = writeln!(text, "      {}", charge_line(charge));
        }
    }
    let rule = "─".repeat(LABEL_WIDTH + 3 * NUMBER_WIDTH);
    let _ = writeln!(text, "{rule}");
    let unknown = estimate.unknown();
    let suffix = if unknown > 0 { "+?" } else { "" };
    row(
        &mut text,
        "total",
        [
            &estimate.fixed().dollars(),
            &format!("{}{suffix}", estimate.usage().dollars()),
            &format!("{}{suffix}", estimate.total().dollars()),
        ],
    );
    if unknown > 0 {
        let _ = writeln!(
            text,
            "  + {unknown} charge{} not priced for want of usage or price (marked `unknown` and `+?`)",
            if unknown == 1 { "" } else { "s" }
        );
    }
    text.push('\n');
    let _ = writeln!(text, "by concern");
    for (concern, total, unknown) in estimate.concerns() {
        let extra = if unknown > 0 { "+?" } else { "" };
        let _ = writeln!(
            text,
            "  {:<20}{:>12}",
            concern.as_str(),
            format!("{}{extra}", total.dollars())
        );
    }
    text.push('\n');
    let _ = writeln!(text, "by declaration");
    for (group, total, unknown) in estimate.groups() {
        let extra = if unknown > 0 { "+?" } else { "" };
        let _ = writeln!(
            text,
            "  {group:<36}{:>12}",
            format!("{}{extra}", total.dollars())
        );
    }
    text.push('\n');
    if let Some(budget) = estimate.budget {
        if estimate.hours == HOURS_PER_MONTH {
            let monthly = estimate.total();
            let verdict = if monthly > budget.amount {
                format!("over by ${}", monthly.minus(budget.amount).dollars())
            } else {
                format!("${} left", budget.amount.minus(monthly).dollars())
            };
            let _ = writeln!(
                text,
                "budget ${} a month: the known monthly cost is ${}, {verdict}",
                budget.amount.dollars(),
                monthly.dollars()
            );
        } else {
            let _ = writeln!(
                text,
                "budget ${} a month: price a month (without --hours) to compare",
                budget.amount.dollars()
            );
        }
    }
    let _ = writeln!(
        text,
        "not priced: {} (see docs/cost.md)",
        NOT_PRICED
            .iter()
            .map(|(what, _)| *what)
            .collect::<Vec<_>>()
            .join(", ")
    );
    text
}

fn amount_json(amount: Option<Decimal>) -> Json {
    amount.map_or(Json::Null, Decimal::to_json)
}

fn charge_json(charge: &Charge) -> Json {
    let (quantity, formula, declare) = match &charge.quantity {
        Quantity::Known { amount, formula } => (amount.to_json(), json!(formula), Json::Null),
        Quantity::Unknown { declare } => (Json::Null, Json::Null, json!(declare)),
    };
    let unknown = match (&charge.quantity, &charge.price) {
        (Quantity::Unknown { .. }, _) => json!("usage"),
        (_, None) => json!("price"),
        _ => Json::Null,
    };
    let price = charge.price.as_ref().map_or(Json::Null, |price| {
        json!({
            "usd": price.usd.to_json(),
            "unit": price.unit,
            "source": price.source,
            "read": price.read,
            "status": price.status,
            "origin": price.origin,
        })
    });
    json!({
        "what": charge.what,
        "part": charge.part.as_str(),
        "key": charge.key,
        "quantity": quantity,
        "formula": formula,
        "price": price,
        "amount": amount_json(charge.amount),
        "unknown": unknown,
        "declare": declare,
    })
}

/// The estimate as one JSON document.
pub fn json(estimate: &Estimate) -> String {
    let items: Vec<Json> = estimate
        .items
        .iter()
        .map(|item| {
            json!({
                "id": item.id(),
                "group": item.group,
                "concern": item.concern.as_str(),
                "resource": item.resource,
                "terraform": item.terraform,
                "fixed": item.fixed().to_json(),
                "usage": item.usage().to_json(),
                "total": item.total().to_json(),
                "unknown_charges": item.unknown(),
                "charges": item.charges.iter().map(charge_json).collect::<Vec<_>>(),
            })
        })
        .collect();
    // The budget is monthly: it is compared only with a month's estimate.
    let monthly = estimate.hours == HOURS_PER_MONTH;
    let budget = estimate.budget.map_or(Json::Null, |budget| {
        json!({
            "amount": budget.amount.to_json(),
            "exceeded": monthly.then(|| estimate.total() > budget.amount),
        })
    });
    let document = json!({
        "system": estimate.system,
        "region": estimate.region,
        "hours": estimate.hours,
        "currency": "USD",
        "prices_read": estimate.prices_read,
        "prices_overridden": estimate.overridden,
        "total": estimate.total().to_json(),
        "fixed": estimate.fixed().to_json(),
        "usage": estimate.usage().to_json(),
        "unknown_charges": estimate.unknown(),
        "budget": budget,
        "concerns": estimate.concerns().into_iter().map(|(concern, total, unknown)| json!({
            "concern": concern.as_str(),
            "total": total.to_json(),
            "unknown_charges": unknown,
        })).collect::<Vec<_>>(),
        "groups": estimate.groups().into_iter().map(|(group, total, _)| json!({
            "group": group,
            "total": total.to_json(),
        })).collect::<Vec<_>>(),
        "items": items,
        "not_priced": NOT_PRICED.iter().map(|(what, why)| json!({"what": what, "why": why})).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&document).unwrap_or_default()
}

/// One line of a comparison: an item before and after.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub id: String,
    pub resource: String,
    pub before: Option<(Decimal, usize)>,
    pub after: Option<(Decimal, usize)>,
}

impl Change {
    /// The change of the known total.
    pub fn delta(&self) -> Decimal {
        let amount =
            |side: Option<(Decimal, usize)>| side.map_or(Decimal::ZERO, |(total, _)| total);
        amount(self.after).minus(amount(self.before))
    }
}

/// What changed between two estimates: the items whose known total or
/// number of unknown charges changed, or that appear or disappear, in the
/// order of the new estimate (removed items last).
pub fn changes(before: &Estimate, after: &Estimate) -> Vec<Change> {
    let mut old: BTreeMap<String, &Item> = BTreeMap::new();
    for item in &before.items {
        old.insert(item.id(), item);
    }
    let mut changes = Vec::new();
    for item in &after.items {
        let id = item.id();
        let previous = old.remove(&id);
        let change = Change {
            id,
            resource: format!("{} / {}", item.group, item.resource),
            before: previous.map(|previous| (previous.total(), previous.unknown())),
            after: Some((item.total(), item.unknown())),
        };
        if change.before != change.after {
            changes.push(change);
        }
    }
    for item in &before.items {
        if old.contains_key(&item.id()) {
            changes.push(Change {
                id: item.id(),
                resource: format!("{} / {}", item.group, item.resource),
                before: Some((item.total(), item.unknown())),
                after: None,
            });
        }
    }
    changes
}

fn signed(amount: Decimal) -> String {
    if amount >= Decimal::ZERO {
        format!("+${}", amount.dollars())
    } else {
        format!("−${}", Decimal::ZERO.minus(amount).dollars())
    }
}

fn side(side: Option<(Decimal, usize)>) -> String {
    match side {
        None => String::new(),
        Some((total, 0)) => format!("${}", total.dollars()),
        Some((total, _)) => format!("${}+?", total.dollars()),
    }
}

/// The comparison as a markdown table, for a pull-request comment.
pub fn comparison_markdown(before: &Estimate, after: &Estimate) -> String {
    let changes = changes(before, after);
    let mut text = String::new();
    let _ = writeln!(
        text,
        "### meshc cost: system {} in {}, {}\n",
        after.system,
        after.region,
        period(after)
    );
    let old_total = before.total();
    let new_total = after.total();
    let delta = new_total.minus(old_total);
    if changes.is_empty() {
        let _ = writeln!(
            text,
            "No change: ${} before and after.",
            new_total.dollars()
        );
        return text;
    }
    let _ = writeln!(text, "| | resource | before | after | change |");
    let _ = writeln!(text, "|---|---|---:|---:|---:|");
    for change in &changes {
        let mark = match (change.before, change.after) {
            (None, Some(_)) => "+",
            (Some(_), None) => "−",
            _ => "~",
        };
        let _ = writeln!(
            text,
            "| {mark} | {} | {} | {} | {} |",
            change.resource,
            side(change.before),
            side(change.after),
            signed(change.delta())
        );
    }
    let percent = if old_total.cents() == 0 {
        String::new()
    } else {
        // Tenths of a percent, rounded half away from zero.
        let numerator = i128::from(delta.cents()) * 1000;
        let denominator = i128::from(old_total.cents());
        let tenths = (numerator * 2 + numerator.signum() * denominator.abs()) / (2 * denominator);
        let sign = if tenths < 0 { "−" } else { "+" };
        let tenths = tenths.unsigned_abs();
        format!(" ({sign}{}.{}%)", tenths / 10, tenths % 10)
    };
    let _ = writeln!(
        text,
        "| | **total** | **${}** | **${}** | **{}{percent}** |",
        old_total.dollars(),
        new_total.dollars(),
        signed(delta)
    );
    let (old_unknown, new_unknown) = (before.unknown(), after.unknown());
    if old_unknown > 0 || new_unknown > 0 {
        let _ = writeln!(
            text,
            "\nCharges without declared usage (not in the totals): {old_unknown} before, {new_unknown} after."
        );
    }
    text
}

/// The comparison as JSON.
pub fn comparison_json(before: &Estimate, after: &Estimate) -> String {
    let side_json = |side: Option<(Decimal, usize)>| {
        side.map_or(
            Json::Null,
            |(total, unknown)| json!({ "total": total.to_json(), "unknown_charges": unknown }),
        )
    };
    let changes: Vec<Json> = changes(before, after)
        .iter()
        .map(|change| {
            json!({
                "id": change.id,
                "resource": change.resource,
                "before": side_json(change.before),
                "after": side_json(change.after),
                "delta": change.delta().to_json(),
            })
        })
        .collect();
    let document = json!({
        "system": after.system,
        "region": after.region,
        "hours": after.hours,
        "before": { "total": before.total().to_json(), "unknown_charges": before.unknown() },
        "after": { "total": after.total().to_json(), "unknown_charges": after.unknown() },
        "delta": after.total().minus(before.total()).to_json(),
        "changes": changes,
    });
    serde_json::to_string_pretty(&document).unwrap_or_default()
}
