//! Credential sources behind one [`TokenSource`] trait, and a per-run token cache.
//!
//! Each source lives in its own file. [`select_source`] picks one for `--auth` (or walks the
//! contract's order for `auto`); [`TokenCache`] hands out bearer tokens, refreshing ahead of expiry
//! and once more after Graph says a token is no longer valid.

mod azure_cli;
mod azure_pipelines;
mod certificate;
mod chain;
mod client_secret;
mod device_code;
mod github_actions;
mod http;
mod jwt;
mod keyring_store;
mod managed_identity;
mod pipeline_oidc;
mod secret;
mod static_token;
mod workload_identity;

pub use azure_cli::{AzureCliSource, find_az};
pub use azure_pipelines::AzurePipelinesSource;
pub use certificate::CertificateSource;
pub use client_secret::ClientSecretSource;
pub use device_code::{
    DeviceCodeSource, LoginOutcome, check_storage as check_token_storage,
    login as device_code_login, logout as device_code_logout,
    storage_description as device_code_storage,
};
pub use github_actions::GithubActionsSource;
pub use jwt::unverified_claims;
pub use managed_identity::ManagedIdentitySource;
pub use secret::Secret;
pub use static_token::StaticTokenSource;
pub use workload_identity::WorkloadIdentitySource;

use async_trait::async_trait;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// `--auth` values, in the order `auto` tries them (the CI sources only when their variables are
/// set, see [`select_source`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    Auto,
    Token,
    ClientSecret,
    Certificate,
    WorkloadIdentity,
    GithubActions,
    AzurePipelines,
    ManagedIdentity,
    AzureCli,
    DeviceCode,
}

impl AuthMethod {
    pub fn name(self) -> &'static str {
        match self {
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
        }
    }
}

/// `--assertion-alg`: how a certificate's client assertion is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AssertionAlg {
    /// RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now.
    #[default]
    Ps256,
    /// RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups.
    Rs256,
}

/// An access token and when it stops being usable.
#[derive(Clone, Debug)]
pub struct AccessToken {
    pub token: Secret,
    pub expires_at: Option<Instant>,
}

/// Where tokens are requested: the login host and Graph resource of the chosen cloud.
#[derive(Clone, Debug)]
pub struct TokenEndpoint {
    /// e.g. `https://login.microsoftonline.com`, no trailing slash.
    pub authority_host: String,
    /// e.g. `https://graph.microsoft.com/.default`.
    pub scope: String,
}

impl TokenEndpoint {
    /// The Graph resource (`https://graph.microsoft.com`) for sources that take a resource
    /// rather than a scope (managed identity).
    pub fn resource(&self) -> &str {
        self.scope.trim_end_matches("/.default")
    }
}

/// What the environment (and the global flags) provide to credential sources. Nothing here is
/// checked for completeness: each source says what it is missing.
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    pub access_token: Option<Secret>,
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    /// `AZURE_CLIENT_SECRET`, or the trimmed contents of `--client-secret-file`.
    pub client_secret: Option<Secret>,
    /// `AZURE_CLIENT_CERTIFICATE_PATH`: a PEM with the certificate and its private key.
    pub certificate_path: Option<PathBuf>,
    /// `AZURE_CLIENT_CERTIFICATE_PASSWORD`: only for encrypted keys, which this build refuses.
    pub certificate_password: Option<Secret>,
    pub assertion_alg: AssertionAlg,
    /// `AZURE_FEDERATED_TOKEN_FILE`: re-read at every acquisition (the runner rotates it).
    pub federated_token_file: Option<PathBuf>,
    /// The `aud` to ask a CI's OIDC issuer for: the cloud's token-exchange audience.
    pub federation_audience: String,
    /// GitHub Actions (a job with `permissions: id-token: write`): where to ask for an ID token,
    /// and the bearer token that allows it.
    pub actions_id_token_request_url: Option<String>,
    pub actions_id_token_request_token: Option<Secret>,
    /// Azure Pipelines: `SYSTEM_OIDCREQUESTURI`, `SYSTEM_ACCESSTOKEN` (mapped into the step from
    /// `$(System.AccessToken)`) and the service connection whose federated identity to use.
    pub oidc_request_uri: Option<String>,
    pub system_access_token: Option<Secret>,
    pub service_connection_id: Option<String>,
    /// App Service / Functions / Container Apps: `IDENTITY_ENDPOINT` + `IDENTITY_HEADER`.
    pub identity_endpoint: Option<String>,
    pub identity_header: Option<Secret>,
    /// `IMDS_ENDPOINT`: with `IDENTITY_ENDPOINT` (and no header), Azure Arc; alone, the IMDS
    /// base instead of 169.254.169.254 (tests).
    pub imds_endpoint: Option<String>,
    /// `az` found on `PATH`.
    pub azure_cli: Option<PathBuf>,
    /// Where `ep auth login` keeps its tokens (`None` without a config directory): the file
    /// with `--insecure-storage`, otherwise what names the login in the keyring.
    pub token_cache_path: Option<PathBuf>,
    pub token_storage: TokenStorage,
}

