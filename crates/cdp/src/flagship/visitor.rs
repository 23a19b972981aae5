//! A visitor: its id (and anonymous id once authenticated), its context, and its decision.

use std::collections::BTreeMap;
use std::fmt;

use flagship_api::types::{ContextEventType, VisitorContext};
use serde_json::{Map, Value};

use super::builder::{Flagship, Mode, SDK_CLIENT, SDK_VERSION};
use super::cache::CachedVisitor;
use super::context::ContextValue;
use super::decision::{Decision, ModificationInfo};
use super::status::FlagsStatus;
use crate::{Error, Result};

/// A visitor before it is built: its id, whether it is authenticated, its context.
///
/// ```no_run
/// # async fn run(fs: cdp::flagship::Flagship) -> cdp::Result<()> {
/// let visitor = fs
///     .visitor("user-42")
///     .authenticated(true)
///     .context([("plan", "pro".into()), ("isVIP", true.into()), ("age", 31.into())])
///     .build()?;
/// # let _ = visitor; Ok(()) }
/// ```
#[must_use = "a visitor builder does nothing until `build` is called"]
pub struct VisitorBuilder {
    fs: Flagship,
    id: String,
    authenticated: bool,
    context: Vec<(String, ContextValue)>,
}

impl fmt::Debug for VisitorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VisitorBuilder")
            .field("id", &self.id)
            .field("authenticated", &self.authenticated)
            .field("context", &self.context)
            .finish_non_exhaustive()
    }
}

impl VisitorBuilder {
    pub(crate) fn new(fs: Flagship, id: String) -> Self {
        Self {
            fs,
            id,
            authenticated: false,
            context: Vec::new(),
        }
    }

    /// Whether the visitor is authenticated (its id is a user's): in Decision API mode it then gets a
    /// generated anonymous id, as the SDK gives it, for experience continuity.
    pub fn authenticated(mut self, authenticated: bool) -> Self {
        self.authenticated = authenticated;
        self
    }

    /// Adds context values (keys are strings; values strings, booleans, integers or floats).
    pub fn context<K: Into<String>>(
        mut self,
        pairs: impl IntoIterator<Item = (K, ContextValue)>,
    ) -> Self {
        self.context
            .extend(pairs.into_iter().map(|(k, v)| (k.into(), v)));
        self
    }

    /// The visitor; `Err` for a non-finite float in the context. An empty id is replaced by a
    /// generated one.
    ///
    /// ```no_run
    /// # async fn run(fs: cdp::flagship::Flagship) {
    /// let err = fs.visitor("v").context([("score", f64::NAN.into())]).build().unwrap_err();
    /// assert!(matches!(err, cdp::Error::InvalidInput { .. }));
    /// # }
    /// ```
    pub fn build(self) -> Result<Visitor> {
        let mut context = BTreeMap::new();
        for (key, value) in self.context {
            value.check(&key)?;
            context.insert(key, value);
        }
        let id = if self.id.is_empty() {
            generated_id()
        } else {
            self.id
        };
        let anonymous_id =
            (self.authenticated && self.fs.shared.mode == Mode::DecisionApi).then(generated_id);
        Ok(Visitor {
            fs: self.fs,
            id,
            anonymous_id,
            context,
            decision: Decision::default(),
            status: FlagsStatus::Defaults,
            kept: Vec::new(),
            cache_read: false,
        })
    }
}

