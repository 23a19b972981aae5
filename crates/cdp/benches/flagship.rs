//! A bucketing-mode decision: a visitor with a context gets all its modifications from a bucketing file
//! parsed once (10 campaigns, one variation group each, 2 to 4 variations, two AND-ed targetings), with
//! no network. Target: at least 1,000,000 decisions per second on one core.

use std::collections::BTreeMap;
use std::hint::black_box;

use cdp::flagship::ContextValue;
use cdp::flagship::bucketing::Bucketing;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const FILE: &str = include_str!("../../../tests/fixtures/flagship/bench_bucketing.json");

fn context() -> BTreeMap<String, ContextValue> {
    [
        ("plan", ContextValue::from("pro")),
        ("age", 31.into()),
        ("country", "IT".into()),
        ("email", "ada@example.com".into()),
        ("isVIP", true.into()),
        ("device", "iPhone 15".into()),
        ("score", 0.7.into()),
        ("sessions", 12.into()),
        ("language", "it".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fn decisions(c: &mut Criterion) {
    let Ok(file) = Bucketing::from_json(FILE.as_bytes()) else {
        return;
    };
    let context = context();
    let visitors: Vec<String> = (0..1024).map(|i| format!("visitor-{i:06}")).collect();
    let mut group = c.benchmark_group("flagship_bucketing");
    group.throughput(Throughput::Elements(1));
    let mut next = 0usize;
    group.bench_function("decide", |b| {
        b.iter(|| {
            next = (next + 1) % visitors.len();
            let decision = file.decide(black_box(&visitors[next]), black_box(&context), &[]);
            black_box(decision.len())
        });
    });
    group.bench_function("decide_and_read_all_values", |b| {
        b.iter(|| {
            next = (next + 1) % visitors.len();
            let decision = file.decide(black_box(&visitors[next]), black_box(&context), &[]);
            black_box(decision.values())
        });
    });
    group.finish();
}

criterion_group!(benches, decisions);
criterion_main!(benches);
