//! The directory calls that register ep as an app in the admin's tenant (`ep auth setup`):
//! look up the tenant and Microsoft Graph's service principal, create a single-tenant public
//! client, its service principal, and the delegated permission grant that consents to it.
//!
//! Always on v1.0, whatever `--api-version` says: these are stable v1.0 operations.

use super::query::{odata_string, segment, set_query};
use super::{ApiVersion, GraphClient, GraphError};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

/// Microsoft Graph's app id, the same in every tenant and cloud.
pub const MICROSOFT_GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// A delegated permission a resource publishes: its id (what an app registration lists) and
/// its value (what a grant and a token's `scp` name).
#[derive(Debug, Clone, Deserialize)]
pub struct PermissionScope {
    pub id: String,
    pub value: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    pub id: String,
    pub app_id: String,
    #[serde(default)]
    pub oauth2_permission_scopes: Vec<PermissionScope>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    pub id: String,
    pub app_id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub is_fallback_public_client: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionGrant {
    pub id: String,
    pub resource_id: String,
    pub consent_type: String,
    #[serde(default)]
    pub scope: Option<String>,
}

#[derive(Deserialize)]
struct Collection<T> {
    value: Vec<T>,
}

impl GraphClient {
    /// One v1.0 directory call; `None` for an answer without a body (204).
    async fn directory_call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> Result<Option<Value>, GraphError> {
        let mut url = self.url_for(ApiVersion::V1, path);
        if !query.is_empty() {
            set_query(&mut url, query);
        }
        let shown = url.to_string();
        let body = body.map(|b| bytes::Bytes::from(b.to_string()));
        let response = self.api(method, url, body).await?;
        if response.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        serde_json::from_slice(&response.body)
            .map(Some)
            .map_err(|e| GraphError::BadResponse {
                url: shown,
                detail: format!("not JSON: {e}"),
            })
    }

    async fn directory_object<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> Result<T, GraphError> {
        let value = self
            .directory_call(method, path, query, body)
            .await?
            .unwrap_or(Value::Null);
        serde_json::from_value(value).map_err(|e| GraphError::BadResponse {
            url: path.to_string(),
            detail: format!("not the object Graph documents: {e}"),
        })
    }

    /// The signed-in tenant's id (`GET /organization`), whatever the token looks like.
    pub async fn tenant_id(&self) -> Result<String, GraphError> {
        #[derive(Deserialize)]
        struct Organization {
            id: String,
        }
        let orgs: Collection<Organization> = self
            .directory_object(Method::GET, "/organization", &[("$select", "id")], None)
            .await?;
        orgs.value
            .into_iter()
            .next()
            .map(|o| o.id)
            .ok_or_else(|| GraphError::BadResponse {
                url: "/organization".into(),
                detail: "no organization in the answer".into(),
            })
    }

    /// The service principal of `app_id` in this tenant; `None` when there is none (yet).
    pub async fn service_principal(
        &self,
        app_id: &str,
    ) -> Result<Option<ServicePrincipal>, GraphError> {
        let path = format!(
            "/servicePrincipals(appId={})",
            segment(&odata_string(app_id))
        );
        let query = [("$select", "id,appId,oauth2PermissionScopes")];
        not_found_is_none(
            self.directory_object(Method::GET, &path, &query, None)
                .await,
        )
    }

    /// The app registration of `app_id`; `None` when there is none.
    pub async fn application(&self, app_id: &str) -> Result<Option<Application>, GraphError> {
        let path = format!("/applications(appId={})", segment(&odata_string(app_id)));
        let query = [("$select", "id,appId,displayName,isFallbackPublicClient")];
        not_found_is_none(
            self.directory_object(Method::GET, &path, &query, None)
                .await,
        )
    }

    /// Register a single-tenant public client that asks for `scopes` (delegated) of
    /// `resource`. Public client flows are allowed, so the device-code flow needs no secret;
    /// no redirect URI and no credential are added: the app can sign in people, nothing more.
    pub async fn create_public_client(
        &self,
        name: &str,
        resource: &ServicePrincipal,
        scopes: &[&PermissionScope],
    ) -> Result<Application, GraphError> {
        let access: Vec<Value> = scopes
            .iter()
            .map(|s| json!({"id": s.id, "type": "Scope"}))
            .collect();
        let body = json!({
            "displayName": name,
            "signInAudience": "AzureADMyOrg",
            "isFallbackPublicClient": true,
            "requiredResourceAccess": [{
                "resourceAppId": resource.app_id,
                "resourceAccess": access,
            }],
        });
        self.directory_object(Method::POST, "/applications", &[], Some(body))
            .await
    }

    /// Create the app's service principal: the app's presence in the tenant, which consent is
    /// granted to. One attempt; a new app may not be found yet (see [`is_replication_lag`]).
    pub async fn create_service_principal(
        &self,
        app_id: &str,
    ) -> Result<ServicePrincipal, GraphError> {
        let body = json!({ "appId": app_id });
        self.directory_object(Method::POST, "/servicePrincipals", &[], Some(body))
            .await
    }

    /// The delegated permission grants of the client service principal `client_sp_id`.
    pub async fn delegated_grants(
        &self,
        client_sp_id: &str,
    ) -> Result<Vec<PermissionGrant>, GraphError> {
        let filter = format!("clientId eq {}", odata_string(client_sp_id));
        let grants: Collection<PermissionGrant> = self
            .directory_object(
                Method::GET,
                "/oauth2PermissionGrants",
                &[("$filter", &filter)],
                None,
            )
            .await?;
        Ok(grants.value)
    }

    /// Consent, for every user of the tenant, to `scope` (space-separated values) of the
    /// resource for the client: what "Grant admin consent" in the portal does.
    pub async fn grant_delegated(
        &self,
        client_sp_id: &str,
        resource_sp_id: &str,
        scope: &str,
    ) -> Result<PermissionGrant, GraphError> {
        let body = json!({
            "clientId": client_sp_id,
            "consentType": "AllPrincipals",
            "resourceId": resource_sp_id,
            "scope": scope,
        });
        self.directory_object(Method::POST, "/oauth2PermissionGrants", &[], Some(body))
            .await
    }

    pub async fn update_grant_scope(&self, grant_id: &str, scope: &str) -> Result<(), GraphError> {
        let path = format!("/oauth2PermissionGrants/{}", segment(grant_id));
        self.directory_call(Method::PATCH, &path, &[], Some(json!({ "scope": scope })))
            .await
            .map(|_| ())
    }
}

fn not_found_is_none<T>(result: Result<T, GraphError>) -> Result<Option<T>, GraphError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.status() == Some(404) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Graph's answer while a just-created app has not reached every replica: creating its
/// service principal says the app id references no valid application.
pub fn is_replication_lag(err: &GraphError) -> bool {
    err.status() == Some(400)
        && err
            .to_string()
            .contains("does not reference a valid application")
}
