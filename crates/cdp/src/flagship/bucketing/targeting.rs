//! Whether a visitor is in a variation group's audience, with the Decision API's semantics (so that a
//! visitor gets the same flags in both modes): groups OR-ed, conditions inside a group AND-ed, text
//! compared without case, a list meaning "any of them" (or "none of them" for `NOT_EQUALS` and
//! `NOT_CONTAINS`), numbers and booleans compared natively, values of different types never equal.

use std::cmp::Ordering;

use flagship_api::types::{TargetingCondition, TargetingOperator};
use serde_json::Value;

use super::super::context::ContextValue;
use super::caseless;

/// The operators a condition can use; the `SEMVER_*` ones and those this version does not know never
/// match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operator {
    Equals,
    NotEquals,
    LowerThan,
    GreaterThan,
    LowerThanOrEquals,
    GreaterThanOrEquals,
    StartsWith,
    EndsWith,
    Contains,
    NotContains,
    Exists,
    NotExists,
    Never,
}

const ALL_USERS: &str = "fs_all_users";
const VISITOR_ID: &str = "fs_users";

/// The context keys conditions look at, sorted and once each: a visitor's context is looked up once per
/// key and decision, not once per condition.
pub(crate) fn context_keys<'a>(keys: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut keys: Vec<String> = keys
        .into_iter()
        .filter(|k| *k != ALL_USERS && *k != VISITOR_ID)
        .map(str::to_owned)
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Fills `values` with the visitor's value of each of `keys` (sorted; as many as `values`), in one pass
/// over both sorted lists.
pub(crate) fn resolve<'c>(
    keys: &[String],
    context: &'c std::collections::BTreeMap<String, ContextValue>,
    values: &mut [Option<&'c ContextValue>],
) {
    let mut entries = context.iter().peekable();
    for (key, slot) in keys.iter().zip(values) {
        *slot = None;
        while let Some((name, value)) = entries.peek() {
            match name.as_str().cmp(key.as_str()) {
                Ordering::Less => {
                    entries.next();
                }
                Ordering::Equal => {
                    *slot = Some(*value);
                    entries.next();
                    break;
                }
                Ordering::Greater => break,
            }
        }
    }
}

/// What a condition looks at.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Subject {
    /// `fs_all_users`: everyone.
    Everyone,
    /// `fs_users`: the visitor id.
    VisitorId,
    /// A context key, by its index in the file's sorted keys ([`context_keys`]).
    Context(usize),
}

/// A value a condition compares with; text already lower-cased.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Target {
    Text(String),
    Number(f64),
    Bool(bool),
    /// A JSON null, object or list inside a list: matches nothing.
    Other,
}

/// One condition, ready to evaluate.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Condition {
    pub(crate) subject: Subject,
    pub(crate) operator: Operator,
    pub(crate) targets: Vec<Target>,
}

/// The audience of a variation group: OR of ANDs.
pub(crate) type Audience = Vec<Vec<Condition>>;

impl Condition {
    /// From the file's condition; `warn` hears about operators that never match.
    /// `keys` are the file's context keys, sorted ([`context_keys`]).
    pub(crate) fn compile(
        condition: &TargetingCondition,
        keys: &[String],
        warn: &mut dyn FnMut(String),
    ) -> Self {
        let subject = match condition.key.as_str() {
            ALL_USERS => Subject::Everyone,
            VISITOR_ID => Subject::VisitorId,
            key => match keys.binary_search_by(|k| k.as_str().cmp(key)) {
                Ok(index) => Subject::Context(index),
                // Not among the keys: no visitor has it (never the case for keys from the same file).
                Err(_) => Subject::Context(usize::MAX),
            },
        };
        let operator = match &condition.operator {
            Some(TargetingOperator::Equals) => Operator::Equals,
            Some(TargetingOperator::NotEquals) => Operator::NotEquals,
            Some(TargetingOperator::LowerThan) => Operator::LowerThan,
            Some(TargetingOperator::GreaterThan) => Operator::GreaterThan,
            Some(TargetingOperator::LowerThanOrEquals) => Operator::LowerThanOrEquals,
            Some(TargetingOperator::GreaterThanOrEquals) => Operator::GreaterThanOrEquals,
            Some(TargetingOperator::StartsWith) => Operator::StartsWith,
            Some(TargetingOperator::EndsWith) => Operator::EndsWith,
            Some(TargetingOperator::Contains) => Operator::Contains,
            Some(TargetingOperator::NotContains) => Operator::NotContains,
            Some(TargetingOperator::Exists) => Operator::Exists,
            Some(TargetingOperator::NotExists) => Operator::NotExists,
            Some(other) => {
                warn(format!(
                    "targeting operator {} on `{}` is not supported in bucketing mode: it never matches",
                    other.as_str(),
                    condition.key
                ));
                Operator::Never
            }
            None => {
                warn(format!(
                    "a targeting on `{}` has no operator: it never matches",
                    condition.key
                ));
                Operator::Never
            }
        };
        let targets = match condition.value.as_ref() {
            Some(Value::Array(items)) => items.iter().map(target).collect(),
            Some(value) => vec![target(value)],
            None => vec![Target::Other],
        };
        Self {
            subject,
            operator,
            targets,
        }
    }

