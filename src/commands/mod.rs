//! One file per subcommand; this file connects them to a validated config and a Graph client.

mod api;
mod auth;
mod complete;
mod completions;
mod config;
mod delivery;
mod demo;
mod emulator;
mod help;
pub mod man;
mod packages;
mod reprocess;
mod requests;
mod resume;
mod setup;
mod waiting;
mod why;

use crate::auth::{AuthMethod, Secret, TokenCache, select_source};
use crate::cli::{AuthCommand, Cli, Command, GlobalArgs, PackagesCommand, RequestsCommand};
use crate::config::Config;
use crate::diag;
use crate::error::{CliError, ExitStatus, classify};
use crate::graph::{GraphClient, GraphClientConfig};
use crate::output::{Format, Style};
use demo::DemoSession;
use ep_emulator::DEMO;
use std::sync::Arc;

/// Parse, run, map the outcome to an exit code. Errors are printed here and nowhere else.
pub fn main_entry() -> i32 {
    // A shell asking for completions (COMPLETE=bash ep -- …) gets them and nothing else.
    if let Some(code) = complete::respond_if_asked() {
        return code;
    }
    crate::memory::keep_large_blocks_returnable();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match parse(args.clone()) {
        Ok(cli) => cli,
        Err(e) => return crate::error::report_clap_error(e, &command_path(&args)),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            crate::diag::error(&format!("could not start the async runtime: {e}"), None);
            return ExitStatus::PartialFailure.code();
        }
    };
    let outcome = runtime.block_on(run(cli));
    // The demo emulator and in-flight calls are dropped with the runtime; don't wait on them.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    match outcome {
        Ok(status) => status.code(),
        Err(err) => {
            let report = classify(&err);
            if !report.silent {
                crate::diag::error(&report.message, report.hint.as_deref());
            }
            report.status.code()
        }
    }
}

/// Parse the command line. clap writes help before ep has read `--color`, so the colour the
/// command line asks for is found first and handed to clap: `--color never` (or `--no-color`)
/// holds for the help too, and `--color always` styles it even when piped.
///
/// A command that needs a subcommand and got none (bare `ep`, `ep requests`) shows its short
/// help on stdout and exits 0, as gh and cargo do: it is how people find out what there is, and
/// a first `ep` that looks like a failure helps no one.
fn parse(args: Vec<std::ffi::OsString>) -> Result<Cli, clap::Error> {
    let color = requested_color(&args);
    let command = || crate::cli::command().color(color);
    match crate::cli::parse_with(command(), args.clone()) {
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let mut asking = args;
            asking.push("-h".into());
            match crate::cli::parse_with(command(), asking) {
                Err(help) if help.kind() == clap::error::ErrorKind::DisplayHelp => Err(help),
                _ => Err(e),
            }
        }
        parsed => parsed,
    }
}

/// `--color WHEN`, `--color=WHEN` or `--no-color` before any `--`, the last one winning.
fn requested_color(args: &[std::ffi::OsString]) -> clap::ColorChoice {
    let mut words = args
        .iter()
        .skip(1)
        .map(|a| a.to_string_lossy())
        .take_while(|a| a != "--");
    let mut choice = clap::ColorChoice::Auto;
    let when = |value: &str| match value {
        "always" => clap::ColorChoice::Always,
        "never" => clap::ColorChoice::Never,
        _ => clap::ColorChoice::Auto,
    };
    while let Some(word) = words.next() {
        match word.as_ref() {
            "--no-color" => choice = clap::ColorChoice::Never,
            "--color" => choice = words.next().map_or(choice, |v| when(&v)),
            other => {
                if let Some(value) = other.strip_prefix("--color=") {
                    choice = when(value);
                }
            }
        }
    }
    choice
}

