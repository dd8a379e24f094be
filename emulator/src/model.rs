//! Stored entities and their v1.0 / beta JSON shapes.
//!
//! The store keeps one representation; the two API versions are only views. That way a
//! reprocess through beta is visible through v1.0 and vice versa, as in a real tenant.

use std::collections::HashMap;

use crate::callback::{PendingCallback, Resumed};
use chrono::{DateTime, Timelike, Utc};
use serde_json::{Map, Value, json};

/// `accessPackageRequestState` (v1.0 CSDL order). `unknownFutureValue` is never stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequestState {
    Submitted,
    PendingApproval,
    Delivering,
    Delivered,
    DeliveryFailed,
    Denied,
    Scheduled,
    Canceled,
    PartiallyDelivered,
}

impl RequestState {
    pub(crate) const ALL: [RequestState; 9] = [
        RequestState::Submitted,
        RequestState::PendingApproval,
        RequestState::Delivering,
        RequestState::Delivered,
        RequestState::DeliveryFailed,
        RequestState::Denied,
        RequestState::Scheduled,
        RequestState::Canceled,
        RequestState::PartiallyDelivered,
    ];

    /// The state named in the v1.0 vocabulary, if it is one.
    pub(crate) fn from_v1(name: &str) -> Option<RequestState> {
        RequestState::ALL.into_iter().find(|s| s.v1() == name)
    }

