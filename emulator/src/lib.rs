//! The built-in Graph-compatible emulator (see `../shared/spec/graph-api.md`).
//!
//! It serves the entitlement-management endpoints ep uses (v1.0 and beta), `$batch` and the
//! identity platform's client-credentials token endpoint, from deterministic seed data. It
//! follows documented Graph behaviour, including the inconvenient parts (absolute nextLinks,
//! opaque skiptokens, unfilterable `completedDateTime`, out-of-order batch responses,
//! `Retry-After` that is sometimes fractional or missing), so a client that passes against it
//! has a fair chance against the real service.
//!
//! ```ignore
//! let emu = Emulator::start(EmulatorConfig::default(), "127.0.0.1:0".parse()?).await?;
//! emu.url();            // "http://127.0.0.1:PORT" — use as EP_GRAPH_URL and AZURE_AUTHORITY_HOST
//! emu.calls();          // every HTTP call received, in arrival order (batch sub-requests included)
//! let saved = emu.tenant_state();   // what reprocess calls changed, to continue later:
//! emu.shutdown().await;
//! let emu = Emulator::resume(EmulatorConfig::default(), &saved, "127.0.0.1:0".parse()?).await?;
//! ```
//!
//! Fault and scale knobs (all off by default; random ones are seeded, each from a stream of
//! its own, so the same seed and call sequence replay the same faults):
//! - `fault_rate`: 503/504 OData errors before doing anything (`fault_html`: a proxy's 502 HTML
//!   page instead, for top-level calls); `fault_scope`: on any call, whole requests only, or
//!   `$batch` sub-requests only; `fault_window`: only the calls of that scope in a range
//!   (an outage that starts and ends mid-run).
//! - `fault_reset`: the TCP connection is reset without any response, before doing anything.
//! - `lost_ack`: a reprocess or resume (or a `$batch` containing a reprocess) is performed, then the connection
//!   is reset instead of answering.
//! - `retry_after`: how 429/503 `Retry-After` is written.
//! - `catalog_scoped`: the demo apps only hold catalog-level roles on some catalogs.
//! - `outage`: extra recent `deliveryFailed`/`partiallyDelivered` requests.
//! - `imds_failures`: the IMDS path's first answers are these errors (410 while it updates).
//! - `arc_key_dir`: the IMDS path plays Azure Arc, with its key-file challenge.
//! - `audit_correlation`: whether audit events name their request in `targetResources` or only
//!   its requestor and access package (undocumented).
//! - `resource_roles_unavailable`: beta's `accessPackageAssignmentResourceRoles` answers 404;
//!   `resource_roles_forbidden`: 403. It is reachable from a v1.0 client either way: it is a
//!   beta path, whatever version the client's other calls use.
//! - `paging`: what a `$skiptoken` stands for (Graph documents it as opaque and promises no
//!   snapshot). `offset`, the default and least forgiving, counts the rows served, so a row
//!   that leaves the result before the cursor makes a later one be skipped and a new one makes
//!   one come twice; `snapshot` serves the rows the first page matched, as they are now; `key`
//!   continues at a position in the stable order and never skips or repeats.
//! - `live_changes`, `live_every`: the tenant changes by itself while it is listed: before
//!   every `live_every`-th listing page of the requests collection, a new failed request
//!   appears anywhere in the stable order, a failed one is delivered, or a delivered one fails,
//!   until `live_changes` changes are made. [`Emulator::requests_snapshot`] includes them.
//!
//! Why each failed request failed is seeded too (see `delivery`): the resources each package
//! delivers, custom extension callouts, and directory audit events kept 30 days, with the audit
//! log's own throttle (`audit_rate`/`audit_burst`, five requests per 10 seconds by default, as
//! Graph documents it), separate from `rate`. The demo app holds AuditLog.Read.All; the reader
//! app does not, and is answered 403. [`Emulator::causes_snapshot`] is the ground truth.
//! - `oidc_failures`: the CI token issuers' first answers are these errors (503 while busy).
//! - `oidc_clock_skew_secs`: the CI token issuers' clocks are this far off (expired tokens).
//! - `actions_subject`: the subject GitHub Actions' tokens carry (another branch, a PR).
//!
//! Where the documents describe Graph as strict, the emulator is strict by default, and a knob
//! turns on the older lenient behaviour only for tests that need it:
//! - `$batch` write sub-requests need `body` and a `Content-Type` header, or the whole batch is
//!   refused with 400 (`lenient_batch_writes` accepts them; `batch_refuses_writes` refuses any
//!   batch carrying a write, as a service rejecting `{}` for a body-less action would).
//! - A reprocess whose cause is not fixed keeps the request's failed state unchanged for
//!   `trial_window` while the service retries, and a repeat in that window is refused with
//!   `repeat_refusal` (`visible_refail` restores "delivering, then deliveryFailed").
//! - A catalog-scoped caller's tenant-wide listing is refused with `catalog_refusal` (403 or 400).
//! - `reprocess_window_days` is 14 as Graph documents; 7 models the portal's rule.

mod assertion;
mod callback;
mod ci_oidc;
mod conn;
mod delivery;
mod delivery_routes;
mod directory;
mod filter;
mod identity;
mod live;
mod model;
mod odata;
mod paging;
mod routes;
mod seed;
mod session;
mod throttle;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Timelike, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use conn::{ConnHandle, DroppableListener};
use model::Store;
use odata::Reply;
use routes::Delivery;
use seed::{SplitMix64, mix64};
use throttle::{Dice, FaultInjector, TokenBucket};

pub use delivery::AuditCorrelation;
pub use identity::AZURE_CLI_CLIENT_ID;
pub use paging::PagingModel;
pub use session::{ChangedRequest, PendingState, TENANT_STATE_FORMAT, TenantState};
pub use throttle::{FaultScope, RetryAfterStyle};

/// [`RecordedCall::status`] of a call whose connection was reset before anything was done
/// (`fault_reset`). Not an HTTP status: the client received no status line at all.
pub const STATUS_RESET: u16 = 599;

