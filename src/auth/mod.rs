//! Credential sources behind one [`TokenSource`] trait, and a per-run token cache.
//!
//! Each source lives in its own file. [`select_source`] picks one for `--auth` (or walks the
//! contract's order for `auto`); [`TokenCache`] hands out bearer tokens, refreshing ahead of expiry
//! and once more after Graph says a token is no longer valid.

mod client_secret;
mod secret;
mod static_token;

pub use client_secret::ClientSecretSource;
pub use secret::Secret;
pub use static_token::StaticTokenSource;

use async_trait::async_trait;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// `--auth` values, in the order `auto` tries them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthMethod {
    Auto,
    Token,
    ClientSecret,
    Certificate,
    WorkloadIdentity,
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
            AuthMethod::ManagedIdentity => "managed-identity",
            AuthMethod::AzureCli => "azure-cli",
            AuthMethod::DeviceCode => "device-code",
        }
    }
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

/// What the environment (and `--tenant`/`--client-id`) provides to credential sources.
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    pub access_token: Option<Secret>,
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
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
    #[error("--auth {0} is not available in this build yet")]
    Unsupported(&'static str),
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
}

impl AuthError {
    pub fn hint(&self) -> Option<String> {
        match self {
            AuthError::NoCredentials => Some(
                "set EP_ACCESS_TOKEN, or AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_CLIENT_SECRET; \
                 or try it with --demo"
                    .into(),
            ),
            AuthError::Incomplete { .. } => {
                Some("see 'ep --help' for the credential variables".into())
            }
            AuthError::Unsupported(_) => Some("use --auth token or --auth client-secret".into()),
            AuthError::Rejected { error, .. } if error == "invalid_client" => {
                Some("check AZURE_CLIENT_SECRET: it may be wrong or expired".into())
            }
            AuthError::Rejected { .. } => {
                Some("check AZURE_TENANT_ID, AZURE_CLIENT_ID and --cloud".into())
            }
            AuthError::Unreachable { .. } => {
                Some("check the network and --authority-host / AZURE_AUTHORITY_HOST".into())
            }
            AuthError::BadResponse { .. } => {
                Some("is --authority-host / AZURE_AUTHORITY_HOST an Entra ID login host?".into())
            }
        }
    }
}

/// Pick the credential source for `method`. `auto` takes the first source whose inputs are present,
/// in the contract's order.
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
        AuthMethod::Auto => {
            if let Some(token) = &creds.access_token {
                return Ok(Box::new(StaticTokenSource::new(token.clone())));
            }
            if creds.client_secret.is_some() {
                return Ok(Box::new(ClientSecretSource::from_credentials(
                    creds, endpoint,
                )?));
            }
            Err(AuthError::NoCredentials)
        }
        other => Err(AuthError::Unsupported(other.name())),
    }
}

/// Refresh this long before a token's stated expiry, so a call never leaves with a token that
/// expires in flight.
const REFRESH_AHEAD: Duration = Duration::from_secs(120);

/// One token per run, shared by every concurrent call.
pub struct TokenCache {
    source: Box<dyn TokenSource>,
    current: Mutex<Option<AccessToken>>,
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

    /// A token that is valid for at least [`REFRESH_AHEAD`] (when its expiry is known).
    pub async fn bearer(&self, http: &reqwest::Client) -> Result<Secret, AuthError> {
        // Holding the lock across acquisition makes concurrent callers wait for one sign-in
        // instead of each starting their own.
        let mut current = self.current.lock().await;
        if let Some(token) = current.as_ref() {
            let fresh = token
                .expires_at
                .is_none_or(|at| at > Instant::now() + REFRESH_AHEAD);
            if fresh {
                return Ok(token.token.clone());
            }
        }
        let token = self.source.acquire(http).await?;
        let secret = token.token.clone();
        *current = Some(token);
        Ok(secret)
    }

    /// Graph rejected `stale`: forget it so the next [`bearer`](Self::bearer) acquires anew —
    /// unless another call already replaced it.
    pub async fn invalidate(&self, stale: &Secret) {
        let mut current = self.current.lock().await;
        if current.as_ref().is_some_and(|t| &t.token == stale) {
            *current = None;
        }
    }

    /// Whether re-acquiring can produce a different token (a fixed EP_ACCESS_TOKEN cannot).
    pub fn can_refresh(&self) -> bool {
        self.source.name() != "token"
    }
}
