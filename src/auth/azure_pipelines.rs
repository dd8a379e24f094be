//! `--auth azure-pipelines`: the OIDC token of an Azure Resource Manager service connection that
//! uses workload identity federation, asked of Azure DevOps with the job's System.AccessToken and
//! exchanged for a Graph token as a client assertion: the flow of azure-identity's
//! AzurePipelinesCredential (`POST $SYSTEM_OIDCREQUESTURI?api-version=7.1&serviceConnectionId=…`).

use super::client_secret::tenant_and_client;
use super::pipeline_oidc::{Hints, OidcEndpoint, PipelineOidcSource, endpoint_url};
use super::{AuthError, Credentials, TokenEndpoint};

const NAME: &str = "azure-pipelines";
const OIDC_API_VERSION: &str = "7.1";

/// What to do when Azure DevOps says no.
const HINTS: Hints = Hints {
    refused: "SYSTEM_ACCESSTOKEN must be this job's: map it into the step with \
              `env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)`",
    forbidden: "the pipeline may not use this service connection: allow it in the \
                service connection's Security settings (or approve its first use)",
    not_found: "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID / --service-connection-id \
                must be the id of an Azure Resource Manager service connection \
                that uses workload identity federation",
    other: "the service connection must use workload identity federation; see \
            the README's Azure Pipelines section",
};

/// Builds the [`PipelineOidcSource`] of this CI system.
pub struct AzurePipelinesSource;

fn incomplete(missing: &str) -> AuthError {
    AuthError::Incomplete {
        method: NAME,
        missing: missing.to_string(),
    }
}

impl AzurePipelinesSource {
    /// Whether this job can ask for a service connection's token: what `--auth auto` looks for.
    pub fn available(creds: &Credentials) -> bool {
        creds.oidc_request_uri.is_some()
            && creds.system_access_token.is_some()
            && creds.service_connection_id.is_some()
            && creds.tenant_id.is_some()
            && creds.client_id.is_some()
    }

    pub fn from_credentials(
        creds: &Credentials,
        endpoint: &TokenEndpoint,
    ) -> Result<PipelineOidcSource, AuthError> {
        let raw = creds.oidc_request_uri.as_deref().ok_or_else(|| {
            incomplete(
                "SYSTEM_OIDCREQUESTURI is not set: run ep in an Azure Pipelines job, which \
                 defines it",
            )
        })?;
        let bearer = creds.system_access_token.clone().ok_or_else(|| {
            incomplete(
                "SYSTEM_ACCESSTOKEN is not set: map it into the step with \
                 `env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)`",
            )
        })?;
        let connection = creds.service_connection_id.as_deref().ok_or_else(|| {
            incomplete(
                "no service connection: run ep in an AzureCLI@2 task (it sets \
                 AZURESUBSCRIPTION_SERVICE_CONNECTION_ID), or give --service-connection-id",
            )
        })?;
        let connection = uuid::Uuid::try_parse(connection.trim()).map_err(|_| {
            incomplete(&format!(
                "the service connection id '{}' is not a GUID (it is the resourceId in the \
                 service connection's page URL)",
                crate::sanitize::excerpt(connection)
            ))
        })?;
        let app = tenant_and_client(NAME, creds)?;
        let mut url = endpoint_url(
            NAME,
            "SYSTEM_OIDCREQUESTURI",
            raw.trim().trim_end_matches('/'),
        )?;
        url.query_pairs_mut()
            .append_pair("api-version", OIDC_API_VERSION)
            .append_pair("serviceConnectionId", &connection.hyphenated().to_string());
        Ok(PipelineOidcSource::new(
            OidcEndpoint {
                source_name: NAME,
                what: "Azure DevOps' OIDC token endpoint",
                method: reqwest::Method::POST,
                url,
                bearer,
                // Without it, a rejected token is answered with a redirect to a sign-in page.
                headers: &[
                    ("Content-Type", "application/json"),
                    ("X-TFS-FedAuthRedirect", "Suppress"),
                ],
                field: "oidcToken",
                hints: HINTS,
            },
            app,
            endpoint,
        ))
    }
}