/// The subcommand the words name (`ep requests list`), however far they got: what a usage
/// error's hint points at, since clap's own message for a bad value carries no usage line to
/// read it from. Flags and their values are passed over; a word that names no subcommand of the
/// command reached so far ends the path.
fn command_path(args: &[std::ffi::OsString]) -> String {
    let mut command = crate::cli::command();
    let mut path = vec![command.get_name().to_string()];
    for word in args.iter().skip(1).map(|a| a.to_string_lossy()) {
        if word == "--" || !command.has_subcommands() {
            break;
        }
        if word.starts_with('-') {
            continue;
        }
        let Some(sub) = command.find_subcommand(&*word).cloned() else {
            continue;
        };
        path.push(sub.get_name().to_string());
        command = sub;
    }
    path.join(" ")
}

/// What every Graph-talking command gets.
pub struct Context {
    pub client: Arc<GraphClient>,
    pub format: Format,
    pub style: Style,
    pub interactive: bool,
    /// The in-process emulator of `--demo`, alive for the run.
    demo: Option<DemoSession>,
}

impl Context {
    /// The run is over: keep what it changed in the demo session.
    fn finish<T>(self, outcome: T) -> T {
        if let Some(demo) = &self.demo {
            demo.save();
        }
        outcome
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    diag::configure(cli.global.verbose, cli.global.quiet);
    let global = &cli.global;
    match cli.command {
        Command::Completions { shell } => completions::run(shell),
        Command::Help(args) => help::run(&args, global),
        Command::Emulator(args) => emulator::run(args).await,
        Command::Man(args) => man::run(&args),
        Command::Auth(AuthCommand::Setup(args)) => {
            if global.demo || global.demo_reset {
                return Err(CliError::usage(
                    "--demo needs no setup: the demo tenant signs ep in as its own app",
                )
                .with_hint("try 'ep --demo auth status'")
                .into());
            }
            let config = Config::from_args(global)?;
            if config.auth == AuthMethod::Auto
                && crate::auth::auto_candidates(&config.credentials).is_empty()
            {
                return Err(CliError::new(
                    ExitStatus::Auth,
                    "ep auth setup needs one sign-in that may register apps, and found none",
                )
                .with_hint(
                    "run 'az login' as an admin who may register apps (then 'ep auth setup' \
                     again), or set EP_ACCESS_TOKEN to a Graph token with \
                     Application.ReadWrite.All and DelegatedPermissionGrant.ReadWrite.All",
                )
                .into());
            }
            let inputs = setup::SetupInputs {
                credentials: config.credentials.clone(),
                token_endpoint: config.token_endpoint.clone(),
                profile: config.profile.clone(),
                cloud: config.cloud,
                client_id_origin: config
                    .provenance
                    .iter()
                    .find(|p| p.key == "client-id" && p.value.is_some())
                    .map(|p| p.origin.clone()),
                format: config.format,
            };
            let ctx = context(config, global).await?;
            let outcome = setup::run(&ctx, inputs, &args).await;
            ctx.finish(outcome)
        }
        Command::Auth(command) => {
            let (config, demo) = prepare(Config::from_args(global)?, global).await?;
            let outcome = auth::run(command, &config).await;
            if let Some(demo) = &demo {
                demo.save();
            }
            outcome
        }
        Command::Packages(PackagesCommand::List { search }) => {
            let ctx = context(Config::from_args(global)?, global).await?;
            let outcome = packages::list(&ctx, search.as_deref()).await;
            ctx.finish(outcome)
        }
        Command::Config(command) => config::run(command, global),
        Command::Requests(RequestsCommand::List(mut args)) => {
            let config = Config::from_args(global)?;
            // The profile's window, unless --window was given.
            args.window.window = config.window.unwrap_or(args.window.window);
            check_window(args.window.window, None)?;
            let ctx = context(config, global).await?;
            let outcome = requests::list(&ctx, &args).await;
            ctx.finish(outcome)
        }
        Command::Requests(RequestsCommand::Why(mut args)) => {
            let config = Config::from_args(global)?;
            args.window.window = config.window.unwrap_or(args.window.window);
            check_window(args.window.window, None)?;
            let ctx = context(config, global).await?;
            let outcome = why::run(&ctx, &args).await;
            ctx.finish(outcome)
        }
        Command::Requests(RequestsCommand::Show { request_id, window }) => {
            let config = Config::from_args(global)?;
            let window = config.window.unwrap_or(window.window);
            check_window(window, None)?;
            let ctx = context(config, global).await?;
            let outcome = requests::show(&ctx, &request_id, window).await;
            ctx.finish(outcome)
        }
        Command::Reprocess(args) => reprocess_command(global, args).await,
        Command::Resume(args) => {
            let config = Config::from_args(global)?;
            // A bare `resume` is a usage error before any sign-in.
            let selection = resume::selection(&args)?;
            let ctx = context(config, global).await?;
            let outcome = resume::run(&ctx, &args, selection).await;
            ctx.finish(outcome)
        }
        Command::Api(args) => {
            let ctx = context(Config::from_args(global)?, global).await?;
            let outcome = api::run(&ctx, &args).await;
            ctx.finish(outcome)
        }
    }
}

/// `ep reprocess`, with its summary file: checked before anything is sent, and told why when the
/// run ends before it has results.
async fn reprocess_command(
    global: &GlobalArgs,
    mut args: crate::cli::ReprocessArgs,
) -> anyhow::Result<ExitStatus> {
    args.summary_file = args.summary_file.or_else(github_step_summary);
    check_summary_file(args.summary_file.as_deref())?;
    let summary_file = args.summary_file.clone();
    let outcome = checked_reprocess(global, args).await;
    // Whatever stopped the run before it had results — a usage error, a profile, sign-in, an
    // unknown package — is what the job's page shows.
    if let (Some(path), Err(e)) = (summary_file.as_deref(), &outcome) {
        summarise_failure(path, e);
    }
    outcome
}

async fn checked_reprocess(
    global: &GlobalArgs,
    mut args: crate::cli::ReprocessArgs,
) -> anyhow::Result<ExitStatus> {
    let config = Config::from_args(global)?;
    // The profile's window, unless --window was given.
    args.window.window = config.window.unwrap_or(args.window.window);
    check_window(args.window.window, Some(args.force))?;
    // A bare or contradictory `reprocess` is a usage error before any sign-in.
    let selection = reprocess::selection(&args, config.interactive)?;
    let ctx = context(config, global).await?;
    let outcome = reprocess::run(&ctx, &args, selection).await;
    ctx.finish(outcome)
}

/// A window beyond Graph's 14 days plans requests as reprocessable that Graph then refuses: a
/// usage error, or with `reprocess --force` (`force` is `None` where there is no such flag) a
/// warning. A profile's window is held to the limit when it is read.
fn check_window(window: chrono::Duration, force: Option<bool>) -> Result<(), CliError> {
    use crate::eligibility::{GRAPH_WINDOW_DAYS, beyond_graph_limit, format_age};
    if !beyond_graph_limit(window) {
        return Ok(());
    }
    let shown = format_age(window);
    if force == Some(true) {
        diag::warn(format!(
            "--window {shown} is longer than Graph's {GRAPH_WINDOW_DAYS}-day reprocess limit \
             (--force): requests completed more than {GRAPH_WINDOW_DAYS} days ago are planned \
             and sent, and Graph is expected to refuse them"
        ));
        return Ok(());
    }
    let error = CliError::usage(format!(
        "--window {shown} is longer than Graph's {GRAPH_WINDOW_DAYS}-day reprocess limit: \
         requests completed more than {GRAPH_WINDOW_DAYS} days ago cannot be reprocessed"
    ));
    Err(match force {
        Some(_) => error.with_hint(format!(
            "use at most --window {GRAPH_WINDOW_DAYS}d (the default), or add --force to send \
             anyway and let Graph decide"
        )),
        None => error.with_hint(format!(
            "use at most --window {GRAPH_WINDOW_DAYS}d (the default); older failed requests are \
             listed all the same, as not reprocessable"
        )),
    })
}

/// `GITHUB_STEP_SUMMARY`, the file GitHub Actions shows as the step's summary; unset or empty
/// means none.
fn github_step_summary() -> Option<std::path::PathBuf> {
    std::env::var_os("GITHUB_STEP_SUMMARY")
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
}

/// A summary file that cannot be opened stops the run before anything is sent, as a named
/// journal does: a pipeline relying on it learns at once, not after the fact.
fn check_summary_file(path: Option<&std::path::Path>) -> Result<(), CliError> {
    let Some(path) = path else { return Ok(()) };
    crate::output::markdown::open_for_append(path)
        .map(drop)
        .map_err(|e| {
            CliError::usage(format!(
                "--summary-file / GITHUB_STEP_SUMMARY {}: {e}",
                path.display()
            ))
            .with_hint(
                "name a file you can write, or leave GITHUB_STEP_SUMMARY empty to write none",
            )
        })
}

/// A run that ended before it had results still says why in the summary a CI run shows.
fn summarise_failure(path: &std::path::Path, err: &anyhow::Error) {
    let report = classify(err);
    if report.silent {
        return;
    }
    let doc = crate::output::markdown::failure(&report.message, report.hint.as_deref());
    if let Err(e) = crate::output::markdown::append(path, &doc) {
        diag::warn(format!(
            "could not write the summary to {}: {e}",
            path.display()
        ));
    }
}

/// A signed-in Graph client for `config` (against the demo emulator with `--demo`).
async fn context(config: Config, global: &GlobalArgs) -> anyhow::Result<Context> {
    let (config, demo) = prepare(config, global).await?;
    connect(config, demo)
}

/// `--demo` starts the in-process emulator with the demo session and points the config at it.
async fn prepare(
    mut config: Config,
    global: &GlobalArgs,
) -> anyhow::Result<(Config, Option<DemoSession>)> {
    if let Some(projection) = config.projection.take() {
        crate::output::project_output(projection);
    }
    if !(global.demo || global.demo_reset) {
        return Ok((config, None));
    }
    let demo = DemoSession::start(global.demo_reset).await?;
    point_at_demo(&mut config, &demo)?;
    Ok((config, Some(demo)))
}

fn connect(config: Config, demo: Option<DemoSession>) -> anyhow::Result<Context> {
    let source = select_source(config.auth, &config.credentials, &config.token_endpoint)?;
    diag::trace(1, format!("credential source: {}", source.name()));
    let client = GraphClient::new(
        GraphClientConfig {
            root: config.graph_root.clone(),
            version: config.api_version,
            legacy_beta_collection: config.legacy_beta_path,
            retry: config.retry.clone(),
            concurrency: config.concurrency,
            batch: config.batch,
            name: demo.as_ref().map(DemoSession::name),
        },
        TokenCache::new(source),
    )?;
    Ok(Context {
        client,
        format: config.format,
        style: config.style,
        interactive: config.interactive,
        demo,
    })
}

/// `--demo` talks to the emulator over real HTTP with its demo app registration.
/// Whatever flags, environment or a profile said about where to connect and how to sign in is
/// replaced, the cloud included: the emulator is the global cloud's Graph, and a token for
/// another cloud's Graph is refused there, as Entra would.
fn point_at_demo(config: &mut Config, demo: &DemoSession) -> Result<(), CliError> {
    let url = demo.url();
    let url = url.as_str();
    config.graph_root = crate::config::checked_url(url, "the demo emulator")?;
    config.cloud = crate::cloud::Cloud::Global;
    config.token_endpoint = crate::auth::TokenEndpoint {
        authority_host: url.to_string(),
        scope: format!("{}/.default", config.cloud.endpoints().0),
    };
    config.auth = AuthMethod::ClientSecret;
    config.credentials.access_token = None;
    config.credentials.tenant_id = Some(DEMO.tenant_id.to_string());
    config.credentials.client_id = Some(DEMO.client_id.to_string());
    config.credentials.client_secret = Some(Secret::new(DEMO.client_secret));
    config.credentials.token_cache_path = demo.token_cache_path();
    config.credentials.token_storage = crate::auth::TokenStorage::Demo;
    // `ep auth status` says what is in effect, not what the profile asked for.
    for p in &mut config.provenance {
        let value = match p.key {
            "tenant" => Some(DEMO.tenant_id),
            "client-id" => Some(DEMO.client_id),
            "cloud" => Some(config.cloud.name()),
            "auth" => Some("client-secret"),
            "graph-url" | "authority-host" => Some(url),
            "client-certificate-path" | "service-connection-id" => None,
            _ => continue,
        };
        p.value = value.map(str::to_string);
        p.origin = crate::config::Origin::Demo;
    }
    Ok(())
}

/// Request and package ids are GUIDs; anything else is caught before a call is made.
pub fn parse_guid(raw: &str, what: &str) -> Result<String, CliError> {
    let trimmed = raw.trim();
    uuid::Uuid::try_parse(trimmed)
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| {
            CliError::usage(format!(
                "'{}' is not a valid {what} (expected a GUID)",
                crate::sanitize::excerpt(trimmed)
            ))
            .with_hint(if looks_shortened(trimmed) {
                "that looks like an id a table shortened: '--full-ids' (or '-o ids') lists whole ids"
            } else {
                "ids look like 9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea; 'ep requests list' shows them"
            })
        })
}

