//! The ISO 8601 forms BlueConic accepts: full RFC 3339, date-times without seconds
//! (`2018-01-01T00:00Z`, `2018-01-01T00:00+05:00`) and plain dates.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

/// Parses a date-time or date; `None` when it is neither.
pub(super) fn parse(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    // Without seconds: BlueConic's own examples (`2018-01-01T00:00Z`) use this form.
    for format in ["%Y-%m-%dT%H:%M%#z", "%Y-%m-%dT%H:%M%:z"] {
        if let Ok(at) = DateTime::parse_from_str(text, format) {
            return Some(at.with_timezone(&Utc));
        }
    }
    if let Some(minutes) = text.strip_suffix('Z')
        && let Ok(at) = DateTime::parse_from_str(&format!("{minutes}+00:00"), "%Y-%m-%dT%H:%M%:z")
    {
        return Some(at.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
}

/// How the sandbox writes a date-time: RFC 3339 in UTC with milliseconds, as BlueConic does.
pub(super) fn format(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_blueconic_documents() {
        let minute = parse("2018-01-01T00:00Z");
        assert_eq!(minute, parse("2018-01-01T00:00:00.000Z"));
        assert!(minute.is_some());
        assert_eq!(parse("2018-01-01T05:00+05:00"), minute);
        assert_eq!(parse("2018-01-01"), minute);
        assert_eq!(parse("yesterday"), None);
        assert_eq!(
            format(minute.unwrap_or_default()),
            "2018-01-01T00:00:00.000Z"
        );
    }
}
