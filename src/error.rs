//! Every way ep can end, mapped to the contract's exit codes in one place.
//!
//! Commands return `anyhow::Result`; anything a caller branches on is a typed error
//! ([`CliError`], [`GraphError`], [`AuthError`]) somewhere in the chain, and [`classify`] walks the
//! chain to find the kind. Unknown errors are exit 1 rather than a panic.

use crate::auth::AuthError;
use crate::graph::GraphError;
use crate::output::{BrokenPipe, QueryError};

/// The contract's exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Success,
    /// At least one selected request could not be reprocessed.
    PartialFailure,
    Usage,
    Auth,
    NotFound,
    Unavailable,
    /// Ctrl-C (SIGINT) stopped a run: 128 + 2.
    Interrupted,
    /// SIGTERM stopped a run: 128 + 15.
    Terminated,
}

impl ExitStatus {
    pub fn code(self) -> i32 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::PartialFailure => 1,
            ExitStatus::Usage => 2,
            ExitStatus::Auth => 3,
            ExitStatus::NotFound => 4,
            ExitStatus::Unavailable => 5,
            ExitStatus::Interrupted => 130,
            ExitStatus::Terminated => 143,
        }
    }
}

/// A failure the user can act on: one line of message, optionally one line of hint.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct CliError {
    pub status: ExitStatus,
    pub message: String,
    pub hint: Option<String>,
}

