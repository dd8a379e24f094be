//! The clap tree: the single source of help text and completion scripts.

use crate::auth::{AssertionAlg, AuthMethod};
use crate::cloud::Cloud;
use crate::eligibility::{parse_duration, parse_window};
use crate::graph::ApiVersion;
use crate::output::{ColorWhen, Format};
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use clap_complete::Shell;

/// The domain types (cloud, API version, credential source, output format) stay free of clap:
/// their flag values are declared here, the one place that knows the command line.
macro_rules! value_enum {
    ($ty:ty, [$($variant:expr => $name:literal $(: $help:literal)?),+ $(,)?]) => {
        impl clap::ValueEnum for $ty {
            fn value_variants<'a>() -> &'a [Self] {
                &[$($variant),+]
            }

            fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
                $(if *self == $variant {
                    return Some(clap::builder::PossibleValue::new($name)$(.help($help))?);
                })+
                None
            }
        }
    };
}

value_enum!(Cloud, [
    Cloud::Global => "global",
    Cloud::Usgov => "usgov",
    Cloud::UsgovDod => "usgov-dod",
    Cloud::China => "china",
]);
value_enum!(ApiVersion, [ApiVersion::V1 => "v1.0", ApiVersion::Beta => "beta"]);
value_enum!(AuthMethod, [
    AuthMethod::Auto => "auto",
    AuthMethod::Token => "token",
    AuthMethod::ClientSecret => "client-secret",
    AuthMethod::Certificate => "certificate",
    AuthMethod::WorkloadIdentity => "workload-identity",
    AuthMethod::GithubActions => "github-actions",
    AuthMethod::AzurePipelines => "azure-pipelines",
    AuthMethod::ManagedIdentity => "managed-identity",
    AuthMethod::AzureCli => "azure-cli",
    AuthMethod::DeviceCode => "device-code",
]);
value_enum!(AssertionAlg, [
    AssertionAlg::Ps256 => "ps256": "RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now",
    AssertionAlg::Rs256 => "rs256": "RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups",
]);
value_enum!(ColorWhen, [
    ColorWhen::Auto => "auto": "at a terminal, unless NO_COLOR is set",
    ColorWhen::Always => "always": "also when piped, whatever NO_COLOR says",
    ColorWhen::Never => "never",
]);
value_enum!(Format, [
    Format::Table => "table",
    Format::Json => "json",
    Format::Ndjson => "ndjson",
    Format::Csv => "csv",
    Format::Ids => "ids",
    Format::Tsv => "tsv",
    Format::Markdown => "markdown",
]);

/// Help headings of the inherited options.
const GLOBAL: &str = "Global options";
const CONNECTION: &str = "Connection (global options)";
const AUTHENTICATION: &str = "Authentication (global options)";

/// Find and reprocess Entra ID access package requests that failed to deliver.
///
/// Lists requests in "Delivery failed" or "Partially delivered", keeps those still inside Graph's
/// 14-day reprocess window, and calls Graph's reprocess action on the ones you pick — at a
/// terminal or unattended in CI. Try it without a tenant: `ep --demo reprocess --all-failed --dry-run`.
#[derive(Debug, Parser)]
#[command(
    name = "ep",
    version,
    propagate_version = true,
    max_term_width = 100,
    disable_help_subcommand = true,
    after_help = format!("{MORE_OPTIONS}\n\n{}", examples(&EP_EXAMPLES[..2])),
    after_long_help = format!("{}\n{}", examples(EP_EXAMPLES), exit_status())
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Every command inherits these. Their headings keep them apart from a command's own options,
/// which come first in its help, as gh, jj and cargo do.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = GLOBAL)]
pub struct GlobalArgs {
    /// Microsoft Graph root URL (default: the cloud's Graph host)
    #[arg(help_heading = CONNECTION)]
    #[arg(
        long,
        env = "EP_GRAPH_URL",
        global = true,
        value_name = "URL",
        hide_env_values = true
    )]
    pub graph_url: Option<String>,

    /// National cloud: sets the Graph host, login host and token scope
    #[arg(help_heading = CONNECTION)]
    #[arg(long, env = "EP_CLOUD", global = true, value_enum, default_value_t = Cloud::Global, hide_env_values = true)]
    pub cloud: Cloud,

    /// Graph API version; beta field names are read and shown in the v1.0 vocabulary
    #[arg(help_heading = CONNECTION)]
    #[arg(long, env = "EP_API_VERSION", global = true, value_enum, default_value_t = ApiVersion::V1, hide_env_values = true)]
    pub api_version: ApiVersion,

    /// beta only: use the deprecated accessPackageAssignmentRequests collection
    #[arg(help_heading = CONNECTION)]
    #[arg(long, global = true)]
    pub legacy_beta_path: bool,

    /// Directory (tenant) id or domain
    #[arg(help_heading = AUTHENTICATION)]
    #[arg(
        long,
        env = "AZURE_TENANT_ID",
        global = true,
        value_name = "ID",
        hide_env_values = true
    )]
    pub tenant: Option<String>,

    /// Application (client) id
    #[arg(help_heading = AUTHENTICATION)]
    #[arg(
        long,
        env = "AZURE_CLIENT_ID",
        global = true,
        value_name = "ID",
        hide_env_values = true
    )]
    pub client_id: Option<String>,

    /// Login host (default: the cloud's, e.g. https://login.microsoftonline.com)
    #[arg(help_heading = AUTHENTICATION)]
    #[arg(
        long,
        env = "AZURE_AUTHORITY_HOST",
        global = true,
        value_name = "URL",
        hide_env_values = true
    )]
    pub authority_host: Option<String>,

    /// Credential source; `auto` tries them in the documented order
    #[arg(help_heading = AUTHENTICATION)]
    #[arg(long, env = "EP_AUTH", global = true, value_enum, default_value_t = AuthMethod::Auto, hide_env_values = true)]
    pub auth: AuthMethod,

    /// Named profile of settings from the config file (default: the one 'ep config use' chose)
    #[arg(help_heading = CONNECTION)]
    #[arg(
        long,
        env = "EP_PROFILE",
        global = true,
        value_name = "NAME",
        hide_env_values = true
    )]
    pub profile: Option<String>,

    /// Azure Pipelines service connection (its id) for --auth azure-pipelines
    #[arg(help_heading = AUTHENTICATION)]
    #[arg(
        long,
        env = "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID",
        global = true,
        value_name = "ID",
        hide_env_values = true
    )]
    pub service_connection_id: Option<String>,

    /// Read the client secret from this file (instead of AZURE_CLIENT_SECRET)
    #[arg(help_heading = AUTHENTICATION)]
    #[arg(long, global = true, value_name = "PATH")]
    pub client_secret_file: Option<std::path::PathBuf>,

    /// How --auth certificate signs its client assertion
    #[arg(help_heading = AUTHENTICATION)]
    #[arg(long, env = "EP_ASSERTION_ALG", global = true, value_enum, default_value_t = AssertionAlg::Ps256, hide_env_values = true)]
    pub assertion_alg: AssertionAlg,

    /// Output format; machine formats carry no colour or decoration, and tsv no header (as az's)
    #[arg(short = 'o', long, env = "EP_OUTPUT", global = true, value_enum, default_value_t = Format::Table, hide_env_values = true)]
    pub output: Format,

    /// JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id";
    /// prints the result as JSON, or with -o tsv as tab-separated values
    #[arg(long, global = true, value_name = "JMESPATH", value_hint = clap::ValueHint::Other)]
    pub query: Option<String>,

    /// Whole request ids in tables and the --select picker
    ///
    /// At a terminal, tables show each request id as its shortest prefix that is unique among
    /// the rows shown (at least 8 characters, ending in …), as git and jj do. Every machine
    /// format (json, ndjson, csv, ids, markdown) and a table that is piped always carry whole
    /// ids.
    #[arg(long, global = true)]
    pub full_ids: bool,

    /// Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled
    /// connection (0 = never retry)
    #[arg(help_heading = CONNECTION)]
    #[arg(
        long,
        env = "EP_RETRIES",
        global = true,
        value_name = "N",
        default_value_t = 30,
        hide_env_values = true
    )]
    pub retries: u32,

    /// The most one Graph call waits in total between its retries, Retry-After included; Graph
    /// asking for longer ends the call (exit 5)
    #[arg(help_heading = CONNECTION)]
    #[arg(
        long,
        env = "EP_MAX_WAIT",
        global = true,
        value_name = "DUR",
        default_value = "5m",
        value_parser = parse_duration,
        hide_env_values = true
    )]
    pub max_wait: chrono::Duration,

    /// Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8
    /// with --no-batch)
    ///
    /// An upper bound, not a pace: a run starts with one batch in flight and opens up only as
    /// Graph serves it without a sign of a limit, and once Graph throttles, the learned rate
    /// decides when calls leave.
    #[arg(help_heading = CONNECTION)]
    #[arg(long, env = "EP_CONCURRENCY", global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64), hide_env_values = true)]
    pub concurrency: Option<u16>,

    /// Send state checks and reprocess calls one HTTP request each instead of in $batch requests
    ///
    /// Without it, calls travel in $batch requests of up to 20. If Graph refuses a batch carrying
    /// reprocess calls as a whole (400), nothing in it ran: ep sends those calls, and every later
    /// reprocess of the run, directly and says so once on stderr.
    #[arg(help_heading = CONNECTION)]
    #[arg(long, global = true)]
    pub no_batch: bool,

    /// Run against the built-in emulator with demo data (no tenant needed)
    ///
    /// The demo tenant lives for a session: what one --demo run reprocesses, the next one sees
    /// (kept in the state directory, beside the journal).
    #[arg(long, global = true)]
    pub demo: bool,

    /// Start a new demo session, forgetting what earlier --demo runs did (implies --demo)
    #[arg(long, global = true)]
    pub demo_reset: bool,

    /// Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Print only results and errors
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// No colour in tables (also: NO_COLOR); the same as --color never
    #[arg(long, global = true)]
    pub no_color: bool,

    /// When to colour tables
    #[arg(
        long,
        global = true,
        value_name = "WHEN",
        value_enum,
        conflicts_with = "no_color"
    )]
    pub color: Option<ColorWhen>,
    /// Which values the command line or the environment gave (not a flag: see [`parse_from`]).
    #[arg(skip)]
    pub given: Given,
}

