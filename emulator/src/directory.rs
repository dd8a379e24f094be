//! The slice of the directory that registering an app takes (`ep auth setup`): the tenant's
//! organization, the Microsoft Graph service principal with its delegated scopes, and the
//! applications, service principals and delegated permission grants an admin creates.
//!
//! Modelled on Graph's v1.0 documentation: `GET /organization`, `GET /servicePrincipals(appId=
//! '…')`, `POST /applications`, `GET /applications(appId='…')`, `POST /servicePrincipals`,
//! `GET|POST /oauth2PermissionGrants` and `PATCH /oauth2PermissionGrants/{id}`. What the
//! documents leave open is played the least forgiving way: a new app is not found by the next
//! call for a while (`directory_lag`), unknown properties are refused, and a grant names scopes
//! the resource really publishes.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use super::identity::TokenInfo;
use super::identity::{ROLE_APPLICATION_WRITE, ROLE_GRANT_WRITE};
use super::model::ApiVersion;
use super::odata::{GraphError, Reply, parse_query};
use super::routes::{Call, eq, not_found_segment, require_role};
use super::{DEMO, Shared};

/// Microsoft Graph's app id, the same in every tenant.
pub(crate) const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// Delegated scopes the Graph service principal publishes here, with the ids Microsoft's
/// permissions reference gives them (enough for what ep asks for, and a few it does not).
const GRAPH_SCOPES: &[(&str, &str)] = &[
    (
        "ae7a573d-81d7-432b-ad44-4ed5c9d89038",
        "EntitlementManagement.ReadWrite.All",
    ),
    (
        "5449aa12-1393-4ea2-a7c7-d0e06c1a56b2",
        "EntitlementManagement.Read.All",
    ),
    ("e4c9e354-4dc5-45b8-9e7c-e1393b0b1a20", "AuditLog.Read.All"),
    ("7427e0e9-2fba-42fe-b0c0-848c9e6a8182", "offline_access"),
    ("e1fe6dd8-ba31-4d61-89e7-88639da4683d", "User.Read"),
    ("37f7f235-527c-4136-accd-4a02d197296e", "openid"),
];

/// The Graph service principal's object id in the demo tenant (tenant-specific in real life).
const GRAPH_SP_ID: &str = "a0f1e2d3-c4b5-4a69-8877-665544332211";

const APPLICATION_PROPERTIES: &[&str] = &[
    "displayName",
    "signInAudience",
    "isFallbackPublicClient",
    "publicClient",
    "requiredResourceAccess",
    "description",
    "notes",
    "tags",
];

const AUDIENCES: &[&str] = &[
    "AzureADMyOrg",
    "AzureADMultipleOrgs",
    "AzureADandPersonalMicrosoftAccount",
    "PersonalMicrosoftAccount",
];

#[derive(Debug, Clone)]
struct Application {
    id: String,
    app_id: String,
    body: Map<String, Value>,
    created: DateTime<Utc>,
}

#[derive(Debug, Clone)]
struct ServicePrincipal {
    id: String,
    app_id: String,
    display_name: String,
}

#[derive(Debug, Clone)]
struct Grant {
    id: String,
    client_id: String,
    consent_type: String,
    principal_id: Option<String>,
    resource_id: String,
    scope: String,
}

/// What admins created while the emulator runs.
#[derive(Debug, Default)]
pub(crate) struct Directory {
    applications: Vec<Application>,
    service_principals: Vec<ServicePrincipal>,
    grants: Vec<Grant>,
    /// App id → how many more `POST /servicePrincipals` find no such app yet.
    unseen: Vec<(String, u32)>,
}

impl Directory {
    /// Ground truth for tests: every application, service principal and grant, as Graph
    /// would show them.
    pub(crate) fn snapshot(&self) -> Value {
        json!({
            "applications": self.applications.iter().map(application_json).collect::<Vec<_>>(),
            "servicePrincipals": self.service_principals.iter().map(sp_json).collect::<Vec<_>>(),
            "oauth2PermissionGrants": self.grants.iter().map(grant_json).collect::<Vec<_>>(),
        })
    }
}

