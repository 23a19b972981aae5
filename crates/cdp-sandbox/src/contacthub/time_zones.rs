//! The time zone names ContactHub accepts: the `Timezone` enum of `specs/contacthub/customer-base.json`,
//! which holds the official list (the service validates `base.timezone` as a closed enum). Read from the
//! spec, so the sandbox and the generated types cannot disagree.

use std::collections::BTreeSet;
use std::sync::OnceLock;

const SCHEMA: &str = include_str!("../../../../specs/contacthub/customer-base.json");

/// Whether `name` is one of the official time zone names.
pub(super) fn is_official(name: &str) -> bool {
    names().contains(name)
}

fn names() -> &'static BTreeSet<String> {
    static NAMES: OnceLock<BTreeSet<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap_or_default();
        schema
            .pointer("/definitions/Timezone/enum")
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(serde_json::Value::as_str)
            .map(str::to_owned)
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_official_list_is_read_from_the_spec() {
        assert_eq!(names().len(), 342);
        assert!(is_official("Europe/Rome"));
        assert!(!is_official("UTC"));
        assert!(!is_official("Europe/Kyiv"));
    }
}
