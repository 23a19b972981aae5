//! Whether a visitor is in a variation group's audience, with the semantics of the Go decision API
//! (`flagship-common` targeting): groups OR-ed, conditions inside a group AND-ed.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::configuration::{Condition, Operator, Targeting};

/// The key every visitor matches.
const ALL_USERS: &str = "fs_all_users";
/// The key that stands for the visitor id.
const VISITOR_ID: &str = "fs_users";

/// Whether the visitor matches some targeting group. A group without conditions matches no one (a file
/// never holds one; refusing it keeps a half-written group from opening a campaign to everybody).
pub(crate) fn matches(
    targeting: &Targeting,
    visitor_id: &str,
    context: &Map<String, Value>,
) -> bool {
    targeting.targeting_groups.iter().any(|group| {
        !group.targetings.is_empty()
            && group
                .targetings
                .iter()
                .all(|condition| condition_matches(condition, visitor_id, context))
    })
}

fn condition_matches(
    condition: &Condition,
    visitor_id: &str,
    context: &Map<String, Value>,
) -> bool {
    let visitor = Value::String(visitor_id.to_owned());
    let actual = match condition.key.as_str() {
        ALL_USERS => return true,
        VISITOR_ID => Some(&visitor),
        // A null in the context says nothing about the visitor: treated as absent.
        key => context.get(key).filter(|v| !v.is_null()),
    };
    match condition.operator {
        Operator::Exists => return actual.is_some(),
        Operator::NotExists => return actual.is_none(),
        _ => {}
    }
    let Some(actual) = actual else {
        return false;
    };
    match &condition.value {
        // A list means "any of them", except for the negative operators, where it means "none of them".
        Value::Array(targets) if is_negative(condition.operator) => targets
            .iter()
            .all(|target| compare(condition.operator, actual, target)),
        Value::Array(targets) => targets
            .iter()
            .any(|target| compare(condition.operator, actual, target)),
        target => compare(condition.operator, actual, target),
    }
}

fn is_negative(operator: Operator) -> bool {
    matches!(
        operator,
        Operator::NotEquals | Operator::NotContains | Operator::SemverNotEquals
    )
}

/// One comparison; values of different JSON types never match (the Go service reports a type error and
/// skips the condition's group).
fn compare(operator: Operator, actual: &Value, target: &Value) -> bool {
    match (actual, target) {
        (Value::String(a), Value::String(t)) => compare_text(operator, a, t),
        (Value::Number(a), Value::Number(t)) => match (a.as_f64(), t.as_f64()) {
            (Some(a), Some(t)) => compare_numbers(operator, a, t),
            _ => false,
        },
        (Value::Bool(a), Value::Bool(t)) => match operator {
            Operator::Equals => a == t,
            Operator::NotEquals => a != t,
            _ => false,
        },
        _ => false,
    }
}

/// Text compares case-insensitively, as the Go service does (`EqualFold`, `ToLower`).
fn compare_text(operator: Operator, actual: &str, target: &str) -> bool {
    let a = actual.to_lowercase();
    let t = target.to_lowercase();
    match operator {
        Operator::Equals => a == t,
        Operator::NotEquals => a != t,
        Operator::Contains => a.contains(&t),
        Operator::NotContains => !a.contains(&t),
        Operator::StartsWith => a.starts_with(&t),
        Operator::EndsWith => a.ends_with(&t),
        Operator::LowerThan => a < t,
        Operator::GreaterThan => a > t,
        Operator::LowerThanOrEquals => a <= t,
        Operator::GreaterThanOrEquals => a >= t,
        Operator::SemverEquals
        | Operator::SemverNotEquals
        | Operator::SemverLowerThan
        | Operator::SemverGreaterThan
        | Operator::SemverLowerThanOrEquals
        | Operator::SemverGreaterThanOrEquals => compare_versions(operator, &a, &t),
        Operator::Exists | Operator::NotExists => false,
    }
}

fn compare_numbers(operator: Operator, a: f64, t: f64) -> bool {
    match operator {
        Operator::Equals => a == t,
        Operator::NotEquals => a != t,
        Operator::LowerThan => a < t,
        Operator::GreaterThan => a > t,
        Operator::LowerThanOrEquals => a <= t,
        Operator::GreaterThanOrEquals => a >= t,
        _ => false,
    }
}

