//! The identity platform's v2.0 token endpoint (client credentials) and the emulator's
//! access-token registry.
//!
//! Grant types are parsed into a [`Grant`] first and then authenticated, so adding a client
//! assertion (certificate), device code or managed-identity grant means adding a variant and
//! a match arm, not touching the error plumbing.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use serde_json::{Value, json};

use super::assertion::{self, Jwt, TrustedCertificate};
use super::seed::{SplitMix64, hash_parts, mix64};
use super::{DEMO, FederatedCredential};

pub(crate) const ROLE_READ: &str = "EntitlementManagement.Read.All";
pub(crate) const ROLE_READ_WRITE: &str = "EntitlementManagement.ReadWrite.All";
/// What `auditLogs/directoryAudits` needs. The read-only demo app lacks it, so a client's answer
/// to "not permitted" can be tried.
pub(crate) const ROLE_AUDIT_READ: &str = "AuditLog.Read.All";
pub(crate) const TENANT_DOMAIN: &str = "ep-demo.onmicrosoft.com";
/// What registering an app and granting it consent need (`ep auth setup`): an admin signed in
/// to the Azure CLI holds both through its first-party app.
pub(crate) const ROLE_APPLICATION_WRITE: &str = "Application.ReadWrite.All";
pub(crate) const ROLE_GRANT_WRITE: &str = "DelegatedPermissionGrant.ReadWrite.All";
/// The Azure CLI's well-known public client id. Its Graph tokens carry directory permissions
/// (an admin can register apps with them) but no EntitlementManagement scope: Azure CLI cannot
/// ask for one (AADSTS65002), so entitlement management calls with its token are refused.
pub const AZURE_CLI_CLIENT_ID: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

/// An app registration known to the demo tenant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AppRegistration {
    pub(crate) client_id: &'static str,
    /// Empty for a public client, which has no secret and may not present one.
    pub(crate) secret: &'static str,
    pub(crate) roles: &'static [&'static str],
}

pub(crate) const APPS: &[AppRegistration] = &[
    AppRegistration {
        client_id: DEMO.client_id,
        secret: DEMO.client_secret,
        roles: &[ROLE_READ_WRITE, ROLE_AUDIT_READ],
    },
    AppRegistration {
        client_id: DEMO.reader_client_id,
        secret: DEMO.reader_client_secret,
        roles: &[ROLE_READ],
    },
    AppRegistration {
        client_id: AZURE_CLI_CLIENT_ID,
        secret: "",
        roles: &[ROLE_APPLICATION_WRITE, ROLE_GRANT_WRITE, ROLE_AUDIT_READ],
    },
];

pub(crate) fn app(client_id: &str) -> Option<&'static AppRegistration> {
    APPS.iter()
        .find(|a| a.client_id.eq_ignore_ascii_case(client_id))
}

#[derive(Debug, Clone)]
pub(crate) struct TokenInfo {
    pub(crate) roles: Vec<String>,
    pub(crate) expires_at: DateTime<Utc>,
}

impl TokenInfo {
    pub(crate) fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokenRejection {
    Missing,
    Expired,
    Unknown,
}

/// Issues and checks opaque bearer tokens. Tokens are a keyed hash of a counter with a
/// per-process salt, so they cannot be predicted from the seed or reused across runs.
#[derive(Debug)]
pub(crate) struct TokenIssuer {
    salt: u64,
    counter: AtomicU64,
    ttl: ChronoDuration,
    tokens: Mutex<HashMap<String, TokenInfo>>,
    identity: IdentityConfig,
    used_jtis: Mutex<HashSet<String>>,
    device_codes: Mutex<HashMap<String, DeviceCodeState>>,
    /// Refresh token → client id.
    refresh_tokens: Mutex<HashMap<String, String>>,
    /// Contents of the Azure Arc key files written so far; each one opens the endpoint.
    arc_keys: Mutex<HashSet<String>>,
    /// What the IMDS path still answers before it works (`imds_failures`).
    imds_failures: Mutex<VecDeque<u16>>,
    /// What the CI token issuers still answer before they work (`oidc_failures`).
    oidc_failures: Mutex<VecDeque<u16>>,
    /// The CI issuers' tokens handed out so far.
    ci_tokens: Mutex<Vec<String>>,
    /// Apps registered through Graph (`POST /applications`), by app id in lowercase.
    registered: Mutex<HashMap<String, RegisteredClient>>,
}

/// The identity platform's view of an app registered through Graph while the emulator runs.
#[derive(Debug, Clone, Default)]
pub(crate) struct RegisteredClient {
    /// `isFallbackPublicClient`: whether the device-code flow may be used without a secret.
    pub(crate) public: bool,
    /// Delegated scopes consented for every user (`oauth2PermissionGrants`, AllPrincipals).
    pub(crate) scopes: Vec<String>,
    /// How many more sign-ins find no such app yet: a new registration takes a moment to
    /// reach the sign-in service (`directory_lag`).
    pub(crate) unseen_sign_ins: u32,
}

/// The identity platform's side of the app registrations: uploaded certificates, federated
/// credentials, and the knobs of the device-code and managed-identity endpoints.
#[derive(Debug, Default)]
pub(crate) struct IdentityConfig {
    pub(crate) certificates: Vec<TrustedCertificate>,
    pub(crate) federations: Vec<FederatedCredential>,
    pub(crate) device_code_interval: u64,
    pub(crate) identity_header: String,
    /// Serve the IMDS path as Azure Arc does, writing challenge keys into this directory.
    pub(crate) arc_key_dir: Option<PathBuf>,
    pub(crate) imds_failures: Vec<u16>,
    pub(crate) oidc_failures: Vec<u16>,
}

#[derive(Debug)]
struct DeviceCodeState {
    client_id: String,
    offline_access: bool,
    polls: u32,
    expires_at: DateTime<Utc>,
}

/// How many polls answer `authorization_pending` before the emulated person finishes signing in.
const DEVICE_CODE_PENDING_POLLS: u32 = 2;

impl TokenIssuer {
    #[cfg(test)]
    pub(crate) fn new(ttl: std::time::Duration) -> TokenIssuer {
        TokenIssuer::with_identity(ttl, IdentityConfig::default())
    }

