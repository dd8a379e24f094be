//! `ep auth login`: the device-code flow for a person, with its tokens kept in the OS keyring
//! (or, only when the person opted in with `--insecure-storage`, in a file that only they can
//! read), refreshed silently by later runs; `ep auth logout` forgets them.

use super::client_secret::endpoint_url;
use super::http::{TokenResponse, post_form};
use super::keyring_store::{self, KeyringError};
use super::{
    AccessToken, AuthError, Credentials, Secret, TokenEndpoint, TokenSource, TokenStorage,
};
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

/// What `ep auth login` saves, in the keyring or (opted in) a file. Tokens are plain strings here
/// only because this is the credential store; they never leave this module except as
/// [`Secret`]s.
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
    /// Written by `--insecure-storage`: the person chose this file. A file without it is a
    /// cache from before the keyring, moved into the keyring when next read.
    #[serde(default)]
    insecure_storage: bool,
}

struct Settings {
    cache_path: PathBuf,
    storage: TokenStorage,
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
            missing: NO_CONFIG_DIR.into(),
        })?;
    Ok(Settings {
        cache_path,
        storage: creds.token_storage,
        client_id,
        tenant: creds.tenant_id.clone(),
        authority_host: endpoint.authority_host.clone(),
        scope: endpoint.scope.clone(),
    })
}

#[cfg(windows)]
const NO_CONFIG_DIR: &str = "no folder for the login: LOCALAPPDATA is not set";
#[cfg(not(windows))]
const NO_CONFIG_DIR: &str = "no config directory for the login: set XDG_CONFIG_HOME or HOME";

/// Where a login is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kept {
    Keyring,
    File,
}

/// The keyring account of the login whose file would be `path`: one login per config
/// directory, as with the file, so profiles and test runs with their own directory stay apart.
fn keyring_account(path: &Path) -> String {
    format!("device-code login {}", path.display())
}

/// Whether a login could be kept where `creds` says: checked before anything is asked of the
/// person (or, for `ep auth setup`, of the directory), so nothing is done that cannot be kept.
pub fn check_storage(creds: &Credentials) -> Result<(), AuthError> {
    match (creds.token_storage, creds.token_cache_path.as_deref()) {
        (TokenStorage::Keyring, Some(path)) => {
            keyring_store::probe(&keyring_account(path)).map_err(keyring_error)
        }
        // A plain file or the demo's, or no config directory (which login itself reports).
        _ => Ok(()),
    }
}

fn keyring_error(e: KeyringError) -> AuthError {
    match e {
        KeyringError::Unavailable(detail) => AuthError::KeyringUnavailable {
            keyring: keyring_store::keyring_name(),
            detail,
        },
        KeyringError::Failed(detail) => AuthError::Keyring {
            keyring: keyring_store::keyring_name(),
            detail,
        },
    }
}

/// Where the login of `creds` is kept, for `ep auth status`: the keyring, or the file the person
/// opted in to.
pub fn storage_description(creds: &Credentials) -> String {
    let Some(path) = &creds.token_cache_path else {
        return "nowhere: no config directory".into();
    };
    match creds.token_storage {
        TokenStorage::Demo => format!("{} (the demo's tokens)", path.display()),
        _ if keyring_store::get(&keyring_account(path)).is_ok_and(|v| v.is_some()) => {
            keyring_store::keyring_name().to_string()
        }
        _ if path.is_file() => format!("{} (a plain file readable by you only)", path.display()),
        _ => keyring_store::keyring_name().to_string(),
    }
}

/// Whether `ep auth login` left a login for `creds`, wherever it is kept. A keyring that does
/// not answer has none.
pub fn signed_in(creds: &Credentials) -> bool {
    let Some(path) = &creds.token_cache_path else {
        return false;
    };
    if path.is_file() {
        return true;
    }
    creds.token_storage != TokenStorage::Demo
        && keyring_store::get(&keyring_account(path)).is_ok_and(|v| v.is_some())
}

