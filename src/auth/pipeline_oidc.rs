//! The OIDC token a CI system hands its running job (GitHub Actions' ID token, Azure Pipelines'
//! service-connection token), asked for at every sign-in with the job's own request token. Both
//! are then exchanged for a Graph token as a client assertion, like a federated token file.
//!
//! The request token and the OIDC token are bearer credentials: both are registered for
//! redaction before anything can print them, go only to the URL the pipeline gave, and only over
//! https (plain http only to loopback, where the emulator plays the CI service).

use super::client_secret::token_url;
use super::http::{RawResponse, exchange, post_client_assertion};
use super::{AccessToken, AuthError, Secret, TokenEndpoint, TokenSource};
use async_trait::async_trait;
use std::net::IpAddr;
use std::time::Duration;
use url::Url;

/// A JWT from a CI issuer is one or two kilobytes; anything much larger is not one.
const MAX_TOKEN_CHARS: usize = 16 * 1024;

/// At most this much of a service's error message is repeated (sanitised on output like all).
const MAX_MESSAGE_CHARS: usize = 200;

/// Waits before the retries of a throttled or failing endpoint (the CI services blip too).
const RETRY_WAITS: [Duration; 3] = [
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_secs(2),
];
/// A `Retry-After` is followed up to this; a CI job should not park on a bad header.
const RETRY_AFTER_MAX: Duration = Duration::from_secs(10);

/// What to tell the user when the endpoint says no, per kind of answer.
pub(super) struct Hints {
    /// 401, or a redirect to a sign-in page: the request token was not accepted.
    pub(super) refused: &'static str,
    pub(super) forbidden: &'static str,
    pub(super) not_found: &'static str,
    /// Anything else: a bad request, an answer without a token.
    pub(super) other: &'static str,
}

/// One kind of CI endpoint.
pub(super) struct OidcEndpoint {
    pub(super) source_name: &'static str,
    /// "the GitHub Actions ID token endpoint", for messages.
    pub(super) what: &'static str,
    pub(super) method: reqwest::Method,
    pub(super) url: Url,
    pub(super) bearer: Secret,
    /// Beyond `Authorization`, e.g. `Accept` or Azure DevOps' `X-TFS-FedAuthRedirect`.
    pub(super) headers: &'static [(&'static str, &'static str)],
    /// The JSON member holding the token: `value` (GitHub), `oidcToken` (Azure DevOps).
    pub(super) field: &'static str,
    pub(super) hints: Hints,
}

/// A CI job signing in as itself: a fresh OIDC token from the CI service at every acquisition
/// (they live minutes, a run can take longer; azure-identity asks for one per token too),
/// exchanged for a Graph token as a client assertion.
pub struct PipelineOidcSource {
    endpoint: OidcEndpoint,
    token_url: String,
    client_id: String,
    scope: String,
}

impl PipelineOidcSource {
    pub(super) fn new(
        endpoint: OidcEndpoint,
        (tenant, client_id): (String, String),
        token_endpoint: &TokenEndpoint,
    ) -> Self {
        PipelineOidcSource {
            endpoint,
            token_url: token_url(&token_endpoint.authority_host, &tenant),
            client_id,
            scope: token_endpoint.scope.clone(),
        }
    }
}

#[async_trait]
impl TokenSource for PipelineOidcSource {
    fn name(&self) -> &'static str {
        self.endpoint.source_name
    }

    async fn acquire(&self, http: &reqwest::Client) -> Result<AccessToken, AuthError> {
        let assertion = self.endpoint.token(http).await?;
        post_client_assertion(
            http,
            self.endpoint.source_name,
            &self.token_url,
            &self.client_id,
            &assertion,
            &self.scope,
        )
        .await
    }
}

/// A CI endpoint from its variable: https anywhere, plain http only to loopback; never with a
/// user name or password in it.
pub(super) fn endpoint_url(
    source_name: &'static str,
    variable: &str,
    raw: &str,
) -> Result<Url, AuthError> {
    let bad = |why: &str| AuthError::Incomplete {
        method: source_name,
        missing: format!("{variable} {why}"),
    };
    let url = Url::parse(raw.trim()).map_err(|_| bad("is not a URL"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("has a user name or password in it"));
    }
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => return Err(bad("has no host")),
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        _ => Err(bad(
            "must be an https URL (plain http only to 127.0.0.1, ::1 or localhost)",
        )),
    }
}

