//! Listings that come a page at a time, as pages or as one stream of items.
//!
//! The three ways the services page are one [`Page`] type with three constructors: numbered pages with
//! totals ([`Page::numbered`], ContactHub), a cursor ([`Page::cursor`], BlueConic) and a next token
//! ([`Page::token`], AWS). A [`Pager`] fetches the page at a [`PageRef`]; [`stream`] turns it into a
//! `Stream` of items that holds one page in memory, plus the next one when prefetching.

use std::collections::{HashSet, VecDeque};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use futures::{FutureExt as _, Stream};
use tokio::task::JoinHandle;

use crate::{Error, Result};

/// Where a page is: its number, or the cursor or token the previous page gave.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PageRef {
    /// A 0-based page number.
    Number(u64),
    /// An opaque cursor.
    Cursor(String),
    /// An opaque next-page token.
    Token(String),
}

/// One page of a listing, with what the service says about the whole listing.
///
/// ```
/// use cdp::pagination::{Page, PageRef};
///
/// let page = Page::numbered(vec!["a", "b"], 1, 2, Some(5), Some(3));
/// assert_eq!(page.next(), Some(&PageRef::Number(2)));
/// assert_eq!(page.previous(), Some(&PageRef::Number(0)));
/// assert_eq!(page.total_items(), Some(5));
/// ```
#[derive(Clone, Debug)]
pub struct Page<T> {
    items: Vec<T>,
    number: Option<u64>,
    size: Option<u64>,
    total_items: Option<u64>,
    total_pages: Option<u64>,
    next: Option<PageRef>,
    previous: Option<PageRef>,
}

impl<T> Page<T> {
    /// Page `number` (0-based) of `size` items, of `total_pages`; the next page is the following number
    /// while there is one.
    pub fn numbered(
        items: Vec<T>,
        number: u64,
        size: u64,
        total_items: Option<u64>,
        total_pages: Option<u64>,
    ) -> Self {
        let next = match total_pages {
            // An empty page ends the listing whatever the totals say, so a wrong total cannot make a
            // stream fetch empty pages for ever.
            _ if items.is_empty() => None,
            Some(pages) => (number + 1 < pages).then_some(PageRef::Number(number + 1)),
            // Without totals, a full page may have a successor.
            None => (size > 0 && items.len() as u64 >= size).then_some(PageRef::Number(number + 1)),
        };
        let previous = number.checked_sub(1).map(PageRef::Number);
        Self {
            items,
            number: Some(number),
            size: Some(size),
            total_items,
            total_pages,
            next,
            previous,
        }
    }

    /// A page whose successor is found with `next_cursor` (absent or empty on the last page).
    pub fn cursor(items: Vec<T>, next_cursor: Option<String>, total_items: Option<u64>) -> Self {
        let next = next_cursor.filter(|c| !c.is_empty()).map(PageRef::Cursor);
        Self {
            items,
            number: None,
            size: None,
            total_items,
            total_pages: None,
            next,
            previous: None,
        }
    }

    /// A page whose successor is found with `next_token` (absent or empty on the last page).
    pub fn token(items: Vec<T>, next_token: Option<String>) -> Self {
        let next = next_token.filter(|t| !t.is_empty()).map(PageRef::Token);
        Self {
            items,
            number: None,
            size: None,
            total_items: None,
            total_pages: None,
            next,
            previous: None,
        }
    }

    /// The items of this page.
    pub fn items(&self) -> &[T] {
        &self.items
    }

    /// The items, owned.
    pub fn into_items(self) -> Vec<T> {
        self.items
    }

    /// This page's number (numbered pages).
    pub fn number(&self) -> Option<u64> {
        self.number
    }

    /// The page size asked for (numbered pages).
    pub fn size(&self) -> Option<u64> {
        self.size
    }

    /// Items in the whole listing, when the service says.
    pub fn total_items(&self) -> Option<u64> {
        self.total_items
    }

    /// Pages in the whole listing, when the service says.
    pub fn total_pages(&self) -> Option<u64> {
        self.total_pages
    }

    /// Where the next page is; `None` on the last.
    pub fn next(&self) -> Option<&PageRef> {
        self.next.as_ref()
    }

    /// Where the previous page is (numbered pages).
    pub fn previous(&self) -> Option<&PageRef> {
        self.previous.as_ref()
    }

