//! ep's integration tests: one binary, so the crate is linked once (as jj does). Each module runs
//! the real `ep` binary against a real server on 127.0.0.1 — the built-in emulator, or a
//! deliberately broken or hostile one — and checks what it received and what ep printed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod common;

mod api;
mod architecture;
mod auth;
mod cli_reference;
mod color;
mod completions;
mod convergence;
mod demo;
mod dynamic_completion;
mod emulator_command;
mod errors;
mod graph_examples;
mod hostile;
mod hostile_output;
// The Secret Service is Linux's keyring; Windows' and macOS' are always there, so the "no
// keyring" case cannot be staged on them.
#[cfg(target_os = "linux")]
mod keyring;
mod man;
mod names;
mod pipelines;
mod profiles;
mod proxy;
mod recheck;
mod reprocess;
mod requests;
mod resilience;
mod resume;
mod round_trips;
mod setup;
mod tables;
mod tls;
mod tty;
mod why;
