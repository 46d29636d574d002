//! Exact decimal arithmetic for the cost estimate: prices, quantities and
//! amounts as integers of 10⁻¹² (a pico-dollar, or a pico-unit), so that a
//! sum of many small charges does not drift the way `f64` does. Amounts are
//! rounded to cents (half away from zero) only when a line item is closed.

use std::fmt;

/// The number of decimal places kept.
const PLACES: u32 = 12;
/// 10¹².
const ONE: i128 = 1_000_000_000_000;
/// A cent, in units of 10⁻¹².
const CENT: i128 = ONE / 100;

/// A decimal number with twelve places. Arithmetic saturates instead of
/// overflowing: no realistic estimate comes near the limit (10²⁶), and no
/// input may make meshc panic.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Decimal(i128);

impl Decimal {
    pub const ZERO: Decimal = Decimal(0);

    /// A whole number.
    pub fn from_int(value: u64) -> Decimal {
        Decimal(i128::from(value).saturating_mul(ONE))
    }

    /// `numerator / denominator`, rounded to twelve places.
    pub fn ratio(numerator: u64, denominator: u64) -> Decimal {
        if denominator == 0 {
            return Decimal::ZERO;
        }
        let scaled = i128::from(numerator).saturating_mul(ONE);
        Decimal(div_round(scaled, i128::from(denominator)))
    }

    /// A whole number of cents.
    pub fn from_cents(cents: i64) -> Decimal {
        Decimal(i128::from(cents).saturating_mul(CENT))
    }

    /// Parses `12`, `0.0000166667`, `-3.5`: digits with at most twelve
    /// decimal places.
    pub fn parse(text: &str) -> Option<Decimal> {
        let text = text.trim();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |part: &str| part.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
            return None;
        }
        if fraction.len() > PLACES as usize || whole.len() > 20 {
            return None;
        }
        let whole: i128 = whole.parse().ok()?;
        let padded = format!("{fraction:0<width$}", width = PLACES as usize);
        let fraction: i128 = padded.parse().ok()?;
        let value = whole.checked_mul(ONE)?.checked_add(fraction)?;
        Some(Decimal(if negative { -value } else { value }))
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    #[must_use]
    pub fn plus(self, other: Decimal) -> Decimal {
        Decimal(self.0.saturating_add(other.0))
    }

    #[must_use]
    pub fn minus(self, other: Decimal) -> Decimal {
        Decimal(self.0.saturating_sub(other.0))
    }

    /// The product, rounded to twelve places.
    #[must_use]
    pub fn times(self, other: Decimal) -> Decimal {
        // Split one factor into its whole and fractional parts so that the
        // intermediate product stays far from the limit of i128.
        let whole = other.0 / ONE;
        let fraction = other.0 % ONE;
        let from_whole = self.0.saturating_mul(whole);
        let from_fraction = div_round(self.0.saturating_mul(fraction), ONE);
        Decimal(from_whole.saturating_add(from_fraction))
    }

    /// The quotient by a whole number, rounded to twelve places.
    #[must_use]
    pub fn div_int(self, divisor: u64) -> Decimal {
        if divisor == 0 {
            return Decimal::ZERO;
        }
        Decimal(div_round(self.0, i128::from(divisor)))
    }

    /// Rounded to whole cents, half away from zero.
    #[must_use]
    pub fn round_to_cents(self) -> Decimal {
        Decimal(div_round(self.0, CENT).saturating_mul(CENT))
    }

    /// Rounded up to a whole number.
    #[must_use]
    pub fn ceil(self) -> Decimal {
        let remainder = self.0.rem_euclid(ONE);
        if remainder == 0 {
            self
        } else {
            Decimal(self.0 - remainder + ONE)
        }
    }

    /// The larger of two.
    #[must_use]
    pub fn max(self, other: Decimal) -> Decimal {
        if self >= other { self } else { other }
    }

    /// Whole cents, rounded half away from zero.
    pub fn cents(self) -> i64 {
        i64::try_from(div_round(self.0, CENT)).unwrap_or(i64::MAX)
    }

    /// As dollars with two places and thousands separators: `1,234.50`.
    pub fn dollars(self) -> String {
        let cents = self.cents();
        let sign = if cents < 0 { "-" } else { "" };
        let cents = cents.unsigned_abs();
        format!("{sign}{}.{:02}", group_thousands(cents / 100), cents % 100)
    }