    /// The same page with its items converted.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            number: self.number,
            size: self.size,
            total_items: self.total_items,
            total_pages: self.total_pages,
            next: self.next,
            previous: self.previous,
        }
    }
}

/// Fetches the pages of one listing.
///
/// ```
/// use cdp::pagination::{Page, PageRef, Pager};
/// use futures::future::{BoxFuture, FutureExt};
///
/// /// Ten numbers, three to a page.
/// struct Numbers;
///
/// impl Pager for Numbers {
///     type Item = u64;
///     fn service(&self) -> &'static str { "example" }
///     fn page(&self, at: Option<PageRef>) -> BoxFuture<'static, cdp::Result<Page<u64>>> {
///         let n = match at { Some(PageRef::Number(n)) => n, _ => 0 };
///         let items = (n * 3..(n * 3 + 3).min(10)).collect();
///         async move { Ok(Page::numbered(items, n, 3, Some(10), Some(4))) }.boxed()
///     }
/// }
/// ```
pub trait Pager: Send + Sync + 'static {
    /// What the listing holds.
    type Item: Send + 'static;

    /// The service, for error messages.
    fn service(&self) -> &'static str;

    /// The page at `at`; the first page when `None`.
    fn page(&self, at: Option<PageRef>) -> BoxFuture<'static, Result<Page<Self::Item>>>;
}

/// Every item of a listing, page after page. With `prefetch`, the next page is fetched in the background
/// (a Tokio task, so a Tokio runtime is needed) while the items of the current one are consumed; memory
/// holds at most those two pages. A page
/// reference that comes back a second time ends the stream with [`Error::Pagination`] rather than looping.
///
/// ```no_run
/// # async fn run(pager: impl cdp::pagination::Pager<Item = u64>) -> cdp::Result<()> {
/// use futures::TryStreamExt;
///
/// let all: Vec<u64> = cdp::pagination::stream(pager, true).try_collect().await?;
/// # let _ = all; Ok(()) }
/// ```
pub fn stream<P: Pager>(pager: P, prefetch: bool) -> PageStream<P::Item> {
    PageStream {
        service: pager.service(),
        pager: std::sync::Arc::new(pager),
        prefetch,
        items: VecDeque::new(),
        fetching: None,
        background: None,
        next: Some(None),
        seen: HashSet::new(),
        done: false,
    }
}

type Fetch<T> = Pin<Box<dyn std::future::Future<Output = Result<Page<T>>> + Send>>;

/// The stream [`stream`] returns. Dropping it stops a page fetch under way in the background.
#[must_use = "streams do nothing unless polled"]
pub struct PageStream<T: Send + 'static> {
    service: &'static str,
    pager: std::sync::Arc<dyn PagerObject<T>>,
    prefetch: bool,
    items: VecDeque<T>,
    fetching: Option<Fetch<T>>,
    /// The task fetching in the background, aborted when the stream is dropped.
    background: Option<tokio::task::AbortHandle>,
    /// The page to fetch after the one in flight: `Some(None)` is the first page, `None` the end.
    next: Option<Option<PageRef>>,
    /// Cursors and tokens handed out so far (page numbers only grow, so they need no guard).
    seen: HashSet<PageRef>,
    done: bool,
}

impl<T: Send + 'static> Drop for PageStream<T> {
    fn drop(&mut self) {
        if let Some(task) = &self.background {
            task.abort();
        }
    }
}

/// `Pager` without its associated type in the way of a trait object.
trait PagerObject<T>: Send + Sync {
    fn fetch(&self, at: Option<PageRef>) -> BoxFuture<'static, Result<Page<T>>>;
}

impl<P: Pager> PagerObject<P::Item> for P {
    fn fetch(&self, at: Option<PageRef>) -> BoxFuture<'static, Result<Page<P::Item>>> {
        self.page(at)
    }
}

