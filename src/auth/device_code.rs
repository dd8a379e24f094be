//! `ep auth login`: the device-code flow for a person, with its tokens kept in a file that only
//! the owner can read, refreshed silently by later runs; `ep auth logout` forgets them.

use super::client_secret::endpoint_url;
use super::http::{TokenResponse, post_form};
use super::{AccessToken, AuthError, Credentials, Secret, TokenEndpoint, TokenSource};
use crate::diag;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const NAME: &str = "device-code";
const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// Without `--tenant` a work or school account of any tenant may sign in.
const ANY_ORGANIZATION: &str = "organizations";
/// A cached access token this close to expiry is refreshed instead of used.
const REUSE_MARGIN_SECS: i64 = 120;

/// What `ep auth login` saves. Tokens are plain strings here only because the file is the
/// credential store; they never leave this module except as [`Secret`]s.
#[derive(Serialize, Deserialize)]
struct CacheFile {
    version: u32,
    authority_host: String,
    tenant: String,
    client_id: String,
    scope: String,
    access_token: String,
    /// POSIX seconds.
    expires_on: i64,
    refresh_token: Option<String>,
}

struct Settings {
    cache_path: PathBuf,
    client_id: String,
    tenant: Option<String>,
    authority_host: String,
    scope: String,
}

fn settings(creds: &Credentials, endpoint: &TokenEndpoint) -> Result<Settings, AuthError> {
    let client_id = creds.client_id.clone().ok_or(AuthError::Incomplete {
        method: NAME,
        missing: "no app registration to sign in with: run 'ep auth setup' once (it registers \
                  ep in your tenant and signs you in), or set AZURE_CLIENT_ID to your own app \
                  with public client flows allowed"
            .into(),
    })?;
    let cache_path = creds
        .token_cache_path
        .clone()
        .ok_or(AuthError::Incomplete {
            method: NAME,
            missing: "no config directory for the login cache: set XDG_CONFIG_HOME or HOME".into(),
        })?;
    Ok(Settings {
        cache_path,
        client_id,
        tenant: creds.tenant_id.clone(),
        authority_host: endpoint.authority_host.clone(),
        scope: endpoint.scope.clone(),
    })
}

fn cache_error(path: &Path, detail: impl Into<String>) -> AuthError {
    AuthError::File {
        source_name: NAME,
        path: path.display().to_string(),
        detail: detail.into(),
    }
}

/// Replace the cache file. The new file is created owner-only (0600) before any byte is
/// written and renamed over the old one, so the tokens are never readable by others, not even
/// briefly, and a crash leaves the old file or the new one, not half of one.
fn save(path: &Path, cache: &CacheFile) -> Result<(), AuthError> {
    use std::io::Write;
    let json = serde_json::to_vec_pretty(cache).map_err(|e| cache_error(path, e.to_string()))?;
    if let Some(dir) = path.parent() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(dir)
            .map_err(|e| cache_error(dir, e.to_string()))?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let result = options.open(&tmp).and_then(|mut file| {
        file.write_all(&json)?;
        file.sync_all()
    });
    if let Err(e) = result.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(cache_error(path, e.to_string()));
    }
    Ok(())
}

fn load(path: &Path) -> Result<Option<CacheFile>, AuthError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(cache_error(path, e.to_string())),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.permissions().mode() & 0o077 != 0 {
                diag::warn(format!(
                    "{} is readable by others; it holds your sign-in: chmod 600 it, or 'ep auth logout'",
                    path.display()
                ));
            }
        }
    }
    let cache: CacheFile =
        serde_json::from_slice(&bytes).map_err(|_| cache_error(path, "not an ep login cache"))?;
    crate::redact::register_secret(&cache.access_token);
    if let Some(refresh) = &cache.refresh_token {
        crate::redact::register_secret(refresh);
    }
    Ok(Some(cache))
}

fn now_unix() -> i64 {
    chrono::Utc::now().timestamp()
}

fn instant_of(unix: i64) -> Instant {
    Instant::now() + Duration::from_secs((unix - now_unix()).max(0) as u64)
}

fn with_offline_access(scope: &str) -> String {
    format!("{scope} offline_access")
}

pub struct DeviceCodeSource {
    settings: Settings,
}

impl DeviceCodeSource {
    pub fn from_credentials(
        creds: &Credentials,
        endpoint: &TokenEndpoint,
    ) -> Result<Self, AuthError> {
        Ok(DeviceCodeSource {
            settings: settings(creds, endpoint)?,
        })
    }

