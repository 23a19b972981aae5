//! Activation: telling Flagship that a visitor saw a flag's variation (`POST /v2/activate`).

use super::builder::{SDK_CLIENT, SDK_VERSION};
use super::visitor::Visitor;
use crate::{Error, Result};

impl Visitor {
    /// Reports that the visitor saw flag `key`: `POST /v2/activate` with `vid`, `aid` (the anonymous id,
    /// when authenticated), `cid` (the environment), `caid` (the variation group) and `vaid` (the
    /// variation), as the SDK sends it. Nothing is sent in panic mode or for a flag the visitor does not
    /// have (the latter with a warning). `Err` when the activation could not be delivered (after the
    /// transport's retries, within the timeout: then [`Error::is_timeout`]); the hook is told too.
    ///
    /// ```no_run
    /// # async fn run(visitor: cdp::flagship::Visitor) -> cdp::Result<()> {
    /// visitor.activate("btnColor").await?;
    /// # Ok(()) }
    /// ```
    pub async fn activate(&self, key: &str) -> Result<()> {
        let shared = &self.fs.shared;
        if self.decision.is_panic() {
            return Ok(());
        }
        let Some(info) = self.decision.info(key) else {
            shared.hook.warn(format!(
                "visitor `{}` has no flag `{key}`: nothing to activate",
                self.id
            ));
            return Ok(());
        };
        let request = shared
            .decision
            .activate()
            .x_sdk_client(SDK_CLIENT)
            .x_sdk_version(SDK_VERSION)
            .body_map(|b| {
                b.vid(Some(self.id.clone()))
                    .aid(self.anonymous_id.clone())
                    .cid(shared.env_id.clone())
                    .caid(Some(info.variation_group_id.clone()))
                    .vaid(Some(info.variation_id.clone()))
            })
            .send();
        let result = match shared.within(request).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(error)) => Err(Error::from(error)),
            Err(timeout) => Err(timeout),
        };
        if let Err(error) = &result {
            shared.hook.error(format!(
                "the activation of `{key}` for visitor `{}` failed: {error}",
                self.id
            ));
        }
        result
    }
}