/// Knobs for `ep emulator` and `--demo`.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Seed for all generated data (ids, names, states, relative ages).
    pub seed: u64,
    /// Number of assignment requests.
    pub requests: usize,
    /// Number of access packages (at least 2, so the duplicate-name pair exists).
    pub packages: usize,
    /// Added before every response (a `$batch` counts once).
    pub latency: Duration,
    /// Token-bucket refill in requests per second; `None` = no throttling.
    pub rate: Option<f64>,
    /// Token-bucket size.
    pub burst: u32,
    /// Share (0.0..=1.0) of Graph calls answered 503/504 before doing anything.
    pub fault_rate: f64,
    /// Which calls those faults may hit: any, whole requests only, or sub-requests only.
    pub fault_scope: FaultScope,
    /// Which of the calls in `fault_scope` those faults may hit, counted from 0 in the order
    /// they arrive: a stretch of outage that starts and ends mid-run. All of them by default.
    pub fault_window: std::ops::Range<usize>,
    /// Share (0.0..=1.0) of top-level Graph calls (a `$batch` counts once; token calls never)
    /// whose connection is reset without any response, before doing anything. Recorded with
    /// status [`STATUS_RESET`] and `dropped`.
    pub fault_reset: f64,
    /// Share (0.0..=1.0) of top-level `POST …/reprocess` calls, and of `$batch` calls with at
    /// least one reprocess sub-request, that are fully performed and then answered by
    /// resetting the connection. Recorded with the status the server would have sent (202
    /// when accepted) and `dropped`. The answer is lost whatever it was: a reprocess refused
    /// (400) or throttled (429) loses its answer too, having changed nothing.
    pub lost_ack: f64,
    /// Injected faults on top-level calls (the `$batch` POST included) answer `502 Bad
    /// Gateway` with an HTML page, like a proxy in front of Graph. Sub-requests inside a
    /// batch never pass a proxy, so their faults stay OData 503/504.
    pub fault_html: bool,
    /// How `Retry-After` is written on 429 and injected 503 replies.
    pub retry_after: RetryAfterStyle,
    /// The demo apps hold catalog-level roles on every catalog except one (see
    /// [`Emulator::hidden_catalog`]): the tenant-wide request list answers 403, the rest is
    /// filtered or answers 403 for the hidden catalog.
    pub catalog_scoped: bool,
    /// Extra requests in `deliveryFailed` (80 %) or `partiallyDelivered` (20 %), completed in
    /// the last six hours, round-robin over all packages: a connector outage. In addition
    /// to `requests`.
    pub outage: usize,
    /// Maximum items per page.
    pub page_size: usize,
    /// What a `$skiptoken` stands for, and so what a client sees when rows change or appear
    /// between its pages: [`PagingModel::Offset`] (the default, least forgiving),
    /// [`PagingModel::Snapshot`] or [`PagingModel::Key`] (the most forgiving).
    pub paging: PagingModel,
    /// Changes the tenant makes by itself while it is listed: a new failed request appears
    /// anywhere in the stable order, a failed one is delivered by the service's own retry, or
    /// a delivered one fails. 0 = a tenant that holds still.
    pub live_changes: usize,
    /// One live change is made before every this-many listing pages of the requests
    /// collection (v1.0 or beta, top level or in `$batch`), until `live_changes` are made.
    /// 0 counts as 1.
    pub live_every: usize,
    /// How long a reprocessed request that recovers stays `delivering`.
    pub settle: Duration,
    /// Share of reprocessed requests whose cause is not fixed, so they fail again.
    pub refail_rate: f64,
    /// How long the service keeps retrying a reprocess that will fail again. Throughout, the
    /// request shows its failed state unchanged and a repeat `reprocess` is refused with
    /// `repeat_refusal` (Graph's troubleshooting page: "tries multiple times to reprocess for
    /// several hours, so you can't force reprocessing during this time").
    pub trial_window: Duration,
    /// How long a reprocess that will recover keeps showing the failed state before it turns
    /// `delivering` (undocumented; 0 = at once).
    pub recover_delay: Duration,
    /// The older, lenient model: a reprocess that fails again shows `delivering` first, then
    /// `deliveryFailed`, and a repeat is only refused while it is `delivering`.
    pub visible_refail: bool,
    /// HTTP status refusing a repeat reprocess inside the trial window (undocumented: 400 or 409).
    pub repeat_refusal: u16,
    /// Days after completion within which `reprocess` is accepted: 14 as the Graph docs say, or
    /// 7 as the portal says.
    pub reprocess_window_days: i64,
    /// HTTP status answering a catalog-scoped caller's tenant-wide request listing
    /// (undocumented: 403 or 400).
    pub catalog_refusal: u16,
    /// Accept write sub-requests in `$batch` without `body` and `Content-Type`, which Graph
    /// refuses ("Write request id : N does not contain Content-Type header or body.").
    pub lenient_batch_writes: bool,
    /// Refuse every `$batch` that carries a write sub-request, however well-formed: a service
    /// that rejects the empty `{}` body of a body-less action (undocumented, plausible).
    pub batch_refuses_writes: bool,
    /// Lifetime of issued access tokens.
    pub token_ttl: Duration,
    /// Act like a stricter server: 400 for `$filter` combining clauses with and/or.
    pub strict_filters: bool,
    /// Act like a server that does not support filtering requests by state at all (400
    /// "Invalid filter clause"), although Graph documents `state eq`.
    pub refuse_state_filter: bool,
    /// Certificates uploaded to app registrations: `(client id, PEM certificate)`. Client
    /// assertions are verified against these.
    pub client_certificates: Vec<(String, String)>,
    /// Federated credentials: which external tokens may stand in for an app.
    pub federated_credentials: Vec<FederatedCredential>,
    /// The device-code endpoint's `interval` (seconds between polls).
    pub device_code_interval: u64,
    /// The App Service managed-identity secret (`IDENTITY_HEADER`).
    pub identity_header: String,
    /// Play an Azure Arc machine: `/metadata/identity/oauth2/token` answers a first request
    /// `401` with `WWW-Authenticate: Basic realm=<dir>/<guid>.key`, having written a fresh
    /// random key there, and serves tokens to requests that present a key it wrote as
    /// `Authorization: Basic <key>`. `None`: that path is plain IMDS.
    pub arc_key_dir: Option<PathBuf>,
    /// Statuses the IMDS path (Arc's too) answers its first calls with, in order, before it
    /// works: 410 while IMDS is updating, 404, 429 (with `Retry-After`), 5xx.
    pub imds_failures: Vec<u16>,
    /// The audit log's own throttle (Graph's "identity and access reports" limit: five requests
    /// per 10 seconds per app per tenant): refill per second, `None` = no throttling. Separate
    /// from `rate`, which the audit log does not count against.
    pub audit_rate: Option<f64>,
    /// Token-bucket size of the audit log's throttle.
    pub audit_burst: u32,
    /// How audit events name the request they are about (undocumented).
    pub audit_correlation: AuditCorrelation,
    /// beta's `accessPackageAssignmentResourceRoles` is not served (404), as by a service where
    /// that beta API is not available.
    pub resource_roles_unavailable: bool,
    /// beta's `accessPackageAssignmentResourceRoles` answers 403 (`Authorization_RequestDenied`)
    /// while every v1.0 call answers, as to an app or tenant not allowed that beta call.
    pub resource_roles_forbidden: bool,
    /// The demo job's `ACTIONS_ID_TOKEN_REQUEST_TOKEN`: the GitHub Actions ID token endpoint
    /// answers only requests bearing it.
    pub actions_request_token: String,
    /// The `sub` of GitHub Actions ID tokens: which repository, branch, environment or event the
    /// job runs for (the demo app trusts `DEMO_FEDERATION_SUBJECT`).
    pub actions_subject: String,
    /// The demo job's `SYSTEM_ACCESSTOKEN`: the Azure DevOps OIDC endpoint answers only requests
    /// bearing it.
    pub azure_devops_access_token: String,
    /// Added to the `iat`, `nbf` and `exp` of the CI issuers' tokens: an issuer whose clock is
    /// off, or a token that expired before use (negative).
    pub oidc_clock_skew_secs: i64,
    /// Statuses the CI token issuers answer their first calls with, in order (503, 429, …).
    pub oidc_failures: Vec<u16>,
    /// How many times a newly registered app is not found yet: by `POST /servicePrincipals`,
    /// and by the sign-in service (AADSTS700016). A new registration takes a moment to
    /// replicate; how long is not documented, so one refusal each is the default.
    pub directory_lag: u32,
}