    pub(crate) fn with_identity(ttl: std::time::Duration, identity: IdentityConfig) -> TokenIssuer {
        TokenIssuer {
            arc_keys: Mutex::new(HashSet::new()),
            imds_failures: Mutex::new(identity.imds_failures.iter().copied().collect()),
            oidc_failures: Mutex::new(identity.oidc_failures.iter().copied().collect()),
            ci_tokens: Mutex::new(Vec::new()),
            registered: Mutex::new(HashMap::new()),
            salt: process_salt(),
            counter: AtomicU64::new(1),
            ttl: ChronoDuration::from_std(ttl).unwrap_or(ChronoDuration::hours(1)),
            tokens: Mutex::new(HashMap::new()),
            identity,
            used_jtis: Mutex::new(HashSet::new()),
            device_codes: Mutex::new(HashMap::new()),
            refresh_tokens: Mutex::new(HashMap::new()),
        }
    }

    fn random_string(&self, prefix: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut rng = SplitMix64::new(mix64(self.salt ^ n.wrapping_mul(0xA24B_AED4_963E_E407)));
        format!(
            "{prefix}{:016x}{:016x}{:016x}",
            rng.next_u64(),
            rng.next_u64(),
            rng.next_u64()
        )
    }

    /// Unpredictable text for the CI issuers' tokens.
    pub(crate) fn random_text(&self, prefix: &str) -> String {
        self.random_string(prefix)
    }

    pub(crate) fn remember_ci_token(&self, token: &str) {
        if let Ok(mut tokens) = self.ci_tokens.lock() {
            tokens.push(token.to_string());
        }
    }

    /// The next status the CI issuers answer with before they work, if any is left.
    pub(crate) fn next_oidc_failure(&self) -> Option<u16> {
        self.oidc_failures
            .lock()
            .ok()
            .and_then(|mut f| f.pop_front())
    }

    /// Make a newly registered app known to sign-in, or update what it is allowed.
    pub(crate) fn register_client(&self, app_id: &str, update: impl FnOnce(&mut RegisteredClient)) {
        let mut registered = self.registered.lock().unwrap_or_else(|p| p.into_inner());
        update(registered.entry(app_id.to_ascii_lowercase()).or_default());
    }

    fn registered_client(&self, app_id: &str) -> Option<RegisteredClient> {
        let registered = self.registered.lock().unwrap_or_else(|p| p.into_inner());
        registered.get(&app_id.to_ascii_lowercase()).cloned()
    }

    /// Whether sign-in knows `client_id`; a registration still on its way counts one sign-in
    /// attempt off and says no.
    fn sign_in_knows(&self, client_id: &str) -> bool {
        if app(client_id).is_some() {
            return true;
        }
        let mut registered = self.registered.lock().unwrap_or_else(|p| p.into_inner());
        match registered.get_mut(&client_id.to_ascii_lowercase()) {
            Some(c) if c.unseen_sign_ins > 0 => {
                c.unseen_sign_ins -= 1;
                false
            }
            Some(_) => true,
            None => false,
        }
    }

    fn mint_refresh(&self, client_id: &str) -> String {
        let token = self.random_string("ep-emu-rt.");
        if let Ok(mut map) = self.refresh_tokens.lock() {
            map.insert(token.clone(), client_id.to_string());
        }
        token
    }

    /// Every access and refresh token issued so far (test oracle for "never printed").
    pub(crate) fn issued_secrets(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .tokens
            .lock()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        if let Ok(m) = self.refresh_tokens.lock() {
            all.extend(m.keys().cloned());
        }
        if let Ok(m) = self.device_codes.lock() {
            all.extend(m.keys().cloned());
        }
        if let Ok(m) = self.arc_keys.lock() {
            all.extend(m.iter().cloned());
        }
        if let Ok(t) = self.ci_tokens.lock() {
            all.extend(t.iter().cloned());
        }
        all
    }

    pub(crate) fn ttl_secs(&self) -> i64 {
        self.ttl.num_seconds()
    }

