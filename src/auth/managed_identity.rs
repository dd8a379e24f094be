//! Managed identity: App Service style (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`, also Functions
//! and Container Apps), else the VM's Instance Metadata Service.

use super::http::{RawResponse, TokenResponse, first_line, send};
use super::{AccessToken, AuthError, Credentials, Secret, TokenEndpoint, TokenSource};
use async_trait::async_trait;
use std::net::IpAddr;
use std::time::Duration;
use url::Url;

const NAME: &str = "managed-identity";
/// The link-local IMDS address; only ever contacted when `--auth managed-identity` asks for it.
const IMDS_BASE: &str = "http://169.254.169.254";
const IMDS_PATH: &str = "/metadata/identity/oauth2/token";

/// The first wait after a retryable answer. Short, because a 429 or a blip usually clears fast.
const RETRY_FIRST_WAIT: Duration = Duration::from_millis(500);
/// Waits double up to this, then stay there.
const RETRY_MAX_WAIT: Duration = Duration::from_secs(30);
/// IMDS answers 410 while it is being updated and documents that it is "available within 70
/// seconds"; like azure-identity, ep keeps retrying at least that long before giving up.
const RETRY_AT_LEAST: Duration = Duration::from_secs(70);
/// A `Retry-After` is followed, but only up to this: a bad header must not park a run.
const RETRY_AFTER_MAX: Duration = Duration::from_secs(60);

enum Endpoint {
    AppService { url: Url, header: Secret },
    Imds { url: Url },
}

pub struct ManagedIdentitySource {
    endpoint: Endpoint,
    resource: String,
    /// User-assigned identity: `AZURE_CLIENT_ID`.
    client_id: Option<String>,
}

fn bad_endpoint(what: &str, raw: &str, why: &str) -> AuthError {
    AuthError::Incomplete {
        method: NAME,
        missing: format!("{what} '{raw}' {why}"),
    }
}

/// These endpoints are local to the machine: plain http is expected, but only to loopback or
/// the IMDS link-local address, never across a network.
fn local_url(what: &str, raw: &str) -> Result<Url, AuthError> {
    let url = Url::parse(raw.trim()).map_err(|_| bad_endpoint(what, raw, "is not a URL"))?;
    let local = match url.host() {
        Some(url::Host::Ipv4(ip)) => {
            IpAddr::V4(ip).is_loopback() || ip == std::net::Ipv4Addr::new(169, 254, 169, 254)
        }
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if local => Ok(url),
        _ => Err(bad_endpoint(
            what,
            raw,
            "must be https, or http to loopback or 169.254.169.254",
        )),
    }
}

impl ManagedIdentitySource {
    pub fn from_credentials(
        creds: &Credentials,
        endpoint: &TokenEndpoint,
    ) -> Result<Self, AuthError> {
        let ep = match (&creds.identity_endpoint, &creds.identity_header) {
            (Some(raw), Some(header)) => Endpoint::AppService {
                url: local_url("IDENTITY_ENDPOINT", raw)?,
                header: header.clone(),
            },
            (Some(_), None) => {
                return Err(AuthError::Incomplete {
                    method: NAME,
                    missing: "IDENTITY_ENDPOINT is set but IDENTITY_HEADER is not".into(),
                });
            }
            (None, _) => {
                let base = creds.imds_endpoint.as_deref().unwrap_or(IMDS_BASE);
                let mut url = local_url("IMDS_ENDPOINT", base)?;
                url.set_path(IMDS_PATH);
                Endpoint::Imds { url }
            }
        };
        Ok(ManagedIdentitySource {
            endpoint: ep,
            resource: endpoint.resource().to_string(),
            client_id: creds.client_id.clone(),
        })
    }