/// Where `ep auth login` may keep tokens.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TokenStorage {
    /// The OS keyring, and nowhere else: no keyring is an error, never a silent plain file.
    #[default]
    Keyring,
    /// A plain file readable by the owner only: `--insecure-storage` / `EP_INSECURE_STORAGE`.
    InsecureFile,
    /// The demo's emulator-issued tokens, worthless outside the demo: beside its session.
    Demo,
}

#[async_trait]
pub trait TokenSource: Send + Sync {
    /// The `--auth` name, shown by `ep auth status` and in errors.
    fn name(&self) -> &'static str;
    async fn acquire(&self, http: &reqwest::Client) -> Result<AccessToken, AuthError>;
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("no credentials found")]
    NoCredentials,
    #[error("--auth {method}: {missing}")]
    Incomplete {
        method: &'static str,
        missing: String,
    },
    /// The identity platform answered with an OAuth error (`AADSTS…`).
    #[error("{source_name}: sign-in failed: {error}: {description}")]
    Rejected {
        source_name: &'static str,
        status: u16,
        error: String,
        description: String,
    },
    #[error("{source_name}: could not reach the token endpoint {url}: {detail}")]
    Unreachable {
        source_name: &'static str,
        url: String,
        detail: String,
    },
    #[error("{source_name}: the token endpoint answered something that is not a token response")]
    BadResponse { source_name: &'static str },
    /// A credential file (certificate, federated token, secret file, login cache) is unusable.
    #[error("{source_name}: {path}: {detail}")]
    File {
        source_name: &'static str,
        path: String,
        detail: String,
    },
    /// A CI system's OIDC endpoint did not hand over a token.
    #[error("{source_name}: {detail}")]
    Oidc {
        source_name: &'static str,
        detail: String,
        hint: String,
    },
    #[error("azure-cli: 'az' was not found on PATH")]
    AzureCliMissing,
    #[error("azure-cli: 'az account get-access-token' failed: {detail}")]
    AzureCli { detail: String, not_logged_in: bool },
    #[error("device-code: not signed in (no cached login for this client, tenant and cloud)")]
    NotSignedIn,
    #[error("device-code: {0}")]
    DeviceCode(String),
    /// No keyring answers; tokens are never written to a plain file without the opt-in.
    #[error("device-code: no keyring to keep the sign-in in ({keyring}: {detail})")]
    KeyringUnavailable {
        keyring: &'static str,
        detail: String,
    },
    #[error("device-code: {keyring} failed: {detail}")]
    Keyring {
        keyring: &'static str,
        detail: String,
    },
}

