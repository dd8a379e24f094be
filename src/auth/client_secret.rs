//! Client credentials with a secret: `POST {authority}/{tenant}/oauth2/v2.0/token`.

use super::{AccessToken, AuthError, Credentials, Secret, TokenEndpoint, TokenSource};
use async_trait::async_trait;
use serde::Deserialize;
use std::time::{Duration, Instant};

pub struct ClientSecretSource {
    token_url: String,
    client_id: String,
    secret: Secret,
    scope: String,
}

impl ClientSecretSource {
    pub fn from_credentials(
        creds: &Credentials,
        endpoint: &TokenEndpoint,
    ) -> Result<Self, AuthError> {
        let missing = |what: &str| AuthError::Incomplete {
            method: "client-secret",
            missing: format!("{what} is not set"),
        };
        let tenant = creds
            .tenant_id
            .clone()
            .ok_or_else(|| missing("AZURE_TENANT_ID (or --tenant)"))?;
        let client_id = creds
            .client_id
            .clone()
            .ok_or_else(|| missing("AZURE_CLIENT_ID (or --client-id)"))?;
        let secret = creds
            .client_secret
            .clone()
            .ok_or_else(|| missing("AZURE_CLIENT_SECRET"))?;
        Ok(ClientSecretSource {
            token_url: token_url(&endpoint.authority_host, &tenant),
            client_id,
            secret,
            scope: endpoint.scope.clone(),
        })
    }
}

pub(crate) fn token_url(authority_host: &str, tenant: &str) -> String {
    format!(
        "{}/{}/oauth2/v2.0/token",
        authority_host.trim_end_matches('/'),
        url::form_urlencoded::byte_serialize(tenant.as_bytes()).collect::<String>()
    )
}

#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    access_token: String,
    expires_in: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct OAuthError {
    error: String,
    #[serde(default)]
    error_description: String,
}

/// Post a token request and read the identity platform's answer, success or `AADSTS` error.
pub(crate) async fn request_token(
    http: &reqwest::Client,
    source_name: &'static str,
    url: &str,
    form: &[(&str, &str)],
) -> Result<AccessToken, AuthError> {
    let response = http
        .post(url)
        .form(form)
        .send()
        .await
        .map_err(|e| AuthError::Unreachable {
            source_name,
            url: url.to_string(),
            detail: crate::graph::describe_transport_error(&e),
        })?;
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(|e| AuthError::Unreachable {
        source_name,
        url: url.to_string(),
        detail: crate::graph::describe_transport_error(&e),
    })?;
    if (200..300).contains(&status) {
        let parsed: TokenResponse =
            serde_json::from_slice(&body).map_err(|_| AuthError::BadResponse { source_name })?;
        // expires_in is a number from the token endpoint but a string from managed identity.
        let expires_in = parsed.expires_in.and_then(|v| match v {
            serde_json::Value::Number(n) => n.as_u64(),
            serde_json::Value::String(s) => s.parse().ok(),
            _ => None,
        });
        return Ok(AccessToken {
            token: Secret::new(parsed.access_token),
            expires_at: expires_in.map(|s| Instant::now() + Duration::from_secs(s)),
        });
    }
    match serde_json::from_slice::<OAuthError>(&body) {
        Ok(e) => Err(AuthError::Rejected {
            source_name,
            status,
            error: e.error,
            description: first_sentence(&e.error_description),
        }),
        Err(_) => Err(AuthError::BadResponse { source_name }),
    }
}

/// `AADSTS7000215: Invalid client secret provided. ...\r\nTrace ID: ...` → its first line, without
/// the trace and correlation ids that only support staff need.
fn first_sentence(description: &str) -> String {
    let line = description.lines().next().unwrap_or_default();
    line.split(" Trace ID:")
        .next()
        .unwrap_or(line)
        .trim()
        .to_string()
}

#[async_trait]
impl TokenSource for ClientSecretSource {
    fn name(&self) -> &'static str {
        "client-secret"
    }

    async fn acquire(&self, http: &reqwest::Client) -> Result<AccessToken, AuthError> {
        request_token(
            http,
            self.name(),
            &self.token_url,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &self.client_id),
                ("client_secret", self.secret.expose()),
                ("scope", &self.scope),
            ],
        )
        .await
    }
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
        assert!(parsed.expires_in.is_some());
    }

    #[test]
    fn keeps_only_the_aadsts_line_of_an_error() {
        let body = include_str!(
            "../../tests/fixtures/entra_v2-oauth2-client-creds-grant-flow.error-response.json"
        );
        let parsed: OAuthError = serde_json::from_str(body).unwrap();
        let line = first_sentence(&parsed.error_description);
        assert!(line.starts_with("AADSTS"), "{line}");
        assert!(!line.contains('\n'));
        assert!(!line.contains("Trace ID"));
    }

    #[test]
    fn tenant_is_escaped_into_the_path() {
        assert_eq!(
            token_url(
                "https://login.microsoftonline.com/",
                "contoso.onmicrosoft.com"
            ),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
        );
        assert_eq!(
            token_url("http://127.0.0.1:1", "a/b"),
            "http://127.0.0.1:1/a%2Fb/oauth2/v2.0/token"
        );
    }
}
