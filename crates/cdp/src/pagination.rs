//! Listings that come a page at a time, as pages or as one stream of items.
//!
//! The three ways the services page are one [`Page`] type with three constructors: numbered pages with
//! totals ([`Page::numbered`], ContactHub), a cursor ([`Page::cursor`], BlueConic) and a next token
//! ([`Page::token`], AWS). A [`Pager`] fetches the page at a [`PageRef`]; [`stream`] turns it into a
//! `Stream` of items, in order, that fetches pages ahead while they are read: several at once for
//! numbered pages whose count is known ([`PageStream::concurrency`]), one for cursors and tokens, which
//! are only known when the page before them arrives.
//!
//! A stream checks what the service says rather than trusting it: a page that is not the one asked for,
//! a page that repeats the one before, items past the stated total, or a page past the stated page count
//! stop it with [`Error::Pagination`]. Items are decoded one by one by the services' pagers: an item that
//! does not decode comes out of the stream as an [`Error::Decode`] carrying its index, id and raw JSON,
//! and the items after it still come. A stream that stops (a page it could not get or could not trust)
//! ends with [`Error::StreamStopped`], which carries the [`PageRef`] to pick the listing up again from.

use std::collections::{HashSet, VecDeque};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use futures::stream::FuturesOrdered;
use futures::{FutureExt as _, Stream, StreamExt as _};
use tokio::task::JoinHandle;

use crate::{DecodeError, Error, Result};

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

