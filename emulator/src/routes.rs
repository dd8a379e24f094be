//! Request handling: routing, auth, throttling, faults, the entitlement-management handlers and
//! `$batch`. Everything here is synchronous and independent of axum, so a `$batch`
//! sub-request goes through exactly the same code as a top-level call.

use std::collections::HashSet;
use std::time::Instant;

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use serde_json::{Map, Value, json};

use super::callback;
use super::ci_oidc;
use super::delivery_routes::{self, ThrottleScope};
use super::filter::{self, Schema};
use super::identity::{self, ROLE_READ, ROLE_READ_WRITE, TokenInfo, TokenRejection};
use super::model::{
    ApiVersion, Churn, Expand, PendingReprocess, RenderOptions, RequestState, Store,
    format_timestamp, package_properties, render_package, render_request, request_properties,
};
use super::odata::{
    CallIds, GraphError, QueryOptions, Reply, error_reply, parse_query, percent_decode_path,
    split_list,
};
use super::paging::page;
use super::seed::{SplitMix64, hash_parts};
use super::throttle::{Admission, Fault, fault_retry_after};
use super::{EmulatorConfig, Shared};

const EM: [&str; 2] = ["identityGovernance", "entitlementManagement"];
const MAX_BATCH: usize = 20;

/// One HTTP call as the handlers see it. Header names are lowercase.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call<'a> {
    pub(crate) method: &'a str,
    /// Percent-decoded path, e.g. `/v1.0/identityGovernance/...`.
    pub(crate) path: &'a str,
    pub(crate) query: Option<&'a str>,
    pub(crate) headers: &'a [(String, String)],
    /// The request body (empty when there was none); for a `$batch` sub-request, its `body`.
    pub(crate) body: &'a [u8],
}

impl Call<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// How a top-level call ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivery {
    /// Send the reply.
    Answer,
    /// Reset the connection; nothing was done (`fault_reset`).
    Reset,
    /// The work was done; reset the connection instead of answering (`lost_ack`).
    LostAck,
}

/// A handled top-level call.
#[derive(Debug)]
pub(crate) struct Handled {
    pub(crate) reply: Reply,
    pub(crate) delivery: Delivery,
    /// Recorded slots of `$batch` sub-requests, to mark them dropped with their batch.
    pub(crate) sub_slots: Vec<usize>,
}

impl Handled {
    fn answer(reply: Reply) -> Handled {
        Handled {
            reply,
            delivery: Delivery::Answer,
            sub_slots: Vec::new(),
        }
    }
}

/// Entry point for every top-level HTTP call except the admin routes.
pub(crate) fn top_level(shared: &Shared, call: &Call<'_>, body: &[u8]) -> Handled {
    let segments: Vec<&str> = call.path.trim_matches('/').split('/').collect();
    if segments.len() == 4
        && segments[1].eq_ignore_ascii_case("oauth2")
        && segments[2].eq_ignore_ascii_case("v2.0")
        && segments[3].eq_ignore_ascii_case("token")
    {
        // The identity platform is another service: Graph's connection faults spare it.
        return Handled::answer(token(shared, call, segments[0], body));
    }
    if segments.len() == 4
        && segments[1].eq_ignore_ascii_case("oauth2")
        && segments[2].eq_ignore_ascii_case("v2.0")
        && segments[3].eq_ignore_ascii_case("devicecode")
    {
        return Handled::answer(device_code(shared, call, segments[0], body));
    }
    if let Some(issuer) = ci_oidc::route(call.path) {
        // Another service again: GitHub's or Azure DevOps' token issuer, not Graph.
        let ci_call = ci_oidc::CiCall {
            method: call.method,
            path: call.path,
            query: call.query,
            authorization: call.header("authorization"),
            fed_auth_redirect: call.header("x-tfs-fedauthredirect"),
        };
        return Handled::answer(ci_oidc::handle(shared, issuer, &ci_call, Utc::now()));
    }
    let flavor = match call.path.trim_end_matches('/') {
        "/msi/token" => Some(identity::ManagedIdentityFlavor::AppService),
        // The Arc agent serves the IMDS path on its own port; one emulator plays one machine.
        "/metadata/identity/oauth2/token" if shared.config.arc_key_dir.is_some() => {
            Some(identity::ManagedIdentityFlavor::Arc)
        }
        "/metadata/identity/oauth2/token" => Some(identity::ManagedIdentityFlavor::Imds),
        _ => None,
    };
    if let Some(flavor) = flavor {
        return Handled::answer(managed_identity(shared, call, flavor));
    }
    // Decided before anything else, so a reset call has no effect at all.
    if shared.roll_reset() {
        return Handled {
            reply: Reply::empty(0),
            delivery: Delivery::Reset,
            sub_slots: Vec::new(),
        };
    }
    if segments.len() == 2
        && segments[1].eq_ignore_ascii_case("$batch")
        && let Some(version) = parse_version(segments[0])
    {
        let ran = batch(shared, call, version, body);
        // Every sub-request has run (and been recorded); only the answer can still be lost.
        let delivery = if ran.has_reprocess && shared.roll_lost_ack() {
            Delivery::LostAck
        } else {
            Delivery::Answer
        };
        return Handled {
            reply: ran.reply,
            delivery,
            sub_slots: ran.sub_slots,
        };
    }
    let reply = graph_call(shared, call, false);
    let delivery = if is_lossy_action(call.method, call.path) && shared.roll_lost_ack() {
        Delivery::LostAck
    } else {
        Delivery::Answer
    };
    Handled {
        reply,
        delivery,
        sub_slots: Vec::new(),
    }
}

/// `POST …/{id}/reprocess` or `…/resume`, by shape only: the actions a lost acknowledgement
/// applies to (performed, then the answer is lost).
fn is_lossy_action(method: &str, path: &str) -> bool {
    method.eq_ignore_ascii_case("POST")
        && path
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .is_some_and(|last| {
                last.eq_ignore_ascii_case("reprocess") || last.eq_ignore_ascii_case("resume")
            })
}

