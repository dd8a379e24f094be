//! Why a delivery failed, from what Graph tells: the package's expected resources, the beta
//! per-resource status, the request's custom extension calls and the audit log. Pure functions,
//! so every rule is a unit test; the calls are in `graph::delivery`, their use in
//! `commands::delivery`.
//!
//! A request's cause is the first of:
//! 0. its expanded assignment, `delivered` or `expired` since the request failed: whatever
//!    failed then, a reprocess has nothing to do now (source `assignment`);
//! 1. an audit event "Fulfill access package resource assignment" that failed: the resource it
//!    names and its `resultReason` (source `audit`);
//! 2. a custom extension call that failed (`calloutFailed`, `callbackTimedOut`), the request's
//!    own or its assignment's: its `detail` (source `customExtension`);
//! 3. for a partially delivered request of a new external user (no `objectId` yet, or a
//!    `#EXT#` sign-in name) whose only pending resources (beta) are SharePoint Online sites:
//!    nothing failed, the site waits for the guest's SharePoint account, as Entra's
//!    troubleshooting page documents, and a reprocess cannot help (source `resourceRoles`);
//! 3. an audit event "Failed access package assignment request" or "Partially fulfill access
//!    package assignment request" that failed: its `resultReason`, no resource (source `audit`);
//! 4. beta's resource roles: the one resource still `PendingFulfillment` (source
//!    `resourceRoles`; with several pending, each named in the reason, and no resource);
//! 5. nothing recorded (source `unknown`).
//!
//! Reasons are normalised so that the same cause for different people groups together: ids
//! (GUIDs) become `{id}`, runs of white space one space, and the text is bounded.
//!
//! How an audit event names its request is undocumented: an event that has the request's id
//! among its `targetResources` belongs to it; otherwise one naming the same requestor (object id
//! or user principal name) and access package, logged between the request's creation and ten
//! minutes after it completed, does — the closest to its completion when several requests
//! qualify. Which of the two matched is reported.

use crate::eligibility::request_closes_at;
use crate::graph::{
    AssignmentRequest, AssignmentResourceRole, AuditEvent, AuditTarget, CatalogResource, RoleScope,
    audit_activities, format_timestamp,
};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// The cause of a new guest's SharePoint site still pending: documented, benign, and not
/// something a reprocess changes.
pub const GUEST_SITE_PENDING: &str = "a new external user's site access shows as not fully \
     delivered until their account is provisioned in SharePoint Online: wait, reprocess cannot help";

/// The longest reason kept, in characters: a reason is a grouping key and a table cell.
pub const MAX_REASON_CHARS: usize = 300;

/// How long the audit log keeps events.
pub const AUDIT_RETENTION_DAYS: i64 = 30;

/// A resource, as ep names it: `originSystem`, `originId`, display name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRef {
    pub kind: String,
    pub id: String,
    pub display_name: String,
}

/// One resource a package delivers, with the role it grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpectedResource {
    #[serde(flatten)]
    pub resource: ResourceRef,
    pub role: Option<String>,
    #[serde(skip)]
    pub role_origin_id: Option<String>,
    /// The catalog's `accessPackageResource` id: the audit log names a resource that is no
    /// directory object (a SharePoint site) by it, as it names the package by its own id.
    #[serde(skip)]
    pub catalog_resource_id: Option<String>,
}

/// Where a cause was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Source {
    Audit,
    ResourceRoles,
    CustomExtension,
    Assignment,
    Unknown,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Audit => "audit",
            Source::ResourceRoles => "resourceRoles",
            Source::CustomExtension => "customExtension",
            Source::Assignment => "assignment",
            Source::Unknown => "unknown",
        }
    }

    /// For people: beta's resource roles are read from v1.0 too, and say so.
    pub fn label(self) -> &'static str {
        match self {
            Source::ResourceRoles => "resourceRoles (beta)",
            other => other.as_str(),
        }
    }
}

/// Why one request failed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cause {
    pub resource: Option<ResourceRef>,
    pub reason: String,
    pub source: Source,
}

/// How audit events were tied to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Correlation {
    /// The request id is among the event's target resources.
    RequestId,
    /// The same requestor and access package, at the request's time.
    RequestorPackageTime,
}

impl Correlation {
    pub fn describe(self) -> &'static str {
        match self {
            Correlation::RequestId => "by request id",
            Correlation::RequestorPackageTime => "by requestor, access package and time",
        }
    }
}

