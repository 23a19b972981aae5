//! BlueConic REST API v2: one profile, every profile of a segment as a stream, profile changes with
//! their strategies, and the bulk writer.
//!
//! The Python SDK's `pseudonymize_pii` has no counterpart in the public REST API v2 and is not offered.
//!
//! ```no_run
//! # async fn run() -> cdp::Result<()> {
//! use cdp::blueconic::{Client, ProfileExpand};
//!
//! let bc = Client::new("tenant.blueconic.net", "client-id", "client-secret");
//! let profile = bc.profile("p1").properties(["email"]).expand([ProfileExpand::Segments]).send().await?;
//! println!("{:?}", profile.value("email"));
//! # Ok(()) }
//! ```

pub use blueconic_api as api;

mod bulk;
mod change;
mod client;
mod edits;
mod profile;
mod profile_request;
mod raw;
mod refinement;
mod segment_profiles;
mod values;

pub use blueconic_api::types::{PermissionLevel, PrivacyLegislation};
pub use bulk::{BulkReport, BulkWriter, FailedEntry, MAX_BATCH};
pub use change::ProfileChange;
pub use client::{Client, ClientBuilder, DEFAULT_SCOPES};
pub use edits::{ObjectiveId, ProfileEdits};
pub use profile::Profile;
pub use profile_request::{ProfileExpand, ProfileRequest, TimelineFilter};
pub use refinement::Filter;
pub use segment_profiles::{
    ALL_VISITORS, DEFAULT_PAGE_SIZE, SegmentProfiles, SegmentProfilesExpand,
};
pub use values::PropertyValue;
