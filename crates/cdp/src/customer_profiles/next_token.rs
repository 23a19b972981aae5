//! The listings of Customer Profiles that page with AWS's `NextToken` (profile search, segment
//! definitions), paged by one piece of code: each says how to fetch the page after a token, and this
//! answers its [`Pager::page`] and makes its stream.

use std::future::Future;

use futures::FutureExt as _;
use futures::future::BoxFuture;

use super::errors::SERVICE;
use crate::pagination::{self, Page, PageRef, PageStream, Pager};
use crate::{Error, Result};

/// A listing whose pages are chained by `NextToken`.
pub(crate) trait NextTokenListing: Clone + Send + Sync + 'static {
    /// What the listing holds.
    type Item: Send + 'static;

    /// What is listed, for messages ("profile searches").
    const LISTING: &'static str;

    /// The page after `token`; the first page when `None`.
    fn fetch(&self, token: Option<String>)
    -> impl Future<Output = Result<Page<Self::Item>>> + Send;
}

/// The page of `listing` at `at` (its first when `None`): what each listing's [`Pager::page`] does.
pub(crate) fn page<L: NextTokenListing>(
    listing: &L,
    at: Option<PageRef>,
) -> BoxFuture<'static, Result<Page<L::Item>>> {
    let listing = listing.clone();
    async move {
        let token = match at {
            None => None,
            Some(PageRef::Token(token)) => Some(token),
            // Only a caller's own use of the `Pager` can ask so: streams hand back the service's tokens.
            Some(other) => {
                return Err(Error::Pagination {
                    service: SERVICE,
                    message: format!("{} page by token, not by {other}", L::LISTING),
                });
            }
        };
        listing.fetch(token).await
    }
    .boxed()
}

/// Every item of `listing`, following `NextToken` from `start` (its first page when `None`), the next
/// page fetched while the current one is consumed.
pub(crate) fn stream<L: Pager>(listing: L, start: Option<String>) -> PageStream<L::Item> {
    pagination::stream_from(listing, true, start.map(PageRef::Token))
}