/// Whether a value came from the command line or from its environment variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueOrigin {
    CommandLine,
    Env,
}

/// The arguments clap was given, as opposed to those it filled in with defaults: a profile may
/// supply only the others (flags > environment > profile > defaults).
#[derive(Debug, Clone, Default)]
pub struct Given {
    origins: std::collections::BTreeMap<String, ValueOrigin>,
}

impl Given {
    /// Every argument given at any level of `matches` (globals are seen at the top).
    pub fn from_matches(matches: &ArgMatches) -> Given {
        let mut origins = std::collections::BTreeMap::new();
        let mut level = Some(matches);
        while let Some(m) = level {
            for id in m.ids() {
                let origin = match m.value_source(id.as_str()) {
                    Some(clap::parser::ValueSource::CommandLine) => ValueOrigin::CommandLine,
                    Some(clap::parser::ValueSource::EnvVariable) => ValueOrigin::Env,
                    _ => continue,
                };
                origins.entry(id.as_str().to_string()).or_insert(origin);
            }
            level = m.subcommand().map(|(_, sub)| sub);
        }
        Given { origins }
    }

    /// How argument `id` was given, or `None` when clap's default (or nothing) stands.
    pub fn origin(&self, id: &str) -> Option<ValueOrigin> {
        self.origins.get(id).copied()
    }
}

/// Parse the command line, remembering which values were given ([`Given`]).
pub fn parse_from<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    parse_with(command(), args)
}

/// Flags that would carry a secret as their value. They are refused (a value on the command line
/// shows in `ps` and in shell history), so they are parsed only to say so instead of clap's
/// "unexpected argument". They live outside the derived tree: that tree is what the completion
/// scripts and man pages are generated from, and TAB must never lead anyone to type a secret.
pub const SECRET_FLAGS: [&str; 4] = [
    "client-secret",
    "access-token",
    "password",
    "certificate-password",
];

/// The tree ep parses and prints help from: the derived one, plus the refused secret flags
/// ([`SECRET_FLAGS`]), with the inherited options collapsed in every command's help.
///
/// The derived tree repeats some 45 lines of inherited connection and sign-in options in every
/// command's help, burying the command's own. Here a command's help names the everyday global
/// options in one line pointing at `ep help options`, where all of them are, as gh keeps its
/// inherited flags out of the way. `ep --help` still lists every one in full, and the man pages
/// (from [`Cli::command`]) list them on every page.
pub fn command() -> clap::Command {
    let root = Cli::command().args(SECRET_FLAGS.iter().map(|name| {
        clap::Arg::new(*name)
            .long(*name)
            .global(true)
            .hide(true)
            .value_name("SECRET")
            .action(clap::ArgAction::Set)
    }));
    let inherited: Vec<clap::Arg> = root
        .get_arguments()
        .filter(|a| a.is_global_set())
        .cloned()
        .collect();
    // `ep -h` is the overview: the commands and where to read on. `ep --help` has everything.
    let root = root.mut_args(|a| {
        if a.is_global_set() {
            a.hide_short_help(true)
        } else {
            a
        }
    });
    root.mut_subcommands(|sub| collapse_inherited(sub, &inherited))
}

/// What `ep -h` and every command's help say instead of listing the global options.
const MORE_OPTIONS: &str =
    "Global options (-o FORMAT, --profile NAME, --demo, -q, -v, …): ep help options";

