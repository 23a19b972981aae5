//! Reading a flag, typed by its default, and activating it.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::visitor::Visitor;

/// A flag being read: [`Visitor::modification`], then `.activate(true)` to report the exposure, then
/// `.await` for the value (or [`get`](Modification::get) without activating). Never fails: a missing
/// flag, a `null`, or a value of another type than the default gives the default (the last with a
/// warning to the event hook).
///
/// ```no_run
/// # async fn run(visitor: cdp::flagship::Visitor) {
/// let color: String = visitor.modification("btnColor", "blue".to_string()).activate(true).await;
/// let size: i64 = visitor.modification("size", 12).get();
/// let config: serde_json::Value = visitor.modification("config", serde_json::json!({})).get();
/// # let _ = (color, size, config); }
/// ```
#[must_use = "a modification gives its value when awaited or with `get`"]
#[derive(Debug)]
pub struct Modification<'v, T> {
    visitor: &'v Visitor,
    key: String,
    default: T,
    activate: bool,
}

impl Visitor {
    /// Flag `key`, typed by `default`: any `serde::de::DeserializeOwned` type (`String`, `bool`, `i64`,
    /// `f64`, `serde_json::Value`, your own struct for a JSON object).
    pub fn modification<T: DeserializeOwned + Send>(
        &self,
        key: impl Into<String>,
        default: T,
    ) -> Modification<'_, T> {
        Modification {
            visitor: self,
            key: key.into(),
            default,
            activate: false,
        }
    }
}

impl<T: DeserializeOwned + Send> Modification<'_, T> {
    /// Whether awaiting it also activates the flag (posts `/v2/activate`), when the visitor has it.
    pub fn activate(mut self, activate: bool) -> Self {
        self.activate = activate;
        self
    }

    /// The value, without activating (whatever [`activate`](Modification::activate) says).
    pub fn get(self) -> T {
        self.resolve().0
    }

    /// The value and whether it came from the decision (rather than the default).
    fn resolve(self) -> (T, bool) {
        let decision = &self.visitor.decision;
        let Some(value) = decision.value(&self.key) else {
            return (self.default, false);
        };
        if value.is_null() {
            return (self.default, false);
        }
        match T::deserialize(value) {
            Ok(typed) => (typed, true),
            Err(e) => {
                self.visitor.fs.shared.hook.warn(format!(
                    "flag `{}` is {} and does not fit the default's type ({e}): the default is used",
                    self.key,
                    kind(value)
                ));
                (self.default, false)
            }
        }
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

impl<'v, T: DeserializeOwned + Send + 'v> IntoFuture for Modification<'v, T> {
    type Output = T;
    type IntoFuture = Pin<Box<dyn Future<Output = T> + Send + 'v>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let visitor = self.visitor;
            let key = self.key.clone();
            let activate = self.activate;
            let (value, from_decision) = self.resolve();
            if activate && from_decision {
                // A failed activation is reported to the hook; the value is what the caller wants.
                let _ = visitor.activate(&key).await;
            }
            value
        })
    }
}
