//! `cargo xtask bench`: builds the benchmark runner and the sandbox in release, starts the sandbox in
//! its own process, runs every scenario's `cdp` and floor samples in alternation, and prints medians,
//! spreads and the ratio of the two within each round.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::Instant;

use serde_json::{Value, json};

pub(crate) const USAGE: &str =
    "usage: cargo xtask bench [--quick] [--only NAME] [--json FILE] [--runs N]";

/// What the command line asked for.
#[derive(Debug, Default)]
struct Options {
    quick: bool,
    only: Option<String>,
    json: Option<PathBuf>,
    runs: Option<usize>,
}

impl Options {
    fn parse(args: &[&str]) -> Result<Self, String> {
        let mut options = Self::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = || {
                args.next()
                    .map(|v| (*v).to_owned())
                    .ok_or(format!("{arg} takes a value"))
            };
            match *arg {
                "--quick" => options.quick = true,
                "--only" => options.only = Some(value()?),
                "--json" => options.json = Some(PathBuf::from(value()?)),
                "--runs" => {
                    let runs: usize = value()?.parse().map_err(|e| format!("--runs: {e}"))?;
                    options.runs = Some(runs.max(1));
                }
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        Ok(options)
    }
}

/// Which sandbox a scenario talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sandbox {
    /// The big one: 20,000 customers, 200,000 BlueConic profiles, 10,000 AWS profiles.
    Data,
    /// 20,000 customers behind 20 ms of latency per answer.
    Slow,
    /// None (the work is local).
    None,
}

/// How a figure is read from a sample.
#[derive(Clone, Copy, Debug)]
enum Measure {
    /// Items per second of the measured work (higher is better).
    Rate,
    /// Peak heap in MB (lower is better).
    PeakHeap,
    /// Seconds of the measured work (lower is better).
    Seconds,
    /// Requests sent (lower is better).
    Requests,
    /// Milliseconds from spawning the process to its exit (lower is better).
    ProcessMillis,
}

impl Measure {
    fn higher_is_better(self) -> bool {
        matches!(self, Measure::Rate)
    }

