//! Units: the typed values literals normalise to — durations, sizes, money,
//! CIDR blocks, port ranges — and the arithmetic that turns `3m`, `256MB` or
//! `10.20.0.0/16` into them. Pure functions; the model turns their errors
//! into diagnostics.

use std::fmt;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

/// A length of time, in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration {
    millis: u64,
}

impl Duration {
    pub const ZERO: Duration = Duration { millis: 0 };

    pub const fn from_millis(millis: u64) -> Duration {
        Duration { millis }
    }

    pub const fn from_secs(secs: u64) -> Duration {
        Duration {
            millis: secs * 1000,
        }
    }

    pub const fn from_mins(mins: u64) -> Duration {
        Duration::from_secs(mins * 60)
    }

    pub const fn from_hours(hours: u64) -> Duration {
        Duration::from_secs(hours * 3600)
    }

    pub const fn from_days(days: u64) -> Duration {
        Duration::from_secs(days * 86_400)
    }

    pub fn as_millis(self) -> u64 {
        self.millis
    }

    /// Whole seconds, rounded up: AWS settings are in seconds, and rounding
    /// a timeout down would shorten it.
    pub fn as_secs_ceil(self) -> u64 {
        self.millis.div_ceil(1000)
    }

    pub fn as_secs_f64(self) -> f64 {
        self.millis as f64 / 1000.0
    }

    /// Whole days, rounded up.
    pub fn as_days_ceil(self) -> u64 {
        self.millis.div_ceil(86_400_000)
    }

    #[must_use]
    pub fn saturating_add(self, other: Duration) -> Duration {
        Duration::from_millis(self.millis.saturating_add(other.millis))
    }

    #[must_use]
    pub fn saturating_mul(self, factor: u64) -> Duration {
        Duration::from_millis(self.millis.saturating_mul(factor))
    }
}

impl fmt::Display for Duration {
    /// The largest unit that divides the duration exactly: `90s` is `90s`,
    /// `5400s` is `90m`.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &(unit, factor) in DURATION_UNITS.iter().rev() {
            if self.millis % factor == 0 && (self.millis > 0 || unit == "s") {
                return write!(formatter, "{}{unit}", self.millis / factor);
            }
        }
        write!(formatter, "{}ms", self.millis)
    }
}

/// Duration units and their length in milliseconds.
pub const DURATION_UNITS: [(&str, u64); 6] = [
    ("ms", 1),
    ("s", 1000),
    ("m", 60_000),
    ("h", 3_600_000),
    ("d", 86_400_000),
    ("w", 604_800_000),
];

/// An amount of memory or storage, in bytes. Units are binary, as AWS uses
/// them: Lambda's "MB" and RDS's "GB" are MiB and GiB.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Size {
    bytes: u64,
}

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
const GIB: u64 = 1024 * MIB;
const TIB: u64 = 1024 * GIB;

impl Size {
    pub const fn from_bytes(bytes: u64) -> Size {
        Size { bytes }
    }

    pub const fn from_mib(mib: u64) -> Size {
        Size { bytes: mib * MIB }
    }

    pub const fn from_gib(gib: u64) -> Size {
        Size { bytes: gib * GIB }
    }

    pub fn as_bytes(self) -> u64 {
        self.bytes
    }

    /// Whole MiB, rounded up.
    pub fn as_mib_ceil(self) -> u64 {
        self.bytes.div_ceil(MIB)
    }

    /// Whole GiB, rounded up.
    pub fn as_gib_ceil(self) -> u64 {
        self.bytes.div_ceil(GIB)
    }

    pub fn as_gib_f64(self) -> f64 {
        self.bytes as f64 / GIB as f64
    }
}

impl fmt::Display for Size {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &(unit, factor) in SIZE_UNITS.iter().take(5).rev() {
            if self.bytes % factor == 0 && (self.bytes > 0 || unit == "B") {
                return write!(formatter, "{}{unit}", self.bytes / factor);
            }
        }
        write!(formatter, "{}B", self.bytes)
    }
}

/// Size units and their length in bytes; the `i` forms are synonyms.
pub const SIZE_UNITS: [(&str, u64); 9] = [
    ("B", 1),
    ("KB", KIB),
    ("MB", MIB),
    ("GB", GIB),
    ("TB", TIB),
    ("KiB", KIB),
    ("MiB", MIB),
    ("GiB", GIB),
    ("TiB", TIB),
];

/// Multipliers for counts: `2M` requests.
pub const COUNT_UNITS: [(&str, u64); 3] = [("k", 1_000), ("M", 1_000_000), ("B", 1_000_000_000)];

/// US dollars.
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
pub struct Money(pub f64);

impl fmt::Display for Money {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.fract() == 0.0 {
            write!(formatter, "${:.0}", self.0)
        } else {
            write!(formatter, "${:.2}", self.0)
        }
    }
}