fn application_json(a: &Application) -> Value {
    let mut o = a.body.clone();
    o.insert("id".into(), json!(a.id));
    o.insert("appId".into(), json!(a.app_id));
    o.insert(
        "createdDateTime".into(),
        json!(a.created.to_rfc3339_opts(SecondsFormat::Secs, true)),
    );
    for (key, default) in [
        ("signInAudience", json!("AzureADMyOrg")),
        ("isFallbackPublicClient", Value::Null),
        ("publicClient", json!({"redirectUris": []})),
        ("requiredResourceAccess", json!([])),
    ] {
        o.entry(key).or_insert(default);
    }
    Value::Object(o)
}

fn graph_sp_json() -> Value {
    let scopes: Vec<Value> = GRAPH_SCOPES
        .iter()
        .map(|(id, value)| {
            json!({
                "id": id,
                "value": value,
                "type": if value.ends_with(".All") { "Admin" } else { "User" },
                "isEnabled": true,
                "adminConsentDisplayName": value,
            })
        })
        .collect();
    json!({
        "id": GRAPH_SP_ID,
        "appId": GRAPH_APP_ID,
        "displayName": "Microsoft Graph",
        "servicePrincipalType": "Application",
        "oauth2PermissionScopes": scopes,
    })
}

fn sp_json(sp: &ServicePrincipal) -> Value {
    json!({
        "id": sp.id,
        "appId": sp.app_id,
        "displayName": sp.display_name,
        "servicePrincipalType": "Application",
        "oauth2PermissionScopes": [],
    })
}

fn grant_json(g: &Grant) -> Value {
    json!({
        "id": g.id,
        "clientId": g.client_id,
        "consentType": g.consent_type,
        "principalId": g.principal_id,
        "resourceId": g.resource_id,
        "scope": g.scope,
    })
}

/// Whether `segment` is a directory collection this module answers.
pub(crate) fn handles(segment: &str) -> bool {
    let name = segment.split('(').next().unwrap_or(segment);
    [
        "organization",
        "servicePrincipals",
        "applications",
        "oauth2PermissionGrants",
    ]
    .iter()
    .any(|c| eq(name, c))
}

/// `name(appId='…')` → the app id; `None` for any other shape.
fn alternate_key<'a>(segment: &'a str, name: &str) -> Option<Result<&'a str, GraphError>> {
    let open = segment.find('(')?;
    if !eq(&segment[..open], name) {
        return None;
    }
    let inner = segment[open + 1..].strip_suffix(')')?;
    let (key, value) = inner.split_once('=')?;
    if !eq(key.trim(), "appId") {
        return Some(Err(GraphError::bad_request(format!(
            "'{key}' is not an alternate key of {name}."
        ))));
    }
    let value = value.trim();
    Some(
        value
            .strip_prefix('\'')
            .and_then(|v| v.strip_suffix('\''))
            .ok_or_else(|| GraphError::bad_request("Syntax error: the key value must be quoted.")),
    )
}

fn parse_body(call: &Call<'_>) -> Result<Map<String, Value>, GraphError> {
    match serde_json::from_slice::<Value>(call.body) {
        Ok(Value::Object(o)) => Ok(o),
        _ => Err(GraphError::new(
            400,
            "Request_BadRequest",
            "A 'JSON' body was expected and could not be read.",
        )),
    }
}

fn resource_not_found(what: &str, key: &str) -> GraphError {
    GraphError::new(
        404,
        "Request_ResourceNotFound",
        format!(
            "Resource '{key}' does not exist or one of its queried reference-property objects are not present. ({what})"
        ),
    )
}

fn created(body: Value, shared: &Shared, version: ApiVersion, set: &str) -> Reply {
    let mut body = body;
    body["@odata.context"] = json!(format!(
        "{}/{}/$metadata#{set}/$entity",
        shared.base_url,
        version.segment()
    ));
    Reply::json(201, body)
}

