//! What delivering an access package involves, and why a delivery failed: the resources of each
//! catalog, the resource role scopes of each package, the per-resource status of an assignment,
//! custom extension callouts, and the directory audit events the service writes.
//!
//! Shapes follow Microsoft's documents:
//! - `accessPackageResourceRoleScope` (v1.0: `role`, `scope`; beta: `accessPackageResourceRole`,
//!   `accessPackageResourceScope`), read with
//!   `accessPackages/{id}?$expand=resourceRoleScopes($expand=role,scope)`:
//!   <https://learn.microsoft.com/graph/api/accesspackage-list-resourcerolescopes>. As in the
//!   docs' example, a root scope is called "Root": the resource's own name is not in this payload.
//! - `accessPackageResource` (`displayName`, `originId`, `originSystem`), listed per catalog with
//!   `catalogs/{id}/resources` (beta: `accessPackageCatalogs/{id}/accessPackageResources`):
//!   <https://learn.microsoft.com/graph/api/accesspackagecatalog-list-resources>.
//! - beta `accessPackageAssignmentResourceRole` (`originId`, `originSystem`, `status`
//!   `PendingFulfillment` or `Fulfilled`), at
//!   `accessPackageAssignments/{id}/accessPackageAssignmentResourceRoles`:
//!   <https://learn.microsoft.com/graph/api/resources/accesspackageassignmentresourcerole?view=graph-rest-beta>.
//! - `customExtensionCalloutInstance` (`customExtensionId`, `detail`, `externalCorrelationId`,
//!   `status` calloutSent, callbackReceived, calloutFailed, callbackTimedOut,
//!   waitingForCallback): <https://learn.microsoft.com/graph/api/resources/customextensioncalloutinstance>.
//! - `directoryAudit` (`activityDisplayName`, `activityDateTime`, `result`, `resultReason`,
//!   `targetResources`, `initiatedBy`, `correlationId`, kept 30 days):
//!   <https://learn.microsoft.com/graph/api/resources/directoryaudit>, with the entitlement
//!   management activity names of
//!   <https://learn.microsoft.com/entra/identity/monitoring-health/reference-audit-activities>.
//!
//! How an audit event names the request it is about is not documented. With
//! [`AuditCorrelation::RequestId`] the request is one of its `targetResources`; with
//! [`AuditCorrelation::Requestor`] only the requestor and the access package are, and a client
//! must match by time.
//!
//! Everything is derived from the seed through a stream of its own, so the requests, packages
//! and ids of the rest of the tenant are the same with or without this module.

use std::collections::HashMap;

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use serde_json::{Map, Value, json};

use super::model::{ApiVersion, RequestState, Store, StoredRequest, format_timestamp};
use super::seed::{SplitMix64, hash_parts, mix64};

/// How long the audit log keeps events ("Microsoft Entra ID stores audit events for up to 30
/// days").
pub(crate) const AUDIT_RETENTION_DAYS: i64 = 30;

pub(crate) const ACTIVITY_RESOURCE: &str = "Fulfill access package resource assignment";
pub(crate) const ACTIVITY_FAILED: &str = "Failed access package assignment request";
pub(crate) const ACTIVITY_PARTIAL: &str = "Partially fulfill access package assignment request";
pub(crate) const ACTIVITY_FULFILLED: &str = "Fulfill access package assignment request";
pub(crate) const ACTIVITY_REQUESTED: &str = "User requests access package assignment";

/// Salt of this module's random stream.
const DELIVERY_SALT: u64 = 0xDE11_7E27_DE11_7E27;

/// How an audit event names its request (undocumented; see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum AuditCorrelation {
    /// The request id is one of the event's `targetResources`.
    #[default]
    RequestId,
    /// Only the requestor and the access package are named; match by time.
    Requestor,
}

