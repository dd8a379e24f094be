//! `--auth github-actions`: the job's ID token from GitHub's OIDC provider, exchanged for a Graph
//! token as a client assertion. A job gets the two variables it needs only with
//! `permissions: id-token: write`; the app registration needs a federated credential for the
//! repository (issuer `https://token.actions.githubusercontent.com`, a subject such as
//! `repo:ORG/REPO:ref:refs/heads/main`).

use super::client_secret::tenant_and_client;
use super::pipeline_oidc::{Hints, OidcEndpoint, PipelineOidcSource, endpoint_url};
use super::{AuthError, Credentials, TokenEndpoint};

const NAME: &str = "github-actions";

/// What to do when GitHub says no.
const HINTS: Hints = Hints {
    refused: "ACTIONS_ID_TOKEN_REQUEST_TOKEN is valid only in the job the runner \
              issued it to, while that job runs: call ep from that job's steps",
    forbidden: "the job may not ask for ID tokens: give it `permissions: \
                id-token: write`",
    not_found: "ACTIONS_ID_TOKEN_REQUEST_URL must be the URL the runner set for \
                this job",
    other: "ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN must \
            be the runner's own, unchanged",
};

/// Builds the [`PipelineOidcSource`] of this CI system.
pub struct GithubActionsSource;

fn missing(what: &str) -> AuthError {
    AuthError::Incomplete {
        method: NAME,
        missing: format!(
            "{what} is not set: run ep in a GitHub Actions job with `permissions: id-token: write`"
        ),
    }
}

impl GithubActionsSource {
    /// Whether this job may ask for an ID token, and an app to exchange it for is named: what
    /// `--auth auto` looks for.
    pub fn available(creds: &Credentials) -> bool {
        creds.actions_id_token_request_url.is_some()
            && creds.actions_id_token_request_token.is_some()
            && creds.tenant_id.is_some()
            && creds.client_id.is_some()
    }

    pub fn from_credentials(
        creds: &Credentials,
        endpoint: &TokenEndpoint,
    ) -> Result<PipelineOidcSource, AuthError> {
        let raw = creds
            .actions_id_token_request_url
            .as_deref()
            .ok_or_else(|| missing("ACTIONS_ID_TOKEN_REQUEST_URL"))?;
        let bearer = creds
            .actions_id_token_request_token
            .clone()
            .ok_or_else(|| missing("ACTIONS_ID_TOKEN_REQUEST_TOKEN"))?;
        let app = tenant_and_client(NAME, creds)?;
        // The runner's URL already has a query (`?api-version=2.0`); the audience is added to it,
        // as @actions/core's getIDToken does.
        let mut url = endpoint_url(NAME, "ACTIONS_ID_TOKEN_REQUEST_URL", raw)?;
        url.query_pairs_mut()
            .append_pair("audience", &creds.federation_audience);
        Ok(PipelineOidcSource::new(
            OidcEndpoint {
                source_name: NAME,
                what: "GitHub's ID token endpoint",
                method: reqwest::Method::GET,
                url,
                bearer,
                headers: &[("Accept", "application/json; api-version=2.0")],
                field: "value",
                hints: HINTS,
            },
            app,
            endpoint,
        ))
    }
}