impl std::fmt::Display for PageRef {
    /// `page 3`, `cursor abc`, `token abc`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Number(n) => write!(f, "page {n}"),
            Self::Cursor(c) => write!(f, "cursor {c}"),
            Self::Token(t) => write!(f, "token {t}"),
        }
    }
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
    /// The items that did not decode, each with its place in this page.
    failed: Vec<(usize, DecodeError)>,
    /// A digest of the items' identities, to see a page served twice.
    digest: Option<u64>,
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
            failed: Vec::new(),
            digest: None,
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
            failed: Vec::new(),
            digest: None,
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
            failed: Vec::new(),
            digest: None,
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

    /// The same page, with the items that did not decode: each with its place in the page (counting the
    /// decoded items too) and its error. They are kept in order of place.
    ///
    /// ```
    /// use cdp::pagination::Page;
    ///
    /// let bad = cdp::DecodeError::for_item("example", 1, Some("b".into()), "not a name", br#"{"id":"b"}"#);
    /// let page = Page::numbered(vec!["a", "c"], 0, 3, Some(3), Some(1)).with_failed(vec![(1, bad)]);
    /// assert_eq!(page.items(), &["a", "c"]);
    /// assert_eq!(page.failed()[0].id.as_deref(), Some("b"));
    /// ```
    pub fn with_failed(mut self, mut failed: Vec<(usize, DecodeError)>) -> Self {
        failed.sort_by_key(|(place, _)| *place);
        self.failed = failed;
        self
    }

    /// The same page, with a digest of its items' identities (their ids, say): a stream that receives two
    /// pages in a row with the same digest stops, since the service served one page twice.
    ///
    /// ```
    /// let page = cdp::pagination::Page::cursor(vec![1, 2], None, None).with_digest(42);
    /// assert_eq!(page.digest(), Some(42));
    /// ```
    pub fn with_digest(mut self, digest: u64) -> Self {
        self.digest = Some(digest);
        self
    }

    /// The items of this page that did not decode (each with its index in the listing, its id when it
    /// has one, and its raw JSON); the others are in [`items`](Page::items).
    ///
    /// ```
    /// let page = cdp::pagination::Page::token(vec![1, 2], None);
    /// assert!(page.failed().is_empty());
    /// ```
    pub fn failed(&self) -> Vec<&DecodeError> {
        self.failed.iter().map(|(_, e)| e).collect()
    }

    /// The digest of the items' identities, when the pager gave one.
    ///
    /// ```
    /// assert_eq!(cdp::pagination::Page::token(vec![1], None).digest(), None);
    /// ```
    pub fn digest(&self) -> Option<u64> {
        self.digest
    }

    /// Items and failures, in page order.
    fn into_results(self) -> impl Iterator<Item = Result<T>> {
        let mut failed = self.failed.into_iter().peekable();
        let mut items = self.items.into_iter();
        let mut place = 0;
        std::iter::from_fn(move || {
            let result = match failed.peek() {
                Some((at, _)) if *at <= place => {
                    failed.next().map(|(_, e)| Err(Error::Decode(Box::new(e))))
                }
                _ => items.next().map(Ok),
            }
            // Failures placed past the last item still come out.
            .or_else(|| failed.next().map(|(_, e)| Err(Error::Decode(Box::new(e)))));
            place += 1;
            result
        })
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
            failed: self.failed,
            digest: self.digest,
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

/// How many pages a stream of a numbered listing fetches at once unless told otherwise
/// ([`PageStream::concurrency`]).
pub const DEFAULT_CONCURRENCY: usize = 4;

/// The most pages a stream fetches at once: a bound on the requests a listing sends together and on the
/// pages it holds.
pub const MAX_CONCURRENCY: usize = 32;

/// Every item of a listing, page after page, from its first page. With `prefetch`, pages are fetched in
/// the background (Tokio tasks, so a Tokio runtime is needed) while the items of the current one are
/// consumed.
///
/// How far ahead depends on how the listing pages. Numbered pages with a stated page count
/// ([`Page::numbered`] with totals) are known in advance: once the first page has said how many there
/// are, up to [`concurrency`](PageStream::concurrency) pages ([`DEFAULT_CONCURRENCY`] unless set) are
/// fetched at once, and their items still come in page order. A cursor or a token is only known when
/// the page before it arrives, so those listings (and numbered pages without totals) keep one page in
/// flight. Memory holds at most the pages in flight or waiting, plus the one being read.
///
/// What the service says is checked (see the [module](self) documentation): a page reference that comes
/// back a second time, a page that is not the one asked for or repeats the one before, items past the
/// stated total, end the stream with [`Error::StreamStopped`] rather than looping, duplicating or ending
/// silently; the pages fetched ahead of it are dropped unread.
///
/// ```no_run
/// # async fn run(pager: impl cdp::pagination::Pager<Item = u64>) -> cdp::Result<()> {
/// use futures::TryStreamExt;
///
/// let all: Vec<u64> = cdp::pagination::stream(pager, true).try_collect().await?;
/// # let _ = all; Ok(()) }
/// ```
pub fn stream<P: Pager>(pager: P, prefetch: bool) -> PageStream<P::Item> {
    stream_from(pager, prefetch, None)
}

/// Like [`stream`], from the page at `start` (the first page when `None`): where a stream that stopped
/// said to resume ([`Error::resume_from`]).
///
/// ```no_run
/// # async fn run(pager: impl cdp::pagination::Pager<Item = u64> + Clone) -> cdp::Result<()> {
/// use futures::StreamExt;
///
/// let mut items = cdp::pagination::stream(pager.clone(), true);
/// while let Some(item) = items.next().await {
///     if let Err(e) = item {
///         if let Some(at) = e.resume_from() {
///             let rest = cdp::pagination::stream_from(pager, true, Some(at.clone()));
///             # let _ = rest;
///         }
///         break;
///     }
/// }
/// # Ok(()) }
/// ```
pub fn stream_from<P: Pager>(
    pager: P,
    prefetch: bool,
    start: Option<PageRef>,
) -> PageStream<P::Item> {
    PageStream {
        service: pager.service(),
        pager: std::sync::Arc::new(pager),
        prefetch,
        concurrency: DEFAULT_CONCURRENCY,
        checked: false,
        items: VecDeque::new(),
        window: FuturesOrdered::new(),
        asked: VecDeque::new(),
        next: Some(start),
        last_page: None,
        seen: HashSet::new(),
        last_digest: None,
        done: false,
    }
}

type Fetch<T> = Pin<Box<dyn std::future::Future<Output = Result<Page<T>>> + Send>>;

/// The stream [`stream`] returns. Dropping it stops the page fetches under way in the background.
#[must_use = "streams do nothing unless polled"]
pub struct PageStream<T: Send + 'static> {
    service: &'static str,
    pager: std::sync::Arc<dyn PagerObject<T>>,
    prefetch: bool,
    /// The most pages asked for and not yet read.
    concurrency: usize,
    /// Whether `concurrency` was checked (on the first poll, so that the setter need not fail).
    checked: bool,
    /// The items of the page being read.
    items: VecDeque<Result<T>>,
    /// The pages asked for and not yet read, in page order, in flight or arrived.
    window: FuturesOrdered<Fetch<T>>,
    /// What each fetch of `window` asked for, in the same order (`None`: the first page).
    asked: VecDeque<Option<PageRef>>,
    /// The page to ask for after the window: `Some(None)` is the first page, `None` not known (yet).
    next: Option<Option<PageRef>>,
    /// The last page number the latest page's totals state: pages up to it can be asked for ahead.
    last_page: Option<u64>,
    /// Cursors and tokens handed out so far (page numbers are checked against the number asked for).
    seen: HashSet<PageRef>,
    /// The digest of the last page received, to see it served twice.
    last_digest: Option<u64>,
    done: bool,
}

