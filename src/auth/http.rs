//! The HTTP calls credential sources make, logged at `-v`/`-vv` with every secret redacted, and
//! the identity platform's token response.

use super::{AccessToken, AuthError, Secret};
use crate::diag;
use crate::redact;
use serde::Deserialize;
use std::time::{Duration, Instant};

/// What came back from an identity endpoint.
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    /// For the few answers whose meaning is in a header: `Retry-After`, Azure Arc's challenge.
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: bytes::Bytes,
}

/// Send `request` and log it. `shown_headers` and `shown_form` are what was sent, for `-vv`;
/// they are redacted here, so callers pass them as they are.
pub(crate) async fn send(
    source_name: &'static str,
    request: reqwest::RequestBuilder,
    method: &str,
    url: &str,
    shown_headers: &[(&str, &str)],
    shown_form: Option<&[(&str, &str)]>,
) -> Result<RawResponse, AuthError> {
    let raw = exchange(source_name, request, method, url, shown_headers, shown_form).await?;
    crate::http::trace_wire("<", &raw.headers, Some(&raw.body));
    Ok(raw)
}

/// [`send`] without logging the answer at `-vv`: for callers that must first register a
/// credential the answer carries, so that the log can hide it.
pub(crate) async fn exchange(
    source_name: &'static str,
    request: reqwest::RequestBuilder,
    method: &str,
    url: &str,
    shown_headers: &[(&str, &str)],
    shown_form: Option<&[(&str, &str)]>,
) -> Result<RawResponse, AuthError> {
    let shown_url = shown_url(url);
    trace_request(shown_headers, shown_form);
    let started = Instant::now();
    let response = match request.send().await {
        Ok(r) => r,
        Err(e) => {
            diag::trace(
                1,
                format!(
                    "{source_name}: {method} {shown_url} -> failed ({} ms)",
                    started.elapsed().as_millis()
                ),
            );
            return Err(AuthError::Unreachable {
                source_name,
                url: shown_url,
                detail: crate::http::describe_transport_error(&e),
            });
        }
    };
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = crate::http::read_body(response)
        .await
        .map_err(|e| AuthError::Unreachable {
            source_name,
            url: shown_url.clone(),
            detail: e.describe(),
        })?;
    diag::trace(
        1,
        format!(
            "{source_name}: {method} {shown_url} -> {status} ({} ms){}",
            started.elapsed().as_millis(),
            request_id_suffix(&headers)
        ),
    );
    Ok(RawResponse {
        status,
        headers,
        body,
    })
}

/// The URL as logs and errors show it, with any secret in it redacted.
fn shown_url(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| redact::url(&u))
        .unwrap_or_else(|_| url.to_string())
}

/// At `-vv`: the headers and form that were sent, redacted.
fn trace_request(shown_headers: &[(&str, &str)], shown_form: Option<&[(&str, &str)]>) {
    if diag::verbosity() >= 2 {
        for (k, v) in shown_headers {
            diag::trace(2, format!("> {}", redact::header_line(k, v)));
        }
        if let Some(form) = shown_form {
            diag::trace(2, format!("> body: {}", redact::form(form)));
        }
    }
}

/// ` request-id …` for the `-v` line when the endpoint sent one (what support asks for), else
/// nothing.
fn request_id_suffix(headers: &reqwest::header::HeaderMap) -> String {
    headers
        .get("x-ms-request-id")
        .or_else(|| headers.get("request-id"))
        // Azure DevOps' and GitHub's: what their support asks for.
        .or_else(|| headers.get("x-vss-e2eid"))
        .or_else(|| headers.get("x-github-request-id"))
        .and_then(|v| v.to_str().ok())
        .map(|r| format!(" request-id {r}"))
        .unwrap_or_default()
}

/// No Entra access token lives longer than a day; trusting a longer claim gains nothing.
const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// A token response: the identity platform's (`expires_in` a number) or a managed identity
/// endpoint's (`expires_in`/`expires_on` strings).
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    pub(crate) access_token: String,
    #[serde(default)]
    pub(crate) refresh_token: Option<String>,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
    #[serde(default)]
    expires_on: Option<serde_json::Value>,
}

#[derive(Deserialize)]
pub(crate) struct OAuthError {
    pub(crate) error: String,
    #[serde(default)]
    pub(crate) error_description: String,
}

