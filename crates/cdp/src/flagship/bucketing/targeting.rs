//! Whether a visitor is in a variation group's audience, with the Decision API's semantics (so that a
//! visitor gets the same flags in both modes): groups OR-ed, conditions inside a group AND-ed, text
//! compared without case, a list meaning "any of them" (or "none of them" for `NOT_EQUALS` and
//! `NOT_CONTAINS`), numbers and booleans compared natively, values of different types never equal.

use std::borrow::Cow;
use std::collections::BTreeMap;

use flagship_api::types::{TargetingCondition, TargetingOperator};
use serde_json::Value;

use super::super::context::ContextValue;

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

/// What a condition looks at.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Subject {
    /// `fs_all_users`: everyone.
    Everyone,
    /// `fs_users`: the visitor id.
    VisitorId,
    /// A context key.
    Context(String),
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
    pub(crate) fn compile(condition: &TargetingCondition, warn: &mut dyn FnMut(String)) -> Self {
        let subject = match condition.key.as_str() {
            "fs_all_users" => Subject::Everyone,
            "fs_users" => Subject::VisitorId,
            key => Subject::Context(key.to_owned()),
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

    /// Whether the visitor meets the condition.
    pub(crate) fn matches(
        &self,
        visitor_id: &str,
        context: &BTreeMap<String, ContextValue>,
    ) -> bool {
        let visitor;
        let actual = match &self.subject {
            Subject::Everyone => return true,
            Subject::VisitorId => {
                visitor = ContextValue::String(visitor_id.to_owned());
                Some(&visitor)
            }
            Subject::Context(key) => context.get(key),
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
        let actual = match actual {
            ContextValue::String(s) => Actual::Text(lower(s)),
            ContextValue::Bool(b) => Actual::Bool(*b),
            other => other.as_f64().map_or(Actual::None, Actual::Number),
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
    context: &BTreeMap<String, ContextValue>,
) -> bool {
    audience
        .iter()
        .any(|group| !group.is_empty() && group.iter().all(|c| c.matches(visitor_id, context)))
}

enum Actual<'a> {
    Text(Cow<'a, str>),
    Number(f64),
    Bool(bool),
    None,
}

/// Lower case, borrowing when there is nothing to lower (the common case, and no allocation).
fn lower(text: &str) -> Cow<'_, str> {
    if text.chars().any(char::is_uppercase) {
        Cow::Owned(text.to_lowercase())
    } else {
        Cow::Borrowed(text)
    }
}

fn target(value: &Value) -> Target {
    match value {
        Value::String(s) => Target::Text(s.to_lowercase()),
        Value::Number(n) => n.as_f64().map_or(Target::Other, Target::Number),
        Value::Bool(b) => Target::Bool(*b),
        _ => Target::Other,
    }
}

fn compare(operator: Operator, actual: &Actual<'_>, target: &Target) -> bool {
    match (actual, target) {
        (Actual::Text(a), Target::Text(t)) => {
            let (a, t) = (a.as_ref(), t.as_str());
            match operator {
                Operator::Equals => a == t,
                Operator::NotEquals => a != t,
                Operator::Contains => a.contains(t),
                Operator::NotContains => !a.contains(t),
                Operator::StartsWith => a.starts_with(t),
                Operator::EndsWith => a.ends_with(t),
                Operator::LowerThan => a < t,
                Operator::GreaterThan => a > t,
                Operator::LowerThanOrEquals => a <= t,
                Operator::GreaterThanOrEquals => a >= t,
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