impl<T: Send + 'static> PageStream<T> {
    /// At most `pages` pages asked for and not yet read, `1` to [`MAX_CONCURRENCY`]
    /// ([`DEFAULT_CONCURRENCY`] when not set). It applies to numbered listings whose page count is
    /// stated; with `1`, pages are fetched one at a time. Any other number ends the stream at once with
    /// [`Error::InvalidInput`], before anything is sent.
    ///
    /// ```no_run
    /// # async fn run(pager: impl cdp::pagination::Pager<Item = u64>) -> cdp::Result<()> {
    /// use futures::TryStreamExt;
    ///
    /// let all: Vec<u64> = cdp::pagination::stream(pager, true).concurrency(8).try_collect().await?;
    /// # let _ = all; Ok(()) }
    /// ```
    pub fn concurrency(mut self, pages: usize) -> Self {
        self.concurrency = pages;
        self
    }

    /// Asks for pages until the window is full or the next page is not known yet.
    fn fill(&mut self) {
        while self.window.len() < self.concurrency && (self.prefetch || self.items.is_empty()) {
            let Some(at) = self.next.take() else {
                return;
            };
            if let Some(reference @ (PageRef::Cursor(_) | PageRef::Token(_))) = &at {
                self.seen.insert(reference.clone());
            }
            // The page after this one is known now only when the totals say it exists.
            self.next = match (&at, self.last_page) {
                (Some(PageRef::Number(n)), Some(last)) if *n < last => {
                    Some(Some(PageRef::Number(n + 1)))
                }
                _ => None,
            };
            let fetch = self.pager.fetch(at.clone());
            self.asked.push_back(at);
            self.window.push_back(if self.prefetch {
                Box::pin(Background::spawn(fetch, self.service))
            } else {
                fetch
            });
        }
    }

    /// Learns from a page read in order where the listing goes on; an error when it goes back to a
    /// cursor or token it already handed out.
    fn follow(&mut self, page: &Page<T>) -> Option<Error> {
        let Some(following) = page.next.clone() else {
            // The last page: anything fetched past it is not part of the listing.
            self.drop_window();
            return None;
        };
        if matches!(following, PageRef::Cursor(_) | PageRef::Token(_))
            && self.seen.contains(&following)
        {
            self.drop_window();
            return Some(self.stopped_at(
                Some(following.clone()),
                format!("the page {following:?} was handed out twice"),
            ));
        }
        self.last_page = match (page.number, page.total_pages, &following) {
            (Some(number), Some(pages), PageRef::Number(n)) if *n == number.saturating_add(1) => {
                Some(pages.saturating_sub(1))
            }
            _ => None,
        };
        if self.asked.front() == Some(&Some(following.clone())) {
            // The window goes on from here; how far depends on the totals just read, which may have
            // grown or shrunk.
            self.next = match self.asked.back() {
                Some(Some(PageRef::Number(back))) if self.last_page.is_some_and(|l| l > *back) => {
                    Some(Some(PageRef::Number(back + 1)))
                }
                _ => None,
            };
        } else {
            self.drop_window();
            self.next = Some(Some(following));
        }
        None
    }

    /// Forgets the pages asked for ahead, stopping their fetches.
    fn drop_window(&mut self) {
        self.window = FuturesOrdered::new();
        self.asked.clear();
        self.next = None;
    }

    /// Ends the stream: nothing more is fetched, nothing fetched is kept.
    fn stop(&mut self) {
        self.done = true;
        self.drop_window();
        self.items.clear();
    }

    /// The error that ends the stream at `at`, for a page the service got wrong.
    fn stopped_at(&self, at: Option<PageRef>, message: String) -> Error {
        Error::StreamStopped {
            resume: at,
            source: Box::new(Error::Pagination {
                service: self.service,
                message,
            }),
        }
    }

    /// What is wrong with a page that arrived for `asked`, if anything.
    fn check(&self, asked: Option<&PageRef>, page: &Page<T>) -> Option<String> {
        let count = (page.items.len() + page.failed.len()) as u64;
        if let (Some(PageRef::Number(asked)), Some(number)) = (asked, page.number)
            && *asked != number
        {
            return Some(format!("asked for page {asked}, got page {number}"));
        }
        if count > 0
            && let (Some(digest), Some(last)) = (page.digest, self.last_digest)
            && digest == last
        {
            return Some("the service served the same page twice".to_owned());
        }
        let (Some(number), Some(size)) = (page.number, page.size) else {
            return None;
        };
        let reached = number.saturating_mul(size).saturating_add(count);
        if let Some(total) = page.total_items
            && reached > total
        {
            return Some(format!(
                "page {number} reaches item {reached}, past the stated total of {total}"
            ));
        }
        if let Some(pages) = page.total_pages {
            if count > 0 && number >= pages {
                return Some(format!(
                    "page {number} has items, but the listing has {pages} pages"
                ));
            }
            // A full last page while the total says more items follow: the totals disagree, and
            // ending here would drop items silently.
            if let Some(total) = page.total_items
                && count >= size
                && number.saturating_add(1) >= pages
                && total > number.saturating_add(1).saturating_mul(size)
            {
                return Some(format!(
                    "the listing has {pages} pages but {total} items of {size} a page"
                ));
            }
        }
        None
    }
}

