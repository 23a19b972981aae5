//! The merge patch of a realistic customer after three edits (an email set, a field removed, a tag
//! added): the JSON diff of two trees alone, and `Tracked::changes`, which walks the typed value beside
//! the tree it was decoded as and writes out only what changed; and taking a fetched customer.
//!
//! `cargo bench -p cdp --bench merge_patch` (add `-- --quick` for a short run).

#![allow(missing_docs)]

use std::hint::black_box;

use cdp::contacthub::api::types::Customer;
use cdp::contacthub::tracked::Tracked;
use cdp::merge_patch;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;

#[path = "common/customer.rs"]
mod fixture;
use fixture::customer;

/// The three edits, on the typed value.
fn edit(customer: &mut Customer) {
    if let Some(base) = customer.base.as_mut() {
        if let Some(contacts) = base.contacts.as_mut() {
            contacts.email = Some("bruce@example.com".into());
        }
        base.middle_name = None;
    }
    if let Some(tags) = customer.tags.as_mut() {
        tags.manual.push("batman".into());
    }
}

fn bench(c: &mut Criterion) {
    let old = customer();
    let Ok(mut tracked) = Tracked::<Customer>::from_json(old.clone()) else {
        return;
    };
    edit(&mut tracked);

    let mut new = old.clone();
    new["base"]["contacts"]["email"] = json!("bruce@example.com");
    if let Some(base) = new["base"].as_object_mut() {
        base.remove("middleName");
    }
    if let Some(manual) = new["tags"]["manual"].as_array_mut() {
        manual.push(json!("batman"));
    }

    c.bench_function("merge_patch::diff (customer, 3 edits)", |b| {
        b.iter(|| merge_patch::diff(black_box(&old), black_box(&new)))
    });
    c.bench_function("Tracked::<Customer>::changes (3 edits)", |b| {
        b.iter(|| black_box(&tracked).changes())
    });

    // Taking a fetched customer: its bytes decoded once (as `Node::customer` does), and the way before,
    // through a JSON tree first.
    let bytes = serde_json::to_vec(&old).unwrap_or_default();
    c.bench_function("Tracked::<Customer>::from_slice (fetched bytes)", |b| {
        b.iter(|| Tracked::<Customer>::from_slice(black_box(&bytes)))
    });
    c.bench_function(
        "Tracked::<Customer>::from_json (bytes -> Value first)",
        |b| {
            b.iter(|| serde_json::from_slice(black_box(&bytes)).map(Tracked::<Customer>::from_json))
        },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