/// What an HTML error page from a proxy in front of Graph looks like (Azure Front Door style):
/// no OData body, no `request-id`, just a reference.
fn proxy_bad_gateway(shared: &Shared, now: DateTime<Utc>) -> Reply {
    let reference = shared.new_guid();
    let page = format!(
        "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n\
         <body><h1>502 Bad Gateway</h1>\n\
         <p>The server encountered a temporary error and could not complete your request.</p>\n\
         <p>Please try again in 30 seconds.</p>\n\
         <p>Ref A: {reference} Ref B: AMS231000000000 Ref C: {}</p>\n\
         </body></html>\n",
        now.format("%Y-%m-%dT%H:%M:%SZ")
    );
    let mut reply = Reply::html(502, page);
    reply.set_header("x-azure-ref", reference);
    reply
}

fn token(shared: &Shared, call: &Call<'_>, tenant: &str, body: &[u8]) -> Reply {
    let request_id = shared.new_guid();
    let mut reply = if call.method.eq_ignore_ascii_case("POST") {
        let r = identity::token_endpoint(
            &shared.issuer,
            tenant,
            call.header("authorization"),
            body,
            &shared.base_url,
            Utc::now(),
        );
        let mut reply = Reply::empty(r.status);
        reply.body = Some(r.body);
        reply.set_header("Content-Type", "application/json; charset=utf-8".into());
        reply.set_header("Cache-Control", "no-store, no-cache".into());
        reply
    } else {
        let mut reply = Reply::empty(405);
        reply.set_header("Allow", "POST".into());
        reply
    };
    reply.set_header("x-ms-request-id", request_id.clone());
    reply.set_header("request-id", request_id);
    reply
}

fn identity_reply(r: identity::TokenResponse) -> Reply {
    let mut reply = Reply::empty(r.status);
    reply.body = Some(r.body);
    reply.set_header("Content-Type", "application/json; charset=utf-8".into());
    reply.set_header("Cache-Control", "no-store, no-cache".into());
    for (name, value) in r.headers {
        reply.set_header(name, value);
    }
    reply
}

fn device_code(shared: &Shared, call: &Call<'_>, tenant: &str, body: &[u8]) -> Reply {
    if !call.method.eq_ignore_ascii_case("POST") {
        let mut reply = Reply::empty(405);
        reply.set_header("Allow", "POST".into());
        return reply;
    }
    let mut reply = identity_reply(identity::device_code_endpoint(
        &shared.issuer,
        tenant,
        body,
        &shared.base_url,
        Utc::now(),
    ));
    reply.set_header("x-ms-request-id", shared.new_guid());
    reply
}

fn managed_identity(
    shared: &Shared,
    call: &Call<'_>,
    flavor: identity::ManagedIdentityFlavor,
) -> Reply {
    if !call.method.eq_ignore_ascii_case("GET") {
        let mut reply = Reply::empty(405);
        reply.set_header("Allow", "GET".into());
        return reply;
    }
    identity_reply(identity::managed_identity_endpoint(
        &shared.issuer,
        flavor,
        call.query,
        identity::ManagedIdentityHeaders {
            metadata: call.header("metadata"),
            identity_header: call.header("x-identity-header"),
            authorization: call.header("authorization"),
        },
        &shared.base_url,
        Utc::now(),
    ))
}

fn parse_version(segment: &str) -> Option<ApiVersion> {
    if segment.eq_ignore_ascii_case("v1.0") {
        Some(ApiVersion::V1)
    } else if segment.eq_ignore_ascii_case("beta") {
        Some(ApiVersion::Beta)
    } else {
        None
    }
}

/// A Graph call (top level or inside `$batch`): faults, throttling, auth, then routing.
pub(crate) fn graph_call(shared: &Shared, call: &Call<'_>, in_batch: bool) -> Reply {
    let now = Utc::now();
    let request_id = shared.new_guid();
    let ids = CallIds {
        client_request_id: call
            .header("client-request-id")
            .map_or_else(|| request_id.clone(), str::to_string),
        request_id,
    };
    let fault = if shared.config.fault_scope.covers(in_batch) {
        shared.faults.lock().ok().and_then(|mut f| f.next())
    } else {
        None
    };
    if fault.is_some() && shared.config.fault_html && !in_batch {
        return proxy_bad_gateway(shared, now);
    }
    let mut limit_percentage = None;
    let scope = delivery_routes::throttle_scope(call.path);
    let outcome = admit(shared, fault, scope, &mut limit_percentage, now).and_then(|()| {
        if in_batch
            && call
                .path
                .trim_end_matches('/')
                .to_ascii_lowercase()
                .ends_with("/$batch")
        {
            return Err(GraphError::bad_request(
                "Nested $batch requests are not supported.",
            ));
        }
        route(shared, call, now)
    });
    let mut reply = match outcome {
        Ok(r) => r,
        Err(e) => error_reply(&e, &ids, now),
    };
    if reply.status < 400
        && let Some(p) = limit_percentage
    {
        reply.set_header("x-ms-throttle-limit-percentage", format!("{p}"));
    }
    reply.set_header("request-id", ids.request_id);
    reply.set_header("client-request-id", ids.client_request_id);
    reply
}

