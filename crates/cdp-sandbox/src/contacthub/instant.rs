//! ContactHub's timestamps: it answers `2017-03-02T12:12:53.074+0000` (an offset without a colon) and
//! accepts RFC 3339 as well.

use chrono::{DateTime, Utc};

/// An instant as ContactHub writes it.
pub(super) fn format(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string()
}

/// Now, as ContactHub writes it.
pub(super) fn now() -> String {
    format(Utc::now())
}

/// Reads an instant in ContactHub's form or in RFC 3339.
pub(super) fn parse(text: &str) -> Option<DateTime<Utc>> {
    text.parse::<DateTime<Utc>>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_round_trip_in_contacthub_form() {
        let at = parse("2017-03-02T12:12:53.074+0000").unwrap();
        assert_eq!(format(at), "2017-03-02T12:12:53.074+0000");
        assert_eq!(parse("2017-03-02T12:12:53.074Z"), Some(at));
        assert_eq!(parse("yesterday"), None);
    }
}
