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
mod membership;
mod names;
mod profile;

pub use client::{Client, ClientBuilder, endpoint};
pub use membership::{
    DEFAULT_CONCURRENCY, MAX_IDS_PER_CALL, Membership, MembershipEntry, MembershipRequest,
    MembershipStatus,
};
pub use profile::{Address, FoundByKeyValue, Gender, PartyType, Profile, ProfileType};