impl AuthError {
    pub fn hint(&self) -> Option<String> {
        match self {
            AuthError::NoCredentials => Some(
                "set EP_ACCESS_TOKEN; or AZURE_TENANT_ID + AZURE_CLIENT_ID with AZURE_CLIENT_SECRET, \
                 AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE (in CI, with the \
                 pipeline's own OIDC token: --auth github-actions / azure-pipelines); or run \
                 'az login' or 'ep auth login'; on an Azure VM use --auth managed-identity; or \
                 try it with --demo"
                    .into(),
            ),
            AuthError::Incomplete { .. } => {
                Some("see the README's 'Using it against your tenant' for each --auth method".into())
            }
            AuthError::Rejected {
                source_name: "managed-identity",
                status,
                description,
                ..
            } if aadsts_code(description).is_none() => Some(managed_identity_hint(*status).into()),
            AuthError::Rejected {
                description, error, ..
            } => Some(aadsts_hint(description, error)),
            AuthError::Unreachable {
                source_name: "managed-identity",
                ..
            } => Some(
                "no managed identity endpoint answered: is ep running on Azure with a managed identity \
                 assigned? elsewhere, pick another --auth"
                    .into(),
            ),
            AuthError::Unreachable { .. } => {
                Some("check the network and --authority-host / AZURE_AUTHORITY_HOST".into())
            }
            AuthError::BadResponse { .. } => {
                Some("is --authority-host / AZURE_AUTHORITY_HOST an Entra ID login host?".into())
            }
            AuthError::File { source_name, .. } => Some(match *source_name {
                "certificate" => "AZURE_CLIENT_CERTIFICATE_PATH (or the profile's \
                                  client-certificate-path) must name a PEM file holding the \
                                  certificate and its unencrypted RSA private key"
                    .into(),
                "workload-identity" => "AZURE_FEDERATED_TOKEN_FILE must name a readable file \
                                        holding the federated (OIDC) token"
                    .into(),
                "device-code" => "run 'ep auth logout' and 'ep auth login' again".into(),
                "managed-identity" => "the Azure Arc agent's key is read only from \
                                       /var/opt/azcmagent/tokens (Linux) or \
                                       %ProgramData%\\AzureConnectedMachineAgent\\Tokens \
                                       (Windows); run ep as a member of the himds group or \
                                       as an administrator"
                    .into(),
                _ => "check the file's path and permissions".into(),
            }),
            AuthError::Oidc { hint, .. } => Some(hint.clone()),
            AuthError::AzureCliMissing => Some(
                "install the Azure CLI and run 'az login', or pick another --auth".into(),
            ),
            AuthError::AzureCli {
                not_logged_in: true,
                ..
            } => Some("run 'az login' (add --tenant for another tenant), or pick another --auth".into()),
            AuthError::AzureCli { .. } => {
                Some("run the same 'az account get-access-token --resource-type ms-graph' to see why".into())
            }
            AuthError::NotSignedIn => Some(
                "run 'ep auth login' (with AZURE_CLIENT_ID of your app registration), or 'ep auth \
                 setup' to register one and sign in"
                    .into(),
            ),
            AuthError::DeviceCode(_) => Some("run 'ep auth login' again".into()),
            AuthError::KeyringUnavailable { .. } => Some(format!(
                "{}; or keep tokens in a plain file readable by you only: \
                 'ep auth login --insecure-storage' (or EP_INSECURE_STORAGE=1)",
                if cfg!(target_os = "linux") {
                    "start a Secret Service (GNOME Keyring, KWallet) in your D-Bus session"
                } else {
                    "unlock your keyring"
                }
            )),
            AuthError::Keyring { .. } => {
                Some("run 'ep auth logout' and 'ep auth login' again".into())
            }
        }
    }
}

/// What to do when a managed identity endpoint (not the identity platform behind it) says no.
fn managed_identity_hint(status: u16) -> &'static str {
    match status {
        401 | 403 => {
            "the endpoint refused ep: check IDENTITY_HEADER (App Service), or that the Azure \
             Connected Machine agent is running (Azure Arc)"
        }
        410 | 429 | 500..=599 => {
            "the managed identity endpoint kept failing for over a minute: try again later"
        }
        _ => {
            "is a managed identity assigned here? for a user-assigned one, set AZURE_CLIENT_ID \
             to its client id"
        }
    }
}

