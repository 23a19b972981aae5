//! `cdp-bench`: one sample of one benchmark scenario, by `cdp` or by its hand-written floor (plain
//! `reqwest` + `serde_json` into the same generated models), against a running `cdp-sandbox`.
//!
//! ```text
//! cdp-bench SCENARIO SIDE [--items N] [--concurrency N]
//! ```
//! `SIDE` is `cdp` or `floor`. The sandbox's base URLs come from the environment (`CDP_BENCH_CONTACTHUB`,
//! `CDP_BENCH_BLUECONIC`, `CDP_BENCH_CUSTOMER_PROFILES`, `CDP_BENCH_FLAGSHIP_DECISION`,
//! `CDP_BENCH_FLAGSHIP_CDN`, `CDP_BENCH_FLAGSHIP_HITS`), its credentials are the sandbox's defaults. The
//! sample is printed as one JSON line: the seconds of the measured work, the items it handled, the
//! requests it sent and the peak heap while it ran. `cargo xtask bench` runs the samples and compares.

mod blueconic;
mod contacthub;
mod customer_profiles;
mod flagship;
mod heap;
mod sample;
mod startup;

use std::process::ExitCode;

use sample::{Args, Sample, Side};

#[global_allocator]
static ALLOCATOR: heap::Counting = heap::Counting;

/// The scenarios, by name: what `cargo xtask bench --only NAME` takes.
const SCENARIOS: [&str; 9] = [
    "contacthub-stream",
    "contacthub-latency-sequential",
    "contacthub-latency-concurrent",
    "blueconic-stream",
    "blueconic-bulk",
    "aws-membership",
    "flagship-bucketing",
    "flagship-decision-api",
    "startup",
];

fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!("usage: cdp-bench SCENARIO cdp|floor [--items N] [--concurrency N]");
            eprintln!("scenarios: {}", SCENARIOS.join(", "));
            return ExitCode::from(2);
        }
    };
    // One thread: the client is measured on one core, the sandbox runs in its own process.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start a runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&args)) {
        Ok(sample) => {
            println!("{}", sample.to_json());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> Result<Sample, sample::BoxError> {
    let side = args.side;
    match (args.scenario.as_str(), side) {
        ("contacthub-latency-sequential", Side::Cdp) => contacthub::cdp_stream(args, 1).await,
        ("contacthub-latency-sequential", Side::Floor) => contacthub::floor_stream(args, 1).await,
        ("contacthub-stream" | "contacthub-latency-concurrent", Side::Cdp) => {
            contacthub::cdp_stream(args, args.concurrency).await
        }
        ("contacthub-stream" | "contacthub-latency-concurrent", Side::Floor) => {
            contacthub::floor_stream(args, args.concurrency).await
        }
        ("blueconic-stream", Side::Cdp) => blueconic::cdp_stream(args).await,
        ("blueconic-stream", Side::Floor) => blueconic::floor_stream(args).await,
        ("blueconic-bulk", Side::Cdp) => blueconic::cdp_bulk(args).await,
        ("blueconic-bulk", Side::Floor) => blueconic::floor_bulk(args).await,
        ("aws-membership", Side::Cdp) => customer_profiles::cdp_membership(args).await,
        ("aws-membership", Side::Floor) => customer_profiles::floor_membership(args).await,
        ("flagship-bucketing", Side::Cdp) => flagship::cdp_bucketing(args),
        ("flagship-bucketing", Side::Floor) => Err("the bucketing decision has no floor".into()),
        ("flagship-decision-api", Side::Cdp) => flagship::cdp_decisions(args).await,
        ("flagship-decision-api", Side::Floor) => flagship::floor_decisions(args).await,
        ("startup", Side::Cdp) => startup::cdp().await,
        ("startup", Side::Floor) => startup::floor().await,
        (other, _) => Err(format!("unknown scenario `{other}`").into()),
    }
}