fn number(v: &serde_json::Value) -> Option<u64> {
    match v {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

impl TokenResponse {
    /// Seconds until expiry: `expires_in`, else `expires_on` (POSIX seconds) minus now. At most
    /// [`MAX_TOKEN_LIFETIME`]: a server's number is added to clocks, and an absurd one would
    /// overflow them.
    pub(crate) fn lifetime(&self) -> Option<Duration> {
        let secs = match self.expires_in.as_ref().and_then(number) {
            Some(secs) => secs,
            None => {
                let on = self.expires_on.as_ref().and_then(number)?;
                let now = chrono::Utc::now().timestamp().max(0) as u64;
                on.saturating_sub(now)
            }
        };
        Some(Duration::from_secs(secs).min(MAX_TOKEN_LIFETIME))
    }

    pub(crate) fn access_token(&self) -> AccessToken {
        AccessToken {
            token: Secret::new(self.access_token.clone()),
            expires_at: self.lifetime().map(|d| Instant::now() + d),
        }
    }
}

/// A 2xx token response, or the `AADSTS` error the endpoint sent.
pub(crate) fn parse_token_response(
    source_name: &'static str,
    raw: &RawResponse,
) -> Result<TokenResponse, AuthError> {
    if (200..300).contains(&raw.status) {
        let response = serde_json::from_slice::<TokenResponse>(&raw.body)
            .ok()
            .filter(|t| !t.access_token.trim().is_empty())
            .ok_or(AuthError::BadResponse { source_name })?;
        // Registered before anything else can print them: a later error may echo either.
        crate::redact::register_secret(&response.access_token);
        if let Some(refresh) = &response.refresh_token {
            crate::redact::register_secret(refresh);
        }
        return Ok(response);
    }
    match serde_json::from_slice::<OAuthError>(&raw.body) {
        Ok(e) => Err(AuthError::Rejected {
            source_name,
            status: raw.status,
            error: e.error,
            description: first_line(&e.error_description),
        }),
        Err(_) => Err(AuthError::BadResponse { source_name }),
    }
}

/// POST a form to a token endpoint and read the answer.
pub(crate) async fn post_form(
    http: &reqwest::Client,
    source_name: &'static str,
    url: &str,
    form: &[(&str, &str)],
) -> Result<TokenResponse, AuthError> {
    let raw = send(
        source_name,
        http.post(url).form(form),
        "POST",
        url,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        Some(form),
    )
    .await?;
    parse_token_response(source_name, &raw)
}

/// Client credentials proven by a signed JWT instead of a secret: the certificate's own
/// assertion and a federated (workload identity) token travel the same way.
pub(crate) async fn post_client_assertion(
    http: &reqwest::Client,
    source_name: &'static str,
    token_url: &str,
    client_id: &str,
    assertion: &str,
    scope: &str,
) -> Result<AccessToken, AuthError> {
    // A certificate's signed assertion or a federated token: a bearer credential in its own right.
    crate::redact::register_secret(assertion);
    let response = post_form(
        http,
        source_name,
        token_url,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion),
            ("scope", scope),
        ],
    )
    .await?;
    Ok(response.access_token())
}

/// `AADSTS7000215: Invalid client secret provided. ...\r\nTrace ID: ...` → its first line, without
/// the trace and correlation ids that only support staff need.
pub(crate) fn first_line(description: &str) -> String {
    let line = description.lines().next().unwrap_or_default();
    let line = line.split(" Trace ID:").next().unwrap_or(line).trim();
    // An error description is not supposed to echo a credential, but nothing guarantees it.
    redact::redact_text(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_success_response() {
        let body = include_str!(
            "../../tests/fixtures/entra_v2-oauth2-client-creds-grant-flow.success-response.json"
        );
        let parsed: TokenResponse = serde_json::from_str(body).unwrap();
        assert!(!parsed.access_token.is_empty());
        assert_eq!(parsed.lifetime(), Some(Duration::from_secs(3599)));
    }

    #[test]
    fn imds_lifetimes_are_strings() {
        let body =
            include_str!("../../tests/fixtures/entra_how-to-use-vm-token.imds-response.json");
        let parsed: TokenResponse = serde_json::from_str(body).unwrap();
        assert_eq!(parsed.lifetime(), Some(Duration::from_secs(3599)));
        let on = chrono::Utc::now().timestamp() + 600;
        let parsed: TokenResponse =
            serde_json::from_str(&format!(r#"{{"access_token":"x","expires_on":"{on}"}}"#))
                .unwrap();
        let secs = parsed.lifetime().unwrap().as_secs();
        assert!((590..=600).contains(&secs), "{secs}");
    }

    #[test]
    fn absurd_lifetimes_are_capped_not_overflowed() {
        for body in [
            r#"{"access_token":"x","expires_in":18446744073709551615}"#,
            r#"{"access_token":"x","expires_in":"9223372036854775807"}"#,
            r#"{"access_token":"x","expires_on":"18446744073709551615"}"#,
        ] {
            let parsed: TokenResponse = serde_json::from_str(body).unwrap();
            assert_eq!(parsed.lifetime(), Some(MAX_TOKEN_LIFETIME), "{body}");
            assert!(parsed.access_token().expires_at.is_some());
        }
    }

    #[test]
    fn issued_tokens_are_registered_for_redaction() {
        let raw = RawResponse {
            status: 200,
            headers: reqwest::header::HeaderMap::new(),
            body: bytes::Bytes::from_static(
                br#"{"access_token":"at-registered-by-parse-0123","refresh_token":"rt-registered-by-parse-0123","expires_in":60}"#,
            ),
        };
        parse_token_response("x", &raw).unwrap();
        let shown =
            crate::redact::known_secrets("at-registered-by-parse-0123 rt-registered-by-parse-0123");
        assert_eq!(shown, "(redacted) (redacted)");
    }

    #[test]
    fn keeps_only_the_aadsts_line_of_an_error() {
        let body = include_str!(
            "../../tests/fixtures/entra_v2-oauth2-client-creds-grant-flow.error-response.json"
        );
        let raw = RawResponse {
            status: 400,
            headers: reqwest::header::HeaderMap::new(),
            body: bytes::Bytes::from_static(body.as_bytes()),
        };
        let Err(AuthError::Rejected { description, .. }) = parse_token_response("x", &raw) else {
            panic!("expected a rejection");
        };
        assert!(description.starts_with("AADSTS70011"), "{description}");
        assert!(!description.contains('\n'));
        assert!(!description.contains("Trace ID"));
    }
}