    /// Whether the visitor meets the condition;
    /// `context` holds the visitor's value of each of the file's keys, in their order.
    pub(crate) fn matches(&self, visitor_id: &str, context: &[Option<&ContextValue>]) -> bool {
        let actual = match &self.subject {
            Subject::Everyone => return true,
            Subject::VisitorId => Some(Actual::Text(visitor_id)),
            Subject::Context(index) => context.get(*index).copied().flatten().map(Actual::of),
        };
        match self.operator {
            Operator::Exists => return actual.is_some(),
            Operator::NotExists => return actual.is_none(),
            Operator::Never => return false,
            _ => {}
        }
        let Some(actual) = actual else {
            return false;
        };
        if matches!(self.operator, Operator::NotEquals | Operator::NotContains) {
            self.targets
                .iter()
                .all(|t| compare(self.operator, &actual, t))
        } else {
            self.targets
                .iter()
                .any(|t| compare(self.operator, &actual, t))
        }
    }
}

/// Whether the visitor is in `audience`: some group whose conditions (at least one) all hold.
pub(crate) fn matches(
    audience: &Audience,
    visitor_id: &str,
    context: &[Option<&ContextValue>],
) -> bool {
    audience
        .iter()
        .any(|group| !group.is_empty() && group.iter().all(|c| c.matches(visitor_id, context)))
}

/// The visitor's value, borrowed: text is compared without case by [`caseless`], never lowered into a
/// new string.
enum Actual<'a> {
    Text(&'a str),
    Number(f64),
    Bool(bool),
    None,
}

impl<'a> Actual<'a> {
    fn of(value: &'a ContextValue) -> Self {
        match value {
            ContextValue::String(s) => Self::Text(s),
            ContextValue::Bool(b) => Self::Bool(*b),
            other => other.as_f64().map_or(Self::None, Self::Number),
        }
    }
}

fn target(value: &Value) -> Target {
    match value {
        Value::String(s) => Target::Text(caseless::lower(s)),
        Value::Number(n) => n.as_f64().map_or(Target::Other, Target::Number),
        Value::Bool(b) => Target::Bool(*b),
        _ => Target::Other,
    }
}

fn compare(operator: Operator, actual: &Actual<'_>, target: &Target) -> bool {
    match (actual, target) {
        (Actual::Text(a), Target::Text(t)) => {
            let (a, t) = (*a, t.as_str());
            match operator {
                Operator::Equals => caseless::cmp(a, t).is_eq(),
                Operator::NotEquals => caseless::cmp(a, t).is_ne(),
                Operator::Contains => caseless::contains(a, t),
                Operator::NotContains => !caseless::contains(a, t),
                Operator::StartsWith => caseless::starts_with(a, t),
                Operator::EndsWith => caseless::ends_with(a, t),
                Operator::LowerThan => caseless::cmp(a, t).is_lt(),
                Operator::GreaterThan => caseless::cmp(a, t).is_gt(),
                Operator::LowerThanOrEquals => caseless::cmp(a, t).is_le(),
                Operator::GreaterThanOrEquals => caseless::cmp(a, t).is_ge(),
                Operator::Exists | Operator::NotExists | Operator::Never => false,
            }
        }
        (Actual::Number(a), Target::Number(t)) => match operator {
            Operator::Equals => a == t,
            Operator::NotEquals => a != t,
            Operator::LowerThan => a < t,
            Operator::GreaterThan => a > t,
            Operator::LowerThanOrEquals => a <= t,
            Operator::GreaterThanOrEquals => a >= t,
            _ => false,
        },
        (Actual::Bool(a), Target::Bool(t)) => match operator {
            Operator::Equals => a == t,
            Operator::NotEquals => a != t,
            _ => false,
        },
        _ => false,
    }
}