    pub(crate) fn v1(self) -> &'static str {
        match self {
            RequestState::Submitted => "submitted",
            RequestState::PendingApproval => "pendingApproval",
            RequestState::Delivering => "delivering",
            RequestState::Delivered => "delivered",
            RequestState::DeliveryFailed => "deliveryFailed",
            RequestState::Denied => "denied",
            RequestState::Scheduled => "scheduled",
            RequestState::Canceled => "canceled",
            RequestState::PartiallyDelivered => "partiallyDelivered",
        }
    }

    pub(crate) fn beta(self) -> &'static str {
        match self {
            RequestState::Submitted => "Submitted",
            RequestState::PendingApproval => "PendingApproval",
            RequestState::Delivering => "Delivering",
            RequestState::Delivered => "Delivered",
            RequestState::DeliveryFailed => "DeliveryFailed",
            RequestState::Denied => "Denied",
            RequestState::Scheduled => "Scheduled",
            RequestState::Canceled => "Canceled",
            RequestState::PartiallyDelivered => "PartiallyDelivered",
        }
    }

    /// The free-text `status` that accompanies a state. Graph documents no list; these follow
    /// the values seen in the docs ("Delivered", "Accepted") and the portal.
    pub(crate) fn status_text(self) -> &'static str {
        match self {
            RequestState::Submitted => "Accepted",
            RequestState::PendingApproval => "PendingApproval",
            RequestState::Delivering => "Delivering",
            RequestState::Delivered => "Delivered",
            RequestState::DeliveryFailed => "DeliveryFailed",
            RequestState::Denied => "Denied",
            RequestState::Scheduled => "PendingNotBefore",
            RequestState::Canceled => "Canceled",
            RequestState::PartiallyDelivered => "PartiallyDelivered",
        }
    }

    /// States that end processing and so carry a completion time.
    pub(crate) fn has_completion(self) -> bool {
        matches!(
            self,
            RequestState::Delivered
                | RequestState::DeliveryFailed
                | RequestState::Denied
                | RequestState::Canceled
                | RequestState::PartiallyDelivered
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequestType {
    UserAdd,
    UserUpdate,
    UserRemove,
    AdminAdd,
    AdminUpdate,
    AdminRemove,
    ApproverRemove,
}

impl RequestType {
    /// v1.0 name. `approverRemove` sits after `unknownFutureValue` in the CSDL (an evolvable
    /// member), so Graph only sends it to clients that opt in with
    /// `Prefer: include-unknown-enum-members`.
    pub(crate) fn v1(self, include_unknown: bool) -> &'static str {
        match self {
            RequestType::UserAdd => "userAdd",
            RequestType::UserUpdate => "userUpdate",
            RequestType::UserRemove => "userRemove",
            RequestType::AdminAdd => "adminAdd",
            RequestType::AdminUpdate => "adminUpdate",
            RequestType::AdminRemove => "adminRemove",
            RequestType::ApproverRemove if include_unknown => "approverRemove",
            RequestType::ApproverRemove => "unknownFutureValue",
        }
    }

    /// Beta `requestType` is a plain string in PascalCase.
    pub(crate) fn beta(self) -> &'static str {
        match self {
            RequestType::UserAdd => "UserAdd",
            RequestType::UserUpdate => "UserUpdate",
            RequestType::UserRemove => "UserRemove",
            RequestType::AdminAdd => "AdminAdd",
            RequestType::AdminUpdate => "AdminUpdate",
            RequestType::AdminRemove => "AdminRemove",
            RequestType::ApproverRemove => "ApproverRemove",
        }
    }

    pub(crate) fn is_add(self) -> bool {
        matches!(self, RequestType::UserAdd | RequestType::AdminAdd)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Catalog {
    pub(crate) id: String,
    pub(crate) display_name: String,
    pub(crate) description: String,
    pub(crate) created: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(crate) struct Package {
    pub(crate) id: String,
    pub(crate) display_name: String,
    pub(crate) description: String,
    pub(crate) catalog_idx: usize,
    pub(crate) is_hidden: bool,
    pub(crate) created: DateTime<Utc>,
    pub(crate) modified: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(crate) struct Subject {
    pub(crate) id: String,
    pub(crate) object_id: Option<String>,
    pub(crate) display_name: String,
    pub(crate) email: String,
    pub(crate) principal_name: String,
    /// (id, displayName) of the connected organisation for external subjects.
    pub(crate) connected_organization: Option<(String, String)>,
    /// An agent identity (preview): a service principal, with no user principal name or mail.
    pub(crate) agent: bool,
}

/// A reprocess that was accepted and has not settled yet.
///
/// Graph's troubleshooting page: the service "tries multiple times to reprocess for several
/// hours", the status changes to Delivering only "if the error is fixed during the trials
/// window", and otherwise stays Delivery failed / Partially delivered. So a trial that will fail
/// again may never show `delivering` at all (`visible_at: None`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PendingReprocess {
    /// When the request starts showing `delivering`; `None` keeps its failed state throughout.
    pub(crate) visible_at: Option<DateTime<Utc>>,
    /// When the trial ends: `delivered`, or failed again.
    pub(crate) settles_at: DateTime<Utc>,
    pub(crate) refail: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct StoredRequest {
    pub(crate) id: String,
    pub(crate) request_type: RequestType,
    pub(crate) state: RequestState,
    pub(crate) created: DateTime<Utc>,
    pub(crate) completed: Option<DateTime<Utc>>,
    pub(crate) justification: String,
    pub(crate) package_idx: usize,
    pub(crate) subject_idx: usize,
    pub(crate) assignment_id: String,
    /// Sub-second precision of this request's timestamps (0..=7 digits).
    pub(crate) frac_digits: u8,
    /// Beta renders this request's state in lowercase, as some real beta responses do.
    pub(crate) beta_lowercase: bool,
    pub(crate) schedule_start: DateTime<Utc>,
    pub(crate) expiration: Option<DateTime<Utc>>,
    pub(crate) pending: Option<PendingReprocess>,
    pub(crate) reprocess_calls: u32,
    /// Appeared while the emulator ran (`live_changes`): not part of the generated tenant, so
    /// a saved session does not name it (see `session`).
    pub(crate) live: bool,
    /// A custom extension callout this request waits on (or waited on, until `resume`).
    pub(crate) callback: Option<PendingCallback>,
}

impl StoredRequest {
    /// Applies due transitions. Called on every read so no timers are needed.
    pub(crate) fn settle(&mut self, now: DateTime<Utc>) {
        let Some(p) = self.pending else { return };
        let visible = p.visible_at.is_some_and(|t| now >= t);
        if visible && self.state != RequestState::Delivering {
            self.state = RequestState::Delivering;
            self.completed = None;
        }
        if now < p.settles_at {
            return;
        }
        match (p.refail, visible) {
            (false, _) => {
                self.state = RequestState::Delivered;
                self.completed = Some(p.settles_at);
            }
            (true, true) => {
                self.state = RequestState::DeliveryFailed;
                self.completed = Some(p.settles_at);
            }
            // The trial failed without ever showing progress: state and completion time stay
            // what they were, as far as anything documented says.
            (true, false) => {}
        }
        self.pending = None;
    }

    /// Whether the service is still retrying an accepted reprocess while the request shows its
    /// failed state: the window in which a repeat "can't force reprocessing".
    pub(crate) fn in_hidden_trial(&self) -> bool {
        self.pending.is_some() && self.state != RequestState::Delivering
    }

    /// Starts an accepted reprocess at `now`.
    pub(crate) fn begin_reprocess(&mut self, now: DateTime<Utc>, plan: PendingReprocess) {
        self.reprocess_calls += 1;
        self.pending = Some(PendingReprocess {
            visible_at: plan
                .visible_at
                .map(|t| truncate_to_digits(t, self.frac_digits)),
            settles_at: truncate_to_digits(plan.settles_at, self.frac_digits),
            refail: plan.refail,
        });
        self.settle(now);
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Store {
    pub(crate) catalogs: Vec<Catalog>,
    pub(crate) packages: Vec<Package>,
    pub(crate) subjects: Vec<Subject>,
    pub(crate) requests: Vec<StoredRequest>,
    /// Lowercase request id → index in `requests`. Ids are compared case-insensitively (they
    /// are GUIDs), and a tenant of 100k requests must not be scanned for every GET/reprocess.
    by_id: HashMap<String, usize>,
    /// Indices of requests with a pending reprocess. Settling only these keeps every call
    /// O(in-flight) instead of O(tenant).
    in_flight: Vec<usize>,
    /// Where requests were inserted after the tenant was generated (live changes), in order:
    /// a continuation taken before an insert maps its positions through the later ones.
    inserts: Vec<usize>,
    /// Changes whenever a request's state changes or a request is inserted. A continuation
    /// taken at the current generation saw exactly the result a listing would see now, which
    /// lets offset paging resume where it stopped instead of counting from the start.
    generation: u64,
}

/// How a listing's rows may have changed since a continuation was taken (see `paging`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Churn<'a> {
    pub(crate) generation: u64,
    pub(crate) inserts: &'a [usize],
}

impl Churn<'static> {
    /// Rows that never change while the emulator runs (packages, resources, audit events).
    pub(crate) const NONE: Churn<'static> = Churn {
        generation: 0,
        inserts: &[],
    };
}

impl Store {
    pub(crate) fn new(
        catalogs: Vec<Catalog>,
        packages: Vec<Package>,
        subjects: Vec<Subject>,
        requests: Vec<StoredRequest>,
    ) -> Store {
        let by_id = requests
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.to_ascii_lowercase(), i))
            .collect();
        let in_flight = requests
            .iter()
            .enumerate()
            .filter(|(_, r)| r.pending.is_some())
            .map(|(i, _)| i)
            .collect();
        Store {
            catalogs,
            packages,
            subjects,
            requests,
            by_id,
            in_flight,
            inserts: Vec::new(),
            generation: 0,
        }
    }

    /// What a continuation over `requests` must know about changes since it was taken.
    pub(crate) fn churn(&self) -> Churn<'_> {
        Churn {
            generation: self.generation,
            inserts: &self.inserts,
        }
    }

    /// Applies every due settle transition.
    pub(crate) fn settle_all(&mut self, now: DateTime<Utc>) {
        let requests = &mut self.requests;
        let mut changed = false;
        self.in_flight.retain(|&i| {
            requests.get_mut(i).is_some_and(|r| {
                let before = r.state;
                r.settle(now);
                changed |= r.state != before;
                r.pending.is_some()
            })
        });
        if changed {
            self.generation += 1;
        }
    }

    /// Index of the request with this id (case-insensitive).
    pub(crate) fn find_request(&self, id: &str) -> Option<usize> {
        self.by_id.get(&id.to_ascii_lowercase()).copied()
    }

    /// Puts request `idx` back as a saved session left it (see `session`).
    pub(crate) fn restore_request(
        &mut self,
        idx: usize,
        state: RequestState,
        completed: Option<DateTime<Utc>>,
        pending: Option<PendingReprocess>,
        reprocess_calls: u32,
    ) {
        if let Some(r) = self.requests.get_mut(idx) {
            let tracked = r.pending.is_some();
            r.state = state;
            r.completed = completed;
            r.pending = pending;
            r.reprocess_calls = reprocess_calls;
            if !tracked && pending.is_some() {
                self.in_flight.push(idx);
            }
            self.generation += 1;
        }
    }

    /// Starts a reprocess of request `idx` (see [`StoredRequest::begin_reprocess`]).
    pub(crate) fn begin_reprocess(
        &mut self,
        idx: usize,
        now: DateTime<Utc>,
        plan: PendingReprocess,
    ) {
        if let Some(r) = self.requests.get_mut(idx) {
            // A request with a pending reprocess is already tracked (invariant of `new` and
            // `settle_all`), so it must not be pushed twice.
            let tracked = r.pending.is_some();
            let before = r.state;
            r.begin_reprocess(now, plan);
            if r.state != before {
                self.generation += 1;
            }
            if !tracked && r.pending.is_some() {
                self.in_flight.push(idx);
            }
        }
    }

    /// An accepted `resume` of request `idx`: the callback is received, and the request either
    /// ends as the extension decided or goes on to delivery along `plan`.
    pub(crate) fn resume(
        &mut self,
        idx: usize,
        now: DateTime<Utc>,
        resumed: Resumed,
        detail: Option<String>,
        plan: PendingReprocess,
    ) {
        let Some(r) = self.requests.get_mut(idx) else {
            return;
        };
        if let Some(cb) = &mut r.callback {
            cb.received = Some(detail);
        }
        match resumed {
            Resumed::Ends(state) => {
                r.state = state;
                r.completed = Some(truncate_to_digits(now, r.frac_digits));
            }
            Resumed::GoOn => {
                let tracked = r.pending.is_some();
                r.pending = Some(PendingReprocess {
                    visible_at: plan
                        .visible_at
                        .map(|t| truncate_to_digits(t, r.frac_digits)),
                    settles_at: truncate_to_digits(plan.settles_at, r.frac_digits),
                    refail: false,
                });
                r.settle(now);
                if !tracked && r.pending.is_some() {
                    self.in_flight.push(idx);
                }
            }
        }
        self.generation += 1;
    }

    /// Sets request `idx`'s state outside any reprocess: the service changing it by itself (a
    /// live change). Only for requests without a pending reprocess, which would overwrite it.
    pub(crate) fn set_state(
        &mut self,
        idx: usize,
        state: RequestState,
        completed: Option<DateTime<Utc>>,
    ) {
        if let Some(r) = self.requests.get_mut(idx)
            && r.pending.is_none()
        {
            r.state = state;
            r.completed = completed.map(|t| truncate_to_digits(t, r.frac_digits));
            self.generation += 1;
        }
    }

    /// Inserts `request` at position `at` of the stable order (clamped to the end), as a
    /// request that appears in a live tenant may sort anywhere. Every index after it moves
    /// up by one; O(tenant), which a handful of live changes can afford.
    pub(crate) fn insert_request(&mut self, at: usize, request: StoredRequest) {
        let at = at.min(self.requests.len());
        for i in self.by_id.values_mut() {
            if *i >= at {
                *i += 1;
            }
        }
        for i in &mut self.in_flight {
            if *i >= at {
                *i += 1;
            }
        }
        self.by_id.insert(request.id.to_ascii_lowercase(), at);
        if request.pending.is_some() {
            self.in_flight.push(at);
        }
        self.requests.insert(at, request);
        self.inserts.push(at);
        self.generation += 1;
    }
}