/// `cmd` and its subcommands with their own copies of the inherited options, hidden from help
/// but accepted as before, and a line saying where they are. clap propagates a global option
/// only to commands that lack one of that id, and its values still reach every level.
fn collapse_inherited(cmd: clap::Command, inherited: &[clap::Arg]) -> clap::Command {
    let cmd = inherited
        .iter()
        .fold(cmd, |cmd, arg| cmd.arg(arg.clone().hide(true)));
    let with_pointer = |text: Option<&clap::builder::StyledStr>| match text {
        Some(text) => format!("{MORE_OPTIONS}\n\n{}", text.ansi()),
        None => MORE_OPTIONS.to_string(),
    };
    let short = with_pointer(cmd.get_after_help());
    let long = cmd.get_after_long_help().map(|t| with_pointer(Some(t)));
    let cmd = cmd.after_help(short);
    let cmd = match long {
        Some(long) => cmd.after_long_help(long),
        None => cmd,
    };
    cmd.mut_subcommands(|sub| collapse_inherited(sub, inherited))
}

/// The help topics `ep help TOPIC` knows besides the commands: one topic, two names, because
/// gh calls it "environment" and a reader looking for the flags calls it "options".
pub const HELP_TOPICS: [&str; 2] = ["options", "environment"];

/// `ep help options`: every global option in full, then the variables that are not options.
pub fn options_topic() -> clap::Command {
    let options = command()
        .get_arguments()
        .filter(|a| a.is_global_set() && !a.is_hide_set())
        .map(|a| a.clone().global(false).hide_short_help(false))
        .collect::<Vec<_>>();
    clap::Command::new("ep help options")
        .about("Global options: every ep command accepts these, before or after its name")
        .long_about(
            "Global options: every ep command accepts these, before or after its name.\n\n\
             Each setting is taken from its flag, else its environment variable, else the profile \
             in use ('ep config'), else its default; 'ep auth status' shows where each came from. \
             Secrets are never flags: they come from the environment, a file or a sign-in.",
        )
        .help_template("{about-with-newline}\n{all-args}{after-help}")
        .max_term_width(100)
        .disable_help_flag(true)
        .disable_version_flag(true)
        // Shown through clap, so that colour follows --color and NO_COLOR as every help does.
        .arg(
            clap::Arg::new("help")
                .long("help")
                .action(clap::ArgAction::HelpLong)
                .hide(true),
        )
        .args(options)
        .after_help(environment())
}

/// The variables that say where ep's files live, per platform.
#[cfg(not(windows))]
const WHERE_FILES_LIVE: &str =
    "  XDG_CONFIG_HOME, XDG_STATE_HOME    where config.toml, the journal and the demo session live";
#[cfg(windows)]
const WHERE_FILES_LIVE: &str = "  APPDATA, LOCALAPPDATA              config.toml in %APPDATA%\\ep; the journal and the demo session in
                                     %LOCALAPPDATA%\\ep";

/// The environment ep reads besides the options' own variables.
fn environment() -> String {
    let heading = clap::builder::styling::Style::new().bold().underline();
    format!(
        "{heading}Credentials (environment only; --auth auto tries them in this order):{heading:#}
  EP_ACCESS_TOKEN                    a bearer token for Graph (--auth token)
  AZURE_CLIENT_SECRET                the app's client secret (or --client-secret-file PATH)
  AZURE_CLIENT_CERTIFICATE_PATH      PEM with the app's certificate and private key
  AZURE_CLIENT_CERTIFICATE_PASSWORD  the password of an encrypted key in that PEM
  AZURE_FEDERATED_TOKEN_FILE         workload identity federation (Kubernetes, …)
  ACTIONS_ID_TOKEN_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_TOKEN
                                     GitHub Actions OIDC (set by the runner)
  SYSTEM_OIDCREQUESTURI, SYSTEM_ACCESSTOKEN
                                     Azure Pipelines OIDC (set by the agent)
  IDENTITY_ENDPOINT, IDENTITY_HEADER
                                     managed identity where the platform sets them (App Service,
                                     Functions, Container Apps)
  IMDS_ENDPOINT                      managed identity through IMDS (default: Azure's, on a VM)
  then `az account get-access-token`, then the cache of 'ep auth login'

{heading}Other variables:{heading:#}
  NO_COLOR                           no colour (as --no-color)
  EP_JOURNAL                         reprocess, resume: the journal file (as --journal)
  GITHUB_STEP_SUMMARY                reprocess: where the Markdown summary goes (GitHub Actions)
{WHERE_FILES_LIVE}
  COMPLETE                           set by a shell's dynamic completion (see 'ep completions -h')
"
    )
}

/// [`parse_from`] with the clap command prepared (e.g. its colour chosen).
pub fn parse_with<I, T>(command: clap::Command, args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let matches = command.try_get_matches_from(args)?;
    let mut cli = Cli::from_arg_matches(&matches)?;
    cli.global.given = Given::from_matches(&matches);
    Ok(cli)
}

/// `--window`'s default, for showing where a window came from.
pub fn default_window() -> Option<String> {
    let reprocess = Cli::command().find_subcommand("reprocess")?.clone();
    let window = reprocess.get_arguments().find(|a| a.get_id() == "window")?;
    window
        .get_default_values()
        .first()
        .map(|v| v.to_string_lossy().into_owned())
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Access packages
    #[command(subcommand, after_help = examples(PACKAGES_LIST_EXAMPLES))]
    Packages(PackagesCommand),
    /// Access package assignment requests
    #[command(subcommand, after_help = examples(&[REQUESTS_LIST_EXAMPLES[0], REQUESTS_SHOW_EXAMPLES[0]]))]
    Requests(RequestsCommand),
    /// Reprocess failed requests (ineligible ones are skipped)
    ///
    /// Each request is checked first; one that is not eligible is skipped with the reason.
    #[command(
        after_help = examples(&REPROCESS_EXAMPLES[..2]),
        after_long_help = examples(REPROCESS_EXAMPLES)
    )]
    Reprocess(ReprocessArgs),
    /// Resume requests waiting on a custom extension's callback
    ///
    /// A policy's custom extension can hold a request until the extension calls back (status
    /// WaitingForCallback). Such a request has not failed, and reprocess does nothing for it;
    /// resume sends the callback in the extension's place, naming the callout and stage it
    /// waits at. Each request is checked first; one that is not waiting is skipped with the
    /// reason. At a terminal, ep asks before sending (--yes does not ask); without one the ids
    /// given are the consent.
    #[command(
        after_help = examples(&RESUME_EXAMPLES[..2]),
        after_long_help = examples(RESUME_EXAMPLES)
    )]
    Resume(ResumeArgs),
    /// Print a shell completion script
    ///
    /// The script completes commands, options and their fixed values (states, output formats,
    /// clouds). For your tenant's package names and your profiles as you type, let ep complete
    /// itself instead: bash `source <(COMPLETE=bash ep)`, zsh `source <(COMPLETE=zsh ep)`, fish
    /// `COMPLETE=fish ep | source`, PowerShell `$env:COMPLETE = "powershell"; ep | Out-String |
    /// Invoke-Expression; Remove-Item Env:\COMPLETE`. Package names come from Graph with your
    /// usual sign-in, for at most 2 seconds: a completion never asks you to sign in and prints
    /// nothing when Graph cannot be reached.
    #[command(after_help = examples(COMPLETIONS_EXAMPLES))]
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Run the built-in Graph-compatible emulator
    #[command(after_help = examples(EMULATOR_EXAMPLES))]
    Emulator(EmulatorArgs),
    /// Sign in, see which credential is in use, sign out
    #[command(subcommand, after_help = examples(&[AUTH_STATUS_EXAMPLES[0], AUTH_LOGIN_EXAMPLES[1]]))]
    Auth(AuthCommand),
    /// Print a man page (roff: read it with `man -l -`)
    ///
    /// The page of ep, or of one of its commands.
    #[command(after_help = examples(MAN_EXAMPLES))]
    Man(ManArgs),
    /// Call any Graph endpoint with ep's sign-in, pacing and retries
    ///
    /// For what ep does not cover. The token only ever goes to the Graph host; reads are retried
    /// like every ep call, writes only when Graph did not process them (429, 503). Output is the
    /// JSON Graph answered (-o ndjson: one line; with --paginate one item per line).
    #[command(after_help = examples(API_EXAMPLES))]
    Api(ApiArgs),
    /// Named profiles of settings: tenant, app, cloud, sign-in, …
    ///
    /// Profiles live in config.toml in ep's config directory ($XDG_CONFIG_HOME/ep, else
    /// ~/.config/ep; %APPDATA%\ep on Windows). Pick one with --profile NAME or EP_PROFILE, or
    /// make one the default with 'ep config use NAME'. Flags and environment variables override
    /// a profile's values; 'ep auth status' shows where each setting came from. Secrets are never
    /// written to the file.
    #[command(subcommand, after_help = examples(CONFIG_EXAMPLES))]
    Config(ConfigCommand),
    /// A command's help, or every global option (`ep help options`)
    #[command(after_help = examples(HELP_EXAMPLES))]
    Help(HelpArgs),
}

