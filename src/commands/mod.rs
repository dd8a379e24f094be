//! One file per subcommand; this file connects them to a validated config and a Graph client.

mod auth;
mod completions;
mod config;
mod emulator;
pub mod interrupt;
mod packages;
mod reprocess;
mod requests;

use crate::auth::{AuthMethod, Secret, TokenCache, select_source};
use crate::cli::{Cli, Command, PackagesCommand, RequestsCommand};
use crate::config::Config;
use crate::diag;
use crate::error::{CliError, ExitStatus, classify};
use crate::graph::{GraphClient, GraphClientConfig};
use crate::output::{Format, Style};
use ep_emulator::{DEMO, Emulator, EmulatorConfig};
use std::sync::Arc;

/// Parse, run, map the outcome to an exit code. Errors are printed here and nowhere else.
pub fn main_entry() -> i32 {
    let cli = match crate::cli::parse_from(std::env::args_os()) {
        Ok(cli) => cli,
        Err(e) => return crate::error::report_clap_error(e),
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

/// What every Graph-talking command gets.
pub struct Context {
    pub client: Arc<GraphClient>,
    pub format: Format,
    pub style: Style,
    pub interactive: bool,
    /// Keeps the in-process emulator of `--demo` alive for the run.
    _demo: Option<Emulator>,
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    diag::configure(cli.global.verbose, cli.global.quiet);
    let global = &cli.global;
    match cli.command {
        Command::Completions { shell } => completions::run(shell),
        Command::Emulator(args) => emulator::run(args).await,
        Command::Auth(command) => {
            let (config, _demo) = prepare(Config::from_args(global)?, global.demo).await?;
            auth::run(command, &config).await
        }
        Command::Packages(PackagesCommand::List { search }) => {
            let ctx = context(Config::from_args(global)?, global.demo).await?;
            packages::list(&ctx, search.as_deref()).await
        }
        Command::Config(command) => config::run(command, global),
        Command::Requests(RequestsCommand::List(mut args)) => {
            let config = Config::from_args(global)?;
            args.window.window = config.window.unwrap_or(args.window.window);
            let ctx = context(config, global.demo).await?;
            requests::list(&ctx, &args).await
        }
        Command::Requests(RequestsCommand::Show { request_id, window }) => {
            let config = Config::from_args(global)?;
            let window = config.window.unwrap_or(window.window);
            let ctx = context(config, global.demo).await?;
            requests::show(&ctx, &request_id, window).await
        }
        Command::Reprocess(mut args) => {
            let config = Config::from_args(global)?;
            // The profile's window, unless --window was given.
            args.window.window = config.window.unwrap_or(args.window.window);
            // A bare or contradictory `reprocess` is a usage error before any sign-in.
            let selection = reprocess::selection(&args, config.interactive)?;
            let ctx = context(config, global.demo).await?;
            reprocess::run(&ctx, &args, selection).await
        }
    }
}

/// A signed-in Graph client for `config` (against the demo emulator with `--demo`).
async fn context(config: Config, demo: bool) -> anyhow::Result<Context> {
    let (config, demo) = prepare(config, demo).await?;
    connect(config, demo)
}

/// `--demo` starts the in-process emulator and points the config at it.
async fn prepare(mut config: Config, demo: bool) -> anyhow::Result<(Config, Option<Emulator>)> {
    let demo = if demo {
        let emu = Emulator::start(EmulatorConfig::default(), ([127, 0, 0, 1], 0).into()).await?;
        diag::note(format!(
            "--demo: using the built-in emulator at {} with generated data (no tenant is contacted)",
            emu.url()
        ));
        point_at_demo(&mut config, &emu.url())?;
        Some(emu)
    } else {
        None
    };
    Ok((config, demo))
}

fn connect(config: Config, demo: Option<Emulator>) -> anyhow::Result<Context> {
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
        },
        TokenCache::new(source),
    )?;
    Ok(Context {
        client,
        format: config.format,
        style: config.style,
        interactive: config.interactive,
        _demo: demo,
    })
}

/// `--demo` talks to the emulator over real HTTP with its demo app registration.
fn point_at_demo(config: &mut Config, url: &str) -> Result<(), CliError> {
    config.graph_root = crate::config::checked_url(url, "the demo emulator")?;
    config.token_endpoint.authority_host = url.to_string();
    config.auth = AuthMethod::ClientSecret;
    config.credentials.access_token = None;
    config.credentials.tenant_id = Some(DEMO.tenant_id.to_string());
    config.credentials.client_id = Some(DEMO.client_id.to_string());
    config.credentials.client_secret = Some(Secret::new(DEMO.client_secret));
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
            .with_hint(
                "ids look like 9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea; 'ep requests list' shows them",
            )
        })
}

pub fn is_guid(raw: &str) -> bool {
    uuid::Uuid::try_parse(raw.trim()).is_ok()
}
