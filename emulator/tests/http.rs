//! The emulator over real HTTP: start it on an ephemeral port and talk to it with reqwest, the
//! way ep (or any Graph client) would.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::Utc;
use ep_emulator::{DEMO, Emulator, EmulatorConfig, SeededRequest};
use reqwest::StatusCode;
use serde_json::Value;

const EM: &str = "/identityGovernance/entitlementManagement";

async fn start(config: EmulatorConfig) -> Emulator {
    Emulator::start(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

async fn post_token(emu: &Emulator, tenant: &str, pairs: &[(&str, &str)]) -> (StatusCode, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/{tenant}/oauth2/v2.0/token", emu.url()))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form(pairs))
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap())
}

async fn token_for(emu: &Emulator, client_id: &str, secret: &str) -> String {
    let scope = format!("{}/.default", emu.url());
    let (status, body) = post_token(
        emu,
        DEMO.tenant_id,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("scope", &scope),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_string()
}

async fn admin_token(emu: &Emulator) -> String {
    token_for(emu, DEMO.client_id, DEMO.client_secret).await
}

struct Resp {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    text: String,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }
}

async fn send(
    method: reqwest::Method,
    url: &str,
    token: Option<&str>,
    extra: &[(&str, &str)],
) -> Resp {
    let mut rb = reqwest::Client::new().request(method, url);
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    for (k, v) in extra {
        rb = rb.header(*k, *v);
    }
    let r = rb.send().await.unwrap();
    Resp {
        status: r.status(),
        headers: r.headers().clone(),
        text: r.text().await.unwrap(),
    }
}

async fn get(url: &str, token: &str) -> Resp {
    send(reqwest::Method::GET, url, Some(token), &[]).await
}

async fn post(url: &str, token: &str) -> Resp {
    send(reqwest::Method::POST, url, Some(token), &[]).await
}

fn assert_odata_error(r: &Resp, status: u16, code: &str) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    let body = r.json();
    assert_eq!(body["error"]["code"], code, "{}", r.text);
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    assert!(body["error"]["innerError"]["request-id"].is_string());
    assert!(body["error"]["innerError"]["date"].is_string());
    assert!(r.headers.get("request-id").is_some());
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
}

/// Follows `@odata.nextLink` verbatim until it is absent.
async fn collect_all(first: &str, token: &str) -> (Vec<Value>, usize) {
    let mut url = first.to_string();
    let mut items = Vec::new();
    let mut pages = 0;
    loop {
        let r = get(&url, token).await;
        assert_eq!(r.status, 200, "{url}: {}", r.text);
        let body = r.json();
        pages += 1;
        items.extend(body["value"].as_array().unwrap().iter().cloned());
        match body["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_string(),
            None => break,
        }
    }
    (items, pages)
}

/// (tenant, form fields, HTTP status, `error`, AADSTS code)
type TokenCase<'a> = (&'a str, Vec<(&'a str, &'a str)>, u16, &'a str, u64);

#[tokio::test]
async fn token_endpoint_success_and_errors() {
    let emu = start(EmulatorConfig::default()).await;
    let good = [
        ("grant_type", "client_credentials"),
        ("client_id", DEMO.client_id),
        ("client_secret", DEMO.client_secret),
        ("scope", "https://graph.microsoft.com/.default"),
    ];
    let (s, b) = post_token(&emu, DEMO.tenant_id, &good).await;
    assert_eq!(s, 200);
    assert_eq!(b["token_type"], "Bearer");
    assert_eq!(b["expires_in"], 3600);
    assert_eq!(b["ext_expires_in"], 3600);
    assert!(b["access_token"].is_string());

    let (s, b) = post_token(&emu, "ep-demo.onmicrosoft.com", &good).await;
    assert_eq!(s, 200, "{b}");

    let cases: Vec<TokenCase> = vec![
        (
            "contoso.onmicrosoft.com",
            good.to_vec(),
            400,
            "invalid_request",
            90002,
        ),
        (
            DEMO.tenant_id,
            vec![
                good[0],
                good[1],
                good[2],
                ("scope", "https://foo.microsoft.com/.default"),
            ],
            400,
            "invalid_scope",
            70011,
        ),
        (
            DEMO.tenant_id,
            vec![
                good[0],
                ("client_id", "00000000-1111-2222-3333-444444444444"),
                good[2],
                good[3],
            ],
            400,
            "unauthorized_client",
            700016,
        ),
        (
            DEMO.tenant_id,
            vec![good[0], good[1], ("client_secret", "guess"), good[3]],
            401,
            "invalid_client",
            7000215,
        ),
        (
            DEMO.tenant_id,
            vec![("grant_type", "password"), good[1], good[2], good[3]],
            400,
            "unsupported_grant_type",
            70003,
        ),
    ];
    for (tenant, pairs, status, error, code) in cases {
        let (s, b) = post_token(&emu, tenant, &pairs).await;
        assert_eq!(s.as_u16(), status, "{b}");
        assert_eq!(b["error"], error, "{b}");
        assert_eq!(b["error_codes"][0], code, "{b}");
        assert!(
            b["error_description"]
                .as_str()
                .unwrap()
                .starts_with(&format!("AADSTS{code}:"))
        );
        assert!(
            b["trace_id"].is_string()
                && b["correlation_id"].is_string()
                && b["timestamp"].is_string()
        );
    }

    // HTTP Basic client authentication.
    let r = reqwest::Client::new()
        .post(format!(
            "{}/{}/oauth2/v2.0/token",
            emu.url(),
            DEMO.tenant_id
        ))
        .basic_auth(DEMO.client_id, Some(DEMO.client_secret))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        emu.calls()
            .iter()
            .all(|c| c.path.ends_with("/oauth2/v2.0/token"))
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn graph_requires_a_valid_token() {
    let emu = start(EmulatorConfig {
        token_ttl: Duration::ZERO,
        ..EmulatorConfig::default()
    })
    .await;
    let url = format!("{}/v1.0{EM}/assignmentRequests", emu.url());
    let r = send(reqwest::Method::GET, &url, None, &[]).await;
    assert_odata_error(&r, 401, "InvalidAuthenticationToken");
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("empty")
    );
    let r = get(&url, "made-up").await;
    assert_odata_error(&r, 401, "InvalidAuthenticationToken");
    // token_ttl 0: every token is already expired.
    let t = admin_token(&emu).await;
    let r = get(&url, &t).await;
    assert_odata_error(&r, 401, "InvalidAuthenticationToken");
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
    emu.shutdown().await;

    let emu = start(EmulatorConfig::default()).await;
    let t = emu.issue_token(DEMO.client_id);
    let r = get(&format!("{}/v1.0{EM}/assignmentRequests", emu.url()), &t).await;
    assert_eq!(r.status, 200);
    // client-request-id is echoed into responses and error bodies.
    let r = send(
        reqwest::Method::GET,
        &format!("{}/v1.0{EM}/assignmentRequests/nope", emu.url()),
        Some(&t),
        &[("client-request-id", "0f0f0f0f-0000-4000-8000-000000000001")],
    )
    .await;
    assert_odata_error(&r, 400, "BadRequest");
    assert_eq!(
        r.json()["error"]["innerError"]["client-request-id"],
        "0f0f0f0f-0000-4000-8000-000000000001"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn paging_yields_every_request_exactly_once() {
    let emu = start(EmulatorConfig {
        page_size: 7,
        requests: 60,
        ..EmulatorConfig::default()
    })
    .await;
    let t = admin_token(&emu).await;
    let first = format!(
        "{}/v1.0{EM}/assignmentRequests?$expand=accessPackage,requestor",
        emu.url()
    );
    let r = get(&first, &t).await;
    let next = r.json()["@odata.nextLink"].as_str().unwrap().to_string();
    assert!(
        next.starts_with(&format!("{}/v1.0{EM}/assignmentRequests?", emu.url())),
        "{next}"
    );
    assert!(next.contains("$expand=accessPackage,requestor"), "{next}");
    assert!(next.contains("$skiptoken="));
    assert!(
        r.json()["@odata.context"]
            .as_str()
            .unwrap()
            .contains("$metadata#")
    );

    let (items, pages) = collect_all(&first, &t).await;
    assert_eq!(pages, 9);
    let ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), 60);
    assert_eq!(unique.len(), 60);
    let truth: HashSet<String> = emu.requests_snapshot().into_iter().map(|r| r.id).collect();
    assert_eq!(unique, truth.iter().map(String::as_str).collect());
    for item in &items {
        assert!(item["accessPackage"]["displayName"].is_string());
        assert!(item["requestor"]["displayName"].is_string());
        assert!(item.get("assignment").is_none());
        let c = item["createdDateTime"].as_str().unwrap();
        assert!(c.ends_with('Z'));
    }

    // $top smaller than the page size caps the page and is preserved in the nextLink.
    let r = get(
        &format!("{}/v1.0{EM}/assignmentRequests?$top=5", emu.url()),
        &t,
    )
    .await;
    let body = r.json();
    assert_eq!(body["value"].as_array().unwrap().len(), 5);
    assert!(body["@odata.nextLink"].as_str().unwrap().contains("$top=5"));

    // A tampered or hand-made skiptoken is rejected.
    let tampered = format!("{next}x");
    assert_odata_error(&get(&tampered, &t).await, 400, "BadRequest");
    let made_up = format!("{}/v1.0{EM}/assignmentRequests?$skiptoken=7", emu.url());
    assert_odata_error(&get(&made_up, &t).await, 400, "BadRequest");
    emu.shutdown().await;
}

