//! Decoding a page of 50 ContactHub customers: `cdp`'s page decode (the one `send` and `stream` use)
//! beside its floor, `serde_json::from_slice` of the same bytes into the same generated model and
//! nothing else; and the same page with one bad customer, which `cdp` then decodes item by item. Then
//! one part of the model's own decode: its open enums (the time-zone enum has 342 names).
//!
//! `cargo bench -p cdp --bench decode` (add `-- --quick` for a short run).

#![allow(missing_docs)]

use std::hint::black_box;

use cdp::contacthub::CustomerList;
use cdp::contacthub::api::types::{PagedCustomer, Timezone};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Value, json};

#[path = "common/customer.rs"]
mod fixture;

/// The body of page 0 of 50 customers, each with its own id; `bad` puts a number where one
/// customer's date of birth goes.
fn page(bad: bool) -> Vec<u8> {
    let elements: Vec<Value> = (0..50)
        .map(|i| {
            let mut customer = fixture::customer();
            customer["id"] = json!(format!("0745ef01-5f9a-4e4b-8d6a-{i:012}"));
            if bad && i == 25 {
                customer["base"]["dob"] = json!(7);
            }
            customer
        })
        .collect();
    let body = json!({
        "elements": elements,
        "page": {"number": 0, "size": 50, "totalElements": 20000, "totalPages": 400}
    });
    serde_json::to_vec(&body).unwrap_or_default()
}

fn bench(c: &mut Criterion) {
    let good = page(false);
    let bad = page(true);
    let mut group = c.benchmark_group("decode a page of 50 customers");
    group.throughput(Throughput::Bytes(good.len() as u64));
    group.bench_function("floor: serde_json::from_slice", |b| {
        b.iter(|| serde_json::from_slice::<PagedCustomer>(black_box(&good)).map(|p| p.elements))
    });
    group.bench_function("cdp: CustomerList::decode_page", |b| {
        b.iter(|| CustomerList::decode_page(black_box(&good), 0, 50))
    });
    group.bench_function("cdp: one bad customer (item by item)", |b| {
        b.iter(|| CustomerList::decode_page(black_box(&bad), 0, 50))
    });
    group.finish();

    // The model's own cost of an open enum: the 342 time-zone names, matched where the decoder holds
    // the text (as generated now) against copying each into a `String` first (as generated before).
    let names = Timezone::KNOWN;
    let zones: Vec<&str> = (0..1000).map(|i| names[(i * 7) % names.len()]).collect();
    let zones = serde_json::to_vec(&zones).unwrap_or_default();
    let mut group = c.benchmark_group("decode 1000 time zones");
    group.bench_function("matched in place", |b| {
        b.iter(|| serde_json::from_slice::<Vec<Timezone>>(black_box(&zones)))
    });
    group.bench_function("copied into a String first (before)", |b| {
        b.iter(|| {
            serde_json::from_slice::<Vec<String>>(black_box(&zones))
                .map(|z| z.into_iter().map(Timezone::from).collect::<Vec<_>>())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
