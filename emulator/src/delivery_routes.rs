//! The handlers of what [`super::delivery`] models: the audit log, a catalog's resources, an
//! assignment's resource roles (beta), and the parts of packages and requests that show them.

use serde_json::{Map, Value, json};

use super::Shared;
use super::delivery::{self, RoleScopeExpand};
use super::filter;
use super::identity::{ROLE_AUDIT_READ, ROLE_READ, ROLE_READ_WRITE, TokenInfo};
use super::model::{ApiVersion, Churn, Store};
use super::odata::{GraphError, Reply, parse_query, split_list};
use super::paging::page;
use super::routes::{Call, compile_filter, denied, eq, not_found_segment, require_role};

/// Which throttle a path answers to: the audit log has a limit of its own ("identity and access
/// reports": five requests per 10 seconds per app per tenant), and does not count against the
/// entitlement-management one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ThrottleScope {
    Default,
    AuditLog,
}

pub(crate) fn throttle_scope(path: &str) -> ThrottleScope {
    let mut segments = path.trim_matches('/').split('/');
    let _version = segments.next();
    match segments.next() {
        Some(s) if eq(s, "auditLogs") => ThrottleScope::AuditLog,
        _ => ThrottleScope::Default,
    }
}

/// `GET /{version}/auditLogs/directoryAudits` (and one event by id).
pub(crate) fn audit_logs(
    shared: &Shared,
    call: &Call<'_>,
    version: ApiVersion,
    rest: &[&str],
    token: &TokenInfo,
) -> Result<Reply, GraphError> {
    let Some(collection) = rest.first() else {
        return Err(not_found_segment("auditLogs"));
    };
    if !eq(collection, "directoryAudits") {
        return Err(not_found_segment(collection));
    }
    if !call.method.eq_ignore_ascii_case("GET") {
        return Err(GraphError::new(
            405,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request target.",
        ));
    }
    require_role(token, &[ROLE_AUDIT_READ])?;
    let context = format!(
        "{}/{}/$metadata#auditLogs/directoryAudits",
        shared.base_url,
        version.segment()
    );
    let events = &shared.delivery.events;
    match rest.get(1..) {
        Some([]) => {}
        Some([id]) => return audit_event(events, id, &context),
        _ => return Err(not_found_segment(rest.last().copied().unwrap_or(""))),
    }
    let q = parse_query(call.query)?;
    if q.expand.is_some() {
        return Err(GraphError::bad_request(
            "The query parameter '$expand' is not supported for this resource.",
        ));
    }
    let expr = compile_filter(&q, &filter::DIRECTORY_AUDIT, shared.config.strict_filters)?;
    let path = format!("/{}/auditLogs/directoryAudits", version.segment());
    page(
        shared,
        &q,
        &path,
        &context,
        events,
        Churn::NONE,
        |e| {
            expr.as_ref().is_none_or(|x| {
                filter::eval(x, &|p| match p {
                    "activityDisplayName" => filter::Value::Text(e.activity.into()),
                    "activityDateTime" => filter::Value::DateTime(Some(e.at)),
                    "correlationId" => filter::Value::Text(e.correlation_id.clone()),
                    "id" => filter::Value::Text(e.id.clone()),
                    "loggedByService" => filter::Value::Text("Entitlement Management".into()),
                    "targetResources" => filter::Value::Items(
                        e.targets
                            .iter()
                            .map(|t| {
                                vec![
                                    ("id", filter::Value::Text(t.id.clone())),
                                    (
                                        "displayName",
                                        filter::Value::Text(
                                            t.display_name.clone().unwrap_or_default(),
                                        ),
                                    ),
                                ]
                            })
                            .collect(),
                    ),
                    _ => filter::Value::Text(String::new()),
                })
            })
        },
        delivery::render_event,
    )
}