    fn request_url(&self) -> Url {
        let (mut url, version) = match &self.endpoint {
            Endpoint::AppService { url, .. } => (url.clone(), "2019-08-01"),
            Endpoint::Imds { url } => (url.clone(), "2018-02-01"),
        };
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("api-version", version);
            q.append_pair("resource", &self.resource);
            if let Some(id) = &self.client_id {
                q.append_pair("client_id", id);
            }
        }
        url
    }

    /// One GET. `Metadata: true` goes everywhere: the endpoints use it to tell a local client
    /// from a request forwarded by a server-side request forgery, and App Service accepts it.
    async fn once(&self, http: &reqwest::Client, url: &Url) -> Result<RawResponse, AuthError> {
        let mut headers: Vec<(&str, &str)> = vec![("Metadata", "true")];
        if let Endpoint::AppService { header, .. } = &self.endpoint {
            headers.push(("X-IDENTITY-HEADER", header.expose()));
        }
        let request = headers
            .iter()
            .fold(http.get(url.clone()), |r, (k, v)| r.header(*k, *v));
        // `send` shows these at -vv with the credential headers redacted by name.
        send(NAME, request, "GET", url.as_str(), &headers, None).await
    }

    /// IMDS asks for a retry on 404 (identity not yet assigned) and 410 (being updated); every
    /// endpoint may answer 429 or a 5xx for a moment.
    fn retryable(&self, status: u16) -> bool {
        match self.endpoint {
            Endpoint::Imds { .. } => matches!(status, 404 | 410 | 429 | 500..=599),
            Endpoint::AppService { .. } => matches!(status, 408 | 429 | 500..=599),
        }
    }

    /// [`once`](Self::once), retried on [`retry_schedule`]. A connection failure is only
    /// retried once the endpoint has answered something (`contacted`): off Azure nothing
    /// listens at the IMDS address, and the first probe must fail fast instead of waiting a
    /// minute for a service that does not exist.
    async fn get(
        &self,
        http: &reqwest::Client,
        url: &Url,
        contacted: &mut bool,
    ) -> Result<RawResponse, AuthError> {
        let mut waits = retry_schedule().into_iter();
        loop {
            let result = self.once(http, url).await;
            let asked = match &result {
                Ok(raw) => {
                    *contacted = true;
                    if !self.retryable(raw.status) {
                        return result;
                    }
                    raw.headers
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(crate::graph::parse_retry_after)
                }
                Err(AuthError::Unreachable { .. }) if *contacted => None,
                Err(_) => return result,
            };
            let Some(scheduled) = waits.next() else {
                return result;
            };
            let wait = asked.map_or(scheduled, |a| a.min(RETRY_AFTER_MAX));
            // An updating IMDS can keep a run quiet for a minute: -v says why.
            crate::output::diag::trace(
                1,
                format!("{NAME}: retrying in {:.1} s", wait.as_secs_f64()),
            );
            tokio::time::sleep(wait).await;
        }
    }
}

/// The waits between attempts: doubling from [`RETRY_FIRST_WAIT`] up to [`RETRY_MAX_WAIT`]
/// until they add up to [`RETRY_AT_LEAST`]. No jitter: each machine has its own endpoint, so
/// there is no crowd of clients to spread out.
fn retry_schedule() -> Vec<Duration> {
    let mut waits = Vec::new();
    let mut next = RETRY_FIRST_WAIT;
    let mut total = Duration::ZERO;
    while total < RETRY_AT_LEAST {
        waits.push(next);
        total += next;
        next = next.saturating_mul(2).min(RETRY_MAX_WAIT);
    }
    waits
}

