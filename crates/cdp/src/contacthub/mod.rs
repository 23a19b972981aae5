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
