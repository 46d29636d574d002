//! Did-you-mean: the closest candidate to a misspelt word. Used by `syntax`
//! for keywords and by `model` for names, attributes, units and values.

/// The candidate closest to `word`, if one is close enough to be what was
/// meant: an edit distance (with transpositions) of at most a third of the
/// word's length, at least one, or the same word in another case.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lowered = word.to_lowercase();
    let limit = (word.chars().count() / 3).max(1);
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        if candidate == word {
            continue;
        }
        let distance = if candidate.to_lowercase() == lowered {
            0
        } else {
            strsim::damerau_levenshtein(&lowered, &candidate.to_lowercase())
        };
        let within_limit = distance <= limit && distance < candidate.chars().count();
        if within_limit && best.is_none_or(|(best_distance, _)| distance < best_distance) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::closest;

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
}