impl OidcEndpoint {
    /// The OIDC token, retried while the endpoint throttles or fails.
    pub(super) async fn token(&self, http: &reqwest::Client) -> Result<String, AuthError> {
        let mut waits = RETRY_WAITS.into_iter();
        loop {
            let failure = match self.once(http).await {
                Ok(token) => return Ok(token),
                Err(failure) => failure,
            };
            match (failure, waits.next()) {
                (Failure::Transient { retry_after, .. }, Some(wait)) => {
                    let wait = retry_after.map_or(wait, |r| r.min(RETRY_AFTER_MAX));
                    crate::diag::trace(
                        1,
                        format!("{}: retrying in {} ms", self.source_name, wait.as_millis()),
                    );
                    tokio::time::sleep(wait).await;
                }
                (Failure::Transient { error, .. } | Failure::Final(error), _) => {
                    return Err(error);
                }
            }
        }
    }

    async fn once(&self, http: &reqwest::Client) -> Result<String, Failure> {
        let bearer = format!("Bearer {}", self.bearer.expose());
        let mut shown: Vec<(&str, &str)> = vec![("Authorization", &bearer)];
        shown.extend(self.headers.iter().copied());
        let request = shown.iter().fold(
            http.request(self.method.clone(), self.url.clone()),
            |r, (k, v)| r.header(*k, *v),
        );
        // Azure DevOps wants a body on its POST, even an empty one (Content-Length: 0).
        let request = if self.method == reqwest::Method::POST {
            request.body("")
        } else {
            request
        };
        let raw = exchange(
            self.source_name,
            request,
            self.method.as_str(),
            self.url.as_str(),
            &shown,
            None,
        )
        .await
        .map_err(|e| {
            let detail = match e {
                AuthError::Unreachable { url, detail, .. } => {
                    format!("could not reach {} at {url}: {detail}", self.what)
                }
                other => other.to_string(),
            };
            Failure::Transient {
                error: self.error(detail, "check the runner's network, then re-run the job"),
                retry_after: None,
            }
        })?;
        let result = self.judge(&raw);
        // Logged only now: a token in the answer is registered as a secret by `judge`.
        crate::http::trace_wire("<", &raw.headers, Some(&raw.body));
        result
    }

    fn error(&self, detail: String, hint: &str) -> AuthError {
        AuthError::Oidc {
            source_name: self.source_name,
            detail,
            hint: hint.to_string(),
        }
    }

    /// What an answer means: the token, a failure worth retrying, or a final one.
    fn judge(&self, raw: &RawResponse) -> Result<String, Failure> {
        let status = raw.status;
        let said = server_message(&raw.body)
            .map(|m| format!(": {m}"))
            .unwrap_or_default();
        let final_error = |detail: String, hint: &str| Failure::Final(self.error(detail, hint));
        match status {
            // Azure DevOps answers a rejected token with 203 and its sign-in page unless told
            // not to redirect; either way the request token was not accepted.
            203 | 300..=399 | 401 => Err(final_error(
                format!(
                    "{} did not accept the job's request token ({status}){said}",
                    self.what
                ),
                self.hints.refused,
            )),
            200..=299 => self.token_in(&raw.body).map_err(|detail| {
                final_error(
                    format!("{} answered {status} {detail}", self.what),
                    self.hints.other,
                )
            }),
            403 => Err(final_error(
                format!("{} refused the request ({status}){said}", self.what),
                self.hints.forbidden,
            )),
            404 => Err(final_error(
                format!("{} was not found ({status}){said}", self.what),
                self.hints.not_found,
            )),
            408 | 429 | 500..=599 => Err(Failure::Transient {
                error: self.error(
                    format!("{} kept failing ({status}){said}", self.what),
                    "the CI service is having trouble: re-run the job later",
                ),
                retry_after: raw
                    .headers
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(crate::http::parse_retry_after),
            }),
            _ => Err(final_error(
                format!("{} refused the request ({status}){said}", self.what),
                self.hints.other,
            )),
        }
    }

    /// The token in a 2xx body, registered as a secret; else what is wrong with the body.
    fn token_in(&self, body: &[u8]) -> Result<String, String> {
        let expected = format!(
            "(expected JSON with a \"{}\" member holding a JWT)",
            self.field
        );
        let json: serde_json::Value = serde_json::from_slice(body)
            .map_err(|_| format!("something that is not JSON {expected}"))?;
        let token = json
            .get(self.field)
            .and_then(serde_json::Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| format!("without a token {expected}"))?;
        if token.len() > MAX_TOKEN_CHARS {
            return Err(format!("a \"{}\" far too long for a JWT", self.field));
        }
        // Registered before anything can quote it (the -vv log of this answer comes later).
        crate::redact::register_secret(token);
        if !is_jwt(token) {
            return Err(format!("a \"{}\" that is not a JWT", self.field));
        }
        Ok(token.to_string())
    }
}

