//! Customer documents as JSON, for what the typed client would lose: members the model does not know.
//! The calls go through the same transport (auth, retries, tracing) as the generated client's.

use cdp_transport::path::segment;
use contacthub_api::ClientInfo as _;
use reqwest::Method;
use serde_json::Value;

use super::Node;
use crate::{DecodeError, Error, Result, ServiceErrorBody};

const SERVICE: &str = "ContactHub";

impl Node {
    /// `method` on one customer's document, with a JSON body or none, answering its JSON.
    pub(crate) async fn customer_json(
        &self,
        method: Method,
        customer_id: &str,
        body: Option<&Value>,
        operation: &'static str,
    ) -> Result<Value> {
        self.customer_answer(method, customer_id, body, operation, |status, bytes| {
            serde_json::from_slice(bytes).map_err(|e| {
                Error::Decode(Box::new(DecodeError::new(
                    SERVICE,
                    Some(status),
                    None,
                    e.to_string(),
                    bytes,
                )))
            })
        })
        .await
    }

    /// [`customer_json`](Self::customer_json) handing the status and bytes of a successful answer to
    /// `decode`, for a caller that decodes them once, straight into its own form.
    pub(crate) async fn customer_answer<R>(
        &self,
        method: Method,
        customer_id: &str,
        body: Option<&Value>,
        operation: &'static str,
        decode: impl FnOnce(u16, &[u8]) -> Result<R>,
    ) -> Result<R> {
        let api = self.api()?;
        let url = format!(
            "{}/workspaces/{}/customers/{}",
            api.baseurl(),
            segment("workspaceId", self.workspace().id())?,
            segment("customerId", customer_id)?
        );
        let http = api.client();
        let mut builder = http
            .request(method, url)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(body) = body {
            builder = builder.json(body);
        }
        let mut request = builder.build().map_err(|e| Error::InvalidInput {
            field: None,
            message: e.to_string(),
        })?;
        api.inner()
            .prepare(http, &mut request)
            .await
            .map_err(|e| Error::Auth {
                service: SERVICE,
                message: e.to_string(),
            })?;
        let response = api
            .inner()
            .execute(http, request, operation)
            .await
            .map_err(|source| Error::from_transport(SERVICE, source))?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = api
            .inner()
            .read_body(response)
            .await
            .map_err(|source| Error::from_transport(SERVICE, source))?;
        if !status.is_success() {
            // The transport has made any error body a JSON object; all its members are optional.
            let body: contacthub_api::types::ApiError =
                serde_json::from_slice(&bytes).unwrap_or_default();
            return Err(Error::Api(Box::new(
                body.into_api_error(status.as_u16(), &headers),
            )));
        }
        decode(status.as_u16(), &bytes)
    }
}
