//! What customer and event listings share: the page they answer ([`ListPage`]), and the typed options of
//! a customer listing (which fields, sorted which way).

use std::fmt;
use std::sync::Arc;

use contacthub_api::Field;
use futures::future::BoxFuture;

use crate::pagination::{Page, PageRef};
use crate::{DecodeError, Error, Result};

/// The way a listing is sorted.
///
/// ```no_run
/// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
/// use cdp::contacthub::Direction;
/// use cdp::contacthub::query::customer as c;
///
/// let page = node.customers().sort(c::base::last_name(), Direction::Descending).send().await?;
/// # let _ = page; Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Smallest first (`asc` on the wire).
    #[default]
    Ascending,
    /// Largest first (`desc` on the wire).
    Descending,
}

impl Direction {
    /// The word ContactHub's `sort` parameter takes.
    ///
    /// ```
    /// assert_eq!(cdp::contacthub::Direction::Descending.as_str(), "desc");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ascending => "asc",
            Self::Descending => "desc",
        }
    }
}

/// The `sort` parameter: a dotted path and a direction.
pub(crate) fn sort_param(path: &str, direction: Direction) -> String {
    format!("{path},{}", direction.as_str())
}

/// Customer fields to fetch, named by the generated paths ([`query::customer`](super::query::customer)):
/// one field, an array or `Vec` of fields of one kind, or a tuple of fields of different kinds (up to 8).
///
/// ```no_run
/// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
/// use cdp::contacthub::query::customer as c;
///
/// let names = node.customers().fields([c::base::first_name(), c::base::last_name()]).send().await?;
/// let mixed = node.customers().fields((c::base::first_name(), c::base::dob(), c::enabled())).send().await?;
/// # let _ = (names, mixed); Ok(()) }
/// ```
pub trait FieldList {
    /// The dotted paths, as the wire names them.
    fn into_paths(self) -> Vec<String>;
}

impl<K> FieldList for Field<K> {
    fn into_paths(self) -> Vec<String> {
        vec![self.into_path().into_owned()]
    }
}

impl<K, const N: usize> FieldList for [Field<K>; N] {
    fn into_paths(self) -> Vec<String> {
        self.into_iter()
            .map(|f| f.into_path().into_owned())
            .collect()
    }
}

impl<K> FieldList for Vec<Field<K>> {
    fn into_paths(self) -> Vec<String> {
        self.into_iter()
            .map(|f| f.into_path().into_owned())
            .collect()
    }
}

macro_rules! tuple_field_list {
    ($($kind:ident $field:ident),+) => {
        impl<$($kind),+> FieldList for ($(Field<$kind>,)+) {
            fn into_paths(self) -> Vec<String> {
                let ($($field,)+) = self;
                vec![$($field.into_path().into_owned()),+]
            }
        }
    };
}

tuple_field_list!(A a);
tuple_field_list!(A a, B b);
tuple_field_list!(A a, B b, C c);
tuple_field_list!(A a, B b, C c, D d);
tuple_field_list!(A a, B b, C c, D d, E e);
tuple_field_list!(A a, B b, C c, D d, E e, F f);
tuple_field_list!(A a, B b, C c, D d, E e, F f, G g);
tuple_field_list!(A a, B b, C c, D d, E e, F f, G g, H h);

/// A listing that can fetch any of its numbered pages: how a page reaches its neighbours.
pub(crate) trait Fetch<T>: fmt::Debug + Send + Sync {
    fn fetch_page(&self, number: u32) -> BoxFuture<'static, Result<ListPage<T>>>;
}

/// One page of a ContactHub listing (customers or events): its items, the totals ContactHub gives, and
/// the way to its neighbours. Items that did not decode do not fail the page: see
/// [`failed`](ListPage::failed).
///
/// ```no_run
/// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
/// let page = node.customers().size(10).send().await?;
/// println!("page {} of {}, {} customers in all", page.page_number() + 1, page.total_pages(), page.total_elements());
/// if let Some(next) = page.next_page().await? {
///     println!("then {} more", next.items().len());
/// }
/// let events = node.events("customer-id").size(10).send().await?;
/// println!("{} events", events.total_elements());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ListPage<T> {
    page: Page<T>,
    total_unfiltered_elements: Option<u64>,
    list: Arc<dyn Fetch<T>>,
}

/// A page of customers.
pub type CustomerPage = ListPage<contacthub_api::types::Customer>;

/// A page of a customer's events.
pub type EventPage = ListPage<contacthub_api::types::Event>;

impl<T> ListPage<T> {
    pub(crate) fn new(
        page: Page<T>,
        total_unfiltered_elements: Option<u64>,
        list: Arc<dyn Fetch<T>>,
    ) -> Self {
        Self {
            page,
            total_unfiltered_elements,
            list,
        }
    }

    pub(crate) fn into_page(self) -> Page<T> {
        self.page
    }

    /// The items of this page that decoded.
    pub fn items(&self) -> &[T] {
        self.page.items()
    }

    /// The items, owned.
    pub fn into_items(self) -> Vec<T> {
        self.page.into_items()
    }

    /// The items of this page that did not decode, each with its index in the listing, its id and its
    /// JSON; the others are in [`items`](ListPage::items).
    ///
    /// ```no_run
    /// # async fn run(node: cdp::contacthub::Node) -> cdp::Result<()> {
    /// let page = node.customers().size(50).send().await?;
    /// for bad in page.failed() {
    ///     eprintln!("customer {:?} at {:?}: {} in {}", bad.id, bad.index, bad.message, bad.body);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn failed(&self) -> Vec<&DecodeError> {
        self.page.failed()
    }

    /// This page's number, from 0.
    pub fn page_number(&self) -> u64 {
        self.page.number().unwrap_or_default()
    }

    /// The page size: as ContactHub states it, else as asked for.
    pub fn size(&self) -> u64 {
        self.page.size().unwrap_or_default()
    }

    /// Items matching the listing's filters, in all pages.
    pub fn total_elements(&self) -> u64 {
        self.page.total_items().unwrap_or_default()
    }

    /// Pages in all.
    pub fn total_pages(&self) -> u64 {
        self.page.total_pages().unwrap_or_default()
    }

    /// Customers of the node before filtering, when ContactHub says (customer listings only).
    pub fn total_unfiltered_elements(&self) -> Option<u64> {
        self.total_unfiltered_elements
    }

    /// The generic page underneath, as every service's pager gives it.
    pub fn as_page(&self) -> &Page<T> {
        &self.page
    }

    /// The next page, `None` after the last.
    pub async fn next_page(&self) -> Result<Option<ListPage<T>>> {
        match self.page.next() {
            Some(PageRef::Number(n)) => self.neighbour(*n).await.map(Some),
            _ => Ok(None),
        }
    }

    /// The previous page, `None` before the first.
    pub async fn previous_page(&self) -> Result<Option<ListPage<T>>> {
        match self.page.previous() {
            Some(PageRef::Number(n)) => self.neighbour(*n).await.map(Some),
            _ => Ok(None),
        }
    }

    async fn neighbour(&self, number: u64) -> Result<ListPage<T>> {
        let number =
            u32::try_from(number).map_err(|_| Error::invalid_input("page", "is too large"))?;
        self.list.fetch_page(number).await
    }
}
