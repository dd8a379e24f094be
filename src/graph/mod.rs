//! The Microsoft Graph client: origin-pinned bearer tokens, one request pipeline (bounded
//! concurrency, an adaptive pacer, one retry policy, optional `$batch`), paging, and the
//! entitlement-management calls ep makes.

mod batch;
mod delivery;
mod directory;
mod error;
#[cfg(test)]
mod fuzz;
mod model;
mod pacer;
mod paging;
mod query;
mod retry;
mod throttle_scope;

pub use batch::MAX_BATCH;
pub use delivery::{
    AssignmentResourceRole, AuditEvent, AuditTarget, CatalogResource, PackageDelivery,
    RequestDetail, ResourceRole, ResourceScope, RoleScope, audit_activities,
};
pub use directory::{
    Application, MICROSOFT_GRAPH_APP_ID, PermissionGrant, PermissionScope, ServicePrincipal,
    is_replication_lag,
};
pub use error::{GraphError, decode_error};
pub use model::{
    AccessPackage, Assignment, AssignmentRequest, CallbackWait, CalloutInstance, CatalogRef,
    PackageRef, RequestState, Requestor, ResumeStage, format_timestamp, parse_timestamp,
};
pub use pacer::{Departure, Pacer, Phase};
pub use paging::server_guid;

/// Graph returns enum members added after `unknownFutureValue` (a request type such as
/// `approverRemove`) only to callers that ask; without it they read as `unknownFutureValue`.
/// ep shows any member as it comes, so it asks.
pub(crate) const PREFER: &str = "include-unknown-enum-members";

/// Listings after the first that [`GraphClient::list_requests_settled`] makes at most.
pub const SETTLE_PASSES: usize = 6;
pub use query::{RequestFilter, odata_string};
pub use retry::{RetryPolicy, Tries};
pub use throttle_scope::{AUDIT_LOG_LIMIT, ThrottleScope, throttle_scope};

use crate::auth::{AuthError, TokenCache};
use crate::diag;
use crate::http::{BodyError, describe_transport_error};
use batch::Batcher;
use model::{WirePackage, WireRequest};
use reqwest::Method;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use url::Url;

/// `--api-version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    V1,
    Beta,
}

impl ApiVersion {
    pub fn segment(self) -> &'static str {
        match self {
            ApiVersion::V1 => "v1.0",
            ApiVersion::Beta => "beta",
        }
    }
}

const EM: &str = "/identityGovernance/entitlementManagement";

/// Everything the client needs, validated by `config`.
pub struct GraphClientConfig {
    /// Graph root, e.g. `https://graph.microsoft.com` (a path prefix is allowed for
    /// Graph-compatible servers).
    pub root: Url,
    pub version: ApiVersion,
    /// beta only: use the deprecated `accessPackageAssignmentRequests` collection.
    pub legacy_beta_collection: bool,
    pub retry: RetryPolicy,
    /// HTTP calls in flight at once (a `$batch` counts once).
    pub concurrency: usize,
    /// Send single-entity calls (state checks, reprocess) in `$batch` requests.
    pub batch: bool,
    /// What the journal calls this Graph ([`GraphClient::graph_host`]): the root's origin when
    /// `None`. A demo session names itself, since its emulator's port changes from run to run.
    pub name: Option<String>,
}

pub struct GraphClient {
    http: reqwest::Client,
    root: Url,
    name: Option<String>,
    version: ApiVersion,
    legacy_beta_collection: bool,
    tokens: TokenCache,
    retry: RetryPolicy,
    slots: Arc<Semaphore>,
    concurrency: usize,
    pacers: Pacers,
    batcher: Option<Batcher>,
    /// Graph's `Retry-After` applies to the caller, not to the one request: every call waits until
    /// this instant before sending.
    pause_until: Mutex<Option<Instant>>,
    /// Collection pages that came with an `@odata.nextLink`: a listing that adds none was
    /// answered whole, one response per query.
    continued: AtomicU64,
}

/// A successful response.
pub struct GraphResponse {
    pub status: u16,
    pub body: bytes::Bytes,
    /// For a `$batch`: when it left, so the batcher can tell the pacer what became of each
    /// sub-request once it has read them.
    departure: Option<Departure>,
}

/// One pacer per throttling scope (see `throttle_scope`): the audit log's documented limit is
/// kept as documented, everything else is learned.
struct Pacers {
    graph: Pacer,
    audit: Pacer,
}

impl Default for Pacers {
    fn default() -> Self {
        Pacers {
            graph: Pacer::new(),
            audit: Pacer::documented(AUDIT_LOG_LIMIT.requests, AUDIT_LOG_LIMIT.per),
        }
    }
}

/// One HTTP request on its way out.
pub(crate) struct Outgoing {
    method: Method,
    url: Url,
    /// `Bytes`, so keeping a copy for a retry after a 401 costs a reference count, not a copy.
    json_body: Option<bytes::Bytes>,
    /// How many Graph requests it counts as (sub-requests of a `$batch`).
    weight: u32,
    /// An HTTP slot already held (the batcher takes one before filling a batch).
    permit: Option<OwnedSemaphorePermit>,
    /// The pacer's leave already given (the batcher sizes a batch by it).
    paced: Option<(Departure, pacer::InFlight)>,
    /// A `$batch`: its sub-requests' fates are read, and told to the pacer, by the batcher.
    batch: bool,
}

impl Outgoing {
    fn new(method: Method, url: Url) -> Self {
        Outgoing {
            method,
            url,
            json_body: None,
            weight: 1,
            permit: None,
            paced: None,
            batch: false,
        }
    }
}

/// One page of a collection.
struct Page<T> {
    values: Vec<T>,
    next: Option<Url>,
}

