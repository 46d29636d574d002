//! Converting written values into typed ones: `3m` into a `Duration`,
//! `256MB` into a `Size`, `10.0.0.0/16` into a `Cidr`, a name into one of a
//! fixed set of choices — each with the diagnostic that says what was
//! expected when the value is not of that form.

use super::reader::Setting;
use super::resolve::Resolver;
use super::units::{self, CidrError, PortError, QuantityError};
use super::{Cidr, Duration, Money, PortRange, Size, Spanned};
use crate::check::names::{
    aws_limit, duration_rounded, invalid_value, type_mismatch, unknown_unit, value_out_of_range,
};
use crate::diagnostics::Span;
use crate::suggest;
use crate::syntax::ast::{Ident, Path, Value, ValueKind};

/// How a value was written, for "expected X, found Y".
pub(super) fn describe(value: &Value) -> String {
    match &value.kind {
        ValueKind::Quantity { number, unit: None } => format!("the number `{number}`"),
        ValueKind::Quantity {
            number,
            unit: Some(unit),
        } => {
            if unit == "%" {
                format!("the percentage `{number}%`")
            } else if units::DURATION_UNITS.iter().any(|(u, _)| u == unit) {
                format!("the duration `{number}{unit}`")
            } else if units::SIZE_UNITS.iter().any(|(u, _)| u == unit) {
                format!("the size `{number}{unit}`")
            } else {
                format!("`{number}{unit}`")
            }
        }
        ValueKind::Money(number) => format!("the amount `${number}`"),
        ValueKind::String(text) => format!("the string {text:?}"),
        ValueKind::Bool(flag) => format!("`{flag}`"),
        ValueKind::Cidr(text) => format!("the CIDR block `{text}`"),
        ValueKind::Ip(text) => format!("the address `{text}`"),
        ValueKind::PortRange(text) => format!("the port range `{text}`"),
        ValueKind::Path(path) if path.segments.len() > 1 => {
            format!("the dotted name `{}`", path.text())
        }
        ValueKind::Path(path) => format!("the name `{}`", path.text()),
        ValueKind::List(_) => "a list".to_string(),
        ValueKind::Object(_) => "an object `{ ... }`".to_string(),
        ValueKind::Constructor { name, .. } => format!("`{} {{ ... }}`", name.text),
        ValueKind::Typed { name, .. } => format!("the typed name `{}: ...`", name.text),
        ValueKind::Malformed(text) => format!("`{text}`"),
    }
}

/// Common misspellings of units, and the unit meant.
const UNIT_ALIASES: [(&str, &str); 16] = [
    ("sec", "s"),
    ("secs", "s"),
    ("second", "s"),
    ("seconds", "s"),
    ("min", "m"),
    ("mins", "m"),
    ("minute", "m"),
    ("minutes", "m"),
    ("hour", "h"),
    ("hours", "h"),
    ("day", "d"),
    ("days", "d"),
    ("Mb", "MB"),
    ("mb", "MB"),
    ("Gb", "GB"),
    ("gb", "GB"),
];