fn parse_cache(bytes: &[u8], path: &Path) -> Result<CacheFile, AuthError> {
    let cache: CacheFile =
        serde_json::from_slice(bytes).map_err(|_| cache_error(path, "not an ep login cache"))?;
    crate::redact::register_secret(&cache.access_token);
    if let Some(refresh) = &cache.refresh_token {
        crate::redact::register_secret(refresh);
    }
    Ok(cache)
}

/// The login, from the keyring or from a file. A plain file from before the keyring is moved
/// into it and removed; without a keyring it is used only when the person opted in.
fn load_login(settings: &Settings) -> Result<Option<(CacheFile, Kept)>, AuthError> {
    let path = &settings.cache_path;
    if settings.storage == TokenStorage::Demo {
        return Ok(load(path)?.map(|c| (c, Kept::File)));
    }
    let account = keyring_account(path);
    let keyring = match keyring_store::get(&account) {
        Ok(Some(bytes)) => {
            let cache = parse_cache(&bytes, path).map_err(|_| AuthError::Keyring {
                keyring: keyring_store::keyring_name(),
                detail: "the stored login is not one ep wrote".into(),
            })?;
            return Ok(Some((cache, Kept::Keyring)));
        }
        Ok(None) => Ok(()),
        Err(KeyringError::Unavailable(detail)) => Err(detail),
        Err(e) => return Err(keyring_error(e)),
    };
    let Some(mut cache) = load(path)? else {
        return Ok(None);
    };
    if cache.insecure_storage || settings.storage == TokenStorage::InsecureFile {
        return Ok(Some((cache, Kept::File)));
    }
    match keyring {
        Ok(()) => {
            cache.insecure_storage = false;
            let json = serde_json::to_vec(&cache).map_err(|e| cache_error(path, e.to_string()))?;
            keyring_store::set(&account, &json).map_err(keyring_error)?;
            std::fs::remove_file(path).map_err(|e| cache_error(path, e.to_string()))?;
            diag::note(format!(
                "moved your sign-in from the plain file {} into {}",
                path.display(),
                keyring_store::keyring_name()
            ));
            Ok(Some((cache, Kept::Keyring)))
        }
        Err(detail) => Err(AuthError::KeyringUnavailable {
            keyring: keyring_store::keyring_name(),
            detail,
        }),
    }
}

/// Save where the login was found (or, for a new one, where it belongs).
fn save_login(settings: &Settings, cache: &mut CacheFile, kept: Kept) -> Result<(), AuthError> {
    match kept {
        Kept::Keyring => {
            cache.insecure_storage = false;
            let json = serde_json::to_vec(cache)
                .map_err(|e| cache_error(&settings.cache_path, e.to_string()))?;
            keyring_store::set(&keyring_account(&settings.cache_path), &json).map_err(keyring_error)
        }
        Kept::File => {
            cache.insecure_storage = settings.storage != TokenStorage::Demo;
            save(&settings.cache_path, cache)
        }
    }
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
    parse_cache(&bytes, path).map(Some)
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
    fn cached(&self) -> Result<(CacheFile, Kept), AuthError> {
        let s = &self.settings;
        let (cache, kept) = load_login(s)?.ok_or(AuthError::NotSignedIn)?;
        let tenant_ok = match &s.tenant {
            Some(t) => cache.tenant.eq_ignore_ascii_case(t) || cache.tenant == ANY_ORGANIZATION,
            None => true,
        };
        if cache.client_id.eq_ignore_ascii_case(&s.client_id)
            && cache.authority_host == s.authority_host
            && cache.scope == s.scope
            && tenant_ok
        {
            Ok((cache, kept))
        } else {
            Err(AuthError::NotSignedIn)
        }
    }
}

