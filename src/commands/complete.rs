//! ep's dynamic completion: a shell's registration (`source <(COMPLETE=bash ep)`) calls
//! `COMPLETE=bash ep -- ep reprocess --package Fin`, and ep answers with candidates from the
//! same tree as the static scripts ([`super::completions::tree`]), looking up what only it can
//! know: the tenant's package names (from Graph, with the usual sign-in), and the profiles.
//!
//! A completion runs while someone waits at a prompt, so Graph gets [`GRAPH_BUDGET`], no sign-in
//! ever asks anything, and nothing is printed on failure: an empty answer is the failure.

use crate::cli::{Given, GlobalArgs, HELP_TOPICS};
use clap::FromArgMatches;
use clap_complete::engine::CompletionCandidate;
use std::ffi::{OsStr, OsString};
use std::sync::OnceLock;
use std::time::Duration;

/// The variable a shell's registration sets: clap_complete's, as jj and others use it.
const VAR: &str = "COMPLETE";

/// The most a completion waits for sign-in and Graph together.
const GRAPH_BUDGET: Duration = Duration::from_secs(2);

/// The shell asking, for quoting: `COMPLETE` names it (or a path to it, as `$SHELL` does).
static SHELL: OnceLock<String> = OnceLock::new();

/// Answer a shell's completion request, if this run is one: `Some(exit code)`, else `None`.
pub fn respond_if_asked() -> Option<i32> {
    let asked = std::env::var_os(VAR).filter(|v| !v.is_empty() && v != "0")?;
    let shell = std::path::Path::new(&asked)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let _ = SHELL.set(shell);
    crate::diag::silence();
    // Even a bug must not scribble over the command line being typed: it ends in an empty answer.
    std::panic::set_hook(Box::new(|_| {}));
    let cwd = std::env::current_dir().ok();
    match clap_complete::CompleteEnv::with_factory(super::completions::tree)
        .var(VAR)
        .try_complete(std::env::args_os(), cwd.as_deref())
    {
        Ok(true) => Some(0),
        Ok(false) => None,
        // The shell shows nothing for a failed completion; a message would land on the prompt.
        Err(_) => Some(1),
    }
}

/// `--package`: the names of the packages the caller can see, starting with what was typed
/// (any case; an opening quote is not part of the name), each with its catalog.
pub fn package_names(current: &OsStr) -> Vec<CompletionCandidate> {
    let typed = current.to_string_lossy();
    let typed = typed.trim_start_matches(['\'', '"']).to_lowercase();
    let mut packages = fetch_packages();
    packages.sort();
    // Names are not unique in Entra; one candidate per name (the command lists the ids of an
    // ambiguous name).
    packages.dedup_by(|a, b| a.0 == b.0);
    packages
        .into_iter()
        .filter(|(name, _)| name.to_lowercase().starts_with(&typed))
        .map(|(name, catalog)| {
            CompletionCandidate::new(quoted(&name)).help(catalog.map(Into::into))
        })
        .collect()
}

/// The names of the packages, with their catalogs, or none when Graph does not answer in time.
fn fetch_packages() -> Vec<(String, Option<String>)> {
    let Some(global) = typed_global_args() else {
        return Vec::new();
    };
    let Ok(runtime) = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    else {
        return Vec::new();
    };
    let found =
        runtime.block_on(async { tokio::time::timeout(GRAPH_BUDGET, list_packages(global)).await });
    // A Graph that never answered leaves calls in flight: they are not waited for.
    runtime.shutdown_background();
    match found {
        Ok(Ok(packages)) => packages,
        _ => Vec::new(),
    }
}

async fn list_packages(mut global: GlobalArgs) -> anyhow::Result<Vec<(String, Option<String>)>> {
    // A TAB must not start a new demo session: `--demo-reset` resets when the command runs.
    global.demo |= std::mem::take(&mut global.demo_reset);
    let mut config = crate::config::Config::from_args(&global)?;
    // No prompt, no picker: the terminal belongs to the shell's prompt.
    config.interactive = false;
    // Throttling or a 5xx is worth one more try within the budget, not thirty.
    config.retry.max_retries = config.retry.max_retries.min(1);
    let ctx = super::context(config, &global).await?;
    let packages = ctx.client.list_packages(None).await?;
    Ok(packages
        .into_iter()
        .map(|p| (p.display_name, p.catalog.and_then(|c| c.display_name)))
        .collect())
}

/// The global options typed before the word being completed (`ep --profile prod reprocess
/// --package <TAB>` completes prod's packages), with the environment; or, when those words do
/// not parse, the environment alone.
fn typed_global_args() -> Option<GlobalArgs> {
    let words: Vec<OsString> = std::env::args_os()
        .skip_while(|a| a != "--")
        .skip(1)
        .collect();
    // bash, zsh and elvish say which word is being completed; fish and PowerShell send the
    // words up to it.
    let index = std::env::var("_CLAP_COMPLETE_INDEX")
        .ok()
        .and_then(|i| i.parse().ok())
        .unwrap_or(words.len().saturating_sub(1))
        .min(words.len());
    let parse = |words: &[OsString]| {
        let matches = crate::cli::command()
            .ignore_errors(true)
            .try_get_matches_from(words)
            .ok()?;
        let mut global = GlobalArgs::from_arg_matches(&matches).ok()?;
        global.given = Given::from_matches(&matches);
        Some(global)
    };
    parse(&words[..index]).or_else(|| parse(&[OsString::from("ep")]))
}

/// The profiles in the config file.
pub fn profiles() -> Vec<CompletionCandidate> {
    let file = crate::config::file::default_path()
        .and_then(|path| crate::config::file::ConfigFile::load(&path).ok());
    file.map(|f| {
        f.names()
            .into_iter()
            .map(|name| CompletionCandidate::new(quoted(name)))
            .collect()
    })
    .unwrap_or_default()
}

/// `--state`: the request states, in the v1.0 spelling the output uses.
pub fn states() -> Vec<CompletionCandidate> {
    crate::graph::RequestState::KNOWN
        .iter()
        .map(|s| CompletionCandidate::new(s.as_v1().to_string()))
        .collect()
}

/// `ep config set NAME KEY`: the settings a profile holds.
pub fn keys() -> Vec<CompletionCandidate> {
    crate::config::file::Key::ALL
        .iter()
        .map(|k| CompletionCandidate::new(k.name()))
        .collect()
}

/// `ep help`: the topics, then the commands.
pub fn help_words() -> Vec<CompletionCandidate> {
    let commands = crate::cli::command()
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| CompletionCandidate::new(c.get_name().to_string()))
        .collect::<Vec<_>>();
    HELP_TOPICS
        .iter()
        .map(|t| CompletionCandidate::new(*t))
        .chain(commands)
        .collect()
}

/// `value` as the asking shell inserts it: bash and PowerShell put a candidate on the line as it
/// is, so "Finance Reporting" would become two words. fish, zsh and elvish quote for themselves.
fn quoted(value: &str) -> String {
    let plain = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./:@,+=".contains(c));
    if plain {
        return value.to_string();
    }
    match SHELL.get().map(String::as_str) {
        Some("bash") => format!("'{}'", value.replace('\'', r"'\''")),
        Some("powershell" | "pwsh" | "powershell_ise") => {
            format!("'{}'", value.replace('\'', "''"))
        }
        _ => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_values_are_never_quoted() {
        assert_eq!(quoted("deliveryFailed"), "deliveryFailed");
        assert_eq!(quoted("prod.eu-1"), "prod.eu-1");
    }
}
