//! ep: find and reprocess failed Entra ID access package assignment requests.
//!
//! The binary in `main.rs` is a thin shell around [`main_entry`]; everything else lives here so
//! that integration tests can start the built-in Graph emulator in-process.

pub mod auth;
pub mod cli;
pub mod commands;
pub mod config;
pub mod eligibility;
pub mod emulator;
pub mod error;
pub mod graph;
pub mod output;

use clap::Parser;
use error::{ExitStatus, classify};

/// Parse, run, map the outcome to an exit code. Errors are printed here and nowhere else.
pub fn main_entry() -> i32 {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return report_clap_error(e),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ep: error: could not start the async runtime: {e}");
            return ExitStatus::PartialFailure.code();
        }
    };
    let outcome = runtime.block_on(commands::run(cli));
    // The demo emulator and in-flight calls are dropped with the runtime; don't wait on them.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    match outcome {
        Ok(status) => status.code(),
        Err(err) => {
            let report = classify(&err);
            if !report.silent {
                eprintln!("ep: error: {}", report.message);
                if let Some(hint) = report.hint {
                    eprintln!("  hint: {hint}");
                }
            }
            report.status.code()
        }
    }
}

/// clap's own errors, shortened to the error line and its tip; `--help`/`--version` pass through.
fn report_clap_error(e: clap::Error) -> i32 {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            ExitStatus::Success.code()
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            ExitStatus::Usage.code()
        }
        _ => {
            let rendered = e.render().to_string();
            let mut lines = rendered.lines().filter(|l| !l.trim().is_empty());
            let first = lines.next().unwrap_or("error: invalid arguments");
            let first = first.strip_prefix("error: ").unwrap_or(first);
            eprintln!("ep: error: {first}");
            for tip in lines.filter(|l| l.trim_start().starts_with("tip:")) {
                eprintln!(
                    "  hint: {}",
                    tip.trim_start().trim_start_matches("tip:").trim()
                );
            }
            let usage_hint = rendered
                .lines()
                .find(|l| l.starts_with("For more information"))
                .map(|l| {
                    l.trim_start_matches("For more information, try ")
                        .trim_end_matches('.')
                })
                .unwrap_or("'ep --help'");
            eprintln!("  hint: see {usage_hint}");
            ExitStatus::Usage.code()
        }
    }
}
