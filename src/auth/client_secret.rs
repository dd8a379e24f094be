//! Client credentials with a secret: `POST {authority}/{tenant}/oauth2/v2.0/token`.

use super::http::post_form;
use super::{AccessToken, AuthError, Credentials, Secret, TokenEndpoint, TokenSource};
use async_trait::async_trait;

pub struct ClientSecretSource {
    token_url: String,
    client_id: String,
    secret: Secret,
    scope: String,
}

/// The tenant and client id every app-only source needs, or what is missing.
pub(crate) fn tenant_and_client(
    method: &'static str,
    creds: &Credentials,
) -> Result<(String, String), AuthError> {
    let missing = |what: &str| AuthError::Incomplete {
        method,
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
    Ok((tenant, client_id))
}

impl ClientSecretSource {
    pub fn from_credentials(
        creds: &Credentials,
        endpoint: &TokenEndpoint,
    ) -> Result<Self, AuthError> {
        let (tenant, client_id) = tenant_and_client("client-secret", creds)?;
        let secret = creds.client_secret.clone().ok_or(AuthError::Incomplete {
            method: "client-secret",
            missing: "AZURE_CLIENT_SECRET (or --client-secret-file) is not set".into(),
        })?;
        Ok(ClientSecretSource {
            token_url: token_url(&endpoint.authority_host, &tenant),
            client_id,
            secret,
            scope: endpoint.scope.clone(),
        })
    }
}

pub(crate) fn token_url(authority_host: &str, tenant: &str) -> String {
    endpoint_url(authority_host, tenant, "token")
}

/// `{authority}/{tenant}/oauth2/v2.0/{leaf}` with the tenant escaped into one path segment.
pub(crate) fn endpoint_url(authority_host: &str, tenant: &str, leaf: &str) -> String {
    format!(
        "{}/{}/oauth2/v2.0/{leaf}",
        authority_host.trim_end_matches('/'),
        url::form_urlencoded::byte_serialize(tenant.as_bytes()).collect::<String>()
    )
}

#[async_trait]
impl TokenSource for ClientSecretSource {
    fn name(&self) -> &'static str {
        "client-secret"
    }

    async fn acquire(&self, http: &reqwest::Client) -> Result<AccessToken, AuthError> {
        let response = post_form(
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
        .await?;
        Ok(response.access_token())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
