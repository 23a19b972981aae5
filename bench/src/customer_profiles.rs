//! AWS Customer Profiles: the membership of many profiles in a segment, 100 ids a call, four calls in
//! flight, every request signed with SigV4.

use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use customer_profiles_api::types::{GetSegmentMembershipRequest, GetSegmentMembershipResponse};
use futures::{StreamExt as _, TryStreamExt as _};

use crate::sample::{self, Args, BoxError, Meter, Sample};

/// Ids a call, the most the service takes.
const CHUNK: usize = 100;
/// Calls in flight, cdp's default.
const IN_FLIGHT: usize = 4;

/// The ids of the sandbox's profiles and a segment: a sandbox with the same seed and the same number of
/// profiles, started in this process, seeds the same ids (not measured).
async fn work(n: usize) -> Result<(Vec<String>, String), BoxError> {
    let config = cdp_sandbox::Config {
        customers: 0,
        profiles: 0,
        aws_profiles: n,
        ..cdp_sandbox::Config::default()
    };
    let twin = cdp_sandbox::Sandbox::start_with(config).await?;
    let mut ids = twin.customer_profiles().profile_ids();
    ids.sort();
    twin.shutdown().await;
    sample::expect("profile ids", ids.len() as u64, n as u64)?;
    let client = cdp_client()?;
    let c = sample::credentials();
    let segment = client
        .segment_definitions(&c.aws_domain)
        .stream()
        .try_next()
        .await?
        .and_then(|d| d.segment_definition_name)
        .ok_or("the sandbox has no segment definition")?;
    Ok((ids, segment))
}

fn cdp_client() -> Result<cdp::customer_profiles::Client, BoxError> {
    let c = sample::credentials();
    Ok(cdp::customer_profiles::Client::builder(
        &c.aws_region,
        cdp::transport::AwsCredentials::new(&c.aws_access_key_id, &c.aws_secret_access_key),
    )
    .base_url(sample::url("CUSTOMER_PROFILES")?)
    .build()?)
}

/// `segment_membership(domain, segment).profile_ids(ids).send()` for `items` ids (10,000 by default).
pub(crate) async fn cdp_membership(args: &Args) -> Result<Sample, BoxError> {
    let n = args.items_or(10_000);
    let (ids, segment) = work(n).await?;
    let client = cdp_client()?;
    let c = sample::credentials();
    let meter = Meter::start();
    let membership = client
        .segment_membership(&c.aws_domain, &segment)
        .profile_ids(ids)
        .concurrency(IN_FLIGHT)
        .send()
        .await?;
    let answered = membership
        .entries
        .iter()
        .filter(|e| {
            matches!(
                e.status,
                cdp::customer_profiles::MembershipStatus::Present { .. }
                    | cdp::customer_profiles::MembershipStatus::Absent { .. }
            )
        })
        .count() as u64;
    let sample = meter.stop(answered, n.div_ceil(CHUNK) as u64);
    sample::expect("answered ids", sample.items, n as u64)?;
    Ok(sample)
}

/// The same calls with plain reqwest, signed with `aws-sigv4`, bodies written and read with serde_json
/// through the generated request and response models.
pub(crate) async fn floor_membership(args: &Args) -> Result<Sample, BoxError> {
    let n = args.items_or(10_000);
    let (ids, segment) = work(n).await?;
    let c = sample::credentials();
    let http = sample::floor_client()?;
    let url = format!(
        "{}/domains/{}/segments/{segment}/membership",
        sample::url("CUSTOMER_PROFILES")?,
        c.aws_domain
    );
    let identity = Credentials::new(
        &c.aws_access_key_id,
        &c.aws_secret_access_key,
        None,
        None,
        "cdp-bench",
    )
    .into();
    let call = |chunk: &[String]| {
        let body = serde_json::to_vec(&GetSegmentMembershipRequest {
            profile_ids: chunk.to_vec(),
        });
        let (http, url, identity, region) = (&http, &url, &identity, &c.aws_region);
        async move {
            let body = body?;
            let params = v4::SigningParams::builder()
                .identity(identity)
                .region(region)
                .name("profile")
                .time(SystemTime::now())
                .settings(SigningSettings::default())
                .build()?
                .into();
            let signable = SignableRequest::new(
                "POST",
                url,
                [("content-type", "application/json")].into_iter(),
                SignableBody::Bytes(&body),
            )?;
            let (instructions, _) = sign(signable, &params)?.into_parts();
            let mut request = http
                .post(url.as_str())
                .header("content-type", "application/json");
            for (name, value) in instructions.headers() {
                request = request.header(name, value);
            }
            let bytes = sample::body(request.body(body)).await?;
            Ok::<_, BoxError>(serde_json::from_slice::<GetSegmentMembershipResponse>(
                &bytes,
            )?)
        }
    };
    let meter = Meter::start();
    let answers: Vec<GetSegmentMembershipResponse> = futures::stream::iter(ids.chunks(CHUNK))
        .map(call)
        .buffer_unordered(IN_FLIGHT)
        .try_collect()
        .await?;
    let answered: u64 = answers.iter().map(|a| a.profiles.len() as u64).sum();
    let sample = meter.stop(answered, answers.len() as u64);
    sample::expect("answered ids", sample.items, n as u64)?;
    Ok(sample)
}