    pub(crate) fn mint(&self, client_id: &str, now: DateTime<Utc>) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut rng = SplitMix64::new(mix64(self.salt ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
        let token = format!(
            "ep-emu.{:016x}{:016x}{:016x}",
            rng.next_u64(),
            rng.next_u64(),
            rng.next_u64()
        );
        let roles = match app(client_id) {
            Some(a) => a.roles.iter().map(|r| (*r).to_string()).collect(),
            None => self
                .registered_client(client_id)
                .map(|c| c.scopes)
                .unwrap_or_default(),
        };
        let info = TokenInfo {
            roles,
            expires_at: now + self.ttl,
        };
        if let Ok(mut map) = self.tokens.lock() {
            map.insert(token.clone(), info);
        }
        token
    }

    /// Validates an `Authorization` header value.
    pub(crate) fn check(
        &self,
        header: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<TokenInfo, TokenRejection> {
        let raw = header.map(str::trim).unwrap_or("");
        let token = match raw.split_once(' ') {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
            _ if raw.is_empty() => "",
            _ => return Err(TokenRejection::Unknown),
        };
        if token.is_empty() {
            return Err(TokenRejection::Missing);
        }
        let info = self
            .tokens
            .lock()
            .ok()
            .and_then(|m| m.get(token).cloned())
            .ok_or(TokenRejection::Unknown)?;
        if now >= info.expires_at {
            return Err(TokenRejection::Expired);
        }
        Ok(info)
    }
}

/// Entropy for token salts: wall clock, a stack address and the pid. Not cryptographic; it
/// only has to keep tokens from being guessable from the seed.
pub(crate) fn process_salt() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let local = 0u8;
    let addr = &local as *const u8 as u64;
    hash_parts(&[
        &nanos.to_le_bytes(),
        &addr.to_le_bytes(),
        &std::process::id().to_le_bytes(),
    ])
}

/// A parsed token request. Add new grants here.
#[derive(Debug)]
enum Grant {
    ClientCredentials {
        client_id: String,
        credential: ClientCredential,
        scope: Option<String>,
    },
    DeviceCode {
        client_id: String,
        device_code: String,
    },
    RefreshToken {
        client_id: String,
        refresh_token: String,
    },
}

#[derive(Debug)]
enum ClientCredential {
    Secret(String),
    /// `client_assertion` of type jwt-bearer: a certificate-signed JWT or a federated token.
    Assertion(String),
    None,
}

/// An identity-platform error: `{"error","error_description","error_codes",...}`.
#[derive(Debug)]
struct AadError {
    status: u16,
    error: &'static str,
    code: u32,
    description: String,
}

fn aad(status: u16, error: &'static str, code: u32, description: impl Into<String>) -> AadError {
    AadError {
        status,
        error,
        code,
        description: description.into(),
    }
}

/// What the HTTP layer needs to send back.
#[derive(Debug)]
pub(crate) struct TokenResponse {
    pub(crate) status: u16,
    pub(crate) body: Value,
    /// Beyond `Content-Type`: a challenge, a `Retry-After`.
    pub(crate) headers: Vec<(&'static str, String)>,
}

/// Handles `POST /{tenant}/oauth2/v2.0/token`.
pub(crate) fn token_endpoint(
    issuer: &TokenIssuer,
    tenant: &str,
    authorization: Option<&str>,
    body: &[u8],
    graph_base: &str,
    now: DateTime<Utc>,
) -> TokenResponse {
    match grant_token(issuer, tenant, authorization, body, graph_base, now) {
        Ok(body) => TokenResponse {
            status: 200,
            body,
            headers: Vec::new(),
        },
        Err(e) => error_response(issuer, e, graph_base, now),
    }
}

fn error_response(
    issuer: &TokenIssuer,
    e: AadError,
    graph_base: &str,
    now: DateTime<Utc>,
) -> TokenResponse {
    {
        {
            let trace_id = uuid_from(issuer, now, 1);
            let correlation_id = uuid_from(issuer, now, 2);
            let stamp = now.format("%Y-%m-%d %H:%M:%SZ").to_string();
            TokenResponse {
                status: e.status,
                body: json!({
                    "error": e.error,
                    "error_description": format!(
                        "AADSTS{}: {}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {stamp}",
                        e.code, e.description
                    ),
                    "error_codes": [e.code],
                    "timestamp": stamp,
                    "trace_id": trace_id,
                    "correlation_id": correlation_id,
                    "error_uri": format!("{graph_base}/error?code={}", e.code),
                }),
                headers: Vec::new(),
            }
        }
    }
}

fn uuid_from(issuer: &TokenIssuer, now: DateTime<Utc>, k: u64) -> String {
    let n = issuer.counter.fetch_add(1, Ordering::Relaxed);
    let stamp = now.timestamp_nanos_opt().unwrap_or(0) as u64;
    SplitMix64::new(mix64(issuer.salt ^ n ^ stamp ^ k)).guid()
}

fn grant_token(
    issuer: &TokenIssuer,
    tenant: &str,
    authorization: Option<&str>,
    body: &[u8],
    graph_base: &str,
    now: DateTime<Utc>,
) -> Result<Value, AadError> {
    // `organizations`/`common` name no tenant: fine for a person signing in, not for an app.
    let any_org = ["organizations", "common"]
        .iter()
        .any(|t| t.eq_ignore_ascii_case(tenant));
    if !known_tenant(tenant) && !any_org {
        return Err(tenant_not_found(tenant));
    }
    let form: HashMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    let grant = parse_grant(&form, authorization)?;
    if any_org && matches!(grant, Grant::ClientCredentials { .. }) {
        return Err(tenant_not_found(tenant));
    }
    match grant {
        Grant::ClientCredentials {
            client_id,
            credential,
            scope,
        } => {
            let Some(app) = app(&client_id) else {
                return Err(aad(
                    400,
                    "unauthorized_client",
                    700016,
                    format!(
                        "Application with identifier '{client_id}' was not found in the directory 'ep demo'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant."
                    ),
                ));
            };
            match credential {
                _ if app.secret.is_empty() => {
                    return Err(aad(
                        401,
                        "invalid_client",
                        700025,
                        "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
                    ));
                }
                ClientCredential::Secret(s) if s == app.secret => {}
                ClientCredential::Secret(_) => {
                    return Err(aad(
                        401,
                        "invalid_client",
                        7000215,
                        "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '".to_string() + &client_id + "'.",
                    ));
                }
                ClientCredential::Assertion(raw) => {
                    check_assertion(issuer, &raw, &client_id, tenant, graph_base, now)?;
                }
                ClientCredential::None => {
                    return Err(aad(
                        401,
                        "invalid_client",
                        7000218,
                        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
                    ));
                }
            }
            check_scope(scope.as_deref(), graph_base)?;
            let token = issuer.mint(app.client_id, now);
            let ttl = issuer.ttl_secs();
            Ok(json!({
                "token_type": "Bearer",
                "expires_in": ttl,
                "ext_expires_in": ttl,
                "access_token": token,
            }))
        }
        Grant::DeviceCode {
            client_id,
            device_code,
        } => redeem_device_code(issuer, &client_id, &device_code, graph_base, now),
        Grant::RefreshToken {
            client_id,
            refresh_token,
        } => {
            let owner = issuer
                .refresh_tokens
                .lock()
                .ok()
                .and_then(|m| m.get(&refresh_token).cloned());
            match owner {
                Some(owner) if owner.eq_ignore_ascii_case(&client_id) => {
                    Ok(user_tokens(issuer, &owner, true, graph_base, now))
                }
                _ => Err(aad(
                    400,
                    "invalid_grant",
                    70000,
                    "Provided grant is invalid or malformed.",
                )),
            }
        }
    }
}

/// The token URLs an assertion's `aud` may name: this endpoint, by tenant id or domain.
fn token_urls(graph_base: &str) -> Vec<String> {
    let base = graph_base.trim_end_matches('/');
    [DEMO.tenant_id, TENANT_DOMAIN]
        .iter()
        .map(|t| format!("{base}/{t}/oauth2/v2.0/token"))
        .collect()
}

/// `iss` = client id means a certificate assertion; any other issuer a federated token.
fn check_assertion(
    issuer: &TokenIssuer,
    raw: &str,
    client_id: &str,
    _tenant: &str,
    graph_base: &str,
    now: DateTime<Utc>,
) -> Result<(), AadError> {
    let Some(jwt) = Jwt::parse(raw) else {
        return Err(aad(
            400,
            "invalid_request",
            50027,
            "JWT token is invalid or malformed.",
        ));
    };
    let result = if jwt
        .claim("iss")
        .is_some_and(|i| i.eq_ignore_ascii_case(client_id))
    {
        assertion::check_certificate_assertion(
            &jwt,
            client_id,
            &token_urls(graph_base),
            &issuer.identity.certificates,
            &issuer.used_jtis,
            now,
        )
    } else {
        assertion::check_federated_assertion(&jwt, client_id, &issuer.identity.federations, now)
    };
    result.map_err(|r| aad(401, "invalid_client", r.code, r.description))
}

/// Access token (+ refresh token with `offline_access`) for a signed-in person.
fn user_tokens(
    issuer: &TokenIssuer,
    client_id: &str,
    offline_access: bool,
    graph_base: &str,
    now: DateTime<Utc>,
) -> Value {
    let ttl = issuer.ttl_secs();
    let mut body = json!({
        "token_type": "Bearer",
        "scope": format!("{}/.default", graph_base.trim_end_matches('/')),
        "expires_in": ttl,
        "ext_expires_in": ttl,
        "access_token": issuer.mint(client_id, now),
    });
    if offline_access {
        body["refresh_token"] = Value::String(issuer.mint_refresh(client_id));
    }
    body
}

fn redeem_device_code(
    issuer: &TokenIssuer,
    client_id: &str,
    device_code: &str,
    graph_base: &str,
    now: DateTime<Utc>,
) -> Result<Value, AadError> {
    let mut codes = issuer
        .device_codes
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let Some(state) = codes.get_mut(device_code) else {
        return Err(aad(
            400,
            "bad_verification_code",
            70000,
            "The provided value for the input parameter 'device_code' is not valid.",
        ));
    };
    if !state.client_id.eq_ignore_ascii_case(client_id) {
        return Err(aad(
            400,
            "invalid_grant",
            70000,
            "The device code was issued to another application.",
        ));
    }
    if now >= state.expires_at {
        codes.remove(device_code);
        return Err(aad(
            400,
            "expired_token",
            70019,
            "Verification code expired.",
        ));
    }
    if state.polls < DEVICE_CODE_PENDING_POLLS {
        state.polls += 1;
        return Err(aad(
            400,
            "authorization_pending",
            70016,
            "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
        ));
    }
    let offline = state.offline_access;
    let owner = state.client_id.clone();
    codes.remove(device_code);
    drop(codes);
    if let Some(client) = issuer.registered_client(&owner) {
        // What Entra checks once the person has signed in: a registration without "allow
        // public client flows" needs a credential, and one nobody consented to gets no token.
        if !client.public {
            return Err(aad(
                401,
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            ));
        }
        if client.scopes.is_empty() {
            return Err(aad(
                400,
                "invalid_grant",
                65001,
                format!(
                    "The user or administrator has not consented to use the application with ID '{owner}'. Send an interactive authorization request for this user and resource."
                ),
            ));
        }
    }
    Ok(user_tokens(issuer, &owner, offline, graph_base, now))
}

fn known_tenant(tenant: &str) -> bool {
    tenant.eq_ignore_ascii_case(DEMO.tenant_id) || tenant.eq_ignore_ascii_case(TENANT_DOMAIN)
}

fn tenant_not_found(tenant: &str) -> AadError {
    aad(
        400,
        "invalid_request",
        90002,
        format!(
            "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
        ),
    )
}

/// Handles `POST /{tenant}/oauth2/v2.0/devicecode`.
pub(crate) fn device_code_endpoint(
    issuer: &TokenIssuer,
    tenant: &str,
    body: &[u8],
    graph_base: &str,
    now: DateTime<Utc>,
) -> TokenResponse {
    let result = (|| {
        let any_org = ["organizations", "common"]
            .iter()
            .any(|t| t.eq_ignore_ascii_case(tenant));
        if !any_org && !known_tenant(tenant) {
            return Err(tenant_not_found(tenant));
        }
        let form: HashMap<String, String> =
            url::form_urlencoded::parse(body).into_owned().collect();
        let client_id = form.get("client_id").cloned().unwrap_or_default();
        if !issuer.sign_in_knows(&client_id) {
            return Err(unknown_app(&client_id));
        }
        let scope = form.get("scope").cloned().unwrap_or_default();
        let offline_access = scope.split_whitespace().any(|s| s == "offline_access");
        let resource_scope: Vec<&str> = scope
            .split_whitespace()
            .filter(|s| !["offline_access", "openid", "profile", "email"].contains(s))
            .collect();
        check_scope(Some(&resource_scope.join(" ")), graph_base)?;
        let device_code = issuer.random_string("ep-emu-dc.");
        let user_code: String = issuer.random_string("")[..9].to_ascii_uppercase();
        let expires_in = 900;
        if let Ok(mut codes) = issuer.device_codes.lock() {
            codes.insert(
                device_code.clone(),
                DeviceCodeState {
                    client_id: client_id.to_ascii_lowercase(),
                    offline_access,
                    polls: 0,
                    expires_at: now + ChronoDuration::seconds(expires_in),
                },
            );
        }
        let uri = format!("{}/devicelogin", graph_base.trim_end_matches('/'));
        Ok(json!({
            "user_code": user_code,
            "device_code": device_code,
            "verification_uri": uri,
            "expires_in": expires_in,
            "interval": issuer.identity.device_code_interval,
            "message": format!("To sign in, use a web browser to open the page {uri} and enter the code {user_code} to authenticate. (ep emulator: the sign-in completes by itself after {DEVICE_CODE_PENDING_POLLS} polls.)"),
        }))
    })();
    match result {
        Ok(body) => TokenResponse {
            status: 200,
            body,
            headers: Vec::new(),
        },
        Err(e) => error_response(issuer, e, graph_base, now),
    }
}

fn unknown_app(client_id: &str) -> AadError {
    aad(
        400,
        "unauthorized_client",
        700016,
        format!(
            "Application with identifier '{client_id}' was not found in the directory 'ep demo'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant."
        ),
    )
}

/// Which managed identity endpoint is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ManagedIdentityFlavor {
    /// App Service / Functions: `X-IDENTITY-HEADER`, `expires_on` only.
    AppService,
    /// The VM's Instance Metadata Service: `Metadata: true`, all lifetimes as strings.
    Imds,
    /// Azure Arc's Connected Machine agent on the IMDS path: IMDS's answers, behind a 401
    /// challenge that names a key file only privileged local users can read.
    Arc,
}

/// The request headers a managed identity endpoint looks at.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ManagedIdentityHeaders<'a> {
    pub(crate) metadata: Option<&'a str>,
    pub(crate) identity_header: Option<&'a str>,
    pub(crate) authorization: Option<&'a str>,
}

/// The `Retry-After` (seconds) of an IMDS 429 from `imds_failures`: longer than a client's
/// first backoff step, so a test can tell the header was followed.
pub(crate) const IMDS_THROTTLE_RETRY_AFTER_SECS: u64 = 2;

/// What IMDS says while it cannot serve tokens, from its documented error table.
fn imds_failure(status: u16) -> TokenResponse {
    let (error, description) = match status {
        404 => ("not_found", "IMDS endpoint is updating."),
        410 => (
            "gone",
            "IMDS is going through updates and will be available within 70 seconds.",
        ),
        429 => ("too_many_requests", "IMDS Throttle limit reached."),
        _ => ("server_error", "Transient error from service."),
    };
    TokenResponse {
        status,
        body: json!({"error": error, "error_description": description}),
        headers: if status == 429 {
            vec![("Retry-After", IMDS_THROTTLE_RETRY_AFTER_SECS.to_string())]
        } else {
            Vec::new()
        },
    }
}

/// Azure Arc's challenge: a fresh key written as `<guid>.key` into `dir`, named in
/// `WWW-Authenticate`. Whoever can read it may present its content as `Basic` credentials.
fn arc_challenge(issuer: &TokenIssuer, dir: &Path) -> TokenResponse {
    let key = issuer.random_string("ep-emu-arc-key.");
    let path = dir.join(format!("{}.key", uuid::Uuid::new_v4()));
    if let Err(e) = write_key(&path, &key) {
        return TokenResponse {
            status: 500,
            body: json!({
                "error": "server_error",
                "error_description": format!("could not write {}: {e}", path.display()),
            }),
            headers: Vec::new(),
        };
    }
    if let Ok(mut keys) = issuer.arc_keys.lock() {
        keys.insert(key);
    }
    TokenResponse {
        status: 401,
        body: json!({
            "error": "unauthorized",
            "error_description": "Authentication required: present the key file named in WWW-Authenticate.",
        }),
        headers: vec![(
            "WWW-Authenticate",
            format!("Basic realm={}", path.display()),
        )],
    }
}

/// Readable by its owner only, as the agent keeps them.
fn write_key(path: &Path, key: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(key.as_bytes())
}

/// Handles `GET /msi/token` (App Service) and `GET /metadata/identity/oauth2/token` (IMDS, or
/// Azure Arc when the emulator has a key directory). The system-assigned identity is the demo
/// app; `client_id` picks another (user-assigned).
pub(crate) fn managed_identity_endpoint(
    issuer: &TokenIssuer,
    flavor: ManagedIdentityFlavor,
    query: Option<&str>,
    headers: ManagedIdentityHeaders<'_>,
    graph_base: &str,
    now: DateTime<Utc>,
) -> TokenResponse {
    let q: HashMap<String, String> = url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .into_owned()
        .collect();
    let fail = |status: u16, error: &str, description: &str| TokenResponse {
        status,
        body: match flavor {
            ManagedIdentityFlavor::Imds | ManagedIdentityFlavor::Arc => {
                json!({"error": error, "error_description": description})
            }
            ManagedIdentityFlavor::AppService => {
                json!({"statusCode": status, "message": description})
            }
        },
        headers: Vec::new(),
    };
    if flavor != ManagedIdentityFlavor::AppService {
        // Before anything else: an updating IMDS does not look at the request.
        let failure = issuer
            .imds_failures
            .lock()
            .ok()
            .and_then(|mut f| f.pop_front());
        if let Some(status) = failure {
            return imds_failure(status);
        }
    }
    match flavor {
        ManagedIdentityFlavor::Imds | ManagedIdentityFlavor::Arc
            if headers.metadata != Some("true") =>
        {
            return fail(
                400,
                "invalid_request",
                "Required metadata header not specified",
            );
        }
        ManagedIdentityFlavor::AppService
            if headers
                .identity_header
                .is_none_or(|h| h != issuer.identity.identity_header) =>
        {
            return fail(
                401,
                "unauthorized",
                "X-IDENTITY-HEADER is missing or does not match IDENTITY_HEADER.",
            );
        }
        ManagedIdentityFlavor::Arc => {
            let Some(dir) = &issuer.identity.arc_key_dir else {
                return fail(500, "server_error", "no key directory configured");
            };
            let Some(authorization) = headers.authorization else {
                return arc_challenge(issuer, dir);
            };
            let known = authorization
                .split_once(' ')
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
                .is_some_and(|(_, key)| {
                    issuer
                        .arc_keys
                        .lock()
                        .is_ok_and(|keys| keys.contains(key.trim()))
                });
            if !known {
                return fail(
                    401,
                    "unauthorized",
                    "The key in the Authorization header is not one this agent issued.",
                );
            }
            if q.contains_key("client_id") {
                return fail(
                    400,
                    "invalid_request",
                    "User-assigned identities are not supported on Azure Arc.",
                );
            }
        }
        _ => {}
    }
    if !q.contains_key("api-version") {
        return fail(
            400,
            "invalid_request",
            "Required query variable 'api-version' is missing",
        );
    }
    let resource = q
        .get("resource")
        .map(|r| r.trim_end_matches('/'))
        .unwrap_or_default();
    let accepted = [
        graph_base.trim_end_matches('/'),
        "https://graph.microsoft.com",
    ];
    if !accepted.iter().any(|a| a.eq_ignore_ascii_case(resource)) {
        return fail(
            400,
            "invalid_resource",
            &format!(
                "AADSTS500011: The resource principal named {resource} was not found in the tenant named ep demo."
            ),
        );
    }
    let identity = match q.get("client_id") {
        Some(id) => match app(id) {
            Some(a) => a.client_id,
            None => return fail(400, "invalid_request", "Identity not found"),
        },
        None => DEMO.client_id,
    };
    let ttl = issuer.ttl_secs();
    let token = issuer.mint(identity, now);
    let expires_on = (now.timestamp() + ttl).to_string();
    let body = match flavor {
        ManagedIdentityFlavor::AppService => json!({
            "access_token": token,
            "expires_on": expires_on,
            "resource": resource,
            "token_type": "Bearer",
            "client_id": identity,
        }),
        ManagedIdentityFlavor::Imds | ManagedIdentityFlavor::Arc => json!({
            "access_token": token,
            "refresh_token": "",
            "expires_in": ttl.to_string(),
            "expires_on": expires_on,
            "not_before": now.timestamp().to_string(),
            "resource": resource,
            "token_type": "Bearer",
        }),
    };
    TokenResponse {
        status: 200,
        body,
        headers: Vec::new(),
    }
}

fn parse_grant(
    form: &HashMap<String, String>,
    authorization: Option<&str>,
) -> Result<Grant, AadError> {
    let Some(grant_type) = form.get("grant_type") else {
        return Err(aad(
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'grant_type'.",
        ));
    };
    match grant_type.as_str() {
        "client_credentials" => {
            // RFC 6749 §2.3.1: credentials may come in HTTP Basic auth instead of the body.
            let basic = authorization.and_then(parse_basic);
            let client_id = form
                .get("client_id")
                .cloned()
                .or_else(|| basic.as_ref().map(|(id, _)| id.clone()));
            let Some(client_id) = client_id else {
                return Err(aad(
                    400,
                    "invalid_request",
                    900144,
                    "The request body must contain the following parameter: 'client_id'.",
                ));
            };
            let credential = if let Some(s) = form.get("client_secret") {
                ClientCredential::Secret(s.clone())
            } else if let Some((_, s)) = basic {
                ClientCredential::Secret(s)
            } else if let Some(a) = form.get("client_assertion") {
                if form.get("client_assertion_type").map(String::as_str)
                    != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
                {
                    return Err(aad(
                        400,
                        "invalid_request",
                        90014,
                        "The request body must contain the following parameter: 'client_assertion_type'.",
                    ));
                }
                ClientCredential::Assertion(a.clone())
            } else {
                ClientCredential::None
            };
            Ok(Grant::ClientCredentials {
                client_id,
                credential,
                scope: form.get("scope").cloned(),
            })
        }
        "urn:ietf:params:oauth:grant-type:device_code" => Ok(Grant::DeviceCode {
            client_id: required(form, "client_id")?,
            device_code: required(form, "device_code")?,
        }),
        "refresh_token" => Ok(Grant::RefreshToken {
            client_id: required(form, "client_id")?,
            refresh_token: required(form, "refresh_token")?,
        }),
        other => Err(aad(
            400,
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{other}'."),
        )),
    }
}

fn required(form: &HashMap<String, String>, name: &str) -> Result<String, AadError> {
    form.get(name).cloned().ok_or_else(|| {
        aad(
            400,
            "invalid_request",
            900144,
            format!("The request body must contain the following parameter: '{name}'."),
        )
    })
}

fn parse_basic(header: &str) -> Option<(String, String)> {
    let (scheme, rest) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    // RFC 7617 credentials are padded standard base64, but missing or extra trailing `=` is
    // accepted, as it always was here: the padding carries no information, and rejecting it
    // would fail clients over a formality. Anything else malformed (a stray character, a
    // dangling symbol, non-zero trailing bits) is still not credentials.
    let raw = STANDARD_NO_PAD
        .decode(rest.trim().trim_end_matches('='))
        .ok()?;
    let decoded = String::from_utf8(raw).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Some((unescape(id), unescape(secret)))
}

/// Client credentials take exactly one `{resource}/.default` scope.
fn check_scope(scope: Option<&str>, graph_base: &str) -> Result<(), AadError> {
    let Some(scope) = scope.map(str::trim).filter(|s| !s.is_empty()) else {
        return Err(aad(
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'scope'.",
        ));
    };
    let invalid = || {
        aad(
            400,
            "invalid_scope",
            70011,
            format!(
                "The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."
            ),
        )
    };
    if scope.split_whitespace().count() != 1 {
        return Err(invalid());
    }
    let resource = scope.strip_suffix("/.default").ok_or_else(invalid)?;
    let resource = resource.trim_end_matches('/');
    let accepted = [
        graph_base.trim_end_matches('/'),
        "https://graph.microsoft.com",
    ];
    if accepted.iter().any(|a| a.eq_ignore_ascii_case(resource)) {
        Ok(())
    } else {
        Err(invalid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "http://127.0.0.1:9";

    fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
            .into_bytes()
    }

    fn call(tenant: &str, pairs: &[(&str, &str)], auth: Option<&str>) -> TokenResponse {
        let issuer = TokenIssuer::new(std::time::Duration::from_secs(60));
        token_endpoint(&issuer, tenant, auth, &form(pairs), BASE, Utc::now())
    }

    #[test]
    fn issues_and_checks_tokens() {
        let issuer = TokenIssuer::new(std::time::Duration::from_secs(60));
        let now = Utc::now();
        let t = issuer.mint(DEMO.client_id, now);
        let t2 = issuer.mint(DEMO.client_id, now);
        assert_ne!(t, t2);
        let info = issuer.check(Some(&format!("Bearer {t}")), now).unwrap();
        assert!(info.has_role(ROLE_READ_WRITE));
        assert_eq!(
            issuer.check(None, now).unwrap_err(),
            TokenRejection::Missing
        );
        assert_eq!(
            issuer.check(Some("Bearer nope"), now).unwrap_err(),
            TokenRejection::Unknown
        );
        assert_eq!(
            issuer
                .check(
                    Some(&format!("Bearer {t}")),
                    now + ChronoDuration::seconds(61)
                )
                .unwrap_err(),
            TokenRejection::Expired
        );
    }

    #[test]
    fn token_endpoint_errors() {
        let good = [
            ("grant_type", "client_credentials"),
            ("client_id", DEMO.client_id),
            ("client_secret", DEMO.client_secret),
            ("scope", "https://graph.microsoft.com/.default"),
        ];
        let r = call(DEMO.tenant_id, &good, None);
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(
            r.body["access_token"]
                .as_str()
                .unwrap()
                .starts_with("ep-emu.")
        );
        assert_eq!(call(TENANT_DOMAIN, &good, None).status, 200);

        let r = call("00000000-0000-0000-0000-000000000000", &good, None);
        assert_eq!(
            (r.status, r.body["error"].as_str()),
            (400, Some("invalid_request"))
        );
        assert_eq!(r.body["error_codes"][0], 90002);

        let mut bad = good;
        bad[3] = ("scope", "https://foo.microsoft.com/.default");
        let r = call(DEMO.tenant_id, &bad, None);
        assert_eq!(
            (r.status, r.body["error"].as_str()),
            (400, Some("invalid_scope"))
        );
        assert!(
            r.body["error_description"]
                .as_str()
                .unwrap()
                .starts_with("AADSTS70011:")
        );
        bad[3] = (
            "scope",
            "https://graph.microsoft.com/.default offline_access",
        );
        assert_eq!(
            call(DEMO.tenant_id, &bad, None).body["error"],
            "invalid_scope"
        );
        let own = format!("{BASE}/.default");
        bad[3] = ("scope", &own);
        assert_eq!(call(DEMO.tenant_id, &bad, None).status, 200);

        let mut bad = good;
        bad[1] = ("client_id", "11111111-2222-3333-4444-555555555555");
        let r = call(DEMO.tenant_id, &bad, None);
        assert_eq!(
            (r.status, r.body["error"].as_str()),
            (400, Some("unauthorized_client"))
        );
        assert_eq!(r.body["error_codes"][0], 700016);

        let mut bad = good;
        bad[2] = ("client_secret", "wrong");
        let r = call(DEMO.tenant_id, &bad, None);
        assert_eq!(
            (r.status, r.body["error"].as_str()),
            (401, Some("invalid_client"))
        );
        assert_eq!(r.body["error_codes"][0], 7000215);

        let mut bad = good;
        bad[0] = ("grant_type", "password");
        let r = call(DEMO.tenant_id, &bad, None);
        assert_eq!(
            (r.status, r.body["error"].as_str()),
            (400, Some("unsupported_grant_type"))
        );
        assert_eq!(r.body["error_codes"][0], 70003);
    }

    #[test]
    fn basic_credentials_tolerate_padding_but_not_garbage() {
        let pair = Some(("a b".to_string(), "p:w".to_string()));
        // "a+b:p%3Aw": form-escaped as a client following RFC 6749 section 2.3.1 sends it.
        for encoded in ["YStiOnAlM0F3", "YStiOnAlM0F3=", "YStiOnAlM0F3=="] {
            assert_eq!(parse_basic(&format!("Basic {encoded}")), pair, "{encoded}");
            assert_eq!(
                parse_basic(&format!(" basic  {encoded} ")),
                pair,
                "{encoded}"
            );
        }
        assert_eq!(
            parse_basic("Basic dXNlcjpwYXNz"),
            Some(("user".to_string(), "pass".to_string()))
        );
        // "u:p" padded, unpadded and over-padded.
        for encoded in ["dTpw", "dTpw=", "dTo=", "dTo", "dTo==="] {
            assert!(
                parse_basic(&format!("Basic {encoded}")).is_some(),
                "{encoded}"
            );
        }
        for bad in [
            "Basic dTp",      // non-zero trailing bits
            "Basic dTpwY",    // a dangling symbol
            "Basic dT=w",     // padding inside
            "Basic dTp!",     // not the alphabet
            "Basic dTpw_-8",  // the URL-safe alphabet
            "Bearer dTpw",    // another scheme
            "Basic /w==",     // not UTF-8
            "Basic dXNlcg==", // no colon
        ] {
            assert_eq!(parse_basic(bad), None, "{bad}");
        }
    }

    #[test]
    fn basic_auth_is_accepted() {
        let creds = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", DEMO.reader_client_id, DEMO.reader_client_secret).as_bytes());
        let r = call(
            DEMO.tenant_id,
            &[
                ("grant_type", "client_credentials"),
                ("scope", "https://graph.microsoft.com/.default"),
            ],
            Some(&format!("Basic {creds}")),
        );
        assert_eq!(r.status, 200, "{}", r.body);
    }

    #[test]
    fn azure_arc_challenges_with_a_key_file_and_accepts_only_its_content() {
        let dir = std::env::temp_dir().join(format!("ep-arc-unit-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let issuer = TokenIssuer::with_identity(
            std::time::Duration::from_secs(60),
            IdentityConfig {
                arc_key_dir: Some(dir.clone()),
                imds_failures: vec![410],
                ..IdentityConfig::default()
            },
        );
        let query = "api-version=2020-06-01&resource=https://graph.microsoft.com";
        let ask = |metadata: Option<&str>, authorization: Option<&str>| {
            managed_identity_endpoint(
                &issuer,
                ManagedIdentityFlavor::Arc,
                Some(query),
                ManagedIdentityHeaders {
                    metadata,
                    authorization,
                    identity_header: None,
                },
                BASE,
                Utc::now(),
            )
        };
        assert_eq!(ask(Some("true"), None).status, 410, "the knob comes first");
        assert_eq!(ask(None, None).status, 400, "Metadata: true is required");
        let challenge = ask(Some("true"), None);
        assert_eq!(challenge.status, 401);
        let (_, realm) = challenge
            .headers
            .iter()
            .find(|(k, _)| *k == "WWW-Authenticate")
            .unwrap();
        let path = realm.strip_prefix("Basic realm=").unwrap();
        assert!(path.starts_with(dir.to_str().unwrap()) && path.ends_with(".key"));
        let key = std::fs::read_to_string(path).unwrap();
        assert!(issuer.issued_secrets().contains(&key));
        assert_eq!(ask(Some("true"), Some("Basic wrong")).status, 401);
        let r = ask(Some("true"), Some(&format!("Basic {key}")));
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body["expires_in"].is_string());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