/// Faults first (drawn before anything else happens), then the token bucket of the path's
/// throttle scope.
fn admit(
    shared: &Shared,
    fault: Option<Fault>,
    scope: ThrottleScope,
    limit_percentage: &mut Option<f64>,
    now: DateTime<Utc>,
) -> Result<(), GraphError> {
    match fault {
        Some(Fault::ServiceUnavailable { retry_after }) => {
            let e = GraphError::new(
                503,
                "serviceNotAvailable",
                "The service is temporarily unavailable. Please retry later.",
            );
            return Err(
                match fault_retry_after(shared.config.retry_after, retry_after, now) {
                    Some(s) => e.with_header("Retry-After", s),
                    None => e,
                },
            );
        }
        Some(Fault::GatewayTimeout) => {
            return Err(GraphError::new(
                504,
                "GatewayTimeout",
                "The gateway did not receive a response from the backend service in time.",
            ));
        }
        None => {}
    }
    let bucket = match scope {
        ThrottleScope::Default => &shared.bucket,
        ThrottleScope::AuditLog => &shared.audit_bucket,
    };
    if let Some(bucket) = bucket {
        let admission = bucket
            .lock()
            .map(|mut b| b.admit(Instant::now(), now))
            .unwrap_or(Admission::Allowed {
                limit_percentage: None,
            });
        match admission {
            Admission::Allowed {
                limit_percentage: p,
            } => *limit_percentage = p,
            Admission::Throttled { retry_after, .. } => {
                let e = GraphError::new(429, "TooManyRequests", "Please retry again later.");
                return Err(match retry_after {
                    Some(r) => e.with_header("Retry-After", r),
                    None => e,
                });
            }
        }
    }
    Ok(())
}

pub(crate) fn not_found_segment(segment: &str) -> GraphError {
    GraphError::new(
        404,
        "BadRequest",
        format!("Resource not found for the segment '{segment}'."),
    )
}

fn method_not_allowed() -> GraphError {
    GraphError::new(
        405,
        "Request_BadRequest",
        "Specified HTTP method is not allowed for the request target.",
    )
}

fn authenticate(
    shared: &Shared,
    call: &Call<'_>,
    now: DateTime<Utc>,
) -> Result<TokenInfo, GraphError> {
    shared.issuer.check(call.header("authorization"), now).map_err(|r| {
        let message = match r {
            TokenRejection::Missing => "Access token is empty.",
            TokenRejection::Expired => "Access token has expired or is not yet valid.",
            TokenRejection::Unknown => "Access token validation failure. Invalid audience or signature.",
        };
        GraphError::new(401, "InvalidAuthenticationToken", message).with_header(
            "WWW-Authenticate",
            format!(
                "Bearer realm=\"\", authorization_uri=\"{}/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
                shared.base_url
            ),
        )
    })
}

pub(crate) fn require_role(token: &TokenInfo, roles: &[&str]) -> Result<(), GraphError> {
    if roles.iter().any(|r| token.has_role(r)) {
        Ok(())
    } else {
        Err(denied())
    }
}

/// The answer to a caller without a role on the target: a missing app permission, or (with
/// `catalog_scoped`) a catalog the caller holds no role in. Like Graph, it does not say which
/// and does not hide that the object exists (403, not 404).
pub(crate) fn denied() -> GraphError {
    GraphError::new(
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges to complete the operation.",
    )
}

/// A catalog-scoped caller asked for requests without `accessPackage/id eq`, which Graph says
/// such callers must send. Which status it answers is undocumented: 403 or 400.
fn catalog_refusal(config: &EmulatorConfig) -> GraphError {
    match config.catalog_refusal {
        400 => GraphError::bad_request(
            "Invalid filter clause: callers with roles in specific catalogs must filter by accessPackage/id.",
        ),
        _ => denied(),
    }
}

/// Whether the caller may see objects of package `idx` (always, unless `catalog_scoped`).
pub(crate) fn package_visible(shared: &Shared, store: &Store, idx: usize) -> bool {
    shared.hidden_catalog.is_none_or(|hidden| {
        store
            .packages
            .get(idx)
            .is_some_and(|p| p.catalog_idx != hidden)
    })
}

/// The package an `accessPackage/id eq '…'` clause (alone or and-ed) restricts a filter to.
fn package_constraint(e: &filter::Expr) -> Option<String> {
    use filter::{CmpOp, Expr, Literal, Operand};
    match e {
        Expr::And(a, b) => package_constraint(a).or_else(|| package_constraint(b)),
        Expr::Cmp(
            Operand::Prop(p),
            CmpOp::Eq,
            Operand::Lit(Literal::Str(v) | Literal::Guid(v)),
        ) if p == "accessPackage/id" => Some(v.clone()),
        _ => None,
    }
}

pub(crate) fn eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Which collection a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Collection {
    Requests,
    Packages,
    Catalogs,
    /// beta only: the assignments, for their resource roles.
    Assignments,
}

