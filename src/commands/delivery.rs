//! Reading what `requests show` and `requests why` need to say why a delivery failed: each
//! package's expected resources, the audit log, and each assignment's resource roles (a beta
//! call, made in v1.0 mode too).
//! A source that cannot be read becomes an [`Unavailable`] naming what would add it; the rest
//! goes on. The rules that turn it into causes are in `diagnosis`.

use super::Context;
use crate::diag;
use crate::diagnosis::{
    self, ExpectedResource, Unavailable, audit_activities_for, audit_ranges, expected_resources,
};
use crate::graph::{
    AssignmentRequest, AssignmentResourceRole, AuditEvent, CatalogResource, GraphError,
    RequestDetail,
};
use chrono::{DateTime, Duration, Utc};
use futures_util::{StreamExt, stream};
use std::collections::HashMap;

/// Audit windows closer than this are read as one range.
const AUDIT_RANGE_GAP_DAYS: i64 = 2;
/// At most this many ranges (times the activities) are read; more windows are merged.
const MAX_AUDIT_RANGES: usize = 2;

/// As many ranges as keep one query per range and activity within one window of the audit log's
/// documented limit: a sixth query would wait 10 seconds, longer than reading the gap between
/// two ranges costs.
fn max_audit_ranges(activities: usize) -> usize {
    let burst = crate::graph::AUDIT_LOG_LIMIT.requests as usize;
    (burst / activities.max(1)).clamp(1, MAX_AUDIT_RANGES)
}

/// Expected resources per package (lowercase id).
pub type Expected = HashMap<String, Vec<ExpectedResource>>;

/// Each package's role scopes, named from its catalog's resources. One call per package and one
/// per catalog, several at a time.
pub async fn expected_for(ctx: &Context, package_ids: &[String]) -> (Expected, Vec<Unavailable>) {
    let client = &ctx.client;
    let parallel = client.parallelism().max(1);
    let packages: Vec<_> = stream::iter(package_ids.iter().cloned())
        .map(|id| async move { (id.clone(), client.get_package_delivery(&id).await) })
        .buffer_unordered(parallel)
        .collect()
        .await;
    let mut unavailable = Vec::new();
    let mut found = Vec::new();
    for (id, result) in packages {
        match result {
            Ok(p) => found.push(p),
            Err(e) => note_once(
                &mut unavailable,
                source_error("resourceRoleScopes", &e, &format!("access package {id}")),
            ),
        }
    }
    let by_catalog = catalog_resources(ctx, &found, &mut unavailable).await;
    let expected = found
        .into_iter()
        .map(|p| {
            let catalog = p
                .package
                .catalog
                .as_ref()
                .and_then(|c| c.id.as_ref())
                .and_then(|id| by_catalog.get(id))
                .map(Vec::as_slice)
                .unwrap_or_default();
            (
                p.package.id.to_ascii_lowercase(),
                expected_resources(&p.role_scopes, catalog),
            )
        })
        .collect();
    (expected, unavailable)
}

/// The resources of the packages' catalogs, each catalog read once.
async fn catalog_resources(
    ctx: &Context,
    packages: &[crate::graph::PackageDelivery],
    unavailable: &mut Vec<Unavailable>,
) -> HashMap<String, Vec<CatalogResource>> {
    let client = &ctx.client;
    let mut catalogs: Vec<String> = packages
        .iter()
        .filter_map(|p| p.package.catalog.as_ref().and_then(|c| c.id.clone()))
        .collect();
    catalogs.sort();
    catalogs.dedup();
    let resources: Vec<(String, Result<Vec<CatalogResource>, GraphError>)> = stream::iter(catalogs)
        .map(|id| async move { (id.clone(), client.list_catalog_resources(&id).await) })
        .buffer_unordered(client.parallelism().max(1))
        .collect()
        .await;
    let mut by_catalog = HashMap::new();
    for (id, result) in resources {
        match result {
            Ok(r) => {
                by_catalog.insert(id, r);
            }
            Err(e) => note_once(
                unavailable,
                source_error("catalogResources", &e, "resource names"),
            ),
        }
    }
    by_catalog
}

