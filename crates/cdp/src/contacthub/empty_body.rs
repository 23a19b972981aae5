//! Success answers with an empty body. ContactHub may accept a write (`202 Accepted` for an event) without
//! a body, and the Python SDK takes that as success; the generated client, which can give an operation
//! only one typed body, reports it as a body that does not decode. Reporting it as an error would make a
//! caller who retries on error store the write twice, so the ergonomic layer reads it as success.
//!
//! Which operations tolerate it, and what they answer then:
//! - `add_event`: `None` (the event id is only known when the service sends it);
//! - adding or replacing an education, job, like or subscription: the item as sent (it carries its id);
//! - creating a customer or linking a session: not tolerated. Their answer holds the id the service
//!   gave, which nothing else tells the caller, so an empty body stays an [`Error::Decode`](crate::Error).

use progenitor_client::{Error as CallError, ResponseValue};
use serde::de::DeserializeOwned;

use crate::{Error, Result, ServiceErrorBody};

/// The body of a 2xx answer, `None` when the service sent none (nothing, or only whitespace). A body
/// that is there but does not decode stays an error, as does every other failure.
pub(crate) fn optional<T: DeserializeOwned, E: ServiceErrorBody>(
    answer: std::result::Result<ResponseValue<T>, CallError<E>>,
) -> Result<Option<T>> {
    match answer {
        Ok(value) => Ok(Some(value.into_inner())),
        // The generated client decodes a body only for a success status, so this is a 2xx.
        Err(CallError::InvalidResponsePayload(bytes, _)) if bytes.trim_ascii().is_empty() => {
            Ok(None)
        }
        Err(e) => Err(Error::from_call::<T, _>(e)),
    }
}
