//! Requests whose answers the layer reads itself: listings decoded profile by profile, and bulk
//! writes whose 413 answer still carries results. They go through the same transport (auth, tracing,
//! caps) as the generated client's calls.

use blueconic_api::ClientInfo as _;
use cdp_transport::RetryPolicy;
use reqwest::Method;

use super::Client;
use super::client::SERVICE;
use crate::{Error, Result, ServiceErrorBody};

/// An answer as received: status, headers and body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) bytes: Vec<u8>,
}

impl Answer {
    /// The service's error for an answer that is not a success.
    pub(crate) fn error(&self) -> Error {
        let body: blueconic_api::types::ErrorBody =
            serde_json::from_slice(&self.bytes).unwrap_or_default();
        Error::Api(Box::new(body.into_api_error(self.status, &self.headers)))
    }
}

/// How a raw request is retried by the transport.
pub(crate) enum Retries {
    /// As the client is configured.
    Configured,
    /// Never: the caller decides (the bulk writer, which knows which batches are safe to repeat).
    Never,
}

/// Sends `method` to `{base}{path}` (`path` already encoded) with `query` and an optional JSON body.
pub(crate) async fn send(
    client: &Client,
    method: Method,
    path: &str,
    query: &[(&str, String)],
    body: Option<Vec<u8>>,
    operation: &'static str,
    retries: Retries,
) -> Result<Answer> {
    let api = client.api()?;
    let url = format!("{}{path}", api.baseurl());
    let http = api.client();
    let mut builder = http
        .request(method, url)
        .header(reqwest::header::ACCEPT, "application/json")
        .query(query);
    if let Some(body) = body {
        builder = builder
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
    }
    let mut request = builder.build().map_err(|e| Error::InvalidInput {
        field: None,
        message: e.to_string(),
    })?;
    let inner = match retries {
        Retries::Configured => api.inner().clone(),
        Retries::Never => api.inner().clone().with_retry(RetryPolicy::none()),
    };
    inner
        .prepare(http, &mut request)
        .await
        .map_err(|e| Error::Auth {
            service: SERVICE,
            message: e.to_string(),
        })?;
    let response = inner
        .execute(http, request, operation)
        .await
        .map_err(|source| Error::from_transport(SERVICE, source))?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = inner
        .read_body(response)
        .await
        .map_err(|source| Error::from_transport(SERVICE, source))?;
    Ok(Answer {
        status,
        headers,
        bytes: bytes.to_vec(),
    })
}