/// A page as Graph sends it, parsed straight into typed items: a 999-item page never exists
/// as a generic JSON tree, which keeps a 100k-request listing in a few MiB.
#[derive(serde::Deserialize)]
struct WirePage<T> {
    value: Option<Vec<T>>,
    #[serde(rename = "@odata.nextLink")]
    next_link: Option<String>,
}

impl GraphClient {
    /// Must be called inside the tokio runtime (the batcher is a task).
    pub fn new(config: GraphClientConfig, tokens: TokenCache) -> anyhow::Result<Arc<Self>> {
        let http = crate::http::client()?;
        let concurrency = config.concurrency.max(1);
        let client = Arc::new_cyclic(|weak| GraphClient {
            http,
            root: config.root,
            name: config.name,
            version: config.version,
            legacy_beta_collection: config.legacy_beta_collection,
            tokens,
            retry: config.retry,
            slots: Arc::new(Semaphore::new(concurrency)),
            concurrency,
            pacers: Pacers::default(),
            continued: AtomicU64::new(0),
            batcher: config.batch.then(|| Batcher::spawn(weak.clone())),
            pause_until: Mutex::new(None),
        });
        Ok(client)
    }

    /// How many single-entity calls are worth having in flight to keep every slot busy.
    pub fn parallelism(&self) -> usize {
        match self.batcher {
            Some(_) => self.concurrency * MAX_BATCH,
            None => self.concurrency,
        }
    }

    /// How many collection pages so far came with an `@odata.nextLink`: unchanged across a
    /// listing, every query of it was answered in one response.
    pub fn pages_continued(&self) -> u64 {
        self.continued.load(Ordering::SeqCst)
    }

    /// Whether Graph has throttled this run (its calls are paced): what is left to send then
    /// takes as long as the learned rate says, not one more round trip.
    pub fn paced(&self) -> bool {
        self.pacers.graph.phase() != pacer::Phase::StartUp
    }

    /// Graph requests that have left and are not answered yet (a `$batch` counts its calls).
    pub fn requests_in_flight(&self) -> usize {
        self.pacers.graph.in_flight() as usize
    }

    /// `--api-version`: beta-only sources are read only with beta.
    pub fn api_version(&self) -> ApiVersion {
        self.version
    }