/// The start of a GUID as a table at a terminal shows it (`9bbe5f7d…`), copied with or without
/// its mark.
fn looks_shortened(raw: &str) -> bool {
    let start = raw
        .strip_suffix(crate::output::fit::ELLIPSIS)
        .unwrap_or(raw);
    let digits = start.chars().filter(|c| *c != '-').count();
    (crate::output::fit::MIN_ID_PREFIX..32).contains(&digits)
        && start.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
}

pub fn is_guid(raw: &str) -> bool {
    uuid::Uuid::try_parse(raw.trim()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_usage_error_points_at_the_subcommand_it_was_in() {
        let path = |words: &[&str]| {
            let args: Vec<std::ffi::OsString> = std::iter::once("ep")
                .chain(words.iter().copied())
                .map(Into::into)
                .collect();
            command_path(&args)
        };
        assert_eq!(path(&["reprocess", "--window", "x"]), "ep reprocess");
        assert_eq!(
            path(&["--profile", "prod", "requests", "list", "--window", "x"]),
            "ep requests list"
        );
        assert_eq!(path(&["--frobnicate"]), "ep");
        assert_eq!(path(&["reprocess", "requests"]), "ep reprocess");
        assert_eq!(path(&["--", "reprocess"]), "ep");
    }

    #[test]
    fn a_shortened_id_is_told_apart_from_a_typo() {
        assert!(looks_shortened("9bbe5f7d…"));
        assert!(looks_shortened("9bbe5f7d"));
        assert!(looks_shortened("9bbe5f7d-f1…"));
        assert!(!looks_shortened("9bbe5f7"));
        assert!(!looks_shortened("Finance"));
        assert!(!looks_shortened("9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1eax"));
    }

    #[test]
    fn the_colour_asked_for_is_found_before_parsing_the_last_one_winning() {
        let args = |words: &[&str]| -> Vec<std::ffi::OsString> {
            std::iter::once("ep")
                .chain(words.iter().copied())
                .map(Into::into)
                .collect()
        };
        use clap::ColorChoice::*;
        for (words, want) in [
            (&[][..], Auto),
            (&["--no-color", "-h"][..], Never),
            (&["--color", "always", "reprocess", "-h"][..], Always),
            (&["reprocess", "--color=never", "-h"][..], Never),
            (&["--color=never", "--color", "always"][..], Always),
            (&["reprocess", "--", "--color", "always"][..], Auto),
            (&["--color"][..], Auto),
        ] {
            assert_eq!(requested_color(&args(words)), want, "{words:?}");
        }
    }
}