/// A federated identity credential on an app registration (issuer + subject + audience).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederatedCredential {
    pub client_id: String,
    pub issuer: String,
    pub subject: String,
    pub audience: String,
}

/// The demo app's federated credential: GitHub Actions on `contoso/ep`'s main branch.
pub const DEMO_FEDERATION_ISSUER: &str = "https://token.actions.githubusercontent.com";
pub const DEMO_FEDERATION_SUBJECT: &str = "repo:contoso/ep:ref:refs/heads/main";
pub const DEMO_FEDERATION_AUDIENCE: &str = "api://AzureADTokenExchange";
/// The emulated App Service's `IDENTITY_HEADER`. Not a secret: it only works here.
pub const DEMO_IDENTITY_HEADER: &str = "ep-demo-identity-header";
/// The demo job's request tokens (GitHub Actions, Azure Pipelines). They only work here.
pub const DEMO_ACTIONS_REQUEST_TOKEN: &str = "ep-demo-actions-id-token-request-token";
pub const DEMO_SYSTEM_ACCESSTOKEN: &str = "ep-demo-azure-devops-system-accesstoken";
/// The demo Azure Resource Manager service connection (workload identity federation) and the
/// issuer and subject of its tokens, which the demo app's second federated credential trusts.
pub const DEMO_SERVICE_CONNECTION_ID: &str = "6d0c3e1a-2b4f-4a8c-9e7d-5f1a3b2c4d6e";
pub const DEMO_AZURE_DEVOPS_ISSUER: &str =
    "https://vstoken.dev.azure.com/4f0c2b7e-8a1d-4c3e-9b5f-6a7d8e9f0a1b";
pub const DEMO_AZURE_DEVOPS_SUBJECT: &str = "sc://contoso/ep/ep-graph";

fn demo_federation() -> FederatedCredential {
    FederatedCredential {
        client_id: DEMO.client_id.to_string(),
        issuer: DEMO_FEDERATION_ISSUER.to_string(),
        subject: DEMO_FEDERATION_SUBJECT.to_string(),
        audience: DEMO_FEDERATION_AUDIENCE.to_string(),
    }
}

fn demo_azure_devops_federation() -> FederatedCredential {
    FederatedCredential {
        client_id: DEMO.client_id.to_string(),
        issuer: DEMO_AZURE_DEVOPS_ISSUER.to_string(),
        subject: DEMO_AZURE_DEVOPS_SUBJECT.to_string(),
        audience: DEMO_FEDERATION_AUDIENCE.to_string(),
    }
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            seed: 42,
            requests: 120,
            packages: 6,
            latency: Duration::ZERO,
            rate: None,
            burst: 10,
            fault_rate: 0.0,
            fault_scope: FaultScope::Any,
            fault_window: 0..usize::MAX,
            fault_reset: 0.0,
            lost_ack: 0.0,
            fault_html: false,
            retry_after: RetryAfterStyle::Rotate,
            catalog_scoped: false,
            outage: 0,
            page_size: 50,
            paging: PagingModel::Offset,
            live_changes: 0,
            live_every: 3,
            settle: Duration::from_secs(3),
            refail_rate: 0.1,
            trial_window: Duration::from_secs(30),
            recover_delay: Duration::ZERO,
            visible_refail: false,
            repeat_refusal: 400,
            reprocess_window_days: 14,
            catalog_refusal: 403,
            lenient_batch_writes: false,
            batch_refuses_writes: false,
            token_ttl: Duration::from_secs(3600),
            strict_filters: false,
            refuse_state_filter: false,
            client_certificates: Vec::new(),
            federated_credentials: vec![demo_federation(), demo_azure_devops_federation()],
            device_code_interval: 5,
            identity_header: DEMO_IDENTITY_HEADER.to_string(),
            arc_key_dir: None,
            imds_failures: Vec::new(),
            audit_rate: Some(0.5),
            audit_burst: 5,
            audit_correlation: AuditCorrelation::RequestId,
            resource_roles_unavailable: false,
            resource_roles_forbidden: false,
            actions_request_token: DEMO_ACTIONS_REQUEST_TOKEN.to_string(),
            actions_subject: DEMO_FEDERATION_SUBJECT.to_string(),
            azure_devops_access_token: DEMO_SYSTEM_ACCESSTOKEN.to_string(),
            oidc_clock_skew_secs: 0,
            oidc_failures: Vec::new(),
            directory_lag: 1,
        }
    }
}