fn remember(
    settings: &Settings,
    kept: Kept,
    tenant: &str,
    response: &TokenResponse,
    old_refresh: Option<String>,
) -> Result<AccessToken, AuthError> {
    let token = response.access_token();
    let lifetime = response.lifetime().unwrap_or(Duration::from_secs(3600));
    save_login(
        settings,
        &mut CacheFile {
            version: 1,
            authority_host: settings.authority_host.clone(),
            tenant: tenant.to_string(),
            client_id: settings.client_id.clone(),
            scope: settings.scope.clone(),
            access_token: response.access_token.clone(),
            expires_on: now_unix() + lifetime.as_secs() as i64,
            // The identity platform may rotate the refresh token; keep the old one otherwise.
            refresh_token: response.refresh_token.clone().or(old_refresh),
            insecure_storage: false,
        },
        kept,
    )?;
    Ok(token)
}

#[async_trait]
impl TokenSource for DeviceCodeSource {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn acquire(&self, http: &reqwest::Client) -> Result<AccessToken, AuthError> {
        let (cache, kept) = self.cached()?;
        if cache.expires_on > now_unix() + REUSE_MARGIN_SECS {
            let from = match kept {
                Kept::Keyring => keyring_store::keyring_name().to_string(),
                Kept::File => self.settings.cache_path.display().to_string(),
            };
            diag::trace(1, format!("{NAME}: using the cached token from {from}"));
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
        remember(
            &self.settings,
            kept,
            &cache.tenant,
            &response,
            Some(refresh),
        )
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
    /// Where the tokens are kept, in a person's words.
    pub kept_in: String,
    /// The person opted in to a plain file.
    pub insecure: bool,
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
    let account = keyring_account(&settings.cache_path);
    let kept = match settings.storage {
        TokenStorage::Keyring => {
            // Before the person signs in, not after: a sign-in that cannot be kept is wasted.
            keyring_store::probe(&account).map_err(keyring_error)?;
            Kept::Keyring
        }
        TokenStorage::InsecureFile => {
            // A login left in the keyring would be read before the file and shadow it.
            let _ = keyring_store::delete(&account);
            Kept::File
        }
        TokenStorage::Demo => Kept::File,
    };
    let tenant = settings
        .tenant
        .clone()
        .unwrap_or_else(|| ANY_ORGANIZATION.to_string());
    let code = request_device_code(&settings, &tenant, http).await?;
    diag::prompt(&code.message);
    let response = poll_for_token(&settings, &tenant, &code, http).await?;
    let token = remember(&settings, kept, &tenant, &response, None)?;
    let kept_in = match kept {
        Kept::Keyring => {
            // A plain cache from before, or from an earlier --insecure-storage, goes.
            match std::fs::remove_file(&settings.cache_path) {
                Ok(()) => diag::note(format!(
                    "removed the plain-text login {}",
                    settings.cache_path.display()
                )),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(cache_error(&settings.cache_path, e.to_string())),
            }
            keyring_store::keyring_name().to_string()
        }
        Kept::File => settings.cache_path.display().to_string(),
    };
    Ok(LoginOutcome {
        kept_in,
        insecure: settings.storage == TokenStorage::InsecureFile,
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

/// Remove the login from the keyring and any file. What was removed, in a person's words; empty
/// when there was nothing.
pub fn logout(creds: &Credentials) -> Result<Vec<String>, AuthError> {
    let Some(path) = creds.token_cache_path.clone() else {
        return Ok(Vec::new());
    };
    let mut removed = Vec::new();
    if creds.token_storage != TokenStorage::Demo {
        match keyring_store::delete(&keyring_account(&path)) {
            Ok(true) => removed.push(format!("the login in {}", keyring_store::keyring_name())),
            // No keyring: nothing can be in it, and the file below may still be there.
            Ok(false) | Err(KeyringError::Unavailable(_)) => {}
            Err(e) => return Err(keyring_error(e)),
        }
    }
    match std::fs::remove_file(&path) {
        Ok(()) => removed.push(path.display().to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(cache_error(&path, e.to_string())),
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(unix), allow(dead_code))] // for the Unix-only permission test
    fn temp_path(name: &str) -> PathBuf {
        std::env::temp_dir()
            .join(format!(
                "ep-dc-{}-{}",
                std::process::id(),
                uuid::Uuid::new_v4()
            ))
            .join(name)
    }

    #[cfg_attr(not(unix), allow(dead_code))]
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
            insecure_storage: true,
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