/// The audit events of these requests' times: one query per time range and activity, one at a
/// time (the audit log allows five requests per 10 seconds per app and tenant, and a `429`'s
/// `Retry-After` is then waited out before the next one).
pub async fn audit_events(
    ctx: &Context,
    requests: &[&AssignmentRequest],
    now: DateTime<Utc>,
) -> Result<Vec<AuditEvent>, Unavailable> {
    let activities = audit_activities_for(requests);
    let ranges = audit_ranges(
        requests,
        now,
        Duration::days(AUDIT_RANGE_GAP_DAYS),
        max_audit_ranges(activities.len()),
    );
    let mut events = Vec::new();
    for (from, to) in &ranges {
        for activity in &activities {
            let found = ctx
                .client
                .list_audit_events(activity, *from, *to)
                .await
                .map_err(|e| source_error("auditLog", &e, "audit events"))?;
            events.extend(found);
        }
    }
    diag::trace(
        1,
        format!(
            "audit log: {} event(s) from {} quer(ies)",
            events.len(),
            ranges.len() * activities.len()
        ),
    );
    Ok(events)
}

/// The audit events of one request, for `requests show`: those naming the request (one query,
/// every activity); when none does (the log may name only the requestor and the package), those
/// naming the requestor, else the package, in the request's time (one more query). Never one
/// query per activity and time range as for many requests: at most two, where those would be
/// up to six, each paging through everyone's events of its activity.
pub async fn audit_events_of_one(
    ctx: &Context,
    request: &AssignmentRequest,
    now: DateTime<Utc>,
) -> Result<Vec<AuditEvent>, Unavailable> {
    let kept_from = now - Duration::days(diagnosis::AUDIT_RETENTION_DAYS);
    let (from, to) = diagnosis::request_window(request, now);
    let (from, to) = (from.max(kept_from), to.min(now));
    if from > to {
        // Older than the log keeps: asking costs a query of the five per 10 seconds.
        return Ok(Vec::new());
    }
    let read = |e: GraphError| source_error("auditLog", &e, "audit events");
    let mut queries = 1;
    let mut events = ctx
        .client
        .list_audit_events_naming(&request.id, None)
        .await
        .map_err(read)?;
    if events.is_empty() {
        let subject = request
            .requestor
            .as_ref()
            .and_then(|r| r.object_id.as_deref())
            .filter(|id| super::is_guid(id))
            .or_else(|| request.access_package.as_ref().map(|p| p.id.as_str()));
        if let Some(subject) = subject {
            queries += 1;
            events = ctx
                .client
                .list_audit_events_naming(subject, Some((from, to)))
                .await
                .map_err(read)?;
        }
    }
    diag::trace(
        1,
        format!(
            "audit log: {} event(s) from {queries} quer(ies) for request {}",
            events.len(),
            crate::sanitize::line(&request.id)
        ),
    );
    Ok(events)
}

/// beta: each request's resource roles, through its assignment, whatever `--api-version`:
/// `accessPackageAssignmentResourceRoles` exists in beta only and is not deprecated, so v1.0
/// reads it there, the one beta call, rather than moving every other call onto beta. The
/// assignment's id comes with the request (it is expanded); a request listed without it is read
/// once more. A service or app that refuses the beta call is said once, and the rest goes on.
pub async fn resource_roles(
    ctx: &Context,
    requests: &[&AssignmentRequest],
) -> (
    HashMap<String, Vec<AssignmentResourceRole>>,
    Option<Unavailable>,
) {
    let client = &ctx.client;
    let results: Vec<(String, Result<Vec<AssignmentResourceRole>, GraphError>)> =
        stream::iter(requests.iter().map(|r| {
            let assignment = r.assignment.as_ref().and_then(|a| a.id.clone());
            (r.id.clone(), assignment)
        }))
        .map(|(id, assignment)| async move {
            let assignment = match assignment {
                Some(a) => Ok(Some(a)),
                None => client
                    .get_request_detail(&id)
                    .await
                    .map(|detail| detail.assignment_id),
            };
            let roles = match assignment {
                Ok(Some(a)) if super::is_guid(&a) => client.assignment_resource_roles(&a).await,
                Ok(_) => Ok(Vec::new()),
                Err(e) => Err(e),
            };
            (id, roles)
        })
        .buffer_unordered(client.parallelism().max(1))
        .collect()
        .await;
    let mut out = HashMap::new();
    let mut unavailable = None;
    for (id, result) in results {
        match result {
            Ok(roles) => {
                out.insert(id.to_ascii_lowercase(), roles);
            }
            Err(e) => {
                unavailable
                    .get_or_insert_with(|| source_error("resourceRoles", &e, "resource roles"));
            }
        }
    }
    (out, unavailable)
}