fn compare_versions(operator: Operator, actual: &str, target: &str) -> bool {
    let (Some(a), Some(t)) = (version(actual), version(target)) else {
        return false;
    };
    let order = a.cmp(&t);
    match operator {
        Operator::SemverEquals => order == Ordering::Equal,
        Operator::SemverNotEquals => order != Ordering::Equal,
        Operator::SemverLowerThan => order == Ordering::Less,
        Operator::SemverGreaterThan => order == Ordering::Greater,
        Operator::SemverLowerThanOrEquals => order != Ordering::Greater,
        Operator::SemverGreaterThanOrEquals => order != Ordering::Less,
        _ => false,
    }
}

/// `major.minor.patch` (an optional leading `v`, missing parts 0); pre-release and build parts are
/// ignored — a simplification of semver precedence.
fn version(text: &str) -> Option<[u64; 3]> {
    let text = text.trim().trim_start_matches(['v', 'V']);
    let core = text.split(['-', '+']).next().unwrap_or_default();
    let mut parts = [0u64; 3];
    let mut count = 0;
    for part in core.split('.') {
        let slot = parts.get_mut(count)?;
        *slot = part.parse().ok()?;
        count += 1;
    }
    (count > 0).then_some(parts)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::flagship::configuration::TargetingGroup;

    fn targeting(groups: Value) -> Targeting {
        serde_json::from_value(json!({ "targetingGroups": groups })).unwrap()
    }

    fn one(operator: &str, key: &str, value: Value) -> Targeting {
        targeting(json!([{"targetings": [{"operator": operator, "key": key, "value": value}]}]))
    }

    fn ctx(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn all_users_and_visitor_id() {
        let empty = Map::new();
        assert!(matches(
            &one("EQUALS", "fs_all_users", json!("")),
            "v",
            &empty
        ));
        assert!(matches(
            &one("STARTS_WITH", "fs_users", json!("BETA-")),
            "beta-7",
            &empty
        ));
        assert!(!matches(
            &one("STARTS_WITH", "fs_users", json!("beta-")),
            "v",
            &empty
        ));
    }

    #[test]
    fn text_is_case_insensitive_and_numbers_native() {
        let c = ctx(json!({"plan": "Pro", "age": 31, "vip": true}));
        assert!(matches(&one("EQUALS", "plan", json!("pro")), "v", &c));
        assert!(matches(&one("CONTAINS", "plan", json!("R")), "v", &c));
        assert!(matches(
            &one("GREATER_THAN_OR_EQUALS", "age", json!(31)),
            "v",
            &c
        ));
        assert!(!matches(&one("LOWER_THAN", "age", json!(31)), "v", &c));
        assert!(!matches(&one("EQUALS", "age", json!("31")), "v", &c));
        assert!(matches(&one("EQUALS", "vip", json!(true)), "v", &c));
        assert!(!matches(&one("GREATER_THAN", "vip", json!(false)), "v", &c));
    }

    #[test]
    fn lists_are_any_for_positive_and_none_for_negative_operators() {
        let c = ctx(json!({"country": "IT"}));
        assert!(matches(
            &one("EQUALS", "country", json!(["fr", "it"])),
            "v",
            &c
        ));
        assert!(!matches(
            &one("NOT_EQUALS", "country", json!(["fr", "it"])),
            "v",
            &c
        ));
        assert!(matches(
            &one("NOT_CONTAINS", "country", json!(["fr", "es"])),
            "v",
            &c
        ));
    }

    #[test]
    fn exists_groups_and_versions() {
        let c = ctx(json!({"app": "2.10.0", "gone": null}));
        assert!(matches(&one("EXISTS", "app", json!(null)), "v", &c));
        assert!(matches(&one("NOT_EXISTS", "gone", json!(null)), "v", &c));
        assert!(matches(
            &one("SEMVER_GREATER_THAN", "app", json!("v2.9")),
            "v",
            &c
        ));
        assert!(!matches(
            &one("SEMVER_LOWER_THAN", "app", json!("bad")),
            "v",
            &c
        ));
        let or = targeting(json!([
            {"targetings": [{"operator": "EQUALS", "key": "app", "value": "1"}]},
            {"targetings": [{"operator": "EXISTS", "key": "app", "value": null},
                            {"operator": "EQUALS", "key": "missing", "value": 1}]},
            {"targetings": [{"operator": "ENDS_WITH", "key": "app", "value": ".0"}]}
        ]));
        assert!(matches(&or, "v", &c));
        let empty = Targeting {
            targeting_groups: vec![TargetingGroup::default()],
        };
        assert!(!matches(&empty, "v", &c));
    }
}
