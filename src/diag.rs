//! Diagnostics on stderr: errors, warnings, notes and `-v` traces. Set once from the config.
//!
//! Every line ep writes to stderr goes through [`emit`]: the secrets ep holds are hidden, control
//! and bidi characters are shown escaped ([`super::sanitize`]), and a stderr that is closed or
//! full is ignored rather than a panic — a reader going away must not stop a run half-way, before
//! its summary and journal are written.

use crate::sanitize;
use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::{Duration, Instant};

static VERBOSITY: AtomicU8 = AtomicU8::new(0);
static QUIET: AtomicBool = AtomicBool::new(false);
static SILENT: AtomicBool = AtomicBool::new(false);

pub fn configure(verbosity: u8, quiet: bool) {
    VERBOSITY.store(verbosity, Ordering::Relaxed);
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Nothing at all on stderr from now on, errors included: a shell's completion request prints
/// stderr over the command line being typed, so there a failure is an empty answer, not a line.
pub fn silence() {
    SILENT.store(true, Ordering::Relaxed);
}

pub fn verbosity() -> u8 {
    VERBOSITY.load(Ordering::Relaxed)
}

pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Write `prefix` + the made-safe `message` as one line. One `write_all` under the lock, so lines
/// from concurrent tasks never interleave; errors (EPIPE, EBADF) are deliberately dropped.
fn emit(prefix: &str, message: &str) {
    if SILENT.load(Ordering::Relaxed) {
        return;
    }
    let mut line = String::with_capacity(prefix.len() + message.len() + 1);
    line.push_str(prefix);
    line.push_str(&sanitize::text(message));
    line.push('\n');
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// The error that ends the run, with its hint. Never silenced.
pub fn error(message: &str, hint: Option<&str>) {
    emit("ep: error: ", message);
    if let Some(hint) = hint {
        emit("  hint: ", hint);
    }
}

/// A further hint under an [`error`].
pub fn hint(message: &str) {
    emit("  hint: ", message);
}

/// Something the user should know even in scripts (skips, fallbacks). Silenced by `-q`.
pub fn note(message: impl AsRef<str>) {
    if !quiet() {
        emit("ep: ", message.as_ref());
    }
}

/// Something went wrong but the run goes on. Never silenced.
pub fn warn(message: impl AsRef<str>) {
    emit("ep: warning: ", message.as_ref());
}

/// A last word before exiting at once (a second Ctrl-C). Never silenced.
pub fn fatal(message: impl AsRef<str>) {
    emit("ep: ", message.as_ref());
}

/// At most one [`waiting`] line this often: a bulk run's concurrent retries say it once.
const WAITING_EVERY: Duration = Duration::from_secs(3);

static LAST_WAITING: Mutex<Option<Instant>> = Mutex::new(None);

/// What ep is waiting for, at a terminal: a person watching a silent screen cannot tell a
/// retry from a hang (cargo's "spurious network error (N tries remaining)"). Silenced by `-q`,
/// not written when stderr is not a terminal (`-v` traces every retry there), and at most once
/// every few seconds.
pub fn waiting(message: impl AsRef<str>) {
    if quiet() || verbosity() > 0 || !std::io::stderr().is_terminal() {
        return;
    }
    let mut last = LAST_WAITING.lock().unwrap_or_else(|p| p.into_inner());
    if last.is_some_and(|at| at.elapsed() < WAITING_EVERY) {
        return;
    }
    *last = Some(Instant::now());
    emit("ep: ", message.as_ref());
}

/// `-v` (level 1) and `-vv` (level 2) traces.
pub fn trace(level: u8, message: impl AsRef<str>) {
    if verbosity() >= level {
        emit("ep: [v] ", message.as_ref());
    }
}

/// Something the user must act on to continue (the device-code instructions): shown even with
/// `-q`, because without it the command cannot finish.
pub fn prompt(message: impl AsRef<str>) {
    emit("", message.as_ref());
}