#[derive(Debug, Args)]
pub struct ApiArgs {
    /// A Graph path (below the configured version; /v1.0/… or /beta/… choose one), or a URL on
    /// the Graph host; a query string may follow
    pub path: String,
    /// The HTTP method
    #[arg(short = 'X', long, value_name = "METHOD", default_value = "GET")]
    pub method: String,
    /// The request body: JSON, or '-' to read it from stdin
    #[arg(long, value_name = "JSON")]
    pub body: Option<String>,
    /// Follow @odata.nextLink and return the items of every page
    #[arg(long)]
    pub paginate: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// List the profiles, marking the default
    #[command(after_help = examples(&CONFIG_EXAMPLES[3..4]))]
    List,
    /// Show a profile's settings (default: the profile in use)
    #[command(after_help = examples(&CONFIG_EXAMPLES[4..5]))]
    Show {
        /// Profile name
        #[arg(value_name = "NAME")]
        name: Option<String>,
    },
    /// Set a setting of a profile, creating the profile if it is new
    ///
    /// KEY is one of: tenant, client-id, cloud, auth, graph-url, authority-host, api-version,
    /// output, window, concurrency, retries, max-wait, assertion-alg, client-certificate-path,
    /// service-connection-id. Values are checked as the flag of the same name checks them.
    /// Secrets (client secrets, tokens, passwords) are refused.
    #[command(after_help = examples(&CONFIG_EXAMPLES[0..2]))]
    Set {
        /// Profile name (letters, digits, '-', '_', '.')
        #[arg(value_name = "NAME")]
        name: String,
        /// Setting, named as its flag (e.g. tenant, client-id, cloud)
        #[arg(value_name = "KEY")]
        key: String,
        #[arg(value_name = "VALUE")]
        value: String,
    },
    /// Remove a setting from a profile
    #[command(after_help = examples(&CONFIG_EXAMPLES[5..6]))]
    Unset {
        #[arg(value_name = "NAME")]
        name: String,
        #[arg(value_name = "KEY")]
        key: String,
    },
    /// Make a profile the default (used when neither --profile nor EP_PROFILE is given)
    #[command(after_help = examples(&CONFIG_EXAMPLES[2..3]))]
    Use {
        #[arg(value_name = "NAME")]
        name: String,
    },
    /// Delete a profile
    #[command(after_help = examples(&CONFIG_EXAMPLES[6..7]))]
    Remove {
        #[arg(value_name = "NAME")]
        name: String,
    },
    /// Print the config file's path
    #[command(after_help = examples(&CONFIG_EXAMPLES[7..8]))]
    Path,
}

#[derive(Debug, Args)]
pub struct AuthLoginArgs {
    /// Keep the tokens in a plain file readable by you only, not in the OS keyring
    ///
    /// For a machine without a keyring (a server, a container). Anyone who can read the file
    /// (root, a backup) can act as you until the refresh token expires.
    #[arg(long, env = "EP_INSECURE_STORAGE", value_parser = clap::builder::FalseyValueParser::new())]
    pub insecure_storage: bool,
}

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Register ep in your tenant and sign in: one step from nothing to a working sign-in
    ///
    /// Signs in once with what is at hand (usually the Azure CLI after `az login`) as an admin
    /// who may register apps and grant consent, then creates a single-tenant public client app
    /// named NAME with the delegated permissions ep needs (EntitlementManagement.ReadWrite.All,
    /// AuditLog.Read.All unless --no-audit, offline_access), grants admin consent for them,
    /// saves tenant, client id and `auth = device-code` in the profile, and runs `ep auth login`.
    /// Run again, it reuses the app the profile names.
    #[command(after_help = examples(AUTH_SETUP_EXAMPLES))]
    Setup(AuthSetupArgs),
    /// Sign in as a person with the device-code flow; tokens are kept for later runs
    ///
    /// The tokens go to the OS keyring (Credential Manager, Keychain, Secret Service). Without
    /// one, ep refuses unless you pass --insecure-storage.
    #[command(after_help = examples(AUTH_LOGIN_EXAMPLES))]
    Login(AuthLoginArgs),
    /// Which credential source ep uses, for which tenant, app and cloud, and until when
    #[command(after_help = examples(AUTH_STATUS_EXAMPLES))]
    Status,
    /// Forget the tokens cached by `ep auth login`
    #[command(after_help = examples(AUTH_LOGOUT_EXAMPLES))]
    Logout,
}

#[derive(Debug, Args)]
pub struct AuthSetupArgs {
    /// The app registration's display name
    #[arg(
        long,
        value_name = "NAME",
        default_value = "ep (access package reprocessing)"
    )]
    pub name: String,
    /// Leave out AuditLog.Read.All (`requests why` then explains less)
    #[arg(long)]
    pub no_audit: bool,
    /// Register and save the profile, but do not sign in now
    #[arg(long)]
    pub no_login: bool,
    #[command(flatten)]
    pub login: AuthLoginArgs,
}