impl AuditCorrelation {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditCorrelation::RequestId => "request-id",
            AuditCorrelation::Requestor => "requestor",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OriginSystem {
    AadGroup,
    AadApplication,
    SharePointOnline,
}

impl OriginSystem {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            OriginSystem::AadGroup => "AadGroup",
            OriginSystem::AadApplication => "AadApplication",
            OriginSystem::SharePointOnline => "SharePointOnline",
        }
    }

    /// The audit log's `targetResources[].type` ("User, Device, Directory, App, Role, Group,
    /// Policy or Other").
    fn audit_type(self) -> &'static str {
        match self {
            OriginSystem::AadGroup => "Group",
            OriginSystem::AadApplication => "App",
            OriginSystem::SharePointOnline => "Other",
        }
    }

    fn role(self) -> &'static str {
        match self {
            OriginSystem::AadGroup => "Member",
            OriginSystem::AadApplication => "User",
            OriginSystem::SharePointOnline => "Site Members",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Resource {
    pub(crate) id: String,
    pub(crate) origin_id: String,
    pub(crate) origin_system: OriginSystem,
    pub(crate) display_name: String,
    pub(crate) description: String,
    pub(crate) catalog_idx: usize,
    pub(crate) created: DateTime<Utc>,
}

/// One role of one resource that a package delivers.
#[derive(Debug, Clone)]
pub(crate) struct RoleScope {
    pub(crate) id: String,
    pub(crate) role_id: String,
    pub(crate) role_origin_id: String,
    pub(crate) scope_id: String,
    pub(crate) resource_idx: usize,
    pub(crate) created: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(crate) struct Extension {
    pub(crate) id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CalloutStatus {
    CalloutFailed,
    CallbackTimedOut,
}

impl CalloutStatus {
    fn as_str(self) -> &'static str {
        match self {
            CalloutStatus::CalloutFailed => "calloutFailed",
            CalloutStatus::CallbackTimedOut => "callbackTimedOut",
        }
    }
}

/// Why a failed request failed, as seeded.
#[derive(Debug, Clone)]
pub(crate) enum Cause {
    /// One resource could not be delivered (`scope` indexes [`Delivery::role_scopes`]).
    Resource { scope: usize, reason: &'static str },
    /// The request as a whole failed before any resource.
    Request { reason: &'static str },
    /// Nothing failed: a new external user's SharePoint Online site (`scope`) stays pending
    /// until their account is provisioned in SharePoint Online, and the request shows as
    /// partially delivered until then. Entra's troubleshooting page: "If a new external user
    /// that hasn't previously signed in your directory receives an access package including a
    /// SharePoint Online site, their access package shows as not fully delivered until their
    /// account is provisioned in SharePoint Online." No resource event fails; beta's resource
    /// role of the site is `PendingFulfillment`.
    GuestSite { scope: usize },
    /// A custom extension call failed.
    Callout {
        extension: usize,
        status: CalloutStatus,
        detail: &'static str,
        instance_id: String,
        run_id: String,
    },
}

/// The seeded cause of one failed request.
#[derive(Debug, Clone)]
pub(crate) struct RequestCause {
    pub(crate) cause: Cause,
    /// What replaces `{objectId}` in this request's texts: the requestor's object id (or, for a
    /// requestor not yet in the tenant, its subject id).
    pub(crate) object_ref: String,
    /// Whether the audit log (still) holds events about this request.
    pub(crate) audited: bool,
}

impl RequestCause {
    /// The reason template (with `{objectId}` where the text names the requestor).
    pub(crate) fn template(&self) -> &'static str {
        match &self.cause {
            Cause::Resource { reason, .. } | Cause::Request { reason } => reason,
            Cause::GuestSite { .. } => GUEST_SITE_PENDING,
            Cause::Callout { detail, .. } => detail,
        }
    }

    /// The text as the service writes it for this request.
    pub(crate) fn text(&self) -> String {
        self.template().replace("{objectId}", &self.object_ref)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct AuditTarget {
    pub(crate) id: String,
    pub(crate) display_name: Option<String>,
    pub(crate) kind: &'static str,
    pub(crate) upn: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct AuditEvent {
    pub(crate) id: String,
    pub(crate) correlation_id: String,
    pub(crate) activity: &'static str,
    pub(crate) at: DateTime<Utc>,
    pub(crate) result: &'static str,
    pub(crate) reason: String,
    pub(crate) targets: Vec<AuditTarget>,
}

/// Everything about deliveries, fixed at start.
#[derive(Debug, Clone, Default)]
pub(crate) struct Delivery {
    pub(crate) resources: Vec<Resource>,
    pub(crate) role_scopes: Vec<RoleScope>,
    /// Per package index: indices into `role_scopes`.
    pub(crate) package_scopes: Vec<Vec<usize>>,
    /// Per package index: a role scope removed from the package since its requests were made.
    /// The package no longer lists it, but its assignments still hold a resource role for it:
    /// a client that names resources only from the package's role scopes cannot name this one.
    pub(crate) removed_scopes: Vec<Option<usize>>,
    pub(crate) extensions: Vec<Extension>,
    /// Lowercase request id → its seeded cause (failed requests only).
    pub(crate) causes: HashMap<String, RequestCause>,
    /// Newest first, as the audit log lists them.
    pub(crate) events: Vec<AuditEvent>,
    /// Lowercase assignment id → lowercase request id (not its index: live changes insert
    /// requests, which moves the indices after them). Requests that appeared while the
    /// emulator ran have no entry here, nor a cause or audit events: they came after seeding.
    pub(crate) assignments: HashMap<String, String>,
}

/// (display name, origin system) of each catalog's resources, by catalog index (see `seed`).
const RESOURCES: &[&[(&str, OriginSystem)]] = &[
    &[
        ("sg-sales-crm-users", OriginSystem::AadGroup),
        ("Contoso CRM", OriginSystem::AadApplication),
        ("Sales wiki", OriginSystem::SharePointOnline),
    ],
    &[
        ("sg-emea-pricelists", OriginSystem::AadGroup),
        ("CRM EMEA", OriginSystem::AadApplication),
    ],
    &[
        ("GitHub Enterprise", OriginSystem::AadApplication),
        ("sg-build-agents", OriginSystem::AadGroup),
        ("Package feeds", OriginSystem::AadApplication),
    ],
    &[
        ("Partner portal", OriginSystem::SharePointOnline),
        ("sg-partner-guests", OriginSystem::AadGroup),
    ],
    &[
        ("Power BI – Finance", OriginSystem::AadApplication),
        ("sg-all-staff", OriginSystem::AadGroup),
        ("HR portal", OriginSystem::SharePointOnline),
    ],
];

/// The custom extensions, by the stage they run at: the first when a request is approved (its
/// calls are on the request), the second when the assignment is granted (its calls are on the
/// assignment: v1.0 `accessPackageAssignment.customExtensionCalloutInstances`, "all the custom
/// extension calls that were made during the access package assignment workflow").
const EXTENSIONS: &[&str] = &["Provision CRM licence", "Notify HR system"];

/// The extension whose calls are on the assignment, not the request.
const ASSIGNMENT_STAGE_EXTENSION: usize = 1;

/// Failure reasons per origin system: the first is the usual one for a resource.
const GROUP_REASONS: &[&str] = &[
    "Failed to add user {objectId} to the group: the group is mail-enabled and can't be managed by entitlement management.",
    "Failed to add user {objectId} to the group: the group no longer exists.",
];
const APP_REASONS: &[&str] = &[
    "Failed to assign the app role to user {objectId}: the service principal is disabled.",
    "Failed to assign the app role to user {objectId}: the app role no longer exists.",
];
const SITE_REASONS: &[&str] = &[
    "Failed to add user {objectId} to the site: the site is locked (read-only).",
    "Failed to add user {objectId} to the site: external sharing is turned off for this site.",
];
const REQUEST_REASONS: &[&str] = &[
    "The requestor {objectId} is no longer in scope of the assignment policy.",
    "The assignment policy of the access package has expired.",
];
const CALLOUT_DETAILS: &[(CalloutStatus, &str)] = &[
    (
        CalloutStatus::CalloutFailed,
        "The logic app answered 500 InternalServerError: licence pool exhausted.",
    ),
    (
        CalloutStatus::CallbackTimedOut,
        "No callback was received within the timeout of 60 minutes.",
    ),
];

/// What is known of a new guest's pending site: nothing failed, it waits.
const GUEST_SITE_PENDING: &str =
    "Not yet provisioned in SharePoint Online for a new external user.";

const REQUEST_LEVEL_FAILURE: &str = "One or more resources could not be delivered.";

impl Delivery {
    /// Builds the delivery data of `store`, seeded at `now` (the store's own start time).
    pub(crate) fn build(
        seed: u64,
        store: &Store,
        now: DateTime<Utc>,
        correlation: AuditCorrelation,
    ) -> Delivery {
        let mut rng = SplitMix64::new(mix64(seed ^ DELIVERY_SALT));
        let mut d = Delivery::default();
        for (c, catalog) in store.catalogs.iter().enumerate() {
            for (name, system) in RESOURCES[c % RESOURCES.len()] {
                d.resources
                    .push(new_resource(&mut rng, name, *system, c, catalog.created));
            }
        }
        let mut could_lose = 0usize;
        for package in &store.packages {
            let own: Vec<usize> = (0..d.resources.len())
                .filter(|&r| d.resources[r].catalog_idx == package.catalog_idx)
                .collect();
            let k = 1 + rng.below(own.len().min(3) as u64) as usize;
            let start = rng.below(own.len() as u64) as usize;
            let mut scopes = Vec::with_capacity(k);
            for j in 0..k {
                let resource_idx = own[(start + j) % own.len()];
                scopes.push(d.role_scopes.len());
                d.role_scopes.push(new_role_scope(
                    &mut rng,
                    &d.resources[resource_idx],
                    resource_idx,
                    package.created,
                ));
            }
            // Of the packages whose catalog has a resource they do not deliver, every other one
            // delivered it once: it was removed from the package after its requests were made.
            let unused: Vec<usize> = own
                .iter()
                .copied()
                .filter(|r| !scopes.iter().any(|&s| d.role_scopes[s].resource_idx == *r))
                .collect();
            let lose = !unused.is_empty() && {
                could_lose += 1;
                could_lose % 2 == 1
            };
            let removed = if lose {
                let resource_idx = unused[rng.below(unused.len() as u64) as usize];
                d.role_scopes.push(new_role_scope(
                    &mut rng,
                    &d.resources[resource_idx],
                    resource_idx,
                    package.created,
                ));
                Some(d.role_scopes.len() - 1)
            } else {
                None
            };
            d.package_scopes.push(scopes);
            d.removed_scopes.push(removed);
        }
        d.extensions = EXTENSIONS
            .iter()
            .map(|_| Extension { id: rng.guid() })
            .collect();
        for r in &store.requests {
            d.assignments.insert(
                r.assignment_id.to_ascii_lowercase(),
                r.id.to_ascii_lowercase(),
            );
            if matches!(
                r.state,
                RequestState::DeliveryFailed | RequestState::PartiallyDelivered
            ) {
                let cause = d.seed_cause(&mut rng, store, r, now);
                d.causes.insert(r.id.to_ascii_lowercase(), cause);
            }
        }
        d.events = d.seed_events(store, now, correlation);
        d
    }

    fn seed_cause(
        &self,
        rng: &mut SplitMix64,
        store: &Store,
        r: &StoredRequest,
        now: DateTime<Utc>,
    ) -> RequestCause {
        let scopes = self
            .package_scopes
            .get(r.package_idx)
            .cloned()
            .unwrap_or_default();
        let roll = rng.unit();
        let subject = store.subjects.get(r.subject_idx);
        let new_guest = subject.is_some_and(|s| s.connected_organization.is_some());
        let guest_site = scopes.iter().copied().find(|&s| {
            self.resources[self.role_scopes[s].resource_idx].origin_system
                == OriginSystem::SharePointOnline
        });
        let cause = if let (RequestState::PartiallyDelivered, true, Some(scope)) =
            (r.state, new_guest, guest_site)
        {
            Cause::GuestSite { scope }
        } else if r.state == RequestState::PartiallyDelivered || roll < 0.6 {
            let scope = scopes[rng.below(scopes.len() as u64) as usize];
            let system = self.resources[self.role_scopes[scope].resource_idx].origin_system;
            let reasons = match system {
                OriginSystem::AadGroup => GROUP_REASONS,
                OriginSystem::AadApplication => APP_REASONS,
                OriginSystem::SharePointOnline => SITE_REASONS,
            };
            // Most failures of a resource share one reason, as a broken resource fails alike.
            let reason = reasons[usize::from(rng.unit() >= 0.8)];
            Cause::Resource { scope, reason }
        } else if roll < 0.8 {
            Cause::Request {
                reason: REQUEST_REASONS[rng.below(REQUEST_REASONS.len() as u64) as usize],
            }
        } else {
            let (status, detail) =
                CALLOUT_DETAILS[rng.below(CALLOUT_DETAILS.len() as u64) as usize];
            Cause::Callout {
                extension: usize::from(status == CalloutStatus::CallbackTimedOut),
                status,
                detail,
                instance_id: rng.guid(),
                run_id: format!("08584{:016}", rng.below(10u64.pow(16))),
            }
        };
        RequestCause {
            cause,
            object_ref: subject
                .map(|s| s.object_id.clone().unwrap_or_else(|| s.id.clone()))
                .unwrap_or_default(),
            audited: now - event_time(r) <= ChronoDuration::days(AUDIT_RETENTION_DAYS),
        }
    }

    fn seed_events(
        &self,
        store: &Store,
        now: DateTime<Utc>,
        correlation: AuditCorrelation,
    ) -> Vec<AuditEvent> {
        let mut events = Vec::new();
        for r in &store.requests {
            let end = event_time(r);
            if now - r.created > ChronoDuration::days(AUDIT_RETENTION_DAYS)
                && now - end > ChronoDuration::days(AUDIT_RETENTION_DAYS)
            {
                continue;
            }
            let mut log = EventLog::new(self, store, r, correlation);
            if now - r.created <= ChronoDuration::days(AUDIT_RETENTION_DAYS) {
                log.push(
                    ACTIVITY_REQUESTED,
                    r.created,
                    "success",
                    String::new(),
                    None,
                );
            }
            if now - end <= ChronoDuration::days(AUDIT_RETENTION_DAYS) {
                log.outcome(end);
            }
            events.extend(log.events);
        }
        events.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
        events
    }

    /// The role scopes of package `idx`.
    pub(crate) fn scopes_of(&self, package_idx: usize) -> impl Iterator<Item = &RoleScope> {
        self.package_scopes
            .get(package_idx)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.role_scopes.get(i))
    }

    /// Each role scope of the request's package with whether it was delivered, as of the
    /// request's current state: nothing for requests that never reached delivery.
    pub(crate) fn resource_status(&self, r: &StoredRequest) -> Vec<(usize, bool)> {
        let mut scopes = self
            .package_scopes
            .get(r.package_idx)
            .cloned()
            .unwrap_or_default();
        scopes.extend(self.removed_scopes.get(r.package_idx).copied().flatten());
        let failing = match self
            .causes
            .get(&r.id.to_ascii_lowercase())
            .map(|c| &c.cause)
        {
            Some(Cause::Resource { scope, .. } | Cause::GuestSite { scope }) => Some(*scope),
            _ => None,
        };
        match r.state {
            RequestState::Delivered => scopes.into_iter().map(|s| (s, true)).collect(),
            RequestState::PartiallyDelivered => scopes
                .into_iter()
                .map(|s| (s, Some(s) != failing))
                .collect(),
            RequestState::DeliveryFailed | RequestState::Delivering => {
                scopes.into_iter().map(|s| (s, false)).collect()
            }
            _ => Vec::new(),
        }
    }
}

/// When a request's outcome was logged: its completion, else (failed without a completion time)
/// ten minutes after it was created.
fn event_time(r: &StoredRequest) -> DateTime<Utc> {
    r.completed
        .unwrap_or(r.created + ChronoDuration::minutes(10))
}

impl Resource {
    /// How the audit log names the resource: a directory object (group, app) by its object id,
    /// its `originId`; a SharePoint site, no directory object, by the entitlement-management
    /// `accessPackageResource` id, as the log names the access package by its own id. (Which id
    /// it uses is undocumented; this is the form a client cannot match by `originId` alone.)
    pub(crate) fn audit_id(&self) -> &str {
        match self.origin_system {
            OriginSystem::SharePointOnline => &self.id,
            OriginSystem::AadGroup | OriginSystem::AadApplication => &self.origin_id,
        }
    }
}

fn new_resource(
    rng: &mut SplitMix64,
    name: &str,
    system: OriginSystem,
    catalog_idx: usize,
    created: DateTime<Utc>,
) -> Resource {
    let id = rng.guid();
    let origin_id = match system {
        OriginSystem::SharePointOnline => format!(
            "https://ep-demo.sharepoint.com/sites/{}",
            name.to_ascii_lowercase().replace(' ', "-")
        ),
        _ => rng.guid(),
    };
    Resource {
        id,
        origin_id,
        origin_system: system,
        display_name: name.to_string(),
        description: format!("{name} ({})", system.as_str()),
        catalog_idx,
        created: created + ChronoDuration::days(1),
    }
}

fn new_role_scope(
    rng: &mut SplitMix64,
    resource: &Resource,
    resource_idx: usize,
    created: DateTime<Utc>,
) -> RoleScope {
    let role_id = rng.guid();
    let scope_id = rng.guid();
    let role_origin_id = match resource.origin_system {
        OriginSystem::AadGroup => format!("Member_{}", resource.origin_id),
        OriginSystem::AadApplication => rng.guid(),
        OriginSystem::SharePointOnline => "4".to_string(),
    };
    RoleScope {
        id: format!("{role_id}_{scope_id}"),
        role_id,
        role_origin_id,
        scope_id,
        resource_idx,
        created: created + ChronoDuration::hours(2),
    }
}

/// The events one request leaves in the audit log.
struct EventLog<'a> {
    delivery: &'a Delivery,
    request: &'a StoredRequest,
    common: Vec<AuditTarget>,
    correlation_id: String,
    seq: u64,
    events: Vec<AuditEvent>,
}

impl<'a> EventLog<'a> {
    fn new(
        delivery: &'a Delivery,
        store: &Store,
        request: &'a StoredRequest,
        correlation: AuditCorrelation,
    ) -> EventLog<'a> {
        let mut common = Vec::new();
        if correlation == AuditCorrelation::RequestId {
            common.push(AuditTarget {
                id: request.id.clone(),
                display_name: None,
                kind: "Other",
                upn: None,
            });
        }
        if let Some(p) = store.packages.get(request.package_idx) {
            common.push(AuditTarget {
                id: p.id.clone(),
                display_name: Some(p.display_name.clone()),
                kind: "Other",
                upn: None,
            });
        }
        if let Some(s) = store.subjects.get(request.subject_idx) {
            common.push(AuditTarget {
                id: s.object_id.clone().unwrap_or_else(|| s.id.clone()),
                display_name: Some(s.display_name.clone()),
                kind: "User",
                upn: Some(s.principal_name.clone()),
            });
        }
        let mut rng = SplitMix64::new(hash_parts(&[b"correlation", request.id.as_bytes()]));
        EventLog {
            delivery,
            request,
            common,
            correlation_id: rng.guid(),
            seq: 0,
            events: Vec::new(),
        }
    }

    fn push(
        &mut self,
        activity: &'static str,
        at: DateTime<Utc>,
        result: &'static str,
        reason: String,
        resource: Option<&Resource>,
    ) {
        self.seq += 1;
        let mut rng = SplitMix64::new(hash_parts(&[
            b"audit",
            self.request.id.as_bytes(),
            &self.seq.to_be_bytes(),
        ]));
        let mut targets = Vec::new();
        if let Some(res) = resource {
            targets.push(AuditTarget {
                id: res.audit_id().to_string(),
                display_name: Some(res.display_name.clone()),
                kind: res.origin_system.audit_type(),
                upn: None,
            });
        }
        targets.extend(self.common.iter().cloned());
        self.events.push(AuditEvent {
            id: format!("IGA_{}_{}", rng.guid(), self.seq),
            correlation_id: self.correlation_id.clone(),
            activity,
            at,
            result,
            reason,
            targets,
        });
    }

    /// The events of the request's outcome, at `end`: one per resource tried, then one for the
    /// request.
    fn outcome(&mut self, end: DateTime<Utc>) {
        let d = self.delivery;
        let r = self.request;
        let cause = d.causes.get(&r.id.to_ascii_lowercase()).cloned();
        let statuses = d.resource_status(r);
        let mut second = statuses.len() as i64 + 1;
        for (scope, delivered) in &statuses {
            let Some(res) = d
                .role_scopes
                .get(*scope)
                .and_then(|s| d.resources.get(s.resource_idx))
            else {
                continue;
            };
            let at = end - ChronoDuration::seconds(second);
            second -= 1;
            let failing = matches!(&cause, Some(RequestCause { cause: Cause::Resource { scope: s, .. }, .. }) if s == scope);
            if *delivered {
                self.push(ACTIVITY_RESOURCE, at, "success", String::new(), Some(res));
            } else if failing {
                let text = cause.as_ref().map(RequestCause::text).unwrap_or_default();
                self.push(ACTIVITY_RESOURCE, at, "failure", text, Some(res));
            }
        }
        match (&cause, r.state) {
            (None, RequestState::Delivered) => {
                self.push(ACTIVITY_FULFILLED, end, "success", String::new(), None);
            }
            (Some(_), RequestState::PartiallyDelivered) => {
                self.push(
                    ACTIVITY_PARTIAL,
                    end,
                    "failure",
                    REQUEST_LEVEL_FAILURE.into(),
                    None,
                );
            }
            (Some(c), _) => {
                let reason = match &c.cause {
                    Cause::Request { .. } => c.text(),
                    Cause::Resource { .. } | Cause::GuestSite { .. } => {
                        REQUEST_LEVEL_FAILURE.into()
                    }
                    Cause::Callout { .. } => {
                        "A custom extension of the access package failed.".to_string()
                    }
                };
                self.push(ACTIVITY_FAILED, end, "failure", reason, None);
            }
            (None, _) => {}
        }
    }
}

// ---- rendering -----------------------------------------------------------------------------

fn ts(t: DateTime<Utc>) -> Value {
    Value::String(format_timestamp(t))
}

/// The role scopes of a package, as `$expand` renders them.
pub(crate) fn render_role_scopes(
    d: &Delivery,
    package_idx: usize,
    version: ApiVersion,
    nested: RoleScopeExpand,
) -> Value {
    let (role_key, scope_key) = match version {
        ApiVersion::V1 => ("role", "scope"),
        ApiVersion::Beta => ("accessPackageResourceRole", "accessPackageResourceScope"),
    };
    let items: Vec<Value> = d
        .scopes_of(package_idx)
        .filter_map(|s| {
            let res = d.resources.get(s.resource_idx)?;
            let mut o = Map::new();
            o.insert("id".into(), json!(s.id));
            o.insert("createdDateTime".into(), ts(s.created));
            if version == ApiVersion::Beta {
                o.insert("createdBy".into(), json!("admin@ep-demo.onmicrosoft.com"));
                o.insert("modifiedDateTime".into(), ts(s.created));
            }
            if nested.role {
                o.insert(
                    role_key.into(),
                    json!({
                        "id": s.role_id,
                        "displayName": res.origin_system.role(),
                        "description": null,
                        "originSystem": res.origin_system.as_str(),
                        "originId": s.role_origin_id,
                    }),
                );
            }
            if nested.scope {
                o.insert(
                    scope_key.into(),
                    json!({
                        "id": s.scope_id,
                        "displayName": "Root",
                        "description": "Root Scope",
                        "originId": res.origin_id,
                        "originSystem": res.origin_system.as_str(),
                        "isRootScope": true,
                    }),
                );
            }
            Some(Value::Object(o))
        })
        .collect();
    Value::Array(items)
}

/// `$expand=accessPackageResourceScope($expand=accessPackageResource)` on an assignment's
/// resource roles: whether the scope's resource is inlined.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ScopeExpand {
    pub(crate) resource: bool,
}

/// `$expand=resourceRoleScopes($expand=role,scope)`: which nested navigations to inline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RoleScopeExpand {
    pub(crate) role: bool,
    pub(crate) scope: bool,
}

pub(crate) fn render_resource(r: &Resource, version: ApiVersion) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("id".into(), json!(r.id));
    o.insert("displayName".into(), json!(r.display_name));
    o.insert("description".into(), json!(r.description));
    o.insert("originId".into(), json!(r.origin_id));
    o.insert("originSystem".into(), json!(r.origin_system.as_str()));
    match version {
        ApiVersion::V1 => {
            o.insert("createdDateTime".into(), ts(r.created));
            o.insert("modifiedDateTime".into(), ts(r.created));
        }
        ApiVersion::Beta => {
            o.insert(
                "resourceType".into(),
                json!(match r.origin_system {
                    OriginSystem::AadGroup => "Security Group",
                    OriginSystem::AadApplication => "Application",
                    OriginSystem::SharePointOnline => "SharePoint Online Site",
                }),
            );
            o.insert("isPendingOnboarding".into(), json!(false));
            o.insert("addedBy".into(), json!("admin@ep-demo.onmicrosoft.com"));
            o.insert("addedOn".into(), ts(r.created));
        }
    }
    o.insert("attributes".into(), json!([]));
    o
}