    /// The Graph this client talks to, as the journal records it: the root's origin, or the
    /// name it was given (see [`GraphClientConfig::name`]).
    pub fn graph_host(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.origin())
    }

    fn origin(&self) -> String {
        self.root.origin().ascii_serialization()
    }

    /// `{root}/{version}{path}`; `path` starts with `/` and is already escaped.
    fn url(&self, path: &str) -> Url {
        self.url_for(self.version, path)
    }

    /// Like [`Self::url`], for a path that exists in one version only.
    fn url_for(&self, version: ApiVersion, path: &str) -> Url {
        let mut s = self.root.as_str().trim_end_matches('/').to_string();
        s.push('/');
        s.push_str(version.segment());
        s.push_str(path);
        // Built from a validated root and escaped segments, so it parses.
        Url::parse(&s).unwrap_or_else(|_| self.root.clone())
    }

    fn requests_collection(&self) -> &'static str {
        match (self.version, self.legacy_beta_collection) {
            (ApiVersion::Beta, true) => "/accessPackageAssignmentRequests",
            _ => "/assignmentRequests",
        }
    }

    /// The assignment too: its state, status and callouts say how a delivery went, in the
    /// same call.
    fn expand_requests(&self) -> &'static str {
        match self.version {
            ApiVersion::V1 => "accessPackage,requestor,assignment",
            ApiVersion::Beta => "accessPackage,requestor,accessPackageAssignment",
        }
    }

    /// Only the properties ep shows: less to send and parse at tenant scale.
    fn select_requests(&self) -> &'static str {
        match self.version {
            ApiVersion::V1 => {
                "id,state,status,requestType,createdDateTime,completedDateTime,customExtensionCalloutInstances"
            }
            ApiVersion::Beta => {
                "id,requestState,requestStatus,requestType,createdDateTime,completedDate,customExtensionCalloutInstances"
            }
        }
    }

    /// What eligibility needs, and nothing else: the recheck's listing.
    fn select_lean(&self) -> &'static str {
        match self.version {
            ApiVersion::V1 => "id,state,completedDateTime",
            ApiVersion::Beta => "id,requestState,completedDate",
        }
    }

    fn catalog_expand(&self) -> &'static str {
        match self.version {
            ApiVersion::V1 => "catalog",
            ApiVersion::Beta => "accessPackageCatalog",
        }
    }

    // ---- entitlement management calls ----------------------------------------------------------

    /// One request's path, with what every request read expands, and `more`.
    fn request_path(&self, id: &str, more: Option<&str>) -> String {
        let more = more.map(|m| format!(",{m}")).unwrap_or_default();
        format!(
            "{EM}{}/{}?$expand={}{more}",
            self.requests_collection(),
            query::segment(id),
            self.expand_requests()
        )
    }

    pub async fn get_request(&self, id: &str) -> Result<AssignmentRequest, GraphError> {
        let path = self.request_path(id, None);
        let response = self
            .execute(Method::GET, Target::Relative(path.clone()), true)
            .await?;
        let wire: WireRequest = parse_json(&path, &response.body)?;
        Ok(wire.into())
    }

    pub async fn get_package(&self, id: &str) -> Result<AccessPackage, GraphError> {
        let mut url = self.url(&format!("{EM}/accessPackages/{}", query::segment(id)));
        query::set_query(&mut url, &[("$expand", self.catalog_expand())]);
        let response = self
            .execute(Method::GET, Target::Absolute(url.clone()), true)
            .await?;
        let wire: WirePackage = parse_json(url.as_str(), &response.body)?;
        Ok(wire.into())
    }

    /// Access packages matching an optional server `$filter`, every page.
    pub async fn list_packages(
        &self,
        filter: Option<&str>,
    ) -> Result<Vec<AccessPackage>, GraphError> {
        let mut url = self.url(&format!("{EM}/accessPackages"));
        let mut pairs = vec![("$expand", self.catalog_expand())];
        if let Some(f) = filter {
            pairs.push(("$filter", f));
        }
        query::set_query(&mut url, &pairs);
        let mut packages: Vec<AccessPackage> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut guard = paging::PageGuard::default();
        let mut next = Some(url);
        while let Some(url) = next {
            let page = self.get_page::<WirePackage>(url).await?;
            guard.check(page.values.len(), page.next.as_ref())?;
            packages.extend(
                page.values
                    .into_iter()
                    .map(AccessPackage::from)
                    .filter(|p| seen.insert(p.id.to_ascii_lowercase())),
            );
            next = page.next;
        }
        Ok(packages)
    }

    /// Stream assignment requests page by page into `on_page`, filtered on the server where Graph
    /// documents it and always re-checked on the client (a server may ignore or weaken a filter).
    ///
    /// Only single `state eq` and `accessPackage/id eq` clauses are documented, so several states
    /// are listed as one query each, concurrently; a 400 on a first page falls back to the next
    /// plan (see [`RequestFilter::server_filters`]). A caller whose roles cover only some
    /// catalogs must filter by package: when the tenant-wide list is refused (403, or 400 — which
    /// one is undocumented), each visible package is listed on its own.
    pub async fn list_requests(
        &self,
        filter: &RequestFilter,
        mut on_page: impl FnMut(Vec<AssignmentRequest>) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        self.list_requests_async(filter, |page| {
            Box::pin(std::future::ready(on_page(page).map(|()| PageFlow::More)))
        })
        .await
    }

    /// [`Self::list_requests`], then the same scope listed again (only ids, states and
    /// completion times) until two passes agree, handing `on_page` whatever a pass shows that
    /// the first did not, looked up in full.
    ///
    /// No listing of a live tenant is a snapshot: a server whose `$skiptoken` is an offset into
    /// the live result skips a request for every earlier one that leaves the result while it
    /// pages. Meant for the failed states, which are few: a recheck of them costs little.
    pub async fn list_requests_settled(
        &self,
        filter: &RequestFilter,
        mut on_page: impl FnMut(Vec<AssignmentRequest>) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut seen: HashSet<u128> = HashSet::new();
        self.list_requests(filter, |page| {
            seen.extend(page.iter().filter_map(|r| paging::server_guid(&r.id)));
            on_page(page)
        })
        .await?;
        let lean = RequestFilter {
            lean: true,
            ..filter.clone()
        };
        let mut previous = seen.clone();
        for pass in 1..=SETTLE_PASSES {
            let mut listed: HashMap<u128, String> = HashMap::new();
            self.list_requests(&lean, |page| {
                listed.extend(
                    page.into_iter()
                        .filter_map(|r| paging::server_guid(&r.id).map(|g| (g, r.id))),
                );
                Ok(())
            })
            .await?;
            let new: Vec<String> = listed
                .iter()
                .filter(|(g, _)| !seen.contains(*g))
                .map(|(_, id)| id.clone())
                .collect();
            let current: HashSet<u128> = listed.keys().copied().collect();
            if new.is_empty() && current == previous {
                return Ok(());
            }
            diag::trace(
                1,
                format!(
                    "listing recheck {pass}: {} request(s) not listed before",
                    new.len()
                ),
            );
            for id in new {
                match self.get_request(&id).await {
                    Ok(r) if filter.matches(&r) => {
                        seen.extend(paging::server_guid(&r.id));
                        on_page(vec![r])?;
                    }
                    // Gone or changed since: it is not in the listing's scope any more.
                    Ok(_) => {}
                    Err(e) if e.status() == Some(404) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            previous = current;
        }
        diag::warn(format!(
            "the listing was still changing after {SETTLE_PASSES} rechecks: run it again to be \
             sure nothing was missed"
        ));
        Ok(())
    }

    /// [`Self::list_requests`] for a consumer that may wait before taking the next page (a
    /// pipeline whose sending side is full): the listing waits with it, so memory stays bounded
    /// however far the listing could run ahead.
    pub async fn list_requests_async(
        &self,
        filter: &RequestFilter,
        mut on_page: impl FnMut(Vec<AssignmentRequest>) -> PageDone,
    ) -> anyhow::Result<()> {
        let mut check = paging::ListingCheck::default();
        let listed = {
            let mut admitted = |page: Vec<AssignmentRequest>| on_page(check.admit(page));
            self.list_requests_tenant_or_packages(filter, &mut admitted)
                .await
        };
        if check.duplicates > 0 {
            diag::note(format!(
                "the server listed {} request(s) more than once; each is shown and sent once",
                check.duplicates
            ));
        }
        if check.invalid > 0 {
            diag::warn(format!(
                "left out {} request(s) whose id from the server is not a GUID (e.g. '{}'); \
                 ep never sends such an id",
                check.invalid,
                check.first_invalid.as_deref().unwrap_or_default()
            ));
        }
        listed
    }

    async fn list_requests_tenant_or_packages(
        &self,
        filter: &RequestFilter,
        on_page: &mut dyn FnMut(Vec<AssignmentRequest>) -> PageDone,
    ) -> anyhow::Result<()> {
        // Only a refusal before any page came is the catalog-scoped caller's: a later page
        // refused is an error like any other, and what was listed stays listed.
        let mut delivered = false;
        let listed = {
            let mut tracked = |page: Vec<AssignmentRequest>| {
                delivered = true;
                on_page(page)
            };
            self.list_requests_once(filter, &mut tracked).await
        };
        match listed {
            Err(e) if !delivered && filter.package_id.is_none() && is_refused(&e) => {
                diag::note(format!(
                    "the tenant-wide request list was refused for this identity ({}); \
                     listing each visible access package instead",
                    refusal_status(&e).unwrap_or_default()
                ));
                // Graph documents the package filter alone for these callers: one query per
                // package, several at a time under the same slots and pacer.
                let starts = self
                    .list_packages(None)
                    .await?
                    .into_iter()
                    .map(|package| {
                        let scoped = RequestFilter {
                            package_id: Some(package.id),
                            states: filter.states.clone(),
                            lean: filter.lean,
                        };
                        let plan = scoped.server_filters(self.version);
                        let clause = plan.first().and_then(|q| q.first()).cloned().flatten();
                        self.requests_list_url(clause.as_deref(), filter.lean)
                    })
                    .collect();
                self.drain_each(starts, filter, on_page).await
            }
            other => other,
        }
    }

    async fn list_requests_once(
        &self,
        filter: &RequestFilter,
        on_page: &mut dyn FnMut(Vec<AssignmentRequest>) -> PageDone,
    ) -> anyhow::Result<()> {
        let plans = filter.server_filters(self.version);
        for (i, plan) in plans.iter().enumerate() {
            let last_plan = i + 1 == plans.len();
            // Many queries (every state): the first alone tells whether the server takes the
            // filter, and the rest start as streams free up, so no more than a few pages are
            // held at once.
            let (probe, later) = if plan.len() > STREAMS_AT_ONCE {
                plan.split_at(1)
            } else {
                (plan.as_slice(), &[][..])
            };
            let firsts = futures_util::future::join_all(probe.iter().map(|server_filter| {
                let url = self.requests_list_url(server_filter.as_deref(), filter.lean);
                self.get_page::<WireRequest>(url)
            }))
            .await;
            let mut first_pages = Vec::with_capacity(firsts.len());
            let mut rejected = None;
            for first in firsts {
                match first {
                    Ok(page) => first_pages.push(page),
                    Err(e) if !last_plan && e.status() == Some(400) => rejected = Some(e),
                    Err(e) => return Err(e.into()),
                }
            }
            if let Some(e) = rejected {
                diag::trace(
                    1,
                    format!("server rejected the filter, trying a simpler one: {e}"),
                );
                continue;
            }
            diag::trace(1, format!("listing requests with $filter {plan:?}"));
            let later = later
                .iter()
                .map(|f| self.requests_list_url(f.as_deref(), filter.lean))
                .collect();
            return self.drain(first_pages, later, filter, on_page).await;
        }
        Ok(())
    }

    /// Follow every query's nextLinks concurrently, those with a first page already and then
    /// those from `later` start URLs, at most [`STREAMS_AT_ONCE`] at a time (or as many as
    /// have a first page); pages reach `on_page` as they arrive.
    async fn drain(
        &self,
        firsts: Vec<Page<WireRequest>>,
        later: Vec<Url>,
        filter: &RequestFilter,
        on_page: &mut dyn FnMut(Vec<AssignmentRequest>) -> PageDone,
    ) -> anyhow::Result<()> {
        use futures_util::{StreamExt, TryStreamExt};
        let at_once = STREAMS_AT_ONCE.max(firsts.len());
        let produce = |tx: PageSender| {
            let starts = firsts.into_iter().map(Ok).chain(later.into_iter().map(Err));
            futures_util::stream::iter(starts)
                .map(move |start| {
                    let tx = tx.clone();
                    async move {
                        let first = match start {
                            Ok(page) => page,
                            // The consumer has had enough: no query is started any more.
                            Err(_) if tx.is_closed() => return Ok(()),
                            Err(url) => self.get_page::<WireRequest>(url).await?,
                        };
                        self.follow(first, filter, tx).await
                    }
                })
                .buffer_unordered(at_once)
                .try_for_each(|()| async { Ok(()) })
        };
        relay(produce, on_page).await
    }

    /// Like [`Self::drain`], from start URLs: at most `concurrency` streams are followed at once,
    /// so a catalog-scoped caller's thousands of packages never hold thousands of pages.
    async fn drain_each(
        &self,
        starts: Vec<Url>,
        filter: &RequestFilter,
        on_page: &mut dyn FnMut(Vec<AssignmentRequest>) -> PageDone,
    ) -> anyhow::Result<()> {
        use futures_util::{StreamExt, TryStreamExt};
        let produce = |tx: PageSender| {
            futures_util::stream::iter(starts)
                .map(move |url| {
                    let tx = tx.clone();
                    async move {
                        // The consumer has had enough: no package is started any more.
                        if tx.is_closed() {
                            return Ok(());
                        }
                        let first = self.get_page::<WireRequest>(url).await?;
                        self.follow(first, filter, tx).await
                    }
                })
                .buffer_unordered(self.concurrency)
                .try_for_each(|()| async { Ok(()) })
        };
        relay(produce, on_page).await
    }

    async fn follow(
        &self,
        first: Page<WireRequest>,
        filter: &RequestFilter,
        tx: PageSender,
    ) -> Result<(), GraphError> {
        let mut guard = paging::PageGuard::default();
        let mut page = Some(first);
        while let Some(current) = page {
            guard.check(current.values.len(), current.next.as_ref())?;
            let batch: Vec<AssignmentRequest> = current
                .values
                .into_iter()
                .map(AssignmentRequest::from)
                .filter(|r| filter.matches(r))
                .collect();
            if tx.send(batch).await.is_err() {
                return Ok(());
            }
            page = match current.next {
                Some(_) if tx.is_closed() => None,
                Some(url) => Some(self.get_page(url).await?),
                None => None,
            };
        }
        Ok(())
    }

    fn requests_list_url(&self, server_filter: Option<&str>, lean: bool) -> Url {
        let mut url = self.url(&format!("{EM}{}", self.requests_collection()));
        let mut pairs = if lean {
            vec![("$select", self.select_lean())]
        } else {
            vec![
                ("$select", self.select_requests()),
                ("$expand", self.expand_requests()),
            ]
        };
        if let Some(f) = server_filter {
            pairs.push(("$filter", f));
        }
        query::set_query(&mut url, &pairs);
        url
    }

    /// `POST .../{id}/reprocess` once, no retries: the caller owns the retry decision because
    /// the action is not idempotent.
    pub async fn reprocess_once(&self, id: &str) -> Result<GraphResponse, GraphError> {
        let path = format!(
            "{EM}{}/{}/reprocess",
            self.requests_collection(),
            query::segment(id)
        );
        self.call(Method::POST, path).await
    }

    /// `POST .../{id}/resume` with its JSON body, once: like reprocess, the caller decides
    /// about retries. Sent directly, never batched: resumes are few, and a body-carrying
    /// sub-request gains nothing from a batch.
    pub async fn resume_once(
        &self,
        id: &str,
        body: &serde_json::Value,
    ) -> Result<GraphResponse, GraphError> {
        let path = format!(
            "{EM}{}/{}/resume",
            self.requests_collection(),
            query::segment(id)
        );
        let mut out = Outgoing::new(Method::POST, self.url(&path));
        out.json_body = Some(bytes::Bytes::from(body.to_string()));
        self.send_with_auth_retry(out).await
    }

    // ---- `ep api` --------------------------------------------------------------------------------

    /// Where `ep api` sends `target`: a path below the configured Graph root (`/v1.0/…` or
    /// `/beta/…` chooses the version, anything else is below the configured one), or an absolute
    /// URL on the Graph host. Tokens go to no other host.
    pub fn api_url(&self, target: &str) -> Result<Url, GraphError> {
        if target.contains("://") {
            return self.checked_next_link(target);
        }
        let path = format!("/{}", target.trim_start_matches('/'));
        let versioned = ["/v1.0/", "/beta/"]
            .iter()
            .any(|v| path.starts_with(v) || path == v.trim_end_matches('/'));
        let url = if versioned {
            let root = self.root.as_str().trim_end_matches('/');
            Url::parse(&format!("{root}{path}")).ok()
        } else {
            Some(self.url(&path))
        };
        url.filter(|u| u.origin() == self.root.origin())
            .ok_or_else(|| GraphError::BadResponse {
                url: crate::sanitize::excerpt(target),
                detail: "not a Graph path".into(),
            })
    }

    /// One call of `ep api`, with ep's sign-in, pacing and retries. Only reads are retried after
    /// a failure that may have reached Graph: a write may have landed.
    pub async fn api(
        &self,
        method: Method,
        url: Url,
        body: Option<bytes::Bytes>,
    ) -> Result<GraphResponse, GraphError> {
        let idempotent = method == Method::GET;
        let mut tries = Tries::default();
        loop {
            let mut out = Outgoing::new(method.clone(), url.clone());
            out.json_body = body.clone();
            match self.send_with_auth_retry(out).await {
                Ok(response) => return Ok(response),
                Err(err) => {
                    self.wait_to_retry_on(err, &mut tries, idempotent, url.path())
                        .await?
                }
            }
        }
    }

    /// `ep api --paginate`: every page of the collection at `url`, each page's items handed to
    /// `on_items` as they come, following `@odata.nextLink` on the Graph host only.
    pub async fn api_pages(
        &self,
        url: Url,
        mut on_items: impl FnMut(Vec<Value>) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut guard = paging::PageGuard::default();
        let mut next = Some(url);
        while let Some(url) = next {
            let page = self.get_page::<Value>(url).await?;
            guard.check(page.values.len(), page.next.as_ref())?;
            on_items(page.values)?;
            next = page.next;
        }
        Ok(())
    }

    // ---- transport ----------------------------------------------------------------------------

    async fn get_page<T: serde::de::DeserializeOwned>(
        &self,
        url: Url,
    ) -> Result<Page<T>, GraphError> {
        let response = self
            .execute(Method::GET, Target::Absolute(url.clone()), true)
            .await?;
        let page: WirePage<T> = parse_json(url.as_str(), &response.body)?;
        drop(response);
        let Some(values) = page.value else {
            return Err(GraphError::BadResponse {
                url: redact_query(&url),
                detail: "expected a collection with a 'value' array".into(),
            });
        };
        let next = match page.next_link {
            Some(link) => Some(self.checked_next_link(&link)?),
            None => None,
        };
        if next.is_some() {
            self.continued.fetch_add(1, Ordering::SeqCst);
        }
        Ok(Page { values, next })
    }

    /// nextLinks are followed verbatim, but only on the Graph origin the token was issued for.
    fn checked_next_link(&self, link: &str) -> Result<Url, GraphError> {
        let url = Url::parse(link).map_err(|_| GraphError::BadResponse {
            url: link.to_string(),
            detail: "@odata.nextLink is not an absolute URL".into(),
        })?;
        if url.origin() != self.root.origin() {
            return Err(GraphError::ForeignHost {
                url: redact_query(&url),
                graph_host: self.origin(),
            });
        }
        Ok(url)
    }

    /// A call with the retry policy applied. `idempotent` calls are also retried after
    /// failures whose effect is unknown (5xx, resets).
    async fn execute(
        &self,
        method: Method,
        target: Target,
        idempotent: bool,
    ) -> Result<GraphResponse, GraphError> {
        let mut tries = Tries::default();
        loop {
            let result = match &target {
                Target::Relative(path) => self.call(method.clone(), path.clone()).await,
                Target::Absolute(url) => {
                    self.send_with_auth_retry(Outgoing::new(method.clone(), url.clone()))
                        .await
                }
            };
            match result {
                Ok(response) => return Ok(response),
                Err(err) => {
                    let url = match &target {
                        Target::Relative(path) => self.url(path),
                        Target::Absolute(url) => url.clone(),
                    };
                    self.wait_to_retry_on(err, &mut tries, idempotent, url.path())
                        .await?
                }
            }
        }
    }

    /// One single-entity call, in a `$batch` when batching is on. `path` is relative to the
    /// version root and already escaped.
    async fn call(&self, method: Method, path: String) -> Result<GraphResponse, GraphError> {
        match &self.batcher {
            Some(batcher) if !batcher.bypasses(&method) => batcher.call(method, path).await,
            _ => {
                let url = self.url(&path);
                self.send_with_auth_retry(Outgoing::new(method, url)).await
            }
        }
    }

    /// The one retry step of every Graph call: count `err` against the call's budget in `tries`,
    /// and wait. `Ok` means "try again"; `Err` is
    /// the error to report, the budget being spent or the failure not worth another attempt.
    pub async fn wait_to_retry(
        &self,
        err: GraphError,
        tries: &mut Tries,
        idempotent: bool,
    ) -> Result<(), GraphError> {
        let path = self.url(EM);
        self.wait_to_retry_on(err, tries, idempotent, path.path())
            .await
    }

    /// [`Self::wait_to_retry`] for a call to `path`: a 429 without `Retry-After` on a path whose
    /// pacer has learned Graph's rate waits a token of it, not the generic backoff. The audit
    /// log's pacer keeps a documented limit and has learned nothing, so its calls back off
    /// exponentially as Graph advises.
    async fn wait_to_retry_on(
        &self,
        err: GraphError,
        tries: &mut Tries,
        idempotent: bool,
        path: &str,
    ) -> Result<(), GraphError> {
        let token = match throttle_scope(path) {
            ThrottleScope::EntitlementManagement => self.pacers.graph.token_time(),
            ThrottleScope::AuditLog => None,
        };
        let Some(wait) = self.retry.retry_delay_paced(&err, tries, idempotent, token) else {
            return Err(self.retry.give_up(err, tries));
        };
        diag::trace(
            1,
            format!("retrying in {:.1}s after: {err}", wait.as_secs_f64()),
        );
        diag::waiting(format!(
            "{}; retrying in {} (retry {} of {}, waited {} so far)",
            waiting_cause(&err),
            seconds(wait),
            tries.retries,
            self.retry.max_retries,
            seconds(tries.waited),
        ));
        tokio::time::sleep(wait).await;
        Ok(())
    }

    /// A 503 answering a whole HTTP request (a direct call, or a `$batch` as a whole) says the
    /// service is unavailable: every call of this client waits out its `Retry-After`. Only
    /// here, where whole answers arrive: a 503 on one sub-request of a batch whose other
    /// sub-requests were served says nothing of the rest, so, like a 429 ("retry each failed
    /// request ... using the value provided in the retry-after response header"), only that
    /// request waits. Pausing everyone for each failed sub-request made a run with a few 503s
    /// in it a string of one-second stalls. A wait beyond `--max-wait` ends the call that got
    /// it, so it pauses nobody.
    fn pause_for(&self, status: u16, retry_after: Option<Duration>) {
        let Some(wait) = retry_after.filter(|w| status == 503 && *w <= self.retry.max_wait) else {
            return;
        };
        if self.retry.max_retries == 0 {
            return;
        }
        let Some(until) = Instant::now().checked_add(wait) else {
            return;
        };
        if let Ok(mut pause) = self.pause_until.lock() {
            if pause.is_none_or(|p| p < until) {
                *pause = Some(until);
            }
        }
    }

    async fn wait_for_pause(&self) {
        loop {
            let until = self.pause_until.lock().ok().and_then(|p| *p);
            match until {
                Some(until) if until > Instant::now() => {
                    tokio::time::sleep(until - Instant::now()).await;
                }
                _ => return,
            }
        }
    }

    async fn acquire_slot(&self) -> OwnedSemaphorePermit {
        #[allow(clippy::expect_used)]
        self.slots
            .clone()
            .acquire_owned()
            .await
            // Infallible: acquiring fails only on a closed semaphore, and this one is never closed.
            .expect("the HTTP slot semaphore is never closed")
    }

    /// The pacer of the throttling scope `url` belongs to.
    fn pacer_for(&self, url: &Url) -> &Pacer {
        match throttle_scope(url.path()) {
            ThrottleScope::AuditLog => &self.pacers.audit,
            ThrottleScope::EntitlementManagement => &self.pacers.graph,
        }
    }

    /// How many calls the next `$batch` may carry.
    fn batch_size(&self) -> usize {
        self.pacers.graph.batch_size(MAX_BATCH)
    }

    /// The pacer's leave for a `$batch` of `weight` calls.
    async fn pace_batch(&self, weight: u32) -> (Departure, pacer::InFlight) {
        self.pacers.graph.acquire(weight).await
    }

    fn refund_batch(
        &self,
        departure: &mut Departure,
        in_flight: &mut pacer::InFlight,
        weight: u32,
    ) {
        self.pacers.graph.refund(departure, in_flight, weight);
    }

    /// What Graph did with the sub-requests of a `$batch` that left at `departure`.
    fn record_batch(&self, departure: Departure, served: u32, throttled: u32, near_limit: bool) {
        self.pacers
            .graph
            .record(departure, served, throttled, near_limit);
    }

    /// Tell the pacer what became of one exchange. A `$batch`'s departure is handed back, so the
    /// batcher can count its sub-requests once it has read them; a 5xx says nothing of the bucket
    /// (recorded as answered, with nothing known).
    fn record_exchange(
        pacer: &Pacer,
        departure: Departure,
        batch: bool,
        status: u16,
        near_limit: bool,
    ) -> Option<Departure> {
        match status {
            429 => pacer.record(departure, 0, departure.weight(), near_limit),
            200..=299 if batch => return Some(departure),
            500.. => pacer.record(departure, 0, 0, near_limit),
            _ if batch => pacer.record(departure, 0, 0, near_limit),
            _ => pacer.record(departure, departure.weight(), 0, near_limit),
        }
        None
    }

    /// One send; a 401 from an expired token is answered by signing in again once.
    async fn send_with_auth_retry(&self, out: Outgoing) -> Result<GraphResponse, GraphError> {
        let again = Outgoing {
            method: out.method.clone(),
            url: out.url.clone(),
            json_body: out.json_body.clone(),
            weight: out.weight,
            permit: None,
            paced: None,
            batch: out.batch,
        };
        match self.send_once(out).await {
            Err(GraphError::Api { status: 401, .. }) if self.tokens.can_refresh() => {
                diag::trace(1, "token rejected (401); signing in again");
                self.send_once(again).await
            }
            other => other,
        }
    }

    async fn send_once(&self, out: Outgoing) -> Result<GraphResponse, GraphError> {
        let Outgoing {
            method,
            url,
            json_body,
            weight,
            permit,
            paced,
            batch,
        } = out;
        if url.origin() != self.root.origin() {
            return Err(GraphError::ForeignHost {
                url: redact_query(&url),
                graph_host: self.origin(),
            });
        }
        let pacer = self.pacer_for(&url);
        let (_permit, token, departure, in_flight) =
            self.admit(pacer, permit, paced, weight).await?;
        let started = Instant::now();
        let request = self.build_request(&method, &url, json_body, &token)?;
        crate::http::trace_wire(
            ">",
            request.headers(),
            request.body().and_then(|b| b.as_bytes()),
        );
        let transmitted = self.transmit(request, &url).await;
        drop(in_flight);
        let (status, headers, body) = match transmitted {
            Ok(answer) => answer,
            Err(e) => {
                // Nothing learned of Graph's bucket, but the exchange is over.
                pacer.record(departure, 0, 0, false);
                return Err(e);
            }
        };
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let request_id = header("request-id");
        let shown_id = request_id.as_deref().map(|r| format!(" request-id {r}"));
        let elapsed = started.elapsed().as_millis();
        let call = format!("{method} {}", redact_query(&url));
        diag::trace(
            1,
            format!(
                "{call} -> {status} ({elapsed} ms){}",
                shown_id.unwrap_or_default()
            ),
        );
        crate::http::trace_wire("<", &headers, Some(&body));
        let near_limit = is_near_limit(header("x-ms-throttle-limit-percentage").as_deref());
        let departure = Self::record_exchange(pacer, departure, batch, status, near_limit);
        if (200..300).contains(&status) {
            return Ok(GraphResponse {
                status,
                body,
                departure,
            });
        }
        if status == 401 {
            self.tokens.invalidate(&token).await;
        }
        let retry_after = header("retry-after").and_then(|v| crate::http::parse_retry_after(&v));
        self.pause_for(status, retry_after);
        let content_type = header("content-type");
        Err(decode_error(
            status,
            content_type.as_deref(),
            &body,
            request_id,
            retry_after,
        ))
    }

    /// Everything a call waits for before it may go: an HTTP slot, a 503's client-wide
    /// `Retry-After` pause, a token, and last the pacer, so the departure it records is when
    /// the call really leaves.
    async fn admit(
        &self,
        pacer: &Pacer,
        permit: Option<OwnedSemaphorePermit>,
        paced: Option<(Departure, pacer::InFlight)>,
        weight: u32,
    ) -> Result<Admitted, GraphError> {
        let permit = match permit {
            Some(p) => p,
            None => self.acquire_slot().await,
        };
        self.wait_for_pause().await;
        let token = self
            .tokens
            .bearer(&self.http)
            .await
            .map_err(GraphError::from)?;
        let (departure, in_flight) = match paced {
            Some(paced) => paced,
            None => pacer.acquire(weight).await,
        };
        Ok((permit, token, departure, in_flight))
    }

    fn build_request(
        &self,
        method: &Method,
        url: &Url,
        json_body: Option<bytes::Bytes>,
        token: &crate::auth::Secret,
    ) -> Result<reqwest::Request, GraphError> {
        let request = self
            .http
            .request(method.clone(), url.clone())
            .bearer_auth(token.expose())
            .header("Accept", "application/json")
            .header("Prefer", PREFER)
            .header("client-request-id", uuid::Uuid::new_v4().to_string());
        let request = match json_body {
            Some(body) => request
                .header("Content-Type", "application/json")
                .body(body),
            None if *method == Method::POST => request.header("Content-Length", "0"),
            None => request,
        };
        request.build().map_err(|e| GraphError::Transport {
            url: redact_query(url),
            detail: describe_transport_error(&e),
            maybe_sent: false,
        })
    }

    /// One HTTP exchange, the body read within its size cap. Errors say whether the request may
    /// have reached the server, which is what the retry policy needs for a non-idempotent call.
    async fn transmit(
        &self,
        request: reqwest::Request,
        url: &Url,
    ) -> Result<(u16, reqwest::header::HeaderMap, bytes::Bytes), GraphError> {
        let response = self.http.execute(request).await.map_err(|e| {
            let (url, detail) = (redact_query(url), describe_transport_error(&e));
            if let Some(check) = crate::http::permanent_transport_error(&e) {
                GraphError::Unreachable { url, detail, check }
            } else if e.is_timeout() {
                GraphError::TimedOut { url, detail }
            } else {
                GraphError::Transport {
                    url,
                    detail,
                    maybe_sent: !e.is_connect(),
                }
            }
        })?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = crate::http::read_body(response).await.map_err(|e| {
            let (url, detail) = (redact_query(url), e.describe());
            match e {
                BodyError::TooLarge => GraphError::BadResponse { url, detail },
                _ if e.is_timeout() => GraphError::TimedOut { url, detail },
                _ => GraphError::Transport {
                    url,
                    detail,
                    maybe_sent: true,
                },
            }
        })?;
        Ok((status, headers, body))
    }
}

type Admitted = (
    OwnedSemaphorePermit,
    crate::auth::Secret,
    Departure,
    pacer::InFlight,
);

/// `x-ms-throttle-limit-percentage` (0.8–1.8, the share of the limit in use) at the point where
/// Why a call is being retried, in a few words for a person at a terminal.
fn waiting_cause(err: &GraphError) -> String {
    match err {
        GraphError::Api { status: 429, .. } => "Graph is throttling (429)".into(),
        GraphError::Api { status, code, .. } => format!("Graph answered {status} {code}"),
        GraphError::Transport { .. } => "Graph could not be reached".into(),
        GraphError::TimedOut { .. } => "Graph did not answer in time".into(),
        other => format!("{other}"),
    }
}

/// A wait as a person reads it: `0.4s`, `12s`.
fn seconds(d: Duration) -> String {
    if d < Duration::from_secs(10) {
        format!("{:.1}s", d.as_secs_f64())
    } else {
        format!("{}s", d.as_secs())
    }
}

/// Graph advises slowing down.
fn is_near_limit(value: Option<&str>) -> bool {
    value
        .and_then(|v| v.trim().parse::<f64>().ok())
        .is_some_and(|p| p >= pacer::NEAR_LIMIT)
}

type PageSender = tokio::sync::mpsc::Sender<Vec<AssignmentRequest>>;

/// Queries of one listing followed at once. Each holds a parsed page while it waits for the
/// consumer, and a 999-request page is about a MiB and a half: four keep a 200,000-request
/// listing under 32 MiB while the largest state's stream, which bounds the time, never waits
/// for a slot.
const STREAMS_AT_ONCE: usize = 4;

/// What a listing's consumer does with one page, done when it is ready for the next.
pub type PageDone =
    std::pin::Pin<Box<dyn std::future::Future<Output = anyhow::Result<PageFlow>> + Send>>;

/// Whether a listing's consumer wants more pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageFlow {
    More,
    /// No new pages: those already fetched are still handed over, then the listing ends.
    Enough,
}

