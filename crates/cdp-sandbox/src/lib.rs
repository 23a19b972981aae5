//! An in-memory stand-in for the four services `cdp` binds: ContactHub, BlueConic, AWS Customer Profiles
//! and Flagship. It serves the routes of `specs/` over real HTTP on loopback, keeps state, seeds demo data,
//! checks requests the way the real services do (auth header, limits, conflicts) and answers with their
//! error bodies. It records what it receives (the [`Journal`]) and can misbehave on purpose ([`Faults`]).
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let sandbox = cdp_sandbox::Sandbox::start().await?;
//! println!("ContactHub at {}", sandbox.urls().contacthub);
//! println!("token {}", sandbox.credentials().contacthub_token);
//! # Ok(()) }
//! ```
//!
//! Where it simplifies a service (how segments are evaluated, how estimates are made), the module of that
//! service says so.

pub mod blueconic;
mod config;
pub mod contacthub;
pub mod customer_profiles;
mod faults;
pub mod flagship;
mod http;
mod journal;
mod server;
mod service;

pub use config::{Config, Credentials, Urls};
pub use faults::Faults;
pub use journal::{Journal, JournalEntry};
pub use server::Sandbox;
pub use service::Service;