fn route(shared: &Shared, call: &Call<'_>, now: DateTime<Utc>) -> Result<Reply, GraphError> {
    let segments: Vec<&str> = call.path.trim_matches('/').split('/').collect();
    let Some(version) = segments.first().and_then(|s| parse_version(s)) else {
        return Err(not_found_segment(segments.first().copied().unwrap_or("")));
    };
    let token = authenticate(shared, call, now)?;
    let rest = &segments[1..];
    if rest.first().is_some_and(|s| eq(s, "auditLogs")) {
        return delivery_routes::audit_logs(shared, call, version, &rest[1..], &token);
    }
    if rest.first().is_some_and(|s| super::directory::handles(s)) {
        return super::directory::route(shared, call, version, rest, &token, now);
    }
    for (i, want) in EM.iter().enumerate() {
        match rest.get(i) {
            Some(s) if eq(s, want) => {}
            Some(s) => return Err(not_found_segment(s)),
            None => return Err(not_found_segment(segments.last().copied().unwrap_or(""))),
        }
    }
    let Some(coll_name) = rest.get(2) else {
        // The entitlementManagement singleton itself is not emulated.
        return Err(not_found_segment(EM[1]));
    };
    let Some(collection) = collection_of(version, coll_name) else {
        return Err(not_found_segment(coll_name));
    };
    // The collection path as the client spelled it, for nextLink and @odata.context.
    let collection_path = format!("/{}/{}/{}/{}", version.segment(), EM[0], EM[1], coll_name);
    let context_base = format!(
        "{}/{}/$metadata#{}/{}/{}",
        shared.base_url,
        version.segment(),
        EM[0],
        EM[1],
        coll_name
    );
    let method = call.method.to_ascii_uppercase();
    match (collection, &rest[3..], method.as_str()) {
        (Collection::Requests, [], "GET") => {
            require_role(&token, &[ROLE_READ, ROLE_READ_WRITE])?;
            list_requests(shared, call, version, &collection_path, &context_base, now)
        }
        (Collection::Requests, [id], "GET") => {
            require_role(&token, &[ROLE_READ, ROLE_READ_WRITE])?;
            get_request(shared, call, version, id, &context_base, now)
        }
        (Collection::Requests, [id, action], "POST") if eq(action, "reprocess") => {
            require_role(&token, &[ROLE_READ_WRITE])?;
            reprocess(shared, id, now)
        }
        (Collection::Requests, [id, action], "POST") if eq(action, "resume") => {
            require_role(&token, &[ROLE_READ_WRITE])?;
            resume(shared, call, id, now)
        }
        (Collection::Packages, [], "GET") => {
            require_role(&token, &[ROLE_READ, ROLE_READ_WRITE])?;
            list_packages(shared, call, version, &collection_path, &context_base)
        }
        (Collection::Packages, [id], "GET") => {
            require_role(&token, &[ROLE_READ, ROLE_READ_WRITE])?;
            get_package(shared, call, version, id, &context_base)
        }
        (Collection::Catalogs, [id, nav], "GET") if eq(nav, catalog_resources_nav(version)) => {
            let path = format!("{collection_path}/{id}/{nav}");
            let context = format!("{context_base}('{id}')/{nav}");
            delivery_routes::catalog_resources(shared, call, version, id, &path, &context, &token)
        }
        (Collection::Assignments, [id, nav], "GET")
            if eq(nav, "accessPackageAssignmentResourceRoles") =>
        {
            let context = format!("{context_base}('{id}')/{nav}");
            delivery_routes::assignment_resource_roles(shared, call, id, &context, &token)
        }
        (Collection::Catalogs | Collection::Assignments, [] | [_], _) => {
            Err(not_found_segment(coll_name))
        }
        (Collection::Requests, [_, action], _)
            if eq(action, "reprocess") || eq(action, "resume") =>
        {
            Err(method_not_allowed())
        }
        (_, [] | [_], _) => Err(method_not_allowed()),
        (_, [_, seg, ..], _) => Err(not_found_segment(seg)),
    }
}

/// The collection a path segment names, in this version.
fn collection_of(version: ApiVersion, name: &str) -> Option<Collection> {
    let beta = version == ApiVersion::Beta;
    if eq(name, "assignmentRequests") || (beta && eq(name, "accessPackageAssignmentRequests")) {
        Some(Collection::Requests)
    } else if eq(name, "accessPackages") {
        Some(Collection::Packages)
    } else if (!beta && eq(name, "catalogs")) || (beta && eq(name, "accessPackageCatalogs")) {
        Some(Collection::Catalogs)
    } else if beta && eq(name, "accessPackageAssignments") {
        Some(Collection::Assignments)
    } else {
        None
    }
}

/// A catalog's resources, per version.
fn catalog_resources_nav(version: ApiVersion) -> &'static str {
    match version {
        ApiVersion::V1 => "resources",
        ApiVersion::Beta => "accessPackageResources",
    }
}

fn is_guid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::try_parse(s).is_ok()
}

fn require_guid(id: &str, what: &str) -> Result<(), GraphError> {
    if is_guid(id) {
        Ok(())
    } else {
        Err(GraphError::bad_request(format!(
            "Invalid {what} id '{id}': the id must be a GUID."
        )))
    }
}

fn parse_request_expand(version: ApiVersion, raw: Option<&str>) -> Result<Expand, GraphError> {
    let mut e = Expand::default();
    let Some(raw) = raw else { return Ok(e) };
    let assignment = match version {
        ApiVersion::V1 => "assignment",
        ApiVersion::Beta => "accessPackageAssignment",
    };
    for item in split_list(raw) {
        let (name, nested) = match item.split_once('(') {
            Some((n, rest)) => (n.trim(), rest),
            None => (item.as_str(), ""),
        };
        if eq(name, "accessPackage") {
            e.access_package = true;
        } else if eq(name, "requestor") {
            e.requestor = true;
            if nested
                .to_ascii_lowercase()
                .contains("connectedorganization")
            {
                e.requestor_connected_org = true;
            }
        } else if eq(name, assignment) {
            e.assignment = true;
        } else if name == "*" {
            e.access_package = true;
            e.requestor = true;
            e.assignment = true;
        } else {
            return Err(GraphError::bad_request(format!(
                "Could not find a property named '{name}' on type 'microsoft.graph.accessPackageAssignmentRequest'."
            )));
        }
    }
    Ok(e)
}

fn parse_package_expand(version: ApiVersion, raw: Option<&str>) -> Result<Expand, GraphError> {
    let mut e = Expand::default();
    let Some(raw) = raw else { return Ok(e) };
    let catalog = match version {
        ApiVersion::V1 => "catalog",
        ApiVersion::Beta => "accessPackageCatalog",
    };
    for item in split_list(raw) {
        let (name, nested) = match item.split_once('(') {
            Some((n, rest)) => (n.trim(), rest),
            None => (item.as_str(), ""),
        };
        if eq(name, catalog) || name == "*" {
            e.catalog = true;
        } else if eq(name, delivery_routes::role_scopes_nav(version)) {
            e.role_scopes = Some(delivery_routes::parse_role_scope_expand(version, nested)?);
        } else {
            return Err(GraphError::bad_request(format!(
                "Could not find a property named '{name}' on type 'microsoft.graph.accessPackage'."
            )));
        }
    }
    Ok(e)
}

