//! Streams every profile of `allvisitors` from a BlueConic sandbox running in its own process, and
//! reports how many came and the client's peak memory (Linux: `VmHWM` of `/proc/self/status`).
//!
//! ```text
//! cargo run -p cdp-sandbox --release -- --profiles 200000 --port 8080 &
//! cargo run -p cdp --release --example blueconic_stream -- http://127.0.0.1:8080/blueconic/rest/v2
//! ```

use futures::TryStreamExt as _;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:8080/blueconic/rest/v2".to_owned());
    let bc = cdp::blueconic::Client::builder(
        "tenant.blueconic.net",
        "sandbox-client",
        "sandbox-client-secret",
    )
    .base_url(url)
    .build()?;
    let started = std::time::Instant::now();
    let mut profiles = bc.segment_profiles("allvisitors").page_size(1_000).stream();
    let mut count = 0u64;
    let mut with_email = 0u64;
    while let Some(profile) = profiles.try_next().await? {
        count += 1;
        with_email += u64::from(profile.value("email").is_some());
    }
    println!(
        "{count} profiles ({with_email} with an email) in {:.1} s; peak memory {}",
        started.elapsed().as_secs_f64(),
        peak_memory().unwrap_or_else(|| "unknown (not Linux)".to_owned())
    );
    Ok(())
}

/// The process's peak resident memory, as `/proc/self/status` says.
fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(format!("{:.1} MB", kib as f64 / 1024.0))
}
