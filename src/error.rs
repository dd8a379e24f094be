//! Every way ep can end, mapped to the contract's exit codes in one place.
//!
//! Commands return `anyhow::Result`; anything a caller branches on is a typed error
//! ([`CliError`], [`GraphError`], [`AuthError`]) somewhere in the chain, and [`classify`] walks the
//! chain to find the kind. Unknown errors are exit 1 rather than a panic.

use crate::auth::AuthError;
use crate::graph::GraphError;

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

/// Writing to a closed pipe (`ep ... | head`) is how a reader says "enough", not a failure.
#[derive(Debug, thiserror::Error)]
#[error("output pipe closed")]
pub struct BrokenPipe;

/// Whether `err` is, somewhere in its chain, a closed output pipe.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .any(|c| c.downcast_ref::<BrokenPipe>().is_some())
}

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
        if let Some(e) = cause.downcast_ref::<CliError>() {
            return Report {
                status: e.status,
                message: top_message(err, &e.message),
                hint: e.hint.clone(),
                silent: false,
            };
        }
        if let Some(e) = cause.downcast_ref::<AuthError>() {
            return Report {
                status: ExitStatus::Auth,
                message: top_message(err, &e.to_string()),
                hint: e.hint(),
                silent: false,
            };
        }
        if let Some(e) = cause.downcast_ref::<GraphError>() {
            return Report {
                status: e.exit_status(),
                message: top_message(err, &e.to_string()),
                hint: e.hint(),
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

/// Keep the context a command added ("resolving package 'X'") in front of the typed error's text.
fn top_message(err: &anyhow::Error, typed: &str) -> String {
    let outer = err.to_string();
    if outer == typed {
        typed.to_string()
    } else {
        format!("{outer}: {typed}")
    }
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
    fn untyped_errors_are_exit_1_with_the_whole_chain() {
        let err = anyhow::anyhow!("disk full").context("writing journal");
        let report = classify(&err);
        assert_eq!(report.status, ExitStatus::PartialFailure);
        assert_eq!(report.message, "writing journal: disk full");
    }
}
