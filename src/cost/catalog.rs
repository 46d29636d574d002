//! The price catalog: `prices.csv`, embedded in the binary and parsed once,
//! one row per price with its unit, region, source and the date it was read;
//! and the user's override file (negotiated rates) in the same format, whose
//! rows replace the embedded rows of the same key and region.
//!
//! Input: CSV text. Output: a [`Catalog`] that answers "what does `key` cost
//! in `region`", or a located [`CatalogError`].

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use super::money::Decimal;

/// The embedded catalog's text.
pub const EMBEDDED: &str = include_str!("prices.csv");

/// The header every catalog file starts with (after `#` comments).
pub const HEADER: &str = "key,region,usd,unit,source,read,status,note";

/// Every key the estimate reads for any system, which each supported
/// region must price (the database classes are keyed by engine and class,
/// and checked separately).
pub const REQUIRED_KEYS: &[&str] = &[
    "cloudwatch.alarm.standard",
    "cloudwatch.logs.ingest",
    "cloudwatch.logs.vended",
    "dynamodb.on_demand.read_units",
    "dynamodb.on_demand.write_units",
    "dynamodb.pitr",
    "dynamodb.provisioned.rcu_hour",
    "dynamodb.provisioned.wcu_hour",
    "dynamodb.storage",
    "elb.alb.hour",
    "elb.alb.lcu_hour",
    "elb.nlb.hour",
    "elb.nlb.nlcu_hour",
    "events.archive.gb",
    "events.custom_events",
    "fargate.arm.gb_hour",
    "fargate.arm.vcpu_hour",
    "fargate.x86.gb_hour",
    "fargate.x86.vcpu_hour",
    "kinesis.efo.consumer_shard_hour",
    "kinesis.efo.gb",
    "kinesis.extended_retention.shard_hour",
    "kinesis.on_demand.extended_retention.gb_month",
    "kinesis.on_demand.gb_in",
    "kinesis.on_demand.gb_out",
    "kinesis.on_demand.stream_hour",
    "kinesis.put_units",
    "kinesis.shard_hour",
    "kms.key",
    "lambda.arm.gb_second",
    "lambda.requests",
    "lambda.x86.gb_second",
    "rds.aurora.io",
    "rds.aurora.storage",
    "rds.gp3.gb_month",
    "secretsmanager.secret",
    "sns.publishes",
    "sqs.fifo.requests",
    "sqs.standard.requests",
    "stepfunctions.transitions",
    "vpc.gateway_endpoint",
    "vpc.inter_az.gb",
    "vpc.interface_endpoint.gb",
    "vpc.interface_endpoint.hour",
    "vpc.nat_gateway.gb",
    "vpc.nat_gateway.hour",
    "vpc.public_ipv4.hour",
    "waf.requests",
    "waf.rule",
    "waf.web_acl",
];

/// One price.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Price {
    pub key: String,
    pub region: String,
    /// Dollars per `unit`.
    pub usd: Decimal,
    pub unit: String,
    pub source: String,
    /// The date the figure was read, `YYYY-MM-DD`.
    pub read: String,
    /// `checked` or `unchecked` (see the header of `prices.csv`).
    pub status: String,
    pub note: String,
    /// Where the row comes from: `catalog`, or the override file's name.
    pub origin: String,
}

/// A problem in a catalog file, with its 1-based line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogError {
    pub origin: String,
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for CatalogError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}:{}: {}", self.origin, self.line, self.message)
    }
}

/// Prices by (key, region).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catalog {
    prices: BTreeMap<(String, String), Price>,
    /// How many rows an override file replaced or added.
    pub overridden: usize,
}

impl Catalog {
    /// The embedded catalog, parsed on first use.
    pub fn embedded() -> Result<&'static Catalog, CatalogError> {
        static EMBEDDED_CATALOG: OnceLock<Result<Catalog, CatalogError>> = OnceLock::new();
        EMBEDDED_CATALOG
            .get_or_init(|| Catalog::parse(EMBEDDED, "catalog"))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Parses a catalog file; `origin` names it in errors and in the
    /// `origin` of its rows.
    pub fn parse(text: &str, origin: &str) -> Result<Catalog, CatalogError> {
        let mut catalog = Catalog::default();
        for price in parse_rows(text, origin)? {
            catalog
                .prices
                .insert((price.key.clone(), price.region.clone()), price);
        }
        Ok(catalog)
    }

    /// This catalog with the rows of an override file replacing its own.
    pub fn with_overrides(&self, text: &str, origin: &str) -> Result<Catalog, CatalogError> {
        let mut catalog = self.clone();
        for price in parse_rows(text, origin)? {
            catalog.overridden += 1;
            catalog
                .prices
                .insert((price.key.clone(), price.region.clone()), price);
        }
        Ok(catalog)
    }

