use std::fmt;
use std::str::FromStr;

use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

/// One of the emulated services.
///
/// ```
/// use cdp_sandbox::Service;
/// assert_eq!("customer-profiles".parse::<Service>(), Ok(Service::CustomerProfiles));
/// assert_eq!(Service::Flagship.to_string(), "flagship");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Service {
    /// ContactHub (Contactlab Hub).
    ContactHub,
    /// BlueConic REST API v2.
    BlueConic,
    /// AWS Customer Profiles.
    CustomerProfiles,
    /// Flagship: decision API, bucketing file and hit collector.
    Flagship,
}

impl Service {
    /// All four, in a fixed order.
    pub const ALL: [Service; 4] = [
        Self::ContactHub,
        Self::BlueConic,
        Self::CustomerProfiles,
        Self::Flagship,
    ];

    /// The name used in URLs and on the command line.
    ///
    /// ```
    /// assert_eq!(cdp_sandbox::Service::ContactHub.name(), "contacthub");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Self::ContactHub => "contacthub",
            Self::BlueConic => "blueconic",
            Self::CustomerProfiles => "customer-profiles",
            Self::Flagship => "flagship",
        }
    }

    /// An error response in the service's own error format.
    pub(crate) fn error(self, status: StatusCode, message: &str) -> Response {
        match self {
            Self::ContactHub => crate::contacthub::error(status, message),
            Self::BlueConic => crate::blueconic::error(status, message),
            Self::CustomerProfiles => crate::customer_profiles::error(status, message),
            Self::Flagship => crate::flagship::error(status, message),
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Service {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|service| service.name() == s)
            .ok_or_else(|| format!("unknown service `{s}` (one of contacthub, blueconic, customer-profiles, flagship)"))
    }
}