/// The `AADSTS` code in an error description, e.g. 7000215.
pub fn aadsts_code(description: &str) -> Option<u32> {
    let rest = &description[description.find("AADSTS")? + 6..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// One line on what the common `AADSTS` errors mean and what to do.
fn aadsts_hint(description: &str, error: &str) -> String {
    let meaning = match aadsts_code(description) {
        Some(7000215) => {
            "invalid client secret: use the secret's value (not its id) in AZURE_CLIENT_SECRET"
        }
        Some(7000222) => "the client secret has expired: create a new one for the app registration",
        Some(700016) => {
            "the application was not found in this tenant: check AZURE_CLIENT_ID, AZURE_TENANT_ID and --cloud"
        }
        Some(90002) => {
            "tenant not found: check AZURE_TENANT_ID and --cloud (tenants live in one cloud)"
        }
        Some(70011) => "invalid scope: the token must be for the cloud's Graph; check --cloud",
        Some(700027) => {
            "the client assertion was rejected: upload this certificate to the app registration and check the signing algorithm (--assertion-alg)"
        }
        Some(700024) => {
            "the assertion is outside its valid time range: check the system clock (or the federated token has expired)"
        }
        Some(70021) => {
            "no federated credential on the app matches the token's issuer and subject: add one (e.g. repo:ORG/REPO:ref:refs/heads/main)"
        }
        Some(700211) => {
            "no federated credential on the app trusts this issuer: add one with the issuer shown (GitHub: https://token.actions.githubusercontent.com)"
        }
        Some(700213) => {
            "the app's federated credential names another subject (compared case-sensitively): make it the subject shown, e.g. repo:ORG/REPO:ref:refs/heads/main or repo:ORG/REPO:environment:NAME"
        }
        Some(700212) => {
            "the federated credential's audience does not match the token's (api://AzureADTokenExchange; api://AzureADTokenExchangeUSGov or …China for --cloud usgov, usgov-dod, china)"
        }
        Some(7000218) => {
            "the request had no client credential: set AZURE_CLIENT_SECRET or a certificate"
        }
        Some(50173 | 700082 | 70008) => {
            "the saved sign-in has expired or was revoked: run 'ep auth login' again"
        }
        Some(50076 | 50079) => "multi-factor authentication is required: run 'ep auth login'",
        Some(65001) => {
            "the app lacks consent: an admin must grant consent for its Graph permissions"
        }
        Some(53003) => "blocked by a Conditional Access policy: ask your admin",
        Some(70016) => "the sign-in was not completed in time",
        Some(70019) => {
            "the device code expired before the sign-in completed: run 'ep auth login' again"
        }
        _ => "",
    };
    if !meaning.is_empty() {
        return meaning.to_string();
    }
    match error {
        "invalid_client" => {
            "check the app's credential (secret, certificate or federated credential)".into()
        }
        "invalid_grant" => {
            "the grant was rejected: run 'ep auth login' again or check the credential".into()
        }
        _ => "check AZURE_TENANT_ID, AZURE_CLIENT_ID and --cloud".into(),
    }
}

/// Pick the credential source for `method`. `auto` takes the first source whose inputs are
/// present, in the contract's order; it never probes the network to find out (in particular not
/// the IMDS address, which off-Azure would only time out).
pub fn select_source(
    method: AuthMethod,
    creds: &Credentials,
    endpoint: &TokenEndpoint,
) -> Result<Box<dyn TokenSource>, AuthError> {
    match method {
        AuthMethod::Token => {
            let token = creds.access_token.clone().ok_or(AuthError::Incomplete {
                method: "token",
                missing: "EP_ACCESS_TOKEN is not set".into(),
            })?;
            Ok(Box::new(StaticTokenSource::new(token)))
        }
        AuthMethod::ClientSecret => Ok(Box::new(ClientSecretSource::from_credentials(
            creds, endpoint,
        )?)),
        AuthMethod::Certificate => Ok(Box::new(CertificateSource::from_credentials(
            creds, endpoint,
        )?)),
        AuthMethod::WorkloadIdentity => Ok(Box::new(WorkloadIdentitySource::from_credentials(
            creds, endpoint,
        )?)),
        AuthMethod::GithubActions => Ok(Box::new(GithubActionsSource::from_credentials(
            creds, endpoint,
        )?)),
        AuthMethod::AzurePipelines => Ok(Box::new(AzurePipelinesSource::from_credentials(
            creds, endpoint,
        )?)),
        AuthMethod::ManagedIdentity => Ok(Box::new(ManagedIdentitySource::from_credentials(
            creds, endpoint,
        )?)),
        AuthMethod::AzureCli => Ok(Box::new(AzureCliSource::from_credentials(creds)?)),
        AuthMethod::DeviceCode => Ok(Box::new(DeviceCodeSource::from_credentials(
            creds, endpoint,
        )?)),
        AuthMethod::Auto => select_auto(creds, endpoint),
    }
}

/// What `auto` would try, in order, each with the reason: a source whose inputs are present.
/// Anything configured for this run (a token, a secret, a certificate, a token file, a
/// pipeline's or a machine's identity) is the one answer; otherwise a person's credentials,
/// tried in turn: the sign-in `ep auth login` cached, then the Azure CLI.
pub fn auto_candidates(creds: &Credentials) -> Vec<(AuthMethod, &'static str)> {
    let one = |method, why| vec![(method, why)];
    if creds.access_token.is_some() {
        return one(AuthMethod::Token, "EP_ACCESS_TOKEN is set");
    }
    if creds.client_secret.is_some() {
        return one(AuthMethod::ClientSecret, "a client secret is configured");
    }
    if creds.certificate_path.is_some() {
        return one(
            AuthMethod::Certificate,
            "a client certificate is configured",
        );
    }
    if creds.federated_token_file.is_some() {
        return one(
            AuthMethod::WorkloadIdentity,
            "AZURE_FEDERATED_TOKEN_FILE is set",
        );
    }
    // A pipeline's own identity: after what the user configured explicitly (a secret, a
    // certificate, a token file), before the machine's managed identity, which a self-hosted
    // agent shares with every pipeline it runs. Only when an app to sign in as is named: a job
    // that may ask for ID tokens but signed in with `az` keeps using `az`.
    if GithubActionsSource::available(creds) {
        return one(
            AuthMethod::GithubActions,
            "running in GitHub Actions with id-token permission and an app named",
        );
    }
    if AzurePipelinesSource::available(creds) {
        return one(
            AuthMethod::AzurePipelines,
            "running in Azure Pipelines with a service connection named",
        );
    }
    if creds.identity_endpoint.is_some() || creds.imds_endpoint.is_some() {
        return one(
            AuthMethod::ManagedIdentity,
            "a managed identity endpoint is set",
        );
    }
    // An explicit `ep auth login` outranks a signed-in Azure CLI: az's own tokens cannot carry
    // the EntitlementManagement scopes (`az login --scope` fails with AADSTS65002), so with
    // both present az would only produce 401s and 403s.
    let mut people = Vec::new();
    if device_code::signed_in(creds) {
        people.push((
            AuthMethod::DeviceCode,
            "you signed in with 'ep auth login' (that sign-in outranks the Azure CLI)",
        ));
    }
    if creds.azure_cli.is_some() {
        people.push((
            AuthMethod::AzureCli,
            "the Azure CLI is installed and nothing else is configured",
        ));
    }
    people
}

fn select_auto(
    creds: &Credentials,
    endpoint: &TokenEndpoint,
) -> Result<Box<dyn TokenSource>, AuthError> {
    let candidates = auto_candidates(creds);
    let person = |m: &AuthMethod| matches!(m, AuthMethod::DeviceCode | AuthMethod::AzureCli);
    match candidates.first() {
        None => return Err(AuthError::NoCredentials),
        Some((method, _)) if !person(method) => return select_source(*method, creds, endpoint),
        Some(_) => {}
    }
    // A person's credentials: the first that is signed in answers. A login cache that cannot
    // be used (no client id any more) is passed over, as a missing one is.
    let mut sources: Vec<Box<dyn TokenSource>> = Vec::new();
    for (method, _) in candidates {
        match (method, select_source(method, creds, endpoint)) {
            (_, Ok(source)) => sources.push(source),
            (AuthMethod::DeviceCode, Err(_)) => {}
            (_, Err(e)) => return Err(e),
        }
    }
    match sources.len() {
        0 => Err(AuthError::NoCredentials),
        1 => sources.pop().ok_or(AuthError::NoCredentials),
        _ => Ok(Box::new(chain::FirstAvailable::new(sources))),
    }
}

/// Refresh this long before a token's stated expiry, so a call never leaves with a token that
/// expires in flight.
const REFRESH_AHEAD: Duration = Duration::from_secs(120);

/// When to stop using a token that expires `lifetime` from now: [`REFRESH_AHEAD`] early, but for
/// short-lived tokens (a test emulator's, a nearly expired CLI token) only half their lifetime
/// early, so that each token still serves some calls instead of every call signing in again.
fn refresh_at(now: Instant, expires_at: Option<Instant>) -> Option<Instant> {
    let expires_at = expires_at?;
    let lifetime = expires_at.saturating_duration_since(now);
    Some(expires_at - REFRESH_AHEAD.min(lifetime / 2))
}

struct CachedToken {
    token: AccessToken,
    refresh_at: Option<Instant>,
}

/// One token per run, shared by every concurrent call.
pub struct TokenCache {
    source: Box<dyn TokenSource>,
    current: Mutex<Option<CachedToken>>,
}

/// The credential source this process signs in to Graph with, once one answered: a 401 or 403
/// is explained differently for a source that cannot carry the scopes ep needs.
static SOURCE_IN_USE: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();

pub fn source_in_use() -> Option<&'static str> {
    SOURCE_IN_USE.get().copied()
}

/// Why a 401 or 403 from Graph happened, when the credential explains it.
pub fn refusal_hint() -> Option<&'static str> {
    (source_in_use() == Some("azure-cli")).then_some(
        "this token comes from the Azure CLI, whose tokens cannot carry the EntitlementManagement \
         scopes ('az login --scope' fails with AADSTS65002); run 'ep auth setup' once (it \
         registers ep in your tenant and signs you in), or use an app's credentials (--auth \
         client-secret or certificate)",
    )
}

