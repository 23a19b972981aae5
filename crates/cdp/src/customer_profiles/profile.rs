//! Profiles as the service returns them: names, phone numbers, emails, the four addresses, `Attributes`,
//! `FoundByItems`, party type and gender with their string alternatives. Enums are open: a value this
//! version does not know decodes to `Unknown` rather than failing.
//!
//! ```
//! use cdp::customer_profiles::{Gender, Profile};
//!
//! let profile: Profile = serde_json::from_value(serde_json::json!({
//!     "ProfileId": "0123456789abcdef0123456789abcdef",
//!     "FirstName": "Ada",
//!     "Gender": "FEMALE",
//!     "Address": {"City": "London", "Country": "GB"},
//!     "Attributes": {"tier": "gold"}
//! }))?;
//! assert_eq!(profile.gender, Some(Gender::Female));
//! assert_eq!(profile.address.and_then(|a| a.city).as_deref(), Some("London"));
//! # Ok::<(), serde_json::Error>(())
//! ```

pub use customer_profiles_api::types::{
    Address, FoundByKeyValue, Gender, PartyType, Profile, ProfileType,
};
