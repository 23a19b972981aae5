//! A customer's manual tags. ContactHub has no tag endpoint: a tag change is a PATCH of `tags.manual`,
//! computed from the list as read, and so a read-then-write.
//!
//! ContactHub offers no precondition (no ETag, no If-Match), so two such changes at once can each send
//! a list without the other's tag. Two guards keep a call from reporting success for a tag that is not
//! stored:
//! - within the process, tag changes to one customer are made one at a time, whichever client makes them;
//! - after its PATCH, a change reads the customer again: when another writer has overwritten the list in
//!   between, it starts over, a bounded number of times, then gives up with [`Error::Conflict`].
//!
//! A writer in another process that reads before this PATCH and writes after the re-read can still
//! drop the tag; nothing short of a precondition on the service can rule that out.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError, Weak};
use std::time::Duration;

use contacthub_api::types::Customer;
use reqwest::Method;
use serde_json::{Value, json};

use super::Node;
use super::node::check_id;
use crate::{DecodeError, Error, Result};

/// How many times a tag change is made before it is reported as a conflict.
const ATTEMPTS: u32 = 5;

/// The pause before the second attempt, doubled at each later one.
const FIRST_PAUSE: Duration = Duration::from_millis(20);

impl Node {
    /// Adds a manual tag to a customer (nothing is sent when it has it already), and answers the customer
    /// as stored afterwards, the tag included. When other writers keep overwriting the tags, the change
    /// is retried a few times and then reported as an [`Error::Conflict`]: an `Ok` means the tag was
    /// stored.
    ///
    /// ```no_run
    /// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
    /// let customer = node.add_tag("customer-id", "vip").await?;
    /// assert!(customer.tags.is_some_and(|t| t.manual.iter().any(|t| t == "vip")));
    /// # Ok(()) }
    /// ```
    pub async fn add_tag(&self, customer_id: &str, tag: &str) -> Result<Customer> {
        let stored = self.change_tag(customer_id, tag, Change::Add).await?;
        typed(stored)
    }

    /// Removes a manual tag from a customer, and answers the customer as stored afterwards; a tag the
    /// customer does not have is an [`Error::InvalidInput`]. Guarded against other writers as
    /// [`add_tag`](Self::add_tag) is.
    ///
    /// ```no_run
    /// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
    /// let customer = node.remove_tag("customer-id", "vip").await?;
    /// # let _ = customer; Ok(()) }
    /// ```
    pub async fn remove_tag(&self, customer_id: &str, tag: &str) -> Result<Customer> {
        let stored = self.change_tag(customer_id, tag, Change::Remove).await?;
        typed(stored)
    }

    /// Makes a tag change, and answers the customer's document as read after it, holding the change.
    pub(crate) async fn change_tag(
        &self,
        customer_id: &str,
        tag: &str,
        change: Change,
    ) -> Result<Value> {
        check_id("customerId", customer_id)?;
        let writer = writer(format!("{}/{customer_id}", self.workspace().id()));
        let _turn = writer.lock().await;
        let mut pause = FIRST_PAUSE;
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(pause).await;
                pause *= 2;
            }
            let current = self.customer_document(customer_id).await?;
            let manual = manual_tags(&current);
            let Some(list) = change.apply(&manual, tag) else {
                if attempt == 0 && change == Change::Remove {
                    return Err(Error::invalid_input(
                        "tag",
                        format!("`{tag}` is not a manual tag of customer {customer_id}"),
                    ));
                }
                // Already as wanted (a later attempt finding its own earlier write, say).
                return Ok(current);
            };
            let patch = json!({"tags": {"manual": list}});
            self.customer_json(Method::PATCH, customer_id, Some(&patch), "patch_customer")
                .await?;
            // Read again: another writer may have sent its own list over ours since our read.
            let stored = self.customer_document(customer_id).await?;
            if change.holds(&manual_tags(&stored), tag) {
                return Ok(stored);
            }
        }
        Err(Error::Conflict {
            service: "ContactHub",
            message: format!(
                "the manual tags of customer {customer_id} kept being overwritten; `{tag}` was not {} after {ATTEMPTS} attempts",
                match change {
                    Change::Add => "kept",
                    Change::Remove => "removed",
                }
            ),
        })
    }

    async fn customer_document(&self, customer_id: &str) -> Result<Value> {
        self.customer_json(Method::GET, customer_id, None, "get_customer")
            .await
    }
}