/// Drops precision below `digits` fractional digits (0..=7), so that rendering and the stored
/// value agree exactly.
pub(crate) fn truncate_to_digits(dt: DateTime<Utc>, digits: u8) -> DateTime<Utc> {
    let digits = u32::from(digits.min(7));
    let unit = 10u32.pow(9 - digits);
    let nanos = dt.nanosecond() % 1_000_000_000;
    dt.with_nanosecond(nanos - nanos % unit).unwrap_or(dt)
}

/// ISO 8601 UTC with `Z` and only the significant fractional digits (at most 7, 100 ns ticks),
/// the way Graph renders DateTimeOffset values.
pub(crate) fn format_timestamp(dt: DateTime<Utc>) -> String {
    let base = dt.format("%Y-%m-%dT%H:%M:%S");
    let ticks = (dt.nanosecond() % 1_000_000_000) / 100;
    if ticks == 0 {
        return format!("{base}Z");
    }
    let frac = format!("{ticks:07}");
    format!("{base}.{}Z", frac.trim_end_matches('0'))
}

fn ts(dt: DateTime<Utc>) -> Value {
    Value::String(format_timestamp(dt))
}

fn opt_ts(dt: Option<DateTime<Utc>>) -> Value {
    dt.map_or(Value::Null, ts)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ApiVersion {
    V1,
    Beta,
}

impl ApiVersion {
    pub(crate) fn segment(self) -> &'static str {
        match self {
            ApiVersion::V1 => "v1.0",
            ApiVersion::Beta => "beta",
        }
    }
}