/// Fixed credentials of the demo tenant. They only work against this emulator.
#[derive(Debug, Clone, Copy)]
pub struct DemoCredentials {
    pub tenant_id: &'static str,
    pub client_id: &'static str,
    pub client_secret: &'static str,
    pub reader_client_id: &'static str,
    pub reader_client_secret: &'static str,
}

pub const DEMO: DemoCredentials = DemoCredentials {
    tenant_id: "8f3c2a71-5d4e-4b9a-9c1f-2e7d6b5a4c30",
    client_id: "5b0e6a2c-3f41-4d8e-a7b9-1c2d3e4f5a60",
    client_secret: "ep-demo-secret-NOT-A-REAL-SECRET",
    reader_client_id: "c7a1d9e4-8b2f-4c3a-9d5e-6f7a8b9c0d12",
    reader_client_secret: "ep-demo-reader-secret-NOT-A-REAL-SECRET",
};

/// One HTTP call the emulator received (token calls and `$batch` sub-requests included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedCall {
    pub method: String,
    /// Percent-decoded path; for batch sub-requests prefixed with the batch's version.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// Final status (0 only while the call is still being handled). For a dropped
    /// connection, [`STATUS_RESET`] if nothing was done, else the status the server would
    /// have answered (e.g. 202 for a reprocess whose acknowledgement was lost).
    pub status: u16,
    pub in_batch: bool,
    pub at: DateTime<Utc>,
    /// The client got no response: the connection was reset (`fault_reset`, `lost_ack`; for
    /// `lost_ack` on a `$batch`, also set on its sub-requests).
    #[serde(default)]
    pub dropped: bool,
    /// The wait a 429 (or 503) advertised in `Retry-After`, in milliseconds, when it had one:
    /// with `at`, what a benchmark needs to count requests sent inside a Retry-After window.
    #[serde(default)]
    pub retry_after_ms: Option<u64>,
    /// The JSON body of a write that carried one (a `resume`), so a test can check what was
    /// sent, as the server read it.
    #[serde(default)]
    pub body: Option<serde_json::Value>,
    /// The `Metadata` request header: managed identity endpoints use it to tell a local
    /// client from a request forwarded by a server-side request forgery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<String>,
}

/// Ground truth about one assignment request, for test oracles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeededRequest {
    pub id: String,
    /// v1.0 vocabulary, as of now (settle transitions applied).
    pub state: String,
    pub completed: Option<DateTime<Utc>>,
    pub created: DateTime<Utc>,
    pub package_id: String,
    pub package_name: String,
    pub requestor_name: String,
    /// Number of accepted (202) reprocess calls.
    pub reprocess_calls: u32,
    /// The stage (`accessPackageCustomExtensionStage` member) at which a custom extension's
    /// callback is still awaited; `None` when nothing is awaited.
    pub waiting_stage: Option<String>,
    /// The requestor is an agent identity (a service principal), not a person.
    pub requestor_is_agent: bool,
}

/// Ground truth about why one request failed, for test oracles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeededCause {
    pub request_id: String,
    /// `resource` (one resource could not be delivered), `request` (the request failed as a
    /// whole), `customExtension` (a custom extension call failed) or `guestSite` (nothing
    /// failed: a new external user's SharePoint site waits for their SharePoint account).
    pub kind: String,
    /// The resource that could not be delivered (`kind` `resource`).
    pub resource: Option<SeededResource>,
    /// The reason as a template, `{objectId}` standing where the text names the requestor.
    pub reason_template: String,
    /// The reason as written for this request: the audit event's `resultReason`, or the
    /// callout's `detail`.
    pub reason: String,
    /// Whether the audit log holds the request's events (they are kept 30 days).
    pub audited: bool,
    /// The resources of the request's package that beta reports `PendingFulfillment` now.
    pub pending: Vec<SeededResource>,
}

/// One resource of a catalog: `originSystem`, `originId` and display name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SeededResource {
    pub kind: String,
    pub id: String,
    pub display_name: String,
}

fn seeded_resource(d: &delivery::Delivery, idx: usize) -> Option<SeededResource> {
    d.resources.get(idx).map(|r| SeededResource {
        kind: r.origin_system.as_str().to_string(),
        id: r.origin_id.clone(),
        display_name: r.display_name.clone(),
    })
}

/// State shared by all connections.
pub(crate) struct Shared {
    config: EmulatorConfig,
    /// When the tenant was generated: its timestamps are relative to this.
    generated_at: DateTime<Utc>,
    base_url: String,
    store: Mutex<Store>,
    calls: Mutex<Vec<RecordedCall>>,
    issuer: identity::TokenIssuer,
    bucket: Option<Mutex<TokenBucket>>,
    /// The audit log's own throttle (`audit_rate`).
    audit_bucket: Option<Mutex<TokenBucket>>,
    /// Resources, role scopes, failure causes and audit events: fixed at start.
    delivery: delivery::Delivery,
    faults: Mutex<FaultInjector>,
    resets: Mutex<Dice>,
    lost_acks: Mutex<Dice>,
    /// Catalog the demo apps cannot see (`catalog_scoped`).
    hidden_catalog: Option<usize>,
    /// Result sets kept for [`PagingModel::Snapshot`].
    snapshots: Mutex<paging::Snapshots>,
    /// The changes the tenant makes by itself (`live_changes`).
    live: Mutex<live::LiveTenant>,
    /// Applications, service principals and grants created through Graph.
    directory: Mutex<directory::Directory>,
    skiptoken_key: u64,
    id_salt: u64,
    id_counter: AtomicU64,
    batch_counter: AtomicU64,
}