/// Pages from `produce`'s streams reach `on_page` through a small channel, so producers run at
/// most a few pages ahead and memory stays bounded whatever the tenant's size. The producers hold
/// the only senders, so the channel closes when they end; when the consumer stops early (an
/// error from `on_page`) its receiver goes with it and the producers' sends fail, so neither side
/// waits for the other forever.
async fn relay<F>(
    produce: impl FnOnce(PageSender) -> F,
    on_page: &mut dyn FnMut(Vec<AssignmentRequest>) -> PageDone,
) -> anyhow::Result<()>
where
    F: std::future::Future<Output = Result<(), GraphError>>,
{
    let (tx, mut rx) = tokio::sync::mpsc::channel(2);
    let producers = produce(tx);
    let consumer = async move {
        while let Some(batch) = rx.recv().await {
            // Enough: producers stop at their next page, and what is buffered still comes.
            if on_page(batch).await? == PageFlow::Enough {
                rx.close();
            }
        }
        Ok::<(), anyhow::Error>(())
    };
    let (produced, consumed) = tokio::join!(producers, consumer);
    consumed?;
    produced?;
    Ok(())
}

/// Where a call goes: relative to the version root (may be batched) or an absolute URL
/// (nextLinks, collection pages).
enum Target {
    Relative(String),
    Absolute(Url),
}

