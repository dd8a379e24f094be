//! A deliberately hostile Graph-compatible server, over real HTTP, against the real binary:
//! absurd `Retry-After`s, looping and endless paging, duplicated and malicious ids, bodies that
//! never end and connections that go silent. ep must never panic, loop, double, misdirect or
//! wait without bound (issue 8's table, rows 1-5 and 11).

use crate::common::{bare_ep, run_expect};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{Method, StatusCode, Uri};
use axum::response::Response;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const EM: &str = "/v1.0/identityGovernance/entitlementManagement";
const A: &str = "0a0a0a0a-0000-4000-8000-00000000000a";
const B: &str = "0b0b0b0b-0000-4000-8000-00000000000b";

/// What the hostile server does with one call.
enum Answer {
    Json(u16, Vec<(&'static str, String)>, Value),
    /// 200 with a body that streams zeros forever.
    Endless,
    /// 200 headers, then nothing, ever.
    Silent,
}

fn ok(v: Value) -> Answer {
    Answer::Json(200, Vec::new(), v)
}

fn throttled(retry_after: &str) -> Answer {
    Answer::Json(
        429,
        vec![("Retry-After", retry_after.to_string())],
        json!({"error": {"code": "TooManyRequests", "message": "Please retry again later."}}),
    )
}

/// One call as received: method, path with query, and (for `$batch`) which sub-request.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
}

type Handler = dyn Fn(&str, &str, &str) -> Answer + Send + Sync;

struct Hostile {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    _rt: tokio::runtime::Runtime,
}

impl Hostile {
    /// `handler(method, path_and_query, base_url)`; `$batch` sub-requests go through it too.
    fn start(handler: impl Fn(&str, &str, &str) -> Answer + Send + Sync + 'static) -> Hostile {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let (base, log) = (url.clone(), seen.clone());
        let app = Router::new().fallback(move |method: Method, uri: Uri, body: Bytes| {
            let (handler, base, log) = (handler.clone(), base.clone(), log.clone());
            async move {
                serve(
                    &*handler,
                    &base,
                    &log,
                    method.as_str(),
                    &uri.to_string(),
                    &body,
                )
            }
        });
        rt.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Hostile { url, seen, _rt: rt }
    }