/// The resource roles of a request read in full.
pub async fn roles_of(
    ctx: &Context,
    detail: &RequestDetail,
) -> Result<Vec<AssignmentResourceRole>, GraphError> {
    match &detail.assignment_id {
        Some(id) if super::is_guid(id) => ctx.client.assignment_resource_roles(id).await,
        _ => Ok(Vec::new()),
    }
}

/// What a failed read means for its source, with the permission or step that would add it.
pub fn source_error(source: &str, e: &GraphError, what: &str) -> Unavailable {
    let status = e.status();
    let code = e.code().filter(|c| !c.is_empty()).unwrap_or("no code");
    let (reason, hint) = match (source, status) {
        ("auditLog", Some(401 | 403)) => (
            format!("not permitted ({} {code})", status.unwrap_or_default()),
            "grant the app AuditLog.Read.All (application permission, with admin consent; \
             the audit log also needs a Microsoft Entra ID P1 or P2 licence)"
                .to_string(),
        ),
        ("resourceRoles", Some(401 | 403)) => (
            format!(
                "beta accessPackageAssignmentResourceRoles refused ({} {code}), skipped",
                status.unwrap_or_default()
            ),
            "the rest is read from v1.0; this app or service does not allow that beta call"
                .to_string(),
        ),
        (_, Some(401 | 403)) => (
            format!(
                "{what}: not permitted ({} {code})",
                status.unwrap_or_default()
            ),
            "EntitlementManagement.Read.All, or a catalog role on the package's catalog, adds it"
                .to_string(),
        ),
        ("resourceRoles", Some(400 | 404)) => (
            format!(
                "beta accessPackageAssignmentResourceRoles not available ({} {code}), skipped",
                status.unwrap_or_default()
            ),
            "the rest is read from v1.0; this service does not offer that beta call".to_string(),
        ),
        _ => (
            format!("{what}: {}", crate::sanitize::excerpt(&e.to_string())),
            "rerun later".to_string(),
        ),
    };
    Unavailable {
        source: source.to_string(),
        reason,
        hint,
    }
}

fn note_once(list: &mut Vec<Unavailable>, u: Unavailable) {
    if !list.iter().any(|x| x.source == u.source) {
        list.push(u);
    }
}

/// Notes for the failed requests the audit log can no longer explain.
pub fn retention_note(requests: &[&AssignmentRequest], now: DateTime<Utc>) -> Option<String> {
    let before = now - Duration::days(diagnosis::AUDIT_RETENTION_DAYS);
    let old = requests
        .iter()
        .filter(|r| diagnosis::request_window(r, now).1 < before)
        .count();
    (old > 0).then(|| {
        format!(
            "{old} failed request(s) ended more than {} days ago: the audit log no longer holds their events",
            diagnosis::AUDIT_RETENTION_DAYS
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_times_activities_fit_the_audit_logs_burst() {
        for activities in 1..=3 {
            let queries = max_audit_ranges(activities) * activities;
            assert!(queries <= 5, "{activities} activities: {queries} queries");
        }
        assert_eq!(max_audit_ranges(1), MAX_AUDIT_RANGES);
        assert_eq!(max_audit_ranges(3), 1);
    }
}
