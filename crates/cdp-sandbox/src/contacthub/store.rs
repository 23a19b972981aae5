//! Where ContactHub's data lives: customers in creation order with indexes by id and external id, each
//! customer's sessions, and events with an index by customer.

use std::cell::OnceCell;
use std::collections::HashMap;

use rand::rngs::StdRng;
use serde_json::{Map, Value};

use super::{ids, seed};

/// A customer: stored, or seeded and generated from its seed on first access.
#[derive(Debug)]
struct Slot {
    /// The seed and index of a seeded customer.
    seeded: Option<(u64, usize)>,
    value: OnceCell<Value>,
}

impl Slot {
    fn get(&self, node: &str) -> &Value {
        self.value.get_or_init(|| match self.seeded {
            Some((seed, index)) => seed::customer(seed, node, index),
            None => Value::Null,
        })
    }

    fn get_mut(&mut self, node: &str) -> Option<&mut Value> {
        self.get(node);
        self.value.get_mut()
    }
}

/// A session id linked to a customer.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Session {
    pub(super) id: String,
    pub(super) value: String,
}

#[derive(Debug)]
pub(super) struct Store {
    rng: StdRng,
    /// The node every customer is in.
    node: String,
    /// Customers in creation order; a deleted one leaves `None`, so the indexes stay valid.
    customers: Vec<Option<Slot>>,
    live: usize,
    by_id: HashMap<String, usize>,
    by_external_id: HashMap<String, String>,
    sessions: HashMap<String, Vec<Session>>,
    /// Session value → the customer it is linked to.
    session_owner: HashMap<String, String>,
    events: Vec<Value>,
    event_by_id: HashMap<String, usize>,
    events_by_customer: HashMap<String, Vec<usize>>,
}

impl Store {
    pub(super) fn new(rng: StdRng, node: String) -> Self {
        Self {
            rng,
            node,
            customers: Vec::new(),
            live: 0,
            by_id: HashMap::new(),
            by_external_id: HashMap::new(),
            sessions: HashMap::new(),
            session_owner: HashMap::new(),
            events: Vec::new(),
            event_by_id: HashMap::new(),
            events_by_customer: HashMap::new(),
        }
    }

    /// A fresh id.
    pub(super) fn new_id(&mut self) -> String {
        ids::uuid(&mut self.rng)
    }

    pub(super) fn customer_count(&self) -> usize {
        self.live
    }

    /// Every customer, in creation order.
    pub(super) fn customers(&self) -> impl Iterator<Item = &Value> {
        self.customers.iter().flatten().map(|s| s.get(&self.node))
    }

    pub(super) fn customer(&self, id: &str) -> Option<&Value> {
        self.by_id
            .get(id)
            .and_then(|&i| self.customers.get(i))
            .and_then(Option::as_ref)
            .map(|s| s.get(&self.node))
    }

    pub(super) fn customer_mut(&mut self, id: &str) -> Option<&mut Map<String, Value>> {
        let index = *self.by_id.get(id)?;
        let node = &self.node;
        self.customers
            .get_mut(index)
            .and_then(Option::as_mut)
            .and_then(|s| s.get_mut(node))
            .and_then(Value::as_object_mut)
    }

    /// The id of the customer with this external id.
    pub(super) fn by_external_id(&self, external_id: &str) -> Option<&str> {
        self.by_external_id.get(external_id).map(String::as_str)
    }