impl Shared {
    /// A poisoned lock only means another handler panicked; the data is still usable.
    fn lock_store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock_snapshots(&self) -> MutexGuard<'_, paging::Snapshots> {
        self.snapshots.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock_directory(&self) -> MutexGuard<'_, directory::Directory> {
        self.directory.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock_live(&self) -> MutexGuard<'_, live::LiveTenant> {
        self.live.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A listing page of the requests collection is being served: the tenant may change first.
    fn live_tick(&self, now: DateTime<Utc>) {
        if self.config.live_changes == 0 {
            return;
        }
        // Store first, then the live stream: the only place that takes both.
        let mut store = self.lock_store();
        store.settle_all(now);
        self.lock_live().on_listing(&mut store, now);
    }

    fn new_guid(&self) -> String {
        let n = self.id_counter.fetch_add(1, Ordering::Relaxed);
        SplitMix64::new(mix64(self.id_salt ^ n)).guid()
    }

    fn next_batch_number(&self) -> u64 {
        self.batch_counter.fetch_add(1, Ordering::Relaxed)
    }

    /// Reserves the call's place in arrival order; the status is filled in when answered.
    fn record_arrival(
        &self,
        method: &str,
        path: &str,
        query: Option<&str>,
        in_batch: bool,
        metadata: Option<&str>,
    ) -> usize {
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        calls.push(RecordedCall {
            method: method.to_string(),
            path: path.to_string(),
            query: query.map(str::to_string),
            status: 0,
            in_batch,
            at: Utc::now(),
            dropped: false,
            retry_after_ms: None,
            metadata: metadata.map(str::to_string),
            body: None,
        });
        calls.len() - 1
    }

    /// Keeps the JSON body a write carried, beside its recorded call.
    fn record_body(&self, slot: usize, body: &[u8]) {
        if body.is_empty() {
            return;
        }
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
            return;
        };
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(call) = calls.get_mut(slot) {
            call.body = Some(value);
        }
    }

    fn record_status(&self, slot: usize, status: u16) {
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = calls.get_mut(slot) {
            c.status = status;
        }
    }

    /// The status and any advertised `Retry-After` of an answer.
    fn record_reply(&self, slot: usize, reply: &odata::Reply) {
        let advertised = reply
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
            .and_then(|(_, v)| retry_after_millis(v));
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = calls.get_mut(slot) {
            c.status = reply.status;
            c.retry_after_ms = advertised;
        }
    }

    /// Marks calls whose response never left the emulator.
    fn record_dropped(&self, slots: &[usize]) {
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        for slot in slots {
            if let Some(c) = calls.get_mut(*slot) {
                c.dropped = true;
            }
        }
    }

    /// Whether the next top-level Graph call has its connection reset.
    fn roll_reset(&self) -> bool {
        self.resets.lock().is_ok_and(|mut d| d.roll())
    }

    /// Whether the next reprocess-carrying call loses its acknowledgement.
    fn roll_lost_ack(&self) -> bool {
        self.lost_acks.lock().is_ok_and(|mut d| d.roll())
    }

    fn causes(&self) -> Vec<SeededCause> {
        let mut store = self.lock_store();
        store.settle_all(Utc::now());
        let d = &self.delivery;
        store
            .requests
            .iter()
            .filter_map(|r| {
                let c = d.causes.get(&r.id.to_ascii_lowercase())?;
                let (kind, resource) = match &c.cause {
                    delivery::Cause::Resource { scope, .. } => (
                        "resource",
                        d.role_scopes
                            .get(*scope)
                            .and_then(|s| seeded_resource(d, s.resource_idx)),
                    ),
                    delivery::Cause::Request { .. } => ("request", None),
                    delivery::Cause::GuestSite { scope } => (
                        "guestSite",
                        d.role_scopes
                            .get(*scope)
                            .and_then(|s| seeded_resource(d, s.resource_idx)),
                    ),
                    delivery::Cause::Callout { .. } => ("customExtension", None),
                };
                let pending = d
                    .resource_status(r)
                    .into_iter()
                    .filter(|(_, delivered)| !delivered)
                    .filter_map(|(s, _)| {
                        d.role_scopes
                            .get(s)
                            .and_then(|s| seeded_resource(d, s.resource_idx))
                    })
                    .collect();
                Some(SeededCause {
                    request_id: r.id.clone(),
                    kind: kind.to_string(),
                    resource,
                    reason_template: c.template().to_string(),
                    reason: c.text(),
                    audited: c.audited,
                    pending,
                })
            })
            .collect()
    }

    fn snapshot(&self) -> Vec<SeededRequest> {
        let mut store = self.lock_store();
        store.settle_all(Utc::now());
        store
            .requests
            .iter()
            .map(|r| {
                let pkg = store.packages.get(r.package_idx);
                SeededRequest {
                    id: r.id.clone(),
                    state: r.state.v1().to_string(),
                    completed: r.completed,
                    created: r.created,
                    package_id: pkg.map(|p| p.id.clone()).unwrap_or_default(),
                    package_name: pkg.map(|p| p.display_name.clone()).unwrap_or_default(),
                    requestor_name: store
                        .subjects
                        .get(r.subject_idx)
                        .map(|s| s.display_name.clone())
                        .unwrap_or_default(),
                    waiting_stage: r
                        .callback
                        .as_ref()
                        .filter(|c| c.waiting())
                        .map(|c| c.stage.member().to_string()),
                    requestor_is_agent: store.subjects.get(r.subject_idx).is_some_and(|s| s.agent),
                    reprocess_calls: r.reprocess_calls,
                }
            })
            .collect()
    }
}

/// Why [`Emulator::resume`] could not continue a saved tenant.
#[derive(Debug)]
pub enum ResumeError {
    /// The state is not one this tenant can have; the reason says what is wrong with it.
    Foreign(String),
    /// The server could not start (e.g. the address is taken).
    Start(anyhow::Error),
}

