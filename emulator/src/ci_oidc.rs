//! The OIDC token issuers of two CI systems, as a running job sees them.
//!
//! - GitHub Actions: `GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=…` with
//!   `Authorization: Bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN`, answered
//!   `{"count":…,"value":"<jwt>"}` (what @actions/core's `getIDToken` reads). Without `audience`
//!   the token is for `https://github.com/OWNER`, as GitHub documents.
//! - Azure DevOps: `POST $SYSTEM_OIDCREQUESTURI?api-version=7.1&serviceConnectionId=…` with
//!   `Authorization: Bearer $SYSTEM_ACCESSTOKEN`, answered `{"oidcToken":"<jwt>"}` (what
//!   azure-identity's AzurePipelinesCredential reads). A request token it does not accept is
//!   answered 401 when the caller sent `X-TFS-FedAuthRedirect: Suppress`, else 203 with the
//!   sign-in page, as Azure DevOps does for API calls.
//!
//! Both services run on Azure DevOps' stack (the GitHub URL is a `_apis/distributedtask` one), so
//! their errors are Azure DevOps' JSON (`{"$id","message","typeKey",…}`). The JWTs carry the
//! issuer and subject the demo app's federated credentials name, so the token endpoint exchanges
//! them; they are not signed with a key anyone could check (neither are the test helper's).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::odata::Reply;
use super::{EmulatorConfig, Shared};

/// The job whose tokens these are (any ids would do; these look like the real ones).
pub(crate) const PLAN_ID: &str = "5b1f9e2c-3d4a-4f6b-8c7d-9e0f1a2b3c4d";
pub(crate) const JOB_ID: &str = "a3c5e7f9-1b2d-4e6f-8a0c-2e4f6a8c0e1f";
pub(crate) const PROJECT_ID: &str = "0e9d8c7b-6a5f-4e3d-2c1b-0a9f8e7d6c5b";

/// `ACTIONS_ID_TOKEN_REQUEST_URL` without its query.
pub(crate) fn actions_path() -> String {
    format!("/_apis/distributedtask/hubs/Actions/plans/{PLAN_ID}/jobs/{JOB_ID}/idtoken")
}

/// `SYSTEM_OIDCREQUESTURI`'s path.
pub(crate) fn azure_devops_path() -> String {
    format!(
        "/contoso/{PROJECT_ID}/_apis/distributedtask/hubs/build/plans/{PLAN_ID}/jobs/{JOB_ID}/oidctoken"
    )
}

/// Which issuer a path is for: `Some` for anything under `_apis/distributedtask` that ends in
/// `idtoken` or `oidctoken` (another job's path is then answered 404, not sent to Graph).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Issuer {
    GithubActions,
    AzureDevOps,
}

pub(crate) fn route(path: &str) -> Option<Issuer> {
    let path = path.trim_end_matches('/');
    if !path.contains("/_apis/distributedtask/") {
        return None;
    }
    if path.ends_with("/idtoken") {
        Some(Issuer::GithubActions)
    } else if path.ends_with("/oidctoken") {
        Some(Issuer::AzureDevOps)
    } else {
        None
    }
}

/// An Azure DevOps error body.
fn vss_error(status: u16, type_key: &str, message: &str) -> Reply {
    Reply::json(
        status,
        json!({
            "$id": "1",
            "innerException": null,
            "message": message,
            "typeName": format!("Microsoft.TeamFoundation.DistributedTask.WebApi.{type_key}, Microsoft.TeamFoundation.DistributedTask.WebApi"),
            "typeKey": type_key,
            "errorCode": 0,
            "eventId": 3000,
        }),
    )
}

fn unauthorized() -> Reply {
    vss_error(
        401,
        "UnauthorizedRequestException",
        "TF400813: The user '' is not authorized to access this resource.",
    )
}

/// What Azure DevOps shows a caller without valid credentials who did not ask for a plain 401.
fn sign_in_page() -> Reply {
    Reply::html(
        203,
        "<!DOCTYPE html><html><head><title>Azure DevOps Services | Sign In</title></head>\
         <body><p>Sign in to your account</p></body></html>\n"
            .to_string(),
    )
}

/// The request token after `Bearer `, if any.
fn bearer(authorization: Option<&str>) -> Option<&str> {
    let (scheme, token) = authorization?.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// One of the demo job's tokens: unsigned (an RS256 header over a random "signature").
fn mint(shared: &Shared, claims: Value) -> String {
    let header = json!({"typ": "JWT", "alg": "RS256", "kid": "ep-emulator-ci"});
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let signature = URL_SAFE_NO_PAD.encode(shared.issuer.random_text("sig."));
    let token = format!("{}.{}.{signature}", part(&header), part(&claims));
    shared.issuer.remember_ci_token(&token);
    token
}

/// `iat`, `nbf`, `exp` as an issuer whose clock is `oidc_clock_skew` off would write them.
fn times(config: &EmulatorConfig, now: DateTime<Utc>, lifetime: i64) -> (i64, i64) {
    let iat = now.timestamp() + config.oidc_clock_skew_secs;
    (iat, iat + lifetime)
}

/// The query's parameters, decoded.
fn params(query: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The fields of a request the issuers look at.
pub(crate) struct CiCall<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) query: Option<&'a str>,
    pub(crate) authorization: Option<&'a str>,
    pub(crate) fed_auth_redirect: Option<&'a str>,
}