impl Resolver<'_> {
    pub(super) fn mismatch(&mut self, setting: Setting<'_>, expected: &str, example: &str) {
        // A malformed literal has been reported by the parser already.
        if matches!(setting.value.kind, ValueKind::Malformed(_)) {
            return;
        }
        self.diagnostics.push(type_mismatch::diagnostic(
            &setting.key.text,
            expected,
            &describe(setting.value),
            setting.span(),
            example,
        ));
    }

    fn quantity_error(
        &mut self,
        setting: Setting<'_>,
        error: &QuantityError,
        dimension: &str,
        example: &str,
        units_of_dimension: &[&str],
    ) {
        let ValueKind::Quantity { number, unit } = &setting.value.kind else {
            return;
        };
        let span = setting.span();
        match error {
            QuantityError::MissingUnit => self.mismatch(setting, dimension, example),
            QuantityError::UnknownUnit => {
                let unit = unit.as_deref().unwrap_or("");
                let other_dimension = unit == "%"
                    || units::DURATION_UNITS.iter().any(|(u, _)| *u == unit)
                    || units::SIZE_UNITS.iter().any(|(u, _)| *u == unit);
                if other_dimension {
                    self.mismatch(setting, dimension, example);
                } else {
                    let alias = UNIT_ALIASES
                        .iter()
                        .find(|(alias, _)| *alias == unit)
                        .map(|&(_, meant)| meant)
                        .filter(|meant| units_of_dimension.contains(meant));
                    let suggestion = alias
                        .or_else(|| suggest::closest(unit, units_of_dimension.iter().copied()));
                    let unit_span = Span::new(span.start() + number.len(), span.end());
                    self.diagnostics.push(unknown_unit::diagnostic(
                        unit,
                        unit_span,
                        dimension,
                        units_of_dimension,
                        suggestion,
                    ));
                }
            }
            QuantityError::Negative => self.diagnostics.push(value_out_of_range::diagnostic(
                dimension_noun(dimension),
                &text_of(setting.value),
                span,
                "zero or more",
                &format!(
                    "drop the minus sign: `{} = {}`",
                    setting.key.text,
                    text_of(setting.value).trim_start_matches('-')
                ),
            )),
            QuantityError::Fractional if dimension == "a whole number" => {
                self.diagnostics.push(value_out_of_range::diagnostic(
                    "count",
                    &text_of(setting.value),
                    span,
                    "a whole number",
                    &format!(
                        "round it, or write a larger amount with a multiplier: `{} = 1500k` is 1,500,000",
                        setting.key.text
                    ),
                ));
            }
            QuantityError::Fractional => self.diagnostics.push(value_out_of_range::diagnostic(
                dimension_noun(dimension),
                &text_of(setting.value),
                span,
                "a whole number of milliseconds or bytes",
                "use a smaller unit, or round the value",
            )),
            QuantityError::TooLarge => self.diagnostics.push(value_out_of_range::diagnostic(
                dimension_noun(dimension),
                &text_of(setting.value),
                span,
                "small enough to count",
                "use a smaller value",
            )),
        }
    }

    pub(super) fn duration(&mut self, setting: Setting<'_>) -> Option<Spanned<Duration>> {
        const UNITS: [&str; 6] = ["ms", "s", "m", "h", "d", "w"];
        let ValueKind::Quantity { number, unit } = &setting.value.kind else {
            self.mismatch(setting, "a duration", "30s");
            return None;
        };
        match units::duration(number, unit.as_deref()) {
            Ok(duration) => Some(Spanned::new(duration, setting.span())),
            Err(error) => {
                let example = if unit.is_none() {
                    format!("{number}s")
                } else {
                    "30s".to_string()
                };
                self.quantity_error(setting, &error, "a duration", &example, &UNITS);
                None
            }
        }
    }

    /// A duration longer than zero.
    pub(super) fn positive_duration(&mut self, setting: Setting<'_>) -> Option<Spanned<Duration>> {
        let duration = self.duration(setting)?;
        if duration.value == Duration::ZERO {
            self.diagnostics.push(value_out_of_range::diagnostic(
                "duration here",
                &text_of(setting.value),
                setting.span(),
                "longer than zero",
                &format!("give it some time, such as `{} = 3s`", setting.key.text),
            ));
            return None;
        }
        Some(duration)
    }

    pub(super) fn size(&mut self, setting: Setting<'_>) -> Option<Spanned<Size>> {
        const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
        let ValueKind::Quantity { number, unit } = &setting.value.kind else {
            self.mismatch(setting, "a size", "256MB");
            return None;
        };
        match units::size(number, unit.as_deref()) {
            Ok(size) => Some(Spanned::new(size, setting.span())),
            Err(error) => {
                let example = if unit.is_none() {
                    format!("{number}MB")
                } else {
                    "256MB".to_string()
                };
                self.quantity_error(setting, &error, "a size", &example, &UNITS);
                None
            }
        }
    }

    /// A whole number, with an optional `k`/`M`/`B` multiplier.
    pub(super) fn count(&mut self, setting: Setting<'_>) -> Option<Spanned<u64>> {
        const UNITS: [&str; 3] = ["k", "M", "B"];
        let ValueKind::Quantity { number, unit } = &setting.value.kind else {
            self.mismatch(setting, "a whole number", "3");
            return None;
        };
        match units::count(number, unit.as_deref()) {
            Ok(count) => Some(Spanned::new(count, setting.span())),
            Err(error) => {
                self.quantity_error(setting, &error, "a whole number", "3", &UNITS);
                None
            }
        }
    }

    /// A whole number that must fit a `u32` and lie in `min..=max`.
    pub(super) fn count_in(
        &mut self,
        setting: Setting<'_>,
        min: u64,
        max: u64,
        aws: bool,
    ) -> Option<Spanned<u32>> {
        let count = self.count(setting)?;
        if count.value < min || count.value > max {
            let range = format!("{min} to {max}");
            let nearest = count.value.clamp(min, max).to_string();
            let what = format!("`{}`", setting.key.text);
            let help = format!(
                "write a value from {min} to {max}, such as `{} = {nearest}`",
                setting.key.text
            );
            if aws {
                self.diagnostics.push(aws_limit::diagnostic(
                    &what,
                    &count.value.to_string(),
                    count.span,
                    &range,
                    &format!("{} = {nearest}", setting.key.text),
                ));
            } else {
                self.diagnostics.push(value_out_of_range::diagnostic(
                    &format!("value of {what}"),
                    &count.value.to_string(),
                    count.span,
                    &format!("from {range}"),
                    &help,
                ));
            }
            return None;
        }
        let value = u32::try_from(count.value).ok()?;
        Some(Spanned::new(value, count.span))
    }

    /// A plain number (no unit).
    pub(super) fn number(&mut self, setting: Setting<'_>) -> Option<Spanned<f64>> {
        if let ValueKind::Quantity { number, unit: None } = &setting.value.kind {
            units::parse_number(number).map(|value| Spanned::new(value, setting.span()))
        } else {
            self.mismatch(setting, "a number", "2.0");
            None
        }
    }

    /// `50%`, as a number from 0 to 100.
    pub(super) fn percent(&mut self, setting: Setting<'_>) -> Option<Spanned<f64>> {
        let value = match &setting.value.kind {
            ValueKind::Quantity {
                number,
                unit: Some(unit),
            } if unit == "%" => units::parse_number(number),
            _ => {
                self.mismatch(setting, "a percentage", "50%");
                return None;
            }
        }?;
        if !(0.0..=100.0).contains(&value) {
            self.diagnostics.push(value_out_of_range::diagnostic(
                "percentage",
                &text_of(setting.value),
                setting.span(),
                "from 0% to 100%",
                &format!(
                    "write a percentage from 0% to 100%, such as `{} = 50%`",
                    setting.key.text
                ),
            ));
            return None;
        }
        Some(Spanned::new(value, setting.span()))
    }

    pub(super) fn money(&mut self, setting: Setting<'_>) -> Option<Spanned<Money>> {
        let ValueKind::Money(number) = &setting.value.kind else {
            self.mismatch(setting, "an amount of money", "$1500");
            return None;
        };
        let value = units::parse_number(number)
            .filter(|value| (0.0..=Money::MAX).contains(value) && Money::in_cents(number));
        if value.is_none() {
            self.diagnostics.push(value_out_of_range::diagnostic(
                "sum of money",
                &text_of(setting.value),
                setting.span(),
                "in dollars and cents, up to $1,000,000,000,000",
                &format!(
                    "write dollars with at most two decimals, such as `{} = $1500.50`",
                    setting.key.text
                ),
            ));
        }
        value.map(|value| Spanned::new(Money(value), setting.span()))
    }

    pub(super) fn boolean(&mut self, setting: Setting<'_>) -> Option<Spanned<bool>> {
        if let ValueKind::Bool(flag) = setting.value.kind {
            Some(Spanned::new(flag, setting.span()))
        } else {
            self.mismatch(setting, "`true` or `false`", "true");
            None
        }
    }

    pub(super) fn string(&mut self, setting: Setting<'_>) -> Option<Spanned<String>> {
        if let ValueKind::String(text) = &setting.value.kind {
            Some(Spanned::new(text.clone(), setting.span()))
        } else {
            self.mismatch(setting, "a string", "\"...\"");
            None
        }
    }

    /// A single name (`app`, `per_zone`).
    pub(super) fn ident<'v>(&mut self, setting: Setting<'v>) -> Option<&'v Ident> {
        match &setting.value.kind {
            ValueKind::Path(path) if path.segments.len() == 1 => path.segments.first(),
            ValueKind::Path(path) => {
                // `main.app` for `app`: the last name is the one meant.
                let last = path
                    .segments
                    .last()
                    .map_or("name", |last| last.text.as_str());
                self.mismatch(setting, "a single name", last);
                None
            }
            _ => {
                self.mismatch(setting, "a name", "name");
                None
            }
        }
    }

    /// A name or a dotted path (`inventory.reserve`).
    pub(super) fn path<'v>(&mut self, setting: Setting<'v>, example: &str) -> Option<&'v Path> {
        if let ValueKind::Path(path) = &setting.value.kind {
            Some(path)
        } else {
            self.mismatch(setting, "a name", example);
            None
        }
    }

    /// One of a fixed set of words, written as a name or a string.
    pub(super) fn choice<T: Copy>(
        &mut self,
        setting: Setting<'_>,
        choices: &[(&str, T)],
    ) -> Option<Spanned<T>> {
        let word = match &setting.value.kind {
            ValueKind::Path(path) => path.text(),
            ValueKind::String(text) => text.clone(),
            _ => {
                let example = choices.first().map_or("", |(word, _)| *word);
                self.mismatch(setting, "a name", example);
                return None;
            }
        };
        self.choose(&setting.key.text, &word, setting.span(), choices)
    }

    /// Looks `word` up among `choices`, reporting it with a suggestion if it
    /// is none of them.
    pub(super) fn choose<T: Copy>(
        &mut self,
        key: &str,
        word: &str,
        span: Span,
        choices: &[(&str, T)],
    ) -> Option<Spanned<T>> {
        if let Some(&(_, value)) = choices.iter().find(|(candidate, _)| *candidate == word) {
            return Some(Spanned::new(value, span));
        }
        let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
        let suggestion = suggest::closest(word, names.iter().copied());
        self.diagnostics.push(invalid_value::diagnostic(
            key, word, span, &names, suggestion,
        ));
        None
    }

    /// A list, each item converted by `item`; a single value is taken as a
    /// list of one.
    pub(super) fn list_of<'v, T>(
        &mut self,
        setting: Setting<'v>,
        mut item: impl FnMut(&mut Self, Setting<'v>) -> Option<T>,
    ) -> Vec<T> {
        match &setting.value.kind {
            ValueKind::List(values) => values
                .iter()
                .filter_map(|value| {
                    item(
                        self,
                        Setting {
                            key: setting.key,
                            value,
                        },
                    )
                })
                .collect(),
            _ => item(self, setting).into_iter().collect(),
        }
    }

    pub(super) fn cidr(&mut self, setting: Setting<'_>) -> Option<Spanned<Cidr>> {
        match &setting.value.kind {
            ValueKind::Cidr(text) | ValueKind::Ip(text) => self.cidr_text(text, setting.span()),
            _ => {
                self.mismatch(setting, "a CIDR block", "10.0.0.0/16");
                None
            }
        }
    }

    pub(super) fn cidr_text(&mut self, text: &str, span: Span) -> Option<Spanned<Cidr>> {
        match units::cidr(text) {
            Ok(cidr) => Some(Spanned::new(cidr, span)),
            Err(CidrError::Octet(octet)) => {
                self.diagnostics.push(value_out_of_range::diagnostic(
                    "IPv4 address",
                    text,
                    span,
                    &format!("four numbers from 0 to 255 (`{octet}` is not)"),
                    "each of the four numbers of an address is from 0 to 255, as in `10.0.0.0/16`",
                ));
                None
            }
            Err(CidrError::Prefix(prefix)) => {
                let address = text.split('/').next().unwrap_or(text);
                self.diagnostics.push(value_out_of_range::diagnostic(
                    "CIDR block",
                    text,
                    span,
                    &format!("written with a prefix length from /0 to /32 (`/{prefix}` is not)"),
                    &format!(
                        "an IPv4 prefix length is at most 32: `{address}/32` is a single address"
                    ),
                ));
                None
            }
            Err(CidrError::HostBits(network)) => {
                self.diagnostics.push(value_out_of_range::diagnostic(
                    "CIDR block",
                    text,
                    span,
                    "a network address, with no bits set after the prefix",
                    &format!("write the network this address is in: `{network}`"),
                ));
                None
            }
        }
    }

    /// A port: a whole number from 0 to 65535.
    pub(super) fn port(&mut self, setting: Setting<'_>) -> Option<Spanned<u16>> {
        let ValueKind::Quantity { number, unit: None } = &setting.value.kind else {
            self.mismatch(setting, "a port number", "8080");
            return None;
        };
        if let Ok(port) = units::port(number) {
            Some(Spanned::new(port, setting.span()))
        } else {
            self.diagnostics.push(value_out_of_range::diagnostic(
                "port",
                number,
                setting.span(),
                "from 0 to 65535",
                "a port is a number from 0 to 65535",
            ));
            None
        }
    }

    /// `443` or `1024-65535`.
    pub(super) fn port_range(&mut self, value: &Value) -> Option<Spanned<PortRange>> {
        let text = match &value.kind {
            ValueKind::PortRange(text) => text,
            ValueKind::Quantity { number, unit: None } => number,
            _ => return None,
        };
        match units::port_range(text) {
            Ok(range) => Some(Spanned::new(range, value.span)),
            Err(PortError::OutOfRange(port)) => {
                self.diagnostics.push(value_out_of_range::diagnostic(
                    "port",
                    &port,
                    value.span,
                    "from 0 to 65535",
                    "a port is a number from 0 to 65535",
                ));
                None
            }
            Err(PortError::Reversed) => {
                self.diagnostics.push(value_out_of_range::diagnostic(
                    "port range",
                    text,
                    value.span,
                    "written low-high",
                    "write the lower port first, as in `1024-65535`",
                ));
                None
            }
        }
    }

    /// Reports a duration outside AWS's bounds (inclusive); returns it all
    /// the same so that later errors can still be found.
    /// Reports a duration outside `bounds`, and one AWS cannot hold in its
    /// `unit` (a second, an hour, a day), which the emitters round up.
    pub(super) fn duration_within(
        &mut self,
        what: &str,
        key: &str,
        value: Spanned<Duration>,
        bounds: (Duration, Duration),
        unit: Duration,
    ) {
        let (min, max) = bounds;
        if value.value < min || value.value > max {
            let nearest = value.value.clamp(min, max);
            self.diagnostics.push(aws_limit::diagnostic(
                what,
                &value.value.to_string(),
                value.span,
                &format!("{min} to {max}"),
                &format!("{key} = {nearest}"),
            ));
            return;
        }
        self.whole(what, key, value, unit);
    }

    /// Reports a duration AWS cannot hold in its `unit`, which the emitters
    /// round up.
    pub(super) fn whole(
        &mut self,
        what: &str,
        key: &str,
        value: Spanned<Duration>,
        unit: Duration,
    ) {
        let step = unit.as_millis().max(1);
        if value.value.as_millis() % step == 0 {
            return;
        }
        let rounded = Duration::from_millis(value.value.as_millis().div_ceil(step) * step);
        let unit_name = match unit {
            unit if unit == Duration::from_days(1) => "day",
            unit if unit == Duration::from_hours(1) => "hour",
            _ => "second",
        };
        self.diagnostics.push(duration_rounded::diagnostic(
            what,
            key,
            &value.value.to_string(),
            value.span,
            unit_name,
            &rounded.to_string(),
        ));
    }

    pub(super) fn size_within(
        &mut self,
        what: &str,
        key: &str,
        value: Spanned<Size>,
        bounds: (Size, Size),
    ) {
        let (min, max) = bounds;
        if value.value < min || value.value > max {
            let nearest = value.value.clamp(min, max);
            self.diagnostics.push(aws_limit::diagnostic(
                what,
                &value.value.to_string(),
                value.span,
                &format!("{min} to {max}"),
                &format!("{key} = {nearest}"),
            ));
        }
    }
}

/// The literal as written.
pub(super) fn text_of(value: &Value) -> String {
    match &value.kind {
        ValueKind::Quantity { number, unit } => {
            format!("{number}{}", unit.as_deref().unwrap_or(""))
        }
        ValueKind::Money(number) => format!("${number}"),
        ValueKind::String(text) => format!("{text:?}"),
        ValueKind::Cidr(text)
        | ValueKind::Ip(text)
        | ValueKind::PortRange(text)
        | ValueKind::Malformed(text) => text.clone(),
        ValueKind::Path(path) => path.text(),
        _ => describe(value),
    }
}

fn dimension_noun(dimension: &str) -> &str {
    dimension
        .strip_prefix("a ")
        .or_else(|| dimension.strip_prefix("an "))
        .unwrap_or(dimension)
}