/// A change to a customer's manual tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    Add,
    Remove,
}

impl Change {
    /// The list to send, or `None` when `manual` is as wanted already.
    fn apply(self, manual: &[String], tag: &str) -> Option<Vec<String>> {
        if self.holds(manual, tag) {
            return None;
        }
        let mut list = manual.to_vec();
        match self {
            Self::Add => list.push(tag.to_owned()),
            Self::Remove => list.retain(|t| t != tag),
        }
        Some(list)
    }

    /// Whether `manual` is as the change wants it.
    pub(crate) fn holds(self, manual: &[String], tag: &str) -> bool {
        let has = manual.iter().any(|t| t == tag);
        match self {
            Self::Add => has,
            Self::Remove => !has,
        }
    }
}

/// The manual tags of a customer document; a document without any has none.
fn manual_tags(document: &Value) -> Vec<String> {
    document
        .pointer("/tags/manual")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str().map(str::to_owned))
        .collect()
}

fn typed(document: Value) -> Result<Customer> {
    serde_path_to_error::deserialize::<_, Customer>(&document).map_err(|e| {
        let path = Some(e.path().to_string()).filter(|p| p != ".");
        let body = serde_json::to_vec(&document).unwrap_or_default();
        Error::Decode(Box::new(DecodeError::new(
            "ContactHub",
            Some(200),
            path,
            e.inner().to_string(),
            &body,
        )))
    })
}

/// The lock that makes tag changes to one customer (`key`) take turns in this process; entries go
/// when no change holds them.
fn writer(key: String) -> Arc<tokio::sync::Mutex<()>> {
    static WRITERS: LazyLock<Mutex<HashMap<String, Weak<tokio::sync::Mutex<()>>>>> =
        LazyLock::new(Mutex::default);
    let mut writers = WRITERS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(writer) = writers.get(&key).and_then(Weak::upgrade) {
        return writer;
    }
    writers.retain(|_, w| w.strong_count() > 0);
    let writer = Arc::new(tokio::sync::Mutex::new(()));
    writers.insert(key, Arc::downgrade(&writer));
    writer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(list: &[&str]) -> Vec<String> {
        list.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn a_change_sends_the_list_only_when_needed() {
        assert_eq!(
            Change::Add.apply(&tags(&["a"]), "b"),
            Some(tags(&["a", "b"]))
        );
        assert_eq!(Change::Add.apply(&tags(&["a", "b"]), "b"), None);
        assert_eq!(
            Change::Remove.apply(&tags(&["a", "b", "b"]), "b"),
            Some(tags(&["a"]))
        );
        assert_eq!(Change::Remove.apply(&tags(&["a"]), "b"), None);
    }

    #[test]
    fn manual_tags_of_any_document() {
        assert_eq!(
            manual_tags(&json!({"tags": {"manual": ["a", 1, "b"]}})),
            tags(&["a", "b"])
        );
        assert!(manual_tags(&json!({"tags": null})).is_empty());
        assert!(manual_tags(&json!({})).is_empty());
    }

    #[test]
    fn one_writer_per_customer_while_it_is_held() {
        let a = writer("w/c1".into());
        let b = writer("w/c1".into());
        assert!(Arc::ptr_eq(&a, &b));
        let other = writer("w/c2".into());
        assert!(!Arc::ptr_eq(&a, &other));
        drop((a, b));
        // Released by everyone: a later change gets a fresh lock, and the old entry is swept.
        let c = writer("w/c1".into());
        assert_eq!(Arc::strong_count(&c), 1);
    }
}
