//! Building and serialising a customer query of five criteria, as a list call does before sending.

use std::hint::black_box;

use cdp::contacthub::api::chrono::NaiveDate;
use cdp::contacthub::query::prelude::*;
use criterion::{Criterion as Bench, criterion_group, criterion_main};

use customer as c;

fn five_criteria(born: NaiveDate) -> Query {
    Query::new()
        .filter(c::base::first_name().eq("Bruce") | c::base::last_name().eq("Wayne"))
        .filter(c::base::dob().lte(born))
        .filter(c::tags::manual().in_(["vip", "gold", "press"]))
        .filter(c::base::educations::start_year().between(1990, 2010))
}

fn query(bench: &mut Bench) {
    let born = NaiveDate::from_ymd_opt(1980, 1, 1).unwrap_or_default();
    bench.bench_function("build and serialise a five-criteria query", |b| {
        b.iter(|| {
            let query = five_criteria(black_box(born));
            black_box(query.to_query_value())
        })
    });
    let built = five_criteria(born);
    bench.bench_function("serialise a five-criteria query", |b| {
        b.iter(|| black_box(&built).to_query_value())
    });
}

criterion_group!(benches, query);
criterion_main!(benches);