/// beta `accessPackageAssignmentResourceRole`s of one assignment.
pub(crate) fn render_assignment_roles(
    d: &Delivery,
    r: &StoredRequest,
    expand_role: bool,
    expand_scope: Option<ScopeExpand>,
) -> Vec<Map<String, Value>> {
    d.resource_status(r)
        .into_iter()
        .filter_map(|(scope, delivered)| {
            let s = d.role_scopes.get(scope)?;
            let res = d.resources.get(s.resource_idx)?;
            let mut rng = SplitMix64::new(hash_parts(&[
                b"assignment-role",
                r.assignment_id.as_bytes(),
                s.id.as_bytes(),
            ]));
            let mut o = Map::new();
            o.insert("id".into(), json!(rng.guid()));
            o.insert("originId".into(), json!(s.role_origin_id));
            o.insert("originSystem".into(), json!(res.origin_system.as_str()));
            o.insert(
                "status".into(),
                json!(if delivered { "Fulfilled" } else { "PendingFulfillment" }),
            );
            if expand_role {
                o.insert(
                    "accessPackageResourceRole".into(),
                    json!({"id": s.role_id, "displayName": res.origin_system.role(),
                           "originId": s.role_origin_id, "originSystem": res.origin_system.as_str()}),
                );
            }
            if let Some(nested) = expand_scope {
                let mut scope = json!({"id": s.scope_id, "displayName": "Root",
                    "originId": res.origin_id, "originSystem": res.origin_system.as_str(),
                    "isRootScope": true});
                if nested.resource
                    && let Value::Object(o) = &mut scope
                {
                    o.insert(
                        "accessPackageResource".into(),
                        Value::Object(render_resource(res, ApiVersion::Beta)),
                    );
                }
                o.insert("accessPackageResourceScope".into(), scope);
            }
            Some(o)
        })
        .collect()
}

