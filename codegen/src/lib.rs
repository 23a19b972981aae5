//! Compiles the OpenAPI specs in `specs/` into the generated `*-api` crates.
//!
//! The pipeline, for each [`Service`]:
//! 1. [`spec::load`] reads the YAML spec, bundles the JSON Schema files it points at into
//!    `components/schemas`, and checks it against what progenitor can generate ([`lint`]), so that a broken
//!    spec is an [`Error`] naming the file and the place, never a generator panic.
//! 2. [`render::render`] runs progenitor (builder interface) with typify underneath, swaps every named string
//!    enum for an open enum ([`open_enums`]), routes every path value through `cdp_transport::path::segment`
//!    ([`path_segments`]), makes `Client::new` start from `cdp_transport::client_builder()` so that no
//!    redirect is followed ([`client_builder`]), adds one constant per operation ([`operations`]), formats with prettyplease and
//!    adds the `@generated` header.
//! 3. For a service with [`Service::fields`], [`fields`] walks those schemas into typed attribute paths,
//!    written to `crates/<name>-api/src/generated_fields.rs`, and [`accessors`] generates the `*_mut()`
//!    accessors of the types they reach into `generated_accessors.rs`.
//! 4. [`regen`] writes the generated files, or with `check` only compares.
//!
//! ```no_run
//! let report = cdp_codegen::regen(std::path::Path::new("."), true)?;
//! assert!(report.stale.is_empty());
//! # Ok::<(), cdp_codegen::Error>(())
//! ```

pub mod accessors;
pub mod client_builder;
mod error;
pub mod fields;
pub mod lint;
pub mod open_enums;
pub mod operations;
pub mod path_segments;
pub mod render;
mod service;
pub mod spec;

pub use error::Error;
pub use service::{SERVICES, Service};

use std::path::{Path, PathBuf};

/// The progenitor-impl version the output comes from; it is pinned in the workspace manifest and recorded
/// in every generated header, because its output changes between releases.
pub const PROGENITOR_VERSION: &str = "0.15.1";

/// What a [`regen`] run did.
#[derive(Debug, Default)]
pub struct Report {
    /// Generated files that were up to date.
    pub fresh: Vec<PathBuf>,
    /// Generated files that differed from their spec (rewritten unless checking).
    pub stale: Vec<PathBuf>,
}

/// Regenerates every service's generated files (`generated.rs`, and `generated_fields.rs` where the
/// service has field paths) under the workspace `root`; with `check`, writes nothing and lists the stale
/// files in the report instead.
///
/// ```no_run
/// let report = cdp_codegen::regen(std::path::Path::new("."), false)?;
/// println!("{} file(s) rewritten", report.stale.len());
/// # Ok::<(), cdp_codegen::Error>(())
/// ```
pub fn regen(root: &Path, check: bool) -> Result<Report, Error> {
    let mut report = Report::default();
    for service in SERVICES {
        for (path, code) in generate_all(root, service)? {
            let out = root.join(path);
            let current = std::fs::read_to_string(&out).ok();
            if current.as_deref() == Some(code.as_str()) {
                report.fresh.push(out);
                continue;
            }
            if !check {
                std::fs::write(&out, &code).map_err(|e| Error::io(&out, e))?;
            }
            report.stale.push(out);
        }
    }
    Ok(report)
}

/// Generates every file of one service, without writing them: `(path relative to the root, code)`, the
/// client first, then the field paths when the service has them.
///
/// ```no_run
/// let service = &cdp_codegen::SERVICES[0];
/// let files = cdp_codegen::generate_all(std::path::Path::new("."), service)?;
/// assert!(files.iter().all(|(_, code)| code.starts_with("// @generated")));
/// # Ok::<(), cdp_codegen::Error>(())
/// ```
pub fn generate_all(root: &Path, service: &Service) -> Result<Vec<(String, String)>, Error> {
    let loaded = spec::load(&root.join(service.spec), service.spec)?;
    let mut files = vec![(service.output(), render::render(service, &loaded)?)];
    if let Some(out) = service.fields_output() {
        files.push((out, render::render_fields(service, &loaded)?));
    }
    files.extend(accessors::file(service, &loaded)?);
    Ok(files)
}

/// Generates the code of one service from its spec, without writing it.
///
/// ```no_run
/// let service = &cdp_codegen::SERVICES[0];
/// let code = cdp_codegen::generate(std::path::Path::new("."), service)?;
/// assert!(code.starts_with("// @generated"));
/// # Ok::<(), cdp_codegen::Error>(())
/// ```
pub fn generate(root: &Path, service: &Service) -> Result<String, Error> {
    let loaded = spec::load(&root.join(service.spec), service.spec)?;
    render::render(service, &loaded)
}