/// Which navigation properties to inline.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Expand {
    pub(crate) access_package: bool,
    pub(crate) requestor: bool,
    pub(crate) requestor_connected_org: bool,
    pub(crate) assignment: bool,
    pub(crate) catalog: bool,
    /// A package's `resourceRoleScopes` (beta `accessPackageResourceRoleScopes`), with which
    /// nested navigations.
    pub(crate) role_scopes: Option<super::delivery::RoleScopeExpand>,
}

#[derive(Debug, Clone)]
pub(crate) struct RenderOptions {
    pub(crate) version: ApiVersion,
    pub(crate) expand: Expand,
    /// Top-level properties to keep (`id` always stays); `None` = all.
    pub(crate) select: Option<Vec<String>>,
    pub(crate) include_unknown_enum_members: bool,
}

/// Structural properties a client may `$select` on a request.
pub(crate) fn request_properties(version: ApiVersion) -> &'static [&'static str] {
    match version {
        ApiVersion::V1 => &[
            "id",
            "requestType",
            "state",
            "status",
            "createdDateTime",
            "completedDateTime",
            "justification",
            "schedule",
            "answers",
            "customExtensionCalloutInstances",
        ],
        ApiVersion::Beta => &[
            "id",
            "requestType",
            "requestState",
            "requestStatus",
            "createdDateTime",
            "completedDate",
            "expirationDateTime",
            "isValidationOnly",
            "justification",
            "schedule",
            "answers",
            "customExtensionCalloutInstances",
            "customExtensionHandlerInstances",
            "verifiedCredentialsData",
            "history",
        ],
    }
}