    /// The cached login, if it was made for this app, cloud and (when given) tenant.
    fn cached(&self) -> Result<CacheFile, AuthError> {
        let s = &self.settings;
        let cache = load(&s.cache_path)?.ok_or(AuthError::NotSignedIn)?;
        let tenant_ok = match &s.tenant {
            Some(t) => cache.tenant.eq_ignore_ascii_case(t) || cache.tenant == ANY_ORGANIZATION,
            None => true,
        };
        if cache.client_id.eq_ignore_ascii_case(&s.client_id)
            && cache.authority_host == s.authority_host
            && cache.scope == s.scope
            && tenant_ok
        {
            Ok(cache)
        } else {
            Err(AuthError::NotSignedIn)
        }
    }
}

fn remember(
    settings: &Settings,
    tenant: &str,
    response: &TokenResponse,
    old_refresh: Option<String>,
) -> Result<AccessToken, AuthError> {
    let token = response.access_token();
    let lifetime = response.lifetime().unwrap_or(Duration::from_secs(3600));
    save(
        &settings.cache_path,
        &CacheFile {
            version: 1,
            authority_host: settings.authority_host.clone(),
            tenant: tenant.to_string(),
            client_id: settings.client_id.clone(),
            scope: settings.scope.clone(),
            access_token: response.access_token.clone(),
            expires_on: now_unix() + lifetime.as_secs() as i64,
            // The identity platform may rotate the refresh token; keep the old one otherwise.
            refresh_token: response.refresh_token.clone().or(old_refresh),
        },
    )?;
    Ok(token)
}

#[async_trait]
impl TokenSource for DeviceCodeSource {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn acquire(&self, http: &reqwest::Client) -> Result<AccessToken, AuthError> {
        let cache = self.cached()?;
        if cache.expires_on > now_unix() + REUSE_MARGIN_SECS {
            diag::trace(
                1,
                format!(
                    "{NAME}: using the cached token from {}",
                    self.settings.cache_path.display()
                ),
            );
            return Ok(AccessToken {
                token: Secret::new(cache.access_token),
                expires_at: Some(instant_of(cache.expires_on)),
            });
        }
        let Some(refresh) = cache.refresh_token.clone() else {
            return Err(AuthError::NotSignedIn);
        };
        let url = endpoint_url(&self.settings.authority_host, &cache.tenant, "token");
        let scope = with_offline_access(&self.settings.scope);
        let response = post_form(
            http,
            NAME,
            &url,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &self.settings.client_id),
                ("refresh_token", &refresh),
                ("scope", &scope),
            ],
        )
        .await?;
        remember(&self.settings, &cache.tenant, &response, Some(refresh))
    }
}

#[derive(Deserialize)]
struct DeviceCodeResponse {
    device_code: String,
    message: String,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
    #[serde(default)]
    interval: Option<serde_json::Value>,
}

fn seconds(v: &Option<serde_json::Value>, default: u64) -> u64 {
    match v {
        Some(serde_json::Value::Number(n)) => n.as_u64().unwrap_or(default),
        Some(serde_json::Value::String(s)) => s.parse().unwrap_or(default),
        _ => default,
    }
}

/// What `ep auth login` reports.
pub struct LoginOutcome {
    pub cache_path: PathBuf,
    pub expires_at: Instant,
}

/// Run the device-code flow: show the service's message (with the code) on stderr, poll until the
/// person finishes or the code expires, and save the tokens.
pub async fn login(
    creds: &Credentials,
    endpoint: &TokenEndpoint,
    http: &reqwest::Client,
) -> Result<LoginOutcome, AuthError> {
    let settings = settings(creds, endpoint)?;
    let tenant = settings
        .tenant
        .clone()
        .unwrap_or_else(|| ANY_ORGANIZATION.to_string());
    let code = request_device_code(&settings, &tenant, http).await?;
    diag::prompt(&code.message);
    let response = poll_for_token(&settings, &tenant, &code, http).await?;
    let token = remember(&settings, &tenant, &response, None)?;
    Ok(LoginOutcome {
        cache_path: settings.cache_path,
        expires_at: token.expires_at.unwrap_or_else(Instant::now),
    })
}

