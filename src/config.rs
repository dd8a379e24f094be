//! Flags + environment + profile + cloud → one validated [`Config`] that the rest of ep takes.

pub mod file;
mod layers;

pub use layers::{Origin, Provenance, arg_id, check_value};

use crate::auth::{AuthMethod, Credentials, Secret, TokenEndpoint, TokenStorage};
use crate::cli::GlobalArgs;
use crate::error::CliError;
use crate::graph::{ApiVersion, RetryPolicy};
use crate::output::{ColorWhen, Format, Projection, Query, Render, Style};
use std::io::IsTerminal;
use std::net::IpAddr;
use std::path::PathBuf;
use url::Url;

pub use crate::cloud::Cloud;

#[derive(Debug)]
pub struct Config {
    pub cloud: Cloud,
    pub graph_root: Url,
    pub api_version: ApiVersion,
    pub legacy_beta_path: bool,
    pub auth: AuthMethod,
    pub credentials: Credentials,
    pub token_endpoint: TokenEndpoint,
    /// The format commands write in: `json` when `--query` reshapes the output.
    pub format: Format,
    /// `--query`, and how its result is printed.
    pub projection: Option<Projection>,
    pub style: Style,
    /// stdin and stderr are a terminal: prompts and pickers are possible.
    pub interactive: bool,
    pub retry: RetryPolicy,
    pub concurrency: usize,
    pub batch: bool,
    /// The profile in use, and whether `--profile`, `EP_PROFILE` or the file's default chose it.
    pub profile: Option<(String, Origin)>,
    /// The profile's `window`, for commands whose `--window` was not given.
    pub window: Option<chrono::Duration>,
    /// Every setting a profile may hold: its value and where that came from.
    pub provenance: Vec<Provenance>,
}

impl Config {
    pub fn from_args(given: &GlobalArgs) -> Result<Config, CliError> {
        let layered = layers::layer(given)?;
        let args = &layered.args;
        let (cloud_graph, cloud_login) = args.cloud.endpoints();
        let graph_root = match &args.graph_url {
            Some(raw) => checked_url(raw, "--graph-url / EP_GRAPH_URL")?,
            None => checked_url(cloud_graph, "the cloud's Graph host")?,
        };
        let authority = match &args.authority_host {
            Some(raw) => checked_url(raw, "--authority-host / AZURE_AUTHORITY_HOST")?,
            None => checked_url(cloud_login, "the cloud's login host")?,
        };
        refuse_secrets_on_the_command_line(args)?;
        let client_secret = match &args.client_secret_file {
            Some(path) => Some(read_secret_file(path)?),
            None => env_secret("AZURE_CLIENT_SECRET"),
        };
        let credentials = Credentials {
            access_token: env_secret("EP_ACCESS_TOKEN"),
            tenant_id: args.tenant.clone().filter(|t| !t.trim().is_empty()),
            client_id: args.client_id.clone().filter(|c| !c.trim().is_empty()),
            client_secret,
            certificate_path: layered.certificate_path.clone(),
            certificate_password: env_secret("AZURE_CLIENT_CERTIFICATE_PASSWORD"),
            assertion_alg: args.assertion_alg,
            federated_token_file: env_path("AZURE_FEDERATED_TOKEN_FILE"),
            federation_audience: args.cloud.token_exchange_audience().to_string(),
            actions_id_token_request_url: env_text("ACTIONS_ID_TOKEN_REQUEST_URL"),
            actions_id_token_request_token: env_secret("ACTIONS_ID_TOKEN_REQUEST_TOKEN"),
            oidc_request_uri: env_text("SYSTEM_OIDCREQUESTURI"),
            system_access_token: env_secret("SYSTEM_ACCESSTOKEN"),
            service_connection_id: args
                .service_connection_id
                .clone()
                .filter(|c| !c.trim().is_empty()),
            identity_endpoint: env_text("IDENTITY_ENDPOINT"),
            identity_header: env_secret("IDENTITY_HEADER"),
            imds_endpoint: env_text("IMDS_ENDPOINT"),
            azure_cli: crate::auth::find_az(std::env::var_os("PATH").as_deref()),
            token_cache_path: token_cache_path(),
            token_storage: if env_flag("EP_INSECURE_STORAGE") {
                TokenStorage::InsecureFile
            } else {
                TokenStorage::Keyring
            },
        };
        let color = args
            .color
            .unwrap_or(if args.no_color {
                ColorWhen::Never
            } else {
                ColorWhen::Auto
            })
            .resolve(
                std::io::stdout().is_terminal(),
                std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
                std::env::var_os("TERM").is_some_and(|t| t == "dumb"),
            );
        let (format, projection) = output_plan(args.output, args.query.as_deref())?;
        Ok(Config {
            cloud: args.cloud,
            graph_root,
            api_version: args.api_version,
            legacy_beta_path: args.legacy_beta_path,
            auth: args.auth,
            credentials,
            token_endpoint: TokenEndpoint {
                authority_host: authority.as_str().trim_end_matches('/').to_string(),
                // The token is for the cloud's Graph resource even when --graph-url points at a
                // proxy or a compatible server.
                scope: format!("{cloud_graph}/.default"),
            },
            format,
            projection,
            style: Style {
                color,
                full_ids: args.full_ids,
            },
            interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
            retry: RetryPolicy {
                max_retries: args.retries,
                max_wait: args.max_wait.to_std().unwrap_or_default(),
                ..RetryPolicy::default()
            },
            concurrency: usize::from(concurrency(args)),
            batch: !args.no_batch,
            profile: layered.profile.clone(),
            window: layered.window,
            provenance: layered.provenance.clone(),
        })
    }
}