/// `{id}` for GUIDs, `{user}` for sign-in names and e-mail addresses, one space for white
/// space, at most [`MAX_REASON_CHARS`] characters: the same cause for different people, groups
/// or requests reads the same.
pub fn normalise_reason(raw: &str) -> String {
    let collapsed = raw
        .split_whitespace()
        .map(without_address)
        .collect::<Vec<_>>()
        .join(" ");
    let chars: Vec<char> = collapsed.chars().collect();
    let mut out = String::with_capacity(collapsed.len());
    let mut i = 0;
    while i < chars.len() {
        if i + 36 <= chars.len() && is_guid_at(&chars[i..i + 36]) && !word_char(chars.get(i + 36)) {
            let before = i.checked_sub(1).and_then(|j| chars.get(j));
            if !word_char(before) {
                out.push_str("{id}");
                i += 36;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    let out = out.trim().to_string();
    if out.chars().count() > MAX_REASON_CHARS {
        let cut: String = out.chars().take(MAX_REASON_CHARS - 1).collect();
        return format!("{cut}…");
    }
    out
}

/// A word that is a sign-in name or e-mail address (`ada@contoso.com`, in quotes or brackets,
/// with trailing punctuation) becomes `{user}`; anything else stays.
fn without_address(word: &str) -> String {
    let punctuation = |c: char| "\"'()[]<>,;:.!?".contains(c);
    let core = word.trim_matches(punctuation);
    let Some((local, domain)) = core.split_once('@') else {
        return word.to_string();
    };
    let is_address = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && core
            .chars()
            .all(|c| c.is_alphanumeric() || "@._-+'".contains(c));
    if !is_address {
        return word.to_string();
    }
    let start = word.find(core).unwrap_or(0);
    format!("{}{{user}}{}", &word[..start], &word[start + core.len()..])
}

fn word_char(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphanumeric())
}

fn is_guid_at(chars: &[char]) -> bool {
    chars.iter().enumerate().all(|(i, c)| match i {
        8 | 13 | 18 | 23 => *c == '-',
        _ => c.is_ascii_hexdigit(),
    })
}

/// The resources a package delivers, named from its catalog's resources where the scope is only
/// "Root". Matched on the scope's `originId`, which is the resource's.
pub fn expected_resources(
    role_scopes: &[RoleScope],
    catalog: &[CatalogResource],
) -> Vec<ExpectedResource> {
    role_scopes
        .iter()
        .filter_map(|rs| {
            let scope = rs.scope.as_ref();
            let role = rs.role.as_ref();
            let origin_id = scope
                .and_then(|s| s.origin_id.clone())
                .or_else(|| role.and_then(|r| r.origin_id.clone()))?;
            let kind = scope
                .and_then(|s| s.origin_system.clone())
                .or_else(|| role.and_then(|r| r.origin_system.clone()))
                .unwrap_or_default();
            let named = catalog.iter().find(|c| {
                c.origin_id
                    .as_deref()
                    .is_some_and(|id| id.eq_ignore_ascii_case(&origin_id))
            });
            let scope_name = scope
                .filter(|s| s.is_root_scope != Some(true))
                .and_then(|s| s.display_name.clone());
            let display_name = named
                .and_then(|c| c.display_name.clone())
                .or(scope_name)
                .unwrap_or_else(|| origin_id.clone());
            Some(ExpectedResource {
                resource: ResourceRef {
                    kind,
                    id: origin_id,
                    display_name,
                },
                role: role.and_then(|r| r.display_name.clone()),
                role_origin_id: role.and_then(|r| r.origin_id.clone()),
                catalog_resource_id: named.and_then(|c| c.id.clone()),
            })
        })
        .collect()
}

/// The expected resource a beta resource role is about: by its scope's `originId` when expanded
/// (a SharePoint role's own `originId` is only a sequence number), else by origin system and
/// role `originId`.
pub fn resource_of_role<'a>(
    role: &AssignmentResourceRole,
    expected: &'a [ExpectedResource],
) -> Option<&'a ExpectedResource> {
    let same = |a: Option<&str>, b: &str| a.is_some_and(|a| a.eq_ignore_ascii_case(b));
    if let Some(scope_id) = role
        .access_package_resource_scope
        .as_ref()
        .and_then(|s| s.origin_id.as_deref())
    {
        return expected
            .iter()
            .find(|e| e.resource.id.eq_ignore_ascii_case(scope_id));
    }
    let mut candidates = expected.iter().filter(|e| {
        same(role.origin_system.as_deref(), &e.resource.kind)
            && e.role_origin_id
                .as_deref()
                .is_some_and(|id| same(role.origin_id.as_deref(), id))
    });
    match (candidates.next(), candidates.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// A resource role's resource as the role itself names it: its scope's expanded resource (beta),
/// else its scope; for a role whose resource is not (or no longer) among the package's.
fn resource_named_by_role(role: &AssignmentResourceRole) -> Option<ResourceRef> {
    let scope = role.access_package_resource_scope.as_ref()?;
    let res = scope.access_package_resource.as_ref();
    let id = res
        .and_then(|r| r.origin_id.clone())
        .or_else(|| scope.origin_id.clone())?;
    let kind = res
        .and_then(|r| r.origin_system.clone())
        .or_else(|| scope.origin_system.clone())
        .or_else(|| role.origin_system.clone())
        .unwrap_or_default();
    let display_name = res
        .and_then(|r| r.display_name.clone())
        .or_else(|| {
            scope
                .display_name
                .clone()
                .filter(|_| scope.is_root_scope != Some(true))
        })
        .unwrap_or_else(|| id.clone());
    Some(ResourceRef {
        kind,
        id,
        display_name,
    })
}

/// The resource of a role: the package's expected resource it is about, else as the role names
/// it.
fn role_resource(
    role: &AssignmentResourceRole,
    expected: &[ExpectedResource],
) -> Option<ResourceRef> {
    resource_of_role(role, expected)
        .map(|e| e.resource.clone())
        .or_else(|| resource_named_by_role(role))
}

/// The resource an audit event is about: a target that is one of the package's resources (by
/// its origin id, or by its catalog resource id, which is how a SharePoint site is named), else
/// the first target that is not the requestor, the package or the request.
fn resource_of_event(
    event: &AuditEvent,
    request: &AssignmentRequest,
    expected: &[ExpectedResource],
) -> Option<ResourceRef> {
    let id_of = |t: &AuditTarget| t.id.clone().unwrap_or_default();
    for t in &event.targets {
        let id = id_of(t);
        if id.is_empty() {
            continue;
        }
        if let Some(e) = expected.iter().find(|e| {
            e.resource.id.eq_ignore_ascii_case(&id)
                || e.catalog_resource_id
                    .as_deref()
                    .is_some_and(|c| c.eq_ignore_ascii_case(&id))
        }) {
            return Some(e.resource.clone());
        }
    }
    let package = request.access_package.as_ref().map(|p| p.id.as_str());
    // The request's own subject is among the targets too, and it need not be a user: a service
    // principal (an agent, an app) requesting for itself names itself.
    let subject = request
        .requestor
        .as_ref()
        .and_then(|r| r.object_id.as_deref())
        .filter(|id| !id.is_empty());
    let t = event.targets.iter().find(|t| {
        let id = id_of(t);
        !t.kind
            .as_deref()
            .is_some_and(|k| k.eq_ignore_ascii_case("User"))
            && !id.eq_ignore_ascii_case(&request.id)
            && !package.is_some_and(|p| id.eq_ignore_ascii_case(p))
            && !subject.is_some_and(|s| id.eq_ignore_ascii_case(s))
            && !id.is_empty()
    })?;
    let kind = match t.kind.as_deref().unwrap_or_default() {
        k if k.eq_ignore_ascii_case("Group") => "AadGroup".to_string(),
        k if k.eq_ignore_ascii_case("App") => "AadApplication".to_string(),
        other => other.to_string(),
    };
    Some(ResourceRef {
        kind,
        id: id_of(t),
        display_name: t.display_name.clone().unwrap_or_else(|| id_of(t)),
    })
}

/// What is known about one failed request's delivery.
#[derive(Debug, Clone, Default)]
pub struct Evidence<'a> {
    pub expected: &'a [ExpectedResource],
    /// Its audit events, as matched by [`correlate`].
    pub events: Vec<&'a AuditEvent>,
    /// beta resource roles, when read.
    pub resource_roles: Option<&'a [AssignmentResourceRole]>,
}

/// The cause of one failed request (see the module docs for the order).
pub fn cause_of(request: &AssignmentRequest, evidence: &Evidence<'_>) -> Cause {
    let newest_failed = |activities: &[&str]| {
        evidence
            .events
            .iter()
            .filter(|e| {
                e.failed()
                    && activities
                        .iter()
                        .any(|a| e.activity.eq_ignore_ascii_case(a))
            })
            .max_by_key(|e| e.at)
            .copied()
    };
    let reason_of = |text: Option<&str>, fallback: &str| {
        let r = normalise_reason(text.unwrap_or_default());
        if r.is_empty() {
            fallback.to_string()
        } else {
            r
        }
    };
    if let Some(a) = request.assignment.as_ref() {
        let now = if a.delivered() {
            Some("the assignment is delivered since: nothing left to reprocess")
        } else if a.expired() {
            Some("the assignment has expired: request the package again")
        } else {
            None
        };
        if let Some(reason) = now {
            return Cause {
                resource: None,
                reason: reason.into(),
                source: Source::Assignment,
            };
        }
    }
    if let Some(e) = newest_failed(&[audit_activities::RESOURCE]) {
        return Cause {
            resource: resource_of_event(e, request, evidence.expected),
            reason: reason_of(e.reason.as_deref(), "failed (no reason given)"),
            source: Source::Audit,
        };
    }
    let assignment_callouts = request.assignment.iter().flat_map(|a| a.callouts.iter());
    if let Some(c) = request
        .callouts
        .iter()
        .chain(assignment_callouts)
        .find(|c| c.failed())
    {
        return Cause {
            resource: None,
            reason: reason_of(c.detail.as_deref(), c.status.as_deref().unwrap_or("failed")),
            source: Source::CustomExtension,
        };
    }
    if let Some(cause) = evidence
        .resource_roles
        .and_then(|roles| guest_site_cause(request, roles, evidence.expected))
    {
        return cause;
    }
    if let Some(e) = newest_failed(&[audit_activities::FAILED, audit_activities::PARTIAL]) {
        return Cause {
            resource: None,
            reason: reason_of(e.reason.as_deref(), "failed (no reason given)"),
            source: Source::Audit,
        };
    }
    if let Some(cause) = evidence
        .resource_roles
        .and_then(|roles| pending_cause(roles, evidence.expected))
    {
        return cause;
    }
    Cause {
        resource: None,
        reason: "no cause recorded".into(),
        source: Source::Unknown,
    }
}

/// A request by someone not yet (or only just) a user of the tenant: `objectId` is null "if the
/// subject isn't yet a user in the tenant", and a B2B guest's sign-in name carries `#EXT#`.
pub fn new_external_requestor(request: &AssignmentRequest) -> bool {
    request.requestor.as_ref().is_some_and(|r| {
        r.object_id.as_deref().is_none_or(str::is_empty)
            || r.principal_name
                .as_deref()
                .is_some_and(|p| p.to_ascii_uppercase().contains("#EXT#"))
    })
}

/// Whether beta's resource roles could show this request to be a new guest's pending site:
/// worth the beta call even when the audit log has a request-level reason.
pub fn may_be_guest_site(request: &AssignmentRequest) -> bool {
    request.state == crate::graph::RequestState::PartiallyDelivered
        && new_external_requestor(request)
}

/// The benign partial delivery Entra documents: a new external user's SharePoint Online sites
/// are all that is pending.
fn guest_site_cause(
    request: &AssignmentRequest,
    roles: &[AssignmentResourceRole],
    expected: &[ExpectedResource],
) -> Option<Cause> {
    if !may_be_guest_site(request) {
        return None;
    }
    let pending: Vec<&AssignmentResourceRole> = roles.iter().filter(|r| !r.fulfilled()).collect();
    let site = |r: &&AssignmentResourceRole| {
        r.origin_system
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("SharePointOnline"))
    };
    if pending.is_empty() || !pending.iter().all(site) {
        return None;
    }
    let resource = match pending.as_slice() {
        [one] => role_resource(one, expected),
        _ => None,
    };
    Some(Cause {
        resource,
        reason: GUEST_SITE_PENDING.into(),
        source: Source::ResourceRoles,
    })
}

