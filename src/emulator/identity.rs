//! The identity platform's v2.0 token endpoint (client credentials) and the emulator's
//! access-token registry.
//!
//! Grant types are parsed into a [`Grant`] first and then authenticated, so adding a client
//! assertion (certificate), device code or managed-identity grant means adding a variant and
//! a match arm, not touching the error plumbing.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use serde_json::{Value, json};

use super::DEMO;
use super::odata::base64_decode;
use super::seed::{SplitMix64, hash_parts, mix64};

pub(crate) const ROLE_READ: &str = "EntitlementManagement.Read.All";
pub(crate) const ROLE_READ_WRITE: &str = "EntitlementManagement.ReadWrite.All";
pub(crate) const TENANT_DOMAIN: &str = "ep-demo.onmicrosoft.com";

/// An app registration known to the demo tenant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AppRegistration {
    pub(crate) client_id: &'static str,
    pub(crate) secret: &'static str,
    pub(crate) roles: &'static [&'static str],
}

pub(crate) const APPS: &[AppRegistration] = &[
    AppRegistration {
        client_id: DEMO.client_id,
        secret: DEMO.client_secret,
        roles: &[ROLE_READ_WRITE],
    },
    AppRegistration {
        client_id: DEMO.reader_client_id,
        secret: DEMO.reader_client_secret,
        roles: &[ROLE_READ],
    },
];

pub(crate) fn app(client_id: &str) -> Option<&'static AppRegistration> {
    APPS.iter()
        .find(|a| a.client_id.eq_ignore_ascii_case(client_id))
}

#[derive(Debug, Clone)]
pub(crate) struct TokenInfo {
    // Not read by the handlers yet; kept so per-client behaviour (e.g. per-app throttling
    // as Graph does it) can be added without changing the registry.
    #[allow(dead_code)]
    pub(crate) client_id: String,
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
}

impl TokenIssuer {
    pub(crate) fn new(ttl: std::time::Duration) -> TokenIssuer {
        TokenIssuer {
            salt: process_salt(),
            counter: AtomicU64::new(1),
            ttl: ChronoDuration::from_std(ttl).unwrap_or(ChronoDuration::hours(1)),
            tokens: Mutex::new(HashMap::new()),
        }
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
        let roles = app(client_id)
            .map(|a| a.roles.iter().map(|r| (*r).to_string()).collect())
            .unwrap_or_default();
        let info = TokenInfo {
            client_id: client_id.to_string(),
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
}

#[derive(Debug)]
enum ClientCredential {
    Secret(String),
    /// `client_assertion` (certificate or federated token): recognised, not yet verified.
    Assertion,
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
        Ok(body) => TokenResponse { status: 200, body },
        Err(e) => {
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
    if !(tenant.eq_ignore_ascii_case(DEMO.tenant_id) || tenant.eq_ignore_ascii_case(TENANT_DOMAIN))
    {
        return Err(aad(
            400,
            "invalid_request",
            90002,
            format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
            ),
        ));
    }
    let form: HashMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    let grant = parse_grant(&form, authorization)?;
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
                ClientCredential::Secret(s) if s == app.secret => {}
                ClientCredential::Secret(_) => {
                    return Err(aad(
                        401,
                        "invalid_client",
                        7000215,
                        "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '".to_string() + &client_id + "'.",
                    ));
                }
                ClientCredential::Assertion => {
                    return Err(aad(
                        401,
                        "invalid_client",
                        700027,
                        "Client assertion failed signature validation. (The ep emulator has no certificate registered for this app.)",
                    ));
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
            } else if form.contains_key("client_assertion") {
                ClientCredential::Assertion
            } else {
                ClientCredential::None
            };
            Ok(Grant::ClientCredentials {
                client_id,
                credential,
                scope: form.get("scope").cloned(),
            })
        }
        other => Err(aad(
            400,
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{other}'."),
        )),
    }
}

fn parse_basic(header: &str) -> Option<(String, String)> {
    let (scheme, rest) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(base64_decode(rest.trim())?).ok()?;
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
    fn basic_auth_is_accepted() {
        let creds = super::super::odata::base64_encode(
            format!("{}:{}", DEMO.reader_client_id, DEMO.reader_client_secret).as_bytes(),
        );
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
}
