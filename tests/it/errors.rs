//! Bad input and bad servers: one clear line, a hint, the contract's exit code, never a panic.

use crate::common::{Emu, bare_ep, run_expect};
use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use ep_emulator::{DEMO, EmulatorConfig};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A server that answers every request with the same canned response, and counts them.
struct Canned {
    url: String,
    hits: Arc<AtomicUsize>,
    _rt: tokio::runtime::Runtime,
}

fn canned(status: u16, content_type: &'static str, body: &'static str) -> Canned {
    canned_with(move |_| (status, content_type, body.to_string()))
}

fn canned_with(
    answer: impl Fn(&str) -> (u16, &'static str, String) + Send + Sync + 'static,
) -> Canned {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let answer = Arc::new(answer);
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let counter = hits.clone();
    let base = url.clone();
    let app = Router::new().fallback(move |uri: axum::http::Uri, _headers: HeaderMap| {
        let counter = counter.clone();
        let answer = answer.clone();
        let base = base.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            let (status, ct, body) = answer(&uri.to_string());
            let body = body.replace("{base}", &base);
            (
                StatusCode::from_u16(status).unwrap(),
                [(header::CONTENT_TYPE, ct)],
                body,
            )
                .into_response()
        }
    });
    rt.spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Canned { url, hits, _rt: rt }
}

fn ep_against(url: &str) -> assert_cmd::Command {
    let mut cmd = bare_ep();
    cmd.env("EP_GRAPH_URL", url)
        .env("EP_ACCESS_TOKEN", "test-token-value");
    cmd
}

fn assert_one_error_line(stderr: &str) {
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("ep: error:"))
        .collect();
    assert_eq!(errors.len(), 1, "exactly one error line:\n{stderr}");
    assert!(stderr.contains("hint:"), "with a hint:\n{stderr}");
}

#[test]
fn html_from_a_proxy_is_exit_5_with_one_line() {
    let server = canned(
        502,
        "text/html",
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
    );
    let r = run_expect(
        ep_against(&server.url).args(["--retries", "2", "packages", "list"]),
        5,
    );
    assert!(r.stderr.contains("HTML page"), "{}", r.stderr);
    assert!(
        r.stderr.contains("gave up after 3 attempts"),
        "{}",
        r.stderr
    );
    assert_one_error_line(&r.stderr);
    assert_eq!(
        server.hits.load(Ordering::SeqCst),
        3,
        "a 502 is retried, within the budget"
    );
}

#[test]
fn html_with_status_200_is_exit_5() {
    let server = canned(200, "text/html", "<html>captive portal</html>");
    let r = run_expect(
        ep_against(&server.url).args(["requests", "list", "--all-packages"]),
        5,
    );
    assert!(
        r.stderr.contains("not the JSON Graph sends"),
        "{}",
        r.stderr
    );
    assert_one_error_line(&r.stderr);
}

#[test]
fn truncated_json_is_exit_5() {
    let server = canned(
        200,
        "application/json",
        r#"{"value":[{"id":"7999249e-249e-7999-9e24-99"#,
    );
    let r = run_expect(
        ep_against(&server.url).args(["requests", "list", "--all-packages", "-o", "json"]),
        5,
    );
    assert!(r.stderr.contains("truncated"), "{}", r.stderr);
    assert_one_error_line(&r.stderr);
    assert!(r.stdout.is_empty(), "no partial document on stdout");
}

