//! AWS Customer Profiles: segment membership, segment definitions, estimates, snapshots, profile search.
//!
//! One [`Client`] per region and credentials; every call returns [`crate::Result`].
//!
//! ```no_run
//! # async fn run() -> cdp::Result<()> {
//! use cdp::customer_profiles::Client;
//! use cdp::transport::AwsCredentials;
//!
//! let client = Client::new("eu-west-1", AwsCredentials::new("AKIDEXAMPLE", "secret"));
//! let membership = client
//!     .segment_membership("my-domain", "vip")
//!     .profile_ids(["0123456789abcdef0123456789abcdef"])
//!     .send()
//!     .await?;
//! println!("{} of {} present", membership.present().count(), membership.entries.len());
//! # Ok(()) }
//! ```

pub use customer_profiles_api as api;

mod client;
mod conditions;
mod errors;
mod estimates;
mod membership;
mod names;
mod next_token;
mod profile;
#[cfg(feature = "aws-config")]
mod refresh;
mod search;
mod segments;
mod snapshots;

pub use client::{Client, ClientBuilder, endpoint};
pub use conditions::{
    AddressField, AddressKind, Condition, GroupQuery, ProfileField, SegmentQuery,
};
pub use errors::ErrorKind;
pub use estimates::{CreateSegmentEstimate, Estimate, EstimateStarted};
pub use membership::{
    DEFAULT_CONCURRENCY, MAX_IDS_PER_CALL, Membership, MembershipEntry, MembershipRequest,
    MembershipStatus,
};
pub use profile::{Address, FoundByKeyValue, Gender, PartyType, Profile, ProfileType};
pub use search::{BatchProfiles, MAX_IDS_PER_BATCH_GET, ProfileSearch};
pub use segments::{
    CreateSegmentDefinition, CreatedSegmentDefinition, SegmentDefinition, SegmentDefinitionList,
    SegmentDefinitionSummary, created_at,
};
pub use snapshots::{CreateSegmentSnapshot, Snapshot, snapshot_done};