#[derive(Debug, Subcommand)]
pub enum PackagesCommand {
    /// List access packages with their catalogs
    #[command(after_help = examples(PACKAGES_LIST_EXAMPLES))]
    List {
        /// Keep packages whose display name contains TEXT (case-insensitive)
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum RequestsCommand {
    /// List a package's assignment requests, newest first, with whether each can be reprocessed
    #[command(
        after_help = examples(&REQUESTS_LIST_EXAMPLES[..3]),
        after_long_help = examples(REQUESTS_LIST_EXAMPLES)
    )]
    List(RequestsListArgs),
    /// Why failed requests failed: grouped by cause, with how many can still be reprocessed and
    /// when the first of them leaves the window
    ///
    /// Causes come from the audit log (needs AuditLog.Read.All), failed custom extension calls,
    /// the request's assignment, and each resource's fulfilment status (a beta call, made in
    /// v1.0 mode too). A source that cannot be read is named on stderr with what would add it.
    #[command(after_help = examples(REQUESTS_WHY_EXAMPLES))]
    Why(RequestsWhyArgs),
    /// Show one request in full, with its delivery: expected resources, custom extension calls,
    /// audit events and the cause
    #[command(after_help = examples(REQUESTS_SHOW_EXAMPLES))]
    Show {
        /// The request id (a GUID)
        #[arg(value_name = "REQUEST_ID")]
        request_id: String,
        #[command(flatten)]
        window: WindowArg,
    },
}

#[derive(Debug, Args)]
pub struct WindowArg {
    /// Reprocess eligibility window after completion (a bare number is days)
    ///
    /// At most 14d, Graph's documented limit: Graph refuses requests completed longer ago, so a
    /// longer window is a usage error (with reprocess --force, a warning). The Entra portal allows
    /// only 7 days; if Graph refuses requests completed 7–14 days ago without naming its 14-day
    /// rule, ep says so and suggests --window 7d.
    #[arg(long, value_name = "DUR", default_value = "14d", value_parser = parse_window)]
    pub window: chrono::Duration,
}

#[derive(Debug, Args)]
pub struct RequestsListArgs {
    /// Access package id (GUID), display name, or the start of one display name
    #[arg(long, value_name = "ID|NAME", required_unless_present = "all_packages")]
    pub package: Option<String>,

    /// Every package the caller can see
    #[arg(long, conflicts_with = "package")]
    pub all_packages: bool,

    /// Only these states (comma-separated), e.g. deliveryFailed,partiallyDelivered
    ///
    /// Graph's names or the portal's words, in any case ("Delivery failed", "Partially
    /// delivered"); `failed` means both failed states.
    #[arg(long, value_name = "S,...", value_delimiter = ',')]
    pub state: Vec<String>,

    /// Only requests that can be reprocessed now
    #[arg(long)]
    pub reprocessable: bool,

    /// Only reprocessable requests whose window closes within DUR (e.g. 24h): what a nightly job
    /// would otherwise lose
    #[arg(long, value_name = "DUR", value_parser = parse_duration)]
    pub closing_within: Option<chrono::Duration>,

    /// Only requests waiting on a custom extension's callback (not failed: see 'ep resume')
    #[arg(long, conflicts_with_all = ["reprocessable", "closing_within"])]
    pub waiting: bool,

    #[command(flatten)]
    pub window: WindowArg,
}

#[derive(Debug, Args)]
pub struct RequestsWhyArgs {
    /// Access package id (GUID), display name or the start of one (default: every package)
    #[arg(long, value_name = "ID|NAME")]
    pub package: Option<String>,

    /// Every package the caller can see (the default)
    #[arg(long, conflicts_with = "package")]
    pub all_packages: bool,

    #[command(flatten)]
    pub window: WindowArg,
}

#[derive(Debug, Args)]
pub struct ReprocessArgs {
    /// Request ids (GUIDs); `-` reads them from stdin
    ///
    /// One id per line (blank lines and # comments are ignored), or ep's own -o csv, json,
    /// ndjson or tsv output.
    #[arg(value_name = "REQUEST_ID")]
    pub ids: Vec<String>,

    /// Access package id or name, for --all or --select (or to narrow --all-failed)
    ///
    /// An id is a GUID; a display name matches in any case, or by its start when only one
    /// name starts that way.
    #[arg(long, value_name = "ID|NAME")]
    pub package: Option<String>,

    /// Every reprocessable request of --package
    #[arg(long, requires = "package", conflicts_with_all = ["all_failed", "select"])]
    pub all: bool,

    /// Every reprocessable request in scope (tenant-wide without --package)
    #[arg(long, conflicts_with = "select")]
    pub all_failed: bool,

    /// Pick requests of --package from a list (needs a terminal)
    #[arg(long, requires = "package")]
    pub select: bool,

    /// Only requests whose reprocess window closes within DUR (e.g. 24h)
    ///
    /// With --all, --all-failed or --select, so that a nightly job reprocesses what would
    /// otherwise be lost.
    #[arg(long, value_name = "DUR", value_parser = parse_duration, conflicts_with = "ids")]
    pub closing_within: Option<chrono::Duration>,

    /// Print the plan and send nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Do not ask for confirmation
    #[arg(short, long)]
    pub yes: bool,

    /// Send requests that look ineligible anyway, and allow a --window beyond Graph's 14 days
    /// (Graph has the last word)
    #[arg(long)]
    pub force: bool,

    /// Then poll each request until it settles, and report its final state
    ///
    /// Settled means `delivered`, or failed again after it was seen `delivering`. A request that
    /// still shows its failed state is not settled: Graph keeps retrying an accepted reprocess
    /// for hours without changing the state, so at --timeout it is reported "still failing". The
    /// run exits 1 if any request failed again or is still failing; 0 if every one was delivered
    /// or is still delivering.
    #[arg(long)]
    pub wait: bool,

    /// With --wait: how long to poll
    ///
    /// At the timeout, the requests that have not settled are reported as still failing or still
    /// delivering.
    #[arg(long, value_name = "DUR", default_value = "10m", value_parser = parse_duration, requires = "wait")]
    pub timeout: chrono::Duration,

    #[command(flatten)]
    pub journal: JournalArgs,

    /// Append a Markdown summary of the run to FILE
    ///
    /// The summary has the counts, and the failures and skips with their reasons. Without this flag, GITHUB_STEP_SUMMARY is used when it is set (GitHub Actions sets it to
    /// the step's summary file), so the summary shows on the workflow run's page. The file is created (owner-only) if missing;
    /// what it holds is kept. A FILE that cannot be opened stops the run before anything is sent.
    #[arg(long, value_name = "FILE")]
    pub summary_file: Option<std::path::PathBuf>,