    fn read(self, sample: &Sample) -> f64 {
        match self {
            Measure::Rate if sample.seconds > 0.0 => sample.items as f64 / sample.seconds,
            Measure::Rate => 0.0,
            Measure::PeakHeap => sample.peak_heap as f64 / 1e6,
            Measure::Seconds => sample.seconds,
            Measure::Requests => sample.requests as f64,
            Measure::ProcessMillis => sample.process_seconds * 1e3,
        }
    }
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
struct Figure {
    label: &'static str,
    unit: &'static str,
    measure: Measure,
}

/// A scenario: which runner samples it, with how many items, against which sandbox, and its figures.
#[derive(Debug)]
struct Scenario {
    /// The name `--only` takes (and the row names start with).
    name: &'static str,
    /// The runner's scenario.
    runner: &'static str,
    items: usize,
    quick_items: usize,
    sandbox: Sandbox,
    /// Whether it has a floor.
    floor: bool,
    /// Rounds per `--runs` run: more for the short, noisy ones.
    repeat: usize,
    /// At most this many rounds without `--runs` (the long ones keep the whole run near five minutes).
    default_cap: usize,
    figures: &'static [Figure],
}

/// The client's peak heap while the work ran.
const HEAP: Figure = Figure {
    label: "client peak heap",
    unit: "MB",
    measure: Measure::PeakHeap,
};

fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "contacthub-stream",
            runner: "contacthub-stream",
            items: 20_000,
            quick_items: 2_000,
            sandbox: Sandbox::Data,
            floor: true,
            repeat: 1,
            default_cap: usize::MAX,
            figures: &[
                Figure {
                    label: "read every customer, pages of 50, stream() (4 pages in flight, cdp's default)",
                    unit: "customers/s",
                    measure: Measure::Rate,
                },
                HEAP,
            ],
        },
        Scenario {
            name: "contacthub-heap-small",
            runner: "contacthub-stream",
            items: 2_000,
            quick_items: 200,
            sandbox: Sandbox::Data,
            floor: true,
            repeat: 1,
            default_cap: usize::MAX,
            figures: &[Figure {
                label: "client peak heap, the first tenth of the customers",
                unit: "MB",
                measure: Measure::PeakHeap,
            }],
        },
        Scenario {
            name: "contacthub-latency-sequential",
            runner: "contacthub-latency-sequential",
            items: 20_000,
            quick_items: 500,
            sandbox: Sandbox::Slow,
            floor: true,
            repeat: 1,
            default_cap: 3,
            figures: &[Figure {
                label: "20 ms per page, one page at a time (concurrency(1))",
                unit: "customers/s",
                measure: Measure::Rate,
            }],
        },
        Scenario {
            name: "contacthub-latency-concurrent",
            runner: "contacthub-latency-concurrent",
            items: 20_000,
            quick_items: 500,
            sandbox: Sandbox::Slow,
            floor: true,
            repeat: 1,
            default_cap: 3,
            figures: &[Figure {
                label: "20 ms per page, 4 pages in flight (concurrency(4))",
                unit: "customers/s",
                measure: Measure::Rate,
            }],
        },
        Scenario {
            name: "blueconic-stream",
            runner: "blueconic-stream",
            items: 200_000,
            quick_items: 20_000,
            sandbox: Sandbox::Data,
            floor: true,
            repeat: 1,
            default_cap: 3,
            figures: &[
                Figure {
                    label: "stream allvisitors, pages of 1,000",
                    unit: "profiles/s",
                    measure: Measure::Rate,
                },
                HEAP,
            ],
        },
        Scenario {
            name: "blueconic-bulk",
            runner: "blueconic-bulk",
            items: 100_000,
            quick_items: 10_000,
            sandbox: Sandbox::Data,
            floor: true,
            repeat: 1,
            default_cap: 3,
            figures: &[
                Figure {
                    label: "bulk-write one SET per profile, 1,000 a request",
                    unit: "s",
                    measure: Measure::Seconds,
                },
                Figure {
                    label: "requests",
                    unit: "requests",
                    measure: Measure::Requests,
                },
            ],
        },
        Scenario {
            name: "aws-membership",
            runner: "aws-membership",
            items: 10_000,
            quick_items: 1_000,
            sandbox: Sandbox::Data,
            floor: true,
            repeat: 1,
            default_cap: usize::MAX,
            figures: &[Figure {
                label: "segment membership, 100 ids a call, 4 in flight, SigV4",
                unit: "ids/s",
                measure: Measure::Rate,
            }],
        },
        Scenario {
            name: "flagship-bucketing",
            runner: "flagship-bucketing",
            items: 300_000,
            quick_items: 100_000,
            sandbox: Sandbox::None,
            floor: false,
            repeat: 1,
            default_cap: usize::MAX,
            figures: &[Figure {
                label: "bucketing decisions, 10 campaigns, one core",
                unit: "decisions/s",
                measure: Measure::Rate,
            }],
        },
        Scenario {
            name: "flagship-decision-api",
            runner: "flagship-decision-api",
            items: 1_000,
            quick_items: 300,
            sandbox: Sandbox::Data,
            floor: true,
            repeat: 1,
            default_cap: usize::MAX,
            figures: &[Figure {
                label: "Decision API synchronisations, one after another",
                unit: "syncs/s",
                measure: Measure::Rate,
            }],
        },
        Scenario {
            name: "startup",
            runner: "startup",
            items: 1,
            quick_items: 1,
            sandbox: Sandbox::Data,
            floor: true,
            repeat: 10,
            default_cap: usize::MAX,
            figures: &[Figure {
                label: "fresh process: build a client, first call, exit",
                unit: "ms",
                measure: Measure::ProcessMillis,
            }],
        },
    ]
}

/// What one run of the runner reported.
#[derive(Clone, Debug, Default)]
struct Sample {
    seconds: f64,
    items: u64,
    requests: u64,
    peak_heap: u64,
    /// From spawn to exit, measured here.
    process_seconds: f64,
}