pub(crate) fn package_properties(version: ApiVersion) -> &'static [&'static str] {
    match version {
        ApiVersion::V1 => &[
            "id",
            "displayName",
            "description",
            "isHidden",
            "createdDateTime",
            "modifiedDateTime",
        ],
        ApiVersion::Beta => &[
            "id",
            "displayName",
            "description",
            "isHidden",
            "isRoleScopesVisible",
            "catalogId",
            "uniqueName",
            "createdBy",
            "createdDateTime",
            "modifiedBy",
            "modifiedDateTime",
        ],
    }
}

fn apply_select(
    mut obj: Map<String, Value>,
    select: &Option<Vec<String>>,
    navs: &[&str],
) -> Map<String, Value> {
    if let Some(keep) = select {
        obj.retain(|k, _| k == "id" || navs.contains(&k.as_str()) || keep.iter().any(|s| s == k));
    }
    obj
}

pub(crate) fn render_request(
    store: &Store,
    r: &StoredRequest,
    opts: &RenderOptions,
) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("id".into(), json!(r.id));
    let schedule = json!({
        "startDateTime": ts(r.schedule_start),
        "recurrence": null,
        "expiration": {
            "endDateTime": opt_ts(r.expiration),
            "duration": null,
            "type": if r.expiration.is_some() { "afterDateTime" } else { "notSpecified" }
        }
    });
    match opts.version {
        ApiVersion::V1 => {
            o.insert(
                "requestType".into(),
                json!(r.request_type.v1(opts.include_unknown_enum_members)),
            );
            o.insert("state".into(), json!(r.state.v1()));
            o.insert("status".into(), json!(r.state.status_text()));
            o.insert("createdDateTime".into(), ts(r.created));
            o.insert("completedDateTime".into(), opt_ts(r.completed));
            o.insert("justification".into(), json!(r.justification));
            o.insert("schedule".into(), schedule);
            o.insert("answers".into(), json!([]));
            o.insert("customExtensionCalloutInstances".into(), json!([]));
        }
        ApiVersion::Beta => {
            let (state, status) = if r.beta_lowercase {
                (
                    r.state.beta().to_lowercase(),
                    r.state.status_text().to_string(),
                )
            } else {
                (
                    r.state.beta().to_string(),
                    r.state.status_text().to_string(),
                )
            };
            o.insert("requestType".into(), json!(r.request_type.beta()));
            o.insert("requestState".into(), json!(state));
            o.insert("requestStatus".into(), json!(status));
            o.insert("createdDateTime".into(), ts(r.created));
            o.insert("completedDate".into(), opt_ts(r.completed));
            o.insert("expirationDateTime".into(), opt_ts(r.expiration));
            o.insert("isValidationOnly".into(), json!(false));
            o.insert("justification".into(), json!(r.justification));
            o.insert("schedule".into(), schedule);
            o.insert("answers".into(), json!([]));
            o.insert("customExtensionCalloutInstances".into(), json!([]));
            o.insert("customExtensionHandlerInstances".into(), json!([]));
            o.insert("verifiedCredentialsData".into(), json!([]));
        }
    }
    let assignment_nav = match opts.version {
        ApiVersion::V1 => "assignment",
        ApiVersion::Beta => "accessPackageAssignment",
    };
    let mut o = apply_select(o, &opts.select, &[]);
    let pkg_opts = RenderOptions {
        expand: Expand::default(),
        select: None,
        ..opts.clone()
    };
    if opts.expand.access_package
        && let Some(p) = store.packages.get(r.package_idx)
    {
        o.insert(
            "accessPackage".into(),
            Value::Object(render_package(store, p, &pkg_opts)),
        );
    }
    if opts.expand.requestor
        && let Some(s) = store.subjects.get(r.subject_idx)
    {
        o.insert(
            "requestor".into(),
            Value::Object(render_subject(
                s,
                opts.version,
                opts.expand.requestor_connected_org,
            )),
        );
    }
    if opts.expand.assignment {
        o.insert(
            assignment_nav.into(),
            render_assignment(store, r, opts.version),
        );
    }
    o
}