/// beta's view: the one resource not fulfilled, or how many are not.
fn pending_cause(roles: &[AssignmentResourceRole], expected: &[ExpectedResource]) -> Option<Cause> {
    let pending: Vec<&AssignmentResourceRole> = roles.iter().filter(|r| !r.fulfilled()).collect();
    let status =
        |r: &AssignmentResourceRole| normalise_reason(r.status.as_deref().unwrap_or("no status"));
    match pending.as_slice() {
        [] => None,
        [one] => Some(Cause {
            resource: role_resource(one, expected).or_else(|| {
                one.origin_id.clone().map(|id| ResourceRef {
                    kind: one.origin_system.clone().unwrap_or_default(),
                    display_name: id.clone(),
                    id,
                })
            }),
            reason: status(one),
            source: Source::ResourceRoles,
        }),
        // Grouped by which resources are pending, named, not by how many: two requests
        // waiting on different resources have different causes.
        several => {
            let mut names: Vec<String> = several
                .iter()
                .map(|r| match role_resource(r, expected) {
                    Some(res) => res.display_name,
                    None => r.origin_id.clone().unwrap_or_else(|| "(unnamed)".into()),
                })
                .collect();
            names.sort();
            names.dedup();
            Some(Cause {
                resource: None,
                reason: format!("{}: {}", status(several[0]), names.join(", ")),
                source: Source::ResourceRoles,
            })
        }
    }
}

