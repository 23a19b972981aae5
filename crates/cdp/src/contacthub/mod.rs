pub use contacthub_api as api;
pub mod tracked;
