//! One file per subcommand; this file connects them to a validated config and a Graph client.

mod auth;
mod completions;
mod emulator;
mod packages;
mod reprocess;
mod requests;

use crate::auth::{AuthMethod, Secret, TokenCache, select_source};
use crate::cli::{Cli, Command, PackagesCommand, RequestsCommand};
use crate::config::Config;
use crate::error::{CliError, ExitStatus};
use crate::graph::{GraphClient, GraphClientConfig};
use crate::output::{Format, Style, diag};
use ep_emulator::{DEMO, Emulator, EmulatorConfig};
use std::sync::Arc;

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
    match cli.command {
        Command::Completions { shell } => completions::run(shell),
        Command::Emulator(args) => emulator::run(args).await,
        command => {
            let config = Config::from_args(&cli.global)?;
            // A bare or contradictory `reprocess` is a usage error before any sign-in.
            if let Command::Reprocess(args) = &command {
                reprocess::selection(args, config.interactive)?;
            }
            let (config, demo) = prepare(config, cli.global.demo).await?;
            if let Command::Auth(command) = command {
                let status = auth::run(command, &config).await;
                drop(demo);
                return status;
            }
            let ctx = connect(config, demo)?;
            match command {
                Command::Packages(PackagesCommand::List { search }) => {
                    packages::list(&ctx, search.as_deref()).await
                }
                Command::Requests(RequestsCommand::List(args)) => requests::list(&ctx, &args).await,
                Command::Requests(RequestsCommand::Show { request_id, window }) => {
                    requests::show(&ctx, &request_id, window.window).await
                }
                Command::Reprocess(args) => reprocess::run(&ctx, &args).await,
                Command::Completions { .. } | Command::Emulator(_) | Command::Auth(_) => {
                    Ok(ExitStatus::Success)
                }
            }
        }
    }
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

/// At most this many characters of a user's input are repeated in a message.
const EXCERPT_CHARS: usize = 60;

/// `raw` as quoted back in an error: its first [`EXCERPT_CHARS`] characters and `…` when longer.
/// A 50 MB line on stdin is not worth 50 MB of terminal; the excerpt is still sanitised on output.
pub fn excerpt(raw: &str) -> String {
    let mut chars = raw.chars();
    let head: String = chars.by_ref().take(EXCERPT_CHARS).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// Request and package ids are GUIDs; anything else is caught before a call is made.
pub fn parse_guid(raw: &str, what: &str) -> Result<String, CliError> {
    let trimmed = raw.trim();
    uuid::Uuid::try_parse(trimmed)
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| {
            CliError::usage(format!(
                "'{}' is not a valid {what} (expected a GUID)",
                excerpt(trimmed)
            ))
            .with_hint(
                "ids look like 9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea; 'ep requests list' shows them",
            )
        })
}

pub fn is_guid(raw: &str) -> bool {
    uuid::Uuid::try_parse(raw.trim()).is_ok()
}