#[tokio::test]
async fn filters_follow_graph_rules() {
    let emu = start(EmulatorConfig {
        page_size: 10,
        ..EmulatorConfig::default()
    })
    .await;
    let t = admin_token(&emu).await;
    let base = format!("{}/v1.0{EM}/assignmentRequests", emu.url());
    let truth = emu.requests_snapshot();

    let (items, _) =
        collect_all(&format!("{base}?$filter=state%20eq%20'deliveryFailed'"), &t).await;
    let want = truth.iter().filter(|r| r.state == "deliveryFailed").count();
    assert_eq!(items.len(), want);
    assert!(items.iter().all(|i| i["state"] == "deliveryFailed"));

    let pkg = &truth[0].package_id;
    let f = format!(
        "{base}?$expand=accessPackage&$filter=accessPackage/id eq '{pkg}' and state eq 'partiallyDelivered'"
    );
    let (items, _) = collect_all(&f, &t).await;
    let want = truth
        .iter()
        .filter(|r| &r.package_id == pkg && r.state == "partiallyDelivered")
        .count();
    assert_eq!(items.len(), want);

    let r = get(
        &format!("{base}?$filter=completedDateTime lt 2026-01-01T00:00:00Z"),
        &t,
    )
    .await;
    assert_odata_error(&r, 400, "BadRequest");
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("completedDateTime")
    );
    for bad in [
        "state ne 'delivered'",
        "state eq 'deliveryFailed",
        "frob eq 1",
        "requestState eq 'DeliveryFailed'",
    ] {
        assert_odata_error(
            &get(&format!("{base}?$filter={bad}"), &t).await,
            400,
            "BadRequest",
        );
    }
    assert_odata_error(
        &get(&format!("{base}?$expand=frob"), &t).await,
        400,
        "BadRequest",
    );
    assert_odata_error(
        &get(&format!("{base}?$select=frob"), &t).await,
        400,
        "BadRequest",
    );
    let r = get(&format!("{base}?$top=0"), &t).await;
    assert_eq!(r.json()["value"], serde_json::json!([]));
    assert!(r.json().get("@odata.nextLink").is_none());
    let r = get(&format!("{base}?$select=state&$top=1"), &t).await;
    let item = &r.json()["value"][0];
    assert!(item["id"].is_string() && item["state"].is_string() && item.get("status").is_none());
    emu.shutdown().await;

    let strict = start(EmulatorConfig {
        strict_filters: true,
        ..EmulatorConfig::default()
    })
    .await;
    let t = admin_token(&strict).await;
    let base = format!("{}/v1.0{EM}/assignmentRequests", strict.url());
    let pkg = &strict.requests_snapshot()[0].package_id;
    let both = format!("{base}?$filter=state eq 'deliveryFailed' and accessPackage/id eq '{pkg}'");
    assert_odata_error(&get(&both, &t).await, 400, "BadRequest");
    assert_eq!(
        get(&format!("{base}?$filter=state eq 'deliveryFailed'"), &t)
            .await
            .status,
        200
    );
    strict.shutdown().await;
}