impl TokenCache {
    pub fn new(source: Box<dyn TokenSource>) -> Self {
        TokenCache {
            source,
            current: Mutex::new(None),
        }
    }

    pub fn source_name(&self) -> &'static str {
        self.source.name()
    }

    /// A token that is not due for refresh (see [`refresh_at`]).
    pub async fn bearer(&self, http: &reqwest::Client) -> Result<Secret, AuthError> {
        Ok(self.access_token(http).await?.token)
    }

    /// Like [`bearer`](Self::bearer), with the expiry (for `ep auth status`).
    pub async fn access_token(&self, http: &reqwest::Client) -> Result<AccessToken, AuthError> {
        // Holding the lock across acquisition makes concurrent callers wait for one sign-in
        // instead of each starting their own.
        let mut current = self.current.lock().await;
        if let Some(cached) = current.as_ref() {
            if cached.refresh_at.is_none_or(|at| at > Instant::now()) {
                return Ok(cached.token.clone());
            }
        }
        let token = self.source.acquire(http).await?;
        let _ = SOURCE_IN_USE.set(self.source.name());
        *current = Some(CachedToken {
            refresh_at: refresh_at(Instant::now(), token.expires_at),
            token: token.clone(),
        });
        Ok(token)
    }

    /// Graph rejected `stale`: forget it so the next [`bearer`](Self::bearer) acquires anew —
    /// unless another call already replaced it.
    pub async fn invalidate(&self, stale: &Secret) {
        let mut current = self.current.lock().await;
        if current.as_ref().is_some_and(|t| &t.token.token == stale) {
            *current = None;
        }
    }

    /// Whether re-acquiring can produce a different token (a fixed EP_ACCESS_TOKEN cannot).
    pub fn can_refresh(&self) -> bool {
        self.source.name() != "token"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lived_tokens_refresh_two_minutes_early_short_ones_at_half_life() {
        let now = Instant::now();
        let hour = now + Duration::from_secs(3600);
        assert_eq!(refresh_at(now, Some(hour)), Some(hour - REFRESH_AHEAD));
        let two_secs = now + Duration::from_secs(2);
        assert_eq!(
            refresh_at(now, Some(two_secs)),
            Some(now + Duration::from_secs(1))
        );
        assert_eq!(refresh_at(now, None), None);
    }

    #[test]
    fn aadsts_codes_are_read_and_explained() {
        let d = "AADSTS7000215: Invalid client secret provided.";
        assert_eq!(aadsts_code(d), Some(7000215));
        assert!(aadsts_hint(d, "invalid_client").contains("secret"));
        assert!(
            aadsts_hint("AADSTS90002: Tenant 'x' not found.", "invalid_request").contains("tenant")
        );
        assert!(
            aadsts_hint("AADSTS700016: App", "unauthorized_client").contains("AZURE_CLIENT_ID")
        );
        assert_eq!(aadsts_code("no code"), None);
    }

    fn creds() -> Credentials {
        Credentials {
            tenant_id: Some("t".into()),
            client_id: Some("c".into()),
            ..Credentials::default()
        }
    }

    fn endpoint() -> TokenEndpoint {
        TokenEndpoint {
            authority_host: "http://127.0.0.1:9".into(),
            scope: "https://graph.microsoft.com/.default".into(),
        }
    }

    fn auto(c: &Credentials) -> Result<&'static str, String> {
        select_source(AuthMethod::Auto, c, &endpoint())
            .map(|s| s.name())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn auto_follows_the_contracts_order() {
        let mut c = creds();
        assert!(auto(&c).is_err(), "nothing set");
        c.identity_endpoint = Some("http://127.0.0.1:9/msi/token".into());
        c.identity_header = Some(Secret::new("h"));
        assert_eq!(auto(&c), Ok("managed-identity"));
        c.federated_token_file = Some("/nonexistent".into());
        assert_eq!(auto(&c), Ok("workload-identity"));
        c.client_secret = Some(Secret::new("s"));
        assert_eq!(auto(&c), Ok("client-secret"));
        c.access_token = Some(Secret::new("t"));
        assert_eq!(auto(&c), Ok("token"));
    }

    #[test]
    fn auto_signs_in_as_the_pipeline_only_when_an_app_is_named() {
        let mut c = Credentials {
            actions_id_token_request_url: Some("https://x.example/idtoken?api-version=2.0".into()),
            actions_id_token_request_token: Some(Secret::new("request-token-1234")),
            ..Credentials::default()
        };
        assert!(
            auto(&c).is_err(),
            "a job that may ask for ID tokens but names no app"
        );
        c.tenant_id = Some("t".into());
        c.client_id = Some("c".into());
        assert_eq!(auto(&c), Ok("github-actions"));
        c.imds_endpoint = Some("http://127.0.0.1:9".into());
        assert_eq!(
            auto(&c),
            Ok("github-actions"),
            "before the machine's identity"
        );
        c.federated_token_file = Some("/nonexistent".into());
        assert_eq!(
            auto(&c),
            Ok("workload-identity"),
            "after an explicit token file"
        );

        let mut c = creds();
        c.oidc_request_uri = Some("https://dev.azure.com/o/p/_apis/x/oidctoken".into());
        c.system_access_token = Some(Secret::new("system-access-token"));
        assert!(auto(&c).is_err(), "no service connection named");
        c.service_connection_id = Some("6d0c3e1a-2b4f-4a8c-9e7d-5f1a3b2c4d6e".into());
        assert_eq!(auto(&c), Ok("azure-pipelines"));
        c.client_secret = Some(Secret::new("s"));
        assert_eq!(auto(&c), Ok("client-secret"), "an explicit secret wins");
    }

    #[test]
    fn an_explicit_login_outranks_a_signed_in_azure_cli() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("token-cache.json");
        let mut c = creds();
        c.azure_cli = Some("/usr/bin/az".into());
        c.token_cache_path = Some(cache.clone());
        let order = |c: &Credentials| -> Vec<AuthMethod> {
            auto_candidates(c).into_iter().map(|(m, _)| m).collect()
        };
        assert_eq!(order(&c), vec![AuthMethod::AzureCli], "no login cached yet");
        std::fs::write(&cache, "{}").unwrap();
        assert_eq!(
            order(&c),
            vec![AuthMethod::DeviceCode, AuthMethod::AzureCli],
            "after 'ep auth login'"
        );
        assert!(auto_candidates(&c)[0].1.contains("ep auth login"));
        c.client_secret = Some(Secret::new("s"));
        assert_eq!(order(&c), vec![AuthMethod::ClientSecret], "configured wins");
    }

    #[test]
    fn auto_never_picks_imds_without_an_endpoint_variable() {
        let mut c = creds();
        c.imds_endpoint = None;
        c.identity_endpoint = None;
        assert!(matches!(
            select_source(AuthMethod::Auto, &c, &endpoint()),
            Err(AuthError::NoCredentials)
        ));
        c.imds_endpoint = Some("http://127.0.0.1:9".into());
        assert_eq!(auto(&c), Ok("managed-identity"));
    }
}