enum Failure {
    /// Throttled, failing or unreachable: worth another try.
    Transient {
        error: AuthError,
        retry_after: Option<Duration>,
    },
    Final(AuthError),
}

/// Three base64url segments, the first two JSON objects' encodings (`eyJ`, `{"`).
fn is_jwt(token: &str) -> bool {
    let parts: Vec<&str> = token.split('.').collect();
    parts.len() == 3
        && parts[0].starts_with("eyJ")
        && parts[1].starts_with("eyJ")
        && parts.iter().all(|p| {
            p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

/// The service's own words, from its JSON error (`message`, or Web API's `value.Message`), made
/// safe and short. Server text is hostile: it is never echoed whole.
fn server_message(body: &[u8]) -> Option<String> {
    let json: serde_json::Value = serde_json::from_slice(body).ok()?;
    let message = json
        .get("message")
        .or_else(|| json.get("Message"))
        .or_else(|| json.get("value").and_then(|v| v.get("Message")))
        .and_then(serde_json::Value::as_str)?;
    let message = crate::redact::redact_text(message.lines().next().unwrap_or_default().trim());
    if message.is_empty() {
        return None;
    }
    let mut chars = message.chars();
    let head: String = chars.by_ref().take(MAX_MESSAGE_CHARS).collect();
    Some(if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint() -> OidcEndpoint {
        OidcEndpoint {
            source_name: "github-actions",
            what: "the endpoint",
            method: reqwest::Method::GET,
            url: Url::parse("https://example.com/idtoken").unwrap(),
            bearer: Secret::new("request-token-for-unit-tests"),
            headers: &[],
            field: "value",
            hints: Hints {
                refused: "refused",
                forbidden: "forbidden",
                not_found: "not found",
                other: "other",
            },
        }
    }

    fn raw(status: u16, body: &str) -> RawResponse {
        RawResponse {
            status,
            headers: reqwest::header::HeaderMap::new(),
            body: bytes::Bytes::from(body.to_string()),
        }
    }

    fn detail(r: Result<String, Failure>) -> (String, bool) {
        match r {
            Ok(t) => (t, false),
            Err(Failure::Final(e)) => (e.to_string(), false),
            Err(Failure::Transient { error, .. }) => (error.to_string(), true),
        }
    }

    #[test]
    fn every_answer_has_a_meaning() {
        let e = endpoint();
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
        let ok = e.judge(&raw(200, &format!(r#"{{"count":1,"value":"{jwt}"}}"#)));
        assert_eq!(ok.ok().as_deref(), Some(jwt));
        let cases = [
            (raw(200, "<html>sign in</html>"), "not JSON", false),
            (raw(200, r#"{"count":1}"#), "without a token", false),
            (raw(200, r#"{"value":"not-a-jwt"}"#), "not a JWT", false),
            (
                raw(
                    200,
                    &format!(r#"{{"value":"eyJ{}"}}"#, "a".repeat(MAX_TOKEN_CHARS)),
                ),
                "far too long",
                false,
            ),
            (raw(200, r#"{"value":42}"#), "without a token", false),
            (raw(203, "<html>sign in</html>"), "did not accept", false),
            (
                raw(401, r#"{"message":"TF400813: not authorized"}"#),
                "TF400813",
                false,
            ),
            (raw(403, ""), "refused the request (403)", false),
            (raw(404, ""), "was not found", false),
            (raw(503, ""), "kept failing (503)", true),
            (raw(429, ""), "kept failing (429)", true),
            (
                raw(400, r#"{"value":{"Message":"bad\nsecond line"}}"#),
                "(400): bad",
                false,
            ),
        ];
        for (answer, needle, transient) in cases {
            let (text, retry) = detail(e.judge(&answer));
            assert!(text.contains(needle), "{needle}: {text}");
            assert_eq!(retry, transient, "{text}");
            assert!(!text.contains('\n'), "{text}");
        }
    }

    #[test]
    fn endpoints_are_https_or_loopback_and_carry_no_credentials() {
        assert!(
            endpoint_url(
                "x",
                "V",
                "https://pipelines.actions.githubusercontent.com/a?api-version=2.0"
            )
            .is_ok()
        );
        assert!(endpoint_url("x", "V", "http://127.0.0.1:8080/a").is_ok());
        assert!(endpoint_url("x", "V", "http://[::1]:8080/a").is_ok());
        for bad in [
            "http://example.com/a",
            "https://u:p@example.com/a",
            "ftp://x/a",
            "not a url",
        ] {
            let err = endpoint_url("x", "V", bad).unwrap_err().to_string();
            assert!(err.contains("V "), "{err}");
            assert!(!err.contains("u:p"), "{err}");
        }
    }
}