/// Ties audit events to requests, and says how. Events are assigned to at most one request.
pub fn correlate<'a>(
    requests: &[&AssignmentRequest],
    events: &'a [AuditEvent],
    now: DateTime<Utc>,
) -> HashMap<String, (Vec<&'a AuditEvent>, Correlation)> {
    let by_id: HashMap<String, usize> = requests
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.to_ascii_lowercase(), i))
        .collect();
    let mut out: HashMap<String, (Vec<&AuditEvent>, Correlation)> = HashMap::new();
    let mut by_time: Vec<(usize, &AuditEvent)> = Vec::new();
    for e in events {
        let named = e
            .targets
            .iter()
            .filter_map(|t| t.id.as_deref())
            .find_map(|id| by_id.get(&id.to_ascii_lowercase()).copied());
        if let Some(i) = named {
            let entry = out
                .entry(requests[i].id.clone())
                .or_insert((Vec::new(), Correlation::RequestId));
            entry.1 = Correlation::RequestId;
            entry.0.push(e);
        } else if let Some(i) = closest_request(requests, e, now) {
            by_time.push((i, e));
        }
    }
    for (i, e) in by_time {
        let entry = out
            .entry(requests[i].id.clone())
            .or_insert((Vec::new(), Correlation::RequestorPackageTime));
        // A request that has events naming it is not also given events matched by time.
        if entry.1 == Correlation::RequestorPackageTime {
            entry.0.push(e);
        }
    }
    out
}

/// The request an event is about by requestor, package and time, if any.
fn closest_request(
    requests: &[&AssignmentRequest],
    e: &AuditEvent,
    now: DateTime<Utc>,
) -> Option<usize> {
    let at = e.at?;
    requests
        .iter()
        .enumerate()
        .filter(|(_, r)| names_requestor(e, r) && names_package(e, r))
        .filter_map(|(i, r)| {
            let (from, to) = request_window(r, now);
            (at >= from && at <= to).then(|| (i, (end_of(r, now) - at).num_milliseconds().abs()))
        })
        .min_by_key(|(_, distance)| *distance)
        .map(|(i, _)| i)
}

fn names_package(e: &AuditEvent, r: &AssignmentRequest) -> bool {
    let Some(p) = r.access_package.as_ref() else {
        return false;
    };
    e.targets.iter().any(|t| {
        t.id.as_deref()
            .is_some_and(|id| id.eq_ignore_ascii_case(&p.id))
    })
}

fn names_requestor(e: &AuditEvent, r: &AssignmentRequest) -> bool {
    let Some(who) = r.requestor.as_ref() else {
        return false;
    };
    let same = |a: Option<&str>, b: Option<&str>| match (a, b) {
        (Some(a), Some(b)) => !a.is_empty() && a.eq_ignore_ascii_case(b),
        _ => false,
    };
    e.targets.iter().any(|t| {
        same(t.id.as_deref(), who.object_id.as_deref())
            || same(
                t.user_principal_name.as_deref(),
                who.principal_name.as_deref(),
            )
    })
}

/// When a request's outcome was logged: its completion, or now while it has none.
fn end_of(r: &AssignmentRequest, now: DateTime<Utc>) -> DateTime<Utc> {
    r.completed.unwrap_or(now)
}

/// The time a request's audit events fall in: from a minute before it was created to ten
/// minutes after it completed (or now).
pub fn request_window(r: &AssignmentRequest, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let end = end_of(r, now);
    let start = r.created.unwrap_or(end).min(end);
    (start - Duration::minutes(1), end + Duration::minutes(10))
}

/// Time ranges to read the audit log over, for these requests: each request's window, clipped to
/// what the log keeps, merged when less than `gap` apart, and at most `max_ranges` (the rest
/// merged into the last). One query per range and activity.
pub fn audit_ranges(
    requests: &[&AssignmentRequest],
    now: DateTime<Utc>,
    gap: Duration,
    max_ranges: usize,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let kept_from = now - Duration::days(AUDIT_RETENTION_DAYS);
    let mut windows: Vec<(DateTime<Utc>, DateTime<Utc>)> = requests
        .iter()
        .map(|r| request_window(r, now))
        .map(|(from, to)| (from.max(kept_from), to.min(now)))
        .filter(|(from, to)| from <= to)
        .collect();
    windows.sort();
    let mut ranges: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    for (from, to) in windows {
        let full = ranges.len() >= max_ranges.max(1);
        match ranges.last_mut() {
            Some(last) if from - last.1 < gap || full => last.1 = last.1.max(to),
            _ => ranges.push((from, to)),
        }
    }
    ranges
}

/// The audit activities worth reading for requests in these states.
pub fn audit_activities_for(requests: &[&AssignmentRequest]) -> Vec<&'static str> {
    use crate::graph::RequestState;
    let mut activities = vec![audit_activities::RESOURCE];
    if requests
        .iter()
        .any(|r| r.state == RequestState::DeliveryFailed)
    {
        activities.push(audit_activities::FAILED);
    }
    if requests
        .iter()
        .any(|r| r.state == RequestState::PartiallyDelivered)
    {
        activities.push(audit_activities::PARTIAL);
    }
    activities
}

/// Failed requests with the same cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CauseGroup {
    pub resource: Option<ResourceRef>,
    pub reason: String,
    pub source: Source,
    pub count: usize,
    /// Newest first (by completion, else creation): the first is the newest, the last the oldest.
    pub requests: Vec<String>,
    /// How many are still inside the reprocess window.
    pub reprocessable: usize,
    /// When the first of those leaves the window.
    pub first_closing: Option<String>,
    #[serde(skip)]
    pub newest: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub oldest: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub first_closing_at: Option<DateTime<Utc>>,
}