/// `$select`: top-level structural properties (nav names are tolerated, `id` is implied).
fn parse_select(
    raw: Option<&str>,
    props: &[&str],
    navs: &[&str],
    type_name: &str,
) -> Result<Option<Vec<String>>, GraphError> {
    let Some(raw) = raw else { return Ok(None) };
    let mut out = Vec::new();
    for item in split_list(raw) {
        if let Some(p) = props.iter().find(|p| eq(p, &item)) {
            out.push((*p).to_string());
        } else if item == "*" {
            return Ok(None);
        } else if !navs.iter().any(|n| eq(n, &item)) {
            return Err(GraphError::bad_request(format!(
                "Could not find a property named '{item}' on type '{type_name}'."
            )));
        }
    }
    Ok(Some(out))
}

pub(crate) fn compile_filter(
    q: &QueryOptions,
    schema: &Schema,
    strict: bool,
) -> Result<Option<filter::Expr>, GraphError> {
    q.filter
        .as_deref()
        .map(|f| filter::compile(f, schema, strict))
        .transpose()
        .map_err(|e| GraphError::bad_request(format!("Invalid filter clause: {}", e.message)))
}

fn request_options(
    call: &Call<'_>,
    version: ApiVersion,
    q: &QueryOptions,
) -> Result<RenderOptions, GraphError> {
    let navs: &[&str] = match version {
        ApiVersion::V1 => &["accessPackage", "requestor", "assignment"],
        ApiVersion::Beta => &["accessPackage", "requestor", "accessPackageAssignment"],
    };
    Ok(RenderOptions {
        version,
        expand: parse_request_expand(version, q.expand.as_deref())?,
        select: parse_select(
            q.select.as_deref(),
            request_properties(version),
            navs,
            "microsoft.graph.accessPackageAssignmentRequest",
        )?,
        include_unknown_enum_members: call.header("prefer").is_some_and(|p| {
            p.to_ascii_lowercase()
                .contains("include-unknown-enum-members")
        }),
    })
}

fn package_options(version: ApiVersion, q: &QueryOptions) -> Result<RenderOptions, GraphError> {
    let navs: &[&str] = match version {
        ApiVersion::V1 => &["catalog"],
        ApiVersion::Beta => &["accessPackageCatalog"],
    };
    Ok(RenderOptions {
        version,
        expand: parse_package_expand(version, q.expand.as_deref())?,
        select: parse_select(
            q.select.as_deref(),
            package_properties(version),
            navs,
            "microsoft.graph.accessPackage",
        )?,
        include_unknown_enum_members: false,
    })
}

fn list_requests(
    shared: &Shared,
    call: &Call<'_>,
    version: ApiVersion,
    collection_path: &str,
    context: &str,
    now: DateTime<Utc>,
) -> Result<Reply, GraphError> {
    // The tenant changes whether or not the client's query is any good.
    shared.live_tick(now);
    let q = parse_query(call.query)?;
    let opts = request_options(call, version, &q)?;
    let schema = match version {
        ApiVersion::V1 => &filter::V1_REQUEST,
        ApiVersion::Beta => &filter::BETA_REQUEST,
    };
    let expr = compile_filter(&q, schema, shared.config.strict_filters)?;
    if shared.config.refuse_state_filter
        && q.filter
            .as_deref()
            .is_some_and(|f| f.to_ascii_lowercase().contains("state"))
    {
        return Err(GraphError::bad_request(
            "Invalid filter clause: filtering on state is not supported.",
        ));
    }
    let mut store = shared.lock_store();
    store.settle_all(now);
    let store = &*store;
    if shared.hidden_catalog.is_some() {
        // A catalog-scoped caller may only list one package at a time, and only a visible one.
        let Some(package_id) = expr.as_ref().and_then(package_constraint) else {
            return Err(catalog_refusal(&shared.config));
        };
        if let Some(idx) = store.packages.iter().position(|p| eq(&p.id, &package_id))
            && !package_visible(shared, store, idx)
        {
            return Err(denied());
        }
    }
    page(
        shared,
        &q,
        collection_path,
        context,
        &store.requests,
        store.churn(),
        |r| {
            package_visible(shared, store, r.package_idx)
                && expr.as_ref().is_none_or(|e| {
                    filter::eval(e, &|p| match p {
                        "state" => filter::Value::Text(r.state.v1().into()),
                        "requestState" => filter::Value::Text(r.state.beta().into()),
                        "createdDateTime" => filter::Value::DateTime(Some(r.created)),
                        "accessPackage/id" => filter::Value::Text(
                            store
                                .packages
                                .get(r.package_idx)
                                .map(|p| p.id.clone())
                                .unwrap_or_default(),
                        ),
                        "id" => filter::Value::Text(r.id.clone()),
                        _ => filter::Value::Text(String::new()),
                    })
                })
        },
        |r| {
            let mut o = render_request(store, r, &opts);
            delivery_routes::patch_request(shared, &r.id, &mut o);
            callback::patch_request(r, &mut o);
            o
        },
    )
}

fn get_request(
    shared: &Shared,
    call: &Call<'_>,
    version: ApiVersion,
    id: &str,
    context: &str,
    now: DateTime<Utc>,
) -> Result<Reply, GraphError> {
    require_guid(id, "accessPackageAssignmentRequest")?;
    let q = parse_query(call.query)?;
    let opts = request_options(call, version, &q)?;
    let mut store = shared.lock_store();
    store.settle_all(now);
    let r = store
        .find_request(id)
        .and_then(|i| store.requests.get(i))
        .ok_or_else(|| request_not_found(id))?;
    if !package_visible(shared, &store, r.package_idx) {
        return Err(denied());
    }
    let mut obj = Map::new();
    obj.insert("@odata.context".into(), json!(format!("{context}/$entity")));
    obj.extend(render_request(&store, r, &opts));
    delivery_routes::patch_request(shared, &r.id, &mut obj);
    callback::patch_request(r, &mut obj);
    Ok(Reply::json(200, Value::Object(obj)))
}