fn render_assignment(store: &Store, r: &StoredRequest, version: ApiVersion) -> Value {
    let expiration_type = if r.expiration.is_some() {
        "afterDateTime"
    } else {
        "notSpecified"
    };
    let state = match r.state {
        RequestState::Delivered => "delivered",
        RequestState::DeliveryFailed => "deliveryFailed",
        RequestState::PartiallyDelivered => "partiallyDelivered",
        _ => "delivering",
    };
    match version {
        ApiVersion::V1 => json!({
            "id": r.assignment_id,
            "state": state,
            "status": r.state.status_text(),
            "expiredDateTime": null,
            "schedule": {"startDateTime": ts(r.schedule_start), "expiration": {"endDateTime": opt_ts(r.expiration), "type": expiration_type}}
        }),
        ApiVersion::Beta => {
            let pkg = store.packages.get(r.package_idx);
            json!({
                "id": r.assignment_id,
                "accessPackageId": pkg.map(|p| p.id.clone()),
                "assignmentState": RequestState::beta(r.state),
                "assignmentStatus": r.state.status_text(),
                "expiredDateTime": null,
                "isExtended": false
            })
        }
    }
}

fn render_subject(s: &Subject, version: ApiVersion, with_org: bool) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("id".into(), json!(s.id));
    o.insert("objectId".into(), json!(s.object_id));
    o.insert("displayName".into(), json!(s.display_name));
    o.insert("email".into(), json!(s.email));
    o.insert("principalName".into(), json!(s.principal_name));
    o.insert("onPremisesSecurityIdentifier".into(), Value::Null);
    let lifecycle = if s.connected_organization.is_some() {
        "notGoverned"
    } else {
        "governed"
    };
    if s.agent {
        // An agent identity has no user principal name or mailbox.
        o.insert("email".into(), Value::Null);
        o.insert("principalName".into(), Value::Null);
    }
    match version {
        ApiVersion::V1 => {
            // v1.0's accessPackageSubjectType has user and servicePrincipal; an agent identity
            // is a service principal.
            let kind = if s.agent { "servicePrincipal" } else { "user" };
            o.insert("subjectType".into(), json!(kind));
            o.insert("subjectLifecycle".into(), json!(lifecycle));
        }
        ApiVersion::Beta => {
            o.insert(
                "type".into(),
                json!(if s.agent { "ServicePrincipal" } else { "User" }),
            );
            o.insert("altSecId".into(), Value::Null);
            o.insert("cleanupScheduledDateTime".into(), Value::Null);
            o.insert(
                "connectedOrganizationId".into(),
                json!(s.connected_organization.as_ref().map(|(id, _)| id.clone())),
            );
            o.insert("subjectLifecycle".into(), json!(lifecycle));
        }
    }
    if with_org {
        o.insert(
            "connectedOrganization".into(),
            s.connected_organization.as_ref().map_or(
                Value::Null,
                |(id, name)| json!({"id": id, "displayName": name}),
            ),
        );
    }
    o
}

