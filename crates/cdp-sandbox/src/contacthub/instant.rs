//! ContactHub's timestamps: it answers `2017-03-02T12:12:53.074+0000` (an offset without a colon) and
//! accepts RFC 3339 as well.

use chrono::{DateTime, Datelike, Timelike, Utc};

/// An instant as ContactHub writes it. (Not `DateTime::format`: it parses its pattern on every call, which
/// makes seeding large stores slow in debug builds.)
pub(super) fn format(at: DateTime<Utc>) -> String {
    let millis = at.timestamp_subsec_millis().min(999);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{millis:03}+0000",
        at.year(),
        at.month(),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
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
