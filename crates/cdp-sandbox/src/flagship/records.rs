//! What Flagship received that a test wants to look at: activations, context events and hits, each kept
//! as the JSON object it arrived as (a batch flattened into its items).

use std::collections::VecDeque;

use serde_json::Value;

/// How many of each kind are kept; the oldest go first, so a long benchmark does not grow without bound.
const CAPACITY: usize = 100_000;

#[derive(Debug, Default)]
pub(crate) struct Records {
    pub(crate) activations: Log,
    pub(crate) context_events: Log,
    pub(crate) hits: Log,
}

/// A bounded list of JSON objects, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Log(VecDeque<Value>);

impl Log {
    pub(crate) fn push(&mut self, value: Value) {
        if self.0.len() == CAPACITY {
            self.0.pop_front();
        }
        self.0.push_back(value);
    }

    pub(crate) fn all(&self) -> Vec<Value> {
        self.0.iter().cloned().collect()
    }

    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }
}
