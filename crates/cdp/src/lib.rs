//! Typed Rust bindings for customer-data platforms.
//!
//! One crate for four hosted services, each behind a feature (all on by default):
//!
//! | feature | module | service |
//! |---|---|---|
//! | `contacthub` | [`contacthub`] | ContactHub (Contactlab Hub): customers and events |
//! | `blueconic` | [`blueconic`] | BlueConic REST API v2: profiles and segments |
//! | `customer-profiles` | [`customer_profiles`] | AWS Customer Profiles: segments and membership |
//! | `flagship` | [`flagship`] | Flagship (AB Tasty) Decision API: feature flags |
//!
//! HTTPS comes from the `rustls` feature (default; aws-lc-rs with the platform's certificate verifier).
//!
//! Each module has the client generated from the project's OpenAPI spec (`api`); ContactHub also has the
//! ergonomic layer, which is what to use: one client built once, typed listings that end in `.send()`
//! (one page) or `.stream()` (everything), mutation tracking, the query DSL, and one error type,
//! [`Error`], from every call. The other services' ergonomic layers are to come; until then their `api`
//! clients answer progenitor's error, which `?` turns into [`Error`].
//!
//! ```no_run
//! # async fn run() -> cdp::Result<()> {
//! use cdp::contacthub::api::types::{EventContext, EventType};
//! use cdp::contacthub::query::prelude::*;
//! use cdp::contacthub::{Direction, NewEvent, Workspace};
//! use customer as c;
//! use futures::TryStreamExt as _;
//!
//! let node = Workspace::from_env()?.node("node-id"); // CONTACTHUB_WORKSPACE_ID, CONTACTHUB_TOKEN
//!
//! // A builder with options ends in `.send()` (one page) or `.stream()` (everything).
//! let page = node
//!     .query(c::base::last_name().eq("Wayne"))
//!     .fields((c::base::first_name(), c::base::last_name()))
//!     .sort(c::registered_at(), Direction::Descending)
//!     .size(20)
//!     .send()
//!     .await?;
//! println!("{} of {} customers", page.items().len(), page.total_elements());
//! let everyone: Vec<_> = node.customers().size(50).stream().try_collect().await?;
//!
//! // A tracked customer: edit it, and `patch` sends exactly what changed.
//! let mut bruce = node.customer(&everyone[0].id).await?;
//! bruce.base_mut().contacts_mut().email = Some("bruce@wayne.example".into());
//! bruce.patch().await?;
//! bruce.add_tag("vip").await?;
//!
//! // Events: anonymous first, tied to the customer through the session.
//! let session = node.create_session_id();
//! node.add_event(
//!     NewEvent::new(EventType::ViewedPage, EventContext::Web)
//!         .session_id(&session)
//!         .property("url", "https://example.com/cave"),
//! )
//! .await?;
//! node.add_customer_session(bruce.id(), &session).await?;
//! # Ok(()) }
//! ```

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client_core;
mod error;
pub mod finite;
pub mod merge_patch;
pub mod pagination;

pub use cdp_transport as transport;
pub use error::{ApiError, DecodeError, Error, Result, ServiceError, ServiceErrorBody};

#[cfg(feature = "contacthub")]
pub mod contacthub;

#[cfg(feature = "blueconic")]
pub mod blueconic;

#[cfg(feature = "customer-profiles")]
pub mod customer_profiles;

#[cfg(feature = "flagship")]
pub mod flagship;