#[test]
fn next_link_to_another_host_is_refused_and_the_token_is_not_sent() {
    let evil = canned(200, "application/json", r#"{"value":[]}"#);
    let evil_url = evil.url.replace("127.0.0.1", "localhost");
    let page = format!(
        r#"{{"value":[],"@odata.nextLink":"{evil_url}/v1.0/identityGovernance/entitlementManagement/assignmentRequests?$skiptoken=x"}}"#
    );
    let graph = canned_with(move |_| (200, "application/json", page.clone()));
    let r = run_expect(
        ep_against(&graph.url).args(["requests", "list", "--all-packages"]),
        5,
    );
    assert!(r.stderr.contains("refusing to follow"), "{}", r.stderr);
    assert_eq!(
        evil.hits.load(Ordering::SeqCst),
        0,
        "nothing reached the other host"
    );
}

#[test]
fn unauthorized_is_exit_3() {
    let emu = Emu::start();
    let r = run_expect(
        bare_ep()
            .env("EP_GRAPH_URL", emu.url())
            .env("EP_ACCESS_TOKEN", "not-a-token-the-emulator-issued")
            .args(["packages", "list"]),
        3,
    );
    assert!(r.stderr.contains("401"), "{}", r.stderr);
    assert_one_error_line(&r.stderr);
}

#[test]
fn wrong_client_secret_is_exit_3_with_the_aadsts_code_and_no_secret() {
    let emu = Emu::start();
    let r = run_expect(
        emu.ep()
            .env("AZURE_CLIENT_SECRET", "wrong-secret-value")
            .args(["packages", "list"]),
        3,
    );
    assert!(r.stderr.contains("AADSTS"), "{}", r.stderr);
    assert!(!r.stderr.contains("wrong-secret-value"));
    assert_one_error_line(&r.stderr);
}

#[test]
fn access_token_from_the_environment() {
    let emu = Emu::start();
    let token = emu.token(DEMO.client_id);
    let r = run_expect(
        bare_ep()
            .env("EP_GRAPH_URL", emu.url())
            .env("EP_ACCESS_TOKEN", &token)
            .args(["-vv", "packages", "list", "-o", "json"]),
        0,
    );
    assert!(!r.json().as_array().unwrap().is_empty());
    assert!(
        !r.stderr.contains(&token),
        "the token never reaches stderr, even at -vv"
    );
    assert!(!r.stdout.contains(&token));
    assert!(
        emu.calls().iter().all(|c| !c.path.ends_with("/token")),
        "no sign-in needed"
    );
}

#[test]
fn no_credentials_is_exit_3_with_the_variables_to_set() {
    let emu = Emu::start();
    let r = run_expect(
        bare_ep()
            .env("EP_GRAPH_URL", emu.url())
            .args(["packages", "list"]),
        3,
    );
    assert!(r.stderr.contains("AZURE_CLIENT_SECRET"), "{}", r.stderr);
    assert!(r.stderr.contains("--demo"), "{}", r.stderr);
}

#[test]
fn bad_graph_urls_are_usage_errors() {
    let r = run_expect(
        bare_ep()
            .env("EP_GRAPH_URL", "graph.microsoft.com")
            .args(["packages", "list"]),
        2,
    );
    assert_one_error_line(&r.stderr);
    let r = run_expect(
        bare_ep().args([
            "--graph-url",
            "http://graph.contoso.com",
            "packages",
            "list",
        ]),
        2,
    );
    assert!(r.stderr.contains("plain http"), "{}", r.stderr);
}

#[test]
fn unreachable_graph_is_exit_5() {
    // Bind and drop a listener so the port is almost certainly closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = run_expect(
        ep_against(&format!("http://127.0.0.1:{port}")).args([
            "--retries",
            "1",
            "packages",
            "list",
        ]),
        5,
    );
    assert!(r.stderr.contains("could not reach"), "{}", r.stderr);
}

/// A port on 127.0.0.1 that nothing listens on: bound and dropped at once.
fn unused_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The same network trouble gets the same exit code whichever host it hits first: a login
/// host nobody answers on is "cannot reach the service" (5), as an unreachable Graph is.
#[test]
fn an_unreachable_login_host_and_an_unreachable_graph_are_both_exit_5() {
    let emu = Emu::start();
    let dead = format!("http://127.0.0.1:{}", unused_port());
    let mut login = emu.ep();
    login.env("AZURE_AUTHORITY_HOST", &dead);
    let mut graph = emu.ep();
    graph.env("EP_GRAPH_URL", &dead);
    for (what, mut cmd) in [("login host", login), ("graph", graph)] {
        let r = run_expect(cmd.args(["--retries", "1", "packages", "list"]), 5);
        assert!(r.stderr.contains("could not reach"), "{what}: {}", r.stderr);
        assert_one_error_line(&r.stderr);
    }
}

