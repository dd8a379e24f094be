//! Managed identity, found the way azure-identity finds it: App Service style
//! (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`, also Functions and Container Apps), Azure Arc
//! (`IDENTITY_ENDPOINT` + `IMDS_ENDPOINT`), else the VM's Instance Metadata Service.

use super::http::{RawResponse, TokenResponse, first_line, send};
use super::{AccessToken, AuthError, Credentials, Secret, TokenEndpoint, TokenSource};
use async_trait::async_trait;
use std::net::IpAddr;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;
use url::Url;

const NAME: &str = "managed-identity";
/// The link-local IMDS address; only ever contacted when `--auth managed-identity` asks for it.
const IMDS_BASE: &str = "http://169.254.169.254";
const IMDS_PATH: &str = "/metadata/identity/oauth2/token";

/// An Azure Arc key is a few dozen bytes; the SDKs refuse files above this size, so that a
/// challenge naming some large file cannot make ep read (and send) it.
const ARC_KEY_MAX_BYTES: u64 = 4096;

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
    AppService {
        url: Url,
        header: Secret,
    },
    /// The Connected Machine agent's endpoint: a 401 challenge names a key file that only
    /// privileged local users can read, and its content is the credential.
    Arc {
        url: Url,
    },
    Imds {
        url: Url,
    },
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
        let ep = match (
            &creds.identity_endpoint,
            &creds.identity_header,
            &creds.imds_endpoint,
        ) {
            (Some(raw), Some(header), _) => Endpoint::AppService {
                url: local_url("IDENTITY_ENDPOINT", raw)?,
                header: header.clone(),
            },
            (Some(raw), None, Some(_)) => {
                if creds.client_id.is_some() {
                    return Err(AuthError::Incomplete {
                        method: NAME,
                        missing: "Azure Arc has only the machine's own (system-assigned) \
                                  identity: unset AZURE_CLIENT_ID"
                            .into(),
                    });
                }
                Endpoint::Arc {
                    url: local_url("IDENTITY_ENDPOINT", raw)?,
                }
            }
            (Some(_), None, None) => {
                return Err(AuthError::Incomplete {
                    method: NAME,
                    missing: "IDENTITY_ENDPOINT is set but neither IDENTITY_HEADER (App Service) \
                              nor IMDS_ENDPOINT (Azure Arc) is"
                        .into(),
                });
            }
            (None, _, imds) => {
                let base = imds.as_deref().unwrap_or(IMDS_BASE);
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
            Endpoint::Arc { url } => (url.clone(), "2020-06-01"),
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
    async fn once(
        &self,
        http: &reqwest::Client,
        url: &Url,
        arc_key: Option<&Secret>,
    ) -> Result<RawResponse, AuthError> {
        let basic = arc_key.map(|k| format!("Basic {}", k.expose()));
        let mut headers: Vec<(&str, &str)> = vec![("Metadata", "true")];
        if let Endpoint::AppService { header, .. } = &self.endpoint {
            headers.push(("X-IDENTITY-HEADER", header.expose()));
        }
        if let Some(basic) = &basic {
            headers.push(("Authorization", basic));
        }
        let request = headers
            .iter()
            .fold(http.get(url.clone()), |r, (k, v)| r.header(*k, *v));
        // `send` shows these at -vv with the credential headers redacted by name.
        send(NAME, request, "GET", url.as_str(), &headers, None).await
    }

    /// IMDS asks for a retry on 404 (identity not yet assigned) and 410 (being updated), and
    /// the Arc agent stands in for IMDS on its machine; every endpoint may answer 429 or a 5xx
    /// for a moment.
    fn retryable(&self, status: u16) -> bool {
        match self.endpoint {
            Endpoint::Imds { .. } | Endpoint::Arc { .. } => {
                matches!(status, 404 | 410 | 429 | 500..=599)
            }
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
        arc_key: Option<&Secret>,
        contacted: &mut bool,
    ) -> Result<RawResponse, AuthError> {
        let mut waits = retry_schedule().into_iter();
        loop {
            let result = self.once(http, url, arc_key).await;
            let asked = match &result {
                Ok(raw) => {
                    *contacted = true;
                    if !self.retryable(raw.status) {
                        return result;
                    }
                    raw.headers
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(crate::http::parse_retry_after)
                }
                Err(AuthError::Unreachable { .. }) if *contacted => None,
                Err(_) => return result,
            };
            let Some(scheduled) = waits.next() else {
                return result;
            };
            let wait = asked.map_or(scheduled, |a| a.min(RETRY_AFTER_MAX));
            // An updating IMDS can keep a run quiet for a minute: -v says why.
            crate::diag::trace(
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

/// Where the Connected Machine agent writes its keys, as Azure documents it.
fn documented_arc_key_dir() -> Result<PathBuf, AuthError> {
    if cfg!(windows) {
        let data = std::env::var_os("ProgramData")
            .filter(|d| !d.is_empty())
            .ok_or_else(|| AuthError::Incomplete {
                method: NAME,
                missing: "Azure Arc keeps its keys under %ProgramData%, which is not set".into(),
            })?;
        Ok(PathBuf::from(data)
            .join("AzureConnectedMachineAgent")
            .join("Tokens"))
    } else if cfg!(target_os = "linux") {
        Ok(PathBuf::from("/var/opt/azcmagent/tokens"))
    } else {
        Err(AuthError::Incomplete {
            method: NAME,
            missing: "Azure Arc managed identity exists only on Linux and Windows".into(),
        })
    }
}

/// The only directory an Azure Arc key is read from.
fn arc_key_dir() -> Result<PathBuf, AuthError> {
    // Tests cannot write to the agent's directory, so debug builds (what `cargo test` runs)
    // may name another one. Release builds compile this out and always use the documented
    // directory: otherwise whoever sets the environment could widen what ep agrees to read.
    #[cfg(debug_assertions)]
    {
        if let Some(dir) = std::env::var_os("EP_TEST_ARC_KEY_DIR").filter(|d| !d.is_empty()) {
            return Ok(PathBuf::from(dir));
        }
    }
    documented_arc_key_dir()
}

/// `Basic realm=<path>` → the path.
fn challenge_realm(header: &str) -> Option<&str> {
    let (scheme, rest) = header.trim().split_once(' ')?;
    let (name, value) = rest.trim().split_once('=')?;
    if !scheme.eq_ignore_ascii_case("basic") || !name.trim().eq_ignore_ascii_case("realm") {
        return None;
    }
    let value = value.trim();
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    (!value.is_empty()).then_some(value)
}

/// A path from a server, made safe to print on one line.
fn shown_path(path: &Path) -> String {
    path.display()
        .to_string()
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// The key Azure Arc's 401 challenge points at. The path comes from whatever answers on the
/// endpoint's port, and the file's content is sent back to it, so a path is only opened once
/// it names a regular `.key` file directly in the agent's directory: never a symlink, never
/// anything larger than a key.
fn arc_key(challenge: &RawResponse, dir: &Path) -> Result<Secret, AuthError> {
    let realm = challenge
        .headers
        .get(reqwest::header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .and_then(challenge_realm)
        .ok_or_else(|| AuthError::Rejected {
            source_name: NAME,
            status: challenge.status,
            error: "unauthorized".into(),
            description: "the Azure Arc challenge names no key file \
                          (WWW-Authenticate: Basic realm=<path>)"
                .into(),
        })?;
    read_arc_key(Path::new(realm), dir)
}

fn read_arc_key(path: &Path, dir: &Path) -> Result<Secret, AuthError> {
    use std::io::Read;
    let refuse = |detail: String| AuthError::File {
        source_name: NAME,
        path: shown_path(path),
        detail,
    };
    let inside = path.is_absolute()
        && !path.components().any(|c| matches!(c, Component::ParentDir))
        && path.parent() == Some(dir);
    if !inside {
        return Err(refuse(format!(
            "Azure Arc named a key file outside {}; not read",
            shown_path(dir)
        )));
    }
    if path.extension().is_none_or(|e| e != "key") {
        return Err(refuse(
            "Azure Arc named a file that is not a .key file; not read".into(),
        ));
    }
    let checked = std::fs::symlink_metadata(path)
        .map_err(|e| refuse(format!("cannot read the Azure Arc key: {e}")))?;
    if !checked.file_type().is_file() {
        return Err(refuse(
            "the Azure Arc key is not a regular file (a symlink or a directory); not read".into(),
        ));
    }
    if checked.len() > ARC_KEY_MAX_BYTES {
        return Err(refuse(format!(
            "the Azure Arc key is larger than {ARC_KEY_MAX_BYTES} bytes; not read"
        )));
    }
    let file = std::fs::File::open(path)
        .map_err(|e| refuse(format!("cannot read the Azure Arc key: {e}")))?;
    same_file(&checked, &file)
        .map_err(|_| refuse("the Azure Arc key was replaced while being read; not read".into()))?;
    let mut bytes = Vec::new();
    file.take(ARC_KEY_MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| refuse(format!("cannot read the Azure Arc key: {e}")))?;
    if bytes.len() as u64 > ARC_KEY_MAX_BYTES {
        return Err(refuse(format!(
            "the Azure Arc key is larger than {ARC_KEY_MAX_BYTES} bytes; not read"
        )));
    }
    let key = String::from_utf8(bytes)
        .ok()
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty() && !k.chars().any(char::is_control))
        .ok_or_else(|| refuse("the Azure Arc key is empty or not text".into()))?;
    Ok(Secret::new(key))
}

/// Whether `opened` is the file `checked` described: a swap between the check and the open
/// (a symlink put in its place) must not slip through.
#[cfg(unix)]
fn same_file(checked: &std::fs::Metadata, opened: &std::fs::File) -> Result<(), ()> {
    use std::os::unix::fs::MetadataExt;
    let now = opened.metadata().map_err(|_| ())?;
    if now.is_file() && now.dev() == checked.dev() && now.ino() == checked.ino() {
        Ok(())
    } else {
        Err(())
    }
}

#[cfg(not(unix))]
fn same_file(_checked: &std::fs::Metadata, opened: &std::fs::File) -> Result<(), ()> {
    match opened.metadata() {
        Ok(m) if m.is_file() => Ok(()),
        _ => Err(()),
    }
}

/// A token from a 2xx answer; else the endpoint's error. IMDS and Arc answer OAuth-style
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
        let mut raw = self.get(&http, &url, None, &mut contacted).await?;
        if matches!(self.endpoint, Endpoint::Arc { .. }) && raw.status == 401 {
            let key = arc_key(&raw, &arc_key_dir()?)?;
            raw = self.get(&http, &url, Some(&key), &mut contacted).await?;
        }
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
    fn both_endpoint_variables_without_a_header_are_azure_arc() {
        let mut creds = Credentials {
            identity_endpoint: Some("http://localhost:40342/metadata/identity/oauth2/token".into()),
            imds_endpoint: Some("http://localhost:40342".into()),
            ..Credentials::default()
        };
        let source = ManagedIdentitySource::from_credentials(&creds, &endpoint()).unwrap();
        assert!(matches!(source.endpoint, Endpoint::Arc { .. }));
        let url = source.request_url();
        assert_eq!(url.port(), Some(40342));
        assert!(url.as_str().contains("api-version=2020-06-01"), "{url}");
        // Arc has no user-assigned identities; asking for one is refused, not ignored.
        creds.client_id = Some("uai".into());
        let err = ManagedIdentitySource::from_credentials(&creds, &endpoint())
            .err()
            .unwrap();
        assert!(err.to_string().contains("AZURE_CLIENT_ID"), "{err}");
        // A header makes it App Service, whatever IMDS_ENDPOINT says.
        creds.identity_header = Some(Secret::new("h"));
        let source = ManagedIdentitySource::from_credentials(&creds, &endpoint()).unwrap();
        assert!(matches!(source.endpoint, Endpoint::AppService { .. }));
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

    #[test]
    fn the_challenge_realm_is_the_key_path() {
        assert_eq!(
            challenge_realm("Basic realm=/var/opt/azcmagent/tokens/abc.key"),
            Some("/var/opt/azcmagent/tokens/abc.key")
        );
        assert_eq!(
            challenge_realm(r#"basic realm="C:\ProgramData\a=b.key""#),
            Some(r"C:\ProgramData\a=b.key")
        );
        assert_eq!(challenge_realm("Bearer realm=/x.key"), None);
        assert_eq!(challenge_realm("Basic realm="), None);
        assert_eq!(challenge_realm("Basic"), None);
        let no_challenge = RawResponse {
            status: 401,
            headers: reqwest::header::HeaderMap::new(),
            body: bytes::Bytes::new(),
        };
        let err = arc_key(&no_challenge, Path::new("/var/opt/azcmagent/tokens"))
            .err()
            .unwrap();
        assert!(err.to_string().contains("names no key file"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn only_a_small_regular_key_file_in_the_agents_directory_is_read() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("tokens");
        std::fs::create_dir(&dir).unwrap();
        let good = dir.join("1234.key");
        std::fs::write(&good, "s3cret-key\n").unwrap();
        assert_eq!(read_arc_key(&good, &dir).unwrap().expose(), "s3cret-key");

        let elsewhere = tmp.path().join("other.key");
        std::fs::write(&elsewhere, "x").unwrap();
        let refused = |path: &Path| match read_arc_key(path, &dir) {
            Err(AuthError::File { detail, .. }) => detail,
            other => panic!("{path:?} was not refused as a file: {other:?}"),
        };
        assert!(refused(&elsewhere).contains("outside"));
        assert!(refused(&dir.join("..").join("other.key")).contains("outside"));
        assert!(refused(&dir.join("sub").join("a.key")).contains("outside"));
        assert!(refused(Path::new("1234.key")).contains("outside"));

        let not_key = dir.join("1234.txt");
        std::fs::write(&not_key, "x").unwrap();
        assert!(refused(&not_key).contains(".key"));

        let link = dir.join("link.key");
        std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
        assert!(refused(&link).contains("not a regular file"));

        let subdir = dir.join("d.key");
        std::fs::create_dir(&subdir).unwrap();
        assert!(refused(&subdir).contains("not a regular file"));

        let big = dir.join("big.key");
        std::fs::write(&big, "k".repeat(4097)).unwrap();
        assert!(refused(&big).contains("4096"));
        let just_fits = dir.join("fits.key");
        std::fs::write(&just_fits, "k".repeat(4096)).unwrap();
        assert_eq!(read_arc_key(&just_fits, &dir).unwrap().expose().len(), 4096);

        assert!(refused(&dir.join("missing.key")).contains("cannot read"));
        let empty = dir.join("empty.key");
        std::fs::write(&empty, "").unwrap();
        assert!(refused(&empty).contains("empty"));
    }

    #[test]
    fn release_builds_use_the_documented_directory() {
        if cfg!(target_os = "linux") {
            assert_eq!(
                documented_arc_key_dir().unwrap(),
                PathBuf::from("/var/opt/azcmagent/tokens")
            );
        }
    }
}