/// Handles a call whose first segment [`handles`] accepted.
pub(crate) fn route(
    shared: &Shared,
    call: &Call<'_>,
    version: ApiVersion,
    rest: &[&str],
    token: &TokenInfo,
    now: DateTime<Utc>,
) -> Result<Reply, GraphError> {
    let method = call.method.to_ascii_uppercase();
    let query = parse_query(call.query)?;
    let first = rest.first().copied().unwrap_or_default();
    let context = |set: &str| format!("{}/{}/$metadata#{set}", shared.base_url, version.segment());
    if eq(first, "organization") {
        if rest.len() != 1 || method != "GET" {
            return Err(not_found_segment(rest.get(1).copied().unwrap_or(first)));
        }
        return Ok(Reply::json(
            200,
            json!({
                "@odata.context": context("organization"),
                "value": [{
                    "id": DEMO.tenant_id,
                    "displayName": "ep demo",
                    "verifiedDomains": [{"name": super::identity::TENANT_DOMAIN, "isDefault": true}],
                }],
            }),
        ));
    }
    let mut dir = shared.lock_directory();
    if let Some(key) = alternate_key(first, "servicePrincipals") {
        let app_id = key?;
        if rest.len() != 1 || method != "GET" {
            return Err(not_found_segment(rest.get(1).copied().unwrap_or(first)));
        }
        let found = if eq(app_id, GRAPH_APP_ID) {
            Some(graph_sp_json())
        } else {
            dir.service_principals
                .iter()
                .find(|sp| eq(&sp.app_id, app_id))
                .map(sp_json)
        };
        let mut sp = found.ok_or_else(|| resource_not_found("servicePrincipal", app_id))?;
        sp["@odata.context"] = json!(context("servicePrincipals/$entity"));
        return Ok(Reply::json(200, select(sp, query.select.as_deref())));
    }
    if let Some(key) = alternate_key(first, "applications") {
        let app_id = key?;
        if rest.len() != 1 || method != "GET" {
            return Err(not_found_segment(rest.get(1).copied().unwrap_or(first)));
        }
        let app = dir
            .applications
            .iter()
            .find(|a| eq(&a.app_id, app_id))
            .map(application_json)
            .ok_or_else(|| resource_not_found("application", app_id))?;
        return Ok(Reply::json(200, select(app, query.select.as_deref())));
    }
    match (first, &rest[1..], method.as_str()) {
        (c, [], "POST") if eq(c, "applications") => {
            require_role(token, &[ROLE_APPLICATION_WRITE])?;
            let body = parse_body(call)?;
            let app = create_application(shared, &mut dir, body, now)?;
            Ok(created(app, shared, version, "applications"))
        }
        (c, [], "POST") if eq(c, "servicePrincipals") => {
            require_role(token, &[ROLE_APPLICATION_WRITE])?;
            let body = parse_body(call)?;
            let sp = create_service_principal(shared, &mut dir, &body)?;
            Ok(created(sp, shared, version, "servicePrincipals"))
        }
        (c, [], "GET") if eq(c, "oauth2PermissionGrants") => {
            let client = grant_filter(query.filter.as_deref())?;
            let value: Vec<Value> = dir
                .grants
                .iter()
                .filter(|g| client.as_deref().is_none_or(|c| eq(&g.client_id, c)))
                .map(grant_json)
                .collect();
            Ok(Reply::json(
                200,
                json!({"@odata.context": context("oauth2PermissionGrants"), "value": value}),
            ))
        }
        (c, [], "POST") if eq(c, "oauth2PermissionGrants") => {
            require_role(token, &[ROLE_GRANT_WRITE])?;
            let body = parse_body(call)?;
            let grant = create_grant(shared, &mut dir, &body)?;
            Ok(created(grant, shared, version, "oauth2PermissionGrants"))
        }
        (c, [id], "PATCH") if eq(c, "oauth2PermissionGrants") => {
            require_role(token, &[ROLE_GRANT_WRITE])?;
            let body = parse_body(call)?;
            update_grant(shared, &mut dir, id, &body)?;
            Ok(Reply::empty(204))
        }
        (_, [], _) | (_, [_], _) => Err(GraphError::new(
            405,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request target.",
        )),
        (_, [_, next, ..], _) => Err(not_found_segment(next)),
    }
}