/// A page fetched by a Tokio task, which is aborted when this is dropped: a stream dropped or stopped
/// leaves no fetch running.
struct Background<T: Send + 'static> {
    task: JoinHandle<Result<Page<T>>>,
    service: &'static str,
}

impl<T: Send + 'static> Background<T> {
    fn spawn(fetch: Fetch<T>, service: &'static str) -> Self {
        Self {
            task: tokio::spawn(fetch),
            service,
        }
    }
}

impl<T: Send + 'static> std::future::Future for Background<T> {
    type Output = Result<Page<T>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let service = self.service;
        self.task.poll_unpin(cx).map(|joined| {
            joined.unwrap_or_else(|e| {
                Err(Error::Pagination {
                    service,
                    message: format!("page fetch ended: {e}"),
                })
            })
        })
    }
}

impl<T: Send + 'static> Drop for Background<T> {
    fn drop(&mut self) {
        self.task.abort();
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

// No field is ever pinned in place: the fetch futures are boxed.
impl<T: Send + 'static> Unpin for PageStream<T> {}

impl<T: Send + 'static> Stream for PageStream<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if !this.checked {
            this.checked = true;
            if !(1..=MAX_CONCURRENCY).contains(&this.concurrency) {
                this.stop();
                return Poll::Ready(Some(Err(Error::invalid_input(
                    "concurrency",
                    format!("must be 1 to {MAX_CONCURRENCY}, not {}", this.concurrency),
                ))));
            }
        }
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            this.fill();
            if let Some(item) = this.items.pop_front() {
                return Poll::Ready(Some(item));
            }
            let fetched = match this.window.poll_next_unpin(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => {
                    this.done = true;
                    return Poll::Ready(None);
                }
                Poll::Ready(Some(fetched)) => fetched,
            };
            let asked = this.asked.pop_front().flatten();
            let page = match fetched {
                Ok(page) => page,
                Err(e) => {
                    this.stop();
                    return Poll::Ready(Some(Err(Error::StreamStopped {
                        resume: asked,
                        source: Box::new(e),
                    })));
                }
            };
            if let Some(message) = this.check(asked.as_ref(), &page) {
                this.stop();
                return Poll::Ready(Some(Err(this.stopped_at(asked, message))));
            }
            this.last_digest = page.digest;
            let stopped = this.follow(&page);
            this.items.extend(page.into_results());
            // A cursor that comes back ends the stream after the items of the page that gave it.
            this.items.extend(stopped.map(Err));
        }
    }
}

