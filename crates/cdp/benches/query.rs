//! Building and serialising a customer query of five criteria, as a list call does before sending, and
//! one that also asks what the customers did.

use std::hint::black_box;

use cdp::contacthub::api::chrono::{NaiveDate, TimeZone, Utc};
use cdp::contacthub::api::types::{EventContext, EventType};
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

/// Five criteria and a `did`: an order on the web in 2024 for 100 or more.
fn with_did(born: NaiveDate) -> Query {
    let year = Timeframe::between(
        Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_default(),
        Utc.with_ymd_and_hms(2024, 12, 31, 23, 59, 59)
            .single()
            .unwrap_or_default(),
    );
    let amount = event::properties("amount").of_kind::<cdp::contacthub::query::kind::Number>();
    let condition = event::context().eq(EventContext::Web) & amount.gte(100.0);
    five_criteria(born).did(Did::new(EventType::CompletedOrder, condition, year))
}

fn query(bench: &mut Bench) {
    let born = NaiveDate::from_ymd_opt(1980, 1, 1).unwrap_or_default();
    bench.bench_function("build and serialise a five-criteria query", |b| {
        b.iter(|| {
            let query = five_criteria(black_box(born));
            black_box(query.to_query_value())
        })
    });
    bench.bench_function(
        "build and serialise a five-criteria query with a did",
        |b| b.iter(|| black_box(with_did(black_box(born))).to_query_value()),
    );
    let built = five_criteria(born);
    bench.bench_function("serialise a five-criteria query", |b| {
        b.iter(|| black_box(&built).to_query_value())
    });
}

criterion_group!(benches, query);
criterion_main!(benches);