/// `POST …/{id}/resume`: see [`callback`] for what is checked. 204 when accepted.
fn resume(
    shared: &Shared,
    call: &Call<'_>,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Reply, GraphError> {
    require_guid(id, "accessPackageAssignmentRequest")?;
    let mut store = shared.lock_store();
    store.settle_all(now);
    let idx = store
        .find_request(id)
        .ok_or_else(|| request_not_found(id))?;
    let r = store
        .requests
        .get(idx)
        .ok_or_else(|| request_not_found(id))?;
    if !package_visible(shared, &store, r.package_idx) {
        return Err(denied());
    }
    let (resumed, detail) = callback::check(r, call.header("content-type"), call.body)
        .map_err(|callback::Refusal(message)| GraphError::bad_request(message))?;
    // After the callback, approval (if any) and delivery follow as for a recovering request.
    let plan = pending_plan(&shared.config, now, false);
    store.resume(idx, now, resumed, detail, plan);
    Ok(Reply::empty(204))
}

fn request_not_found(id: &str) -> GraphError {
    GraphError::new(
        404,
        "ResourceNotFound",
        format!("The accessPackageAssignmentRequest with id '{id}' was not found."),
    )
}

fn reprocess(shared: &Shared, id: &str, now: DateTime<Utc>) -> Result<Reply, GraphError> {
    require_guid(id, "accessPackageAssignmentRequest")?;
    let mut store = shared.lock_store();
    store.settle_all(now);
    let idx = store
        .find_request(id)
        .ok_or_else(|| request_not_found(id))?;
    let r = store
        .requests
        .get(idx)
        .ok_or_else(|| request_not_found(id))?;
    if !package_visible(shared, &store, r.package_idx) {
        return Err(denied());
    }
    if r.in_hidden_trial() {
        return Err(repeat_refused(&shared.config, id));
    }
    match r.state {
        RequestState::DeliveryFailed | RequestState::PartiallyDelivered => {}
        RequestState::Delivering => {
            return Err(GraphError::bad_request(format!(
                "The request '{id}' is in state delivering and cannot be reprocessed: it is being processed now. Wait until processing has finished."
            )));
        }
        other => {
            return Err(GraphError::bad_request(format!(
                "The request '{id}' is in state {} and cannot be reprocessed. Only requests in state deliveryFailed or partiallyDelivered can be reprocessed.",
                other.v1()
            )));
        }
    }
    let Some(completed) = r.completed else {
        return Err(GraphError::bad_request(format!(
            "The request '{id}' has no completion date and cannot be reprocessed. Cancel the request and create a new one."
        )));
    };
    // "Within 14 days from the time the original request was completed": exactly 14 days is
    // still inside; a completion time in the future (clock skew) is inside too.
    let window_days = shared.config.reprocess_window_days;
    if now - completed > ChronoDuration::days(window_days) {
        return Err(GraphError::bad_request(format!(
            "The request '{id}' was completed more than {window_days} days ago ({}) and cannot be reprocessed. Ask the user to cancel the request and create a new request in the My Access portal.",
            format_timestamp(completed)
        )));
    }
    let attempt = r.reprocess_calls.to_be_bytes();
    let roll = hash_parts(&[&shared.config.seed.to_be_bytes(), r.id.as_bytes(), &attempt]);
    let refail = ((roll >> 11) as f64 / (1u64 << 53) as f64) < shared.config.refail_rate;
    let plan = pending_plan(&shared.config, now, refail);
    store.begin_reprocess(idx, now, plan);
    Ok(Reply::empty(202))
}

/// How an accepted reprocess unfolds (see [`PendingReprocess`]).
fn pending_plan(config: &EmulatorConfig, now: DateTime<Utc>, refail: bool) -> PendingReprocess {
    let span =
        |d: std::time::Duration| ChronoDuration::from_std(d).unwrap_or(ChronoDuration::zero());
    let settle = span(config.settle);
    if config.visible_refail {
        return PendingReprocess {
            visible_at: Some(now),
            settles_at: now + settle,
            refail,
        };
    }
    if refail {
        return PendingReprocess {
            visible_at: None,
            settles_at: now + span(config.trial_window),
            refail,
        };
    }
    let visible = now + span(config.recover_delay);
    PendingReprocess {
        visible_at: Some(visible),
        settles_at: visible + settle,
        refail,
    }
}

/// A repeat `reprocess` while the service is still retrying the last one. Graph documents no
/// status for it; the troubleshooting page only says reprocessing can't be forced then.
fn repeat_refused(config: &EmulatorConfig, id: &str) -> GraphError {
    let message = format!(
        "The request '{id}' is already being reprocessed. The service retries it for several hours; reprocessing can't be forced during this time."
    );
    match config.repeat_refusal {
        409 => GraphError::new(409, "Conflict", message),
        403 => GraphError::new(403, "Forbidden", message),
        422 => GraphError::new(422, "UnprocessableEntity", message),
        _ => GraphError::bad_request(message),
    }
}

