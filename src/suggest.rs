//! Did-you-mean: the closest candidate to a misspelt word. Used by `syntax`
//! for keywords and by `model` for names, attributes, units and values.
//!
//! A candidate is close enough when its edit distance to the word (with
//! transpositions, ignoring case) is at most a third of the word's length,
//! at least one; the closest wins, and of equally close ones the first.
//!
//! The work per word is bounded, so that a file with thousands of unknown
//! names and thousands of declared ones is still checked in time linear in
//! its size:
//! - a word longer than [`MAX_WORD_CHARS`] is only matched in another case;
//! - only candidates whose length is within the edit budget are compared
//!   (the lengths of two strings differ by no more than their distance);
//! - a cheap lower bound of the distance (how many characters one string
//!   has that the other lacks, counted in 64 classes of characters)
//!   discards most candidates before the distance is computed;
//! - [`Candidates`] indexes a set that is looked up many times (the names
//!   a file declares) once, by length, and examines at most
//!   [`MAX_EXAMINED`] of them per word, the nearest lengths first; a file
//!   with more candidates of nearly the same length than that may miss a
//!   suggestion, never get a wrong one.

use std::collections::BTreeMap;

/// Words longer than this (in characters) get no suggestion, except the
/// same word in another case: computing an edit distance takes time
/// proportional to the product of the lengths.
pub const MAX_WORD_CHARS: usize = 64;

/// The most candidates examined for one word.
pub const MAX_EXAMINED: usize = 1024;

/// The most edit distances computed for one word.
const MAX_COMPARED: usize = 128;

/// The candidate closest to `word`, if one is close enough to be what was
/// meant. For a set of candidates looked up many times, build
/// [`Candidates`] once instead.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let candidates: Vec<&'a str> = candidates.into_iter().collect();
    let order = Candidates::new(candidates.iter().copied()).closest_order(word)?;
    candidates.get(order).copied()
}

/// One candidate, with what the search compares.
#[derive(Debug)]
struct Entry {
    /// The position of the candidate in the order given.
    order: usize,
    lowered: String,
    /// The characters of the candidate as written.
    chars: usize,
    /// How many characters of `lowered` fall in each class.
    classes: Classes,
}

/// A set of candidates indexed for many look-ups.
#[derive(Debug, Default)]
pub struct Candidates {
    /// Every candidate as given, in order.
    texts: Vec<String>,
    /// Every candidate, by the length (in characters) of its lower-cased
    /// text, each length in the order given.
    by_length: BTreeMap<usize, Vec<Entry>>,
    /// Lower-cased text → the candidates that lower-case to it, by order.
    folded: BTreeMap<String, Vec<usize>>,
}

