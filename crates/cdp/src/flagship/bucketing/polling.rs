//! Keeping the bucketing file fresh: a conditional `GET` with `If-Modified-Since` on an interval; a 304
//! means "unchanged", and when a refresh fails (an error status, a dropped connection, garbage, a
//! timeout) the last good file stays in use.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use flagship_api::Error as ApiError;

use super::Bucketing;
use crate::flagship::builder::timed_out;
use crate::flagship::events::{Hook, Level};
use crate::{Error, Result};

/// The file in use and the `Last-Modified` it came with.
#[derive(Debug, Default)]
struct Current {
    file: Option<Arc<Bucketing>>,
    last_modified: Option<String>,
}

/// Downloads the bucketing file and keeps the last good one.
#[derive(Debug)]
pub(crate) struct Poller {
    cdn: flagship_api::Client,
    env_id: String,
    timeout: Duration,
    hook: Hook,
    current: Mutex<Current>,
}

impl Poller {
    pub(crate) fn new(
        cdn: flagship_api::Client,
        env_id: String,
        timeout: Duration,
        hook: Hook,
    ) -> Self {
        Self {
            cdn,
            env_id,
            timeout,
            hook,
            current: Mutex::new(Current::default()),
        }
    }

    /// The file in use, if one was ever downloaded.
    pub(crate) fn current(&self) -> Option<Arc<Bucketing>> {
        self.lock().file.clone()
    }

    /// Polls every `interval` until the task is aborted (when the last `Flagship` handle is dropped).
    pub(crate) async fn poll(poller: Arc<Self>, interval: Duration) {
        loop {
            tokio::time::sleep(interval).await;
            // A failure is logged and the last good file kept; the next poll tries again.
            let _ = poller.refresh().await;
        }
    }

    /// One conditional download: `Ok(true)` for a new file, `Ok(false)` for a 304.
    pub(crate) async fn refresh(&self) -> Result<bool> {
        let since = self.lock().last_modified.clone();
        let mut request = self.cdn.get_bucketing_file().env_id(&self.env_id);
        if let Some(since) = since {
            request = request.if_modified_since(since);
        }
        let request = request.send();
        let answer = match tokio::time::timeout(self.timeout, request).await {
            Ok(answer) => answer,
            Err(_) => {
                let message = format!(
                    "the bucketing file did not arrive within {:?}; the last good file stays in use",
                    self.timeout
                );
                self.hook.error(message);
                return Err(timed_out(self.timeout));
            }
        };
        match answer {
            Ok(response) => {
                let last_modified = response
                    .headers()
                    .get(reqwest::header::LAST_MODIFIED)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let file = Bucketing::from_file(&response.into_inner());
                for warning in file.warnings() {
                    self.hook.warn(warning.clone());
                }
                let mut current = self.lock();
                current.file = Some(Arc::new(file));
                current.last_modified = last_modified;
                Ok(true)
            }
            Err(ApiError::UnexpectedResponse(response))
                if response.status() == reqwest::StatusCode::NOT_MODIFIED =>
            {
                self.hook
                    .emit(Level::Info, "the bucketing file is unchanged (304)");
                Ok(false)
            }
            Err(error) => {
                let error = Error::from(error);
                self.hook.error(format!(
                    "the bucketing file could not be refreshed ({error}); the last good file stays in use"
                ));
                Err(error)
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, Current> {
        self.current.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