/// A request's `customExtensionCalloutInstances`: a failed callout of the request stage, or the
/// request-stage extension that answered before an assignment-stage one failed.
pub(crate) fn render_callouts(d: &Delivery, request_id: &str) -> Value {
    let items: Vec<Value> = stage_callouts(d, request_id)
        .into_iter()
        .filter(|(extension, _)| *extension != ASSIGNMENT_STAGE_EXTENSION)
        .map(|(_, v)| v)
        .collect();
    Value::Array(items)
}

/// An assignment's `customExtensionCalloutInstances` (v1.0): the calls of the extension that
/// runs when the assignment is granted.
pub(crate) fn render_assignment_callouts(d: &Delivery, request_id: &str) -> Value {
    let items: Vec<Value> = stage_callouts(d, request_id)
        .into_iter()
        .filter(|(extension, _)| *extension == ASSIGNMENT_STAGE_EXTENSION)
        .map(|(_, v)| v)
        .collect();
    Value::Array(items)
}

/// Every callout made for a request whose cause is a failed one, with its extension's index: the
/// earlier extensions answered, the last failed.
fn stage_callouts(d: &Delivery, request_id: &str) -> Vec<(usize, Value)> {
    let Some(RequestCause {
        cause:
            Cause::Callout {
                extension,
                status,
                detail,
                instance_id,
                run_id,
            },
        ..
    }) = d.causes.get(&request_id.to_ascii_lowercase())
    else {
        return Vec::new();
    };
    let mut items = Vec::new();
    if *extension > 0
        && let Some(first) = d.extensions.first()
    {
        let mut rng = SplitMix64::new(hash_parts(&[b"callout-ok", request_id.as_bytes()]));
        items.push((
            0,
            json!({
                "id": rng.guid(),
                "customExtensionId": first.id,
                "externalCorrelationId": format!("08584{:016}", rng.below(10u64.pow(16))),
                "detail": "Callback received.",
                "status": "callbackReceived",
            }),
        ));
    }
    items.push((
        *extension,
        json!({
            "id": instance_id,
            "customExtensionId": d.extensions.get(*extension).map(|e| e.id.clone()),
            "externalCorrelationId": run_id,
            "detail": detail,
            "status": status.as_str(),
        }),
    ));
    items
}