impl Money {
    /// The largest amount meshc reads: a trillion dollars, far below the
    /// cents an `f64` holds exactly (2^53), so that no amount is rounded.
    pub const MAX: f64 = 1e12;

    /// Whether an amount as written is whole cents: at most two decimals
    /// that are not zero (`1500.5` is, `1.005` is not).
    pub fn in_cents(written: &str) -> bool {
        written
            .split_once('.')
            .is_none_or(|(_, decimals)| decimals.trim_end_matches(['0', '_']).len() <= 2)
    }
}

/// An IPv4 network: the address is the network address (no host bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cidr(pub Ipv4Net);

impl Cidr {
    pub fn prefix(self) -> u8 {
        self.0.prefix_len()
    }

    pub fn contains(self, other: Cidr) -> bool {
        self.0.contains(&other.0)
    }

    pub fn overlaps(self, other: Cidr) -> bool {
        self.0.contains(&other.0) || other.0.contains(&self.0)
    }

    /// 0.0.0.0/0.
    pub fn anywhere() -> Cidr {
        Cidr(Ipv4Net::default())
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}", self.0)
    }
}

/// An inclusive range of ports; a single port has `from == to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortRange {
    pub from: u16,
    pub to: u16,
}

impl PortRange {
    pub const ALL: PortRange = PortRange { from: 0, to: 65535 };
    /// The ephemeral ports that return traffic uses.
    pub const EPHEMERAL: PortRange = PortRange {
        from: 1024,
        to: 65535,
    };

    pub fn single(port: u16) -> PortRange {
        PortRange {
            from: port,
            to: port,
        }
    }

    pub fn contains(self, other: PortRange) -> bool {
        self.from <= other.from && other.to <= self.to
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.from == self.to {
            write!(formatter, "{}", self.from)
        } else {
            write!(formatter, "{}-{}", self.from, self.to)
        }
    }
}

// ---------------------------------------------------------------------------
// Parsing.

/// Why a quantity could not be converted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuantityError {
    /// The unit is not one of the dimension's units.
    UnknownUnit,
    /// A unit is required and none was written.
    MissingUnit,
    Negative,
    /// The value is not a whole number of the smallest unit.
    Fractional,
    TooLarge,
}

/// The value of a number as written (`2_000`, `0.5`, `-5`).
pub fn parse_number(raw: &str) -> Option<f64> {
    let cleaned: String = raw.chars().filter(|&ch| ch != '_').collect();
    cleaned
        .parse::<f64>()
        .ok()
        .filter(|value| value.is_finite())
}

fn scaled(number: &str, factor: u64) -> Result<u64, QuantityError> {
    let value = parse_number(number).ok_or(QuantityError::TooLarge)?;
    if value < 0.0 {
        return Err(QuantityError::Negative);
    }
    let scaled = value * factor as f64;
    if scaled > u64::MAX as f64 / 2.0 {
        return Err(QuantityError::TooLarge);
    }
    if scaled.fract() != 0.0 {
        return Err(QuantityError::Fractional);
    }
    Ok(scaled as u64)
}

fn factor_of(unit: &str, units: &[(&str, u64)]) -> Option<u64> {
    units
        .iter()
        .find(|(candidate, _)| *candidate == unit)
        .map(|&(_, factor)| factor)
}

pub fn duration(number: &str, unit: Option<&str>) -> Result<Duration, QuantityError> {
    let unit = unit.ok_or(QuantityError::MissingUnit)?;
    let factor = factor_of(unit, &DURATION_UNITS).ok_or(QuantityError::UnknownUnit)?;
    scaled(number, factor).map(Duration::from_millis)
}

pub fn size(number: &str, unit: Option<&str>) -> Result<Size, QuantityError> {
    let unit = unit.ok_or(QuantityError::MissingUnit)?;
    let factor = factor_of(unit, &SIZE_UNITS).ok_or(QuantityError::UnknownUnit)?;
    scaled(number, factor).map(Size::from_bytes)
}

pub fn count(number: &str, unit: Option<&str>) -> Result<u64, QuantityError> {
    let factor = match unit {
        None => 1,
        Some(unit) => factor_of(unit, &COUNT_UNITS).ok_or(QuantityError::UnknownUnit)?,
    };
    scaled(number, factor)
}

/// Why an address could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CidrError {
    /// An octet above 255: its text.
    Octet(String),
    /// A prefix length above 32.
    Prefix(String),
    /// Bits set below the prefix: the network that was probably meant.
    HostBits(Cidr),
}

/// `10.20.0.0/16`, or `10.0.0.5` as a /32.
pub fn cidr(text: &str) -> Result<Cidr, CidrError> {
    let (address, prefix) = match text.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (text, None),
    };
    let mut octets = [0u8; 4];
    for (slot, part) in octets.iter_mut().zip(address.split('.')) {
        *slot = part
            .parse::<u8>()
            .map_err(|_| CidrError::Octet(part.to_string()))?;
    }
    let prefix = match prefix {
        Some(prefix) => prefix
            .parse::<u8>()
            .ok()
            .filter(|&length| length <= 32)
            .ok_or_else(|| CidrError::Prefix(prefix.to_string()))?,
        None => 32,
    };
    let network = Ipv4Net::new(Ipv4Addr::from(octets), prefix)
        .map_err(|_| CidrError::Prefix(prefix.to_string()))?;
    if network.addr() != network.network() {
        return Err(CidrError::HostBits(Cidr(network.trunc())));
    }
    Ok(Cidr(network))
}