impl<T: Send + 'static> PageStream<T> {
    /// Starts fetching the next page, in the background when prefetching.
    fn start_fetch(&mut self) -> Result<()> {
        let Some(at) = self.next.take() else {
            return Ok(());
        };
        if let Some(reference @ (PageRef::Cursor(_) | PageRef::Token(_))) = &at
            && !self.seen.insert(reference.clone())
        {
            return Err(Error::Pagination {
                service: self.service,
                message: format!("the page {reference:?} was handed out twice"),
            });
        }
        let fetch = self.pager.fetch(at);
        self.fetching = Some(if self.prefetch {
            let handle: JoinHandle<Result<Page<T>>> = tokio::spawn(fetch);
            self.background = Some(handle.abort_handle());
            let service = self.service;
            Box::pin(handle.map(move |joined| {
                joined.unwrap_or_else(|e| {
                    Err(Error::Pagination {
                        service,
                        message: format!("page fetch ended: {e}"),
                    })
                })
            }))
        } else {
            fetch
        });
        Ok(())
    }
}

// No field is ever pinned in place: the fetch futures are boxed.
impl<T: Send + 'static> Unpin for PageStream<T> {}

impl<T: Send + 'static> Stream for PageStream<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            if this.fetching.is_none()
                && (this.items.is_empty() || this.prefetch)
                && let Err(e) = this.start_fetch()
            {
                this.done = true;
                return Poll::Ready(Some(Err(e)));
            }
            if let Some(item) = this.items.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            let Some(fetching) = this.fetching.as_mut() else {
                this.done = true;
                return Poll::Ready(None);
            };
            match fetching.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => {
                    this.done = true;
                    this.fetching = None;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(Ok(page)) => {
                    this.fetching = None;
                    this.background = None;
                    this.next = page.next.clone().map(Some);
                    this.items.extend(page.items);
                }
            }
        }
    }
}

