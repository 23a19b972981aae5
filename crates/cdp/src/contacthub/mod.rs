//! ContactHub (Contactlab Hub): customers with their sub-resources, sessions and events.
//!
//! ```
//! let client = cdp::contacthub::api::Client::new(
//!     "https://api.contactlab.it/hub/v1",
//!     cdp::transport::Inner::new(cdp::transport::Auth::bearer("token")),
//! );
//! # let _ = client;
//! ```

pub use contacthub_api as api;

pub mod query;