impl CliError {
    pub fn new(status: ExitStatus, message: impl Into<String>) -> Self {
        CliError {
            status,
            message: message.into(),
            hint: None,
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(ExitStatus::Usage, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ExitStatus::NotFound, message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// The person at the terminal cancelled (Esc or Ctrl-C at a prompt) and was told so where it
/// happened: exit 130, as a cancelled fzf, with nothing more printed.
#[derive(Debug, thiserror::Error)]
#[error("cancelled; nothing was sent")]
pub struct Cancelled;

/// Whether `err` is, somewhere in its chain, a closed output pipe.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .any(|c| c.downcast_ref::<BrokenPipe>().is_some())
}

/// Where to read about `--query` when an expression fails.
pub const QUERY_HINT: &str = "JMESPath functions take values of a given type (jmespath.org); \
    -o json without --query shows the document the query is applied to";

/// What main prints and returns for an error.
#[derive(Debug, PartialEq, Eq)]
pub struct Report {
    pub status: ExitStatus,
    pub message: String,
    pub hint: Option<String>,
    /// Quiet exits (broken pipe) print nothing.
    pub silent: bool,
}

/// Find the most specific typed error in the chain and turn it into a report.
pub fn classify(err: &anyhow::Error) -> Report {
    for cause in err.chain() {
        if cause.downcast_ref::<BrokenPipe>().is_some() {
            return Report {
                status: ExitStatus::Success,
                message: String::new(),
                hint: None,
                silent: true,
            };
        }
        if cause.downcast_ref::<Cancelled>().is_some() {
            return Report {
                status: ExitStatus::Interrupted,
                message: cause.to_string(),
                hint: None,
                silent: true,
            };
        }
        if let Some(e) = cause.downcast_ref::<CliError>() {
            return Report {
                status: e.status,
                message: top_message(err, &e.message),
                hint: e.hint.clone(),
                silent: false,
            };
        }
        if let Some(e) = cause.downcast_ref::<QueryError>() {
            return Report {
                status: ExitStatus::Usage,
                message: e.to_string(),
                hint: Some(QUERY_HINT.into()),
                silent: false,
            };
        }
        if let Some(e) = cause.downcast_ref::<AuthError>() {
            return Report {
                status: auth_exit(e),
                message: top_message(err, &e.to_string()),
                hint: e.hint(),
                silent: false,
            };
        }
        if let Some(e) = cause.downcast_ref::<GraphError>() {
            let refused = matches!(e.status(), Some(401 | 403));
            let hint = match crate::auth::refusal_hint() {
                Some(why) if refused => Some(why.to_string()),
                _ => e.hint(),
            };
            return Report {
                status: graph_exit(e),
                message: top_message(err, &e.to_string()),
                hint,
                silent: false,
            };
        }
    }
    Report {
        status: ExitStatus::PartialFailure,
        message: err
            .chain()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(": "),
        hint: None,
        silent: false,
    }
}

/// The one mapping of an HTTP status (or none: no answer at all) to the contract's exit codes,
/// where the status alone decides. Other 4xx depend on what was asked: the caller chooses.
pub fn status_exit(status: Option<u16>) -> Option<ExitStatus> {
    match status {
        Some(401 | 403) => Some(ExitStatus::Auth),
        Some(404) => Some(ExitStatus::NotFound),
        Some(429 | 500..=599) | None => Some(ExitStatus::Unavailable),
        Some(_) => None,
    }
}

/// A sign-in failure: exit 3, except a login host that could not be reached at all. That is
/// the service being unavailable, as an unreachable Graph is (5): the same network trouble gets
/// the same code whichever host it hit first. A managed identity endpoint that does not answer
/// stays 3: off Azure there is none, which is a choice of credential, not an outage.
pub fn auth_exit(e: &AuthError) -> ExitStatus {
    match e {
        AuthError::Unreachable { source_name, .. } if *source_name != "managed-identity" => {
            ExitStatus::Unavailable
        }
        // Like a missing config directory: a matter of setting up the machine or opting in.
        AuthError::KeyringUnavailable { .. } => ExitStatus::Usage,
        _ => ExitStatus::Auth,
    }
}

/// A Graph failure that ended a whole command. A 4xx other than 401/403/404/429 means Graph
/// refused what was asked: a usage error.
pub fn graph_exit(e: &GraphError) -> ExitStatus {
    match e {
        GraphError::Auth(e) => auth_exit(e),
        GraphError::Api { status, .. } => {
            status_exit(Some(*status)).unwrap_or(if (400..500).contains(status) {
                ExitStatus::Usage
            } else {
                ExitStatus::Unavailable
            })
        }
        // Gave up, or no usable answer: Graph (or the way to it) is unavailable.
        _ => ExitStatus::Unavailable,
    }
}

/// Keep the context a command added ("resolving package 'X'") in front of the typed error's text.
fn top_message(err: &anyhow::Error, typed: &str) -> String {
    let outer = err.to_string();
    if outer == typed {
        typed.to_string()
    } else {
        format!("{outer}: {typed}")
    }
}

/// clap's own errors, shortened to the error line and its tip; `--help`/`--version` pass through.
/// `command` is the subcommand the arguments reached, for when clap's message has no usage line
/// to name it.
pub fn report_clap_error(e: clap::Error, command: &str) -> i32 {
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
            let (message, tips, usage) = summarize_clap_error(&rendered);
            // The usage line, where clap gives one, names the command exactly; it is "ep" alone
            // when there was none.
            let command = if usage == "ep" {
                command
            } else {
                usage.as_str()
            };
            // The message quotes the offending argument as typed: it goes through the same
            // sanitiser as everything else on stderr.
            crate::diag::error(&message, None);
            for tip in tips {
                crate::diag::hint(&tip);
            }
            crate::diag::hint(&format!("see '{command} --help'"));
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
    use super::*;

    #[test]
    fn exit_codes_match_the_contract() {
        let pairs = [
            (ExitStatus::Success, 0),
            (ExitStatus::PartialFailure, 1),
            (ExitStatus::Usage, 2),
            (ExitStatus::Auth, 3),
            (ExitStatus::NotFound, 4),
            (ExitStatus::Unavailable, 5),
            (ExitStatus::Interrupted, 130),
            (ExitStatus::Terminated, 143),
        ];
        for (status, code) in pairs {
            assert_eq!(status.code(), code, "{status:?}");
        }
    }

    #[test]
    fn context_is_kept_in_front_of_a_typed_error() {
        let err = anyhow::Error::new(
            CliError::not_found("no package named 'X'").with_hint("try ep packages list"),
        )
        .context("resolving --package");
        let report = classify(&err);
        assert_eq!(report.status, ExitStatus::NotFound);
        assert_eq!(report.message, "resolving --package: no package named 'X'");
        assert_eq!(report.hint.as_deref(), Some("try ep packages list"));
    }

    #[test]
    fn broken_pipe_is_a_silent_success() {
        let report = classify(&anyhow::Error::new(BrokenPipe));
        assert_eq!(report.status, ExitStatus::Success);
        assert!(report.silent);
    }

    #[test]
    fn a_cancelled_prompt_is_a_quiet_130() {
        let report = classify(&anyhow::Error::new(Cancelled));
        assert_eq!(report.status, ExitStatus::Interrupted);
        assert!(report.silent);
    }

    #[test]
    fn an_unreachable_login_host_is_unavailable_like_an_unreachable_graph() {
        let unreachable = |source_name| AuthError::Unreachable {
            source_name,
            url: "https://login.example".into(),
            detail: "connection refused".into(),
        };
        assert_eq!(
            classify(&anyhow::Error::new(unreachable("client-secret"))).status,
            ExitStatus::Unavailable
        );
        assert_eq!(
            graph_exit(&GraphError::Auth(unreachable("device-code"))),
            ExitStatus::Unavailable
        );
        // Off Azure no managed identity endpoint answers: a choice of credential, not an outage.
        assert_eq!(
            classify(&anyhow::Error::new(unreachable("managed-identity"))).status,
            ExitStatus::Auth
        );
    }

    #[test]
    fn untyped_errors_are_exit_1_with_the_whole_chain() {
        let err = anyhow::anyhow!("disk full").context("writing journal");
        let report = classify(&err);
        assert_eq!(report.status, ExitStatus::PartialFailure);
        assert_eq!(report.message, "writing journal: disk full");
    }

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