impl Sample {
    fn parse(line: &str, process_seconds: f64) -> Option<Self> {
        let value: Value = serde_json::from_str(line.trim()).ok()?;
        Some(Self {
            seconds: value.get("seconds")?.as_f64()?,
            items: value.get("items")?.as_u64()?,
            requests: value.get("requests")?.as_u64()?,
            peak_heap: value.get("peak_heap")?.as_u64()?,
            process_seconds,
        })
    }
}

/// A sandbox process, stopped when dropped.
struct Running {
    child: Child,
    urls: BTreeMap<String, String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether `taskset` can pin the client and the sandbox to different cores.
fn pinning() -> bool {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores >= 2
        && Command::new("taskset")
            .arg("-V")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

/// `program args…`, on `core` when pinning.
fn command(program: &Path, core: Option<&str>) -> Command {
    match core {
        Some(core) => {
            let mut command = Command::new("taskset");
            command.args(["-c", core]).arg(program);
            command
        }
        None => Command::new(program),
    }
}

fn start_sandbox(binary: &Path, args: &[String], pin: bool) -> Result<Running, String> {
    let mut child = command(binary, pin.then_some("1"))
        .args(["--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let stdout = child.stdout.take().ok_or("the sandbox has no stdout")?;
    let mut running = Running {
        child,
        urls: BTreeMap::new(),
    };
    // The banner: one line per service, `  NAME  URL  (…)`, the admin line last.
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("reading the sandbox's banner: {e}"))?;
        if let Some((key, url)) = banner_entry(&line) {
            running.urls.insert(key, url);
        }
        let first = line.split_whitespace().next();
        if first == Some("admin") {
            break;
        }
    }
    if running.urls.len() < 6 {
        return Err(format!(
            "the sandbox did not print its URLs (got {:?})",
            running.urls
        ));
    }
    Ok(running)
}

/// One line of the sandbox's banner as the runner's environment key and the URL: `  blueconic  URL  (…)`
/// is `BLUECONIC`, `  flagship decision  URL` is `FLAGSHIP_DECISION`; lines without a URL are `None`.
fn banner_entry(line: &str) -> Option<(String, String)> {
    let mut words = line.split_whitespace();
    let first = words.next()?;
    let second = words.next()?;
    let (key, url) = match first {
        "flagship" => (format!("FLAGSHIP_{}", second.to_uppercase()), words.next()?),
        name => (name.replace('-', "_").to_uppercase(), second),
    };
    let url = url.trim_end_matches(',');
    url.starts_with("http").then(|| (key, url.to_owned()))
}

/// The figures of one scenario: per figure, the floor's and cdp's values and the ratios per round.
#[derive(Debug, Default)]
struct Outcome {
    floor: Vec<Sample>,
    cdp: Vec<Sample>,
    /// Why a side has no samples.
    floor_error: Option<String>,
    cdp_error: Option<String>,
}

fn run_sample(
    runner: &Path,
    scenario: &Scenario,
    side: &str,
    items: usize,
    urls: &BTreeMap<String, String>,
    pin: bool,
) -> Result<Sample, String> {
    let mut command = command(runner, pin.then_some("0"));
    command
        .args([scenario.runner, side, "--items", &items.to_string()])
        .stdin(Stdio::null());
    for (key, url) in urls {
        command.env(format!("CDP_BENCH_{key}"), url);
    }
    let started = Instant::now();
    let output = command
        .output()
        .map_err(|e| format!("cannot run {}: {e}", runner.display()))?;
    let process_seconds = started.elapsed().as_secs_f64();
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let message = stderr
            .lines()
            .last()
            .unwrap_or("failed")
            .trim_start_matches("error: ");
        return Err(message.to_owned());
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    Sample::parse(stdout.lines().last().unwrap_or_default(), process_seconds)
        .ok_or_else(|| format!("unreadable sample: {stdout}"))
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if !n.is_multiple_of(2) => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// Median and half the range as a percentage of it.
fn summary(values: &[f64]) -> Option<(f64, f64)> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    let m = median(&mut sorted);
    let (lo, hi) = (sorted[0], sorted[sorted.len() - 1]);
    let spread = if m != 0.0 {
        (hi - lo) / 2.0 / m.abs() * 100.0
    } else {
        0.0
    };
    Some((m, spread))
}

/// A whole number with thousands separators: `20,000`.
fn format_count(count: u64) -> String {
    let digits = count.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn format_value(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude >= 10_000.0 && value.is_finite() {
        let count = format_count(magnitude.round() as u64);
        if value < 0.0 {
            format!("-{count}")
        } else {
            count
        }
    } else if magnitude >= 100.0 {
        format!("{value:.0}")
    } else if magnitude >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// One row: figures of both sides and the ratio (cdp's cost over the floor's: 1.00 = as the floor,
/// 2.00 = twice the time or memory).
#[derive(Debug)]
struct Row {
    scenario: &'static str,
    label: &'static str,
    unit: &'static str,
    items: usize,
    /// Samples per side.
    runs: usize,
    floor: Option<(f64, f64)>,
    cdp: Option<(f64, f64)>,
    ratio: Option<f64>,
    note: Option<String>,
}

fn rows(scenario: &Scenario, items: usize, outcome: &Outcome) -> Vec<Row> {
    scenario
        .figures
        .iter()
        .map(|figure| {
            let read = |samples: &[Sample]| -> Vec<f64> {
                samples.iter().map(|s| figure.measure.read(s)).collect()
            };
            let floor = read(&outcome.floor);
            let cdp = read(&outcome.cdp);
            // Ratios within a round: the two samples ran one after the other.
            let mut ratios: Vec<f64> = floor
                .iter()
                .zip(&cdp)
                .filter(|(f, c)| **f > 0.0 && **c > 0.0)
                .map(|(f, c)| {
                    if figure.measure.higher_is_better() {
                        f / c
                    } else {
                        c / f
                    }
                })
                .collect();
            let note = match (&outcome.floor_error, &outcome.cdp_error) {
                (_, Some(e)) => Some(format!("cdp: {e}")),
                (Some(e), None) if scenario.floor => Some(format!("floor: {e}")),
                _ => None,
            };
            Row {
                scenario: scenario.name,
                label: figure.label,
                unit: figure.unit,
                items,
                runs: outcome.cdp.len().max(outcome.floor.len()),
                floor: summary(&floor),
                cdp: summary(&cdp),
                ratio: (!ratios.is_empty()).then(|| median(&mut ratios)),
                note,
            }
        })
        .collect()
}

fn cell(value: Option<(f64, f64)>) -> String {
    match value {
        Some((m, spread)) => format!("{} ±{spread:.0}%", format_value(m)),
        None => "—".to_owned(),
    }
}

fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| scenario | figure | items | runs | unit | floor | cdp | ratio |\n|---|---|---|---|---|---|---|---|\n",
    );
    for row in rows {
        let ratio = match (row.ratio, &row.note) {
            (Some(r), _) => format!("{r:.2}×"),
            (None, Some(note)) => note.clone(),
            (None, None) => "—".to_owned(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            row.scenario,
            row.label,
            format_count(row.items as u64),
            row.runs,
            row.unit,
            cell(row.floor),
            cell(row.cdp),
            ratio
        );
    }
    out
}

/// Figures that compare two rows of one side: what concurrent pages gain, whether memory stays flat.
fn derived(rows: &[Row]) -> Vec<(String, Option<f64>, Option<f64>)> {
    let find = |scenario: &str, unit: &str| {
        rows.iter()
            .find(|r| r.scenario == scenario && r.unit == unit)
    };
    let quotient = |a: Option<(f64, f64)>, b: Option<(f64, f64)>| match (a, b) {
        (Some((a, _)), Some((b, _))) if b > 0.0 => Some(a / b),
        _ => None,
    };
    let mut out = Vec::new();
    if let (Some(conc), Some(seq)) = (
        find("contacthub-latency-concurrent", "customers/s"),
        find("contacthub-latency-sequential", "customers/s"),
    ) {
        out.push((
            "20 ms per page: 4 pages in flight ÷ one at a time (×, higher is better)".to_owned(),
            quotient(conc.floor, seq.floor),
            quotient(conc.cdp, seq.cdp),
        ));
    }
    if let (Some(big), Some(small)) = (
        find("contacthub-stream", "MB"),
        find("contacthub-heap-small", "MB"),
    ) {
        out.push((
            format!(
                "peak heap at {} customers ÷ at {} (1.00 = flat)",
                format_count(big.items as u64),
                format_count(small.items as u64)
            ),
            quotient(big.floor, small.floor),
            quotient(big.cdp, small.cdp),
        ));
    }
    out
}

fn derived_table(derived: &[(String, Option<f64>, Option<f64>)]) -> String {
    if derived.is_empty() {
        return String::new();
    }
    let show = |v: &Option<f64>| v.map_or_else(|| "—".to_owned(), |v| format!("{v:.2}"));
    let mut out = String::from(
        "
| comparison | floor | cdp |
|---|---|---|
",
    );
    for (label, floor, cdp) in derived {
        let _ = writeln!(out, "| {label} | {} | {} |", show(floor), show(cdp));
    }
    out
}

fn to_json(rows: &[Row], runs: usize, quick: bool, pinned: bool) -> Value {
    let side = |v: Option<(f64, f64)>| match v {
        Some((median, spread)) => json!({"median": median, "spread_percent": spread}),
        None => Value::Null,
    };
    json!({
        "runs": runs,
        "quick": quick,
        "pinned": pinned,
        "ratio": "cdp's cost over the floor's, median of the per-round ratios (1.0 = as the floor)",
        "rows": rows.iter().map(|r| json!({
            "scenario": r.scenario,
            "figure": r.label,
            "items": r.items,
            "runs": r.runs,
            "unit": r.unit,
            "floor": side(r.floor),
            "cdp": side(r.cdp),
            "ratio": r.ratio,
            "note": r.note,
        })).collect::<Vec<_>>(),
        "comparisons": derived(rows).into_iter().map(|(label, floor, cdp)| json!({
            "comparison": label,
            "floor": floor,
            "cdp": cdp,
        })).collect::<Vec<_>>(),
    })
}

fn build(root: &Path) -> Result<PathBuf, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    eprintln!("building cdp-bench and cdp-sandbox in release…");
    let status = Command::new(cargo)
        .current_dir(root)
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "cdp-bench",
            "-p",
            "cdp-sandbox",
        ])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("the release build failed".into());
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                root.join(dir)
            }
        })
        .unwrap_or_else(|| root.join("target"));
    Ok(target.join("release"))
}

