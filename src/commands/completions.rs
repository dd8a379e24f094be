//! `ep completions <shell>`: generated from the clap tree, never written by hand.

use crate::cli::Cli;
use crate::error::ExitStatus;
use clap::CommandFactory;
use clap_complete::Shell;

pub fn run(shell: Shell) -> anyhow::Result<ExitStatus> {
    let script = script(shell);
    crate::output::print_raw(&script)?;
    Ok(ExitStatus::Success)
}

/// The script for `shell`, as committed under `completions/`.
pub fn script(shell: Shell) -> String {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "ep", &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}