pub(crate) fn render_package(
    store: &Store,
    p: &Package,
    opts: &RenderOptions,
) -> Map<String, Value> {
    let catalog = store.catalogs.get(p.catalog_idx);
    let mut o = Map::new();
    o.insert("id".into(), json!(p.id));
    o.insert("displayName".into(), json!(p.display_name));
    o.insert("description".into(), json!(p.description));
    o.insert("isHidden".into(), json!(p.is_hidden));
    if opts.version == ApiVersion::Beta {
        o.insert("isRoleScopesVisible".into(), json!(false));
        o.insert("catalogId".into(), json!(catalog.map(|c| c.id.clone())));
        o.insert("uniqueName".into(), Value::Null);
        o.insert("createdBy".into(), json!("admin@ep-demo.onmicrosoft.com"));
        o.insert("modifiedBy".into(), json!("admin@ep-demo.onmicrosoft.com"));
    }
    o.insert("createdDateTime".into(), ts(p.created));
    o.insert("modifiedDateTime".into(), ts(p.modified));
    let mut o = apply_select(o, &opts.select, &[]);
    if opts.expand.catalog
        && let Some(c) = catalog
    {
        let nav = match opts.version {
            ApiVersion::V1 => "catalog",
            ApiVersion::Beta => "accessPackageCatalog",
        };
        let state_key = match opts.version {
            ApiVersion::V1 => "state",
            ApiVersion::Beta => "catalogStatus",
        };
        let state_value = match opts.version {
            ApiVersion::V1 => "published",
            ApiVersion::Beta => "Published",
        };
        o.insert(
            nav.into(),
            json!({
                "id": c.id,
                "displayName": c.display_name,
                "description": c.description,
                "catalogType": if opts.version == ApiVersion::V1 { "userManaged" } else { "UserManaged" },
                state_key: state_value,
                "isExternallyVisible": c.display_name == "Partners",
                "createdDateTime": ts(c.created),
                "modifiedDateTime": ts(c.created),
            }),
        );
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration as ChronoDuration, TimeZone};

    #[test]
    fn timestamps_trim_trailing_zeros() {
        let base = Utc
            .with_ymd_and_hms(2026, 11, 20, 10, 15, 0)
            .single()
            .unwrap();
        assert_eq!(format_timestamp(base), "2026-11-20T10:15:00Z");
        let t = base + ChronoDuration::milliseconds(100);
        assert_eq!(format_timestamp(t), "2026-11-20T10:15:00.1Z");
        let t = base + ChronoDuration::nanoseconds(123_456_789);
        assert_eq!(format_timestamp(t), "2026-11-20T10:15:00.1234567Z");
        assert_eq!(
            format_timestamp(truncate_to_digits(t, 3)),
            "2026-11-20T10:15:00.123Z"
        );
        assert_eq!(
            format_timestamp(truncate_to_digits(t, 0)),
            "2026-11-20T10:15:00Z"
        );
    }

    #[test]
    fn an_insert_moves_every_index_after_it() {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 20, 10, 15, 0)
            .single()
            .unwrap();
        let mut store = crate::seed::build(3, 40, 4, 0, now);
        let eligible =
            |r: &StoredRequest| r.state == RequestState::DeliveryFailed && r.completed.is_some();
        let idx = store.requests.iter().rposition(eligible).unwrap();
        let plan = PendingReprocess {
            visible_at: None,
            settles_at: now + ChronoDuration::hours(1),
            refail: true,
        };
        store.begin_reprocess(idx, now, plan);
        let ids: Vec<String> = store.requests.iter().map(|r| r.id.clone()).collect();
        let generation = store.churn().generation;
        let mut new = store.requests[0].clone();
        new.id = "0e5a1c2b-0000-4000-8000-000000000001".into();
        new.pending = None;
        store.insert_request(idx, new);
        assert_eq!(store.churn().inserts, &[idx]);
        assert!(store.churn().generation > generation);
        assert_eq!(
            store.find_request("0E5A1C2B-0000-4000-8000-000000000001"),
            Some(idx)
        );
        for (i, id) in ids.iter().enumerate() {
            let moved = if i >= idx { i + 1 } else { i };
            assert_eq!(store.find_request(id), Some(moved), "{id}");
        }
        // The pending reprocess moved too, and still settles.
        assert_eq!(store.in_flight, vec![idx + 1]);
        store.settle_all(now + ChronoDuration::hours(2));
        assert!(store.requests[idx + 1].pending.is_none());
        assert!(store.in_flight.is_empty());
    }

    #[test]
    fn approver_remove_is_hidden_without_prefer() {
        assert_eq!(RequestType::ApproverRemove.v1(false), "unknownFutureValue");
        assert_eq!(RequestType::ApproverRemove.v1(true), "approverRemove");
        assert_eq!(RequestType::UserAdd.beta(), "UserAdd");
    }
}