impl<T: Send + 'static> std::fmt::Debug for PageStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageStream")
            .field("service", &self.service)
            .field("prefetch", &self.prefetch)
            .field("concurrency", &self.concurrency)
            .field("pages_ahead", &self.window.len())
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

    /// `total` numbers in pages of `size`, by number, cursor or token; counts the pages fetched and
    /// the fetches under way.
    struct Numbers {
        total: u64,
        size: u64,
        style: &'static str,
        fetched: Arc<AtomicU64>,
        fail_at: Option<u64>,
        stuck: bool,
        /// How long page `n` takes, in milliseconds.
        delay: fn(u64) -> u64,
        /// The total that page `n` states (`total` when not set): a listing that changes as it is read.
        total_at: Option<fn(u64) -> u64>,
        in_flight: Arc<AtomicU64>,
        most_in_flight: Arc<AtomicU64>,
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
                delay: |_| 0,
                total_at: None,
                in_flight: Arc::default(),
                most_in_flight: Arc::default(),
            }
        }
    }

    /// Counts a fetch under way for as long as it lives.
    struct InFlight(Arc<AtomicU64>);

    impl Drop for InFlight {
        fn drop(&mut self) {
            self.0.fetch_sub(1, Ordering::SeqCst);
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
            let total = self.total_at.map_or(self.total, |at| at(n));
            let (size, style, fail, stuck) =
                (self.size, self.style, self.fail_at == Some(n), self.stuck);
            let delay = std::time::Duration::from_millis((self.delay)(n));
            let (in_flight, most) = (self.in_flight.clone(), self.most_in_flight.clone());
            async move {
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                let _counted = InFlight(in_flight);
                tokio::time::sleep(delay).await;
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
                for concurrency in [1, 2, 4, MAX_CONCURRENCY] {
                    for (total, size) in [(0, 5), (1, 5), (10, 5), (11, 5), (97, 10)] {
                        let all: Vec<u64> = stream(Numbers::new(total, size, style), prefetch)
                            .concurrency(concurrency)
                            .try_collect()
                            .await
                            .unwrap();
                        assert_eq!(
                            all,
                            (0..total).collect::<Vec<_>>(),
                            "{style} prefetch={prefetch} concurrency={concurrency} {total}/{size}"
                        );
                    }
                }
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn numbered_pages_are_fetched_n_at_once_and_come_in_order() {
        for prefetch in [true, false] {
            for concurrency in [1, 2, 4, 7] {
                let mut pager = Numbers::new(500, 10, "number");
                // Later pages answer sooner, so they arrive out of order.
                pager.delay = |n| 20 + 50u64.saturating_sub(n) * 3;
                let most = pager.most_in_flight.clone();
                let all: Vec<u64> = stream(pager, prefetch)
                    .concurrency(concurrency)
                    .try_collect()
                    .await
                    .unwrap();
                assert_eq!(all, (0..500).collect::<Vec<_>>(), "{concurrency}");
                assert_eq!(
                    most.load(Ordering::SeqCst),
                    concurrency as u64,
                    "prefetch={prefetch}: pages in flight at once"
                );
            }
        }
        // Cursors and tokens are only known page by page: one in flight whatever the setting.
        for style in ["cursor", "token"] {
            let pager = Numbers::new(100, 10, style);
            let most = pager.most_in_flight.clone();
            let all: Vec<u64> = stream(pager, true)
                .concurrency(8)
                .try_collect()
                .await
                .unwrap();
            assert_eq!(all.len(), 100);
            assert_eq!(most.load(Ordering::SeqCst), 1, "{style}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn memory_holds_at_most_n_pages_besides_the_one_being_read() {
        let pager = Numbers::new(1_000, 10, "number");
        let fetched = pager.fetched.clone();
        let mut items = stream(pager, true).concurrency(4);
        for read in 0..300u64 {
            assert_eq!(items.try_next().await.unwrap(), Some(read));
            // A slow reader: every fetch the stream may start has time to finish.
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            let pages_read = read / 10 + 1;
            assert!(
                fetched.load(Ordering::SeqCst) <= pages_read + 4,
                "item {read}: {} pages fetched",
                fetched.load(Ordering::SeqCst)
            );
        }
        assert_eq!(
            fetched.load(Ordering::SeqCst),
            30 + 4,
            "the window is kept full"
        );
    }

    #[tokio::test]
    async fn a_concurrency_out_of_range_is_refused_before_anything_is_sent() {
        for concurrency in [0, MAX_CONCURRENCY + 1, usize::MAX] {
            let pager = Numbers::new(30, 10, "number");
            let fetched = pager.fetched.clone();
            let results: Vec<Result<u64>> =
                stream(pager, true).concurrency(concurrency).collect().await;
            assert_eq!(results.len(), 1, "{concurrency}");
            assert!(
                matches!(&results[0], Err(Error::InvalidInput { field: Some(f), .. }) if f == "concurrency"),
                "{:?}",
                results[0]
            );
            assert_eq!(fetched.load(Ordering::SeqCst), 0);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_failing_page_ahead_stops_the_stream_after_the_pages_before_it() {
        for concurrency in [1, 4] {
            let mut pager = Numbers::new(200, 10, "number");
            pager.fail_at = Some(5);
            // The failing page answers first; the pages before it still come, and none after it.
            pager.delay = |n| if n == 5 { 1 } else { 30 };
            let results: Vec<Result<u64>> =
                stream(pager, true).concurrency(concurrency).collect().await;
            assert_eq!(results.len(), 51, "{concurrency}: 50 items, then the error");
            let items: Vec<u64> = results[..50].iter().map(|r| *r.as_ref().unwrap()).collect();
            assert_eq!(items, (0..50).collect::<Vec<_>>());
            let err = results[50].as_ref().unwrap_err();
            assert_eq!(err.resume_from(), Some(&PageRef::Number(5)), "{err}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn totals_that_change_while_the_listing_is_read_are_followed_page_by_page() {
        for concurrency in [1, 3, 8] {
            // Shrinks: page 0 says 100 items, pages from 2 on say 35. Pages fetched ahead past the new
            // end are dropped, not read.
            let mut shrinking = Numbers::new(100, 10, "number");
            shrinking.total_at = Some(|n| if n < 2 { 100 } else { 35 });
            let all: Vec<u64> = stream(shrinking, true)
                .concurrency(concurrency)
                .try_collect()
                .await
                .unwrap();
            assert_eq!(all, (0..35).collect::<Vec<_>>(), "{concurrency}");

            // Grows: page 0 says 25 items, later pages say 95.
            let mut growing = Numbers::new(25, 10, "number");
            growing.total_at = Some(|n| if n == 0 { 25 } else { 95 });
            let all: Vec<u64> = stream(growing, true)
                .concurrency(concurrency)
                .try_collect()
                .await
                .unwrap();
            assert_eq!(all, (0..95).collect::<Vec<_>>(), "{concurrency}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn dropping_the_stream_stops_every_fetch_ahead() {
        let mut pager = Numbers::new(1_000, 10, "number");
        // Page 0 is quick; the pages ahead take an hour.
        pager.delay = |n| if n == 0 { 0 } else { 3_600_000 };
        let in_flight = pager.in_flight.clone();
        let tasks = tokio::runtime::Handle::current().metrics();
        let before = tasks.num_alive_tasks();
        let mut items = stream(pager, true).concurrency(4);
        assert_eq!(items.try_next().await.unwrap(), Some(0));
        tokio::task::yield_now().await;
        assert_eq!(
            in_flight.load(Ordering::SeqCst),
            4,
            "pages 1 to 4 under way"
        );
        assert_eq!(tasks.num_alive_tasks(), before + 4);
        drop(items);
        for _ in 0..50 {
            if in_flight.load(Ordering::SeqCst) == 0 && tasks.num_alive_tasks() == before {
                return;
            }
            tokio::task::yield_now().await;
        }
        panic!(
            "{} fetches and {} tasks left running after the stream was dropped",
            in_flight.load(Ordering::SeqCst),
            tasks.num_alive_tasks() - before
        );
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
        let err = results[10].as_ref().unwrap_err();
        assert_eq!(err.resume_from(), Some(&PageRef::Number(1)), "{err}");
        assert!(matches!(
            err,
            Error::StreamStopped { source, .. } if matches!(**source, Error::InvalidInput { .. })
        ));
    }

    #[tokio::test]
    async fn a_stream_resumes_where_it_was_told() {
        for style in ["number", "token"] {
            let start = match style {
                "number" => PageRef::Number(2),
                _ => PageRef::Token("2".into()),
            };
            let rest: Vec<u64> = stream_from(Numbers::new(35, 10, style), true, Some(start))
                .try_collect()
                .await
                .unwrap();
            assert_eq!(rest, (20..35).collect::<Vec<_>>(), "{style}");
        }
    }

    #[test]
    fn items_that_did_not_decode_come_in_their_place() {
        let bad =
            |n: u64| DecodeError::new("test", None, None, format!("bad {n}"), b"{}").item(n, None);
        let page = Page::numbered(vec![1, 3, 5], 0, 6, Some(6), Some(1)).with_failed(vec![
            (5, bad(5)),
            (0, bad(0)),
            (2, bad(2)),
        ]);
        let order: Vec<String> = page
            .into_results()
            .map(|r| match r {
                Ok(n) => n.to_string(),
                Err(Error::Decode(e)) => format!("!{}", e.index.unwrap_or_default()),
                Err(e) => e.to_string(),
            })
            .collect();
        assert_eq!(order, ["!0", "1", "!2", "3", "5", "!5"]);
    }

    #[tokio::test]
    async fn a_page_handed_out_twice_ends_the_stream_instead_of_looping() {
        let mut pager = Numbers::new(30, 10, "cursor");
        pager.stuck = true;
        let results: Vec<Result<u64>> = stream(pager, true).collect::<Vec<_>>().await;
        let err = results.last().unwrap().as_ref().unwrap_err();
        assert!(
            matches!(err, Error::StreamStopped { source, .. } if matches!(**source, Error::Pagination { .. })),
            "{err:?}"
        );
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