    fn ep(&self) -> assert_cmd::Command {
        let mut cmd = bare_ep();
        cmd.env("EP_GRAPH_URL", &self.url)
            .env("EP_ACCESS_TOKEN", "hostile-test-token");
        cmd
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn posts(&self) -> Vec<String> {
        self.seen()
            .into_iter()
            .filter(|s| s.method == "POST" && !s.path.ends_with("/$batch"))
            .map(|s| s.path)
            .collect()
    }
}

fn serve(
    handler: &Handler,
    base: &str,
    log: &Mutex<Vec<Seen>>,
    method: &str,
    path: &str,
    body: &[u8],
) -> Response {
    log.lock().unwrap().push(Seen {
        method: method.into(),
        path: path.into(),
    });
    if path.ends_with("/$batch") {
        let doc: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let mut responses = Vec::new();
        for sub in doc["requests"].as_array().cloned().unwrap_or_default() {
            let sub_method = sub["method"].as_str().unwrap_or_default().to_string();
            let sub_path = format!("/v1.0{}", sub["url"].as_str().unwrap_or_default());
            log.lock().unwrap().push(Seen {
                method: sub_method.clone(),
                path: sub_path.clone(),
            });
            let (status, headers, body) = match handler(&sub_method, &sub_path, base) {
                Answer::Json(s, h, b) => (s, h, b),
                _ => (500, Vec::new(), Value::Null),
            };
            let headers: serde_json::Map<String, Value> = headers
                .into_iter()
                .map(|(k, v)| (k.to_string(), Value::String(v)))
                .collect();
            responses
                .push(json!({"id": sub["id"], "status": status, "headers": headers, "body": body}));
        }
        return json_response(200, &[], &json!({ "responses": responses }));
    }
    match handler(method, path, base) {
        Answer::Json(status, headers, body) => json_response(status, &headers, &body),
        Answer::Endless => {
            let chunk = Bytes::from(vec![b' '; 64 * 1024]);
            let stream =
                futures_util::stream::repeat_with(move || Ok::<_, std::io::Error>(chunk.clone()));
            Response::builder()
                .status(200)
                .header("Content-Type", "application/json")
                .body(Body::from_stream(stream))
                .unwrap()
        }
        Answer::Silent => {
            let stream = futures_util::stream::pending::<Result<Bytes, std::io::Error>>();
            Response::builder()
                .status(200)
                .header("Content-Type", "application/json")
                .body(Body::from_stream(stream))
                .unwrap()
        }
    }
}

fn json_response(status: u16, headers: &[(&str, String)], body: &Value) -> Response {
    let mut r = Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .header("Content-Type", "application/json");
    for (k, v) in headers {
        r = r.header(*k, v);
    }
    r.body(Body::from(body.to_string())).unwrap()
}

/// A v1.0 request in `deliveryFailed`, completed a day ago: reprocessable.
fn failed_request(id: &str) -> Value {
    let completed = (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339();
    json!({
        "id": id, "state": "deliveryFailed", "status": "Delivery failed", "requestType": "userAdd",
        "createdDateTime": completed, "completedDateTime": completed,
        "accessPackage": {"id": "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea", "displayName": "P"},
        "requestor": {"displayName": "Someone", "principalName": "someone@contoso.com"}
    })
}

fn is_list(method: &str, path: &str) -> bool {
    method == "GET" && path.starts_with(&format!("{EM}/assignmentRequests?"))
}

fn item_id(path: &str) -> Option<&str> {
    let rest = path.strip_prefix(&format!("{EM}/assignmentRequests/"))?;
    Some(rest.split(['/', '?']).next().unwrap_or_default())
}

// ---- row 1: absurd Retry-After -----------------------------------------------------------------

#[test]
fn absurd_retry_after_values_give_up_with_exit_5_saying_what_graph_asked() {
    for header in ["1e308", "1e20", "99999999999999999999"] {
        let server = Hostile::start(move |_, _, _| throttled(header));
        let r = run_expect(server.ep().args(["packages", "list"]), 5);
        assert!(
            r.stderr.contains("Graph asked to wait more than a year"),
            "{header}: {}",
            r.stderr
        );
        assert!(r.stderr.contains("--max-wait"), "{}", r.stderr);
        assert_eq!(server.seen().len(), 1, "{header}: not retried");
    }
}

#[test]
fn an_absurd_retry_after_mid_reprocess_keeps_the_summary_and_the_journal() {
    // A is accepted; B's reprocess is throttled "for ever", directly and inside $batch.
    for batch in [false, true] {
        let server = Hostile::start(|method, path, _| match (method, item_id(path)) {
            ("GET", Some(id)) => ok(failed_request(id)),
            ("POST", Some(A)) => Answer::Json(202, Vec::new(), Value::Null),
            ("POST", Some(_)) => throttled("1e308"),
            _ => Answer::Json(
                404,
                Vec::new(),
                json!({"error": {"code": "NotFound", "message": "no"}}),
            ),
        });
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("journal.ndjson");
        let mut cmd = server.ep();
        if !batch {
            cmd.arg("--no-batch");
        }
        cmd.args(["reprocess", A, B, "-o", "json", "--journal"])
            .arg(&journal);
        let r = run_expect(&mut cmd, 1);
        let summary = r.json();
        assert_eq!(summary["counts"]["reprocessed"], 1, "batch {batch}");
        assert_eq!(summary["counts"]["failed"], 1);
        let failed = &summary["results"][1];
        assert_eq!(failed["error"]["status"], 429);
        assert!(
            failed["error"]["message"]
                .as_str()
                .unwrap()
                .contains("more than a year")
        );
        let lines = std::fs::read_to_string(&journal).unwrap();
        assert!(
            lines.contains(A) && lines.contains("reprocessed"),
            "{lines}"
        );
    }
}

// ---- row 2: long Retry-After on every call -----------------------------------------------------

#[test]
fn a_long_retry_after_on_every_call_is_bounded_by_the_budget() {
    let server = Hostile::start(|_, _, _| throttled("999999999"));
    let r = run_expect(server.ep().args(["requests", "list", "--all-packages"]), 5);
    assert!(r.elapsed < Duration::from_secs(10), "{:?}", r.elapsed);
    assert!(r.stderr.contains("Retry-After"), "{}", r.stderr);

    // Waits that each fit add up to --max-wait at most.
    let server = Hostile::start(|_, _, _| throttled("1"));
    let r = run_expect(
        server
            .ep()
            .args(["--max-wait", "3s", "--retries", "50", "packages", "list"]),
        5,
    );
    assert!(r.elapsed < Duration::from_secs(8), "{:?}", r.elapsed);
    assert_eq!(server.seen().len(), 4, "1 + 3 retries of 1 s fit in 3 s");
}

#[test]
fn retries_0_retries_nothing_not_even_a_429() {
    let server = Hostile::start(|_, _, _| throttled("1"));
    run_expect(server.ep().args(["--retries", "0", "packages", "list"]), 5);
    assert_eq!(server.seen().len(), 1);
}

// ---- row 3: paging that never ends -------------------------------------------------------------

#[test]
fn a_next_link_to_itself_or_endless_empty_pages_stop_with_exit_5() {
    let server = Hostile::start(|method, path, base| {
        if is_list(method, path) {
            ok(json!({"value": [failed_request(A)], "@odata.nextLink": format!("{base}{path}")}))
        } else {
            ok(json!({"value": []}))
        }
    });
    let r = run_expect(
        server
            .ep()
            .args(["requests", "list", "--all-packages", "-o", "ids"]),
        5,
    );
    assert!(
        r.stderr.contains("same @odata.nextLink twice"),
        "{}",
        r.stderr
    );

    let server = Hostile::start(|method, path, base| {
        if is_list(method, path) {
            let n: u64 = path
                .rsplit("page=")
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let base_path = path.split("&page=").next().unwrap_or(path);
            ok(json!({"value": [], "@odata.nextLink": format!("{base}{base_path}&page={}", n + 1)}))
        } else {
            ok(json!({"value": []}))
        }
    });
    let r = run_expect(server.ep().args(["requests", "list", "--all-packages"]), 5);
    assert!(r.stderr.contains("empty pages in a row"), "{}", r.stderr);
    assert!(
        server.seen().len() < 200,
        "stopped early: {}",
        server.seen().len()
    );
}

// ---- row 4: the same id twice ------------------------------------------------------------------

#[test]
fn the_same_id_on_two_pages_is_listed_and_reprocessed_once() {
    let server = Hostile::start(|method, path, base| {
        if is_list(method, path) {
            if path.contains("page=2") {
                ok(json!({"value": [failed_request(A), failed_request(B)]}))
            } else {
                ok(json!({"value": [failed_request(A), failed_request(B)],
                          "@odata.nextLink": format!("{base}{path}&page=2")}))
            }
        } else if let Some(id) = item_id(path) {
            match method {
                "GET" => ok(failed_request(id)),
                _ => Answer::Json(202, Vec::new(), Value::Null),
            }
        } else {
            ok(json!({"value": []}))
        }
    });
    let r = run_expect(
        server
            .ep()
            .args(["requests", "list", "--all-packages", "-o", "ids"]),
        0,
    );
    // Once each, whatever the order (newest first: made a moment later, B comes first).
    let mut listed: Vec<&str> = r.stdout.lines().collect();
    listed.sort_unstable();
    assert_eq!(listed, vec![A, B]);
    for batch in [false, true] {
        let before = server.seen().len();
        let mut cmd = server.ep();
        if !batch {
            cmd.arg("--no-batch");
        }
        let r = run_expect(
            cmd.args([
                "reprocess",
                "--all-failed",
                "--yes",
                "--no-journal",
                "-o",
                "json",
            ]),
            0,
        );
        assert_eq!(r.json()["counts"]["reprocessed"], 2, "{}", r.stdout);
        let posts: Vec<String> = server.seen()[before..]
            .iter()
            .filter(|s| s.method == "POST" && s.path.ends_with("/reprocess"))
            .map(|s| s.path.clone())
            .collect();
        assert_eq!(posts.len(), 2, "each once: {posts:?}");
    }
}

// ---- row 5: ids that are paths ----------------------------------------------------------------

#[test]
fn server_ids_that_are_not_guids_are_reported_and_never_sent() {
    let evil = [
        "../../../../v1.0/users/victim",
        "x?y=1#frag",
        "",
        "\u{1b}]0;owned\u{7}",
    ];
    let server = Hostile::start(move |method, path, _| {
        if is_list(method, path) {
            let mut value: Vec<Value> = evil.iter().map(|id| failed_request(id)).collect();
            value.push(failed_request(A));
            ok(json!({ "value": value }))
        } else if let Some(id) = item_id(path) {
            match method {
                "GET" => ok(failed_request(id)),
                _ => Answer::Json(202, Vec::new(), Value::Null),
            }
        } else {
            ok(json!({"value": []}))
        }
    });
    let r = run_expect(
        server.ep().args([
            "--no-batch",
            "reprocess",
            "--all-failed",
            "--yes",
            "--no-journal",
            "-o",
            "json",
        ]),
        0,
    );
    assert_eq!(r.json()["counts"]["reprocessed"], 1);
    assert!(r.stderr.contains("not a GUID"), "{}", r.stderr);
    assert!(
        !r.stderr.contains('\u{1b}'),
        "no raw escape: {:?}",
        r.stderr
    );
    let posts = server.posts();
    assert_eq!(
        posts,
        vec![format!("{EM}/assignmentRequests/{A}/reprocess")]
    );
    assert!(
        server
            .seen()
            .iter()
            .all(|s| !s.path.contains("users/victim"))
    );
}

// ---- row 11: bodies that never end, connections that go silent ----------------------------------

#[test]
fn a_body_that_never_ends_fails_fast_with_exit_5() {
    let server = Hostile::start(|_, _, _| Answer::Endless);
    let r = run_expect(server.ep().args(["packages", "list"]), 5);
    assert!(r.stderr.contains("larger than 16 MiB"), "{}", r.stderr);
    assert!(r.elapsed < Duration::from_secs(20), "{:?}", r.elapsed);
    assert_eq!(server.seen().len(), 1, "an oversized body is not retried");
}

#[test]
fn headers_then_silence_fail_with_exit_5_in_well_under_a_minute() {
    let server = Hostile::start(|_, _, _| Answer::Silent);
    let r = run_expect(server.ep().args(["packages", "list"]), 5);
    assert!(r.stderr.contains("stopped answering"), "{}", r.stderr);
    assert!(r.elapsed < Duration::from_secs(45), "{:?}", r.elapsed);
    assert_eq!(server.seen().len(), 2, "a stall is retried once");
}

// ---- issue 10: a listing that breaks part-way while sending has begun --------------------------

/// The first page lists A and B; the next is refused. The pipeline has sent A and B by then:
/// the summary reports them, the error follows with its own exit code, and nothing is hidden.
#[test]
fn a_listing_refused_part_way_still_reports_what_was_sent() {
    let server = Hostile::start(|method, path, base| {
        if is_list(method, path) && path.contains("skiptoken") {
            return Answer::Json(
                403,
                Vec::new(),
                json!({"error": {"code": "Authorization_RequestDenied", "message": "no more"}}),
            );
        }
        if is_list(method, path) && path.contains("deliveryFailed") {
            return ok(json!({
                "value": [failed_request(A), failed_request(B)],
                "@odata.nextLink": format!("{base}{EM}/assignmentRequests?$skiptoken=2"),
            }));
        }
        if is_list(method, path) {
            return ok(json!({"value": []}));
        }
        match (method, item_id(path)) {
            ("POST", Some(_)) => Answer::Json(202, Vec::new(), Value::Null),
            ("GET", Some(id)) => ok(failed_request(id)),
            _ => Answer::Json(
                404,
                Vec::new(),
                json!({"error": {"code": "NotFound", "message": "no"}}),
            ),
        }
    });
    let r = run_expect(
        server
            .ep()
            .args(["reprocess", "--all-failed", "-o", "json", "--no-journal"]),
        3,
    );
    let summary = r.json();
    assert_eq!(summary["counts"]["reprocessed"], 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("the listing stopped part-way"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("403"), "{}", r.stderr);
    // Here something was sent, so the hint says where it is.
    assert!(
        r.stderr
            .contains("the 2 request(s) already reprocessed are in the summary above"),
        "{}",
        r.stderr
    );
    let mut posts = server.posts();
    posts.sort();
    assert_eq!(posts.len(), 2, "{posts:?}");
}

/// Graph throttling a command that sends nothing: the hint says to rerun later, and nothing
/// about requests already reprocessed, of which there are none.
#[test]
fn throttling_that_outlasts_the_retries_mentions_no_reprocessed_requests_where_none_were_sent() {
    let server = Hostile::start(|_, _, _| throttled("1"));
    for args in [
        &["--retries", "1", "packages", "list"][..],
        &["--retries", "1", "requests", "list", "--all-packages"][..],
    ] {
        let r = run_expect(server.ep().args(args), 5);
        assert!(r.stderr.contains("rerun later"), "{args:?}: {}", r.stderr);
        assert!(
            !r.stderr.contains("already reprocessed"),
            "{args:?}: {}",
            r.stderr
        );
    }
}

/// A reprocess call still unanswered when Ctrl-C's grace period runs out: its outcome is
/// unknown, and the final warning names it with the command to look at it.
#[cfg(unix)]
#[test]
fn an_unanswered_call_at_the_end_of_the_grace_period_is_named_in_the_final_warning() {
    let server = Hostile::start(|method, path, _| match (method, item_id(path)) {
        ("GET", Some(id)) => ok(failed_request(id)),
        ("POST", Some(A)) => Answer::Json(202, Vec::new(), Value::Null),
        ("POST", Some(_)) => Answer::Silent,
        _ => Answer::Json(
            404,
            Vec::new(),
            json!({"error": {"code": "NotFound", "message": "no"}}),
        ),
    });
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("ep"))
        .env_clear()
        .env("NO_COLOR", "1")
        .env("EP_GRAPH_URL", &server.url)
        .env("EP_ACCESS_TOKEN", "hostile-test-token")
        .args([
            "--no-batch",
            "reprocess",
            A,
            B,
            "--no-journal",
            "-o",
            "json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !server.posts().iter().any(|p| p.contains(B)) {
        assert!(std::time::Instant::now() < deadline, "B was sent");
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["interrupted"], "SIGINT", "{summary}");
    assert_eq!(summary["results"][1]["error"]["code"], "interrupted");
    let warning = stderr
        .lines()
        .find(|l| l.contains("warning: interrupted: the summary above"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(
        warning.contains(&format!(
            "outcome unknown for 1 request(s): see 'ep requests show {B}'"
        )),
        "{warning}"
    );
    assert!(!warning.contains(A), "{warning}");
}

// ---- ep auth setup against a directory that lies ----------------------------------------------

#[test]
fn setup_refuses_ids_that_are_not_guids_and_saves_nothing() {
    // A tenant id that would smuggle a terminal escape, and an app id that would smuggle a path.
    let server = Hostile::start(|method, path, _| {
        if path.starts_with("/v1.0/organization") {
            ok(json!({"value": [{"id": "\u{1b}]0;owned\u{7}"}]}))
        } else if method == "POST" && path.starts_with("/v1.0/applications") {
            Answer::Json(
                201,
                Vec::new(),
                json!({"id": A, "appId": "../users/victim"}),
            )
        } else {
            Answer::Json(
                404,
                Vec::new(),
                json!({"error": {"code": "Request_ResourceNotFound", "message": "no"}}),
            )
        }
    });
    let home = tempfile::tempdir().unwrap();
    let r = run_expect(
        server
            .ep()
            .env("XDG_CONFIG_HOME", home.path())
            .args(["auth", "setup", "--no-login"]),
        5,
    );
    assert!(r.stderr.contains("not a GUID"), "{}", r.stderr);
    assert!(
        !r.stderr.contains('\u{1b}'),
        "no raw escape: {:?}",
        r.stderr
    );
    assert!(!home.path().join("ep").join("config.toml").exists());
    assert!(
        server.posts().is_empty(),
        "nothing registered on a tenant id that is not one"
    );

    // A real-looking tenant, then an app id that is a path.
    let server = Hostile::start(|method, path, _| {
        let scope = |id: &str, value: &str| json!({"id": id, "value": value});
        if path.starts_with("/v1.0/organization") {
            ok(json!({"value": [{"id": A}]}))
        } else if path.starts_with("/v1.0/servicePrincipals(appId=") && path.contains("00000003") {
            ok(
                json!({"id": B, "appId": "00000003-0000-0000-c000-000000000000",
                "oauth2PermissionScopes": [
                    scope("ae7a573d-81d7-432b-ad44-4ed5c9d89038", "EntitlementManagement.ReadWrite.All"),
                    scope("e4c9e354-4dc5-45b8-9e7c-e1393b0b1a20", "AuditLog.Read.All"),
                    scope("7427e0e9-2fba-42fe-b0c0-848c9e6a8182", "offline_access"),
                ]}),
            )
        } else if method == "POST" && path.starts_with("/v1.0/applications") {
            Answer::Json(
                201,
                Vec::new(),
                json!({"id": A, "appId": "../users/victim"}),
            )
        } else {
            Answer::Json(
                404,
                Vec::new(),
                json!({"error": {"code": "Request_ResourceNotFound", "message": "no"}}),
            )
        }
    });
    let r = run_expect(
        server
            .ep()
            .env("XDG_CONFIG_HOME", home.path())
            .args(["auth", "setup", "--no-login"]),
        5,
    );
    assert!(
        r.stderr.contains("app id that is not a GUID"),
        "{}",
        r.stderr
    );
    assert_eq!(server.posts(), vec!["/v1.0/applications".to_string()]);
    assert!(server.seen().iter().all(|s| !s.path.contains("victim")));
    assert!(!home.path().join("ep").join("config.toml").exists());
}
