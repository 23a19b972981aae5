//! Flagship (AB Tasty Feature Experimentation & Rollouts): feature flags and experiments, with the wire
//! of the Flagship Python SDK 2.1.x.
//!
//! Start a [`Flagship`] once ([`Flagship::builder`] or [`Flagship::from_env`]), make a [`Visitor`] per
//! user, [`synchronize`](Visitor::synchronize) it (a call to the Decision API, or a local decision from
//! the bucketing file in [`Mode::Bucketing`]), then read its flags with
//! [`modification`](Visitor::modification), typed by their default. Nothing here fails because a service
//! is down, slow or answers garbage: the visitor keeps the flags of its last good synchronisation (its
//! defaults at first), [`FlagsStatus`] says which, and the event hook is told. Only programming errors
//! (a non-finite context value, an invalid hit) are `Err`; a delivery (an activation, a hit) that got no
//! answer in time is an [`Error::Timeout`](crate::Error::Timeout).
//!
//! ```no_run
//! # async fn run() -> cdp::Result<()> {
//! use cdp::flagship::{Flagship, Hit};
//!
//! let fs = Flagship::builder("env-id", "api-key").start().await?;
//! let mut visitor = fs.visitor("visitor-1").context([("plan", "pro".into()), ("age", 31.into())]).build()?;
//! visitor.synchronize().await;
//! let color: String = visitor.modification("btnColor", "blue".to_string()).activate(true).await;
//! visitor.send_hit(Hit::page("https://example.com/checkout")).await?;
//! # let _ = color; Ok(()) }
//! ```

pub use flagship_api as api;

mod activation;
pub mod bucketing;
mod builder;
mod cache;
mod context;
mod decision;
mod events;
mod hits;
mod modification;
mod status;
mod visitor;

pub use builder::{
    DEFAULT_CDN_URL, DEFAULT_DECISION_URL, DEFAULT_HITS_URL, DEFAULT_POLLING_INTERVAL,
    DEFAULT_TIMEOUT, Flagship, FlagshipBuilder, Mode, SDK_CLIENT, SDK_VERSION,
};
pub use cache::{CachedVisitor, VisitorCache};
pub use context::ContextValue;
pub use decision::{Decision, ModificationInfo};
pub use events::{Event, Level};
pub use hits::{EventCategory, Hit};
pub use modification::Modification;
pub use status::FlagsStatus;
pub use visitor::{Visitor, VisitorBuilder};
