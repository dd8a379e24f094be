//! Flags + environment + cloud → one validated [`Config`] that the rest of ep takes.

use crate::auth::{AuthMethod, Credentials, Secret, TokenEndpoint};
use crate::cli::GlobalArgs;
use crate::error::CliError;
use crate::graph::{ApiVersion, RetryPolicy};
use crate::output::{Format, Style};
use std::io::IsTerminal;
use std::net::IpAddr;
use url::Url;

/// `--cloud`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Cloud {
    Global,
    Usgov,
    UsgovDod,
    China,
}

impl Cloud {
    /// Graph host and login host (graph-api.md §7.4).
    pub fn endpoints(self) -> (&'static str, &'static str) {
        match self {
            Cloud::Global => (
                "https://graph.microsoft.com",
                "https://login.microsoftonline.com",
            ),
            Cloud::Usgov => (
                "https://graph.microsoft.us",
                "https://login.microsoftonline.us",
            ),
            Cloud::UsgovDod => (
                "https://dod-graph.microsoft.us",
                "https://login.microsoftonline.us",
            ),
            // Entra's national-cloud page names login.partner.microsoftonline.cn; the Azure CLI
            // and Graph deployment page use login.chinacloudapi.cn. Both serve 21Vianet tenants;
            // --authority-host picks the other when a tenant needs it.
            Cloud::China => (
                "https://microsoftgraph.chinacloudapi.cn",
                "https://login.partner.microsoftonline.cn",
            ),
        }
    }
}

#[derive(Debug)]
pub struct Config {
    pub graph_root: Url,
    pub api_version: ApiVersion,
    pub legacy_beta_path: bool,
    pub auth: AuthMethod,
    pub credentials: Credentials,
    pub token_endpoint: TokenEndpoint,
    pub format: Format,
    pub style: Style,
    /// stdin and stderr are a terminal: prompts and pickers are possible.
    pub interactive: bool,
    pub retry: RetryPolicy,
    pub concurrency: usize,
    pub batch: bool,
}

impl Config {
    pub fn from_args(args: &GlobalArgs) -> Result<Config, CliError> {
        let (cloud_graph, cloud_login) = args.cloud.endpoints();
        let graph_root = match &args.graph_url {
            Some(raw) => checked_url(raw, "--graph-url / EP_GRAPH_URL")?,
            None => checked_url(cloud_graph, "the cloud's Graph host")?,
        };
        let authority = match &args.authority_host {
            Some(raw) => checked_url(raw, "--authority-host / AZURE_AUTHORITY_HOST")?,
            None => checked_url(cloud_login, "the cloud's login host")?,
        };
        let credentials = Credentials {
            access_token: env_secret("EP_ACCESS_TOKEN"),
            tenant_id: args.tenant.clone().filter(|t| !t.trim().is_empty()),
            client_id: args.client_id.clone().filter(|c| !c.trim().is_empty()),
            client_secret: env_secret("AZURE_CLIENT_SECRET"),
        };
        let no_color = args.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Ok(Config {
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
            format: args.output,
            style: Style {
                color: !no_color && std::io::stdout().is_terminal(),
            },
            interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
            retry: RetryPolicy {
                max_attempts: args.retries.saturating_add(1),
                ..RetryPolicy::default()
            },
            concurrency: usize::from(args.concurrency),
            batch: !args.no_batch,
        })
    }
}

fn env_secret(name: &str) -> Option<Secret> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(|v| Secret::new(v.trim().to_string()))
}

/// A Graph or login URL: absolute http(s), no query or fragment, and `https` unless the host is
/// loopback — a bearer token or client secret must never cross a network in clear text.
pub fn checked_url(raw: &str, what: &str) -> Result<Url, CliError> {
    let url = Url::parse(raw.trim()).map_err(|e| {
        CliError::usage(format!("{what}: '{raw}' is not a URL ({e})"))
            .with_hint("write it as https://host, e.g. https://graph.microsoft.com")
    })?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(CliError::usage(format!(
                "{what}: '{raw}' uses plain http to a non-loopback host"
            ))
            .with_hint("use https; plain http is allowed only for 127.0.0.1, ::1 and localhost"));
        }
        other => {
            return Err(CliError::usage(format!(
                "{what}: '{raw}' has scheme '{other}', expected https"
            ))
            .with_hint("write it as https://host"));
        }
    }
    if url.host().is_none() {
        return Err(CliError::usage(format!("{what}: '{raw}' has no host")));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(CliError::usage(format!(
            "{what}: '{raw}' must not have a query or fragment"
        )));
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
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
    fn not_a_url_is_a_usage_error_with_a_hint() {
        let err = checked_url("graph.microsoft.com", "--graph-url").unwrap_err();
        assert_eq!(err.status, crate::error::ExitStatus::Usage);
        assert!(err.hint.is_some());
        assert!(checked_url("ftp://x", "x").is_err());
        assert!(checked_url("https://x/?a=b", "x").is_err());
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
