//! ep: find and reprocess failed Entra ID access package assignment requests.
//!
//! The binary in `main.rs` is a thin shell around [`main_entry`]; everything else lives here so
//! that integration tests can start the built-in Graph emulator in-process.

pub mod auth;
pub mod cli;
pub mod commands;
pub mod config;
pub mod eligibility;
pub mod error;
pub mod graph;
pub mod http;
pub mod interrupt;
pub mod journal;
pub mod output;
pub mod redact;

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
            output::diag::error(&format!("could not start the async runtime: {e}"), None);
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
                output::diag::error(&report.message, report.hint.as_deref());
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
            let (message, tips, command) = summarize_clap_error(&rendered);
            // The message quotes the offending argument as typed: it goes through the same
            // sanitiser as everything else on stderr.
            output::diag::error(&message, None);
            for tip in tips {
                output::diag::hint(&tip);
            }
            output::diag::hint(&format!("see '{command} --help'"));
            ExitStatus::Usage.code()
        }
    }
}

/// clap renders several lines; keep the message (with its indented continuation, e.g. the
/// missing arguments), the tips, and the command path from the usage line.
fn summarize_clap_error(rendered: &str) -> (String, Vec<String>, String) {
    let mut message = String::new();
    let mut tips = Vec::new();
    let mut command = String::from("ep");
    let mut in_message = true;
    for line in rendered.lines() {
        let trimmed = line.trim();
        if let Some(tip) = trimmed.strip_prefix("tip:") {
            tips.push(tip.trim().to_string());
        } else if let Some(usage) = trimmed.strip_prefix("Usage:") {
            command = usage
                .split_whitespace()
                .take_while(|w| !w.starts_with(['[', '-', '<']))
                .collect::<Vec<_>>()
                .join(" ");
        } else if trimmed.is_empty() {
            in_message = message.is_empty();
        } else if in_message {
            let part = trimmed.strip_prefix("error: ").unwrap_or(trimmed);
            if !message.is_empty() {
                message.push(' ');
            }
            message.push_str(part);
        }
    }
    (message, tips, command)
}

#[cfg(test)]
mod tests {
    use super::summarize_clap_error;

    #[test]
    fn clap_errors_become_one_line_with_the_command_to_ask() {
        let rendered = "error: the following required arguments were not provided:\n  --package <ID|NAME>\n\nUsage: ep requests list --package <ID|NAME>\n\nFor more information, try '--help'.\n";
        let (message, tips, command) = summarize_clap_error(rendered);
        assert_eq!(
            message,
            "the following required arguments were not provided: --package <ID|NAME>"
        );
        assert!(tips.is_empty());
        assert_eq!(command, "ep requests list");
        let rendered = "error: unexpected argument '--foo' found\n\n  tip: to pass '--foo' as a value, use '-- --foo'\n\nUsage: ep reprocess [OPTIONS] [REQUEST_ID]...\n";
        let (message, tips, command) = summarize_clap_error(rendered);
        assert_eq!(message, "unexpected argument '--foo' found");
        assert_eq!(
            tips,
            vec!["to pass '--foo' as a value, use '-- --foo'".to_string()]
        );
        assert_eq!(command, "ep reprocess");
    }
}