pub(crate) fn run(root: &Path, args: &[&str]) -> ExitCode {
    match try_run(root, args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn try_run(root: &Path, args: &[&str]) -> Result<(), String> {
    let options = Options::parse(args).map_err(|e| format!("{e}\n{USAGE}"))?;
    let all = scenarios();
    let chosen: Vec<&Scenario> = all
        .iter()
        .filter(|s| options.only.as_deref().is_none_or(|only| s.name == only))
        .collect();
    if chosen.is_empty() {
        let names: Vec<&str> = all.iter().map(|s| s.name).collect();
        return Err(format!(
            "no scenario `{}`; the scenarios are: {}",
            options.only.unwrap_or_default(),
            names.join(", ")
        ));
    }
    let runs = options.runs.unwrap_or(if options.quick { 2 } else { 5 });
    let release = build(root)?;
    let (runner, sandbox_bin) = (
        release.join(format!("cdp-bench{}", std::env::consts::EXE_SUFFIX)),
        release.join(format!("cdp-sandbox{}", std::env::consts::EXE_SUFFIX)),
    );
    let pin = pinning();
    let items = |s: &Scenario| {
        if options.quick {
            s.quick_items
        } else {
            s.items
        }
    };
    let most = |sandbox: Sandbox, name: &str| {
        chosen
            .iter()
            .filter(|s| s.sandbox == sandbox && s.name.starts_with(name))
            .map(|s| items(s))
            .max()
            .unwrap_or(0)
    };
    let started = Instant::now();
    let mut sandboxes: BTreeMap<&'static str, Running> = BTreeMap::new();
    if chosen.iter().any(|s| s.sandbox == Sandbox::Data) {
        let customers = most(Sandbox::Data, "contacthub").max(1);
        let profiles = most(Sandbox::Data, "blueconic").max(1);
        let aws = most(Sandbox::Data, "aws").max(1);
        eprintln!(
            "starting the sandbox: {customers} customers, {profiles} BlueConic profiles, {aws} AWS profiles…"
        );
        let args = [
            "--customers".to_owned(),
            customers.to_string(),
            "--profiles".to_owned(),
            profiles.to_string(),
            "--aws-profiles".to_owned(),
            aws.to_string(),
        ];
        sandboxes.insert("data", start_sandbox(&sandbox_bin, &args, pin)?);
    }
    if chosen.iter().any(|s| s.sandbox == Sandbox::Slow) {
        let customers = most(Sandbox::Slow, "contacthub").max(1);
        let args = [
            "--customers".to_owned(),
            customers.to_string(),
            "--profiles".to_owned(),
            "1".to_owned(),
            "--aws-profiles".to_owned(),
            "1".to_owned(),
            "--faults".to_owned(),
            r#"contacthub={"latency_ms":20}"#.to_owned(),
        ];
        sandboxes.insert("slow", start_sandbox(&sandbox_bin, &args, pin)?);
    }
    eprintln!(
        "sandboxes ready in {:.1}s; {runs} run(s) per side{}",
        started.elapsed().as_secs_f64(),
        if pin {
            ", client on core 0, sandbox on core 1"
        } else {
            ""
        }
    );
    let no_urls = BTreeMap::new();
    let mut all_rows = Vec::new();
    for scenario in &chosen {
        let urls = match scenario.sandbox {
            Sandbox::Data => sandboxes.get("data").map_or(&no_urls, |s| &s.urls),
            Sandbox::Slow => sandboxes.get("slow").map_or(&no_urls, |s| &s.urls),
            Sandbox::None => &no_urls,
        };
        let n = items(scenario);
        let began = Instant::now();
        let mut outcome = Outcome::default();
        let rounds = match options.runs {
            Some(runs) => runs,
            None => runs.min(scenario.default_cap),
        } * scenario.repeat;
        for round in 0..rounds {
            // Alternate which side goes first, so that neither always meets a warmer sandbox.
            let order: &[&str] = match (scenario.floor, round % 2) {
                (false, _) => &["cdp"],
                (true, 0) => &["floor", "cdp"],
                (true, _) => &["cdp", "floor"],
            };
            for side in order {
                let failed = if *side == "cdp" {
                    outcome.cdp_error.is_some()
                } else {
                    outcome.floor_error.is_some()
                };
                if failed {
                    continue;
                }
                match run_sample(&runner, scenario, side, n, urls, pin) {
                    Ok(sample) if *side == "cdp" => outcome.cdp.push(sample),
                    Ok(sample) => outcome.floor.push(sample),
                    Err(e) if *side == "cdp" => outcome.cdp_error = Some(e),
                    Err(e) => outcome.floor_error = Some(e),
                }
            }
            // Keep the rounds paired: a side that failed leaves the other's ratios unpaired.
        }
        let rows = rows(scenario, n, &outcome);
        eprintln!(
            "{:<30} {:>6.1}s  {}",
            scenario.name,
            began.elapsed().as_secs_f64(),
            rows.first()
                .map(|r| format!(
                    "floor {} cdp {} {}",
                    cell(r.floor),
                    cell(r.cdp),
                    r.ratio.map_or_else(
                        || r.note.clone().unwrap_or_default(),
                        |x| format!("{x:.2}×")
                    )
                ))
                .unwrap_or_default()
        );
        all_rows.extend(rows);
    }
    drop(sandboxes);
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "\n{}{}\nratio: cdp's cost over the floor's (time per item, memory, requests), median of the per-round ratios; 1.00× = as the floor.\nspread: ± half the range of the runs, as a percentage of the median. Total {:.0}s.",
        table(&all_rows),
        derived_table(&derived(&all_rows)),
        started.elapsed().as_secs_f64()
    );
    if let Some(path) = &options.json {
        let text = serde_json::to_string_pretty(&to_json(&all_rows, runs, options.quick, pin))
            .map_err(|e| e.to_string())?;
        std::fs::write(path, text + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn banner_lines_become_environment_keys() {
        let entry = |line: &str| banner_entry(line);
        assert_eq!(entry("cdp sandbox listening on 127.0.0.1:4000"), None);
        assert_eq!(
            entry(
                "  contacthub         http://127.0.0.1:4000/contacthub  (token t, workspace w, node n)"
            ),
            Some((
                "CONTACTHUB".into(),
                "http://127.0.0.1:4000/contacthub".into()
            ))
        );
        assert_eq!(
            entry(
                "  customer-profiles  http://127.0.0.1:4000/aws  (key k / s, region r, domain d)"
            ),
            Some((
                "CUSTOMER_PROFILES".into(),
                "http://127.0.0.1:4000/aws".into()
            ))
        );
        assert_eq!(
            entry(
                "  flagship decision  http://127.0.0.1:4000/flagship/decision  (env e, api key k)"
            ),
            Some((
                "FLAGSHIP_DECISION".into(),
                "http://127.0.0.1:4000/flagship/decision".into()
            ))
        );
        assert_eq!(
            entry(
                "  admin              http://127.0.0.1:4000/_sandbox/journal, http://127.0.0.1:4000/_sandbox/faults/{service}"
            ),
            Some((
                "ADMIN".into(),
                "http://127.0.0.1:4000/_sandbox/journal".into()
            ))
        );
    }

    #[test]
    fn options_parse_and_refuse_what_they_do_not_know() {
        let options = Options::parse(&[
            "--quick", "--only", "startup", "--json", "out.json", "--runs", "0",
        ])
        .unwrap();
        assert!(options.quick);
        assert_eq!(options.only.as_deref(), Some("startup"));
        assert_eq!(options.json, Some(PathBuf::from("out.json")));
        assert_eq!(options.runs, Some(1), "at least one run");
        assert!(Options::parse(&["--only"]).is_err());
        assert!(Options::parse(&["--runs", "many"]).is_err());
        assert!(Options::parse(&["--fast"]).is_err());
    }

    #[test]
    fn median_and_spread() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&mut []).is_nan());
        let (m, spread) = summary(&[90.0, 100.0, 110.0]).unwrap();
        assert_eq!(m, 100.0);
        assert!((spread - 10.0).abs() < 1e-9, "{spread}");
        assert_eq!(summary(&[]), None);
    }

    #[test]
    fn ratios_are_cdp_cost_over_floor_cost_per_round() {
        let sample = |seconds: f64, peak_heap: u64| Sample {
            seconds,
            items: 100,
            peak_heap,
            ..Sample::default()
        };
        let outcome = Outcome {
            // Round 1: cdp takes twice the time; round 2: the same. Memory: 3× in both.
            floor: vec![sample(1.0, 1_000_000), sample(2.0, 1_000_000)],
            cdp: vec![sample(2.0, 3_000_000), sample(2.0, 3_000_000)],
            ..Outcome::default()
        };
        let all = scenarios();
        let stream = all.iter().find(|s| s.name == "blueconic-stream").unwrap();
        let rows = rows(stream, 100, &outcome);
        assert_eq!(rows[0].unit, "profiles/s");
        assert_eq!(rows[0].ratio, Some(1.5), "median of 2.0 and 1.0");
        assert_eq!(rows[1].unit, "MB");
        assert_eq!(rows[1].ratio, Some(3.0));
        assert_eq!(rows[0].runs, 2);
    }

    #[test]
    fn a_side_that_failed_is_named_in_the_row() {
        let outcome = Outcome {
            floor: vec![Sample {
                seconds: 1.0,
                items: 10,
                ..Sample::default()
            }],
            cdp_error: Some("not built".into()),
            ..Outcome::default()
        };
        let all = scenarios();
        let scenario = all
            .iter()
            .find(|s| s.name == "contacthub-latency-concurrent")
            .unwrap();
        let rows = rows(scenario, 10, &outcome);
        assert_eq!(rows[0].ratio, None);
        assert_eq!(rows[0].note.as_deref(), Some("cdp: not built"));
        assert!(table(&rows).contains("cdp: not built"));
    }

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(20_000), "20,000");
        assert_eq!(format_count(1_000_000), "1,000,000");
        assert_eq!(format_value(410_445.4), "410,445");
        assert_eq!(format_value(4.27), "4.27");
    }
}