/// `GET /{version}/auditLogs/directoryAudits/{id}`.
fn audit_event(
    events: &[delivery::AuditEvent],
    id: &str,
    context: &str,
) -> Result<Reply, GraphError> {
    let e = events.iter().find(|e| eq(&e.id, id)).ok_or_else(|| {
        GraphError::new(
            404,
            "ResourceNotFound",
            format!("Audit event '{id}' not found."),
        )
    })?;
    let mut o = Map::new();
    o.insert("@odata.context".into(), json!(format!("{context}/$entity")));
    o.extend(delivery::render_event(e));
    Ok(Reply::json(200, Value::Object(o)))
}

/// `GET catalogs/{id}/resources` (beta: `accessPackageCatalogs/{id}/accessPackageResources`).
pub(crate) fn catalog_resources(
    shared: &Shared,
    call: &Call<'_>,
    version: ApiVersion,
    catalog_id: &str,
    collection_path: &str,
    context: &str,
    token: &TokenInfo,
) -> Result<Reply, GraphError> {
    require_role(token, &[ROLE_READ, ROLE_READ_WRITE])?;
    let q = parse_query(call.query)?;
    if q.filter.is_some() || q.expand.is_some() {
        return Err(GraphError::bad_request(
            "Invalid filter clause: filtering and expanding catalog resources is not supported by this server.",
        ));
    }
    let store = shared.lock_store();
    let catalog_idx = store
        .catalogs
        .iter()
        .position(|c| eq(&c.id, catalog_id))
        .ok_or_else(|| {
            GraphError::new(
                404,
                "ResourceNotFound",
                format!("The accessPackageCatalog with id '{catalog_id}' was not found."),
            )
        })?;
    if shared.hidden_catalog == Some(catalog_idx) {
        return Err(denied());
    }
    let resources = &shared.delivery.resources;
    page(
        shared,
        &q,
        collection_path,
        context,
        resources,
        Churn::NONE,
        |r| r.catalog_idx == catalog_idx,
        |r| delivery::render_resource(r, version),
    )
}

/// beta `GET accessPackageAssignments/{id}/accessPackageAssignmentResourceRoles`.
pub(crate) fn assignment_resource_roles(
    shared: &Shared,
    call: &Call<'_>,
    assignment_id: &str,
    context: &str,
    token: &TokenInfo,
) -> Result<Reply, GraphError> {
    if shared.config.resource_roles_unavailable {
        return Err(not_found_segment("accessPackageAssignmentResourceRoles"));
    }
    if shared.config.resource_roles_forbidden {
        return Err(denied());
    }
    require_role(token, &[ROLE_READ, ROLE_READ_WRITE])?;
    let q = parse_query(call.query)?;
    let (mut role, mut scope) = (false, None);
    for item in q.expand.as_deref().map(split_list).unwrap_or_default() {
        let (name, nested) = match item.split_once('(') {
            Some((n, rest)) => (n.trim().to_string(), Some(rest.to_string())),
            None => (item.clone(), None),
        };
        if eq(&name, "accessPackageResourceRole") && nested.is_none() {
            role = true;
        } else if eq(&name, "accessPackageResourceScope") {
            scope = Some(parse_scope_expand(nested.as_deref().unwrap_or(""))?);
        } else {
            return Err(GraphError::bad_request(format!(
                "Could not find a property named '{name}' on type 'microsoft.graph.accessPackageAssignmentResourceRole'."
            )));
        }
    }
    let store = shared.lock_store();
    let r = shared
        .delivery
        .assignments
        .get(&assignment_id.to_ascii_lowercase())
        .and_then(|request_id| store.find_request(request_id))
        .and_then(|i| store.requests.get(i))
        // A request that appeared while the emulator ran has an assignment too; there are
        // few, so a scan on a miss costs little.
        .or_else(|| {
            store
                .requests
                .iter()
                .find(|r| r.live && eq(&r.assignment_id, assignment_id))
        })
        .ok_or_else(|| {
            GraphError::new(
                404,
                "ResourceNotFound",
                format!("The accessPackageAssignment with id '{assignment_id}' was not found."),
            )
        })?;
    if !super::routes::package_visible(shared, &store, r.package_idx) {
        return Err(denied());
    }
    let items: Vec<Value> = delivery::render_assignment_roles(&shared.delivery, r, role, scope)
        .into_iter()
        .map(Value::Object)
        .collect();
    Ok(Reply::json(
        200,
        json!({"@odata.context": context, "value": items}),
    ))
}

