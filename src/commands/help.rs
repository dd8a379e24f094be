//! `ep help [COMMAND...|TOPIC]`: a command's full help, or a topic (`options`) that no command's
//! help has room for.

use crate::cli::{GlobalArgs, HELP_TOPICS, HelpArgs};
use crate::error::{CliError, ExitStatus};
use crate::output::ColorWhen;
use clap::error::ErrorKind;

pub fn run(args: &HelpArgs, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let color = color(global);
    match args.words.as_slice() {
        [topic] if HELP_TOPICS.contains(&topic.as_str()) => {
            show(crate::cli::options_topic().color(color), &[])
        }
        words => show(crate::cli::command().color(color), words),
    }
}

/// What `--color` / `--no-color` ask for; `auto` leaves it to clap, which also reads NO_COLOR.
fn color(global: &GlobalArgs) -> clap::ColorChoice {
    match (global.no_color, global.color) {
        (true, _) | (_, Some(ColorWhen::Never)) => clap::ColorChoice::Never,
        (_, Some(ColorWhen::Always)) => clap::ColorChoice::Always,
        _ => clap::ColorChoice::Auto,
    }
}

/// The long help of the command at `path` under `root`, printed by clap itself so that it is
/// byte for byte what `--help` prints, colour and width included.
fn show(root: clap::Command, path: &[String]) -> anyhow::Result<ExitStatus> {
    let mut at = &root;
    for word in path {
        at = at.find_subcommand(word).ok_or_else(|| unknown(at, word))?;
    }
    let mut argv: Vec<String> = vec![root.get_name().to_string()];
    argv.extend(path.iter().cloned());
    argv.push("--help".to_string());
    match root.try_get_matches_from(argv) {
        Err(e) if e.kind() == ErrorKind::DisplayHelp => {
            // A reader that went away (`| head`) is not an error.
            let _ = e.print();
            Ok(ExitStatus::Success)
        }
        Err(e) => Err(CliError::usage(format!("could not show the help: {}", e.kind())).into()),
        Ok(_) => Err(CliError::usage("could not show the help").into()),
    }
}

fn unknown(at: &clap::Command, word: &str) -> CliError {
    let commands: Vec<&str> = at
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| c.get_name())
        .collect();
    let mut known = commands.join(", ");
    if at.get_name() == "ep" {
        known.push_str("; topics: ");
        known.push_str(&HELP_TOPICS.join(", "));
    }
    CliError::usage(format!(
        "'{}' is not a command or help topic of '{}'",
        crate::sanitize::excerpt(word),
        at.get_display_name().unwrap_or_else(|| at.get_name())
    ))
    .with_hint(format!("there is help on: {known}"))
}
