//! `ep emulator`: the built-in Graph-compatible server, in the foreground until Ctrl-C.

use crate::cli::EmulatorArgs;
use crate::diag;
use crate::error::{CliError, ExitStatus};
use ep_emulator::{Emulator, EmulatorConfig};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub async fn run(args: EmulatorArgs) -> anyhow::Result<ExitStatus> {
    validate(&args)?;
    let port = args.port;
    let config = emulator_config(args)?;
    let emu = Emulator::start(config, ([127, 0, 0, 1], port).into())
        .await
        .map_err(|e| {
            CliError::usage(format!("could not start the emulator on port {port}: {e}"))
                .with_hint("pick another --port, or --port 0 for any free port")
        })?;
    crate::output::print_text(&emu.usage_text())?;
    diag::note("emulator running; press Ctrl-C to stop");
    tokio::signal::ctrl_c().await?;
    emu.shutdown().await;
    Ok(ExitStatus::Success)
}

/// The knobs whose values the emulator cannot use, refused before anything starts. (The shares
/// are checked as the config is built, after these.)
fn validate(args: &EmulatorArgs) -> Result<(), CliError> {
    if args.packages < 2 {
        return Err(CliError::usage("--packages must be at least 2"));
    }
    if args.page_size == 0 {
        return Err(CliError::usage("--page-size must be at least 1"));
    }
    if args.live_every == 0 {
        return Err(CliError::usage("--live-every must be at least 1"));
    }
    if let Some(rate) = args.rate {
        if !(rate.is_finite() && rate > 0.0) {
            return Err(CliError::usage("--rate must be a positive number"));
        }
    }
    if !(args.audit_rate.is_finite() && args.audit_rate > 0.0) {
        return Err(CliError::usage("--audit-rate must be a positive number"));
    }
    if ![400, 403].contains(&args.catalog_refusal) {
        return Err(CliError::usage("--catalog-refusal must be 400 or 403"));
    }
    if args.repeat_refusal == 429 {
        return Err(CliError::usage(
            "--repeat-refusal 429 would be throttling, not a refusal: choose another 4xx",
        ));
    }
    if let Some(status) = args
        .imds_failures
        .iter()
        .find(|s| !(400..=599).contains(*s))
    {
        return Err(CliError::usage(format!(
            "--imds-failures takes HTTP error statuses (400-599), not {status}"
        )));
    }
    Ok(())
}

/// A fraction flag: between 0.0 and 1.0.
fn share(v: f64, flag: &str) -> Result<f64, CliError> {
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(CliError::usage(format!(
            "{flag} must be between 0.0 and 1.0, not {v}"
        )))
    }
}

/// The emulator's configuration from validated flags. The fields are evaluated in the order
/// written, which decides the bad flag reported first: `--arc-key-dir`, the shares in field
/// order, then `--client-certificate`.
fn emulator_config(args: EmulatorArgs) -> Result<EmulatorConfig, CliError> {
    let arc_key_dir = arc_key_dir(args.arc_key_dir.as_deref())?;
    Ok(EmulatorConfig {
        seed: args.seed,
        requests: args.requests,
        packages: args.packages,
        latency: Duration::from_millis(args.latency_ms),
        rate: args.rate,
        burst: args.burst.max(1),
        fault_rate: share(args.fault_rate, "--fault-rate")?,
        fault_reset: share(args.fault_reset, "--fault-reset")?,
        lost_ack: share(args.lost_ack, "--lost-ack")?,
        fault_scope: args.fault_scope,
        fault_html: args.fault_html,
        retry_after: args.retry_after,
        catalog_scoped: args.catalog_scoped,
        outage: args.outage,
        page_size: args.page_size,
        paging: args.paging,
        live_changes: args.live_changes,
        live_every: args.live_every,
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
        client_certificates: client_certificates(args.client_certificate.as_deref())?,
        device_code_interval: args.device_code_interval.max(1),
        directory_lag: args.directory_lag,
        arc_key_dir,
        imds_failures: args.imds_failures,
        audit_rate: Some(args.audit_rate),
        audit_burst: args.audit_burst.max(1),
        audit_correlation: args.audit_correlation,
        resource_roles_unavailable: args.resource_roles_unavailable,
        ..EmulatorConfig::default()
    })
}

/// `--arc-key-dir`, made absolute: the challenge names the key by absolute path, as the agent
/// does; ep refuses anything else.
fn arc_key_dir(dir: Option<&Path>) -> Result<Option<PathBuf>, CliError> {
    let Some(dir) = dir else {
        return Ok(None);
    };
    std::fs::canonicalize(dir)
        .ok()
        .filter(|d| d.is_dir())
        .ok_or_else(|| {
            CliError::usage(format!(
                "--arc-key-dir {} is not a directory",
                dir.display()
            ))
            .with_hint("create it first, e.g. with mktemp -d")
        })
        .map(Some)
}

/// `--client-certificate`: the PEM the demo app's certificate credential is checked against.
fn client_certificates(path: Option<&Path>) -> Result<Vec<(String, String)>, CliError> {
    let Some(path) = path else {
        return Ok(Vec::new());
    };
    let pem = std::fs::read_to_string(path)
        .map_err(|e| CliError::usage(format!("--client-certificate {}: {e}", path.display())))?;
    Ok(vec![(ep_emulator::DEMO.client_id.to_string(), pem)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;
    use ep_emulator::PagingModel;

    fn args(extra: &[&str]) -> EmulatorArgs {
        let argv = ["ep", "emulator"].iter().chain(extra);
        match Cli::try_parse_from(argv).unwrap().command {
            Command::Emulator(a) => a,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn paging_and_live_changes_map_to_the_config_with_the_emulators_defaults() {
        let defaults = emulator_config(args(&[])).unwrap();
        let lib = EmulatorConfig::default();
        assert_eq!(defaults.paging, PagingModel::Offset);
        assert_eq!(
            (defaults.paging, defaults.live_changes, defaults.live_every),
            (lib.paging, lib.live_changes, lib.live_every)
        );
        let set = args(&[
            "--paging",
            "snapshot",
            "--live-changes",
            "5",
            "--live-every",
            "1",
        ]);
        validate(&set).unwrap();
        let c = emulator_config(set).unwrap();
        assert_eq!(
            (c.paging, c.live_changes, c.live_every),
            (PagingModel::Snapshot, 5, 1)
        );
        assert_eq!(
            emulator_config(args(&["--paging", "key"])).unwrap().paging,
            PagingModel::Key
        );
    }

    #[test]
    fn live_every_zero_and_unknown_paging_models_are_usage_errors() {
        let e = validate(&args(&["--live-every", "0"])).unwrap_err();
        assert_eq!(e.status, ExitStatus::Usage);
        assert!(e.message.contains("--live-every"), "{}", e.message);
        assert!(Cli::try_parse_from(["ep", "emulator", "--paging", "page"]).is_err());
    }
}
