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
//! emu.shutdown().await;
//! ```

mod assertion;
mod filter;
mod identity;
mod model;
mod odata;
mod routes;
mod seed;
mod throttle;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Timelike, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use model::Store;
use odata::Reply;
use seed::{SplitMix64, mix64};
use throttle::{FaultInjector, TokenBucket};

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
    /// Maximum items per page.
    pub page_size: usize,
    /// How long a reprocessed request stays `delivering`.
    pub settle: Duration,
    /// Share of reprocessed requests that end `deliveryFailed` again.
    pub refail_rate: f64,
    /// Lifetime of issued access tokens.
    pub token_ttl: Duration,
    /// Act like a stricter server: 400 for `$filter` combining clauses with and/or.
    pub strict_filters: bool,
    /// Certificates uploaded to app registrations: `(client id, PEM certificate)`. Client
    /// assertions are verified against these.
    pub client_certificates: Vec<(String, String)>,
    /// Federated credentials: which external tokens may stand in for an app.
    pub federated_credentials: Vec<FederatedCredential>,
    /// The device-code endpoint's `interval` (seconds between polls).
    pub device_code_interval: u64,
    /// The App Service managed-identity secret (`IDENTITY_HEADER`).
    pub identity_header: String,
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

fn demo_federation() -> FederatedCredential {
    FederatedCredential {
        client_id: DEMO.client_id.to_string(),
        issuer: DEMO_FEDERATION_ISSUER.to_string(),
        subject: DEMO_FEDERATION_SUBJECT.to_string(),
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
            page_size: 50,
            settle: Duration::from_secs(3),
            refail_rate: 0.1,
            token_ttl: Duration::from_secs(3600),
            strict_filters: false,
            client_certificates: Vec::new(),
            federated_credentials: vec![demo_federation()],
            device_code_interval: 5,
            identity_header: DEMO_IDENTITY_HEADER.to_string(),
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
    /// Final status (0 only while the call is still being handled).
    pub status: u16,
    pub in_batch: bool,
    pub at: DateTime<Utc>,
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
}

/// State shared by all connections.
pub(crate) struct Shared {
    config: EmulatorConfig,
    base_url: String,
    store: Mutex<Store>,
    calls: Mutex<Vec<RecordedCall>>,
    issuer: identity::TokenIssuer,
    bucket: Option<Mutex<TokenBucket>>,
    faults: Mutex<FaultInjector>,
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
    ) -> usize {
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        calls.push(RecordedCall {
            method: method.to_string(),
            path: path.to_string(),
            query: query.map(str::to_string),
            status: 0,
            in_batch,
            at: Utc::now(),
        });
        calls.len() - 1
    }

    fn record_status(&self, slot: usize, status: u16) {
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = calls.get_mut(slot) {
            c.status = status;
        }
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
                    reprocess_calls: r.reprocess_calls,
                }
            })
            .collect()
    }
}

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
        // Whole seconds, so that `now - age` keeps exactly the fractional digits chosen by
        // the seed. The fallback can only trigger on a leap second and is harmless.
        let now = Utc::now();
        let now = now.with_nanosecond(0).unwrap_or(now);
        let store = seed::build(config.seed, config.requests, config.packages, now);
        let identity = identity::IdentityConfig {
            certificates: config
                .client_certificates
                .iter()
                .map(|(id, pem)| assertion::TrustedCertificate::from_pem(id, pem))
                .collect::<anyhow::Result<_>>()?,
            federations: config.federated_credentials.clone(),
            device_code_interval: config.device_code_interval.max(1),
            identity_header: config.identity_header.clone(),
        };
        let shared = Arc::new(Shared {
            base_url: url.clone(),
            store: Mutex::new(store),
            calls: Mutex::new(Vec::new()),
            issuer: identity::TokenIssuer::with_identity(config.token_ttl, identity),
            bucket: config
                .rate
                .map(|r| Mutex::new(TokenBucket::new(r, config.burst, Instant::now()))),
            faults: Mutex::new(FaultInjector::new(config.fault_rate, config.seed)),
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

    /// Ground truth for test oracles.
    pub fn requests_snapshot(&self) -> Vec<SeededRequest> {
        self.shared.snapshot()
    }

    /// Mints a valid access token for `client_id` (with that app's roles; none if unknown).
    pub fn issue_token(&self, client_id: &str) -> String {
        self.shared.issuer.mint(client_id, Utc::now())
    }

    /// Every access token, refresh token and device code issued so far: what must never
    /// appear in ep's output.
    pub fn issued_secrets(&self) -> Vec<String> {
        self.shared.issuer.issued_secrets()
    }

    /// What `ep emulator` prints on start.
    pub fn usage_text(&self) -> String {
        let c = &self.shared.config;
        format!(
            "# ep Graph emulator on {url} ({requests} requests, {packages} access packages, seed {seed})\n\
             export EP_GRAPH_URL={url}\n\
             export AZURE_AUTHORITY_HOST={url}\n\
             export AZURE_TENANT_ID={tenant}\n\
             export AZURE_CLIENT_ID={client}\n\
             export AZURE_CLIENT_SECRET={secret}\n\
             # Read-only client (EntitlementManagement.Read.All; reprocess answers 403):\n\
             #   export AZURE_CLIENT_ID={reader} AZURE_CLIENT_SECRET={reader_secret}\n\
             #\n\
             # Other sign-ins (unset AZURE_CLIENT_SECRET first, or pick one with --auth):\n\
             #   certificate: start with --client-certificate cert.pem, then\n\
             #     export AZURE_CLIENT_CERTIFICATE_PATH=key-and-cert.pem   (--assertion-alg rs256 for RS256 + x5t)\n\
             #   workload identity: a JWT with iss={fed_iss} sub={fed_sub} aud={fed_aud}\n\
             #     (unsigned is accepted here) in a file: export AZURE_FEDERATED_TOKEN_FILE=token.jwt\n\
             #   managed identity (App Service): export IDENTITY_ENDPOINT={url}/msi/token IDENTITY_HEADER={header}\n\
             #   managed identity (IMDS): export IMDS_ENDPOINT={url}; ep --auth managed-identity ...\n\
             #   device code: ep auth login   (completes by itself after two polls; then --auth device-code)\n\
             # Tokens live {ttl} s (--token-ttl).\n\
             # These are demo credentials for this local emulator only. They are not secrets and work nowhere else.\n",
            fed_iss = DEMO_FEDERATION_ISSUER,
            fed_sub = DEMO_FEDERATION_SUBJECT,
            fed_aud = DEMO_FEDERATION_AUDIENCE,
            header = c.identity_header,
            ttl = c.token_ttl.as_secs(),
            url = self.url,
            requests = c.requests,
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
    let slot = shared.record_arrival(method.as_str(), &path, query, false);
    let call = routes::Call {
        method: method.as_str(),
        path: &path,
        query,
        headers: &header_list,
    };
    let reply = routes::top_level(&shared, &call, &body);
    shared.record_status(slot, reply.status);
    into_response(reply)
}

fn into_response(reply: Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = match &reply.body {
        // Serialising a `serde_json::Value` cannot fail (all keys are strings).
        Some(v) => Body::from(serde_json::to_vec(v).unwrap_or_default()),
        None => Body::empty(),
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