fn list_packages(
    shared: &Shared,
    call: &Call<'_>,
    version: ApiVersion,
    collection_path: &str,
    context: &str,
) -> Result<Reply, GraphError> {
    let q = parse_query(call.query)?;
    let opts = package_options(version, &q)?;
    let schema = match version {
        ApiVersion::V1 => &filter::V1_PACKAGE,
        ApiVersion::Beta => &filter::BETA_PACKAGE,
    };
    let expr = compile_filter(&q, schema, shared.config.strict_filters)?;
    let store = shared.lock_store();
    let store = &*store;
    page(
        shared,
        &q,
        collection_path,
        context,
        &store.packages,
        Churn::NONE,
        |p| {
            shared.hidden_catalog != Some(p.catalog_idx)
                && expr.as_ref().is_none_or(|e| {
                    filter::eval(e, &|prop| match prop {
                        "displayName" => filter::Value::Text(p.display_name.clone()),
                        "id" => filter::Value::Text(p.id.clone()),
                        "catalog/id" | "catalogId" => filter::Value::Text(
                            store
                                .catalogs
                                .get(p.catalog_idx)
                                .map(|c| c.id.clone())
                                .unwrap_or_default(),
                        ),
                        _ => filter::Value::Text(String::new()),
                    })
                })
        },
        |p| {
            let mut o = render_package(store, p, &opts);
            let scopes = opts.expand.role_scopes;
            delivery_routes::patch_package(shared, store, &p.id, version, scopes, &mut o);
            o
        },
    )
}

fn get_package(
    shared: &Shared,
    call: &Call<'_>,
    version: ApiVersion,
    id: &str,
    context: &str,
) -> Result<Reply, GraphError> {
    require_guid(id, "accessPackage")?;
    let q = parse_query(call.query)?;
    let opts = package_options(version, &q)?;
    let store = shared.lock_store();
    let p = store
        .packages
        .iter()
        .find(|p| eq(&p.id, id))
        .ok_or_else(|| {
            GraphError::new(
                404,
                "ResourceNotFound",
                format!("The accessPackage with id '{id}' was not found."),
            )
        })?;
    if shared.hidden_catalog == Some(p.catalog_idx) {
        return Err(denied());
    }
    let mut obj = Map::new();
    obj.insert("@odata.context".into(), json!(format!("{context}/$entity")));
    obj.extend(render_package(&store, p, &opts));
    let scopes = opts.expand.role_scopes;
    delivery_routes::patch_package(shared, &store, id, version, scopes, &mut obj);
    Ok(Reply::json(200, Value::Object(obj)))
}

/// One parsed `$batch` sub-request.
struct SubRequest {
    id: String,
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    depends_on: Vec<String>,
    /// The sub-request's `body`, serialised as it would travel on its own.
    body: Vec<u8>,
}

/// Graph's word for a sub-request that changes something: it must carry a body and a
/// `Content-Type`, even for an action that takes no body.
fn is_write(method: &str) -> bool {
    ["POST", "PUT", "PATCH"]
        .iter()
        .any(|m| method.eq_ignore_ascii_case(m))
}

fn parse_batch(body: &[u8], config: &EmulatorConfig) -> Result<Vec<SubRequest>, GraphError> {
    let invalid = |m: &str| GraphError::bad_request(format!("Invalid batch payload: {m}"));
    let doc: Value = serde_json::from_slice(body)
        .map_err(|e| invalid(&format!("the body is not valid JSON ({e}).")))?;
    let Some(list) = doc.get("requests").and_then(Value::as_array) else {
        return Err(invalid(
            "the body must be an object with a 'requests' array.",
        ));
    };
    if list.is_empty() {
        return Err(invalid("the 'requests' array is empty."));
    }
    if list.len() > MAX_BATCH {
        return Err(GraphError::bad_request(format!(
            "The number of requests in the batch ({}) exceeds the limit of {MAX_BATCH}.",
            list.len()
        )));
    }
    let mut seen = HashSet::new();
    let mut out: Vec<SubRequest> = Vec::with_capacity(list.len());
    for item in list {
        let field = |name: &str| item.get(name).and_then(Value::as_str).map(str::to_string);
        let id = field("id")
            .filter(|s| !s.is_empty())
            .ok_or_else(|| invalid("every request needs a string 'id'."))?;
        if !seen.insert(id.to_ascii_lowercase()) {
            return Err(invalid(&format!(
                "the request id '{id}' is not unique in the batch."
            )));
        }
        let method =
            field("method").ok_or_else(|| invalid(&format!("request '{id}' has no 'method'.")))?;
        let url = field("url").ok_or_else(|| invalid(&format!("request '{id}' has no 'url'.")))?;
        let mut headers = Vec::new();
        if let Some(h) = item.get("headers") {
            let obj = h
                .as_object()
                .ok_or_else(|| invalid(&format!("request '{id}': 'headers' must be an object.")))?;
            for (k, v) in obj {
                let v = v.as_str().ok_or_else(|| {
                    invalid(&format!("request '{id}': header '{k}' must be a string."))
                })?;
                headers.push((k.to_ascii_lowercase(), v.to_string()));
            }
        }
        let has_content_type = headers.iter().any(|(k, _)| k == "content-type");
        if is_write(&method) {
            // The real service's wording (msgraph-sdk-dotnet #2628); nothing in the batch runs.
            if !config.lenient_batch_writes && (item.get("body").is_none() || !has_content_type) {
                return Err(GraphError::bad_request(format!(
                    "Write request id : {id} does not contain Content-Type header or body."
                )));
            }
            if config.batch_refuses_writes {
                return Err(GraphError::bad_request(format!(
                    "Write request id : {id} is not supported in a batch request."
                )));
            }
        }
        if item.get("body").is_some() && !has_content_type {
            return Err(invalid(&format!(
                "request '{id}' has a body but no Content-Type header."
            )));
        }
        let mut depends_on = Vec::new();
        if let Some(d) = item.get("dependsOn") {
            let arr = d.as_array().ok_or_else(|| {
                invalid(&format!("request '{id}': 'dependsOn' must be an array."))
            })?;
            for dep in arr {
                let dep = dep
                    .as_str()
                    .ok_or_else(|| invalid("'dependsOn' entries must be strings."))?;
                // Sub-requests run in the order given, so a dependency must come earlier.
                if !out.iter().any(|s| eq(&s.id, dep)) {
                    return Err(invalid(&format!(
                        "request '{id}' depends on '{dep}', which is not an earlier request in this batch."
                    )));
                }
                depends_on.push(dep.to_string());
            }
        }
        let body = item
            .get("body")
            .map(|b| serde_json::to_vec(b).unwrap_or_default())
            .unwrap_or_default();
        out.push(SubRequest {
            id,
            method,
            url,
            headers,
            depends_on,
            body,
        });
    }
    Ok(out)
}