/// Groups requests by cause: most requests first, then by source, resource and reason.
pub fn group_by_cause(
    diagnosed: Vec<(AssignmentRequest, Cause)>,
    now: DateTime<Utc>,
    window: Duration,
) -> Vec<CauseGroup> {
    let mut groups: HashMap<Cause, Vec<AssignmentRequest>> = HashMap::new();
    for (request, cause) in diagnosed {
        groups.entry(cause).or_default().push(request);
    }
    let mut out: Vec<CauseGroup> = groups
        .into_iter()
        .map(|(cause, mut requests)| {
            let when = |r: &AssignmentRequest| r.completed.or(r.created);
            requests.sort_by(|a, b| when(b).cmp(&when(a)).then_with(|| a.id.cmp(&b.id)));
            let closing: Vec<DateTime<Utc>> = requests
                .iter()
                .filter_map(|r| request_closes_at(r, now, window))
                .collect();
            let first_closing_at = closing.iter().min().copied();
            CauseGroup {
                count: requests.len(),
                reprocessable: closing.len(),
                first_closing: first_closing_at.as_ref().map(format_timestamp),
                first_closing_at,
                newest: requests.first().and_then(when),
                oldest: requests.last().and_then(when),
                requests: requests.into_iter().map(|r| r.id).collect(),
                resource: cause.resource,
                reason: cause.reason,
                source: cause.source,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.source.cmp(&b.source))
            .then_with(|| a.resource.cmp(&b.resource))
            .then_with(|| a.reason.cmp(&b.reason))
    });
    out
}

/// A source that could not be read, and what would add it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unavailable {
    /// `auditLog`, `resourceRoles`, `resourceRoleScopes` or `catalogResources`.
    pub source: String,
    pub reason: String,
    /// The permission, flag or step that would add it.
    pub hint: String,
}

impl Unavailable {
    /// One line for people: `audit log: not permitted (403): grant …`.
    pub fn line(&self) -> String {
        format!("{}: {}; {}", self.source, self.reason, self.hint)
    }
}

/// An expected resource with its fulfilment status (beta; `None` when not read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceStatus {
    #[serde(flatten)]
    pub expected: ExpectedResource,
    pub status: Option<String>,
}

/// An audit event as `requests show` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEventView {
    pub id: String,
    pub activity: String,
    pub activity_date_time: Option<String>,
    pub result: Option<String>,
    pub reason: Option<String>,
    pub resource: Option<ResourceRef>,
}

/// The delivery section of `requests show`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryReport {
    pub resources: Vec<ResourceStatus>,
    pub custom_extensions: Vec<crate::graph::CalloutInstance>,
    /// The expanded assignment: its state, status and own custom extension calls.
    pub assignment: Option<crate::graph::Assignment>,
    pub audit_events: Vec<AuditEventView>,
    pub correlation: Option<Correlation>,
    /// For a failed request: the cause `requests why` groups it under.
    pub cause: Option<Cause>,
    pub unavailable: Vec<Unavailable>,
}