impl Candidates {
    pub fn new<'a>(candidates: impl IntoIterator<Item = &'a str>) -> Candidates {
        let mut index = Candidates::default();
        for (order, text) in candidates.into_iter().enumerate() {
            let lowered = text.to_lowercase();
            index.folded.entry(lowered.clone()).or_default().push(order);
            index
                .by_length
                .entry(lowered.chars().count())
                .or_default()
                .push(Entry {
                    order,
                    chars: text.chars().count(),
                    classes: classes(&lowered),
                    lowered,
                });
            index.texts.push(text.to_string());
        }
        index
    }

    /// Every candidate, in the order given.
    pub fn texts(&self) -> &[String] {
        &self.texts
    }

    /// The candidate closest to `word`, if one is close enough.
    pub fn closest(&self, word: &str) -> Option<&str> {
        let order = self.closest_order(word)?;
        self.texts.get(order).map(String::as_str)
    }

    /// The position (in the order given) of the candidate closest to
    /// `word`, if one is close enough.
    fn closest_order(&self, word: &str) -> Option<usize> {
        let lowered = word.to_lowercase();
        // The same word in another case is as close as a word gets.
        let is_word = |order: usize| self.texts.get(order).is_some_and(|text| text == word);
        if let Some(order) = self
            .folded
            .get(&lowered)
            .and_then(|orders| orders.iter().find(|order| !is_word(**order)))
        {
            return Some(*order);
        }
        let word_chars = word.chars().count();
        if word_chars > MAX_WORD_CHARS {
            return None;
        }
        let limit = (word_chars / 3).max(1);
        let length = lowered.chars().count();
        let word_classes = classes(&lowered);
        let mut examined = 0;
        let mut compared = 0;
        // (distance, order) of the best so far.
        let mut best: Option<(usize, usize)> = None;
        'lengths: for offset in 0..=limit {
            let lengths = [length.checked_sub(offset), length.checked_add(offset)];
            let lengths = if offset == 0 {
                &lengths[..1]
            } else {
                &lengths[..]
            };
            for bucket in lengths
                .iter()
                .flatten()
                .filter_map(|length| self.by_length.get(length))
            {
                for entry in bucket {
                    if examined == MAX_EXAMINED || compared == MAX_COMPARED {
                        break 'lengths;
                    }
                    examined += 1;
                    if is_word(entry.order) {
                        continue;
                    }
                    // A better candidate must be strictly closer, or as
                    // close and given earlier.
                    let bound = match best {
                        None => limit,
                        Some((distance, order)) if entry.order < order => distance,
                        Some((distance, _)) => distance.saturating_sub(1),
                    };
                    if class_distance(&word_classes, &entry.classes) > bound {
                        continue;
                    }
                    compared += 1;
                    let distance = strsim::damerau_levenshtein(&lowered, &entry.lowered);
                    if distance <= bound && distance < entry.chars {
                        best = Some((distance, entry.order));
                    }
                }
            }
        }
        best.map(|(_, order)| order)
    }
}

/// Counts of characters by class: one class for each letter, digit, `-`
/// and `_`, the rest of ASCII and everything else in a few more.
type Classes = [u8; 64];

fn class(ch: char) -> usize {
    match ch {
        'a'..='z' => ch as usize - 'a' as usize,
        '0'..='9' => 26 + (ch as usize - '0' as usize),
        '-' => 36,
        '_' => 37,
        _ if ch.is_ascii() => 38 + ch as usize % 16,
        _ => 54 + ch as usize % 10,
    }
}

fn classes(text: &str) -> Classes {
    let mut counts = [0u8; 64];
    for ch in text.chars() {
        if let Some(count) = counts.get_mut(class(ch)) {
            *count = count.saturating_add(1);
        }
    }
    counts
}

/// A lower bound of the edit distance of two strings from their classes:
/// the larger of the number of characters either has that the other lacks,
/// class by class. An edit (a transposition included) changes each side's
/// count by at most one; characters that share a class, or a count that
/// saturates, only hide differences. The larger side is half the sum of
/// the absolute differences and of the difference of the totals.
fn class_distance(first: &Classes, second: &Classes) -> usize {
    let mut differences = 0u32;
    let mut balance = 0i32;
    for (a, b) in first.iter().zip(second) {
        differences += u32::from(a.abs_diff(*b));
        balance += i32::from(*a) - i32::from(*b);
    }
    (differences + balance.unsigned_abs()) as usize / 2
}

#[cfg(test)]
mod tests {
    use super::{Candidates, MAX_EXAMINED, MAX_WORD_CHARS, class_distance, classes, closest};

    #[test]
    fn finds_close_names_only() {
        let names = ["payment", "order", "inventory"];
        assert_eq!(closest("paymnt", names), Some("payment"));
        assert_eq!(closest("Order", names), Some("order"));
        assert_eq!(closest("shipping", names), None);
        assert_eq!(closest("servce", ["service", "system"]), Some("service"));
        assert_eq!(
            closest("memroy", ["memory", "timeout", "runtime"]),
            Some("memory")
        );
        // A one-letter word is not "close" to another one-letter word.
        assert_eq!(closest("a", ["b"]), None);
    }