impl std::fmt::Display for ResumeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResumeError::Foreign(reason) => f.write_str(reason),
            ResumeError::Start(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ResumeError {}

/// A running emulator. Dropping it without [`Emulator::shutdown`] leaves the server running
/// until the runtime ends.
pub struct Emulator {
    shared: Arc<Shared>,
    url: String,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Emulator {
    /// Binds `addr` (port 0 = any free port), spawns the server on the current tokio runtime
    /// and returns once it is listening.
    pub async fn start(config: EmulatorConfig, addr: SocketAddr) -> anyhow::Result<Emulator> {
        // Whole seconds, so that `now - age` keeps exactly the fractional digits chosen by
        // the seed. The fallback can only trigger on a leap second and is harmless.
        let now = Utc::now();
        let now = now.with_nanosecond(0).unwrap_or(now);
        let store = seed::build(
            config.seed,
            config.requests,
            config.packages,
            config.outage,
            now,
        );
        let delivery =
            delivery::Delivery::build(config.seed, &store, now, config.audit_correlation);
        Emulator::serve(config, addr, store, delivery, now).await
    }

    /// Like [`Emulator::start`], but the tenant is the one `state` was taken from, as it was
    /// then: generated at the same time, with the same reprocess calls in effect (pending ones
    /// settle on time, as if the emulator had run all along). A state of another tenant (seed,
    /// counts), or one naming requests or states the tenant cannot have, is refused.
    pub async fn resume(
        config: EmulatorConfig,
        state: &TenantState,
        addr: SocketAddr,
    ) -> Result<Emulator, ResumeError> {
        session::check_tenant(state, &config).map_err(ResumeError::Foreign)?;
        let mut store = seed::build(
            config.seed,
            config.requests,
            config.packages,
            config.outage,
            state.generated_at,
        );
        // Why deliveries failed is part of the seed: drawn from the tenant as generated, before
        // the session's reprocess calls changed any state.
        let delivery = delivery::Delivery::build(
            config.seed,
            &store,
            state.generated_at,
            config.audit_correlation,
        );
        session::apply(&mut store, state).map_err(ResumeError::Foreign)?;
        Emulator::serve(config, addr, store, delivery, state.generated_at)
            .await
            .map_err(ResumeError::Start)
    }

    /// The tenant's state now, for [`Emulator::resume`] in a later process.
    pub fn tenant_state(&self) -> TenantState {
        let mut store = self.shared.lock_store();
        store.settle_all(Utc::now());
        session::capture(&store, &self.shared.config, self.shared.generated_at)
    }

    async fn serve(
        config: EmulatorConfig,
        addr: SocketAddr,
        store: Store,
        delivery: delivery::Delivery,
        generated_at: DateTime<Utc>,
    ) -> anyhow::Result<Emulator> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let host = if local.ip().is_unspecified() {
            "127.0.0.1".to_string()
        } else if local.is_ipv6() {
            format!("[{}]", local.ip())
        } else {
            local.ip().to_string()
        };
        let url = format!("http://{host}:{}", local.port());
        let hidden_catalog = config
            .catalog_scoped
            .then(|| hidden_catalog(&store))
            .flatten();
        let identity = identity::IdentityConfig {
            certificates: config
                .client_certificates
                .iter()
                .map(|(id, pem)| assertion::TrustedCertificate::from_pem(id, pem))
                .collect::<anyhow::Result<_>>()?,
            federations: config.federated_credentials.clone(),
            device_code_interval: config.device_code_interval.max(1),
            identity_header: config.identity_header.clone(),
            arc_key_dir: config.arc_key_dir.clone(),
            imds_failures: config.imds_failures.clone(),
            oidc_failures: config.oidc_failures.clone(),
        };
        let shared = Arc::new(Shared {
            generated_at,
            base_url: url.clone(),
            store: Mutex::new(store),
            calls: Mutex::new(Vec::new()),
            issuer: identity::TokenIssuer::with_identity(config.token_ttl, identity),
            bucket: config.rate.map(|r| {
                Mutex::new(TokenBucket::new(
                    r,
                    config.burst,
                    Instant::now(),
                    config.retry_after,
                    config.seed,
                ))
            }),
            audit_bucket: config.audit_rate.map(|r| {
                Mutex::new(TokenBucket::new(
                    r,
                    config.audit_burst,
                    Instant::now(),
                    config.retry_after,
                    config.seed,
                ))
            }),
            delivery,
            faults: Mutex::new(FaultInjector::within(
                config.fault_rate,
                config.seed,
                config.fault_window.clone(),
            )),
            resets: Mutex::new(Dice::new(
                config.fault_reset,
                config.seed,
                0x7E5E_7E5E_7E5E_7E5E,
            )),
            lost_acks: Mutex::new(Dice::new(
                config.lost_ack,
                config.seed,
                0xAC4_0AC4_0AC4_0AC4,
            )),
            hidden_catalog,
            snapshots: Mutex::new(paging::Snapshots::default()),
            live: Mutex::new(live::LiveTenant::new(
                config.seed,
                config.live_changes,
                config.live_every,
            )),
            directory: Mutex::new(directory::Directory::default()),
            skiptoken_key: mix64(config.seed ^ 0x5C1F_70CE_5C1F_70CE),
            id_salt: mix64(identity::process_salt() ^ 0x1D5A_1D5A),
            id_counter: AtomicU64::new(1),
            batch_counter: AtomicU64::new(0),
            config,
        });
        let app = Router::new()
            .route("/_emulator/calls", get(admin_calls))
            .route("/_emulator/requests", get(admin_requests))
            .fallback(handle)
            .with_state(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let listener = DroppableListener::new(listener);
        let app = app.into_make_service_with_connect_info::<ConnHandle>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            // A serve error after startup has nowhere useful to go; the caller sees the
            // emulator stop answering.
            let _ = serve.await;
        });
        Ok(Emulator {
            shared,
            url,
            stop: Some(stop),
            task,
        })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Every call received, in arrival order.
    pub fn calls(&self) -> Vec<RecordedCall> {
        self.shared
            .calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Ground truth for test oracles: every request as of now, those that appeared by a live
    /// change included, in the server's stable order.
    pub fn requests_snapshot(&self) -> Vec<SeededRequest> {
        self.shared.snapshot()
    }

    /// How many changes the tenant has made by itself so far (`live_changes`).
    pub fn live_changes_made(&self) -> usize {
        self.shared.lock_live().made()
    }

    /// Ground truth about deliveries: the seeded cause of every request that failed at start.
    pub fn causes_snapshot(&self) -> Vec<SeededCause> {
        self.shared.causes()
    }

    /// The resources each access package delivers (by package id), as seeded.
    pub fn package_resources(&self, package_id: &str) -> Vec<SeededResource> {
        let store = self.shared.lock_store();
        let d = &self.shared.delivery;
        store
            .packages
            .iter()
            .position(|p| p.id.eq_ignore_ascii_case(package_id))
            .map(|idx| {
                d.scopes_of(idx)
                    .filter_map(|s| seeded_resource(d, s.resource_idx))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Ground truth for tests: the applications, service principals and delegated permission
    /// grants created through Graph, as Graph shows them.
    pub fn directory_snapshot(&self) -> serde_json::Value {
        self.shared.lock_directory().snapshot()
    }

    /// Mints a valid access token for `client_id` (with that app's roles; none if unknown).
    pub fn issue_token(&self, client_id: &str) -> String {
        self.shared.issuer.mint(client_id, Utc::now())
    }

    /// `ACTIONS_ID_TOKEN_REQUEST_URL` of the demo job: the GitHub Actions ID token endpoint.
    pub fn actions_id_token_request_url(&self) -> String {
        format!("{}{}?api-version=2.0", self.url, ci_oidc::actions_path())
    }

    /// `SYSTEM_OIDCREQUESTURI` of the demo job: the Azure DevOps OIDC token endpoint.
    pub fn system_oidc_request_uri(&self) -> String {
        format!("{}{}", self.url, ci_oidc::azure_devops_path())
    }

    /// Every access token, refresh token, device code and CI OIDC token issued so far: what
    /// must never appear in ep's output.
    pub fn issued_secrets(&self) -> Vec<String> {
        self.shared.issuer.issued_secrets()
    }

    /// Ids of the access packages the demo apps cannot see (`catalog_scoped`; else empty).
    pub fn hidden_packages(&self) -> Vec<String> {
        let Some(hidden) = self.shared.hidden_catalog else {
            return Vec::new();
        };
        self.shared
            .lock_store()
            .packages
            .iter()
            .filter(|p| p.catalog_idx == hidden)
            .map(|p| p.id.clone())
            .collect()
    }

    /// What `ep emulator` prints on start.
    pub fn usage_text(&self) -> String {
        let c = &self.shared.config;
        let requests = if c.outage > 0 {
            format!("{} requests + {} outage failures", c.requests, c.outage)
        } else {
            format!("{} requests", c.requests)
        };
        format!(
            "# ep Graph emulator on {url} ({requests}, {packages} access packages, seed {seed})\n\
             # {knobs}\n\
             export EP_GRAPH_URL={url}\n\
             export AZURE_AUTHORITY_HOST={url}\n\
             export AZURE_TENANT_ID={tenant}\n\
             export AZURE_CLIENT_ID={client}\n\
             export AZURE_CLIENT_SECRET={secret}\n\
             # Read-only client (EntitlementManagement.Read.All; no AuditLog.Read.All; reprocess and the audit log answer 403):\n\
             #   export AZURE_CLIENT_ID={reader} AZURE_CLIENT_SECRET={reader_secret}\n\
             #\n\
             # Other sign-ins (unset AZURE_CLIENT_SECRET first, or pick one with --auth):\n\
             #   certificate: start with --client-certificate cert.pem, then\n\
             #     export AZURE_CLIENT_CERTIFICATE_PATH=key-and-cert.pem   (--assertion-alg rs256 for RS256 + x5t)\n\
             #   workload identity: a JWT with iss={fed_iss} sub={fed_sub} aud={fed_aud}\n\
             #     (unsigned is accepted here) in a file: export AZURE_FEDERATED_TOKEN_FILE=token.jwt\n\
             #   managed identity (App Service): export IDENTITY_ENDPOINT={url}/msi/token IDENTITY_HEADER={header}\n\
             #   managed identity (IMDS): export IMDS_ENDPOINT={url}; ep --auth managed-identity ...\n\
             {arc}\
             #   device code: ep auth login   (completes by itself after two polls; then --auth device-code)\n\
             #   ep auth setup, as an admin signed in to the Azure CLI (that token may register apps, not\n\
             #     read entitlement management): unset AZURE_TENANT_ID AZURE_CLIENT_ID AZURE_CLIENT_SECRET;\n\
             #     EP_ACCESS_TOKEN={admin_token} ep auth setup\n\
             #   GitHub Actions OIDC: export ACTIONS_ID_TOKEN_REQUEST_URL='{actions_url}' \\\n\
             #     ACTIONS_ID_TOKEN_REQUEST_TOKEN={actions_token}   (then --auth github-actions)\n\
             #   Azure Pipelines OIDC: export SYSTEM_OIDCREQUESTURI={ado_uri} \\\n\
             #     SYSTEM_ACCESSTOKEN={ado_token} AZURESUBSCRIPTION_SERVICE_CONNECTION_ID={ado_connection}   (then --auth azure-pipelines)\n\
             # Tokens live {ttl} s (--token-ttl).\n\
             # These are demo credentials for this local emulator only. They are not secrets and work nowhere else.\n",
            admin_token = self.issue_token(AZURE_CLI_CLIENT_ID),
            actions_url = self.actions_id_token_request_url(),
            actions_token = c.actions_request_token,
            ado_uri = self.system_oidc_request_uri(),
            ado_token = c.azure_devops_access_token,
            ado_connection = DEMO_SERVICE_CONNECTION_ID,
            fed_iss = DEMO_FEDERATION_ISSUER,
            fed_sub = DEMO_FEDERATION_SUBJECT,
            fed_aud = DEMO_FEDERATION_AUDIENCE,
            header = c.identity_header,
            arc = match &c.arc_key_dir {
                Some(dir) => format!(
                    "#   managed identity (Azure Arc, debug builds of ep): export IMDS_ENDPOINT={url} \
                     IDENTITY_ENDPOINT={url}/metadata/identity/oauth2/token EP_TEST_ARC_KEY_DIR={}\n",
                    dir.display(),
                    url = self.url
                ),
                None => String::new(),
            },
            ttl = c.token_ttl.as_secs(),
            url = self.url,
            knobs = knobs_line(c),
            packages = c.packages.max(2),
            seed = c.seed,
            tenant = DEMO.tenant_id,
            client = DEMO.client_id,
            secret = DEMO.client_secret,
            reader = DEMO.reader_client_id,
            reader_secret = DEMO.reader_client_secret,
        )
    }

    /// Stops accepting connections, lets in-flight calls finish and waits for the server.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

/// One line that says which knobs are in effect, so a benchmark log shows its conditions.
fn knobs_line(c: &EmulatorConfig) -> String {
    let rate = c
        .rate
        .map_or_else(|| "off".to_string(), |r| format!("{r}/s burst {}", c.burst));
    let audit = c.audit_rate.map_or_else(
        || "off".to_string(),
        |r| format!("{r}/s burst {}", c.audit_burst),
    );
    format!(
        "knobs: latency {}ms, rate {rate}, page size {}, paging {}, live changes {}, faults {} ({}, on {}), resets {}, lost acks {}, retry-after {}, catalog-scoped {}, settle {}ms, refail {} ({}), trial window {}ms, reprocess window {}d, batch writes {}, audit log rate {audit}, audit correlation {}, beta resource roles {}",
        c.latency.as_millis(),
        c.page_size,
        c.paging.as_str(),
        if c.live_changes == 0 {
            "off".to_string()
        } else {
            format!(
                "{} (every {} listing pages)",
                c.live_changes,
                c.live_every.max(1)
            )
        },
        c.fault_rate,
        if c.fault_html {
            "502 html"
        } else {
            "503/504 json"
        },
        c.fault_scope.as_str(),
        c.fault_reset,
        c.lost_ack,
        c.retry_after.as_str(),
        if c.catalog_scoped { "on" } else { "off" },
        c.settle.as_millis(),
        c.refail_rate,
        if c.visible_refail {
            "via delivering"
        } else {
            "state unchanged"
        },
        c.trial_window.as_millis(),
        c.reprocess_window_days,
        match (c.lenient_batch_writes, c.batch_refuses_writes) {
            (_, true) => "refused",
            (true, false) => "lenient",
            (false, false) => "need body + Content-Type",
        },
        c.audit_correlation.as_str(),
        if c.resource_roles_unavailable {
            "unavailable"
        } else if c.resource_roles_forbidden {
            "forbidden"
        } else {
            "served"
        },
    )
}

/// The catalog hidden by `catalog_scoped`: "Partners" (another team manages the partner
/// packages), or, if no package lives there, the last package's catalog — so that something
/// is always hidden.
fn hidden_catalog(store: &Store) -> Option<usize> {
    let partners = store
        .catalogs
        .iter()
        .position(|c| c.display_name == "Partners");
    match partners {
        Some(i) if store.packages.iter().any(|p| p.catalog_idx == i) => Some(i),
        _ => store.packages.last().map(|p| p.catalog_idx),
    }
}

async fn admin_calls(State(shared): State<Arc<Shared>>) -> Response {
    let calls = shared
        .calls
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    axum::Json(calls).into_response()
}

async fn admin_requests(State(shared): State<Arc<Shared>>) -> Response {
    axum::Json(shared.snapshot()).into_response()
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(conn): ConnectInfo<ConnHandle>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !shared.config.latency.is_zero() {
        tokio::time::sleep(shared.config.latency).await;
    }
    let path = odata::percent_decode_path(uri.path());
    let query = uri.query();
    let header_list: Vec<(String, String)> = headers
        .iter()
        .filter_map(|(k, v)| {
            v.to_str()
                .ok()
                .map(|v| (k.as_str().to_string(), v.to_string()))
        })
        .collect();
    let metadata = headers.get("metadata").and_then(|v| v.to_str().ok());
    let slot = shared.record_arrival(method.as_str(), &path, query, false, metadata);
    let batch_call = path
        .trim_end_matches('/')
        .to_ascii_lowercase()
        .ends_with("/$batch");
    if method != axum::http::Method::GET && !batch_call {
        shared.record_body(slot, &body);
    }
    let call = routes::Call {
        method: method.as_str(),
        path: &path,
        query,
        headers: &header_list,
        body: &body,
    };
    let handled = routes::top_level(&shared, &call, &body);
    match handled.delivery {
        Delivery::Answer => {
            shared.record_reply(slot, &handled.reply);
            into_response(handled.reply)
        }
        Delivery::Reset => {
            shared.record_status(slot, STATUS_RESET);
            shared.record_dropped(&[slot]);
            conn.drop_connection();
            // Never sent: the connection fails before hyper writes a byte.
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        Delivery::LostAck => {
            shared.record_status(slot, handled.reply.status);
            let mut slots = handled.sub_slots;
            slots.push(slot);
            shared.record_dropped(&slots);
            conn.drop_connection();
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn into_response(reply: Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = match (&reply.text, &reply.body) {
        (Some(t), _) => Body::from(t.clone()),
        // Serialising a `serde_json::Value` cannot fail (all keys are strings).
        (None, Some(v)) => Body::from(serde_json::to_vec(v).unwrap_or_default()),
        (None, None) => Body::empty(),
    };
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    for (k, v) in &reply.headers {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(k.as_str()), HeaderValue::from_str(v))
        {
            h.insert(name, value);
        }
    }
    response
}

/// `Retry-After` in milliseconds: seconds (possibly fractional) or an HTTP date.
fn retry_after_millis(value: &str) -> Option<u64> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| (secs * 1000.0).round() as u64);
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.with_timezone(&Utc) - Utc::now();
    Some(u64::try_from(wait.num_milliseconds()).unwrap_or(0))
}