/// A `$batch` call that has been handled.
struct BatchRun {
    reply: Reply,
    /// Recorded slots of the sub-requests, in order.
    sub_slots: Vec<usize>,
    /// At least one sub-request was a `POST …/reprocess` (so its acknowledgement can be lost).
    has_reprocess: bool,
}

/// `POST /{v}/$batch`. The batch itself is not throttled: Graph evaluates each sub-request
/// individually against the limits. Nor is it faulted, except by a proxy in front of Graph
/// (`fault_html`), which sees one HTTP exchange and may answer it with a 502 page.
fn batch(shared: &Shared, call: &Call<'_>, version: ApiVersion, body: &[u8]) -> BatchRun {
    let now = Utc::now();
    if shared.config.fault_html
        && shared
            .faults
            .lock()
            .ok()
            .and_then(|mut f| f.next())
            .is_some()
    {
        return BatchRun {
            reply: proxy_bad_gateway(shared, now),
            sub_slots: Vec::new(),
            has_reprocess: false,
        };
    }
    let request_id = shared.new_guid();
    let ids = CallIds {
        client_request_id: call
            .header("client-request-id")
            .map_or_else(|| request_id.clone(), str::to_string),
        request_id,
    };
    let outcome = if !call.method.eq_ignore_ascii_case("POST") {
        Err(method_not_allowed())
    } else {
        authenticate(shared, call, now).and_then(|_| parse_batch(body, &shared.config))
    };
    let mut run = match outcome {
        Err(e) => BatchRun {
            reply: error_reply(&e, &ids, now),
            sub_slots: Vec::new(),
            has_reprocess: false,
        },
        Ok(subs) => run_batch(shared, call, version, &subs),
    };
    run.reply.set_header("request-id", ids.request_id);
    run.reply
        .set_header("client-request-id", ids.client_request_id);
    run
}

fn run_batch(
    shared: &Shared,
    call: &Call<'_>,
    version: ApiVersion,
    subs: &[SubRequest],
) -> BatchRun {
    let mut results: Vec<(String, Reply)> = Vec::with_capacity(subs.len());
    let mut sub_slots = Vec::with_capacity(subs.len());
    let mut has_reprocess = false;
    for sub in subs {
        let failed_dep = sub.depends_on.iter().any(|d| {
            results
                .iter()
                .any(|(id, r)| eq(id, d) && !(200..300).contains(&r.status))
        });
        let (path, query) = match sub.url.split_once('?') {
            Some((p, q)) => (p.to_string(), Some(q.to_string())),
            None => (sub.url.clone(), None),
        };
        let full_path = format!(
            "/{}/{}",
            version.segment(),
            percent_decode_path(path.trim_start_matches('/'))
        );
        let slot = shared.record_arrival(
            &sub.method.to_ascii_uppercase(),
            &full_path,
            query.as_deref(),
            true,
            None,
        );
        shared.record_body(slot, &sub.body);
        sub_slots.push(slot);
        has_reprocess |= is_lossy_action(&sub.method, &full_path);
        let now = Utc::now();
        let reply = if failed_dep {
            let ids = CallIds {
                request_id: shared.new_guid(),
                client_request_id: shared.new_guid(),
            };
            error_reply(
                &GraphError::new(
                    424,
                    "FailedDependency",
                    "A request this request depends on failed.",
                ),
                &ids,
                now,
            )
        } else if sub.url.contains("://") {
            let ids = CallIds {
                request_id: shared.new_guid(),
                client_request_id: shared.new_guid(),
            };
            error_reply(
                &GraphError::bad_request(
                    "Invalid request URL: a batch request URL must be relative, e.g. '/identityGovernance/...'.",
                ),
                &ids,
                now,
            )
        } else {
            // The outer Authorization applies to every sub-request; other outer headers do not.
            let mut headers = sub.headers.clone();
            headers.retain(|(k, _)| k != "authorization");
            if let Some(a) = call.header("authorization") {
                headers.push(("authorization".into(), a.to_string()));
            }
            let sub_call = Call {
                method: &sub.method,
                path: &full_path,
                query: query.as_deref(),
                headers: &headers,
                body: &sub.body,
            };
            graph_call(shared, &sub_call, true)
        };
        shared.record_reply(slot, &reply);
        results.push((sub.id.clone(), reply));
    }
    let order = response_order(shared, results.len());
    let responses: Vec<Value> = order
        .into_iter()
        .filter_map(|i| results.get(i))
        .map(|(id, r)| {
            let headers: Map<String, Value> = r
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            let mut o = Map::new();
            o.insert("id".into(), json!(id));
            o.insert("status".into(), json!(r.status));
            o.insert("headers".into(), Value::Object(headers));
            if let Some(b) = &r.body {
                o.insert("body".into(), b.clone());
            }
            Value::Object(o)
        })
        .collect();
    let mut reply = Reply::json(200, json!({ "responses": responses }));
    reply.set_header("Content-Type", "application/json".into());
    BatchRun {
        reply,
        sub_slots,
        has_reprocess,
    }
}

/// Graph answers batch items in any order; clients must match by id. A deterministic
/// shuffle that never equals the request order (for two or more items) keeps them honest.
fn response_order(shared: &Shared, n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let k = shared.next_batch_number();
    let mut rng = SplitMix64::new(shared.config.seed ^ k.wrapping_mul(0xB47C_B47C));
    for i in (1..n).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        order.swap(i, j);
    }
    if order.iter().enumerate().all(|(i, v)| i == *v) {
        order.reverse();
    }
    order
}