    /// The search as it was before the index: every candidate compared.
    fn exhaustive<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
        let lowered = word.to_lowercase();
        let limit = (word.chars().count() / 3).max(1);
        let mut best: Option<(usize, &'a str)> = None;
        for candidate in candidates {
            if *candidate == word {
                continue;
            }
            let distance = strsim::damerau_levenshtein(&lowered, &candidate.to_lowercase());
            let within_limit = distance <= limit && distance < candidate.chars().count();
            if within_limit && best.is_none_or(|(best_distance, _)| distance < best_distance) {
                best = Some((distance, candidate));
            }
        }
        best.map(|(_, candidate)| candidate)
    }

    #[test]
    fn the_index_agrees_with_comparing_every_candidate() {
        let mut rng = fastrand::Rng::with_seed(16);
        let alphabet: Vec<char> = "abcdeé-_1Ä".chars().collect();
        let word = |rng: &mut fastrand::Rng| -> String {
            (0..rng.usize(1..12))
                .map(|_| alphabet[rng.usize(..alphabet.len())])
                .collect()
        };
        for _ in 0..300 {
            let candidates: Vec<String> = (0..rng.usize(0..40)).map(|_| word(&mut rng)).collect();
            let candidates: Vec<&str> = candidates.iter().map(String::as_str).collect();
            let index = Candidates::new(candidates.iter().copied());
            for _ in 0..20 {
                let query = if rng.bool() && !candidates.is_empty() {
                    // A near miss of a candidate.
                    let mut text: Vec<char> =
                        candidates[rng.usize(..candidates.len())].chars().collect();
                    let at = rng.usize(..text.len());
                    text[at] = alphabet[rng.usize(..alphabet.len())];
                    text.into_iter().collect()
                } else {
                    word(&mut rng)
                };
                assert_eq!(
                    index.closest(&query),
                    exhaustive(&query, &candidates),
                    "{query:?} among {candidates:?}"
                );
            }
        }
    }

    #[test]
    fn the_lower_bound_never_exceeds_the_distance() {
        let pairs = [
            ("service", "servcie"),
            ("abc", "cba"),
            ("aab", "ab"),
            ("payments-db", "payment-db"),
            ("", "abc"),
            ("été", "ete"),
            ("a/b", "a:b"),
        ];
        for (first, second) in pairs {
            let distance = strsim::damerau_levenshtein(first, second);
            assert!(
                class_distance(&classes(first), &classes(second)) <= distance,
                "{first} {second}"
            );
        }
        assert_eq!(
            class_distance(&classes("missing-1"), &classes("known-1")),
            6
        );
    }

    #[test]
    fn long_words_are_matched_only_in_another_case() {
        let long = "x".repeat(MAX_WORD_CHARS + 1);
        let near = format!("{}y", "x".repeat(MAX_WORD_CHARS));
        assert_eq!(closest(&long, [near.as_str()]), None);
        let upper = long.to_uppercase();
        assert_eq!(closest(&long, [upper.as_str()]), Some(upper.as_str()));
        let short = "x".repeat(MAX_WORD_CHARS);
        let near = format!("{}y", "x".repeat(MAX_WORD_CHARS - 1));
        assert_eq!(closest(&short, [near.as_str()]), Some(near.as_str()));
    }

    #[test]
    fn the_work_per_word_is_bounded() {
        // More candidates of the same length than are examined: the right
        // one, given last, is not found; nothing wrong is suggested.
        let names: Vec<String> = (0..2 * MAX_EXAMINED)
            .map(|index| format!("q{index:06}"))
            .collect();
        let index = Candidates::new(names.iter().map(String::as_str));
        assert_eq!(index.closest("q000001x"), Some("q000001"));
        let word = format!("q{:06}x", 2 * MAX_EXAMINED - 1);
        let suggestion = index.closest(&word);
        assert!(suggestion.is_none_or(|text| strsim::damerau_levenshtein(text, &word) <= 2));
    }
}