/// A refusal of the tenant-wide list: 403, or 400 (undocumented, seen for catalog-scoped callers).
fn is_refused(e: &anyhow::Error) -> bool {
    matches!(refusal_status(e), Some(400 | 403))
}

fn refusal_status(e: &anyhow::Error) -> Option<u16> {
    e.chain()
        .filter_map(|c| c.downcast_ref::<GraphError>())
        .find_map(GraphError::status)
}

impl From<AuthError> for GraphError {
    fn from(e: AuthError) -> Self {
        GraphError::Auth(e)
    }
}

/// Parse one assignment request as Graph sends it (v1.0 or beta shape).
pub fn parse_request(value: Value) -> Result<AssignmentRequest, GraphError> {
    from_value::<WireRequest>(value).map(Into::into)
}

/// Parse one access package as Graph sends it (v1.0 or beta shape).
pub fn parse_package(value: Value) -> Result<AccessPackage, GraphError> {
    from_value::<WirePackage>(value).map(Into::into)
}

/// Skip tokens are opaque but can be long; keep logs and errors readable.
fn redact_query(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.to_string()
}

fn parse_json<T: serde::de::DeserializeOwned>(what: &str, body: &[u8]) -> Result<T, GraphError> {
    serde_json::from_slice(body).map_err(|e| GraphError::BadResponse {
        url: what.split('?').next().unwrap_or(what).to_string(),
        detail: if e.is_eof() {
            "the JSON body ends early (truncated response)".into()
        } else {
            format!("the body is not the JSON Graph sends ({e})")
        },
    })
}

fn from_value<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, GraphError> {
    serde_json::from_value(value).map_err(|e| GraphError::BadResponse {
        url: String::from("(collection item)"),
        detail: format!("an item does not look like Graph's: {e}"),
    })
}