#[test]
fn a_bad_value_points_at_the_help_of_the_subcommand_it_was_given_to() {
    for (args, help) in [
        (
            &["reprocess", "--window", "soon"][..],
            "see 'ep reprocess --help'",
        ),
        (
            &["--profile", "x", "requests", "list", "--window", "soon"][..],
            "see 'ep requests list --help'",
        ),
        (
            &["requests", "why", "--window", "-3"][..],
            "see 'ep requests why --help'",
        ),
        (
            &["--retries", "many", "packages", "list"][..],
            "see 'ep packages list --help'",
        ),
    ] {
        let r = run_expect(bare_ep().args(args), 2);
        assert_one_error_line(&r.stderr);
        assert!(r.stderr.contains(help), "{args:?}: {}", r.stderr);
        assert!(
            !r.stderr.contains("see 'ep --help'"),
            "{args:?}: {}",
            r.stderr
        );
    }
}

#[test]
fn unknown_flags_are_exit_2_with_a_hint() {
    let r = run_expect(bare_ep().args(["reprocess", "--frobnicate", "s3cr3t"]), 2);
    assert_one_error_line(&r.stderr);
    assert!(r.stderr.contains("ep reprocess --help"), "{}", r.stderr);
}

#[test]
fn throttling_and_faults_are_survived_and_every_request_reprocessed_once() {
    let emu = Emu::with(EmulatorConfig {
        rate: Some(40.0),
        burst: 5,
        fault_rate: 0.08,
        settle: std::time::Duration::from_secs(600),
        refail_rate: 0.0,
        ..EmulatorConfig::default()
    });
    let want = emu.eligible(None);
    let r = run_expect(
        emu.ep()
            .args(["reprocess", "--all-failed", "--yes", "-o", "json"]),
        0,
    );
    let summary = r.json();
    assert_eq!(crate::common::ids_of(&summary, "reprocessed"), want);
    let accepted = emu.accepted_reprocess_ids();
    assert_eq!(
        accepted.len(),
        want.len(),
        "exactly once each despite retries"
    );
    let calls = emu.calls();
    assert!(
        calls.iter().any(|c| c.status == 429),
        "the run was throttled"
    );
    assert!(
        calls.iter().any(|c| c.status == 503 || c.status == 504),
        "faults were injected"
    );
}

#[test]
fn the_emulator_command_serves_and_prints_what_to_export() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("ep"))
        .env_clear()
        .args(["emulator", "--port", "0", "--seed", "7", "--requests", "30"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut env = Vec::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(kv) = line.strip_prefix("export ") {
            let (k, v) = kv.split_once('=').unwrap();
            env.push((k.to_string(), v.to_string()));
        }
        if line.contains("demo credentials") {
            break;
        }
    }
    let names: Vec<&str> = env.iter().map(|(k, _)| k.as_str()).collect();
    for want in [
        "EP_GRAPH_URL",
        "AZURE_AUTHORITY_HOST",
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",
    ] {
        assert!(names.contains(&want), "{want} printed: {names:?}");
    }
    let mut cmd = bare_ep();
    for (k, v) in &env {
        cmd.env(k, v);
    }
    let r = run_expect(
        cmd.args(["requests", "list", "--all-packages", "-o", "ids"]),
        0,
    );
    assert_eq!(r.stdout.lines().count(), 30);
    child.kill().unwrap();
    child.wait().unwrap();
}

/// An id copied from a table at a terminal is a prefix (`9bbe5f7d…`): refused before any call,
/// with a hint that says how to get whole ids rather than what a GUID looks like.
#[test]
fn a_shortened_id_from_a_table_is_refused_with_a_hint_to_list_whole_ids() {
    let emu = Emu::start();
    for args in [
        &["requests", "show", "9bbe5f7d…"][..],
        &["requests", "show", "9bbe5f7d-f1"][..],
        &["reprocess", "9bbe5f7d…", "--yes"][..],
    ] {
        let r = run_expect(emu.ep().args(args), 2);
        assert!(
            r.stderr.contains("not a valid request id"),
            "{args:?}: {}",
            r.stderr
        );
        assert!(r.stderr.contains("--full-ids"), "{args:?}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
    // A value that is no prefix of an id keeps the general hint.
    let r = run_expect(emu.ep().args(["requests", "show", "Finance"]), 2);
    assert!(!r.stderr.contains("--full-ids"), "{}", r.stderr);
    assert!(r.stderr.contains("ids look like"), "{}", r.stderr);
    assert!(
        !emu.calls()
            .iter()
            .any(|c| c.path.contains("identityGovernance")),
        "Graph is not called for a bad id"
    );
}
