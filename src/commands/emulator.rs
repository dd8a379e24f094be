//! `ep emulator`: the built-in Graph-compatible server, in the foreground until Ctrl-C.

use crate::cli::EmulatorArgs;
use crate::diag;
use crate::error::{CliError, ExitStatus};
use ep_emulator::{Emulator, EmulatorConfig};
use std::time::Duration;

pub async fn run(args: EmulatorArgs) -> anyhow::Result<ExitStatus> {
    let share = |v: f64, flag: &str| {
        if (0.0..=1.0).contains(&v) {
            Ok(v)
        } else {
            Err(CliError::usage(format!(
                "{flag} must be between 0.0 and 1.0, not {v}"
            )))
        }
    };
    if args.packages < 2 {
        return Err(CliError::usage("--packages must be at least 2").into());
    }
    if args.page_size == 0 {
        return Err(CliError::usage("--page-size must be at least 1").into());
    }
    if let Some(rate) = args.rate {
        if !(rate.is_finite() && rate > 0.0) {
            return Err(CliError::usage("--rate must be a positive number").into());
        }
    }
    if ![400, 403].contains(&args.catalog_refusal) {
        return Err(CliError::usage("--catalog-refusal must be 400 or 403").into());
    }
    if args.repeat_refusal == 429 {
        return Err(CliError::usage(
            "--repeat-refusal 429 would be throttling, not a refusal: choose another 4xx",
        )
        .into());
    }
    if let Some(status) = args
        .imds_failures
        .iter()
        .find(|s| !(400..=599).contains(*s))
    {
        return Err(CliError::usage(format!(
            "--imds-failures takes HTTP error statuses (400-599), not {status}"
        ))
        .into());
    }
    // The challenge names the key by absolute path, as the agent does; ep refuses anything else.
    let arc_key_dir = match &args.arc_key_dir {
        Some(dir) => Some(
            std::fs::canonicalize(dir)
                .ok()
                .filter(|d| d.is_dir())
                .ok_or_else(|| {
                    CliError::usage(format!(
                        "--arc-key-dir {} is not a directory",
                        dir.display()
                    ))
                    .with_hint("create it first, e.g. with mktemp -d")
                })?,
        ),
        None => None,
    };
    let config = EmulatorConfig {
        seed: args.seed,
        requests: args.requests,
        packages: args.packages,
        latency: Duration::from_millis(args.latency_ms),
        rate: args.rate,
        burst: args.burst.max(1),
        fault_rate: share(args.fault_rate, "--fault-rate")?,
        fault_reset: share(args.fault_reset, "--fault-reset")?,
        lost_ack: share(args.lost_ack, "--lost-ack")?,
        fault_html: args.fault_html,
        retry_after: args.retry_after,
        catalog_scoped: args.catalog_scoped,
        outage: args.outage,
        page_size: args.page_size,
        settle: Duration::from_millis(args.settle_ms),
        refail_rate: share(args.refail_rate, "--refail-rate")?,
        trial_window: Duration::from_millis(args.trial_window_ms),
        recover_delay: Duration::from_millis(args.recover_delay_ms),
        visible_refail: args.visible_refail,
        repeat_refusal: args.repeat_refusal,
        reprocess_window_days: args.reprocess_window_days,
        catalog_refusal: args.catalog_refusal,
        lenient_batch_writes: args.lenient_batch_writes,
        batch_refuses_writes: args.batch_refuses_writes,
        token_ttl: Duration::from_secs(args.token_ttl.max(1)),
        strict_filters: args.strict_filters,
        client_certificates: match &args.client_certificate {
            Some(path) => {
                let pem = std::fs::read_to_string(path).map_err(|e| {
                    CliError::usage(format!("--client-certificate {}: {e}", path.display()))
                })?;
                vec![(ep_emulator::DEMO.client_id.to_string(), pem)]
            }
            None => Vec::new(),
        },
        device_code_interval: args.device_code_interval.max(1),
        arc_key_dir,
        imds_failures: args.imds_failures,
        ..EmulatorConfig::default()
    };
    let emu = Emulator::start(config, ([127, 0, 0, 1], args.port).into())
        .await
        .map_err(|e| {
            CliError::usage(format!(
                "could not start the emulator on port {}: {e}",
                args.port
            ))
            .with_hint("pick another --port, or --port 0 for any free port")
        })?;
    crate::output::print_text(&emu.usage_text())?;
    diag::note("emulator running; press Ctrl-C to stop");
    tokio::signal::ctrl_c().await?;
    emu.shutdown().await;
    Ok(ExitStatus::Success)
}