    #[command(flatten)]
    pub window: WindowArg,
}

#[derive(Debug, Args)]
pub struct ResumeArgs {
    /// Request ids (GUIDs); `-` reads them from stdin
    ///
    /// One id per line (blank lines and # comments are ignored), or ep's own -o csv, json,
    /// ndjson or tsv output.
    #[arg(value_name = "REQUEST_ID")]
    pub ids: Vec<String>,

    /// The stage the callout waits at: created, approved, granted or removed
    ///
    /// Graph's request does not say; ep takes it from the request's state (submitted: created,
    /// pendingApproval: approved). Give it when the state implies none, or implies the wrong
    /// one: Graph refuses a resume that names another stage, and nothing changes.
    #[arg(long, value_name = "STAGE", value_parser = parse_stage)]
    pub stage: Option<crate::graph::ResumeStage>,

    /// Who resumes, kept by Graph for auditing (the body's `source`)
    #[arg(long, value_name = "TEXT", default_value = "ep")]
    pub source: String,

    /// What the callback says (`customExtensionStageInstanceDetail`)
    #[arg(long, value_name = "TEXT")]
    pub detail: Option<String>,

    /// Deny the request instead of letting it go on (request-created stage only)
    #[arg(long, conflicts_with = "cancel")]
    pub deny: bool,

    /// Cancel the request instead of letting it go on (request-created stage only)
    #[arg(long)]
    pub cancel: bool,

    /// Print the plan and send nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Do not ask for confirmation
    #[arg(short, long)]
    pub yes: bool,

    #[command(flatten)]
    pub journal: JournalArgs,
}

/// The journal options of the commands that send (reprocess, resume).
#[derive(Debug, Args)]
pub struct JournalArgs {
    /// Journal of reprocess and resume outcomes
    ///
    #[cfg_attr(
        not(windows),
        doc = "Default: ~/.local/state/ep/journal.ndjson ($XDG_STATE_HOME/ep)."
    )]
    #[cfg_attr(windows, doc = "Default: %LOCALAPPDATA%\\ep\\journal.ndjson.")]
    #[arg(long, value_name = "FILE", env = "EP_JOURNAL", hide_env_values = true)]
    pub journal: Option<std::path::PathBuf>,

    /// Keep no journal, and do not consult it
    #[arg(long, conflicts_with = "journal")]
    pub no_journal: bool,

    /// Skip requests the journal shows were accepted this recently
    ///
    /// Graph keeps retrying an accepted reprocess itself, and a resumed request moves on by
    /// itself: sending either again changes nothing.
    #[arg(long, value_name = "DUR", default_value = "4h", value_parser = parse_duration)]
    pub journal_window: chrono::Duration,
}

fn parse_stage(raw: &str) -> Result<crate::graph::ResumeStage, String> {
    crate::graph::ResumeStage::parse(raw).ok_or_else(|| {
        "expected created, approved, granted or removed (or the stage's name, e.g. \
         assignmentRequestCreated)"
            .to_string()
    })
}

#[derive(Debug, Args)]
pub struct HelpArgs {
    /// A command (e.g. `requests list`), or a topic: options (also: environment)
    #[arg(value_name = "COMMAND|TOPIC")]
    pub words: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print, e.g. `reprocess` or `requests list` (default: ep)
    #[arg(value_name = "COMMAND")]
    pub command: Vec<String>,

