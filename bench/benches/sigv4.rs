//! SigV4 signing of one AWS Customer Profiles call as cdp sends it: a segment-membership POST with 100
//! profile ids in its JSON body (the body is hashed, the canonical request built, the key derived).

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use cdp_transport::{AwsCredentials, SigV4};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

fn request() -> Option<reqwest::Request> {
    let ids: Vec<String> = (0..100).map(|i| format!("{i:032x}")).collect();
    let body = serde_json::to_vec(&serde_json::json!({ "ProfileIds": ids })).ok()?;
    let url = "https://profile.eu-west-1.amazonaws.com/domains/shop/segments/vip/membership";
    let mut request = reqwest::Request::new(reqwest::Method::POST, url.parse().ok()?);
    request
        .headers_mut()
        .insert("content-type", "application/json".parse().ok()?);
    *request.body_mut() = Some(body.into());
    Some(request)
}

fn signing(c: &mut Criterion) {
    let signer = SigV4::new(
        AwsCredentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        "eu-west-1",
        "profile",
    );
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_790_000_000);
    let Some(template) = request() else {
        return;
    };
    let mut group = c.benchmark_group("sigv4");
    group.throughput(Throughput::Elements(1));
    group.bench_function("sign_membership_call_100_ids", |b| {
        b.iter_batched(
            || template.try_clone(),
            |request| {
                if let Some(mut request) = request {
                    let signed = signer.sign(&mut request, black_box(time));
                    black_box((signed.is_ok(), request));
                }
            },
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

criterion_group!(benches, signing);
criterion_main!(benches);