impl DeliveryReport {
    /// Everything known about one request, put together.
    pub fn new(
        request: &AssignmentRequest,
        expected: &[ExpectedResource],
        events: Vec<&AuditEvent>,
        correlation: Option<Correlation>,
        resource_roles: Option<&[AssignmentResourceRole]>,
        unavailable: Vec<Unavailable>,
    ) -> DeliveryReport {
        let resources = expected
            .iter()
            .map(|e| ResourceStatus {
                expected: e.clone(),
                status: resource_roles.and_then(|roles| {
                    roles
                        .iter()
                        .find(|r| resource_of_role(r, expected) == Some(e))
                        .and_then(|r| r.status.clone())
                }),
            })
            .collect();
        let mut events = events;
        events.sort_by_key(|e| e.at);
        let audit_events = events
            .iter()
            .map(|e| AuditEventView {
                id: e.id.clone(),
                activity: e.activity.clone(),
                activity_date_time: e.at.as_ref().map(format_timestamp),
                result: e.result.clone(),
                reason: e.reason.clone(),
                resource: resource_of_event(e, request, expected),
            })
            .collect();
        let cause = request.state.is_failed().then(|| {
            cause_of(
                request,
                &Evidence {
                    expected,
                    events: events.clone(),
                    resource_roles,
                },
            )
        });
        DeliveryReport {
            resources,
            custom_extensions: request.callouts.clone(),
            assignment: request.assignment.clone(),
            audit_events,
            correlation,
            cause,
            unavailable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{CalloutInstance, PackageRef, RequestState, Requestor, ResourceScope};
    use chrono::TimeZone;

    const REQ: &str = "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea";
    const PKG: &str = "1f0e98f5-3161-4c6b-9b50-d488572f2bb7";
    const USER: &str = "728309ae-1a37-4937-9afe-e35d964db09b";
    const GROUP: &str = "ef7e527d-6c92-4234-8c6d-cf6fdfb57f95";

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
    }

    fn request(id: &str, completed_hours_ago: i64) -> AssignmentRequest {
        let completed = now() - Duration::hours(completed_hours_ago);
        AssignmentRequest {
            id: id.into(),
            state: RequestState::DeliveryFailed,
            status: None,
            request_type: None,
            created: Some(completed - Duration::hours(1)),
            completed: Some(completed),
            requestor: Some(Requestor {
                display_name: Some("Zoë".into()),
                principal_name: Some("zoe@contoso.example".into()),
                email: None,
                object_id: Some(USER.into()),
                subject_type: Some("user".into()),
            }),
            access_package: Some(PackageRef {
                id: PKG.into(),
                display_name: None,
            }),
            callouts: Vec::new(),
            assignment: None,
        }
    }

    fn target(id: &str, kind: &str) -> AuditTarget {
        AuditTarget {
            id: Some(id.into()),
            display_name: Some(format!("name of {id}")),
            kind: Some(kind.into()),
            user_principal_name: None,
        }
    }

    fn event(
        activity: &str,
        at: DateTime<Utc>,
        reason: &str,
        targets: Vec<AuditTarget>,
    ) -> AuditEvent {
        AuditEvent {
            id: format!("{activity}-{at}"),
            activity: activity.into(),
            at: Some(at),
            result: Some("failure".into()),
            reason: Some(reason.into()),
            correlation_id: None,
            targets,
        }
    }

    fn group_resource() -> ExpectedResource {
        ExpectedResource {
            resource: ResourceRef {
                kind: "AadGroup".into(),
                id: GROUP.into(),
                display_name: "sg-sales".into(),
            },
            role: Some("Member".into()),
            role_origin_id: Some(format!("Member_{GROUP}")),
            catalog_resource_id: None,
        }
    }

    /// Issue 20, item 8: a request whose requestor is a service principal was grouped under
    /// the requestor ("svc-garcía (AadApplication)") instead of the group that failed.
    #[test]
    fn a_service_principal_requestor_is_not_taken_for_the_failing_resource() {
        const SP: &str = "5a0c1d2e-3f40-4b5c-8d6e-7f8091a2b3c4";
        let mut r = request(REQ, 2);
        r.requestor = Some(Requestor {
            display_name: Some("svc-garcía".into()),
            principal_name: None,
            email: None,
            object_id: Some(SP.into()),
            subject_type: Some("servicePrincipal".into()),
        });
        let e = event(
            "Fulfill access package assignment request",
            now() - Duration::hours(2),
            "Failed to add the member to the group.",
            vec![target(SP, "ServicePrincipal"), target(GROUP, "Group")],
        );
        let found = resource_of_event(&e, &r, &[]).unwrap();
        assert_eq!(found.id, GROUP);
        assert_eq!(found.kind, "AadGroup");
        // Only the subject: nothing else to name.
        let alone = event(
            "Fulfill access package assignment request",
            now() - Duration::hours(2),
            "Failed.",
            vec![target(SP, "App")],
        );
        assert!(resource_of_event(&alone, &r, &[]).is_none());
    }

    #[test]
    fn reasons_group_across_people() {
        let a = normalise_reason(&format!("Failed to add user {USER} to   the group.\n"));
        let b = normalise_reason(
            "Failed to add user 00000000-0000-0000-0000-0000000000AB to the group.",
        );
        assert_eq!(a, "Failed to add user {id} to the group.");
        assert_eq!(a, b);
        // Sign-in names and addresses too, however they are quoted.
        for who in [
            "ada@contoso.com",
            "'grace.hopper@fabrikam.onmicrosoft.com'.",
            "(x_y@a.b)",
        ] {
            assert_eq!(
                normalise_reason(&format!("Mailbox for {who} not found")),
                format!(
                    "Mailbox for {} not found",
                    who.replace(who.trim_matches(|c: char| "'().".contains(c)), "{user}")
                )
            );
        }
        assert_eq!(
            normalise_reason("a@b is not an address"),
            "a@b is not an address"
        );
        assert_eq!(normalise_reason("@ and x@.y stay"), "@ and x@.y stay");
        // Only whole GUIDs: a longer hex run is not an id.
        assert_eq!(normalise_reason(&format!("x{USER}")), format!("x{USER}"));
        let long = normalise_reason(&"é".repeat(1000));
        assert_eq!(long.chars().count(), MAX_REASON_CHARS);
        assert!(long.ends_with('…'));
    }

    #[test]
    fn the_order_of_sources_is_resource_event_callout_request_event_beta_unknown() {
        let mut r = request(REQ, 3);
        let expected = [group_resource()];
        let at = r.completed.unwrap();
        let resource_event = event(
            audit_activities::RESOURCE,
            at - Duration::seconds(2),
            &format!("Failed to add user {USER}: mail-enabled group"),
            vec![
                target(GROUP, "Group"),
                target(REQ, "Other"),
                target(USER, "User"),
            ],
        );
        let request_event = event(
            audit_activities::FAILED,
            at,
            "policy expired",
            vec![target(REQ, "Other")],
        );
        r.callouts.push(CalloutInstance {
            status: Some("callbackTimedOut".into()),
            detail: Some("no callback".into()),
            ..CalloutInstance::default()
        });
        let pending = [AssignmentResourceRole {
            status: Some("PendingFulfillment".into()),
            origin_system: Some("AadGroup".into()),
            origin_id: Some(format!("Member_{GROUP}")),
            ..AssignmentResourceRole::default()
        }];
        let all = Evidence {
            expected: &expected,
            events: vec![&resource_event, &request_event],
            resource_roles: Some(&pending),
        };
        let c = cause_of(&r, &all);
        assert_eq!(c.source, Source::Audit);
        assert_eq!(c.resource.as_ref().unwrap().display_name, "sg-sales");
        assert_eq!(c.reason, "Failed to add user {id}: mail-enabled group");
        let c = cause_of(
            &r,
            &Evidence {
                events: vec![&request_event],
                ..all.clone()
            },
        );
        assert_eq!(
            (c.source, c.reason.as_str()),
            (Source::CustomExtension, "no callback")
        );
        r.callouts.clear();
        let c = cause_of(
            &r,
            &Evidence {
                events: vec![&request_event],
                ..all.clone()
            },
        );
        assert_eq!((c.source, c.resource.is_none()), (Source::Audit, true));
        let c = cause_of(
            &r,
            &Evidence {
                events: vec![],
                ..all.clone()
            },
        );
        assert_eq!(c.source, Source::ResourceRoles);
        assert_eq!(c.resource.unwrap().id, GROUP);
        assert_eq!(c.reason, "PendingFulfillment");
        let c = cause_of(
            &r,
            &Evidence {
                events: vec![],
                resource_roles: None,
                ..all
            },
        );
        assert_eq!(c.source, Source::Unknown);
    }

    /// Issue 20, item 8: the audit log names a SharePoint site by its catalog resource id (type
    /// "Other"); it was shown as "Partner portal (Other)" instead of the package's site.
    #[test]
    fn a_site_named_by_its_catalog_resource_id_is_the_packages_site() {
        const CATALOG_RESOURCE: &str = "0f9c2b1a-7d4e-4f3a-9b2c-1d0e8f7a6b5c";
        let role_scopes = [RoleScope {
            id: None,
            role: None,
            scope: Some(ResourceScope {
                origin_id: Some("https://x.sharepoint.com/sites/partners".into()),
                origin_system: Some("SharePointOnline".into()),
                display_name: Some("Root".into()),
                is_root_scope: Some(true),
                ..ResourceScope::default()
            }),
        }];
        let catalog = [CatalogResource {
            id: Some(CATALOG_RESOURCE.into()),
            display_name: Some("Partner portal".into()),
            origin_system: Some("SharePointOnline".into()),
            origin_id: Some("https://x.sharepoint.com/sites/partners".into()),
        }];
        let expected = expected_resources(&role_scopes, &catalog);
        let r = request(REQ, 2);
        let e = event(
            audit_activities::RESOURCE,
            now() - Duration::hours(2),
            "locked",
            vec![
                AuditTarget {
                    display_name: Some("Partner portal".into()),
                    ..target(&CATALOG_RESOURCE.to_ascii_uppercase(), "Other")
                },
                target(REQ, "Other"),
            ],
        );
        let found = resource_of_event(&e, &r, &expected).unwrap();
        assert_eq!(
            (
                found.kind.as_str(),
                found.id.as_str(),
                found.display_name.as_str()
            ),
            (
                "SharePointOnline",
                "https://x.sharepoint.com/sites/partners",
                "Partner portal"
            )
        );
    }

    /// Issue 20, item 7: a new external user's partially delivered request whose only pending
    /// resource is a SharePoint site is the benign case Entra documents, even when the audit
    /// log has a request-level reason; anything else pending, or a known user, is not.
    #[test]
    fn a_new_guests_pending_site_is_benign() {
        let mut r = request(REQ, 2);
        r.state = RequestState::PartiallyDelivered;
        let role = |system: &str, status: &str| AssignmentResourceRole {
            origin_system: Some(system.into()),
            origin_id: Some("4".into()),
            status: Some(status.into()),
            ..AssignmentResourceRole::default()
        };
        let site_pending = [
            role("SharePointOnline", "PendingFulfillment"),
            role("AadGroup", "Fulfilled"),
        ];
        let partial = event(
            audit_activities::PARTIAL,
            r.completed.unwrap(),
            "One or more resources could not be delivered.",
            vec![target(REQ, "Other")],
        );
        let evidence = Evidence {
            events: vec![&partial],
            resource_roles: Some(&site_pending),
            ..Evidence::default()
        };
        // A member of the tenant: the audit reason stands.
        assert_eq!(cause_of(&r, &evidence).source, Source::Audit);
        for guest in [
            Requestor {
                object_id: None,
                ..Requestor::default()
            },
            Requestor {
                object_id: Some(USER.into()),
                principal_name: Some("ada_fabrikam.com#ext#@contoso.onmicrosoft.com".into()),
                ..Requestor::default()
            },
        ] {
            r.requestor = Some(guest);
            let c = cause_of(&r, &evidence);
            assert_eq!(
                (c.source, c.reason.as_str()),
                (Source::ResourceRoles, GUEST_SITE_PENDING)
            );
        }
        let group_pending = [role("AadGroup", "PendingFulfillment")];
        let c = cause_of(
            &r,
            &Evidence {
                resource_roles: Some(&group_pending),
                ..evidence.clone()
            },
        );
        assert_eq!(c.source, Source::Audit, "a group pending is a failure");
        r.state = RequestState::DeliveryFailed;
        assert_eq!(
            cause_of(&r, &evidence).source,
            Source::Audit,
            "failed, not partial"
        );
    }

    /// Issue 20, item 2: the expanded assignment's own callouts explain a failure, and an
    /// assignment delivered or expired since says a reprocess has nothing to do, whatever the
    /// audit log says about the failure then.
    #[test]
    fn the_assignment_explains_what_its_request_does_not() {
        let mut r = request(REQ, 3);
        r.assignment = Some(crate::graph::Assignment {
            id: Some(GROUP.into()),
            state: Some("deliveryFailed".into()),
            status: Some("DeliveryFailed".into()),
            callouts: vec![CalloutInstance {
                status: Some("calloutFailed".into()),
                detail: Some(format!("HR system said no for {USER}")),
                ..CalloutInstance::default()
            }],
        });
        let none = Evidence::default();
        let c = cause_of(&r, &none);
        assert_eq!(
            (c.source, c.reason.as_str()),
            (Source::CustomExtension, "HR system said no for {id}")
        );
        let failed_event = event(
            audit_activities::RESOURCE,
            r.completed.unwrap(),
            "site locked",
            vec![target(REQ, "Other")],
        );
        for (state, reason) in [
            (
                "delivered",
                "the assignment is delivered since: nothing left to reprocess",
            ),
            (
                "Expired",
                "the assignment has expired: request the package again",
            ),
        ] {
            if let Some(a) = r.assignment.as_mut() {
                a.state = Some(state.into());
            }
            let c = cause_of(
                &r,
                &Evidence {
                    events: vec![&failed_event],
                    ..Evidence::default()
                },
            );
            assert_eq!((c.source, c.reason.as_str()), (Source::Assignment, reason));
            assert!(crate::eligibility::assignment_note(&r).is_some());
        }
        if let Some(a) = r.assignment.as_mut() {
            a.state = Some("partiallyDelivered".into());
        }
        assert_eq!(crate::eligibility::assignment_note(&r), None);
        r.state = RequestState::Delivered;
        if let Some(a) = r.assignment.as_mut() {
            a.state = Some("delivered".into());
        }
        assert_eq!(crate::eligibility::assignment_note(&r), None, "not failed");
    }

    /// Issue 20, item 8: several resources still pending were grouped by how many; now each
    /// pending resource is named, so requests waiting on different resources do not share a
    /// group.
    #[test]
    fn several_pending_resources_are_named_not_counted() {
        let role = |origin: &str| AssignmentResourceRole {
            id: None,
            origin_id: Some(origin.into()),
            origin_system: Some("SharePointOnline".into()),
            status: Some("PendingFulfillment".into()),
            access_package_resource_scope: None,
        };
        let a = pending_cause(&[role("https://x/sites/b"), role("https://x/sites/a")], &[]);
        let b = pending_cause(&[role("https://x/sites/c"), role("https://x/sites/a")], &[]);
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(
            a.reason,
            "PendingFulfillment: https://x/sites/a, https://x/sites/b"
        );
        assert_ne!(a.reason, b.reason, "different resources, different causes");
        assert!(a.resource.is_none());
    }

    #[test]
    fn events_name_their_request_or_are_matched_by_requestor_package_and_time() {
        let a = request(REQ, 3);
        let b = request("2e0c1e3a-0d4e-4d35-9a07-7f6d0cbe8a21", 30);
        let user = AuditTarget {
            id: Some(USER.into()),
            kind: Some("User".into()),
            ..AuditTarget::default()
        };
        let by_id = event(
            audit_activities::FAILED,
            now(),
            "x",
            vec![target(REQ, "Other")],
        );
        let near_b = event(
            audit_activities::RESOURCE,
            b.completed.unwrap() - Duration::seconds(1),
            "y",
            vec![target(PKG, "Other"), user.clone()],
        );
        let stranger = event(
            audit_activities::RESOURCE,
            b.completed.unwrap(),
            "z",
            vec![
                target(PKG, "Other"),
                target("3f2504e0-4f89-11d3-9a0c-0305e82c3301", "User"),
            ],
        );
        let too_late = event(
            audit_activities::RESOURCE,
            now() + Duration::hours(1),
            "w",
            vec![target(PKG, "Other"), user],
        );
        let events = vec![by_id, near_b, stranger, too_late];
        let m = correlate(&[&a, &b], &events, now());
        assert_eq!(m[&a.id].1, Correlation::RequestId);
        assert_eq!(m[&a.id].0.len(), 1);
        assert_eq!(m[&b.id].1, Correlation::RequestorPackageTime);
        assert_eq!(
            m[&b.id]
                .0
                .iter()
                .map(|e| e.reason.as_deref())
                .collect::<Vec<_>>(),
            vec![Some("y")]
        );
    }

    #[test]
    fn audit_ranges_cover_each_window_within_the_retention_and_stay_few() {
        let recent = [request(REQ, 2), request(REQ, 5), request(REQ, 24 * 10)];
        let refs: Vec<&AssignmentRequest> = recent.iter().collect();
        let ranges = audit_ranges(&refs, now(), Duration::days(2), 2);
        assert_eq!(ranges.len(), 2, "{ranges:?}");
        for r in &recent {
            let (from, to) = request_window(r, now());
            assert!(
                ranges
                    .iter()
                    .any(|(a, b)| *a <= from && to.min(now()) <= *b)
            );
        }
        let one = audit_ranges(&refs, now(), Duration::days(2), 1);
        assert_eq!(one.len(), 1);
        let old = [request(REQ, 24 * 40)];
        let refs: Vec<&AssignmentRequest> = old.iter().collect();
        assert!(audit_ranges(&refs, now(), Duration::days(2), 2).is_empty());
    }

    #[test]
    fn a_sharepoint_role_is_matched_by_its_scope_not_its_sequence_number() {
        let site = |n: &str| ExpectedResource {
            resource: ResourceRef {
                kind: "SharePointOnline".into(),
                id: format!("https://x.sharepoint.com/sites/{n}"),
                display_name: n.into(),
            },
            role: Some("Site Members".into()),
            role_origin_id: Some("4".into()),
            catalog_resource_id: None,
        };
        let expected = [site("a"), site("b")];
        let mut role = AssignmentResourceRole {
            origin_system: Some("SharePointOnline".into()),
            origin_id: Some("4".into()),
            ..AssignmentResourceRole::default()
        };
        assert_eq!(resource_of_role(&role, &expected), None, "ambiguous");
        role.access_package_resource_scope = Some(ResourceScope {
            origin_id: Some("https://x.sharepoint.com/sites/b".into()),
            ..ResourceScope::default()
        });
        assert_eq!(
            resource_of_role(&role, &expected)
                .unwrap()
                .resource
                .display_name,
            "b"
        );
    }

    #[test]
    fn groups_count_every_request_once_newest_first() {
        let cause = |reason: &str| Cause {
            resource: None,
            reason: reason.into(),
            source: Source::Audit,
        };
        let diagnosed = vec![
            (
                request("a0000000-0000-4000-8000-000000000001", 5),
                cause("x"),
            ),
            (
                request("a0000000-0000-4000-8000-000000000002", 1),
                cause("x"),
            ),
            (
                request("a0000000-0000-4000-8000-000000000003", 24 * 20),
                cause("x"),
            ),
            (
                request("a0000000-0000-4000-8000-000000000004", 2),
                cause("y"),
            ),
        ];
        let groups = group_by_cause(diagnosed, now(), Duration::days(14));
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].count, 3);
        assert_eq!(
            groups[0].requests[0],
            "a0000000-0000-4000-8000-000000000002"
        );
        assert_eq!(
            groups[0].requests[2],
            "a0000000-0000-4000-8000-000000000003"
        );
        assert_eq!(groups[0].reprocessable, 2);
        let first = now() - Duration::hours(5) + Duration::days(14);
        assert_eq!(groups[0].first_closing_at, Some(first));
        let json = serde_json::to_value(&groups[0]).unwrap();
        let keys: std::collections::BTreeSet<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let want = [
            "resource",
            "reason",
            "source",
            "count",
            "requests",
            "reprocessable",
            "firstClosing",
        ];
        assert_eq!(keys, want.into_iter().collect());
    }
}
