//! Diagnostics on stderr: warnings, notes and `-v` traces. Set once from the config.

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

static VERBOSITY: AtomicU8 = AtomicU8::new(0);
static QUIET: AtomicBool = AtomicBool::new(false);

pub fn configure(verbosity: u8, quiet: bool) {
    VERBOSITY.store(verbosity, Ordering::Relaxed);
    QUIET.store(quiet, Ordering::Relaxed);
}

pub fn verbosity() -> u8 {
    VERBOSITY.load(Ordering::Relaxed)
}

pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Something the user should know even in scripts (skips, fallbacks). Silenced by `-q`.
pub fn note(message: impl AsRef<str>) {
    if !quiet() {
        eprintln!("ep: {}", message.as_ref());
    }
}

/// Something went wrong but the run goes on. Never silenced.
pub fn warn(message: impl AsRef<str>) {
    eprintln!("ep: warning: {}", message.as_ref());
}

/// `-v` (level 1) and `-vv` (level 2) traces.
pub fn trace(level: u8, message: impl AsRef<str>) {
    if verbosity() >= level {
        eprintln!("ep: [v] {}", message.as_ref());
    }
}

/// Something the user must act on to continue (the device-code instructions): shown even with
/// `-q`, because without it the command cannot finish.
pub fn prompt(message: impl AsRef<str>) {
    eprintln!("{}", message.as_ref());
}
