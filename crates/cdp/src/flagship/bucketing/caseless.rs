//! Text compared as if the visitor's value were lower-cased (the file's value already is), without
//! lower-casing it into a new string: a decision compares context values many times, and most of them
//! are ASCII, where no allocation and no case table is needed.
//!
//! Lower-casing is character by character, as the Decision API's Go code lowers (no rule that depends
//! on the neighbouring letters).

use std::cmp::Ordering;

/// `text` lower-cased, character by character.
pub(crate) fn lower(text: &str) -> String {
    text.chars().flat_map(char::to_lowercase).collect()
}

/// Whether ASCII `actual`, lowered, is `lower` (lower-case). Byte by byte: these are a few bytes, where
/// a call to `memcmp` costs more than the comparison.
fn eq_ascii(actual: &[u8], lower: &[u8]) -> bool {
    actual.len() == lower.len()
        && actual
            .iter()
            .zip(lower)
            .all(|(a, l)| a.to_ascii_lowercase() == *l)
}

/// How lower-cased `actual` orders against `target` (lower-case): by characters, which is how their
/// UTF-8 bytes order too.
pub(crate) fn cmp(actual: &str, target: &str) -> Ordering {
    if actual.is_ascii() {
        actual
            .bytes()
            .map(|b| b.to_ascii_lowercase())
            .cmp(target.bytes())
    } else {
        actual
            .chars()
            .flat_map(char::to_lowercase)
            .cmp(target.chars())
    }
}

/// Whether lower-cased `actual` starts with `prefix` (lower-case).
pub(crate) fn starts_with(actual: &str, prefix: &str) -> bool {
    if actual.is_ascii() {
        actual
            .as_bytes()
            .get(..prefix.len())
            .is_some_and(|head| eq_ascii(head, prefix.as_bytes()))
    } else {
        let mut lowered = actual.chars().flat_map(char::to_lowercase);
        prefix.chars().all(|c| lowered.next() == Some(c))
    }
}

/// Whether lower-cased `actual` ends with `suffix` (lower-case).
pub(crate) fn ends_with(actual: &str, suffix: &str) -> bool {
    if actual.is_ascii() {
        actual
            .len()
            .checked_sub(suffix.len())
            .and_then(|start| actual.as_bytes().get(start..))
            .is_some_and(|tail| eq_ascii(tail, suffix.as_bytes()))
    } else {
        let mut lowered = actual.chars().flat_map(char::to_lowercase).rev();
        suffix.chars().rev().all(|c| lowered.next() == Some(c))
    }
}

/// Whether lower-cased `actual` contains `needle` (lower-case).
pub(crate) fn contains(actual: &str, needle: &str) -> bool {
    if actual.is_ascii() {
        let (actual, needle) = (actual.as_bytes(), needle.as_bytes());
        let Some((&first, _)) = needle.split_first() else {
            return true;
        };
        // Where the first byte matches, the rest is compared; context values are short.
        actual.iter().enumerate().any(|(at, byte)| {
            byte.to_ascii_lowercase() == first
                && actual
                    .get(at..at + needle.len())
                    .is_some_and(|window| eq_ascii(window, needle))
        })
    } else {
        lower(actual).contains(needle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each helper against lower-casing into a string first, on ASCII and non-ASCII text.
    #[test]
    fn the_same_answers_as_lowering_first() {
        let texts = [
            "",
            "a",
            "IT",
            "it",
            "iPhone 15",
            "Ada@Example.COM",
            "ÉCOLE",
            "école",
            "straße",
            "STRASSE",
            "İstanbul",
            "ΣΊΣΥΦΟΣ",
            "\u{212a}elvin",
            "kelvin",
            "zz",
            "Ünïcödé and ASCII",
        ];
        for actual in texts {
            let lowered = lower(actual);
            for target in texts.map(lower) {
                let target = target.as_str();
                assert_eq!(
                    cmp(actual, target),
                    lowered.as_str().cmp(target),
                    "{actual} {target}"
                );
                assert_eq!(
                    starts_with(actual, target),
                    lowered.starts_with(target),
                    "{actual} {target}"
                );
                assert_eq!(
                    ends_with(actual, target),
                    lowered.ends_with(target),
                    "{actual} {target}"
                );
                assert_eq!(
                    contains(actual, target),
                    lowered.contains(target),
                    "{actual} {target}"
                );
            }
        }
        assert!(starts_with("iPhone 15", "iphone"));
        assert!(ends_with("ada@EXAMPLE.com", "@example.com"));
        assert!(contains("ÉCOLE du Nord", "école"));
        assert_eq!(cmp("IT", "it"), Ordering::Equal);
    }
}
