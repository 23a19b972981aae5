//! ContactHub (Contactlab Hub): customers with their sub-resources, sessions and events.
//!
//! A [`Workspace`] holds the credentials; a [`Node`] of it holds the customers.
//!
//! ```no_run
//! # async fn run() -> cdp::Result<()> {
//! use cdp::contacthub::Workspace;
//! use cdp::contacthub::query::customer as c;
//!
//! let hub = Workspace::new("workspace-id", "token");
//! let node = hub.node("node-id");
//! let page = node.customers().size(5).page(2).fields(c::base::first_name()).send().await?;
//! println!("{} customers in {} pages", page.total_elements(), page.total_pages());
//! # Ok(()) }
//! ```
//!
//! One convention for every call: a builder with options ends in `.send().await` (one page or one
//! result) or `.stream()` (everything); a call without options is a plain `async fn`; each answers
//! [`cdp::Result`](crate::Result). Listings of customers and of events answer the same [`ListPage`].
//!
//! A write ContactHub accepts with an empty body is a success where the answer holds nothing the caller
//! lacks: [`Node::add_event`] answers `None` for the id, and adding or replacing an education, job, like
//! or subscription answers the item as sent. Creating a customer or linking a session answers what only
//! the service knows (the id it gave), so there an empty body stays an [`Error::Decode`](crate::Error::Decode).

pub use contacthub_api as api;

mod customers;
mod empty_body;
mod events;
mod items;
mod listing;
mod node;
mod outgoing;
mod paging;
pub mod query;
mod raw;
mod tags;
pub mod tracked;
mod tracked_customer;
mod workspace;

pub use customers::{AddCustomer, CustomerList};
pub use events::{EventList, NewEvent, TypedProperties, create_session_id, typed_properties};
pub use listing::{CustomerPage, Direction, EventPage, FieldList, ListPage};
pub use node::Node;
pub use tracked_customer::TrackedCustomer;
pub use workspace::{DEFAULT_BASE_URL, Workspace, WorkspaceBuilder};