/// `$select` on one entity: the named properties (and `@odata` annotations, and `id`).
fn select(entity: Value, select: Option<&str>) -> Value {
    let (Some(select), Value::Object(o)) = (select, &entity) else {
        return entity;
    };
    let wanted: Vec<&str> = select.split(',').map(str::trim).collect();
    let kept: Map<String, Value> = o
        .iter()
        .filter(|(k, _)| k.starts_with('@') || k.as_str() == "id" || wanted.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Value::Object(kept)
}

/// The one filter this emulation takes on grants: `clientId eq '…'`.
fn grant_filter(filter: Option<&str>) -> Result<Option<String>, GraphError> {
    let Some(filter) = filter else {
        return Ok(None);
    };
    let parsed = filter
        .trim()
        .split_once(char::is_whitespace)
        .filter(|(field, _)| eq(field, "clientId"))
        .and_then(|(_, rest)| rest.trim_start().strip_prefix("eq"))
        .map(str::trim)
        .and_then(|v| v.strip_prefix('\'')?.strip_suffix('\''));
    parsed
        .map(|v| Some(v.to_string()))
        .ok_or_else(|| GraphError::bad_request(format!("Invalid filter clause: {filter}")))
}

fn create_application(
    shared: &Shared,
    dir: &mut Directory,
    body: Map<String, Value>,
    now: DateTime<Utc>,
) -> Result<Value, GraphError> {
    if let Some(unknown) = body
        .keys()
        .find(|k| !APPLICATION_PROPERTIES.contains(&k.as_str()))
    {
        return Err(GraphError::bad_request(format!(
            "Property '{unknown}' does not exist on type 'microsoft.graph.application'."
        )));
    }
    match body.get("displayName") {
        Some(Value::String(s)) if !s.trim().is_empty() => {}
        _ => {
            return Err(GraphError::new(
                400,
                "Request_BadRequest",
                "Property 'displayName' is required.",
            ));
        }
    }
    if let Some(audience) = body.get("signInAudience")
        && !audience.as_str().is_some_and(|a| AUDIENCES.contains(&a))
    {
        return Err(GraphError::bad_request(format!(
            "Invalid value specified for property 'signInAudience' of resource 'Application': {audience}."
        )));
    }
    if let Some(public) = body.get("isFallbackPublicClient")
        && !public.is_boolean()
    {
        return Err(GraphError::bad_request(
            "Property 'isFallbackPublicClient' must be a Boolean.",
        ));
    }
    check_required_resource_access(body.get("requiredResourceAccess"))?;
    let app = Application {
        id: shared.new_guid(),
        app_id: shared.new_guid(),
        body,
        created: now,
    };
    let lag = shared.config.directory_lag;
    shared.issuer.register_client(&app.app_id, |c| {
        c.public = app.body.get("isFallbackPublicClient") == Some(&Value::Bool(true));
        c.unseen_sign_ins = lag;
    });
    dir.unseen.push((app.app_id.to_ascii_lowercase(), lag));
    let out = application_json(&app);
    dir.applications.push(app);
    Ok(out)
}

/// Each entry names a resource app and permissions of type `Scope` or `Role` by GUID; for
/// Microsoft Graph, scopes it does not publish are refused.
fn check_required_resource_access(rra: Option<&Value>) -> Result<(), GraphError> {
    let Some(rra) = rra else { return Ok(()) };
    let bad = |m: &str| Err(GraphError::bad_request(m.to_string()));
    let Some(entries) = rra.as_array() else {
        return bad("Property 'requiredResourceAccess' must be a collection.");
    };
    for entry in entries {
        let Some(resource) = entry.get("resourceAppId").and_then(Value::as_str) else {
            return bad("Property 'resourceAppId' is required in requiredResourceAccess.");
        };
        let Some(access) = entry.get("resourceAccess").and_then(Value::as_array) else {
            return bad("Property 'resourceAccess' must be a collection.");
        };
        for a in access {
            let id = a.get("id").and_then(Value::as_str).unwrap_or_default();
            match a.get("type").and_then(Value::as_str) {
                Some("Scope" | "Role") => {}
                _ => return bad("Property 'type' of resourceAccess must be 'Scope' or 'Role'."),
            }
            if eq(resource, GRAPH_APP_ID) && !GRAPH_SCOPES.iter().any(|(s, _)| eq(s, id)) {
                return bad(&format!(
                    "Permission (scope or role) '{id}' cannot be found on resource '{resource}'."
                ));
            }
        }
    }
    Ok(())
}

fn create_service_principal(
    shared: &Shared,
    dir: &mut Directory,
    body: &Map<String, Value>,
) -> Result<Value, GraphError> {
    let Some(app_id) = body.get("appId").and_then(Value::as_str) else {
        return Err(GraphError::new(
            400,
            "Request_BadRequest",
            "Property 'appId' is required.",
        ));
    };
    let not_yet = || {
        GraphError::new(
            400,
            "Request_BadRequest",
            format!(
                "The appId '{app_id}' of the service principal does not reference a valid application object."
            ),
        )
    };
    let key = app_id.to_ascii_lowercase();
    if let Some((_, left)) = dir.unseen.iter_mut().find(|(k, _)| *k == key)
        && *left > 0
    {
        *left -= 1;
        return Err(not_yet());
    }
    let Some(app) = dir.applications.iter().find(|a| eq(&a.app_id, app_id)) else {
        return Err(not_yet());
    };
    if dir
        .service_principals
        .iter()
        .any(|sp| eq(&sp.app_id, app_id))
    {
        return Err(GraphError::new(
            409,
            "Request_MultipleObjectsWithSameKeyValue",
            "Another object with the same value for property servicePrincipalNames already exists.",
        ));
    }
    let sp = ServicePrincipal {
        id: shared.new_guid(),
        app_id: app.app_id.clone(),
        display_name: app
            .body
            .get("displayName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
    };
    let out = sp_json(&sp);
    dir.service_principals.push(sp);
    Ok(out)
}

/// Every scope in `scope` must be one the resource publishes.
fn check_scopes(scope: &str) -> Result<(), GraphError> {
    match scope
        .split_whitespace()
        .find(|s| !GRAPH_SCOPES.iter().any(|(_, v)| v == s))
    {
        Some(unknown) => Err(GraphError::bad_request(format!(
            "Invalid value specified for property 'scope' of resource 'OAuth2PermissionGrant': '{unknown}' is not a scope of the resource."
        ))),
        None => Ok(()),
    }
}

fn create_grant(
    shared: &Shared,
    dir: &mut Directory,
    body: &Map<String, Value>,
) -> Result<Value, GraphError> {
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
    let (Some(client_id), Some(consent_type), Some(resource_id)) =
        (text("clientId"), text("consentType"), text("resourceId"))
    else {
        return Err(GraphError::new(
            400,
            "Request_BadRequest",
            "Properties 'clientId', 'consentType' and 'resourceId' are required.",
        ));
    };
    let scope = text("scope").unwrap_or_default();
    let principal_id = text("principalId");
    match (consent_type.as_str(), &principal_id) {
        ("AllPrincipals", None) | ("Principal", Some(_)) => {}
        _ => {
            return Err(GraphError::bad_request(
                "consentType must be 'AllPrincipals' without a principalId, or 'Principal' with one.",
            ));
        }
    }
    if !eq(&resource_id, GRAPH_SP_ID) {
        return Err(resource_not_found("servicePrincipal", &resource_id));
    }
    check_scopes(&scope)?;
    let Some(client) = dir
        .service_principals
        .iter()
        .find(|sp| eq(&sp.id, &client_id))
        .cloned()
    else {
        return Err(resource_not_found("servicePrincipal", &client_id));
    };
    if dir.grants.iter().any(|g| {
        eq(&g.client_id, &client_id)
            && eq(&g.resource_id, &resource_id)
            && g.consent_type == consent_type
            && g.principal_id == principal_id
    }) {
        return Err(GraphError::new(
            409,
            "Request_MultipleObjectsWithSameKeyValue",
            "Permission entry already exists.",
        ));
    }
    let grant = Grant {
        id: shared.new_guid(),
        client_id,
        consent_type,
        principal_id,
        resource_id,
        scope,
    };
    consent(shared, &client.app_id, &grant);
    let out = grant_json(&grant);
    dir.grants.push(grant);
    Ok(out)
}

fn update_grant(
    shared: &Shared,
    dir: &mut Directory,
    id: &str,
    body: &Map<String, Value>,
) -> Result<(), GraphError> {
    if body.keys().any(|k| k != "scope") {
        return Err(GraphError::bad_request(
            "Only 'scope' of an oAuth2PermissionGrant can be updated.",
        ));
    }
    let scope = body
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    check_scopes(&scope)?;
    let Some(grant) = dir.grants.iter_mut().find(|g| eq(&g.id, id)) else {
        return Err(resource_not_found("oAuth2PermissionGrant", id));
    };
    grant.scope = scope;
    let grant = grant.clone();
    if let Some(sp) = dir
        .service_principals
        .iter()
        .find(|sp| eq(&sp.id, &grant.client_id))
    {
        consent(shared, &sp.app_id, &grant);
    }
    Ok(())
}

/// Tokens for the app carry what every user was granted. (A grant for one person is recorded
/// but, as the emulator signs in one demo person, treated the same.)
fn consent(shared: &Shared, app_id: &str, grant: &Grant) {
    let scopes: Vec<String> = grant.scope.split_whitespace().map(str::to_string).collect();
    shared.issuer.register_client(app_id, |c| c.scopes = scopes);
}
