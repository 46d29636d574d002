//! M6xx, cost: the estimate against the declared `budget`, and hints that
//! name a cheaper way to build the same system, with the dollar figure
//! from the price catalog.

pub mod budget_exceeded;
pub mod gateway_service_through_nat;
pub mod idle_interface_endpoint;
pub mod nat_per_zone;
pub mod unused_nat;

use crate::cost::{Catalog, Decimal};
use crate::model::System;

/// The embedded catalog's price of `key` in the system's region.
pub(crate) fn price(system: &System, key: &str) -> Option<Decimal> {
    Catalog::embedded()
        .ok()?
        .price(key, &system.region.value)
        .map(|price| price.usd)
}