/// Why a port could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortError {
    /// A port above 65535: its text.
    OutOfRange(String),
    /// `2000-1000`.
    Reversed,
}

pub fn port(text: &str) -> Result<u16, PortError> {
    text.parse::<u16>()
        .map_err(|_| PortError::OutOfRange(text.to_string()))
}

/// `8443` or `1024-65535`.
pub fn port_range(text: &str) -> Result<PortRange, PortError> {
    match text.split_once('-') {
        Some((from, to)) => {
            let range = PortRange {
                from: port(from)?,
                to: port(to)?,
            };
            if range.from > range.to {
                return Err(PortError::Reversed);
            }
            Ok(range)
        }
        None => port(text).map(PortRange::single),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_whole_cents() {
        for written in ["1500", "1500.5", "1500.50", "1_500.25", "0.10"] {
            assert!(Money::in_cents(written), "{written}");
        }
        for written in ["1.005", "0.001", "12.3456"] {
            assert!(!Money::in_cents(written), "{written}");
        }
    }

    #[test]
    fn durations_normalise_to_milliseconds() {
        assert_eq!(duration("3", Some("m")), Ok(Duration::from_secs(180)));
        assert_eq!(duration("1.5", Some("h")), Ok(Duration::from_mins(90)));
        assert_eq!(duration("250", Some("ms")), Ok(Duration::from_millis(250)));
        assert_eq!(
            duration("3", Some("parsecs")),
            Err(QuantityError::UnknownUnit)
        );
        assert_eq!(duration("30", None), Err(QuantityError::MissingUnit));
        assert_eq!(duration("-5", Some("s")), Err(QuantityError::Negative));
        assert_eq!(duration("0.5", Some("ms")), Err(QuantityError::Fractional));
        assert_eq!(Duration::from_mins(90).to_string(), "90m");
        assert_eq!(Duration::from_days(14).to_string(), "2w");
        assert_eq!(Duration::from_millis(1500).to_string(), "1500ms");
        assert_eq!(Duration::from_millis(1500).as_secs_ceil(), 2);
    }

    #[test]
    fn sizes_are_binary() {
        assert_eq!(size("1", Some("GB")), Ok(Size::from_mib(1024)));
        assert_eq!(size("256", Some("MiB")), Ok(Size::from_mib(256)));
        assert_eq!(size("0.5", Some("GB")), Ok(Size::from_mib(512)));
        assert_eq!(size("-5", Some("MB")), Err(QuantityError::Negative));
        assert_eq!(Size::from_mib(2048).to_string(), "2GB");
        assert_eq!(Size::from_mib(1536).to_string(), "1536MB");
    }

    #[test]
    fn counts_take_multipliers() {
        assert_eq!(count("2_000_000", None), Ok(2_000_000));
        assert_eq!(count("2", Some("M")), Ok(2_000_000));
        assert_eq!(count("1.5", Some("k")), Ok(1500));
        assert_eq!(count("1.5", None), Err(QuantityError::Fractional));
    }

    #[test]
    fn cidrs_are_checked_octet_by_octet() {
        assert_eq!(
            cidr("10.20.0.0/16").map(|c| c.to_string()),
            Ok("10.20.0.0/16".to_string())
        );
        assert_eq!(cidr("10.0.0.5").map(Cidr::prefix), Ok(32));
        assert_eq!(
            cidr("10.0.0.0/33"),
            Err(CidrError::Prefix("33".to_string()))
        );
        assert_eq!(
            cidr("10.0.0.256/24"),
            Err(CidrError::Octet("256".to_string()))
        );
        assert_eq!(
            cidr("10.0.1.0/16").map_err(|error| match error {
                CidrError::HostBits(network) => network.to_string(),
                other => format!("{other:?}"),
            }),
            Err("10.0.0.0/16".to_string())
        );
        let vpc = cidr("10.0.0.0/16").unwrap();
        assert!(vpc.contains(cidr("10.0.3.0/24").unwrap()));
        assert!(!vpc.overlaps(cidr("10.1.0.0/24").unwrap()));
    }

    #[test]
    fn ports_and_ranges() {
        assert_eq!(port_range("1024-65535"), Ok(PortRange::EPHEMERAL));
        assert_eq!(port_range("443"), Ok(PortRange::single(443)));
        assert_eq!(
            port_range("70000"),
            Err(PortError::OutOfRange("70000".to_string()))
        );
        assert_eq!(port_range("2000-1000"), Err(PortError::Reversed));
    }
}