    /// Adds a customer (its `id` must be set and new).
    pub(super) fn insert_customer(&mut self, customer: Value) {
        let Some(id) = customer
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            return;
        };
        if let Some(external) = external_id(&customer) {
            self.by_external_id.insert(external.to_owned(), id.clone());
        }
        self.by_id.insert(id, self.customers.len());
        self.customers.push(Some(Slot {
            seeded: None,
            value: OnceCell::from(customer),
        }));
        self.live += 1;
    }

    /// Adds a seeded customer, generated on first access; `id` and `external_id` must be what
    /// [`seed::customer`] will give it.
    pub(super) fn insert_seeded(
        &mut self,
        seed: u64,
        index: usize,
        id: String,
        external_id: Option<String>,
    ) {
        if let Some(external) = external_id {
            self.by_external_id.insert(external, id.clone());
        }
        self.by_id.insert(id, self.customers.len());
        self.customers.push(Some(Slot {
            seeded: Some((seed, index)),
            value: OnceCell::new(),
        }));
        self.live += 1;
    }

    /// Replaces a stored customer, keeping the external id index true.
    pub(super) fn replace_customer(&mut self, id: &str, customer: Value) {
        let Some(&index) = self.by_id.get(id) else {
            return;
        };
        if let Some(Some(old)) = self.customers.get(index)
            && let Some(external) = external_id(old.get(&self.node))
        {
            self.by_external_id.remove(external);
        }
        if let Some(external) = external_id(&customer) {
            self.by_external_id
                .insert(external.to_owned(), id.to_owned());
        }
        if let Some(slot) = self.customers.get_mut(index) {
            *slot = Some(Slot {
                seeded: None,
                value: OnceCell::from(customer),
            });
        }
    }

    /// Removes a customer and its sessions; its events stay, as in the real service.
    pub(super) fn remove_customer(&mut self, id: &str) -> bool {
        let Some(index) = self.by_id.remove(id) else {
            return false;
        };
        if let Some(Some(old)) = self.customers.get(index)
            && let Some(external) = external_id(old.get(&self.node))
        {
            self.by_external_id.remove(external);
        }
        if let Some(slot) = self.customers.get_mut(index) {
            *slot = None;
        }
        for session in self.sessions.remove(id).unwrap_or_default() {
            self.session_owner.remove(&session.value);
        }
        self.live -= 1;
        true
    }

    pub(super) fn sessions_of(&self, customer_id: &str) -> &[Session] {
        self.sessions.get(customer_id).map_or(&[], Vec::as_slice)
    }

    /// The customer a session value is linked to.
    pub(super) fn session_owner(&self, value: &str) -> Option<&str> {
        self.session_owner.get(value).map(String::as_str)
    }

    /// Links a session to a customer (moving it from another customer if needed) and ties the anonymous
    /// events of that session to the customer.
    pub(super) fn link_session(&mut self, customer_id: &str, value: &str) -> Session {
        if let Some(existing) = self
            .sessions_of(customer_id)
            .iter()
            .find(|s| s.value == value)
        {
            return existing.clone();
        }
        if let Some(owner) = self.session_owner.get(value).cloned() {
            self.unlink_session(&owner, value);
        }
        let session = Session {
            id: self.new_id(),
            value: value.to_owned(),
        };
        self.sessions
            .entry(customer_id.to_owned())
            .or_default()
            .push(session.clone());
        self.session_owner
            .insert(value.to_owned(), customer_id.to_owned());
        self.adopt_anonymous(customer_id, "SESSION_ID", value);
        session
    }

    /// Unlinks a session (by id or value); whether it was linked.
    pub(super) fn unlink_session(&mut self, customer_id: &str, id_or_value: &str) -> bool {
        let Some(sessions) = self.sessions.get_mut(customer_id) else {
            return false;
        };
        let Some(at) = sessions
            .iter()
            .position(|s| s.id == id_or_value || s.value == id_or_value)
        else {
            return false;
        };
        let removed = sessions.remove(at);
        self.session_owner.remove(&removed.value);
        true
    }

    pub(super) fn event_count(&self) -> usize {
        self.event_by_id.len()
    }

    pub(super) fn event(&self, id: &str) -> Option<&Value> {
        self.event_by_id.get(id).and_then(|&i| self.events.get(i))
    }

    /// Stores an event (its `id` must be set and new).
    pub(super) fn insert_event(&mut self, event: Value) {
        let Some(id) = event.get("id").and_then(Value::as_str).map(str::to_owned) else {
            return;
        };
        let index = self.events.len();
        if let Some(customer) = event.get("customerId").and_then(Value::as_str) {
            self.events_by_customer
                .entry(customer.to_owned())
                .or_default()
                .push(index);
        }
        self.event_by_id.insert(id, index);
        self.events.push(event);
    }

    /// A customer's events, oldest stored first.
    pub(super) fn events_of(&self, customer_id: &str) -> Vec<&Value> {
        self.events_by_customer
            .get(customer_id)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.events.get(i))
            .collect()
    }

    /// Every stored event, a customer's or anonymous, oldest stored first.
    pub(super) fn all_events(&self) -> Vec<&Value> {
        self.events
            .iter()
            // A deleted event leaves a `null` in its place.
            .filter(|e| e.is_object())
            .collect()
    }

    pub(super) fn anonymous_events(&self) -> Vec<&Value> {
        self.events
            .iter()
            // A deleted event leaves a `null` in its place.
            .filter(|e| e.is_object() && e.get("customerId").is_none_or(Value::is_null))
            .collect()
    }

    /// Replaces a stored event (same id) with `event`, moving it to its new customer if that changed.
    /// `false` when no event has that id.
    pub(super) fn replace_event(&mut self, id: &str, event: Value) -> bool {
        let Some(&index) = self.event_by_id.get(id) else {
            return false;
        };
        self.unindex_customer(index);
        if let Some(customer) = event.get("customerId").and_then(Value::as_str) {
            let indexes = self
                .events_by_customer
                .entry(customer.to_owned())
                .or_default();
            indexes.push(index);
            indexes.sort_unstable();
        }
        if let Some(slot) = self.events.get_mut(index) {
            *slot = event;
        }
        true
    }

    /// Deletes an event; its slot keeps a `null` so that the other events keep their indexes.
    pub(super) fn remove_event(&mut self, id: &str) -> bool {
        let Some(index) = self.event_by_id.remove(id) else {
            return false;
        };
        self.unindex_customer(index);
        if let Some(slot) = self.events.get_mut(index) {
            *slot = Value::Null;
        }
        true
    }

    fn unindex_customer(&mut self, index: usize) {
        let owner = self
            .events
            .get(index)
            .and_then(|e| e.get("customerId"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let Some(owner) = owner
            && let Some(indexes) = self.events_by_customer.get_mut(&owner)
        {
            indexes.retain(|&i| i != index);
        }
    }

    /// Ties the anonymous events whose `bringBackProperties` are `{type: kind, value}` to a customer.
    pub(super) fn adopt_anonymous(&mut self, customer_id: &str, kind: &str, value: &str) {
        for (index, event) in self.events.iter_mut().enumerate() {
            let anonymous = event.get("customerId").is_none_or(Value::is_null);
            let bring_back = event.get("bringBackProperties");
            let matches = bring_back
                .and_then(|b| b.get("type"))
                .and_then(Value::as_str)
                == Some(kind)
                && bring_back
                    .and_then(|b| b.get("value"))
                    .and_then(Value::as_str)
                    == Some(value);
            if anonymous
                && matches
                && let Some(members) = event.as_object_mut()
            {
                members.insert("customerId".into(), Value::from(customer_id));
                self.events_by_customer
                    .entry(customer_id.to_owned())
                    .or_default()
                    .push(index);
            }
        }
        if let Some(indexes) = self.events_by_customer.get_mut(customer_id) {
            indexes.sort_unstable();
            indexes.dedup();
        }
    }
}

fn external_id(customer: &Value) -> Option<&str> {
    customer.get("externalId").and_then(Value::as_str)
}
