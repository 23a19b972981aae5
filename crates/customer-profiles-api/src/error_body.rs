//! The error body of AWS Customer Profiles, written by hand: the service model names the member `Message`,
//! but AWS restJson1 services also write it `message`, and a generated type can hold only one spelling.

use serde::{Deserialize, Deserializer, Serialize};

/// An AWS restJson1 error body: the message (`Message` or `message` on the wire) and the error type from
/// `__type` (the `X-Amzn-ErrorType` header may name it instead). Unknown members are ignored.
///
/// ```
/// use customer_profiles_api::AwsError;
///
/// let upper: AwsError = serde_json::from_str(r#"{"Message":"no such domain"}"#)?;
/// let lower: AwsError = serde_json::from_str(r#"{"message":"no such domain","__type":"x#ResourceNotFoundException"}"#)?;
/// assert_eq!(upper.message, lower.message);
/// assert_eq!(lower.type_.as_deref(), Some("x#ResourceNotFoundException"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
pub struct AwsError {
    /// What the service said.
    #[serde(rename = "Message", skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The error type, `namespace#Type` or `Type`.
    #[serde(rename = "__type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
}

impl<'de> Deserialize<'de> for AwsError {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Both spellings as members of their own, so a body carrying both is no duplicate-field error.
        #[derive(Deserialize)]
        struct Wire {
            #[serde(rename = "Message")]
            upper: Option<String>,
            #[serde(rename = "message")]
            lower: Option<String>,
            #[serde(rename = "__type")]
            type_: Option<String>,
        }
        let wire = Wire::deserialize(deserializer)?;
        Ok(Self {
            message: wire.upper.or(wire.lower),
            type_: wire.type_,
        })
    }
}
