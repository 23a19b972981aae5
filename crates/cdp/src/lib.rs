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
//! Today each module exposes the low-level client generated from the project's OpenAPI spec (`api`);
//! the ergonomic layer (mutation tracking, the query DSL, pagination streams, bulk writers, flag
//! decisions) grows on top of it.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use cdp::transport::{Auth, Inner};
//!
//! let hub = cdp::contacthub::api::Client::new("https://api.contactlab.it/hub/v1", Inner::new(Auth::bearer("token")));
//! let customer = hub.get_customer().workspace_id("w").customer_id("c1").send().await?;
//! println!("{:?}", customer.base);
//! # Ok(()) }
//! ```

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod error;
pub mod finite;
pub mod merge_patch;
pub mod pagination;

pub use cdp_transport as transport;
pub use error::{ApiError, DecodeError, Error, Result, ServiceError, ServiceErrorBody};

#[cfg(feature = "contacthub")]
pub mod contacthub;

/// BlueConic REST API v2: profiles, profiles of a segment, bulk writes.
///
/// ```
/// let client = cdp::blueconic::api::Client::new(
///     "https://tenant.blueconic.net/rest/v2",
///     cdp::transport::Inner::new(cdp::transport::Auth::bearer("token")),
/// );
/// # let _ = client;
/// ```
#[cfg(feature = "blueconic")]
pub mod blueconic {
    pub use blueconic_api as api;
}

/// AWS Customer Profiles: segment membership, segment definitions, estimates, snapshots, profile search.
///
/// ```
/// let client = cdp::customer_profiles::api::Client::new(
///     "https://profile.eu-west-1.amazonaws.com",
///     cdp::transport::Inner::new(cdp::transport::Auth::None),
/// );
/// # let _ = client;
/// ```
#[cfg(feature = "customer-profiles")]
pub mod customer_profiles {
    pub use customer_profiles_api as api;
}

#[cfg(feature = "flagship")]
pub mod flagship;