    /// The shortest exact decimal text: `0.0000166667`, `730`, `0.5`.
    pub fn plain(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let magnitude = self.0.unsigned_abs();
        let one = ONE.unsigned_abs();
        let whole = magnitude / one;
        let fraction = magnitude % one;
        if fraction == 0 {
            return format!("{sign}{whole}");
        }
        let digits = format!("{fraction:0width$}", width = PLACES as usize);
        format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
    }

    /// A price: exact, with at least two decimals (`0.0225`, `1.00`).
    pub fn price(self) -> String {
        let plain = self.plain();
        match plain.split_once('.') {
            None => format!("{plain}.00"),
            Some((_, fraction)) if fraction.len() == 1 => format!("{plain}0"),
            Some(_) => plain,
        }
    }

    /// Like [`Decimal::plain`] with thousands separators in the whole part,
    /// and at most `places` decimals (rounded).
    pub fn grouped(self, places: u32) -> String {
        let step = 10_i128.pow(PLACES.saturating_sub(places.min(PLACES)));
        let rounded = Decimal(div_round(self.0, step).saturating_mul(step));
        let plain = rounded.plain();
        let (whole, fraction) = plain.split_once('.').unwrap_or((&plain, ""));
        let (sign, whole) = match whole.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", whole),
        };
        let grouped = group_thousands(whole.parse().unwrap_or(0));
        if fraction.is_empty() {
            format!("{sign}{grouped}")
        } else {
            format!("{sign}{grouped}.{fraction}")
        }
    }

    /// The value as a JSON number: an exact decimal literal.
    pub fn to_json(self) -> serde_json::Value {
        serde_json::from_str::<serde_json::Number>(&self.plain())
            .map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.plain())
    }
}

/// `numerator / denominator`, rounded half away from zero.
fn div_round(numerator: i128, denominator: i128) -> i128 {
    if denominator == 0 {
        return 0;
    }
    let quotient = numerator / denominator;
    let remainder = numerator % denominator;
    if remainder.unsigned_abs().saturating_mul(2) >= denominator.unsigned_abs() {
        if (numerator < 0) == (denominator < 0) {
            quotient + 1
        } else {
            quotient - 1
        }
    } else {
        quotient
    }
}

fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::Decimal;

    #[test]
    fn parses_and_prints_exactly() {
        let price = Decimal::parse("0.0000166667").unwrap();
        assert_eq!(price.plain(), "0.0000166667");
        assert_eq!(Decimal::parse("730").unwrap().plain(), "730");
        assert_eq!(Decimal::parse("-0.5").unwrap().plain(), "-0.5");
        assert_eq!(Decimal::parse("1.0000000000001"), None);
        assert_eq!(Decimal::parse("1e3"), None);
        assert_eq!(Decimal::parse(""), None);
        assert_eq!(Decimal::parse(".5"), None);
    }

    #[test]
    fn multiplies_without_drift() {
        // 730 hours of two NAT gateways at $0.045.
        let hours = Decimal::from_int(1460);
        let price = Decimal::parse("0.045").unwrap();
        assert_eq!(hours.times(price).plain(), "65.7");
        // A million Lambda GB-seconds, summed a million times one by one,
        // is the same as one product.
        let gb_second = Decimal::parse("0.0000166667").unwrap();
        let mut sum = Decimal::ZERO;
        for _ in 0..1_000_000 {
            sum = sum.plus(gb_second);
        }
        assert_eq!(sum, Decimal::from_int(1_000_000).times(gb_second));
        assert_eq!(sum.dollars(), "16.67");
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(Decimal::parse("0.045").unwrap().dollars(), "0.05");
        assert_eq!(Decimal::parse("0.0449").unwrap().dollars(), "0.04");
        assert_eq!(Decimal::parse("-0.045").unwrap().dollars(), "-0.05");
        assert_eq!(
            Decimal::parse("1234567.891").unwrap().dollars(),
            "1,234,567.89"
        );
        assert_eq!(Decimal::ratio(2, 3).grouped(4), "0.6667");
        assert_eq!(Decimal::parse("2.5").unwrap().ceil().plain(), "3");
        assert_eq!(Decimal::from_int(3).ceil().plain(), "3");
    }
}