/// One `directoryAudit`, v1.0 shape (beta adds nothing ep reads).
pub(crate) fn render_event(e: &AuditEvent) -> Map<String, Value> {
    let targets: Vec<Value> = e
        .targets
        .iter()
        .map(|t| {
            json!({
                "id": t.id,
                "displayName": t.display_name,
                "type": t.kind,
                "userPrincipalName": t.upn,
                "groupType": null,
                "modifiedProperties": [],
            })
        })
        .collect();
    let mut o = Map::new();
    o.insert("id".into(), json!(e.id));
    o.insert("category".into(), json!("EntitlementManagement"));
    o.insert("correlationId".into(), json!(e.correlation_id));
    o.insert("result".into(), json!(e.result));
    o.insert("resultReason".into(), json!(e.reason));
    o.insert("activityDisplayName".into(), json!(e.activity));
    o.insert("activityDateTime".into(), ts(e.at));
    o.insert("loggedByService".into(), json!("Entitlement Management"));
    o.insert("operationType".into(), json!("Assign"));
    o.insert(
        "initiatedBy".into(),
        json!({"user": null, "app": {"appId": null, "displayName": "Azure AD Identity Governance",
               "servicePrincipalId": null, "servicePrincipalName": null}}),
    );
    o.insert("targetResources".into(), Value::Array(targets));
    o.insert("additionalDetails".into(), json!([]));
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0)
            .single()
            .unwrap()
    }

    #[test]
    fn every_failed_request_has_one_seeded_cause_and_the_same_seed_the_same_causes() {
        let store = seed::build(42, 300, 8, 40, now());
        let d = Delivery::build(42, &store, now(), AuditCorrelation::RequestId);
        let failed: Vec<&StoredRequest> = store
            .requests
            .iter()
            .filter(|r| {
                matches!(
                    r.state,
                    RequestState::DeliveryFailed | RequestState::PartiallyDelivered
                )
            })
            .collect();
        assert_eq!(d.causes.len(), failed.len());
        let mut kinds = [0usize; 3];
        for r in &failed {
            let c = &d.causes[&r.id.to_ascii_lowercase()];
            match &c.cause {
                Cause::Resource { scope, .. } => {
                    kinds[0] += 1;
                    assert!(d.package_scopes[r.package_idx].contains(scope));
                }
                Cause::Request { .. } | Cause::GuestSite { .. } => kinds[1] += 1,
                Cause::Callout { .. } => kinds[2] += 1,
            }
            if r.state == RequestState::PartiallyDelivered {
                assert!(matches!(
                    c.cause,
                    Cause::Resource { .. } | Cause::GuestSite { .. }
                ));
            }
            assert!(!c.text().contains("{objectId}"));
        }
        assert!(kinds.iter().all(|k| *k > 0), "{kinds:?}");
        let again = Delivery::build(42, &store, now(), AuditCorrelation::RequestId);
        for (id, c) in &d.causes {
            assert_eq!(again.causes[id].text(), c.text());
        }
    }

    #[test]
    fn the_audit_log_keeps_thirty_days_and_names_requests_only_when_asked() {
        let store = seed::build(7, 200, 6, 0, now());
        for correlation in [AuditCorrelation::RequestId, AuditCorrelation::Requestor] {
            let d = Delivery::build(7, &store, now(), correlation);
            assert!(!d.events.is_empty());
            assert!(
                d.events.windows(2).all(|w| w[0].at >= w[1].at),
                "newest first"
            );
            let ids: std::collections::HashSet<&str> =
                store.requests.iter().map(|r| r.id.as_str()).collect();
            for e in &d.events {
                assert!(now() - e.at <= ChronoDuration::days(AUDIT_RETENTION_DAYS));
                let named = e.targets.iter().any(|t| ids.contains(t.id.as_str()));
                assert_eq!(named, correlation == AuditCorrelation::RequestId);
            }
        }
    }
}