fn generated_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A visitor of a [`Flagship`] environment: synchronise it, then read its flags. Nothing but a
/// programming error (a non-finite context value, an invalid hit) fails: when a service is down, slow or
/// garbled, the visitor keeps the flags it had (its defaults at first), as the SDK keeps them, the event
/// hook is told, and [`flags_status`](Visitor::flags_status) says so ([`FlagsStatus`]).
///
/// ```no_run
/// # async fn run(fs: cdp::flagship::Flagship) -> cdp::Result<()> {
/// let mut visitor = fs.visitor("visitor-1").context([("plan", "pro".into())]).build()?;
/// visitor.synchronize().await;
/// let enabled: bool = visitor.modification("showBanner", false).await;
/// visitor.update_context([("plan", "free".into())])?.synchronize().await;
/// # let _ = enabled; Ok(()) }
/// ```
pub struct Visitor {
    pub(crate) fs: Flagship,
    pub(crate) id: String,
    pub(crate) anonymous_id: Option<String>,
    pub(crate) context: BTreeMap<String, ContextValue>,
    pub(crate) decision: Decision,
    status: FlagsStatus,
    /// Variation ids from the visitor cache, kept in bucketing mode.
    kept: Vec<String>,
    cache_read: bool,
}

impl fmt::Debug for Visitor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Visitor")
            .field("id", &self.id)
            .field("anonymous_id", &self.anonymous_id)
            .field("context", &self.context)
            .field("decision", &self.decision)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl Visitor {
    /// The visitor id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The anonymous id, while the visitor is authenticated (Decision API mode).
    pub fn anonymous_id(&self) -> Option<&str> {
        self.anonymous_id.as_deref()
    }

    /// The context.
    pub fn context(&self) -> &BTreeMap<String, ContextValue> {
        &self.context
    }

    /// The last decision (empty before the first synchronisation).
    pub fn decision(&self) -> &Decision {
        &self.decision
    }

    /// Where the flags come from: the last synchronisation, an earlier one (the last failed), or
    /// defaults (none succeeded yet, or panic mode).
    ///
    /// ```no_run
    /// # async fn run(fs: cdp::flagship::Flagship) -> cdp::Result<()> {
    /// use cdp::flagship::FlagsStatus;
    ///
    /// let mut visitor = fs.visitor("visitor-1").build()?;
    /// assert_eq!(visitor.flags_status(), FlagsStatus::Defaults);
    /// visitor.synchronize().await;
    /// if visitor.flags_status() == FlagsStatus::Kept {
    ///     // Flagship did not answer: the flags of the previous synchronisation are in use.
    /// }
    /// # Ok(()) }
    /// ```
    pub fn flags_status(&self) -> FlagsStatus {
        self.status
    }

    /// Adds or replaces context values; `Err` (and no change at all) for a non-finite float. Chain
    /// [`synchronize`](Visitor::synchronize) to decide again with them.
    ///
    /// ```no_run
    /// # async fn run(mut visitor: cdp::flagship::Visitor) -> cdp::Result<()> {
    /// visitor.update_context([("plan", "pro".into()), ("age", 32.into())])?.synchronize().await;
    /// # Ok(()) }
    /// ```
    pub fn update_context<K: Into<String>>(
        &mut self,
        pairs: impl IntoIterator<Item = (K, ContextValue)>,
    ) -> Result<&mut Self> {
        let pairs: Vec<(String, ContextValue)> =
            pairs.into_iter().map(|(k, v)| (k.into(), v)).collect();
        for (key, value) in &pairs {
            value.check(key)?;
        }
        self.context.extend(pairs);
        Ok(self)
    }

    /// Adds or replaces one context value.
    ///
    /// ```no_run
    /// # async fn run(mut visitor: cdp::flagship::Visitor) -> cdp::Result<()> {
    /// visitor.update_context_value("isVIP", true)?;
    /// # Ok(()) }
    /// ```
    pub fn update_context_value(
        &mut self,
        key: impl Into<String>,
        value: impl Into<ContextValue>,
    ) -> Result<&mut Self> {
        self.update_context([(key.into(), value.into())])
    }

    /// Where flag `key` comes from (campaign, variation group, variation, reference), if the visitor has
    /// it.
    pub fn modification_info(&self, key: &str) -> Option<ModificationInfo> {
        self.decision.info(key)
    }

    /// Decides the visitor again: with the Decision API (`POST /v2/{envId}/campaigns`), or locally from
    /// the bucketing file and then a context event, and says where its flags now come from. Never fails
    /// and returns within the timeout: when the service is down, slow or garbled (or there is no
    /// bucketing file yet) the visitor keeps the flags of its last good synchronisation, as the SDK
    /// does, the event hook is told at [`Level::Error`](super::Level::Error), and the status is
    /// [`FlagsStatus::Kept`] (or [`FlagsStatus::Defaults`] when none succeeded yet).
    ///
    /// ```no_run
    /// # async fn run(mut visitor: cdp::flagship::Visitor) {
    /// if !visitor.synchronize().await.has_decision() {
    ///     // Every flag gives its default: Flagship was not reached yet, or is in panic mode.
    /// }
    /// # }
    /// ```
    pub async fn synchronize(&mut self) -> FlagsStatus {
        self.read_cache().await;
        let decided = match self.fs.shared.mode {
            Mode::DecisionApi => self.decide_remotely().await,
            Mode::Bucketing { .. } => self.decide_locally().await,
        };
        self.status = match decided {
            Some(decision) => {
                self.decision = decision;
                self.save_cache().await;
                if self.decision.is_panic() {
                    FlagsStatus::Panic
                } else {
                    FlagsStatus::Fresh
                }
            }
            None => self.status.after_failure(),
        };
        self.status
    }

    /// The context as the wire carries it: without the keys starting with `fs_`, which the SDK keeps
    /// for itself and does not send.
    pub(crate) fn wire_context(&self) -> VisitorContext {
        let map: Map<String, Value> = self
            .context
            .iter()
            .filter(|(k, _)| !k.starts_with("fs_"))
            .map(|(k, v)| (k.clone(), v.to_json()))
            .collect();
        VisitorContext(map)
    }

    async fn decide_remotely(&self) -> Option<Decision> {
        let shared = &self.fs.shared;
        let request = shared
            .decision
            .get_campaigns()
            .env_id(&shared.env_id)
            .x_sdk_client(SDK_CLIENT)
            .x_sdk_version(SDK_VERSION)
            .expose_all_keys(true)
            // As the SDK: the decision does not record the context.
            .send_context_event(false)
            .body_map(|b| {
                b.visitor_id(self.id.clone())
                    .anonymous_id(self.anonymous_id.clone())
                    .context(Some(self.wire_context()))
                    .trigger_hit(Some(false))
            })
            .send();
        let answer = shared.within(request).await.and_then(|answer| {
            answer.map_err(Error::from_call::<flagship_api::types::DecisionResponse, _>)
        });
        match answer {
            Ok(answer) => Some(Decision::from_response(answer.into_inner())),
            Err(error) => {
                shared.hook.error(format!(
                    "the decision for visitor `{}` failed ({error}); its flags are kept as they were",
                    self.id
                ));
                None
            }
        }
    }

    async fn decide_locally(&self) -> Option<Decision> {
        let shared = &self.fs.shared;
        let Some(file) = shared.poller.as_ref().and_then(|p| p.current()) else {
            shared.hook.error(format!(
                "no bucketing file yet to decide visitor `{}`; its flags are unchanged",
                self.id
            ));
            return None;
        };
        let decision = file.decide(&self.id, &self.context, &self.kept);
        if !decision.is_panic() {
            self.send_context_event().await;
        }
        Some(decision)
    }

    /// The CONTEXT event the SDK sends after a local decision; a failure is only logged.
    async fn send_context_event(&self) {
        let shared = &self.fs.shared;
        let request = shared
            .decision
            .send_context_event()
            .env_id(&shared.env_id)
            .x_sdk_client(SDK_CLIENT)
            .x_sdk_version(SDK_VERSION)
            .body_map(|b| {
                b.visitor_id(self.id.clone())
                    .type_(ContextEventType::Context)
                    .data(self.wire_context())
            })
            .send();
        let sent = shared
            .within(request)
            .await
            .and_then(|sent| sent.map_err(Error::from));
        if let Err(error) = sent {
            shared.hook.error(format!(
                "the context event of visitor `{}` was not delivered: {error}",
                self.id
            ));
        }
    }

    /// Reads the visitor cache once, before the first decision.
    async fn read_cache(&mut self) {
        if self.cache_read {
            return;
        }
        self.cache_read = true;
        let shared = self.fs.shared.clone();
        let Some(cache) = &shared.cache else {
            return;
        };
        let entry = match tokio::time::timeout(shared.timeout, cache.lookup(&self.id)).await {
            Ok(entry) => entry,
            Err(_) => {
                shared.hook.error(format!(
                    "the visitor cache did not answer for `{}` within {:?}",
                    self.id, shared.timeout
                ));
                return;
            }
        };
        let Some(entry) = entry else {
            return;
        };
        match CachedVisitor::from_entry(entry) {
            Ok(cached) => self.kept = cached.variation_ids,
            Err(why) => shared.hook.warn(format!(
                "the cached entry of visitor `{}` is ignored: {why}",
                self.id
            )),
        }
    }

    async fn save_cache(&self) {
        let shared = &self.fs.shared;
        let Some(cache) = &shared.cache else {
            return;
        };
        if self.decision.is_panic() {
            return;
        }
        let entry = CachedVisitor {
            visitor_id: self.id.clone(),
            variation_ids: self
                .decision
                .variations()
                .map(|(_, v)| v.to_owned())
                .collect(),
        }
        .to_entry();
        if tokio::time::timeout(shared.timeout, cache.save(&self.id, entry))
            .await
            .is_err()
        {
            shared.hook.error(format!(
                "the visitor cache did not save `{}` within {:?}",
                self.id, shared.timeout
            ));
        }
    }

    /// Authenticates the visitor as `user_id` (experience continuity, Decision API mode): the current id
    /// becomes the anonymous id, sent beside the new one in decisions, activations and hits. Ignored,
    /// with a warning, in bucketing mode, as the SDK ignores it. `Err` for an empty id. Synchronise
    /// afterwards to decide the authenticated visitor.
    ///
    /// ```no_run
    /// # async fn run(mut visitor: cdp::flagship::Visitor) -> cdp::Result<()> {
    /// visitor.authenticate("user-42")?;
    /// visitor.synchronize().await;
    /// # Ok(()) }
    /// ```
    pub fn authenticate(&mut self, user_id: impl Into<String>) -> Result<()> {
        let user_id = user_id.into();
        if user_id.is_empty() {
            return Err(Error::invalid_input(
                "visitor_id",
                "an authenticated id cannot be empty",
            ));
        }
        if self.fs.shared.mode != Mode::DecisionApi {
            self.fs
                .shared
                .hook
                .warn("authenticate is ignored in bucketing mode");
            return Ok(());
        }
        if self.anonymous_id.is_none() {
            self.anonymous_id = Some(std::mem::take(&mut self.id));
        }
        self.id = user_id;
        Ok(())
    }

    /// Goes back to the anonymous id (Decision API mode); ignored, with a warning, in bucketing mode
    /// or when the visitor is not authenticated.
    ///
    /// ```no_run
    /// # fn run(mut visitor: cdp::flagship::Visitor) {
    /// visitor.unauthenticate();
    /// # }
    /// ```
    pub fn unauthenticate(&mut self) {
        let hook = &self.fs.shared.hook;
        if self.fs.shared.mode != Mode::DecisionApi {
            hook.warn("unauthenticate is ignored in bucketing mode");
            return;
        }
        match self.anonymous_id.take() {
            Some(anonymous) => self.id = anonymous,
            None => hook.warn(format!(
                "visitor `{}` is not authenticated: unauthenticate does nothing",
                self.id
            )),
        }
    }
}