    /// Write every page (ep.1, ep-reprocess.1, …) into DIR instead of printing one
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub dir: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Port on 127.0.0.1 (0 = any free port)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Seed for the generated tenant; the same seed gives the same data
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Number of assignment requests
    #[arg(long, default_value_t = 120)]
    pub requests: usize,
    /// Number of access packages (at least 2)
    #[arg(long, default_value_t = 6)]
    pub packages: usize,
    /// Added to every response (at most 600000, 10 minutes)
    #[arg(long, value_name = "MS", default_value_t = 0, value_parser = clap::value_parser!(u64).range(..=600_000))]
    pub latency_ms: u64,
    /// Throttle above this many requests per second (429 + Retry-After)
    #[arg(long, value_name = "PER_SEC")]
    pub rate: Option<f64>,
    /// Token-bucket size for --rate
    #[arg(long, default_value_t = 10)]
    pub burst: u32,
    /// Share of calls answered 503/504 (0.0–1.0)
    #[arg(long, default_value_t = 0.0)]
    pub fault_rate: f64,
    /// Share of Graph calls whose connection is reset with no response, doing nothing (0.0–1.0)
    #[arg(long, value_name = "SHARE", default_value_t = 0.0)]
    pub fault_reset: f64,
    /// Share of reprocess calls (and batches with one) performed, then reset unanswered (0.0–1.0)
    #[arg(long, value_name = "SHARE", default_value_t = 0.0)]
    pub lost_ack: f64,
    /// Which calls injected faults hit: any, whole requests only, or $batch sub-requests only
    #[arg(long, value_name = "SCOPE", value_enum, default_value_t = ep_emulator::FaultScope::Any)]
    pub fault_scope: ep_emulator::FaultScope,
    /// Injected faults answer 502 with a proxy's HTML page instead of OData 503/504
    #[arg(long)]
    pub fault_html: bool,
    /// How 429/503 Retry-After is written (mixed: whole, fractional or none, drawn per 429)
    #[arg(long, alias = "retry-after-style", value_name = "STYLE", value_enum, default_value_t = ep_emulator::RetryAfterStyle::Rotate)]
    pub retry_after: ep_emulator::RetryAfterStyle,
    /// The demo apps hold roles on all catalogs but one: tenant-wide request listing answers 403
    #[arg(long)]
    pub catalog_scoped: bool,
    /// Extra recent failed requests, as after a connector outage (in addition to --requests)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub outage: usize,
    /// Items per page
    #[arg(long, default_value_t = 50)]
    pub page_size: usize,
    /// What a nextLink's $skiptoken stands for, and so what a client sees when requests change
    /// state or appear between its pages
    #[arg(long, value_name = "MODEL", value_enum, default_value_t = ep_emulator::PagingModel::Offset)]
    pub paging: ep_emulator::PagingModel,
    /// Changes the tenant makes by itself while listed: a new failed request, a failed one
    /// delivered, or a delivered one failed (0 = none)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub live_changes: usize,
    /// One live change before every N-th listing page of the requests (at least 1)
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub live_every: usize,
    /// How long a reprocessed request stays `delivering` (at most 86400000, a day)
    #[arg(long, value_name = "MS", default_value_t = 3000, value_parser = clap::value_parser!(u64).range(..=86_400_000))]
    pub settle_ms: u64,
    /// Share of reprocessed requests that fail again (0.0–1.0)
    #[arg(long, default_value_t = 0.1)]
    pub refail_rate: f64,
    /// How long the service retries a reprocess that fails again, showing the failed state
    /// unchanged and refusing repeats
    #[arg(long, value_name = "MS", default_value_t = 30000, value_parser = clap::value_parser!(u64).range(..=86_400_000))]
    pub trial_window_ms: u64,
    /// How long a reprocess that recovers keeps showing the failed state before `delivering`
    #[arg(long, value_name = "MS", default_value_t = 0, value_parser = clap::value_parser!(u64).range(..=86_400_000))]
    pub recover_delay_ms: u64,
    /// Older model: a reprocess that fails again shows `delivering` first, then `deliveryFailed`
    #[arg(long)]
    pub visible_refail: bool,
    /// HTTP status refusing a repeat reprocess while the service still retries (400 or 409)
    #[arg(long, value_name = "STATUS", default_value_t = 400, value_parser = clap::value_parser!(u16).range(400..=499))]
    pub repeat_refusal: u16,
    /// Days after completion within which reprocess is accepted (Graph: 14, portal: 7)
    #[arg(long, value_name = "DAYS", default_value_t = 14, value_parser = clap::value_parser!(i64).range(1..=3650))]
    pub reprocess_window_days: i64,
    /// HTTP status refusing a catalog-scoped caller's tenant-wide listing (403 or 400)
    #[arg(long, value_name = "STATUS", default_value_t = 403, value_parser = clap::value_parser!(u16).range(400..=403))]
    pub catalog_refusal: u16,
    /// Accept $batch write sub-requests without body and Content-Type (Graph refuses them)
    #[arg(long)]
    pub lenient_batch_writes: bool,
    /// Refuse every $batch that carries a write sub-request, however well-formed
    #[arg(long)]
    pub batch_refuses_writes: bool,
    /// Lifetime of issued access tokens (at most 86400, a day, as Entra's)
    #[arg(long, value_name = "SECS", default_value_t = 3600, value_parser = clap::value_parser!(u64).range(..=86_400))]
    pub token_ttl: u64,
    /// Answer 400 to $filter expressions that combine clauses with and/or, like a stricter server
    #[arg(long)]
    pub strict_filters: bool,
    /// Trust this PEM certificate for the demo app's client assertions (--auth certificate)
    #[arg(long, value_name = "PATH")]
    pub client_certificate: Option<std::path::PathBuf>,
    /// Seconds between device-code polls that the device-code endpoint asks for (at most 3600)
    #[arg(long, value_name = "SECS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(..=3600))]
    pub device_code_interval: u64,
    /// How many times an app registered through Graph is not found yet, by service principal
    /// creation and by sign-in, as while a new registration replicates
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub directory_lag: u32,
    /// Play Azure Arc: the IMDS path challenges with key files written into DIR
    #[arg(long, value_name = "DIR")]
    pub arc_key_dir: Option<std::path::PathBuf>,
    /// The IMDS path's first answers, in order, e.g. 410,410 while IMDS updates
    #[arg(long, value_name = "STATUS,...", value_delimiter = ',')]
    pub imds_failures: Vec<u16>,
    /// The audit log's own throttle, in requests per second (Graph documents 5 per 10 s)
    #[arg(long, value_name = "PER_SEC", default_value_t = 0.5)]
    pub audit_rate: f64,
    /// Token-bucket size for --audit-rate
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub audit_burst: u32,
    /// How audit events name their request (undocumented): in targetResources, or only by
    /// requestor and access package
    #[arg(long, value_name = "HOW", value_enum, default_value_t = ep_emulator::AuditCorrelation::RequestId)]
    pub audit_correlation: ep_emulator::AuditCorrelation,
    /// beta's accessPackageAssignmentResourceRoles answers 404, as where it is not available
    #[arg(long)]
    pub resource_roles_unavailable: bool,
    /// beta's accessPackageAssignmentResourceRoles answers 403, as to an app not allowed that
    /// beta call (the v1.0 calls still answer)
    #[arg(long)]
    pub resource_roles_forbidden: bool,
}

/// One example: what it does, and the command line. A line starting with `ep --demo` runs as it is
/// (a test runs every one); the others need a tenant or a terminal. A command longer than an
/// 80-column terminal continues on an indented line after ` \`: clap would wrap it anywhere, and
/// a command broken in the middle no longer runs when copied.
type Example = (&'static str, &'static str);

const EP_EXAMPLES: &[Example] = &[
    (
        "Try it without a tenant: the plan for the demo tenant's failed requests",
        "ep --demo reprocess --all-failed --dry-run",
    ),
    (
        "A package's requests, and why each can or cannot be reprocessed",
        "ep --demo requests list --package \"Finance Reporting\"",
    ),
    (
        "Reprocess every failed request in scope without a question, as a pipeline would",
        "ep --demo reprocess --all-failed --yes",
    ),
    (
        "Which credential ep signs in with, for which tenant and app",
        "ep --demo auth status",
    ),
];

const PACKAGES_LIST_EXAMPLES: &[Example] = &[
    (
        "Every access package you can see, with its catalog",
        "ep --demo packages list",
    ),
    (
        "Packages whose name contains \"sales\", as JSON",
        "ep --demo packages list --search sales -o json",
    ),
];

const REQUESTS_LIST_EXAMPLES: &[Example] = &[
    (
        "A package's requests, newest first, each with whether it can be reprocessed",
        "ep --demo requests list --package \"Finance Reporting\"",
    ),
    (
        "What can be reprocessed now, tenant-wide",
        "ep --demo requests list --all-packages --reprocessable",
    ),
    (
        "Every failed request as CSV, for a spreadsheet",
        "ep --demo requests list --all-packages \\\n    --state deliveryFailed,partiallyDelivered -o csv > failed.csv",
    ),
    (
        "What leaves the reprocess window within a day",
        "ep --demo requests list --all-packages --closing-within 24h",
    ),
    (
        "Only the fields you want, with a JMESPath query as az takes it",
        "ep --demo requests list --package Finance --query \"[].[id, state]\" -o tsv",
    ),
    (
        "The reprocessable ones, handed to reprocess",
        "ep --demo requests list --all-packages --reprocessable -o ids \\\n    | ep --demo reprocess -",
    ),
];

const REQUESTS_SHOW_EXAMPLES: &[Example] = &[
    (
        "One request in full",
        "ep --demo requests show 2649c76a-c7f8-46c3-9dd7-15ca55d209a2",
    ),
    (
        "The same as JSON, for a script",
        "ep --demo requests show 2649c76a-c7f8-46c3-9dd7-15ca55d209a2 -o json",
    ),
];

const REQUESTS_WHY_EXAMPLES: &[Example] = &[
    (
        "Why the tenant's failed requests failed, grouped by cause",
        "ep --demo requests why --all-packages",
    ),
    (
        "One package's causes as JSON, for a script or a ticket",
        "ep --demo requests why --package \"Finance Reporting\" -o json",
    ),
];