#[tokio::test]
async fn beta_uses_beta_names_on_both_paths() {
    let emu = start(EmulatorConfig::default()).await;
    let t = admin_token(&emu).await;
    for coll in ["assignmentRequests", "accessPackageAssignmentRequests"] {
        let (items, _) = collect_all(
            &format!(
                "{}/beta{EM}/{coll}?$expand=requestor,accessPackageAssignment",
                emu.url()
            ),
            &t,
        )
        .await;
        assert_eq!(items.len(), 120);
        let mut lower = 0;
        for i in &items {
            assert!(i.get("state").is_none() && i.get("completedDateTime").is_none());
            let st = i["requestState"].as_str().unwrap();
            if st.chars().next().unwrap().is_lowercase() {
                lower += 1;
            }
            assert!(i["requestStatus"].is_string());
            assert!(i.get("completedDate").is_some());
            assert!(
                i["requestType"]
                    .as_str()
                    .unwrap()
                    .chars()
                    .next()
                    .unwrap()
                    .is_uppercase()
            );
            // beta's subject kind is `type`; agent identities are service principals.
            let kind = i["requestor"]["type"].as_str().unwrap();
            assert!(kind == "User" || kind == "ServicePrincipal", "{kind}");
            assert!(i["accessPackageAssignment"]["id"].is_string());
            assert!(i["isValidationOnly"].is_boolean());
        }
        assert!(lower > 0 && lower < items.len(), "{lower}");
    }
    let (items, _) = collect_all(
        &format!(
            "{}/beta{EM}/assignmentRequests?$filter=requestState eq 'deliveryfailed'",
            emu.url()
        ),
        &t,
    )
    .await;
    let want = emu
        .requests_snapshot()
        .iter()
        .filter(|r| r.state == "deliveryFailed")
        .count();
    assert_eq!(items.len(), want);
    let r = get(
        &format!(
            "{}/beta{EM}/assignmentRequests?$filter=completedDate lt 2026-01-01T00:00:00Z",
            emu.url()
        ),
        &t,
    )
    .await;
    assert_odata_error(&r, 400, "BadRequest");

    let id = &emu.requests_snapshot()[0].id;
    let r = get(
        &format!(
            "{}/beta{EM}/accessPackageAssignmentRequests/{id}",
            emu.url()
        ),
        &t,
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(
        r.json()["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("$entity")
    );
    assert!(r.json()["requestState"].is_string());

    // The deprecated path does not exist in v1.0.
    let r = get(
        &format!("{}/v1.0{EM}/accessPackageAssignmentRequests", emu.url()),
        &t,
    )
    .await;
    assert_odata_error(&r, 404, "BadRequest");
    emu.shutdown().await;
}

#[tokio::test]
async fn evolvable_enum_needs_prefer_header() {
    let emu = start(EmulatorConfig {
        page_size: 500,
        ..EmulatorConfig::default()
    })
    .await;
    let t = admin_token(&emu).await;
    let url = format!("{}/v1.0{EM}/assignmentRequests", emu.url());
    let (items, _) = collect_all(&url, &t).await;
    let types: Vec<String> = items
        .iter()
        .map(|i| i["requestType"].as_str().unwrap().to_string())
        .collect();
    assert!(types.iter().any(|t| t == "unknownFutureValue"));
    assert!(!types.iter().any(|t| t == "approverRemove"));
    let r = send(
        reqwest::Method::GET,
        &url,
        Some(&t),
        &[("Prefer", "include-unknown-enum-members")],
    )
    .await;
    assert!(
        r.json()["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["requestType"] == "approverRemove")
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn packages_by_name_and_catalog() {
    let emu = start(EmulatorConfig::default()).await;
    let t = admin_token(&emu).await;
    let base = format!("{}/v1.0{EM}/accessPackages", emu.url());
    let r = get(
        &format!("{base}?$filter=displayName eq 'sales onboarding'&$expand=catalog"),
        &t,
    )
    .await;
    let v = r.json()["value"].as_array().unwrap().clone();
    assert_eq!(v.len(), 2);
    let catalogs: HashSet<&str> = v
        .iter()
        .map(|p| p["catalog"]["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(catalogs, HashSet::from(["Sales", "EMEA Sales"]));

    let r = get(
        &format!("{base}?$filter=displayName eq 'Partners'' Portal'"),
        &t,
    )
    .await;
    assert_eq!(r.json()["value"].as_array().unwrap().len(), 1, "{}", r.text);
    let r = get(
        &format!("{base}?$filter=contains(tolower(displayName),'sales')"),
        &t,
    )
    .await;
    assert_eq!(r.json()["value"].as_array().unwrap().len(), 2);
    let r = get(&format!("{base}?$filter=startswith(displayName,'Eng')"), &t).await;
    assert_eq!(r.json()["value"].as_array().unwrap().len(), 1);
    let r = get(&format!("{base}?$filter=displayName eq 'Nope'"), &t).await;
    assert_eq!(r.json()["value"], serde_json::json!([]));
    assert!(r.json().get("@odata.nextLink").is_none());

    let beta = get(
        &format!(
            "{}/beta{EM}/accessPackages?$expand=accessPackageCatalog",
            emu.url()
        ),
        &t,
    )
    .await;
    let p = &beta.json()["value"][0];
    assert_eq!(p["catalogId"], p["accessPackageCatalog"]["id"]);

    let id = v[0]["id"].as_str().unwrap();
    assert_eq!(get(&format!("{base}/{id}"), &t).await.json()["id"], id);
    assert_odata_error(
        &get(&format!("{base}/00000000-0000-4000-8000-000000000000"), &t).await,
        404,
        "ResourceNotFound",
    );
    assert_odata_error(&get(&format!("{base}/sales"), &t).await, 400, "BadRequest");
    emu.shutdown().await;
}

#[tokio::test]
async fn reprocess_rules_and_settle() {
    let emu = start(EmulatorConfig {
        settle: Duration::from_secs(2),
        refail_rate: 0.0,
        ..EmulatorConfig::default()
    })
    .await;
    let t = admin_token(&emu).await;
    let reader = token_for(&emu, DEMO.reader_client_id, DEMO.reader_client_secret).await;
    let truth = emu.requests_snapshot();
    let now = Utc::now();
    let day14 = chrono::Duration::days(14);
    let eligible = truth
        .iter()
        .find(|r| r.state == "deliveryFailed" && r.completed.is_some_and(|c| now - c < day14))
        .unwrap();
    let too_old = truth
        .iter()
        .find(|r| r.state == "partiallyDelivered" && r.completed.is_some_and(|c| now - c > day14))
        .unwrap();
    let no_completion = truth
        .iter()
        .find(|r| r.state == "deliveryFailed" && r.completed.is_none())
        .unwrap();
    let delivered = truth.iter().find(|r| r.state == "delivered").unwrap();
    let url = |id: &str| format!("{}/v1.0{EM}/assignmentRequests/{id}/reprocess", emu.url());

    assert_odata_error(
        &post(&url(&eligible.id), &reader).await,
        403,
        "Authorization_RequestDenied",
    );

    let r = post(&url(&eligible.id), &t).await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert!(r.text.is_empty());
    let again = post(&url(&eligible.id), &t).await;
    assert_odata_error(&again, 400, "BadRequest");
    assert!(again.text.contains("delivering"));

    let old = post(&url(&too_old.id), &t).await;
    assert_odata_error(&old, 400, "BadRequest");
    assert!(old.text.contains("14 days"));
    assert_odata_error(&post(&url(&no_completion.id), &t).await, 400, "BadRequest");
    let d = post(&url(&delivered.id), &t).await;
    assert_odata_error(&d, 400, "BadRequest");
    assert!(d.text.contains("state delivered"));
    assert_odata_error(
        &post(&url("00000000-0000-4000-8000-000000000000"), &t).await,
        404,
        "ResourceNotFound",
    );
    assert_odata_error(&post(&url("not-a-guid"), &t).await, 400, "BadRequest");
    let wrong_method = get(&url(&eligible.id), &t).await;
    assert_eq!(wrong_method.status, 405);

    let item = format!("{}/v1.0{EM}/assignmentRequests/{}", emu.url(), eligible.id);
    let r = get(&item, &t).await;
    assert_eq!(r.json()["state"], "delivering");
    assert_eq!(r.json()["status"], "Delivering");
    tokio::time::sleep(Duration::from_millis(2300)).await;
    let r = get(&item, &t).await;
    assert_eq!(r.json()["state"], "delivered", "{}", r.text);
    assert!(r.json()["completedDateTime"].is_string());
    let snap = emu.requests_snapshot();
    let s = snap.iter().find(|r| r.id == eligible.id).unwrap();
    assert_eq!((s.state.as_str(), s.reprocess_calls), ("delivered", 1));
    assert!(s.completed.unwrap() > now);
    assert_eq!(
        get(
            &format!(
                "{}/v1.0{EM}/assignmentRequests/{}",
                emu.url(),
                "00000000-0000-4000-8000-000000000000"
            ),
            &t
        )
        .await
        .status,
        404
    );
    emu.shutdown().await;

    // The older model (visible_refail): every reprocess ends in deliveryFailed again, with a
    // new completion, after showing delivering.
    let emu = start(EmulatorConfig {
        settle: Duration::from_millis(100),
        refail_rate: 1.0,
        visible_refail: true,
        ..EmulatorConfig::default()
    })
    .await;
    let t = admin_token(&emu).await;
    let target = emu
        .requests_snapshot()
        .into_iter()
        .find(|r| {
            r.state == "deliveryFailed" && r.completed.is_some_and(|c| Utc::now() - c < day14)
        })
        .unwrap();
    let r = post(
        &format!(
            "{}/beta{EM}/accessPackageAssignmentRequests/{}/reprocess",
            emu.url(),
            target.id
        ),
        &t,
    )
    .await;
    assert_eq!(r.status, 202);
    tokio::time::sleep(Duration::from_millis(250)).await;
    let s = emu
        .requests_snapshot()
        .into_iter()
        .find(|r| r.id == target.id)
        .unwrap();
    assert_eq!(s.state, "deliveryFailed");
    assert!(s.completed.unwrap() > target.completed.unwrap());
    emu.shutdown().await;
}

/// A reprocess request the 14-day rule allows now.
fn eligible_failed(emu: &Emulator) -> ep_emulator::SeededRequest {
    let day14 = chrono::Duration::days(14) - chrono::Duration::hours(1);
    emu.requests_snapshot()
        .into_iter()
        .find(|r| {
            r.state == "deliveryFailed" && r.completed.is_some_and(|c| Utc::now() - c < day14)
        })
        .unwrap()
}

#[tokio::test]
async fn a_reprocess_that_fails_again_keeps_its_state_and_refuses_repeats_for_the_trial_window() {
    for refusal in [400u16, 409] {
        let emu = start(EmulatorConfig {
            refail_rate: 1.0,
            trial_window: Duration::from_millis(1500),
            repeat_refusal: refusal,
            ..EmulatorConfig::default()
        })
        .await;
        let t = admin_token(&emu).await;
        let target = eligible_failed(&emu);
        let action = format!(
            "{}/v1.0{EM}/assignmentRequests/{}/reprocess",
            emu.url(),
            target.id
        );
        let item = format!("{}/v1.0{EM}/assignmentRequests/{}", emu.url(), target.id);
        assert_eq!(post(&action, &t).await.status, 202);
        // Accepted, yet the request shows exactly what it showed before.
        let r = get(&item, &t).await;
        assert_eq!(r.json()["state"], "deliveryFailed", "{}", r.text);
        let before = emu.requests_snapshot();
        let s = before.iter().find(|r| r.id == target.id).unwrap();
        assert_eq!((s.completed, s.reprocess_calls), (target.completed, 1));
        // A repeat inside the trial window is refused, and changes nothing.
        let r = post(&action, &t).await;
        assert_eq!(r.status, refusal, "{}", r.text);
        assert!(
            r.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains("already being reprocessed")
        );
        tokio::time::sleep(Duration::from_millis(1700)).await;
        let s = emu
            .requests_snapshot()
            .into_iter()
            .find(|r| r.id == target.id)
            .unwrap();
        assert_eq!((s.state.as_str(), s.reprocess_calls), ("deliveryFailed", 1));
        // The trial is over: it can be reprocessed again.
        assert_eq!(post(&action, &t).await.status, 202);
        emu.shutdown().await;
    }
}

#[tokio::test]
async fn a_reprocess_that_recovers_may_show_the_failed_state_first() {
    let emu = start(EmulatorConfig {
        refail_rate: 0.0,
        recover_delay: Duration::from_millis(600),
        settle: Duration::from_millis(600),
        ..EmulatorConfig::default()
    })
    .await;
    let t = admin_token(&emu).await;
    let target = eligible_failed(&emu);
    let item = format!("{}/v1.0{EM}/assignmentRequests/{}", emu.url(), target.id);
    let r = post(&format!("{item}/reprocess"), &t).await;
    assert_eq!(r.status, 202);
    assert_eq!(get(&item, &t).await.json()["state"], "deliveryFailed");
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(get(&item, &t).await.json()["state"], "delivering");
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(get(&item, &t).await.json()["state"], "delivered");
    emu.shutdown().await;
}

#[tokio::test]
async fn reprocess_window_days_models_the_portals_seven_days() {
    let emu = start(EmulatorConfig {
        reprocess_window_days: 7,
        ..EmulatorConfig::default()
    })
    .await;
    let t = admin_token(&emu).await;
    let now = Utc::now();
    let between = emu
        .requests_snapshot()
        .into_iter()
        .find(|r| {
            r.state == "deliveryFailed"
                && r.completed.is_some_and(|c| {
                    now - c > chrono::Duration::days(7) + chrono::Duration::hours(1)
                        && now - c < chrono::Duration::days(13)
                })
        })
        .expect("the seed has a failed request completed 7-13 days ago");
    let r = post(
        &format!(
            "{}/v1.0{EM}/assignmentRequests/{}/reprocess",
            emu.url(),
            between.id
        ),
        &t,
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.text.contains("more than 7 days"), "{}", r.text);
    emu.shutdown().await;
}

#[tokio::test]
async fn batch_write_sub_requests_need_a_body_and_content_type_or_nothing_runs() {
    let emu = start(EmulatorConfig::default()).await;
    let t = admin_token(&emu).await;
    let target = eligible_failed(&emu);
    let reprocess = format!("{EM}/assignmentRequests/{}/reprocess", target.id);
    let client = reqwest::Client::new();
    let send = |body: Value| {
        client
            .post(format!("{}/v1.0/$batch", emu.url()))
            .bearer_auth(&t)
            .json(&body)
            .send()
    };
    // Without body and headers, as ep sent it before: the whole batch is refused.
    for bare in [
        serde_json::json!({"id": "2", "method": "POST", "url": reprocess}),
        serde_json::json!({"id": "2", "method": "POST", "url": reprocess, "body": {}}),
    ] {
        let r = send(serde_json::json!({"requests": [
            {"id": "1", "method": "GET", "url": format!("{EM}/accessPackages")},
            bare,
        ]}))
        .await
        .unwrap();
        assert_eq!(r.status(), 400);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "BadRequest");
        assert_eq!(
            body["error"]["message"],
            "Write request id : 2 does not contain Content-Type header or body."
        );
    }
    let untouched = emu.requests_snapshot();
    let s = untouched.iter().find(|r| r.id == target.id).unwrap();
    assert_eq!(s.reprocess_calls, 0, "nothing in a refused batch runs");
    // In the documented shape it runs.
    let r = send(batch_body(&[("1", "POST", reprocess.clone())]))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["responses"][0]["status"], 202);
    emu.shutdown().await;

    // A service that refuses batched writes altogether.
    let emu = start(EmulatorConfig {
        batch_refuses_writes: true,
        ..EmulatorConfig::default()
    })
    .await;
    let t = admin_token(&emu).await;
    let r = reqwest::Client::new()
        .post(format!("{}/v1.0/$batch", emu.url()))
        .bearer_auth(&t)
        .json(&batch_body(&[("1", "POST", reprocess)]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    emu.shutdown().await;
}

#[tokio::test]
async fn catalog_scoped_tenant_wide_listing_can_be_refused_with_400() {
    let emu = start(EmulatorConfig {
        catalog_scoped: true,
        catalog_refusal: 400,
        ..EmulatorConfig::default()
    })
    .await;
    let t = admin_token(&emu).await;
    let r = get(&format!("{}/v1.0{EM}/assignmentRequests", emu.url()), &t).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.json()["error"]["code"], "BadRequest");
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid filter clause")
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn batch_answers_out_of_order_and_records_sub_requests() {
    let emu = start(EmulatorConfig::default()).await;
    let t = admin_token(&emu).await;
    let truth = emu.requests_snapshot();
    let ids: Vec<&str> = truth.iter().take(5).map(|r| r.id.as_str()).collect();
    let mut requests: Vec<Value> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| serde_json::json!({"id": (i + 1).to_string(), "method": "GET", "url": format!("{EM}/assignmentRequests/{id}")}))
        .collect();
    requests.push(serde_json::json!({"id": "6", "method": "POST", "url": format!("{EM}/assignmentRequests/not-a-guid/reprocess"), "body": {}, "headers": {"Content-Type": "application/json"}}));
    requests.push(serde_json::json!({"id": "7", "method": "GET", "url": format!("{EM}/accessPackages?$filter=displayName eq 'Sales Onboarding'")}));
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{}/v1.0/$batch", emu.url()))
        .bearer_auth(&t)
        .json(&serde_json::json!({ "requests": requests }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    let responses = body["responses"].as_array().unwrap();
    let order: Vec<&str> = responses
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(order.len(), 7);
    assert_ne!(order, vec!["1", "2", "3", "4", "5", "6", "7"]);
    let by_id: HashMap<&str, &Value> = responses
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r))
        .collect();
    for (i, id) in ids.iter().enumerate() {
        let r = by_id[(i + 1).to_string().as_str()];
        assert_eq!(r["status"], 200);
        assert_eq!(r["body"]["id"], *id);
    }
    assert_eq!(by_id["6"]["status"], 400);
    assert_eq!(by_id["6"]["body"]["error"]["code"], "BadRequest");
    assert_eq!(by_id["7"]["body"]["value"].as_array().unwrap().len(), 2);

    let calls = emu.calls();
    let batch_calls: Vec<_> = calls.iter().filter(|c| c.in_batch).collect();
    assert_eq!(batch_calls.len(), 7);
    assert!(batch_calls[0].path.starts_with("/v1.0/identityGovernance/"));
    assert!(
        calls
            .iter()
            .any(|c| !c.in_batch && c.path == "/v1.0/$batch" && c.status == 200)
    );

    // Malformed batches are rejected as a whole.
    let too_many: Vec<Value> = (0..21)
        .map(|i| serde_json::json!({"id": i.to_string(), "method": "GET", "url": format!("{EM}/accessPackages")}))
        .collect();
    let dup = vec![
        serde_json::json!({"id": "a", "method": "GET", "url": format!("{EM}/accessPackages")}),
        serde_json::json!({"id": "A", "method": "GET", "url": format!("{EM}/accessPackages")}),
    ];
    for payload in [
        serde_json::json!({ "requests": too_many }),
        serde_json::json!({ "requests": dup }),
        serde_json::json!({ "nope": [] }),
    ] {
        let r = client
            .post(format!("{}/v1.0/$batch", emu.url()))
            .bearer_auth(&t)
            .json(&payload)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let b: Value = r.json().await.unwrap();
        assert_eq!(b["error"]["code"], "BadRequest");
    }
    let r = client
        .post(format!("{}/v1.0/$batch", emu.url()))
        .json(&serde_json::json!({"requests": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    emu.shutdown().await;
}

#[tokio::test]
async fn throttling_answers_429_with_rotating_retry_after() {
    let emu = start(EmulatorConfig {
        rate: Some(1.0),
        burst: 2,
        ..EmulatorConfig::default()
    })
    .await;
    let t = admin_token(&emu).await;
    let url = format!("{}/v1.0{EM}/accessPackages", emu.url());
    let mut retry_afters = Vec::new();
    let mut served = 0;
    for _ in 0..8 {
        let r = get(&url, &t).await;
        if r.status == 429 {
            assert_odata_error(&r, 429, "TooManyRequests");
            retry_afters.push(
                r.headers
                    .get("retry-after")
                    .map(|v| v.to_str().unwrap().to_string()),
            );
        } else {
            assert_eq!(r.status, 200);
            served += 1;
        }
    }
    assert!(served >= 2);
    assert!(
        retry_afters
            .iter()
            .any(|r| r.as_deref().is_some_and(|v| !v.contains('.')))
    );
    assert!(
        retry_afters
            .iter()
            .any(|r| r.as_deref().is_some_and(|v| v.contains('.')))
    );
    assert!(retry_afters.iter().any(Option::is_none));

    // Waiting what the server advertised is enough.
    let mut wait = None;
    for _ in 0..20 {
        let r = get(&url, &t).await;
        if r.status == 429
            && let Some(v) = r.headers.get("retry-after")
        {
            wait = Some(v.to_str().unwrap().parse::<f64>().unwrap());
            break;
        }
    }
    let wait = wait.expect("a 429 with Retry-After");
    tokio::time::sleep(Duration::from_secs_f64(wait)).await;
    assert_eq!(get(&url, &t).await.status, 200);
    // The token endpoint is not throttled.
    for _ in 0..5 {
        admin_token(&emu).await;
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn faults_return_odata_errors_and_change_nothing() {
    let emu = start(EmulatorConfig {
        fault_rate: 1.0,
        ..EmulatorConfig::default()
    })
    .await;
    let t = admin_token(&emu).await;
    let before = emu.requests_snapshot();
    let target = before.iter().find(|r| r.state == "deliveryFailed").unwrap();
    let mut codes = HashSet::new();
    for _ in 0..12 {
        let r = post(
            &format!(
                "{}/v1.0{EM}/assignmentRequests/{}/reprocess",
                emu.url(),
                target.id
            ),
            &t,
        )
        .await;
        match r.status.as_u16() {
            503 => assert_odata_error(&r, 503, "serviceNotAvailable"),
            504 => assert_odata_error(&r, 504, "GatewayTimeout"),
            other => panic!("unexpected {other}: {}", r.text),
        }
        codes.insert(r.status.as_u16());
    }
    assert_eq!(codes.len(), 2);
    assert_eq!(emu.requests_snapshot(), before);
    emu.shutdown().await;
}

#[tokio::test]
async fn unknown_routes_admin_endpoints_and_usage() {
    let emu = start(EmulatorConfig {
        latency: Duration::from_millis(30),
        ..EmulatorConfig::default()
    })
    .await;
    let t = admin_token(&emu).await;
    let r = get(&format!("{}/v1.0/frobnicate", emu.url()), &t).await;
    assert_odata_error(&r, 404, "BadRequest");
    assert!(r.text.contains("frobnicate"));
    let r = get(&format!("{}/v1.0{EM}/catalogz", emu.url()), &t).await;
    assert_odata_error(&r, 404, "BadRequest");
    let r = send(
        reqwest::Method::DELETE,
        &format!("{}/v1.0{EM}/accessPackages", emu.url()),
        Some(&t),
        &[],
    )
    .await;
    assert_odata_error(&r, 405, "Request_BadRequest");

    let started = std::time::Instant::now();
    get(&format!("{}/v1.0{EM}/accessPackages", emu.url()), &t).await;
    assert!(started.elapsed() >= Duration::from_millis(30));

    let calls: Vec<Value> = reqwest::get(format!("{}/_emulator/calls", emu.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(calls.len(), emu.calls().len());
    assert!(
        calls
            .iter()
            .all(|c| !c["path"].as_str().unwrap().starts_with("/_emulator"))
    );
    let reqs: Vec<Value> = reqwest::get(format!("{}/_emulator/requests", emu.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reqs.len(), 120);

    let usage = emu.usage_text();
    for needle in [
        format!("export EP_GRAPH_URL={}", emu.url()),
        format!("export AZURE_AUTHORITY_HOST={}", emu.url()),
        format!("export AZURE_TENANT_ID={}", DEMO.tenant_id),
        format!("export AZURE_CLIENT_ID={}", DEMO.client_id),
        format!("export AZURE_CLIENT_SECRET={}", DEMO.client_secret),
        DEMO.reader_client_id.to_string(),
        "demo credentials".to_string(),
    ] {
        assert!(usage.contains(&needle), "{needle}\n{usage}");
    }
    emu.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// Fault and scale knobs
// ---------------------------------------------------------------------------------------------

/// A request the 14-day rule allows to be reprocessed now, optionally in one of `packages`.
fn eligible_in<'a>(truth: &'a [SeededRequest], packages: &[String]) -> Vec<&'a SeededRequest> {
    let now = Utc::now();
    truth
        .iter()
        .filter(|r| r.state == "deliveryFailed" || r.state == "partiallyDelivered")
        .filter(|r| {
            r.completed
                .is_some_and(|c| now - c < chrono::Duration::days(14) - chrono::Duration::hours(1))
        })
        .filter(|r| packages.is_empty() || packages.contains(&r.package_id))
        .collect()
}

/// Sends and returns the transport error; panics if any HTTP response (even an error status)
/// came back.
async fn expect_no_response(rb: reqwest::RequestBuilder) -> reqwest::Error {
    match rb.send().await {
        Ok(r) => panic!(
            "expected a dropped connection, got HTTP {}: {}",
            r.status(),
            r.text().await.unwrap_or_default()
        ),
        Err(e) => {
            assert!(e.status().is_none(), "{e:?}");
            assert!(
                !e.is_builder() && !e.is_redirect() && !e.is_decode(),
                "{e:?}"
            );
            e
        }
    }
}

/// A `$batch` body in the shape Graph's batching doc gives: writes carry `body` and
/// `Content-Type` even when the action takes no body.
fn batch_body(subs: &[(&str, &str, String)]) -> Value {
    let requests: Vec<Value> = subs
        .iter()
        .map(|(id, method, url)| {
            let mut sub = serde_json::json!({"id": id, "method": method, "url": url});
            if *method != "GET" {
                sub["body"] = serde_json::json!({});
                sub["headers"] = serde_json::json!({"Content-Type": "application/json"});
            }
            sub
        })
        .collect();
    serde_json::json!({ "requests": requests })
}

#[tokio::test]
async fn fault_reset_drops_the_connection_without_any_response() {
    let emu = start(EmulatorConfig {
        fault_reset: 1.0,
        ..EmulatorConfig::default()
    })
    .await;
    // The identity platform is not Graph: token calls are never reset.
    let t = admin_token(&emu).await;
    let before = emu.requests_snapshot();
    let target = eligible_in(&before, &[])[0].clone();
    let client = reqwest::Client::new();
    let e = expect_no_response(
        client
            .get(format!("{}/v1.0{EM}/accessPackages", emu.url()))
            .bearer_auth(&t),
    )
    .await;
    // hyper reports a reset or an early close; either way there was no status line.
    let chain = format!("{e:?}").to_lowercase();
    assert!(
        chain.contains("reset") || chain.contains("closed") || chain.contains("incomplete"),
        "{chain}"
    );
    expect_no_response(
        client
            .post(format!(
                "{}/v1.0{EM}/assignmentRequests/{}/reprocess",
                emu.url(),
                target.id
            ))
            .bearer_auth(&t),
    )
    .await;
    expect_no_response(
        client
            .post(format!("{}/v1.0/$batch", emu.url()))
            .bearer_auth(&t)
            .json(&batch_body(&[(
                "1",
                "POST",
                format!("{EM}/assignmentRequests/{}/reprocess", target.id),
            )])),
    )
    .await;
    // Decided before anything was done: no state changed, no sub-request ran.
    assert_eq!(emu.requests_snapshot(), before);
    let graph: Vec<_> = emu
        .calls()
        .into_iter()
        .filter(|c| !c.path.contains("oauth2"))
        .collect();
    assert_eq!(graph.len(), 3, "{graph:?}");
    for c in &graph {
        assert_eq!(c.status, ep_emulator::STATUS_RESET, "{c:?}");
        assert!(c.dropped && !c.in_batch, "{c:?}");
    }
    emu.shutdown().await;

    // A share: the same seed resets the same calls; the others are answered normally.
    let pattern = |seed| async move {
        let emu = start(EmulatorConfig {
            seed,
            fault_reset: 0.4,
            ..EmulatorConfig::default()
        })
        .await;
        let t = admin_token(&emu).await;
        let mut outcome = Vec::new();
        for _ in 0..30 {
            let r = reqwest::Client::new()
                .get(format!("{}/v1.0{EM}/accessPackages", emu.url()))
                .bearer_auth(&t)
                .send()
                .await;
            outcome.push(match r {
                Ok(r) => {
                    assert_eq!(r.status(), 200);
                    true
                }
                Err(_) => false,
            });
        }
        let recorded: Vec<bool> = emu
            .calls()
            .iter()
            .filter(|c| !c.path.contains("oauth2"))
            .map(|c| !c.dropped && c.status == 200)
            .collect();
        assert_eq!(recorded, outcome);
        emu.shutdown().await;
        outcome
    };
    let a = pattern(5).await;
    assert_eq!(a, pattern(5).await);
    let resets = a.iter().filter(|ok| !**ok).count();
    assert!((4..=20).contains(&resets), "{resets} of 30");
}

#[tokio::test]
async fn lost_ack_performs_the_reprocess_then_drops_the_connection() {
    let emu = start(EmulatorConfig {
        lost_ack: 1.0,
        refail_rate: 0.0,
        settle: Duration::from_secs(600),
        outage: 10,
        ..EmulatorConfig::default()
    })
    .await;
    let t = admin_token(&emu).await;
    let truth = emu.requests_snapshot();
    let eligible = eligible_in(&truth, &[]);
    let (one, two, three) = (&eligible[0].id, &eligible[1].id, &eligible[2].id);
    let client = reqwest::Client::new();
    let reprocess = |id: &str| {
        client
            .post(format!(
                "{}/v1.0{EM}/assignmentRequests/{id}/reprocess",
                emu.url()
            ))
            .bearer_auth(&t)
    };
    expect_no_response(reprocess(one)).await;
    let state = |id: &str| {
        emu.requests_snapshot()
            .into_iter()
            .find(|r| r.id == *id)
            .unwrap()
    };
    let after = state(one);
    assert_eq!(after.state, "delivering");
    assert_eq!(after.reprocess_calls, 1);
    // Reads are never affected; a client can check what happened.
    let r = get(
        &format!("{}/v1.0{EM}/assignmentRequests/{one}", emu.url()),
        &t,
    )
    .await;
    assert_eq!(r.json()["state"], "delivering");
    // A blind retry is refused (400) — and that answer is lost too. Nothing is done twice.
    expect_no_response(reprocess(one)).await;
    assert_eq!(state(one).reprocess_calls, 1);

    // A batch: every sub-request runs, then the whole batch connection is dropped.
    expect_no_response(
        client
            .post(format!("{}/v1.0/$batch", emu.url()))
            .bearer_auth(&t)
            .json(&batch_body(&[
                (
                    "a",
                    "POST",
                    format!("{EM}/assignmentRequests/{two}/reprocess"),
                ),
                ("b", "GET", format!("{EM}/accessPackages")),
                (
                    "c",
                    "POST",
                    format!("{EM}/assignmentRequests/{three}/reprocess"),
                ),
            ])),
    )
    .await;
    for id in [two, three] {
        let s = state(id);
        assert_eq!((s.state.as_str(), s.reprocess_calls), ("delivering", 1));
    }
    // A batch without a reprocess is answered.
    let r = client
        .post(format!("{}/v1.0/$batch", emu.url()))
        .bearer_auth(&t)
        .json(&batch_body(&[("x", "GET", format!("{EM}/accessPackages"))]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let calls: Vec<_> = emu
        .calls()
        .into_iter()
        .filter(|c| !c.path.contains("oauth2"))
        .collect();
    let summary: Vec<(u16, bool, bool)> = calls
        .iter()
        .map(|c| (c.status, c.dropped, c.in_batch))
        .collect();
    assert_eq!(
        summary,
        vec![
            (202, true, false), // the lost acknowledgement: performed, never answered
            (200, false, false),
            (400, true, false),
            (200, true, false), // the batch (its sub-requests arrive while it runs)
            (202, true, true),
            (200, true, true),
            (202, true, true),
            (200, false, false),
            (200, false, true),
        ],
        "{calls:#?}"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn html_faults_answer_502_pages_from_a_proxy() {
    let emu = start(EmulatorConfig {
        fault_rate: 1.0,
        fault_html: true,
        ..EmulatorConfig::default()
    })
    .await;
    let t = admin_token(&emu).await;
    let before = emu.requests_snapshot();
    let target = eligible_in(&before, &[])[0].clone();
    let url = format!(
        "{}/v1.0{EM}/assignmentRequests/{}/reprocess",
        emu.url(),
        target.id
    );
    for r in [
        post(&url, &t).await,
        get(&format!("{}/v1.0{EM}/accessPackages", emu.url()), &t).await,
    ] {
        assert_eq!(r.status, 502);
        let ct = r.headers["content-type"].to_str().unwrap();
        assert!(ct.starts_with("text/html"), "{ct}");
        assert!(r.text.starts_with("<!DOCTYPE html>"), "{}", r.text);
        assert!(r.text.contains("502 Bad Gateway"));
        assert!(serde_json::from_str::<Value>(&r.text).is_err());
        assert!(r.headers.get("retry-after").is_none());
    }
    // The proxy also sees a $batch as one exchange.
    let r = reqwest::Client::new()
        .post(format!("{}/v1.0/$batch", emu.url()))
        .bearer_auth(&t)
        .json(&batch_body(&[("1", "GET", format!("{EM}/accessPackages"))]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 502);
    assert!(r.text().await.unwrap().contains("<html>"));
    assert_eq!(emu.requests_snapshot(), before);
    assert!(
        emu.calls()
            .iter()
            .filter(|c| !c.path.contains("oauth2"))
            .all(|c| c.status == 502 && !c.in_batch)
    );
    emu.shutdown().await;

    // Inside a batch that got past the proxy, faults stay Graph's JSON 503/504.
    let emu = start(EmulatorConfig {
        fault_rate: 0.5,
        fault_html: true,
        ..EmulatorConfig::default()
    })
    .await;
    let t = admin_token(&emu).await;
    let mut seen_json_fault = false;
    for _ in 0..20 {
        let subs: Vec<(String, &str, String)> = (0..6)
            .map(|i| (i.to_string(), "GET", format!("{EM}/accessPackages")))
            .collect();
        let subs: Vec<(&str, &str, String)> = subs
            .iter()
            .map(|(i, m, u)| (i.as_str(), *m, u.clone()))
            .collect();
        let r = reqwest::Client::new()
            .post(format!("{}/v1.0/$batch", emu.url()))
            .bearer_auth(&t)
            .json(&batch_body(&subs))
            .send()
            .await
            .unwrap();
        if r.status() == 502 {
            continue;
        }
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        for sub in body["responses"].as_array().unwrap() {
            match sub["status"].as_u64().unwrap() {
                200 => {}
                503 | 504 => {
                    assert!(sub["body"]["error"]["code"].is_string(), "{sub}");
                    seen_json_fault = true;
                }
                other => panic!("{other}: {sub}"),
            }
        }
        if seen_json_fault {
            break;
        }
    }
    assert!(seen_json_fault);
    emu.shutdown().await;
}

/// The first 429 from a bucket of one token at `rate` per second.
async fn first_429(emu: &Emulator, t: &str) -> Resp {
    let url = format!("{}/v1.0{EM}/accessPackages", emu.url());
    for _ in 0..10 {
        let r = get(&url, t).await;
        if r.status == 429 {
            return r;
        }
    }
    panic!("never throttled");
}

#[tokio::test]
async fn retry_after_styles_are_truthful() {
    use ep_emulator::RetryAfterStyle;
    let url_of = |emu: &Emulator| format!("{}/v1.0{EM}/accessPackages", emu.url());
    for style in [
        RetryAfterStyle::Seconds,
        RetryAfterStyle::Fraction,
        RetryAfterStyle::Date,
        RetryAfterStyle::Absent,
    ] {
        let emu = start(EmulatorConfig {
            rate: Some(2.5),
            burst: 1,
            retry_after: style,
            ..EmulatorConfig::default()
        })
        .await;
        let t = admin_token(&emu).await;
        for _ in 0..3 {
            let r = first_429(&emu, &t).await;
            assert_odata_error(&r, 429, "TooManyRequests");
            let header = r
                .headers
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string());
            let wait = match style {
                RetryAfterStyle::Seconds => {
                    let h = header.unwrap();
                    let secs: u64 = h.parse().unwrap_or_else(|_| panic!("{h}"));
                    assert_eq!(secs, 1, "ceil of at most 0.4 s");
                    Duration::from_secs(secs)
                }
                RetryAfterStyle::Fraction => {
                    let h = header.unwrap();
                    let (_, decimals) = h.split_once('.').unwrap_or_else(|| panic!("{h}"));
                    assert_eq!(decimals.len(), 2, "{h}");
                    let secs: f64 = h.parse().unwrap();
                    assert!(secs > 0.0 && secs <= 0.41, "{h}");
                    Duration::from_secs_f64(secs)
                }
                RetryAfterStyle::Date => {
                    let h = header.unwrap();
                    assert!(h.ends_with(" GMT") && h.len() == 29, "{h}");
                    let at = chrono::DateTime::parse_from_rfc2822(&h)
                        .unwrap_or_else(|e| panic!("{h}: {e}"))
                        .with_timezone(&Utc);
                    let now = Utc::now();
                    assert!(at <= now + chrono::Duration::seconds(2), "{h}");
                    (at - now).to_std().unwrap_or(Duration::ZERO)
                }
                _ => {
                    assert_eq!(header, None);
                    // The true wait is at most one token: 0.4 s.
                    Duration::from_millis(400)
                }
            };
            // Waiting what was advertised (no more) is enough.
            tokio::time::sleep(wait).await;
            assert_eq!(get(&url_of(&emu), &t).await.status, 200, "{style:?}");
        }
        emu.shutdown().await;
    }

    // Injected 503s follow the style too.
    let emu = start(EmulatorConfig {
        fault_rate: 1.0,
        retry_after: RetryAfterStyle::Date,
        ..EmulatorConfig::default()
    })
    .await;
    let t = admin_token(&emu).await;
    let mut seen = 0;
    for _ in 0..12 {
        let r = get(&url_of(&emu), &t).await;
        if r.status == 503 {
            let h = r.headers["retry-after"].to_str().unwrap();
            chrono::DateTime::parse_from_rfc2822(h).unwrap();
            seen += 1;
        }
    }
    assert!(seen > 0);
    emu.shutdown().await;
}

#[tokio::test]
async fn batch_sub_responses_carry_throttle_headers() {
    use ep_emulator::RetryAfterStyle;
    for (style, check) in [
        (
            RetryAfterStyle::Fraction,
            (|h: Option<&str>| h.is_some_and(|v| v.contains('.') && v.parse::<f64>().is_ok()))
                as fn(Option<&str>) -> bool,
        ),
        (RetryAfterStyle::Seconds, |h| {
            h.is_some_and(|v| v.parse::<u64>().is_ok())
        }),
        (RetryAfterStyle::Date, |h| {
            h.is_some_and(|v| chrono::DateTime::parse_from_rfc2822(v).is_ok())
        }),
        (RetryAfterStyle::Absent, |h| h.is_none()),
    ] {
        let emu = start(EmulatorConfig {
            rate: Some(0.5),
            burst: 5,
            retry_after: style,
            ..EmulatorConfig::default()
        })
        .await;
        let t = admin_token(&emu).await;
        let subs: Vec<(String, &str, String)> = (1..=8)
            .map(|i| (i.to_string(), "GET", format!("{EM}/accessPackages")))
            .collect();
        let subs: Vec<(&str, &str, String)> = subs
            .iter()
            .map(|(i, m, u)| (i.as_str(), *m, u.clone()))
            .collect();
        let r = reqwest::Client::new()
            .post(format!("{}/v1.0/$batch", emu.url()))
            .bearer_auth(&t)
            .json(&batch_body(&subs))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        let by_id: HashMap<String, Value> = body["responses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["id"].as_str().unwrap().to_string(), r.clone()))
            .collect();
        // Sub-requests run in order: five tokens, then 429s.
        for i in 1..=8 {
            let sub = &by_id[&i.to_string()];
            let header = |name: &str| sub["headers"][name].as_str();
            if i <= 5 {
                assert_eq!(sub["status"], 200, "{sub}");
                // The bucket is nearly empty after the fifth token.
                assert_eq!(
                    header("x-ms-throttle-limit-percentage").is_some(),
                    i == 5,
                    "{i}: {sub}"
                );
            } else {
                assert_eq!(sub["status"], 429, "{sub}");
                assert_eq!(sub["body"]["error"]["code"], "TooManyRequests");
                assert!(check(header("Retry-After")), "{style:?}: {sub}");
            }
        }
        emu.shutdown().await;
    }
}

#[tokio::test]
async fn catalog_scoped_callers_see_only_their_catalogs() {
    let emu = start(EmulatorConfig {
        catalog_scoped: true,
        outage: 60,
        refail_rate: 0.0,
        settle: Duration::from_secs(600),
        ..EmulatorConfig::default()
    })
    .await;
    let hidden = emu.hidden_packages();
    assert!(!hidden.is_empty());
    let truth = emu.requests_snapshot();
    let all_packages: HashSet<String> = truth.iter().map(|r| r.package_id.clone()).collect();
    let visible: Vec<String> = all_packages
        .iter()
        .filter(|p| !hidden.contains(p))
        .cloned()
        .collect();
    assert!(!visible.is_empty());
    let admin = admin_token(&emu).await;
    let reader = token_for(&emu, DEMO.reader_client_id, DEMO.reader_client_secret).await;
    let base = format!("{}/v1.0{EM}", emu.url());
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();

    for t in [&admin, &reader] {
        // Tenant-wide listing is refused, filtered or not.
        for q in ["", "?$filter=state%20eq%20'deliveryFailed'"] {
            let r = get(&format!("{base}/assignmentRequests{q}"), t).await;
            assert_odata_error(&r, 403, "Authorization_RequestDenied");
        }
        // Packages: only those of visible catalogs.
        let (pkgs, _) = collect_all(&format!("{base}/accessPackages"), t).await;
        let ids: HashSet<&str> = pkgs.iter().map(|p| p["id"].as_str().unwrap()).collect();
        assert!(hidden.iter().all(|h| !ids.contains(h.as_str())));
        assert!(visible.iter().all(|v| ids.contains(v.as_str())));
        // Per package: visible ones list in full, hidden ones are refused.
        let filter = |p: &str| {
            format!(
                "{base}/assignmentRequests?$filter={}",
                enc(&format!(
                    "accessPackage/id eq '{p}' and state eq 'deliveryFailed'"
                ))
            )
        };
        let (items, _) = collect_all(&filter(&visible[0]), t).await;
        let expected = truth
            .iter()
            .filter(|r| r.package_id == visible[0] && r.state == "deliveryFailed")
            .count();
        assert_eq!(items.len(), expected);
        assert!(expected > 0);
        let r = get(&filter(&hidden[0]), t).await;
        assert_odata_error(&r, 403, "Authorization_RequestDenied");
        let r = get(&format!("{base}/accessPackages/{}", hidden[0]), t).await;
        assert_odata_error(&r, 403, "Authorization_RequestDenied");
        assert_eq!(
            get(&format!("{base}/accessPackages/{}", visible[0]), t)
                .await
                .status,
            200
        );
    }

    // Single requests: hidden → 403 (get and reprocess), visible → as usual.
    let in_hidden = eligible_in(&truth, &hidden)[0].clone();
    let in_visible = eligible_in(&truth, &visible)[0].clone();
    let r = get(
        &format!("{base}/assignmentRequests/{}", in_hidden.id),
        &admin,
    )
    .await;
    assert_odata_error(&r, 403, "Authorization_RequestDenied");
    let r = post(
        &format!("{base}/assignmentRequests/{}/reprocess", in_hidden.id),
        &admin,
    )
    .await;
    assert_odata_error(&r, 403, "Authorization_RequestDenied");
    let r = get(
        &format!("{base}/assignmentRequests/{}", in_visible.id),
        &reader,
    )
    .await;
    assert_eq!(r.status, 200);
    let r = post(
        &format!("{base}/assignmentRequests/{}/reprocess", in_visible.id),
        &admin,
    )
    .await;
    assert_eq!(r.status, 202, "{}", r.text);
    // The same rules inside $batch.
    let r = reqwest::Client::new()
        .post(format!("{}/v1.0/$batch", emu.url()))
        .bearer_auth(&admin)
        .json(&batch_body(&[
            (
                "h",
                "GET",
                format!("{EM}/assignmentRequests/{}", in_hidden.id),
            ),
            ("t", "GET", format!("{EM}/assignmentRequests")),
            (
                "v",
                "GET",
                format!("{EM}/assignmentRequests/{}", in_visible.id),
            ),
        ]))
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    let status: HashMap<&str, u64> = body["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r["status"].as_u64().unwrap()))
        .collect();
    assert_eq!(status, HashMap::from([("h", 403), ("t", 403), ("v", 200)]));

    let after = emu.requests_snapshot();
    let find = |id: &str| after.iter().find(|r| r.id == id).unwrap().clone();
    assert_eq!(find(&in_hidden.id).reprocess_calls, 0);
    assert_eq!(find(&in_visible.id).reprocess_calls, 1);
    emu.shutdown().await;
}

#[tokio::test]
async fn outage_adds_recent_failures_to_the_tenant() {
    let emu = start(EmulatorConfig {
        requests: 100,
        outage: 900,
        page_size: 999,
        ..EmulatorConfig::default()
    })
    .await;
    let truth = emu.requests_snapshot();
    assert_eq!(truth.len(), 1000);
    let ids: HashSet<&str> = truth.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), 1000);
    let recent = chrono::Duration::hours(6) + chrono::Duration::minutes(1);
    let now = Utc::now();
    let outage: Vec<_> = truth
        .iter()
        .filter(|r| {
            (r.state == "deliveryFailed" || r.state == "partiallyDelivered")
                && r.completed.is_some_and(|c| now - c <= recent)
        })
        .collect();
    assert!(outage.len() >= 900, "{}", outage.len());
    let packages: HashSet<&str> = outage.iter().map(|r| r.package_id.as_str()).collect();
    assert_eq!(packages.len(), 6);
    let t = admin_token(&emu).await;
    let (items, pages) = collect_all(
        &format!(
            "{}/v1.0{EM}/assignmentRequests?$filter=state%20eq%20'deliveryFailed'",
            emu.url()
        ),
        &t,
    )
    .await;
    assert_eq!(
        items.len(),
        truth.iter().filter(|r| r.state == "deliveryFailed").count()
    );
    assert_eq!(pages, 1);
    let usage = emu.usage_text();
    assert!(
        usage.contains("100 requests + 900 outage failures"),
        "{usage}"
    );
    assert!(usage.contains("# knobs:"), "{usage}");
    emu.shutdown().await;
}

#[tokio::test]
async fn twenty_thousand_requests_start_and_page_in_bounded_time() {
    let started = std::time::Instant::now();
    let emu = start(EmulatorConfig {
        requests: 20_000,
        page_size: 999,
        ..EmulatorConfig::default()
    })
    .await;
    let seeded = started.elapsed();
    let t = admin_token(&emu).await;
    let listing = std::time::Instant::now();
    let (items, pages) =
        collect_all(&format!("{}/v1.0{EM}/assignmentRequests", emu.url()), &t).await;
    let listed = listing.elapsed();
    assert_eq!(pages, 21);
    let ids: HashSet<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 20_000);
    // Generous bounds for an unoptimised build on a loaded machine; what matters is that
    // neither grows with the square of the tenant (that took minutes).
    assert!(seeded < Duration::from_secs(10), "seeding took {seeded:?}");
    assert!(listed < Duration::from_secs(30), "listing took {listed:?}");
    eprintln!("20k: seeded in {seeded:?}, listed in {listed:?}");
    emu.shutdown().await;
}

// ---- delivery: resources, callouts, audit log -------------------------------------------------

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn role_scopes_and_catalog_resources_name_what_a_package_delivers() {
    let emu = start(EmulatorConfig::default()).await;
    let t = admin_token(&emu).await;
    let base = emu.url();
    let (packages, _) = collect_all(&format!("{base}/v1.0{EM}/accessPackages"), &t).await;
    for p in &packages {
        let id = p["id"].as_str().unwrap();
        let expand = enc("catalog,resourceRoleScopes($expand=role,scope)");
        let r = get(
            &format!("{base}/v1.0{EM}/accessPackages/{id}?$expand={expand}"),
            &t,
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let body = r.json();
        let scopes = body["resourceRoleScopes"].as_array().unwrap();
        let seeded = emu.package_resources(id);
        assert_eq!(scopes.len(), seeded.len());
        assert!(!scopes.is_empty());
        for s in scopes {
            // The docs' shape: role and scope with origin ids; a root scope is called "Root".
            assert!(s["role"]["displayName"].is_string(), "{s}");
            assert_eq!(s["scope"]["displayName"], "Root");
            assert!(
                seeded
                    .iter()
                    .any(|r| r.id == s["scope"]["originId"] && r.kind == s["scope"]["originSystem"])
            );
        }
        let catalog = body["catalog"]["id"].as_str().unwrap();
        let (resources, _) =
            collect_all(&format!("{base}/v1.0{EM}/catalogs/{catalog}/resources"), &t).await;
        for r in &seeded {
            assert!(
                resources.iter().any(|c| c["originId"] == r.id.as_str()
                    && c["displayName"] == r.display_name.as_str()),
                "{r:?} in {resources:?}"
            );
        }
        // beta names the same navigations its own way.
        let beta = enc(
            "accessPackageResourceRoleScopes($expand=accessPackageResourceRole,accessPackageResourceScope)",
        );
        let r = get(
            &format!("{base}/beta{EM}/accessPackages/{id}?$expand={beta}"),
            &t,
        )
        .await;
        let scopes = &r.json()["accessPackageResourceRoleScopes"];
        assert!(
            scopes[0]["accessPackageResourceRole"]["originId"].is_string(),
            "{}",
            r.text
        );
        assert!(scopes[0]["accessPackageResourceScope"]["originId"].is_string());
    }
    let wrong = enc("resourceRoleScopes($expand=resource)");
    let id = packages[0]["id"].as_str().unwrap();
    let r = get(
        &format!("{base}/v1.0{EM}/accessPackages/{id}?$expand={wrong}"),
        &t,
    )
    .await;
    assert_odata_error(&r, 400, "BadRequest");
    emu.shutdown().await;
}

#[tokio::test]
async fn beta_resource_roles_show_which_resource_was_not_delivered() {
    let emu = start(EmulatorConfig::default()).await;
    let t = admin_token(&emu).await;
    let base = emu.url();
    let causes = emu.causes_snapshot();
    let partial: Vec<_> = emu
        .requests_snapshot()
        .into_iter()
        .filter(|r| r.state == "partiallyDelivered")
        .collect();
    assert!(!partial.is_empty());
    for r in partial.iter().take(4) {
        let q = enc("accessPackageAssignment");
        let detail = get(
            &format!("{base}/beta{EM}/assignmentRequests/{}?$expand={q}", r.id),
            &t,
        )
        .await;
        let assignment = detail.json()["accessPackageAssignment"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let roles = get(
            &format!("{base}/beta{EM}/accessPackageAssignments/{assignment}/accessPackageAssignmentResourceRoles?$expand=accessPackageResourceScope"),
            &t,
        )
        .await;
        assert_eq!(roles.status, 200, "{}", roles.text);
        let cause = causes.iter().find(|c| c.request_id == r.id).unwrap();
        let body = roles.json();
        let pending: Vec<&Value> = body["value"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["status"] == "PendingFulfillment")
            .collect();
        assert_eq!(pending.len(), 1, "{}", roles.text);
        assert_eq!(
            pending[0]["accessPackageResourceScope"]["originId"],
            cause.resource.as_ref().unwrap().id.as_str()
        );
        // beta only: v1.0 has no such collection.
        let v1 = get(
            &format!("{base}/v1.0{EM}/accessPackageAssignments/{assignment}/accessPackageAssignmentResourceRoles"),
            &t,
        )
        .await;
        assert_eq!(v1.status, 404);
    }
    emu.shutdown().await;
    let emu = start(EmulatorConfig {
        resource_roles_unavailable: true,
        ..EmulatorConfig::default()
    })
    .await;
    let t = admin_token(&emu).await;
    let r = get(
        &format!(
            "{}/beta{EM}/accessPackageAssignments/{}/accessPackageAssignmentResourceRoles",
            emu.url(),
            uuid::Uuid::new_v4()
        ),
        &t,
    )
    .await;
    assert_odata_error(&r, 404, "BadRequest");
    emu.shutdown().await;
}

#[tokio::test]
async fn failed_callouts_are_on_the_request_or_on_its_assignment() {
    let emu = start(EmulatorConfig::default()).await;
    let t = admin_token(&emu).await;
    let callouts: Vec<_> = emu
        .causes_snapshot()
        .into_iter()
        .filter(|c| c.kind == "customExtension")
        .collect();
    assert!(!callouts.is_empty());
    for c in &callouts {
        let r = get(
            &format!(
                "{}/v1.0{EM}/assignmentRequests/{}?$expand=assignment",
                emu.url(),
                c.request_id
            ),
            &t,
        )
        .await;
        let body = r.json();
        // The request's own calls, and those of the extension that runs once the assignment
        // is granted, on the assignment.
        let on_request = body["customExtensionCalloutInstances"].as_array().unwrap();
        let on_assignment = body["assignment"]["customExtensionCalloutInstances"]
            .as_array()
            .unwrap();
        let failed: Vec<_> = on_request
            .iter()
            .chain(on_assignment)
            .filter(|i| i["status"] == "calloutFailed" || i["status"] == "callbackTimedOut")
            .collect();
        assert_eq!(failed.len(), 1, "{body}");
        assert_eq!(failed[0]["detail"], c.reason.as_str());
        assert!(failed[0]["customExtensionId"].is_string());
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn the_audit_log_needs_its_permission_filters_as_documented_and_has_its_own_throttle() {
    let emu = start(EmulatorConfig {
        rate: Some(1000.0),
        burst: 1000,
        audit_rate: Some(2.0),
        audit_burst: 2,
        retry_after: ep_emulator::RetryAfterStyle::Fraction,
        ..EmulatorConfig::default()
    })
    .await;
    let base = emu.url();
    let t = admin_token(&emu).await;
    let reader = token_for(&emu, DEMO.reader_client_id, DEMO.reader_client_secret).await;
    let audit = format!("{base}/v1.0/auditLogs/directoryAudits");
    let r = get(&audit, &reader).await;
    assert_odata_error(&r, 403, "Authorization_RequestDenied");
    let filter = enc(
        "activityDisplayName eq 'Fulfill access package resource assignment' and activityDateTime ge 2000-01-01T00:00:00Z",
    );
    let r = get(&format!("{audit}?$filter={filter}"), &t).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let events = r.json()["value"].as_array().unwrap().clone();
    assert!(!events.is_empty());
    assert!(
        events
            .iter()
            .all(|e| e["activityDisplayName"] == "Fulfill access package resource assignment")
    );
    // The bucket of two is spent: the audit log throttles, the entitlement APIs do not.
    let throttled = get(&audit, &t).await;
    assert_eq!(throttled.status, 429, "{}", throttled.text);
    assert!(throttled.headers.get("retry-after").is_some());
    let em = get(&format!("{base}/v1.0{EM}/accessPackages"), &t).await;
    assert_eq!(em.status, 200);
    tokio::time::sleep(Duration::from_millis(600)).await;
    // Not documented as filterable: refused.
    let r = get(
        &format!("{audit}?$filter={}", enc("result eq 'failure'")),
        &t,
    )
    .await;
    assert_odata_error(&r, 400, "BadRequest");
    emu.shutdown().await;
}

#[tokio::test]
async fn audit_events_explain_each_seeded_failure_within_thirty_days() {
    for correlation in [
        ep_emulator::AuditCorrelation::RequestId,
        ep_emulator::AuditCorrelation::Requestor,
    ] {
        let emu = start(EmulatorConfig {
            audit_rate: None,
            audit_correlation: correlation,
            ..EmulatorConfig::default()
        })
        .await;
        let t = admin_token(&emu).await;
        let (events, _) =
            collect_all(&format!("{}/v1.0/auditLogs/directoryAudits", emu.url()), &t).await;
        let oldest = Utc::now() - chrono::Duration::days(30) - chrono::Duration::minutes(1);
        for e in &events {
            let at: chrono::DateTime<Utc> =
                e["activityDateTime"].as_str().unwrap().parse().unwrap();
            assert!(at >= oldest, "kept 30 days: {e}");
        }
        let causes = emu.causes_snapshot();
        let names = |e: &Value, id: &str| {
            e["targetResources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["id"] == id)
        };
        // A SharePoint site is no directory object: the log names it by its catalog
        // resource's id (type Other), with its name.
        let names_resource = |e: &Value, r: &ep_emulator::SeededResource| {
            names(e, &r.id)
                || (r.kind == "SharePointOnline"
                    && e["targetResources"].as_array().unwrap().iter().any(|t| {
                        t["type"] == "Other"
                            && t["displayName"] == r.display_name.as_str()
                            && t["id"] != r.id.as_str()
                    }))
        };
        for c in causes.iter().filter(|c| c.kind == "resource" && c.audited) {
            let resource = c.resource.as_ref().unwrap();
            let about = |e: &&Value| {
                e["result"] == "failure"
                    && e["resultReason"] == c.reason.as_str()
                    && names_resource(e, resource)
            };
            let by_id = events.iter().filter(about).any(|e| names(e, &c.request_id));
            let any = events.iter().any(|e| about(&e));
            assert!(any, "no event for {c:?}");
            assert_eq!(
                by_id,
                correlation == ep_emulator::AuditCorrelation::RequestId,
                "{c:?}"
            );
        }
        assert!(
            causes.iter().any(|c| !c.audited),
            "some failures are older than the log"
        );
        emu.shutdown().await;
    }
}

/// A saved tenant state brings the tenant back as it was: same ids and timestamps, the reprocess
/// still in effect, and a repeat inside the trial window refused as before.
#[tokio::test]
async fn a_resumed_tenant_is_the_one_its_state_was_taken_from() {
    let config = || EmulatorConfig {
        refail_rate: 0.0,
        settle: Duration::from_secs(600),
        ..EmulatorConfig::default()
    };
    let emu = start(config()).await;
    let t = admin_token(&emu).await;
    let target = eligible_failed(&emu);
    let action = |url: &str| format!("{url}/v1.0{EM}/assignmentRequests/{}/reprocess", target.id);
    assert_eq!(post(&action(&emu.url()), &t).await.status, 202);
    let state = emu.tenant_state();
    assert_eq!(state.reprocess_calls(), 1);
    assert_eq!(state.changed.len(), 1);
    assert_eq!(state.changed[0].state, "delivering");
    let before = emu.requests_snapshot();
    emu.shutdown().await;

    // Through JSON, as ep keeps it, and a second later: nothing may depend on the clock.
    let saved = serde_json::to_string(&state).unwrap();
    let state: ep_emulator::TenantState = serde_json::from_str(&saved).unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let emu = Emulator::resume(config(), &state, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(emu.requests_snapshot(), before);
    assert_eq!(emu.tenant_state(), state);
    let t = admin_token(&emu).await;
    let r = post(&action(&emu.url()), &t).await;
    assert_odata_error(&r, 400, "BadRequest");
    emu.shutdown().await;
}

#[tokio::test]
async fn a_pending_reprocess_settles_on_time_after_a_resume() {
    let config = || EmulatorConfig {
        refail_rate: 0.0,
        settle: Duration::from_millis(300),
        ..EmulatorConfig::default()
    };
    let emu = start(config()).await;
    let t = admin_token(&emu).await;
    let target = eligible_failed(&emu);
    let action = format!(
        "{}/v1.0{EM}/assignmentRequests/{}/reprocess",
        emu.url(),
        target.id
    );
    assert_eq!(post(&action, &t).await.status, 202);
    let state = emu.tenant_state();
    assert!(state.changed[0].pending.is_some());
    emu.shutdown().await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let emu = Emulator::resume(config(), &state, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let now = emu
        .requests_snapshot()
        .into_iter()
        .find(|r| r.id == target.id)
        .unwrap();
    assert_eq!((now.state.as_str(), now.reprocess_calls), ("delivered", 1));
    assert!(emu.tenant_state().changed[0].pending.is_none());
    emu.shutdown().await;
}

#[tokio::test]
async fn a_state_of_another_tenant_or_an_impossible_one_is_refused_with_a_reason() {
    let emu = start(EmulatorConfig::default()).await;
    let good = emu.tenant_state();
    let some_id = emu.requests_snapshot()[0].id.clone();
    emu.shutdown().await;
    let change = ep_emulator::ChangedRequest {
        id: some_id,
        state: "delivered".into(),
        completed: None,
        pending: None,
        reprocess_calls: 1,
        callback_received: None,
    };
    let cases: Vec<(ep_emulator::TenantState, &str)> = vec![
        (
            ep_emulator::TenantState {
                seed: 7,
                ..good.clone()
            },
            "another tenant",
        ),
        (
            ep_emulator::TenantState {
                requests: 5,
                ..good.clone()
            },
            "another tenant",
        ),
        (
            ep_emulator::TenantState {
                format: "something/9".into(),
                ..good.clone()
            },
            "format 'something/9'",
        ),
        (
            ep_emulator::TenantState {
                generated_at: good.generated_at + chrono::Duration::milliseconds(5),
                ..good.clone()
            },
            "whole seconds",
        ),
        (
            ep_emulator::TenantState {
                generated_at: chrono::DateTime::parse_from_rfc3339("-200000-01-01T00:00:00Z")
                    .map(|t| t.to_utc())
                    .unwrap_or(chrono::DateTime::<Utc>::MIN_UTC),
                ..good.clone()
            },
            "not within the last ten years",
        ),
        (
            ep_emulator::TenantState {
                generated_at: chrono::DateTime::<Utc>::MAX_UTC
                    - chrono::Duration::nanoseconds(i64::from(chrono::Timelike::nanosecond(
                        &chrono::DateTime::<Utc>::MAX_UTC,
                    ))),
                ..good.clone()
            },
            "not within the last ten years",
        ),
        (
            ep_emulator::TenantState {
                changed: vec![ep_emulator::ChangedRequest {
                    id: "00000000-0000-4000-8000-000000000000".into(),
                    ..change.clone()
                }],
                ..good.clone()
            },
            "does not have",
        ),
        (
            ep_emulator::TenantState {
                changed: vec![ep_emulator::ChangedRequest {
                    state: "\u{1b}[2Jhacked".into(),
                    ..change.clone()
                }],
                ..good.clone()
            },
            "not a request state",
        ),
    ];
    for (state, why) in cases {
        let err = Emulator::resume(
            EmulatorConfig::default(),
            &state,
            "127.0.0.1:0".parse().unwrap(),
        )
        .await
        .err()
        .expect("refused");
        assert!(matches!(err, ep_emulator::ResumeError::Foreign(_)), "{err}");
        assert!(err.to_string().contains(why), "{why}: {err}");
    }
    // Unknown fields are not silently dropped either.
    let mut v = serde_json::to_value(&good).unwrap();
    v["extra"] = serde_json::json!(1);
    assert!(serde_json::from_value::<ep_emulator::TenantState>(v).is_err());
}
