//! `ep completions <shell>`: generated from the clap tree, never written by hand, and the tree
//! that ep's own dynamic completion (`COMPLETE=bash ep`, see [`super::complete`]) walks.

use super::complete;
use crate::cli::Cli;
use crate::error::ExitStatus;
use clap::CommandFactory;
use clap::ValueHint;
use clap::builder::{ArgExt, ValueParser};
use clap_complete::Shell;
use clap_complete::engine::{ArgValueCandidates, ArgValueCompleter};

pub fn run(shell: Shell) -> anyhow::Result<ExitStatus> {
    let script = script(shell);
    crate::output::print_raw(&script)?;
    Ok(ExitStatus::Success)
}

/// The script for `shell`, as committed under `completions/`.
pub fn script(shell: Shell) -> String {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut tree(), "ep", &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

/// The derived tree — which holds none of the refused secret flags ([`crate::cli::SECRET_FLAGS`])
/// — with what to offer for each value: nothing for free text, where the shells would otherwise
/// list local files, and for the dynamic completion the names ep can look up. The static
/// generators ignore the lookups.
pub fn tree() -> clap::Command {
    let package = |sub| {
        with(
            sub,
            "package",
            ArgValueCompleter::new(complete::package_names),
        )
    };
    let profile = |sub| with(sub, "name", ArgValueCandidates::new(complete::profiles));
    let key = |sub| with(sub, "key", ArgValueCandidates::new(complete::keys));
    let cmd = with(
        Cli::command(),
        "profile",
        ArgValueCandidates::new(complete::profiles),
    )
    .mut_subcommand("requests", |requests| {
        requests
            .mut_subcommand("list", |list| {
                with(
                    package(list),
                    "state",
                    ArgValueCandidates::new(complete::states),
                )
            })
            .mut_subcommand("why", package)
    })
    .mut_subcommand("reprocess", package)
    .mut_subcommand("config", |config| {
        config
            .mut_subcommand("show", profile)
            .mut_subcommand("use", profile)
            .mut_subcommand("remove", profile)
            .mut_subcommand("set", |set| key(profile(set)))
            .mut_subcommand("unset", |unset| key(profile(unset)))
    })
    .mut_subcommand("help", |help| {
        with(help, "words", ArgValueCandidates::new(complete::help_words))
    });
    no_files_for_text(cmd)
}

/// `cmd` with `extension` on its argument `id`. Not `mut_arg`, which moves the argument to the
/// end: positional arguments are numbered in order, and `config set NAME KEY VALUE` would
/// complete VALUE where NAME is typed.
fn with(cmd: clap::Command, id: &str, extension: impl ArgExt + Clone) -> clap::Command {
    cmd.mut_args(|a| {
        if a.get_id() == id {
            a.add(extension.clone())
        } else {
            a
        }
    })
}

/// Values that are text (names, ids, durations, numbers) get `ValueHint::Other`: left alone,
/// every generator falls back to completing file names, and `--package <TAB>` lists the
/// current directory.
fn no_files_for_text(cmd: clap::Command) -> clap::Command {
    let path = ValueParser::path_buf().type_id();
    cmd.mut_args(|a| {
        let text = a.get_action().takes_values()
            && a.get_value_parser().possible_values().is_none()
            && a.get_value_parser().type_id() != path
            && a.get_value_hint() == ValueHint::Unknown;
        if text {
            a.value_hint(ValueHint::Other)
        } else {
            a
        }
    })
    .mut_subcommands(no_files_for_text)
}