/// Ask the `devicecode` endpoint for a code and the message that tells the person what to do.
async fn request_device_code(
    settings: &Settings,
    tenant: &str,
    http: &reqwest::Client,
) -> Result<DeviceCodeResponse, AuthError> {
    let scope = with_offline_access(&settings.scope);
    let url = endpoint_url(&settings.authority_host, tenant, "devicecode");
    let raw = super::http::send(
        NAME,
        http.post(&url).form(&[
            ("client_id", settings.client_id.as_str()),
            ("scope", &scope),
        ]),
        "POST",
        &url,
        &[],
        Some(&[
            ("client_id", settings.client_id.as_str()),
            ("scope", &scope),
        ]),
    )
    .await?;
    if !(200..300).contains(&raw.status) {
        // Same error shape as the token endpoint.
        return Err(super::http::parse_token_response(NAME, &raw)
            .err()
            .unwrap_or(AuthError::BadResponse { source_name: NAME }));
    }
    let code: DeviceCodeResponse = serde_json::from_slice(&raw.body)
        .map_err(|_| AuthError::BadResponse { source_name: NAME })?;
    crate::redact::register_secret(&code.device_code);
    Ok(code)
}

/// Poll the token endpoint at the service's interval until the person finishes signing in, the
/// code expires, or the service gives a final answer.
async fn poll_for_token(
    settings: &Settings,
    tenant: &str,
    code: &DeviceCodeResponse,
    http: &reqwest::Client,
) -> Result<TokenResponse, AuthError> {
    let mut interval = Duration::from_secs(seconds(&code.interval, 5).max(1));
    let deadline = Instant::now() + Duration::from_secs(seconds(&code.expires_in, 900));
    let token_url = endpoint_url(&settings.authority_host, tenant, "token");
    loop {
        tokio::time::sleep(interval).await;
        if Instant::now() > deadline {
            return Err(AuthError::DeviceCode(
                "the code expired before the sign-in was completed".into(),
            ));
        }
        let polled = post_form(
            http,
            NAME,
            &token_url,
            &[
                ("grant_type", DEVICE_CODE_GRANT),
                ("client_id", &settings.client_id),
                ("device_code", &code.device_code),
            ],
        )
        .await;
        match polled {
            Ok(response) => return Ok(response),
            Err(e) => interval = next_interval(e, interval)?,
        }
    }
}

/// A failed poll: the interval to wait before the next one while the sign-in is still pending,
/// or the error that ends the flow.
fn next_interval(error: AuthError, interval: Duration) -> Result<Duration, AuthError> {
    match error {
        AuthError::Rejected { error, .. } if error == "authorization_pending" => Ok(interval),
        AuthError::Rejected { error, .. } if error == "slow_down" => {
            // RFC 8628 §3.5: every slow_down adds five seconds for the rest of the flow.
            Ok(interval + Duration::from_secs(5))
        }
        AuthError::Rejected { error, .. } if error == "authorization_declined" => {
            Err(AuthError::DeviceCode("the sign-in was declined".into()))
        }
        AuthError::Rejected { error, .. } if error == "expired_token" => Err(
            AuthError::DeviceCode("the code expired before the sign-in was completed".into()),
        ),
        AuthError::Rejected { error, .. } if error == "bad_verification_code" => Err(
            AuthError::DeviceCode("the service did not recognise the device code".into()),
        ),
        e => Err(e),
    }
}

/// Remove the login cache. `Ok(None)` when there was nothing to remove.
pub fn logout(creds: &Credentials) -> Result<Option<PathBuf>, AuthError> {
    let Some(path) = creds.token_cache_path.clone() else {
        return Ok(None);
    };
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(Some(path)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(cache_error(&path, e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_path(name: &str) -> PathBuf {
        std::env::temp_dir()
            .join(format!(
                "ep-dc-{}-{}",
                std::process::id(),
                uuid::Uuid::new_v4()
            ))
            .join(name)
    }

    fn sample() -> CacheFile {
        CacheFile {
            version: 1,
            authority_host: "http://127.0.0.1:1".into(),
            tenant: "t".into(),
            client_id: "c".into(),
            scope: "s".into(),
            access_token: "at".into(),
            expires_on: now_unix() + 3600,
            refresh_token: Some("rt".into()),
        }
    }

    #[cfg(unix)]
    #[test]
    fn the_cache_is_owner_only_even_when_an_old_file_was_wider() {
        use std::os::unix::fs::PermissionsExt;
        let path = temp_path("token-cache.json");
        save(&path, &sample()).unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        save(&path, &sample()).unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let dir = path.parent().unwrap();
        assert_eq!(
            std::fs::metadata(dir).unwrap().permissions().mode() & 0o777,
            0o700
        );
        let loaded = load(&path).unwrap().unwrap();
        assert_eq!(loaded.refresh_token.as_deref(), Some("rt"));
        let _ = std::fs::remove_dir_all(dir);
    }
}
