//! `cdp-sandbox`: serve the four emulated services until Ctrl-C.
//!
//! ```text
//! cargo run -p cdp-sandbox -- [--port 8080] [--seed 42] [--customers 2000] [--profiles 2000]
//!                             [--aws-profiles 500] [--faults SERVICE=JSON]...
//! ```
//! `--faults contacthub='{"error_rate":0.1,"retry_after_secs":2}'` sets faults from the start; at run time
//! `PUT /_sandbox/faults/{service}` with the same JSON changes them, and `GET /_sandbox/journal` lists
//! what was received.

use std::io::Write as _;
use std::process::ExitCode;

use cdp_sandbox::{Config, Faults, Sandbox, Service};

const USAGE: &str = "usage: cdp-sandbox [--port N] [--seed N] [--customers N] [--profiles N] [--aws-profiles N] [--faults SERVICE=JSON]...";

fn parse_args() -> Result<Option<Config>, String> {
    use lexopt::prelude::*;
    let mut config = Config::default().port(8080);
    let mut parser = lexopt::Parser::from_env();
    let number = |parser: &mut lexopt::Parser| -> Result<u64, String> {
        let value = parser.value().map_err(|e| e.to_string())?;
        value
            .string()
            .map_err(|e| e.to_string())?
            .parse::<u64>()
            .map_err(|e| e.to_string())
    };
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Long("port") => {
                config.port = u16::try_from(number(&mut parser)?).map_err(|e| e.to_string())?
            }
            Long("seed") => config.seed = number(&mut parser)?,
            Long("customers") => config.customers = number(&mut parser)? as usize,
            Long("profiles") => config.profiles = number(&mut parser)? as usize,
            Long("aws-profiles") => config.aws_profiles = number(&mut parser)? as usize,
            Long("faults") => {
                let value = parser
                    .value()
                    .map_err(|e| e.to_string())?
                    .string()
                    .map_err(|e| e.to_string())?;
                let (service, faults) =
                    value.split_once('=').ok_or("--faults takes SERVICE=JSON")?;
                let service: Service = service.parse()?;
                let faults: Faults =
                    serde_json::from_str(faults).map_err(|e| format!("--faults {service}: {e}"))?;
                config.faults.insert(service, faults);
            }
            Short('h') | Long("help") => return Ok(None),
            other => return Err(other.unexpected().to_string()),
        }
    }
    Ok(Some(config))
}

#[tokio::main]
async fn main() -> ExitCode {
    let config = match parse_args() {
        Ok(Some(config)) => config,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let sandbox = match Sandbox::start_with(config).await {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!("error: cannot start the sandbox: {e}");
            return ExitCode::FAILURE;
        }
    };
    let urls = sandbox.urls();
    let c = sandbox.credentials();
    let banner = [
        format!("cdp sandbox listening on {}", sandbox.addr()),
        format!(
            "  contacthub         {}  (token {}, workspace {}, node {})",
            urls.contacthub, c.contacthub_token, c.contacthub_workspace, c.contacthub_node
        ),
        format!(
            "  blueconic          {}  (client {} / {})",
            urls.blueconic, c.blueconic_client_id, c.blueconic_client_secret
        ),
        format!(
            "  customer-profiles  {}  (key {} / {}, region {}, domain {})",
            urls.customer_profiles,
            c.aws_access_key_id,
            c.aws_secret_access_key,
            c.aws_region,
            c.aws_domain
        ),
        format!(
            "  flagship decision  {}  (env {}, api key {})",
            urls.flagship_decision, c.flagship_env_id, c.flagship_api_key
        ),
        format!("  flagship cdn       {}", urls.flagship_cdn),
        format!("  flagship hits      {}", urls.flagship_hits),
        format!(
            "  admin              {}/journal, {}/faults/{{service}}",
            urls.admin, urls.admin
        ),
    ];
    // Whoever started us may stop reading; that is no reason to fail (println! would panic).
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", banner.join("\n")).and_then(|()| out.flush());
    drop(out);
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("error: cannot wait for Ctrl-C: {e}");
    }
    sandbox.shutdown().await;
    ExitCode::SUCCESS
}