/// The nested options of `accessPackageResourceScope(...)`: only `$expand=accessPackageResource`.
fn parse_scope_expand(nested: &str) -> Result<delivery::ScopeExpand, GraphError> {
    let inner = nested.trim().strip_suffix(')').unwrap_or(nested).trim();
    let mut out = delivery::ScopeExpand::default();
    if inner.is_empty() {
        return Ok(out);
    }
    for option in inner.split(';') {
        let (key, value) = option.split_once('=').unwrap_or((option, ""));
        if !key.trim().eq_ignore_ascii_case("$expand") {
            return Err(GraphError::bad_request(format!(
                "The query option '{}' is not supported inside $expand of 'accessPackageResourceScope'.",
                key.trim()
            )));
        }
        for name in split_list(value) {
            if eq(&name, "accessPackageResource") {
                out.resource = true;
            } else {
                return Err(GraphError::bad_request(format!(
                    "Could not find a property named '{name}' on type 'microsoft.graph.accessPackageResourceScope'."
                )));
            }
        }
    }
    Ok(out)
}

/// The navigation a package's role scopes are expanded under, per version.
pub(crate) fn role_scopes_nav(version: ApiVersion) -> &'static str {
    match version {
        ApiVersion::V1 => "resourceRoleScopes",
        ApiVersion::Beta => "accessPackageResourceRoleScopes",
    }
}

/// The nested options of `resourceRoleScopes(...)`: only `$expand` of the role and the scope.
pub(crate) fn parse_role_scope_expand(
    version: ApiVersion,
    nested: &str,
) -> Result<RoleScopeExpand, GraphError> {
    let (role_nav, scope_nav) = match version {
        ApiVersion::V1 => ("role", "scope"),
        ApiVersion::Beta => ("accessPackageResourceRole", "accessPackageResourceScope"),
    };
    let inner = nested.trim().strip_suffix(')').unwrap_or(nested).trim();
    let mut out = RoleScopeExpand::default();
    if inner.is_empty() {
        return Ok(out);
    }
    for option in inner.split(';') {
        let (key, value) = option.split_once('=').unwrap_or((option, ""));
        if !key.trim().eq_ignore_ascii_case("$expand") {
            return Err(GraphError::bad_request(format!(
                "The query option '{}' is not supported inside $expand of '{}'.",
                key.trim(),
                role_scopes_nav(version)
            )));
        }
        for name in split_list(value) {
            if eq(&name, role_nav) {
                out.role = true;
            } else if eq(&name, scope_nav) {
                out.scope = true;
            } else {
                return Err(GraphError::bad_request(format!(
                    "Could not find a property named '{name}' on type 'microsoft.graph.accessPackageResourceRoleScope'."
                )));
            }
        }
    }
    Ok(out)
}

/// Adds the expanded role scopes to a rendered package.
pub(crate) fn patch_package(
    shared: &Shared,
    store: &Store,
    package_id: &str,
    version: ApiVersion,
    expand: Option<RoleScopeExpand>,
    o: &mut Map<String, Value>,
) {
    let Some(nested) = expand else { return };
    let Some(idx) = store.packages.iter().position(|p| eq(&p.id, package_id)) else {
        return;
    };
    o.insert(
        role_scopes_nav(version).into(),
        delivery::render_role_scopes(&shared.delivery, idx, version, nested),
    );
}

/// Fills a rendered request's `customExtensionCalloutInstances`, when it carries them, and its
/// expanded v1.0 assignment's.
pub(crate) fn patch_request(shared: &Shared, request_id: &str, o: &mut Map<String, Value>) {
    if let Some(slot) = o.get_mut("customExtensionCalloutInstances") {
        *slot = delivery::render_callouts(&shared.delivery, request_id);
    }
    for nav in ["assignment", "accessPackageAssignment"] {
        if let Some(Value::Object(assignment)) = o.get_mut(nav) {
            assignment.insert(
                "customExtensionCalloutInstances".into(),
                delivery::render_assignment_callouts(&shared.delivery, request_id),
            );
        }
    }
}