const REPROCESS_EXAMPLES: &[Example] = &[
    (
        "The plan: what would be reprocessed tenant-wide, and why the rest would not",
        "ep --demo reprocess --all-failed --dry-run",
    ),
    (
        "Every reprocessable request of one package, without a question",
        "ep --demo reprocess --package \"Finance Reporting\" --all --yes",
    ),
    (
        "Ids from a pipe (or a file), one per line",
        "ep --demo requests list --all-packages --reprocessable -o ids \\\n    | ep --demo reprocess -",
    ),
    (
        "In CI: a Markdown summary for the job's page, the results as JSON for the next step",
        "ep --demo reprocess --all-failed --summary-file summary.md -o json \\\n    > results.json",
    ),
    (
        "Nightly: only what would otherwise leave the 14-day window within two days",
        "ep --demo reprocess --all-failed --closing-within 48h --yes",
    ),
    (
        "Pick from a list at a terminal (type to filter, space to toggle)",
        "ep reprocess --package \"Finance Reporting\" --select",
    ),
    (
        "Chosen requests, then wait until each is delivered or fails again",
        "ep reprocess 9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea --wait --timeout 15m",
    ),
];

const RESUME_EXAMPLES: &[Example] = &[
    (
        "The requests waiting on a custom extension, tenant-wide",
        "ep --demo requests list --all-packages --waiting",
    ),
    (
        "What resuming them would send, and what it would skip",
        "ep --demo requests list --all-packages --waiting -o ids \\\n    | ep --demo resume - --dry-run",
    ),
    (
        "Resume one that waits at the request-created stage, without a question",
        "ep resume 9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea --yes --detail \"by hand\"",
    ),
    (
        "Deny it instead, as the extension would have",
        "ep resume 9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea --deny --detail \"no licence\"",
    ),
];

const CONFIG_EXAMPLES: &[Example] = &[
    (
        "A profile for the production tenant",
        "ep config set prod tenant contoso.onmicrosoft.com",
    ),
    (
        "Its app registration",
        "ep config set prod client-id 5b0e6a2c-3f41-4d8e-a7b9-1c2d3e4f5a60",
    ),
    (
        "Use it when no --profile or EP_PROFILE says otherwise",
        "ep config use prod",
    ),
    ("The profiles, the default marked", "ep config list"),
    ("One profile's settings", "ep config show prod"),
    ("Forget one setting", "ep config unset prod window"),
    ("Delete a profile", "ep config remove prod"),
    ("Where the file is", "ep config path"),
];

const COMPLETIONS_EXAMPLES: &[Example] = &[
    (
        "Bash: completions in every new shell",
        "ep completions bash > ~/.local/share/bash-completion/completions/ep",
    ),
    (
        "Bash, with package names and profiles as you type (add it to ~/.bashrc)",
        "source <(COMPLETE=bash ep)",
    ),
    (
        "Zsh: a file on your fpath",
        "ep completions zsh > \"${fpath[1]}/_ep\"",
    ),
    (
        "PowerShell: in this session (add it to $PROFILE to keep it)",
        "ep completions powershell | Out-String | Invoke-Expression",
    ),
];

const API_EXAMPLES: &[Example] = &[
    (
        "Every access package, all pages",
        "ep --demo api --paginate \\\n    /identityGovernance/entitlementManagement/accessPackages",
    ),
    (
        "One item per line, for jq",
        "ep --demo api --paginate -o ndjson \\\n    /identityGovernance/entitlementManagement/assignmentRequests",
    ),
    (
        "A write with its body from a file (resume a request waiting on a callback)",
        "ep api -X POST --body - < body.json \\\n    /identityGovernance/entitlementManagement/assignmentRequests/ID/resume",
    ),
];

const EMULATOR_EXAMPLES: &[Example] = &[
    (
        "On a fixed port; export what it prints and run ep against it",
        "ep emulator --port 8080",
    ),
    (
        "A throttling, flaky, slow Graph to try ep against",
        "ep emulator --rate 20 --fault-rate 0.05 --latency-ms 50",
    ),
];

const HELP_EXAMPLES: &[Example] = &[
    (
        "Every global option, with its environment variable, and the credential variables",
        "ep help options",
    ),
    (
        "A command's help in full (the same as --help)",
        "ep help requests list",
    ),
];

const AUTH_SETUP_EXAMPLES: &[Example] = &[
    (
        "Sign in to the Azure CLI, in the tenant to set up, as an admin who may register apps",
        "az login",
    ),
    ("Register ep in that tenant and sign in", "ep auth setup"),
    (
        "The same for a second tenant, kept in its own profile",
        "ep --profile fabrikam auth setup",
    ),
];

const AUTH_LOGIN_EXAMPLES: &[Example] = &[
    (
        "Your tenant and your app registration (with public client flows allowed)",
        "export AZURE_TENANT_ID=contoso.onmicrosoft.com AZURE_CLIENT_ID=YOUR-APP-ID",
    ),
    (
        "Sign in: it prints a code to enter at https://microsoft.com/devicelogin",
        "ep auth login",
    ),
    (
        "No keyring on this machine: a file readable by you only",
        "ep auth login --insecure-storage",
    ),
];

const AUTH_STATUS_EXAMPLES: &[Example] = &[
    (
        "Which credential source wins, for which tenant and app, until when",
        "ep --demo auth status",
    ),
    ("The same as JSON", "ep --demo auth status -o json"),
];

const AUTH_LOGOUT_EXAMPLES: &[Example] = &[(
    "Forget the tokens cached by ep auth login",
    "ep auth logout",
)];

const MAN_EXAMPLES: &[Example] = &[
    (
        "Read ep's man page without installing it",
        "ep man | man -l -",
    ),
    ("The page of one command", "ep man requests list | man -l -"),
    (
        "Install every page",
        "ep man --dir /usr/local/share/man/man1",
    ),
];

/// The EXAMPLES section of a command's help and man page: each example's comment, then its
/// command line, ready to copy.
fn examples(list: &[Example]) -> String {
    let heading = clap::builder::styling::Style::new().bold().underline();
    let mut text = format!("{heading}Examples:{heading:#}\n");
    for (i, (what, command)) in list.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        text.push_str(&format!("  # {what}\n  {command}\n"));
    }
    text
}

/// `ep --help` and the man page end with the exit codes a script can rely on.
fn exit_status() -> String {
    let heading = clap::builder::styling::Style::new().bold().underline();
    format!(
        "{heading}Exit status:{heading:#}
  0    success, also when nothing needed reprocessing
  1    a selected request could not be reprocessed (with --wait: failed again or still failing)
  2    usage error: bad flag, malformed id, ambiguous package name, no selection
  3    authentication or permission failure (401/403, no token)
  4    package or request not found
  5    Graph unavailable or throttling beyond the retry budget, or Graph or the login host
       cannot be reached
  130  interrupted (Ctrl-C); 143: terminated (SIGTERM); the summary is printed either way.
       130 also when the --select list is cancelled (Esc, Ctrl-C): nothing was sent
"
    )
}
