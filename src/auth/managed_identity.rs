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

    async fn once(&self, http: &reqwest::Client, url: &Url) -> Result<RawResponse, AuthError> {
        match &self.endpoint {
            Endpoint::AppService { header, .. } => {
                let request = http
                    .get(url.clone())
                    .header("X-IDENTITY-HEADER", header.expose());
                send(
                    NAME,
                    request,
                    "GET",
                    url.as_str(),
                    &[("X-IDENTITY-HEADER", header.expose())],
                    None,
                )
                .await
            }
            Endpoint::Imds { .. } => {
                let request = http.get(url.clone()).header("Metadata", "true");
                send(
                    NAME,
                    request,
                    "GET",
                    url.as_str(),
                    &[("Metadata", "true")],
                    None,
                )
                .await
            }
        }
    }
}

/// IMDS asks for a retry on 404 (identity not yet assigned), 410 (restarting), 429 and 5xx.
fn retryable(status: u16) -> bool {
    matches!(status, 404 | 410 | 429 | 500..=599)
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

#[async_trait]
impl TokenSource for ManagedIdentitySource {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn acquire(&self, _http: &reqwest::Client) -> Result<AccessToken, AuthError> {
        let http = local_client()?;
        let url = self.request_url();
        let mut attempt = 0;
        let raw = loop {
            attempt += 1;
            let raw = self.once(&http, &url).await?;
            if retryable(raw.status) && attempt < 3 {
                tokio::time::sleep(Duration::from_secs(attempt)).await;
                continue;
            }
            break raw;
        };
        if (200..300).contains(&raw.status) {
            let parsed: TokenResponse = serde_json::from_slice(&raw.body)
                .map_err(|_| AuthError::BadResponse { source_name: NAME })?;
            return Ok(parsed.access_token());
        }
        // IMDS answers OAuth-style errors; App Service `{"statusCode","message"}`.
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
}