pub(crate) fn handle(
    shared: &Shared,
    issuer: Issuer,
    call: &CiCall<'_>,
    now: DateTime<Utc>,
) -> Reply {
    if let Some(status) = shared.issuer.next_oidc_failure() {
        let mut reply = vss_error(
            status,
            "ServiceUnavailableException",
            "The service is temporarily unavailable. Please try again.",
        );
        reply.set_header("Retry-After", "1".into());
        return reply;
    }
    let mut reply = match issuer {
        Issuer::GithubActions => github(shared, call, now),
        Issuer::AzureDevOps => azure_devops(shared, call, now),
    };
    reply.set_header("x-vss-e2eid", shared.new_guid());
    reply.set_header("Cache-Control", "no-store".into());
    reply
}

fn no_version(method: &str) -> Reply {
    vss_error(
        400,
        "VssVersionNotSpecifiedException",
        &format!(
            "No api-version was supplied for the \"{method}\" request. The version must be supplied either as part of the Accept header (e.g. \"application/json; api-version=1.0\") or as a query parameter (e.g. '?api-version=1.0')."
        ),
    )
}

fn github(shared: &Shared, call: &CiCall<'_>, now: DateTime<Utc>) -> Reply {
    if !call.method.eq_ignore_ascii_case("GET") {
        let mut reply = Reply::empty(405);
        reply.set_header("Allow", "GET".into());
        return reply;
    }
    if call.path.trim_end_matches('/') != actions_path() {
        return vss_error(404, "JobNotFoundException", "The job could not be found.");
    }
    if bearer(call.authorization) != Some(shared.config.actions_request_token.as_str()) {
        return unauthorized();
    }
    let params = params(call.query);
    if param(&params, "api-version").is_none() {
        return no_version("GET");
    }
    let audience = param(&params, "audience").unwrap_or("https://github.com/contoso");
    let (iat, exp) = times(&shared.config, now, 300);
    let claims = json!({
        "jti": shared.new_guid(),
        "sub": shared.config.actions_subject,
        "aud": audience,
        "ref": "refs/heads/main",
        "sha": "3f786850e387550fdab836ed7e6dc881de23001b",
        "repository": "contoso/ep",
        "repository_owner": "contoso",
        "run_id": "7031984726",
        "workflow": "nightly reprocess",
        "event_name": "schedule",
        "ref_type": "branch",
        "job_workflow_ref": "contoso/ep/.github/workflows/nightly.yml@refs/heads/main",
        "runner_environment": "github-hosted",
        "iss": super::DEMO_FEDERATION_ISSUER,
        "nbf": iat,
        "exp": exp,
        "iat": iat,
    });
    let token = mint(shared, claims);
    Reply::json(200, json!({"count": token.len(), "value": token}))
}

fn azure_devops(shared: &Shared, call: &CiCall<'_>, now: DateTime<Utc>) -> Reply {
    if !call.method.eq_ignore_ascii_case("POST") {
        // Azure DevOps' Web API answer, as clients that GET this endpoint report it.
        return Reply::json(
            405,
            json!({"count": 1, "value": {"Message": format!("The requested resource does not support http method '{}'.", call.method)}}),
        );
    }
    if bearer(call.authorization) != Some(shared.config.azure_devops_access_token.as_str()) {
        let suppress = call
            .fed_auth_redirect
            .is_some_and(|v| v.eq_ignore_ascii_case("suppress"));
        return if suppress {
            unauthorized()
        } else {
            sign_in_page()
        };
    }
    if call.path.trim_end_matches('/') != azure_devops_path() {
        return vss_error(404, "JobNotFoundException", "The job could not be found.");
    }
    let params = params(call.query);
    if param(&params, "api-version").is_none() {
        return no_version("POST");
    }
    let Some(connection) = param(&params, "serviceConnectionId").filter(|c| !c.is_empty()) else {
        return vss_error(
            400,
            "ArgumentNullException",
            "Value cannot be null.\r\nParameter name: serviceConnectionId",
        );
    };
    if !connection.eq_ignore_ascii_case(super::DEMO_SERVICE_CONNECTION_ID) {
        return vss_error(
            404,
            "ServiceEndpointNotFoundException",
            &format!(
                "Service connection with id {connection} could not be found. It may have been deleted or you may not have access to it."
            ),
        );
    }
    let (iat, exp) = times(&shared.config, now, 600);
    let claims = json!({
        "jti": shared.new_guid(),
        "sub": super::DEMO_AZURE_DEVOPS_SUBJECT,
        "aud": super::DEMO_FEDERATION_AUDIENCE,
        "iss": super::DEMO_AZURE_DEVOPS_ISSUER,
        "nbf": iat,
        "exp": exp,
        "iat": iat,
    });
    Reply::json(200, json!({"oidcToken": mint(shared, claims)}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_issuers_paths_are_routed_here() {
        assert_eq!(route(&actions_path()), Some(Issuer::GithubActions));
        assert_eq!(route(&azure_devops_path()), Some(Issuer::AzureDevOps));
        assert_eq!(
            route("/_apis/distributedtask/hubs/Actions/plans/x/jobs/y/idtoken"),
            Some(Issuer::GithubActions)
        );
        assert_eq!(route("/v1.0/identityGovernance/idtoken"), None);
        assert_eq!(route("/msi/token"), None);
    }

    #[test]
    fn bearer_needs_the_scheme() {
        assert_eq!(bearer(Some("Bearer abc")), Some("abc"));
        assert_eq!(bearer(Some("bearer  abc ")), Some("abc"));
        assert_eq!(bearer(Some("Basic abc")), None);
        assert_eq!(bearer(None), None);
    }
}
