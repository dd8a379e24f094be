//! Workload identity federation: a token from another issuer (GitHub Actions OIDC, a Kubernetes
//! service account) exchanged for a Graph token, sent as the client assertion.

use super::client_secret::{tenant_and_client, token_url};
use super::http::post_client_assertion;
use super::{AccessToken, AuthError, Credentials, TokenEndpoint, TokenSource};
use async_trait::async_trait;
use std::path::PathBuf;

const NAME: &str = "workload-identity";

pub struct WorkloadIdentitySource {
    token_url: String,
    client_id: String,
    scope: String,
    token_file: PathBuf,
}

impl WorkloadIdentitySource {
    pub fn from_credentials(
        creds: &Credentials,
        endpoint: &TokenEndpoint,
    ) -> Result<Self, AuthError> {
        let (tenant, client_id) = tenant_and_client(NAME, creds)?;
        let token_file = creds
            .federated_token_file
            .clone()
            .ok_or(AuthError::Incomplete {
                method: NAME,
                missing: "AZURE_FEDERATED_TOKEN_FILE is not set".into(),
            })?;
        Ok(WorkloadIdentitySource {
            token_url: token_url(&endpoint.authority_host, &tenant),
            client_id,
            scope: endpoint.scope.clone(),
            token_file,
        })
    }

    /// Read at every acquisition: Kubernetes rotates the projected token file, and a long run
    /// outlives the token it started with.
    async fn federated_token(&self) -> Result<String, AuthError> {
        let error = |detail: String| AuthError::File {
            source_name: NAME,
            path: self.token_file.display().to_string(),
            detail,
        };
        let text = tokio::fs::read_to_string(&self.token_file)
            .await
            .map_err(|e| error(e.to_string()))?;
        let token = text.trim();
        if token.is_empty() {
            return Err(error("the file is empty".into()));
        }
        Ok(token.to_string())
    }
}

#[async_trait]
impl TokenSource for WorkloadIdentitySource {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn acquire(&self, http: &reqwest::Client) -> Result<AccessToken, AuthError> {
        let assertion = self.federated_token().await?;
        post_client_assertion(
            http,
            NAME,
            &self.token_url,
            &self.client_id,
            &assertion,
            &self.scope,
        )
        .await
    }
}