/// `--query` reshapes the JSON document a command prints, so commands write JSON and the query's
/// result is printed as JSON or, with `-o tsv`, as az prints tsv. Formats that are not one
/// document (`ndjson`, `csv`, `ids`, `markdown`) cannot carry a query's result.
pub fn output_plan(
    format: Format,
    query: Option<&str>,
) -> Result<(Format, Option<Projection>), CliError> {
    let Some(text) = query else {
        return Ok((format, None));
    };
    let query = Query::compile(text).map_err(|e| {
        CliError::usage(e.to_string())
            .with_hint("a JMESPath expression (jmespath.org), e.g. --query \"[?reprocessable].id\"")
    })?;
    let render = match format {
        Format::Table | Format::Json => Render::Json,
        Format::Tsv => Render::Tsv,
        other => {
            let name = clap::ValueEnum::to_possible_value(&other)
                .map(|v| v.get_name().to_string())
                .unwrap_or_default();
            return Err(CliError::usage(format!(
                "--query prints JSON or tab-separated values, not {name}"
            ))
            .with_hint("use -o json (what --query prints by default) or -o tsv"));
        }
    };
    Ok((Format::Json, Some(Projection { query, render })))
}

/// Secrets given as flag values are visible to every user of the machine (`ps`, shell
/// history); the flags exist only to say so.
fn refuse_secrets_on_the_command_line(args: &GlobalArgs) -> Result<(), CliError> {
    let given = crate::cli::SECRET_FLAGS
        .iter()
        .find(|flag| args.given.origin(flag).is_some());
    match given {
        Some(flag) => Err(CliError::usage(format!(
            "--{flag}: secrets are not accepted on the command line (visible in ps and shell history)"
        ))
        .with_hint(
            "set AZURE_CLIENT_SECRET (or use --client-secret-file PATH), EP_ACCESS_TOKEN, or \
             AZURE_CLIENT_CERTIFICATE_PATH in the environment instead",
        )),
        None => Ok(()),
    }
}

/// `--client-secret-file`: the whole file, trimmed (editors add a final newline).
fn read_secret_file(path: &std::path::Path) -> Result<Secret, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::usage(format!("--client-secret-file {}: {e}", path.display()))
            .with_hint("the file must hold the client secret's value and be readable by you")
    })?;
    let secret = Secret::new(text.trim().to_string());
    if secret.is_empty() {
        return Err(CliError::usage(format!(
            "--client-secret-file {}: the file is empty",
            path.display()
        )));
    }
    Ok(secret)
}

fn env_text(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// A yes/no variable: set, and not empty, `0`, `false`, `no` or `off`.
fn env_flag(name: &str) -> bool {
    env_text(name).is_some_and(|v| {
        !["0", "false", "no", "off"]
            .iter()
            .any(|n| v.eq_ignore_ascii_case(n))
    })
}

fn env_path(name: &str) -> Option<PathBuf> {
    env_text(name).map(PathBuf::from)
}

/// `$XDG_CONFIG_HOME/ep/token-cache.json`, else `~/.config/ep/…`: beside the config file. On
/// Windows `%LOCALAPPDATA%\ep\…`: a refresh token must not travel with the roaming profile.
pub fn token_cache_path() -> Option<PathBuf> {
    #[cfg(windows)]
    return Some(crate::private_file::state_dir()?.join("token-cache.json"));
    #[cfg(not(windows))]
    Some(file::config_dir()?.join("token-cache.json"))
}

fn env_secret(name: &str) -> Option<Secret> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(|v| Secret::new(v.trim().to_string()))
}