impl<T: Send + 'static> std::fmt::Debug for PageStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageStream")
            .field("service", &self.service)
            .field("prefetch", &self.prefetch)
            .field("buffered", &self.items.len())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use futures::{StreamExt as _, TryStreamExt as _};

    use super::*;

    /// `total` numbers in pages of `size`, by number, cursor or token; counts the pages fetched.
    struct Numbers {
        total: u64,
        size: u64,
        style: &'static str,
        fetched: Arc<AtomicU64>,
        fail_at: Option<u64>,
        stuck: bool,
    }

    impl Numbers {
        fn new(total: u64, size: u64, style: &'static str) -> Self {
            Self {
                total,
                size,
                style,
                fetched: Arc::default(),
                fail_at: None,
                stuck: false,
            }
        }
    }

    impl Pager for Numbers {
        type Item = u64;

        fn service(&self) -> &'static str {
            "test"
        }

        fn page(&self, at: Option<PageRef>) -> BoxFuture<'static, Result<Page<u64>>> {
            self.fetched.fetch_add(1, Ordering::SeqCst);
            let n = match &at {
                None => 0,
                Some(PageRef::Number(n)) => *n,
                Some(PageRef::Cursor(c) | PageRef::Token(c)) => c.parse().unwrap_or(0),
            };
            let (size, total, style, fail, stuck) = (
                self.size,
                self.total,
                self.style,
                self.fail_at == Some(n),
                self.stuck,
            );
            async move {
                if fail {
                    return Err(Error::invalid_input("page", "failed on purpose"));
                }
                let items: Vec<u64> = (n * size..((n + 1) * size).min(total)).collect();
                let pages = total.div_ceil(size);
                let following = if stuck {
                    Some(n.to_string())
                } else {
                    (n + 1 < pages).then(|| (n + 1).to_string())
                };
                Ok(match style {
                    "number" => Page::numbered(items, n, size, Some(total), Some(pages)),
                    "cursor" => Page::cursor(items, following, Some(total)),
                    _ => Page::token(items, following),
                })
            }
            .boxed()
        }
    }

    #[tokio::test]
    async fn every_item_once_in_order_for_each_strategy_with_and_without_prefetch() {
        for style in ["number", "cursor", "token"] {
            for prefetch in [false, true] {
                for (total, size) in [(0, 5), (1, 5), (10, 5), (11, 5), (97, 10)] {
                    let all: Vec<u64> = stream(Numbers::new(total, size, style), prefetch)
                        .try_collect()
                        .await
                        .unwrap();
                    assert_eq!(
                        all,
                        (0..total).collect::<Vec<_>>(),
                        "{style} prefetch={prefetch} {total}/{size}"
                    );
                }
            }
        }
    }

    #[tokio::test]
    async fn prefetch_fetches_at_most_one_page_ahead() {
        let pager = Numbers::new(100, 10, "cursor");
        let fetched = pager.fetched.clone();
        let mut items = stream(pager, true);
        let first = items.try_next().await.unwrap();
        assert_eq!(first, Some(0));
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert!(
            fetched.load(Ordering::SeqCst) <= 2,
            "page 1 and at most the next one"
        );
        let without = Numbers::new(100, 10, "cursor");
        let fetched = without.fetched.clone();
        let mut items = stream(without, false);
        items.try_next().await.unwrap();
        assert_eq!(
            fetched.load(Ordering::SeqCst),
            1,
            "without prefetch, only the page being read"
        );
    }

    #[tokio::test]
    async fn a_failing_page_ends_the_stream_with_its_error() {
        let mut pager = Numbers::new(30, 10, "number");
        pager.fail_at = Some(1);
        let results: Vec<Result<u64>> = stream(pager, false).collect::<Vec<_>>().await;
        assert_eq!(results.len(), 11, "ten items, then the error, then the end");
        assert!(results[..10].iter().all(Result::is_ok));
        assert!(results[10].is_err());
    }

    #[tokio::test]
    async fn a_page_handed_out_twice_ends_the_stream_instead_of_looping() {
        let mut pager = Numbers::new(30, 10, "cursor");
        pager.stuck = true;
        let results: Vec<Result<u64>> = stream(pager, true).collect::<Vec<_>>().await;
        let err = results.last().unwrap().as_ref().unwrap_err();
        assert!(matches!(err, Error::Pagination { .. }), "{err:?}");
        assert!(results.len() < 40);
    }

    #[tokio::test]
    async fn dropping_the_stream_stops_the_background_fetch() {
        /// Its second page never finishes; the flag says whether the fetch was dropped.
        struct Slow(Arc<std::sync::atomic::AtomicBool>);
        impl Pager for Slow {
            type Item = u64;
            fn service(&self) -> &'static str {
                "test"
            }
            fn page(&self, at: Option<PageRef>) -> BoxFuture<'static, Result<Page<u64>>> {
                let dropped = self.0.clone();
                async move {
                    if at.is_none() {
                        return Ok(Page::numbered(vec![1], 0, 1, Some(2), Some(2)));
                    }
                    struct OnDrop(Arc<std::sync::atomic::AtomicBool>);
                    impl Drop for OnDrop {
                        fn drop(&mut self) {
                            self.0.store(true, Ordering::SeqCst);
                        }
                    }
                    let _guard = OnDrop(dropped);
                    std::future::pending::<()>().await;
                    Ok(Page::numbered(vec![], 1, 1, Some(2), Some(2)))
                }
                .boxed()
            }
        }
        let dropped = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut items = stream(Slow(dropped.clone()), true);
        assert_eq!(items.try_next().await.unwrap(), Some(1));
        tokio::task::yield_now().await;
        drop(items);
        for _ in 0..50 {
            if dropped.load(Ordering::SeqCst) {
                return;
            }
            tokio::task::yield_now().await;
        }
        panic!("the background fetch kept running after the stream was dropped");
    }

    #[test]
    fn page_references_and_totals() {
        let empty = Page::<u8>::numbered(vec![], 3, 10, Some(100), Some(10));
        assert_eq!(empty.next(), None, "an empty page ends the listing");
        let last = Page::numbered(vec![1, 2], 3, 2, Some(8), Some(4));
        assert_eq!(last.next(), None);
        assert_eq!(last.previous(), Some(&PageRef::Number(2)));
        let first = Page::numbered(vec![1, 2], 0, 2, Some(8), Some(4));
        assert_eq!(first.previous(), None);
        let untotalled = Page::numbered(vec![1, 2], 0, 2, None, None);
        assert_eq!(
            untotalled.next(),
            Some(&PageRef::Number(1)),
            "a full page without totals may have a successor"
        );
        assert_eq!(Page::<u8>::numbered(vec![], 0, 2, None, None).next(), None);
        assert_eq!(
            Page::cursor(vec![1], Some(String::new()), None).next(),
            None,
            "an empty cursor is the end"
        );
        assert_eq!(
            Page::token(vec![1], Some("t".into())).next(),
            Some(&PageRef::Token("t".into()))
        );
        let mapped = Page::numbered(vec![1, 2], 1, 2, Some(4), Some(2)).map(|n| n * 10);
        assert_eq!(mapped.items(), &[10, 20]);
        assert_eq!(mapped.total_pages(), Some(2));
    }
}