/// Off Azure nothing answers at 169.254.169.254; fail in seconds, not after the Graph client's
/// ten. IMDS is also documented as unsupported behind a proxy.
fn local_client() -> Result<reqwest::Client, AuthError> {
    reqwest::Client::builder()
        .user_agent(concat!("ep/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(30))
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| AuthError::Unreachable {
            source_name: NAME,
            url: String::new(),
            detail: e.to_string(),
        })
}

/// A token from a 2xx answer; else the endpoint's error. IMDS answers OAuth-style
/// errors, App Service `{"statusCode","message"}`.
fn token_from(raw: RawResponse) -> Result<AccessToken, AuthError> {
    if (200..300).contains(&raw.status) {
        let parsed: TokenResponse = serde_json::from_slice(&raw.body)
            .ok()
            .filter(|t: &TokenResponse| !t.access_token.trim().is_empty())
            .ok_or(AuthError::BadResponse { source_name: NAME })?;
        return Ok(parsed.access_token());
    }
    let body: serde_json::Value = serde_json::from_slice(&raw.body).unwrap_or_default();
    let text = |k: &str| body.get(k).and_then(|v| v.as_str()).map(str::to_string);
    Err(AuthError::Rejected {
        source_name: NAME,
        status: raw.status,
        error: text("error").unwrap_or_else(|| format!("HTTP {}", raw.status)),
        description: first_line(
            &text("error_description")
                .or_else(|| text("message"))
                .or_else(|| text("Message"))
                .unwrap_or_default(),
        ),
    })
}

#[async_trait]
impl TokenSource for ManagedIdentitySource {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn acquire(&self, _http: &reqwest::Client) -> Result<AccessToken, AuthError> {
        let http = local_client()?;
        let url = self.request_url();
        let mut contacted = false;
        let raw = self.get(&http, &url, &mut contacted).await?;
        token_from(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint() -> TokenEndpoint {
        TokenEndpoint {
            authority_host: "https://login.microsoftonline.us".into(),
            scope: "https://graph.microsoft.us/.default".into(),
        }
    }

    #[test]
    fn imds_by_default_with_the_clouds_resource() {
        let source =
            ManagedIdentitySource::from_credentials(&Credentials::default(), &endpoint()).unwrap();
        let url = source.request_url();
        assert_eq!(url.host_str(), Some("169.254.169.254"));
        assert_eq!(url.path(), IMDS_PATH);
        let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert!(q.contains(&("api-version".into(), "2018-02-01".into())));
        assert!(q.contains(&("resource".into(), "https://graph.microsoft.us".into())));
    }

    #[test]
    fn app_service_with_a_user_assigned_identity() {
        let creds = Credentials {
            identity_endpoint: Some("http://127.0.0.1:41000/msi/token".into()),
            identity_header: Some(Secret::new("h")),
            client_id: Some("uai".into()),
            ..Credentials::default()
        };
        let source = ManagedIdentitySource::from_credentials(&creds, &endpoint()).unwrap();
        let url = source.request_url();
        assert_eq!(url.path(), "/msi/token");
        assert!(url.as_str().contains("api-version=2019-08-01"));
        assert!(url.as_str().contains("client_id=uai"));
    }

    #[test]
    fn plain_http_elsewhere_is_refused() {
        let creds = Credentials {
            imds_endpoint: Some("http://10.0.0.1".into()),
            ..Credentials::default()
        };
        assert!(ManagedIdentitySource::from_credentials(&creds, &endpoint()).is_err());
        let creds = Credentials {
            identity_endpoint: Some("http://127.0.0.1:1/msi/token".into()),
            ..Credentials::default()
        };
        assert!(ManagedIdentitySource::from_credentials(&creds, &endpoint()).is_err());
    }

    #[test]
    fn the_retry_schedule_outlasts_an_imds_update() {
        let waits = retry_schedule();
        let total: Duration = waits.iter().sum();
        assert!(total >= RETRY_AT_LEAST, "{total:?}");
        assert!(total >= Duration::from_secs(70), "{total:?}");
        // Short at first, so a brief hiccup costs little; never longer than the cap.
        assert!(waits[0] <= Duration::from_secs(1), "{waits:?}");
        assert!(waits.windows(2).all(|w| w[0] <= w[1]), "{waits:?}");
        assert!(waits.iter().all(|w| *w <= RETRY_MAX_WAIT), "{waits:?}");
        // ...and not absurdly long either: the last wait is what pushed it past the minimum.
        assert!(total - *waits.last().unwrap() < RETRY_AT_LEAST, "{waits:?}");
    }
}