/// A Graph or login URL: absolute http(s), no query or fragment, no `user:pass@`, and `https`
/// unless the host is loopback — a bearer token or client secret must never cross a network in
/// clear text.
pub fn checked_url(raw: &str, what: &str) -> Result<Url, CliError> {
    // Checked on the raw text, before anything else can quote it in a message: a URL that does not
    // parse can still carry a password.
    if let Some(shown) = without_userinfo(raw.trim()) {
        return Err(CliError::usage(format!(
            "{what}: '{}' has a user name or password in it",
            crate::sanitize::excerpt(&shown)
        ))
        .with_hint(
            "remove the 'user:password@' part: ep never sends credentials in a URL; choose how to \
             sign in with --auth",
        ));
    }
    // Quoted back only in part: a URL can be as long as whoever wrote it liked.
    let shown = crate::sanitize::excerpt(raw);
    let url = Url::parse(raw.trim()).map_err(|e| {
        CliError::usage(format!("{what}: '{shown}' is not a URL ({e})"))
            .with_hint("write it as https://host, e.g. https://graph.microsoft.com")
    })?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(CliError::usage(format!(
                "{what}: '{shown}' uses plain http to a non-loopback host"
            ))
            .with_hint("use https; plain http is allowed only for 127.0.0.1, ::1 and localhost"));
        }
        other => {
            return Err(CliError::usage(format!(
                "{what}: '{shown}' has scheme '{}', expected https",
                crate::sanitize::excerpt(other)
            ))
            .with_hint("write it as https://host"));
        }
    }
    if url.host().is_none() {
        return Err(CliError::usage(format!("{what}: '{shown}' has no host")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // Reached only by spellings the raw check does not know; the parsed URL says so.
        return Err(CliError::usage(format!(
            "{what}: the URL has a user name or password in it"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(CliError::usage(format!(
            "{what}: '{shown}' must not have a query or fragment"
        )));
    }
    Ok(url)
}

/// `raw` with its userinfo (`user:pass@`) shown as `…@`, or `None` when it has none. The authority
/// is what follows `scheme://` (or the start) up to the first `/`, `\\`, `?` or `#`.
fn without_userinfo(raw: &str) -> Option<String> {
    let start = raw.find("://").map_or(0, |i| i + 3);
    let rest = &raw[start..];
    let end = rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len());
    let at = rest[..end].rfind('@')?;
    Some(format!("{}…@{}", &raw[..start], &rest[at + 1..]))
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// `--concurrency`, or its default: 20 `$batch` requests in flight (400 calls, enough for a few
/// hundred to go in three or four round trips once Graph shows no sign of a limit), or 8
/// direct calls with `--no-batch`. Unbatched, every call is a request Graph may throttle on its
/// own, and more of them in flight only make the first wave larger.
pub(crate) fn concurrency(args: &crate::cli::GlobalArgs) -> u16 {
    args.concurrency
        .unwrap_or(if args.no_batch { 8 } else { 20 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_on_loopback() {
        assert!(checked_url("https://graph.microsoft.com", "x").is_ok());
        assert!(checked_url("http://127.0.0.1:8080", "x").is_ok());
        assert!(checked_url("http://127.1.2.3:8080", "x").is_ok());
        assert!(checked_url("http://[::1]:8080", "x").is_ok());
        assert!(checked_url("http://localhost:8080", "x").is_ok());
        let err = checked_url("http://graph.contoso.com", "--graph-url").unwrap_err();
        assert!(err.message.contains("plain http"), "{}", err.message);
        assert!(checked_url("http://10.0.0.1", "x").is_err());
    }

    #[test]
    fn credentials_in_a_url_are_refused_and_never_repeated() {
        for raw in [
            "https://admin:hunter2@graph.microsoft.com",
            "https://hunter2@graph.microsoft.com/v1.0",
            "http://u:hunter2@127.0.0.1:notaport",
            "u:hunter2@graph.microsoft.com",
            "https://u:hunter2@[::1]:8080/",
            "https:\\\\u:hunter2@graph.microsoft.com",
            " https://u:p%40hunter2@host ",
        ] {
            let err = checked_url(raw, "--graph-url").unwrap_err();
            assert_eq!(err.status, crate::error::ExitStatus::Usage, "{raw}");
            let said = format!("{} {:?}", err.message, err.hint);
            assert!(!said.contains("hunter2"), "{raw}: {said}");
            assert!(err.message.contains("user name or password"), "{said}");
        }
        assert_eq!(
            without_userinfo("https://a:b@host/x@y").as_deref(),
            Some("https://…@host/x@y")
        );
        assert_eq!(without_userinfo("https://host/x@y"), None);
        assert!(checked_url("https://graph.microsoft.com/v1.0@x", "x").is_ok());
    }

    #[test]
    fn not_a_url_is_a_usage_error_with_a_hint() {
        let err = checked_url("graph.microsoft.com", "--graph-url").unwrap_err();
        assert_eq!(err.status, crate::error::ExitStatus::Usage);
        assert!(err.hint.is_some());
        assert!(checked_url("ftp://x", "x").is_err());
        assert!(checked_url("https://x/?a=b", "x").is_err());
    }

    #[test]
    fn each_cloud_has_its_graph_login_and_scope() {
        let table = [
            (
                Cloud::Global,
                "https://graph.microsoft.com",
                "https://login.microsoftonline.com",
            ),
            (
                Cloud::Usgov,
                "https://graph.microsoft.us",
                "https://login.microsoftonline.us",
            ),
            (
                Cloud::UsgovDod,
                "https://dod-graph.microsoft.us",
                "https://login.microsoftonline.us",
            ),
            (
                Cloud::China,
                "https://microsoftgraph.chinacloudapi.cn",
                "https://login.partner.microsoftonline.cn",
            ),
        ];
        for (cloud, graph, login) in table {
            assert_eq!(cloud.endpoints(), (graph, login), "{cloud:?}");
        }
        let cli = crate::cli::parse_from(["ep", "--cloud", "usgov-dod", "auth", "status"]).unwrap();
        let config = Config::from_args(&cli.global).unwrap();
        assert_eq!(
            config.graph_root.as_str(),
            "https://dod-graph.microsoft.us/"
        );
        assert_eq!(
            config.token_endpoint.authority_host,
            "https://login.microsoftonline.us"
        );
        assert_eq!(
            config.token_endpoint.scope,
            "https://dod-graph.microsoft.us/.default"
        );
    }

    #[test]
    fn every_profile_key_is_a_flag_with_the_environment_variable_it_claims() {
        use clap::CommandFactory;
        let command = crate::cli::Cli::command();
        let reprocess = command.find_subcommand("reprocess").unwrap();
        for key in file::Key::ALL {
            let Some(id) = arg_id(key) else {
                assert_eq!(key.env(), Some("AZURE_CLIENT_CERTIFICATE_PATH"));
                continue;
            };
            let arg = command
                .get_arguments()
                .chain(reprocess.get_arguments())
                .find(|a| a.get_id() == id)
                .unwrap_or_else(|| panic!("{key:?}: no argument {id}"));
            assert_eq!(
                arg.get_long(),
                Some(key.name()),
                "the key is the flag's name"
            );
            assert_eq!(
                arg.get_env().map(|e| e.to_string_lossy().into_owned()),
                key.env().map(str::to_string),
                "{key:?}"
            );
            assert_eq!(file::Key::parse(key.name()), Some(key));
        }
    }

    #[test]
    fn profile_values_are_checked_as_their_flags_check_them() {
        use file::Key;
        assert!(check_value(Key::Cloud, "usgov-dod").is_ok());
        assert!(
            check_value(Key::Cloud, "mars")
                .unwrap_err()
                .contains("global, usgov")
        );
        assert!(check_value(Key::Auth, "github-actions").is_ok());
        assert!(check_value(Key::Concurrency, "65").is_err());
        assert!(check_value(Key::Window, "7d").is_ok());
        assert!(check_value(Key::Window, "seven").is_err());
        assert!(check_value(Key::GraphUrl, "http://graph.contoso.com").is_err());
        assert!(check_value(Key::ClientId, "not-a-guid").is_err());
        assert!(check_value(Key::Tenant, "contoso.onmicrosoft.com").is_ok());
        assert!(check_value(Key::Tenant, "bad tenant").is_err());
        assert!(check_value(Key::ClientCertificatePath, "relative.pem").is_err());
    }

    #[test]
    fn given_tells_flags_from_defaults() {
        let cli = crate::cli::parse_from([
            "ep",
            "--cloud",
            "usgov",
            "requests",
            "list",
            "--all-packages",
            "--window",
            "7d",
        ])
        .unwrap();
        use crate::cli::ValueOrigin;
        assert_eq!(
            cli.global.given.origin("cloud"),
            Some(ValueOrigin::CommandLine)
        );
        assert_eq!(
            cli.global.given.origin("window"),
            Some(ValueOrigin::CommandLine)
        );
        assert_eq!(cli.global.given.origin("output"), None);
        assert_eq!(cli.global.given.origin("api_version"), None);
        let cli = crate::cli::parse_from([
            "ep",
            "requests",
            "list",
            "--all-packages",
            "--cloud",
            "china",
        ])
        .unwrap();
        assert_eq!(
            cli.global.given.origin("cloud"),
            Some(ValueOrigin::CommandLine)
        );
        assert_eq!(cli.global.given.origin("window"), None);
    }

    #[test]
    fn national_clouds() {
        assert_eq!(Cloud::Usgov.endpoints().0, "https://graph.microsoft.us");
        assert_eq!(
            Cloud::UsgovDod.endpoints().0,
            "https://dod-graph.microsoft.us"
        );
        assert_eq!(
            Cloud::China.endpoints().0,
            "https://microsoftgraph.chinacloudapi.cn"
        );
    }
}
