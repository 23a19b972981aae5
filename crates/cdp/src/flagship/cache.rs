//! The visitor cache: where a visitor's variations are kept between runs, in the SDK's
//! `{"version": 1, "data": {"vId": …, "vaIds": […]}}` shape.

use futures::future::BoxFuture;
use serde_json::{Value, json};

/// Keeps visitors' variations across restarts (a database, Redis, a file). `lookup` gives the entry
/// `save` stored, in the SDK's shape; an entry that does not have it is ignored with a warning. Both are
/// bounded by the timeout: a slow cache does not slow the caller down more than that.
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::Mutex;
/// use cdp::flagship::VisitorCache;
/// use futures::future::BoxFuture;
///
/// #[derive(Default)]
/// struct Memory(Mutex<HashMap<String, serde_json::Value>>);
///
/// impl VisitorCache for Memory {
///     fn save<'a>(&'a self, visitor_id: &'a str, entry: serde_json::Value) -> BoxFuture<'a, ()> {
///         self.0.lock().unwrap().insert(visitor_id.to_owned(), entry);
///         Box::pin(async {})
///     }
///     fn lookup<'a>(&'a self, visitor_id: &'a str) -> BoxFuture<'a, Option<serde_json::Value>> {
///         let entry = self.0.lock().unwrap().get(visitor_id).cloned();
///         Box::pin(async move { entry })
///     }
/// }
/// let builder = cdp::flagship::Flagship::builder("env", "key").visitor_cache(Memory::default());
/// # let _ = builder;
/// ```
pub trait VisitorCache: Send + Sync {
    /// Stores `entry` for `visitor_id`, replacing what was there.
    fn save<'a>(&'a self, visitor_id: &'a str, entry: Value) -> BoxFuture<'a, ()>;
    /// The entry stored for `visitor_id`, if any.
    fn lookup<'a>(&'a self, visitor_id: &'a str) -> BoxFuture<'a, Option<Value>>;
}

/// A cache entry: the visitor id and the variations it saw.
///
/// ```
/// use cdp::flagship::CachedVisitor;
/// let entry = CachedVisitor { visitor_id: "v1".into(), variation_ids: vec!["var-1".into()] }.to_entry();
/// assert_eq!(entry, serde_json::json!({"version": 1, "data": {"vId": "v1", "vaIds": ["var-1"]}}));
/// assert_eq!(CachedVisitor::from_entry(entry).unwrap().variation_ids, ["var-1"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedVisitor {
    /// The visitor id (`vId`).
    pub visitor_id: String,
    /// The variation ids (`vaIds`).
    pub variation_ids: Vec<String>,
}

impl CachedVisitor {
    /// The entry in the SDK's shape.
    pub fn to_entry(&self) -> Value {
        json!({"version": 1, "data": {"vId": self.visitor_id, "vaIds": self.variation_ids}})
    }

    /// Reads an entry; `Err` says why it does not have the SDK's shape.
    pub fn from_entry(entry: Value) -> Result<Self, String> {
        if entry.get("version").and_then(Value::as_u64) != Some(1) {
            return Err("its `version` is not 1".to_owned());
        }
        let data = entry.get("data").ok_or("it has no `data`")?;
        let visitor_id = data
            .get("vId")
            .and_then(Value::as_str)
            .ok_or("`data.vId` is not a string")?
            .to_owned();
        let ids = data
            .get("vaIds")
            .and_then(Value::as_array)
            .ok_or("`data.vaIds` is not a list")?;
        let variation_ids = ids
            .iter()
            .map(|id| id.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or("`data.vaIds` holds something other than strings")?;
        Ok(Self {
            visitor_id,
            variation_ids,
        })
    }
}