    /// The price of `key` in `region`.
    pub fn price(&self, key: &str, region: &str) -> Option<&Price> {
        self.prices.get(&(key.to_string(), region.to_string()))
    }

    /// Every price, by key then region.
    pub fn prices(&self) -> impl Iterator<Item = &Price> {
        self.prices.values()
    }

    /// The regions with at least one price.
    pub fn regions(&self) -> BTreeSet<&str> {
        self.prices
            .keys()
            .map(|(_, region)| region.as_str())
            .collect()
    }

    /// Whether the catalog prices a region at all.
    pub fn has_region(&self, region: &str) -> bool {
        self.prices.keys().any(|(_, known)| known == region)
    }

    /// The latest date a price of `region` was read.
    pub fn read_date(&self, region: &str) -> Option<&str> {
        self.prices
            .values()
            .filter(|price| price.region == region)
            .map(|price| price.read.as_str())
            .max()
    }
}

fn parse_rows(text: &str, origin: &str) -> Result<Vec<Price>, CatalogError> {
    let error = |line: usize, message: String| CatalogError {
        origin: origin.to_string(),
        line,
        message,
    };
    let mut rows = Vec::new();
    let mut header_seen = false;
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if !header_seen {
            if trimmed != HEADER {
                return Err(error(
                    line,
                    format!("the first row must be the header `{HEADER}`"),
                ));
            }
            header_seen = true;
            continue;
        }
        // The note is the last column and may itself contain commas.
        let fields: Vec<&str> = trimmed.splitn(8, ',').map(str::trim).collect();
        let [key, region, usd, unit, source, read, status, rest @ ..] = fields.as_slice() else {
            return Err(error(
                line,
                format!(
                    "expected the columns {HEADER}, found {} columns",
                    fields.len()
                ),
            ));
        };
        if key.is_empty() || region.is_empty() || unit.is_empty() {
            return Err(error(line, "key, region and unit must not be empty".into()));
        }
        let Some(usd) = Decimal::parse(usd).filter(|usd| *usd >= Decimal::ZERO) else {
            return Err(error(
                line,
                format!("`{usd}` is not a price in dollars (such as 0.045)"),
            ));
        };
        if !is_date(read) {
            return Err(error(
                line,
                format!("`{read}` is not a date of the form YYYY-MM-DD"),
            ));
        }
        if !seen.insert(((*key).to_string(), (*region).to_string())) {
            return Err(error(
                line,
                format!("a second price for `{key}` in {region}"),
            ));
        }
        rows.push(Price {
            key: (*key).to_string(),
            region: (*region).to_string(),
            usd,
            unit: (*unit).to_string(),
            source: (*source).to_string(),
            read: (*read).to_string(),
            status: (*status).to_string(),
            note: rest
                .first()
                .map_or_else(String::new, |note| (*note).to_string()),
            origin: origin.to_string(),
        });
    }
    if !header_seen {
        return Err(error(1, format!("no header `{HEADER}`")));
    }
    Ok(rows)
}

fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(index, byte)| match index {
            4 | 7 => *byte == b'-',
            _ => byte.is_ascii_digit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalog_parses() {
        let catalog = Catalog::embedded().unwrap();
        assert!(catalog.prices().count() > 100);
        assert_eq!(
            catalog
                .price("vpc.nat_gateway.hour", "us-east-1")
                .unwrap()
                .usd,
            Decimal::parse("0.045").unwrap()
        );
    }

    #[test]
    fn overrides_replace_rows_and_errors_are_located() {
        let catalog = Catalog::embedded().unwrap();
        let rates = format!(
            "{HEADER}\nvpc.nat_gateway.hour,us-east-1,0.03,gateway-hour,contract 42,2026-10-01,negotiated,\n"
        );
        let negotiated = catalog.with_overrides(&rates, "rates.csv").unwrap();
        let price = negotiated
            .price("vpc.nat_gateway.hour", "us-east-1")
            .unwrap();
        assert_eq!(price.usd, Decimal::parse("0.03").unwrap());
        assert_eq!(price.origin, "rates.csv");
        assert_eq!(negotiated.overridden, 1);
        let bad = format!("{HEADER}\nkms.key,us-east-1,one dollar,key-month,x,2026-10-01,x,\n");
        let error = catalog.with_overrides(&bad, "rates.csv").unwrap_err();
        assert_eq!(error.line, 2);
        assert!(error.to_string().starts_with("rates.csv:2: `one dollar`"));
        let error = Catalog::parse("key,usd\n", "x.csv").unwrap_err();
        assert_eq!(error.line, 1);
    }
}
