//! Nothing a server, a name or a pipe sends can crash ep, drive the terminal, leak a secret or
//! lose the journal. The real binary against a small hostile server (canned answers, below) or
//! the emulator.
// The pipe, signal and terminal tests are Unix-only: elsewhere their helpers go unused.
#![cfg_attr(not(unix), allow(unused_imports, dead_code))]

use crate::common::{Emu, Run, bare_ep, ids_of, run, run_expect};
use assert_cmd::Command;
use ep_emulator::{DEMO, EmulatorConfig};
use std::collections::BTreeSet;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

// ---- a hostile Graph + token endpoint ----------------------------------------------------------

const REQUEST_ID: &str = "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea";
const PACKAGE_ID: &str = "1b5a5f87-2b2a-4bd0-9a79-6dbfe2c0a5a1";
const TOKEN: &str = "opaque-bearer-token-0123456789abcdef";
const CLIENT_SECRET: &str = "Qx8~client.secret_value-9876543210";

/// What a hostile server can put in names, states and messages.
const NAME: &str = "Eve\u{1b}]0;owned\u{7}\u{1b}[2J\rMallory\u{202e}gpj.exe\u{200b}\u{9b}31m";
const PACKAGE: &str = "=HYPERLINK(\"http://evil\",\"x\")\u{1b}[5m\u{2066}";

/// Characters that must never reach a terminal raw from server text.
const RAW: &[char] = &[
    '\u{1b}', '\u{7}', '\r', '\u{9b}', '\u{202e}', '\u{2066}', '\u{200b}',
];

struct Req {
    method: String,
    path: String,
}

struct Reply {
    status: u16,
    content_type: &'static str,
    body: String,
}

fn json(status: u16, body: serde_json::Value) -> Reply {
    Reply {
        status,
        content_type: "application/json",
        body: body.to_string(),
    }
}

fn html(status: u16, body: &str) -> Reply {
    Reply {
        status,
        content_type: "text/html",
        body: body.to_string(),
    }
}

fn request_json() -> serde_json::Value {
    let completed = (chrono::Utc::now() - chrono::Duration::hours(2)).to_rfc3339();
    serde_json::json!({
        "id": REQUEST_ID,
        "state": "deliveryFailed",
        "status": "\u{1b}[31mDelivery\rFailed\u{7}",
        "requestType": "adminAdd",
        "createdDateTime": completed,
        "completedDateTime": completed,
        "requestor": {"displayName": NAME, "principalName": "eve\u{200b}@contoso.com"},
        "accessPackage": {"id": PACKAGE_ID, "displayName": PACKAGE},
        "customExtensionCalloutInstances": [
            {"status": "calloutFailed", "detail": format!("logic app said {NAME}")}
        ]
    })
}

/// An audit event about the request, with hostile names and reasons in every field ep shows.
fn audit_json() -> serde_json::Value {
    let at = (chrono::Utc::now() - chrono::Duration::hours(2)).to_rfc3339();
    serde_json::json!({"value": [{
        "id": "e1",
        "activityDisplayName": "Fulfill access package resource assignment",
        "activityDateTime": at,
        "result": "failure",
        "resultReason": format!("\u{1b}[2Jgroup {NAME} refused"),
        "targetResources": [
            {"id": REQUEST_ID, "type": "Other"},
            {"id": "g1", "displayName": NAME, "type": "Group"}
        ]
    }]})
}

fn package_json() -> serde_json::Value {
    serde_json::json!({
        "id": PACKAGE_ID,
        "displayName": PACKAGE,
        "description": "@SUM(1+1)",
        "catalog": {"id": "c", "displayName": NAME},
        "resourceRoleScopes": [{
            "id": "rs",
            "role": {"displayName": NAME, "originSystem": "AadGroup", "originId": "Member_g1"},
            "scope": {"displayName": "Root", "originSystem": "AadGroup", "originId": "g1", "isRootScope": true}
        }]
    })
}

/// The answers of an ordinary, if hostile-named, tenant; `graph_error` replaces every Graph
/// answer when set.
fn tenant(req: &Req, graph_error: Option<&dyn Fn() -> Reply>) -> Reply {
    if req.path.ends_with("/oauth2/v2.0/token") {
        return json(
            200,
            serde_json::json!({"token_type": "Bearer", "expires_in": 3599, "access_token": TOKEN}),
        );
    }
    if let Some(error) = graph_error {
        return error();
    }
    let p = req.path.as_str();
    if req.method == "POST" && p.ends_with("/reprocess") {
        return json(
            400,
            serde_json::json!({"error": {"code": "\u{1b}[1mBadRequest", "message": format!("request by {NAME} \u{202e}cannot be reprocessed")}}),
        );
    }
    if p.contains("/accessPackages/") {
        return json(200, package_json());
    }
    if p.ends_with("/auditLogs/directoryAudits") {
        return json(200, audit_json());
    }
    if p.ends_with("/catalogs/c/resources") {
        return json(
            200,
            serde_json::json!({"value": [{"displayName": NAME, "originId": "g1", "originSystem": "AadGroup\u{7}"}]}),
        );
    }
    if p.ends_with("/accessPackages") {
        return json(200, serde_json::json!({"value": [package_json()]}));
    }
    if p.contains("/assignmentRequests/") {
        return json(200, request_json());
    }
    if p.ends_with("/assignmentRequests") {
        return json(200, serde_json::json!({"value": [request_json()]}));
    }
    json(
        404,
        serde_json::json!({"error": {"code": "NotFound", "message": "no such path"}}),
    )
}

struct Hostile {
    url: String,
    _rt: tokio::runtime::Runtime,
}

impl Hostile {
    fn start(handler: impl Fn(&Req) -> Reply + Send + Sync + 'static) -> Hostile {
        use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
        use axum::response::IntoResponse;
        let handler = Arc::new(handler);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = axum::Router::new().fallback(move |method: Method, uri: Uri| {
            let handler = handler.clone();
            async move {
                let reply = handler(&Req {
                    method: method.to_string(),
                    path: uri.path().to_string(),
                });
                let mut response =
                    (StatusCode::from_u16(reply.status).unwrap(), reply.body).into_response();
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(reply.content_type),
                );
                response
            }
        });
        rt.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Hostile { url, _rt: rt }
    }

    fn tenant() -> Hostile {
        Hostile::start(|req| tenant(req, None))
    }

    /// ep with a bearer token from the environment.
    fn ep(&self) -> Command {
        let mut cmd = bare_ep();
        cmd.env("EP_GRAPH_URL", &self.url)
            .env("EP_ACCESS_TOKEN", TOKEN)
            .arg("--no-batch");
        cmd
    }

    /// ep signing in with a client secret at this server's token endpoint.
    fn ep_with_secret(&self) -> Command {
        let mut cmd = bare_ep();
        cmd.env("EP_GRAPH_URL", &self.url)
            .env("AZURE_AUTHORITY_HOST", &self.url)
            .env("AZURE_TENANT_ID", DEMO.tenant_id)
            .env("AZURE_CLIENT_ID", DEMO.client_id)
            .env("AZURE_CLIENT_SECRET", CLIENT_SECRET)
            .arg("--no-batch");
        cmd
    }
}

fn assert_no_raw_controls(what: &str, text: &str) {
    if let Some(c) = text.chars().find(|c| RAW.contains(c)) {
        panic!("{what} holds a raw {c:?}:\n{text:?}");
    }
}

fn assert_terminal_safe(what: &str, r: &Run) {
    assert_no_raw_controls(&format!("{what}: stdout"), &r.stdout);
    assert_no_raw_controls(&format!("{what}: stderr"), &r.stderr);
}

// ---- row 6: terminal injection -------------------------------------------------------------------

#[test]
fn hostile_names_states_and_messages_reach_the_terminal_escaped_in_every_human_format() {
    let server = Hostile::tenant();
    let cases: Vec<(&str, Vec<&str>)> = vec![
        (
            "requests list",
            vec!["requests", "list", "--package", PACKAGE_ID],
        ),
        ("requests show", vec!["requests", "show", REQUEST_ID]),
        ("requests why", vec!["requests", "why"]),
        ("packages list", vec!["packages", "list"]),
        (
            "reprocess dry run",
            vec!["reprocess", REQUEST_ID, "--dry-run"],
        ),
        ("reprocess", vec!["-v", "reprocess", REQUEST_ID]),
    ];
    for (what, args) in cases {
        let r = run(server.ep().args(&args));
        assert!(
            r.code == 0 || r.code == 1,
            "{what}: {}\n{}",
            r.code,
            r.stderr
        );
        assert_terminal_safe(what, &r);
        let all = format!("{}{}", r.stdout, r.stderr);
        assert!(
            all.contains("\\x1b") || all.contains("\\u{202e}"),
            "{what} shows the escapes visibly:\n{all}"
        );
    }
    // The reprocess table's DETAIL column carries Graph's error text, escaped.
    let r = run_expect(server.ep().args(["reprocess", REQUEST_ID]), 1);
    assert!(r.stdout.contains("\\x1b[1mBadRequest"), "{}", r.stdout);
    assert!(r.stdout.contains("\\u{202e}cannot"), "{}", r.stdout);
}

#[test]
fn json_and_ndjson_keep_the_data_exact() {
    let server = Hostile::tenant();
    let r = run_expect(
        server
            .ep()
            .args(["requests", "list", "--package", PACKAGE_ID, "-o", "json"]),
        0,
    );
    assert!(
        !r.stdout.contains('\u{1b}'),
        "serde escapes controls in JSON"
    );
    let v = r.json();
    assert_eq!(v[0]["requestor"]["displayName"], NAME);
    assert_eq!(v[0]["accessPackage"]["displayName"], PACKAGE);
    let r = run_expect(
        server
            .ep()
            .args(["requests", "show", REQUEST_ID, "-o", "ndjson"]),
        0,
    );
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(v["status"], "\u{1b}[31mDelivery\rFailed\u{7}");
}

#[test]
fn hostile_error_bodies_are_escaped_on_error_lines_and_traces() {
    let odata = Hostile::start(|req| {
        tenant(
            req,
            Some(&|| {
                json(
                    403,
                    serde_json::json!({"error": {"code": "Forbidden\u{1b}[8m", "message": "AADSTS50000: \u{1b}]8;;http://evil\u{7}click\u{1b}]8;;\u{7} \u{202e}denied\r"}}),
                )
            }),
        )
    });
    let r = run_expect(odata.ep().args(["-vv", "requests", "show", REQUEST_ID]), 3);
    assert_terminal_safe("OData error", &r);
    let error_line = r
        .stderr
        .lines()
        .find(|l| l.starts_with("ep: error:"))
        .expect("an error line");
    assert!(
        error_line.contains("\\x1b]8;;http://evil\\x07"),
        "{error_line}"
    );
    assert!(
        r.stderr.contains("< body:"),
        "-vv shows the body: {}",
        r.stderr
    );

    let proxy = Hostile::start(|req| {
        tenant(
            req,
            Some(&|| {
                html(
                    502,
                    "<html>\u{1b}[2J\u{1b}[H<title>Bad \u{202e}Gateway</title>\r\n\u{7}</html>",
                )
            }),
        )
    });
    let r = run(proxy
        .ep()
        .args(["-vv", "--retries", "0", "requests", "show", REQUEST_ID]));
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert_terminal_safe("HTML error", &r);
    assert!(r.stderr.contains("\\x1b[2J"), "{}", r.stderr);
}

#[test]
fn arguments_echoed_in_usage_errors_are_escaped() {
    let server = Hostile::tenant();
    let r = run_expect(
        server
            .ep()
            .args(["requests", "show", "\u{1b}]0;owned\u{7}\u{202e}"]),
        2,
    );
    assert_terminal_safe("bad id", &r);
    assert!(
        r.stderr.contains("\\x1b]0;owned\\x07\\u{202e}"),
        "{}",
        r.stderr
    );
    // clap quotes the value it rejects.
    let r = run_expect(
        bare_ep().args(["-o", "tab\u{7}le\u{202e}\r", "packages", "list"]),
        2,
    );
    assert_terminal_safe("clap error", &r);
    // (clap itself drops the BEL; the bidi override and the CR are left to ep.)
    assert!(r.stderr.contains("\\u{202e}\\r'"), "{}", r.stderr);
    let r = run_expect(
        server.ep().args([
            "requests",
            "list",
            "--all-packages",
            "--state",
            "\u{1b}[8mx",
        ]),
        2,
    );
    assert_terminal_safe("--state", &r);
    assert!(r.stderr.contains("\\x1b[8mx"), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn the_select_picker_shows_hostile_labels_escaped() {
    let server = Hostile::tenant();
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("ep"));
    cmd.env_clear()
        .env("NO_COLOR", "1")
        .env("TERM", "xterm-256color")
        .env("EP_GRAPH_URL", &server.url)
        .env("EP_ACCESS_TOKEN", TOKEN)
        .args([
            "--no-batch",
            "reprocess",
            "--package",
            PACKAGE_ID,
            "--select",
        ]);
    // Wide enough that the picker cuts no label: all of the name is on screen to check.
    let mut p =
        rexpect::session::spawn_command(crate::common::sized_pty(&cmd, 250), Some(20_000)).unwrap();
    let mut seen = p.exp_string("Reprocess which requests?").unwrap();
    seen.push_str(&p.exp_string("gpj.exe\\u{200b}\\u{9b}31m").unwrap());
    // inquire draws with escape sequences of its own; the server's must not be among them.
    for raw in [
        "\u{1b}]0;owned",
        "\u{7}",
        "\u{202e}",
        "\u{9b}",
        "\u{200b}",
        "\u{2066}",
    ] {
        assert!(!seen.contains(raw), "raw {raw:?} in the picker:\n{seen:?}");
    }
    assert!(seen.contains("Eve\\x1b]0;owned\\x07"), "{seen:?}");
    p.send("\r").unwrap();
    p.flush().unwrap();
    p.exp_string("nothing selected").unwrap();
    p.exp_eof().unwrap();
}

// ---- row 7: CSV formula injection ----------------------------------------------------------------

#[test]
fn csv_cells_that_a_spreadsheet_would_run_are_neutralised_ids_and_times_are_not() {
    let server = Hostile::tenant();
    let r = run_expect(
        server
            .ep()
            .args(["requests", "list", "--package", PACKAGE_ID, "-o", "csv"]),
        0,
    );
    let mut reader = csv::Reader::from_reader(r.stdout.as_bytes());
    let header = reader.headers().unwrap().clone();
    let row = reader.records().next().unwrap().unwrap();
    let cell = |name: &str| {
        let i = header.iter().position(|h| h == name).unwrap();
        row.get(i).unwrap().to_string()
    };
    assert_eq!(cell("accessPackageDisplayName"), format!("'{PACKAGE}"));
    assert_eq!(cell("id"), REQUEST_ID);
    assert_eq!(cell("accessPackageId"), PACKAGE_ID);
    let created = cell("createdDateTime");
    assert!(
        chrono::DateTime::parse_from_rfc3339(&created).is_ok(),
        "{created}"
    );
    let r = run_expect(server.ep().args(["packages", "list", "-o", "csv"]), 0);
    assert!(r.stdout.contains(",'@SUM(1+1)"), "{}", r.stdout);
}

// ---- row 8: secrets echoed by a server, credentials in URLs --------------------------------------

#[test]
fn a_graph_server_echoing_the_bearer_token_never_gets_it_printed() {
    let echo_json = Hostile::start(|req| {
        tenant(
            req,
            Some(&|| {
                json(
                    403,
                    serde_json::json!({"error": {"code": "Forbidden", "message": format!("token {TOKEN} lacks a role; header was Authorization: Bearer {TOKEN}")}}),
                )
            }),
        )
    });
    for args in [
        vec!["-vv", "requests", "show", REQUEST_ID],
        vec!["-vv", "requests", "show", REQUEST_ID, "-o", "json"],
    ] {
        let r = run_expect(echo_json.ep().args(&args), 3);
        assert!(!r.stderr.contains(TOKEN), "{}", r.stderr);
        assert!(!r.stdout.contains(TOKEN), "{}", r.stdout);
        assert!(
            r.stderr.contains("token (redacted) lacks a role"),
            "{}",
            r.stderr
        );
    }

    let echo_html = Hostile::start(|req| {
        tenant(
            req,
            Some(&|| html(401, &format!("<pre>invalid token\n{TOKEN}</pre>"))),
        )
    });
    let r = run(echo_html.ep().args(["-vv", "requests", "show", REQUEST_ID]));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(!r.stderr.contains(TOKEN), "{}", r.stderr);
    assert!(r.stderr.contains("(redacted)"), "{}", r.stderr);
}

#[test]
fn the_reprocess_summary_never_carries_an_echoed_token() {
    let server = Hostile::start(|req| {
        if req.method == "POST" && req.path.ends_with("/reprocess") {
            return json(
                403,
                serde_json::json!({"error": {"code": "Forbidden", "message": format!("denied for {TOKEN}")}}),
            );
        }
        tenant(req, None)
    });
    for format in ["table", "json", "ndjson", "csv"] {
        let r = run_expect(
            server
                .ep()
                .args(["-vv", "reprocess", REQUEST_ID, "-o", format]),
            3,
        );
        assert!(!r.stdout.contains(TOKEN), "{format}: {}", r.stdout);
        assert!(!r.stderr.contains(TOKEN), "{format}: {}", r.stderr);
        assert!(
            r.stdout.contains("denied for (redacted)"),
            "{format}: {}",
            r.stdout
        );
    }
}

#[test]
fn a_token_endpoint_echoing_the_client_secret_or_the_issued_token_gets_them_redacted() {
    let login = Hostile::start(|req| {
        if req.path.ends_with("/oauth2/v2.0/token") {
            return json(
                401,
                serde_json::json!({"error": "invalid_client", "error_description": format!("AADSTS7000215: Invalid client secret provided: {CLIENT_SECRET} \u{1b}[31m")}),
            );
        }
        tenant(req, None)
    });
    let r = run_expect(
        login
            .ep_with_secret()
            .args(["-vv", "requests", "show", REQUEST_ID]),
        3,
    );
    assert!(!r.stderr.contains(CLIENT_SECRET), "{}", r.stderr);
    assert_terminal_safe("AADSTS", &r);
    assert!(r.stderr.contains("AADSTS7000215"), "{}", r.stderr);

    // The token endpoint issues TOKEN; Graph then echoes it in an HTML page.
    let graph =
        Hostile::start(|req| tenant(req, Some(&|| html(403, &format!("<p>token: {TOKEN}</p>")))));
    let r = run_expect(
        graph
            .ep_with_secret()
            .args(["-vv", "requests", "show", REQUEST_ID]),
        3,
    );
    assert!(!r.stderr.contains(TOKEN), "{}", r.stderr);
    assert!(!r.stderr.contains(CLIENT_SECRET), "{}", r.stderr);
}

#[test]
fn credentials_in_the_graph_or_login_url_are_a_usage_error_that_never_shows_them() {
    type Case<'a> = (Vec<(&'a str, &'a str)>, Vec<&'a str>);
    let cases: Vec<Case> = vec![
        (
            vec![("EP_GRAPH_URL", "https://admin:hunter2@graph.microsoft.com")],
            vec!["-v", "auth", "status"],
        ),
        (
            vec![],
            vec![
                "--graph-url",
                "https://admin:hunter2@graph.microsoft.com",
                "packages",
                "list",
            ],
        ),
        (
            vec![(
                "AZURE_AUTHORITY_HOST",
                "https://u:hunter2@login.microsoftonline.com",
            )],
            vec!["auth", "status"],
        ),
        (
            vec![],
            vec![
                "--authority-host",
                "http://u:hunter2@127.0.0.1:notaport",
                "-vv",
                "auth",
                "status",
            ],
        ),
    ];
    for (env, args) in cases {
        let mut cmd = bare_ep();
        for (k, v) in &env {
            cmd.env(k, v);
        }
        let r = run_expect(cmd.args(&args), 2);
        let all = format!("{}{}", r.stdout, r.stderr);
        assert!(!all.contains("hunter2"), "{args:?}: {all}");
        assert!(all.contains("user name or password"), "{args:?}: {all}");
    }
}

// ---- row 9: broken pipes -------------------------------------------------------------------------

/// The write end of a pipe whose read end is already closed: every write gets EPIPE. The read
/// end belongs to a child that has exited, so no unsafe descriptor juggling is needed.
#[cfg(unix)]
fn closed_pipe() -> Stdio {
    let mut reader = std::process::Command::new("true")
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let write = reader.stdin.take().unwrap();
    reader.wait().unwrap();
    Stdio::from(write)
}

fn journal_ids(path: &std::path::Path) -> BTreeSet<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["outcome"] == "reprocessed")
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

#[cfg(unix)]
#[test]
fn a_closed_stderr_neither_panics_nor_loses_the_summary_or_the_journal() {
    let emu = Emu::start();
    let want = emu.eligible(None);
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.ndjson");
    let out = emu
        .ep_process()
        .args([
            "-vv",
            "reprocess",
            "--all-failed",
            "-o",
            "json",
            "--journal",
        ])
        .arg(&journal)
        .stdout(Stdio::piped())
        .stderr(closed_pipe())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ids_of(&summary, "reprocessed"), want);
    assert_eq!(journal_ids(&journal), want);
}

#[cfg(unix)]
#[test]
fn a_closed_stdout_ends_quietly_in_every_format_and_reprocess_still_journals() {
    let emu = Emu::start();
    for format in ["table", "json", "ndjson", "csv", "ids"] {
        let out = emu
            .ep_process()
            .args(["requests", "list", "--all-packages", "-o", format])
            .stdout(closed_pipe())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{format}: {stderr}");
        assert!(!stderr.contains("error"), "{format}: {stderr}");
        assert!(!stderr.contains("panicked"), "{format}: {stderr}");
    }

    let want = emu.eligible(None);
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.ndjson");
    let out = emu
        .ep_process()
        .args(["reprocess", "--all-failed", "-o", "ndjson", "--journal"])
        .arg(&journal)
        .stdout(closed_pipe())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
    assert_eq!(journal_ids(&journal), want);
}

// ---- row 10: SIGTERM -----------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn sigterm_is_handled_like_ctrl_c_summary_journal_and_exit_143() {
    let emu = Emu::with(EmulatorConfig {
        latency: Duration::from_millis(150),
        ..crate::common::stable_config()
    });
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.ndjson");
    let want = emu.eligible(None);
    let child = emu
        .ep_process()
        .args([
            "--no-batch",
            "--concurrency",
            "2",
            "reprocess",
            "--all-failed",
            "-o",
            "json",
        ])
        .arg("--journal")
        .arg(&journal)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = crate::common::signal_mid_reprocess(&emu, child, "TERM");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(143), "stderr: {stderr}");
    assert!(stderr.contains("SIGTERM"), "{stderr}");
    let summary: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("a summary was printed");
    assert_eq!(summary["interrupted"], "SIGTERM", "{summary}");
    let reprocessed = ids_of(&summary, "reprocessed");
    let accepted: BTreeSet<String> = emu.accepted_reprocess_ids().into_iter().collect();
    assert_eq!(reprocessed, accepted, "the summary matches the server");
    assert!(reprocessed.len() < want.len(), "it stopped early");
    assert_eq!(
        journal_ids(&journal),
        accepted,
        "every accepted call, in flight ones included, is journaled"
    );
    let not_sent = ids_of(&summary, "skipped");
    assert_eq!(reprocessed.len() + not_sent.len(), want.len());

    let r = run_expect(
        emu.ep().args([
            "reprocess",
            "--all-failed",
            "-o",
            "json",
            "--journal",
            journal.to_str().unwrap(),
        ]),
        0,
    );
    assert_eq!(ids_of(&r.json(), "reprocessed"), not_sent);
    assert_eq!(
        emu.accepted_reprocess_ids().len(),
        want.len(),
        "nothing repeated"
    );
}

// ---- row 12: the journal's file ------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn a_journal_path_that_is_a_symlink_is_refused_before_anything_is_sent() {
    let emu = Emu::start();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("precious");
    std::fs::write(&target, "keep me\n").unwrap();
    let link = dir.path().join("journal.ndjson");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let r = run_expect(
        emu.ep()
            .args(["reprocess", "--all-failed", "--journal"])
            .arg(&link),
        2,
    );
    assert!(r.stderr.contains("symbolic link"), "{}", r.stderr);
    assert_eq!(emu.reprocess_posts(), 0);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me\n");
}

// ---- row 13: durations ---------------------------------------------------------------------------

#[test]
fn absurd_durations_are_usage_errors_not_panics() {
    for args in [
        vec!["reprocess", "--all-failed", "--journal-window", "300000y"],
        vec!["requests", "list", "--all-packages", "--window", "300000y"],
        vec![
            "requests",
            "show",
            REQUEST_ID,
            "--window",
            "99999999999999999999y",
        ],
        vec!["reprocess", REQUEST_ID, "--wait", "--timeout", "300000y"],
        vec!["emulator", "--token-ttl", "18446744073709551615"],
        vec!["emulator", "--settle-ms", "18446744073709551615"],
        vec!["emulator", "--latency-ms", "18446744073709551615"],
        vec!["emulator", "--device-code-interval", "18446744073709551615"],
    ] {
        let r = run_expect(bare_ep().args(&args), 2);
        assert!(r.stderr.starts_with("ep: error:"), "{args:?}: {}", r.stderr);
    }
    let r = run_expect(
        bare_ep().args(["reprocess", "--all-failed", "--journal-window", "11y"]),
        2,
    );
    assert!(r.stderr.contains("at most 3650d"), "{}", r.stderr);
}

// ---- row 14: ids on stdin ------------------------------------------------------------------------

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for unit in text.encode_utf16() {
        out.extend(if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    out
}

#[test]
fn ids_on_stdin_with_a_bom_or_in_utf16_are_read() {
    let emu = Emu::start();
    let want = emu.eligible(None);
    let text: String = want.iter().map(|id| format!("{id}\r\n")).collect();
    let mut utf8_bom = vec![0xEF, 0xBB, 0xBF];
    utf8_bom.extend(text.as_bytes());
    for (what, bytes) in [
        ("UTF-8 with BOM", utf8_bom),
        ("UTF-16LE", utf16(&text, false)),
        ("UTF-16BE", utf16(&text, true)),
    ] {
        let r = run_expect(
            emu.ep()
                .args(["reprocess", "-", "--dry-run", "-o", "json"])
                .write_stdin(bytes),
            0,
        );
        assert_eq!(ids_of(&r.json(), "would-reprocess"), want, "{what}");
    }
}

#[test]
fn a_huge_or_hostile_line_on_stdin_is_refused_without_being_echoed() {
    let emu = Emu::start();
    let mut huge = "\u{1b}[2J".to_string();
    huge.push_str(&"A".repeat(50 * 1024 * 1024));
    let r = run_expect(emu.ep().args(["reprocess", "-"]).write_stdin(huge), 2);
    assert!(r.stderr.len() < 1000, "{} bytes of stderr", r.stderr.len());
    assert!(r.stderr.contains("too long"), "{}", r.stderr);
    assert!(r.stderr.contains('…'), "{}", r.stderr);
    assert_terminal_safe("huge line", &r);

    let r = run_expect(
        emu.ep()
            .args(["reprocess", "-"])
            .write_stdin(format!("{}\u{1b}]0;x\u{7}\n", "B".repeat(500))),
        2,
    );
    assert!(r.stderr.contains("stdin line 1"), "{}", r.stderr);
    assert!(r.stderr.len() < 600, "{}", r.stderr);
    assert_terminal_safe("bad line", &r);
    assert_eq!(emu.reprocess_posts(), 0);
}

// ---- row 15: the emulator's $filter parser -------------------------------------------------------

#[test]
fn deeply_nested_filters_get_a_400_and_the_emulator_survives() {
    let emu = Emu::start();
    let token = emu.token(DEMO.client_id);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let base = format!(
        "{}/v1.0/identityGovernance/entitlementManagement/assignmentRequests",
        emu.url()
    );
    rt.block_on(async {
        let client = reqwest::Client::new();
        for depth in [3_000, 10_000] {
            // Parentheses need no escaping in a query: the URL stays under http's length limit.
            let url = format!(
                "{base}?$filter={}state%20eq%20'deliveryFailed'{}",
                "(".repeat(depth),
                ")".repeat(depth)
            );
            let r = client.get(&url).bearer_auth(&token).send().await.unwrap();
            assert_eq!(r.status(), 400);
            let body: serde_json::Value = r.json().await.unwrap();
            assert_eq!(body["error"]["code"], "BadRequest", "{body}");
            let message = body["error"]["message"].as_str().unwrap();
            assert!(message.contains("nested more than 100"), "{message}");
        }
        let r = client
            .get(format!("{base}?$filter=state%20eq%20'deliveryFailed'"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "the emulator is still serving");
    });
}

// ---- Markdown: -o markdown and the CI summary ----------------------------------------------------

/// Names that are Markdown (and HTML) markup: a new column, code, a link hiding its target, a
/// script, a new table row, and a terminal escape for good measure.
const MD_NAME: &str = "Eve | `rm -rf` <script>alert(1)</script>\n| forged | row |\r[click](https://evil.example) **b**\u{1b}[2J";
const MD_PACKAGE: &str = "Pkg <img src=x onerror=alert(1)> ~~x~~ \\| _i_ &amp;\u{202e}";

fn md_request() -> serde_json::Value {
    let completed = (chrono::Utc::now() - chrono::Duration::hours(2)).to_rfc3339();
    serde_json::json!({
        "id": REQUEST_ID, "state": "deliveryFailed", "status": "x",
        "createdDateTime": completed, "completedDateTime": completed,
        "requestor": {"displayName": MD_NAME},
        "accessPackage": {"id": PACKAGE_ID, "displayName": MD_PACKAGE}
    })
}

fn md_tenant(req: &Req) -> Reply {
    let p = req.path.as_str();
    if req.method == "POST" && p.ends_with("/reprocess") {
        return json(
            400,
            serde_json::json!({"error": {"code": "Bad|Request`", "message": format!("no: {MD_NAME}")}}),
        );
    }
    if p.contains("/assignmentRequests/") {
        return json(200, md_request());
    }
    if p.ends_with("/assignmentRequests") {
        return json(200, serde_json::json!({"value": [md_request()]}));
    }
    tenant(req, None)
}

/// The `|` of a table row that are cell boundaries: not preceded by an unescaped backslash.
fn cell_boundaries(line: &str) -> usize {
    let (mut n, mut escaped) = (0, false);
    for c in line.chars() {
        if c == '|' && !escaped {
            n += 1;
        }
        escaped = !escaped && c == '\\';
    }
    n
}

/// Every table row has `columns` cells, nothing is HTML, a link or code that ep did not write,
/// and no control character is left.
fn assert_inert_markdown(what: &str, doc: &str, columns: usize) {
    assert_no_raw_controls(what, doc);
    assert!(
        !doc.contains("<script") && !doc.contains("<img"),
        "{what}:\n{doc}"
    );
    assert!(
        !doc.replace("\\]", "").contains("]("),
        "{what}: a live link:\n{doc}"
    );
    assert!(!doc.contains("| forged |"), "{what}: a forged row:\n{doc}");
    let mut rows = 0;
    for line in doc.lines().filter(|l| l.starts_with('|')) {
        rows += 1;
        let n = cell_boundaries(line);
        assert!(
            n == columns + 1 || n == 3,
            "{what}: {n} boundaries in {line:?}"
        );
    }
    assert!(rows >= 3, "{what}:\n{doc}");
    // The text is all there, shown: the `|` and the link as text.
    assert!(
        doc.contains("Eve \\| \\`rm -rf\\` &lt;script&gt;"),
        "{what}:\n{doc}"
    );
    assert!(
        doc.contains("\\[click\\](https://evil.example)"),
        "{what}:\n{doc}"
    );
}

#[test]
fn markdown_from_a_hostile_server_is_shown_never_rendered() {
    let server = Hostile::start(md_tenant);
    let r = run_expect(
        server.ep().args([
            "requests",
            "list",
            "--package",
            PACKAGE_ID,
            "-o",
            "markdown",
        ]),
        0,
    );
    assert_inert_markdown("requests list", &r.stdout, 6);

    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let r = run_expect(
        server.ep().env("GITHUB_STEP_SUMMARY", &summary).args([
            "reprocess",
            REQUEST_ID,
            "--no-journal",
            "-o",
            "markdown",
        ]),
        1,
    );
    assert_inert_markdown("reprocess -o markdown", &r.stdout, 3);
    assert!(r.stdout.contains("#### Failed (1)"), "{}", r.stdout);
    assert!(
        r.stdout.contains("400 Bad\\|Request\\`: no: Eve"),
        "{}",
        r.stdout
    );
    // GITHUB_STEP_SUMMARY got the same document, after what was there.
    let written = std::fs::read_to_string(&summary).unwrap();
    assert_eq!(written, format!("earlier step\n\n{}", r.stdout));
}

#[test]
fn summary_file_gets_counts_failures_and_skips_and_an_error_when_the_run_fails_early() {
    let emu = Emu::start();
    let package = emu.edge_package();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("summary.md");
    let journal = dir.path().join("journal.ndjson");
    let journal = journal.to_str().unwrap();
    let r = run_expect(
        emu.ep().args([
            "reprocess",
            "--package",
            &package,
            "--all",
            "--journal",
            journal,
            "-o",
            "json",
            "--summary-file",
            path.to_str().unwrap(),
        ]),
        0,
    );
    let count = r.json()["counts"]["reprocessed"].as_u64().unwrap();
    let doc = std::fs::read_to_string(&path).unwrap();
    assert!(
        doc.starts_with(&format!(
            "### ep reprocess: reprocessed {count}, failed 0, skipped 0 of {count} selected\n"
        )),
        "{doc}"
    );
    assert!(doc.contains(&format!("| reprocessed | {count} |")), "{doc}");
    assert!(
        doc.contains(&format!("<summary>Reprocessed ({count})</summary>")),
        "{doc}"
    );
    // The same ids again: all skipped (they are delivering now), each with its reason, appended.
    let ids: Vec<String> = r.json()["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    let mut again = emu.ep();
    again.args([
        "reprocess",
        "--journal",
        journal,
        "--summary-file",
        path.to_str().unwrap(),
    ]);
    run_expect(again.args(&ids), 0);
    let doc = std::fs::read_to_string(&path).unwrap();
    let second = &doc[doc.rfind("### ep reprocess").unwrap()..];
    assert!(
        second.contains(&format!("#### Skipped ({count})")),
        "{second}"
    );
    assert_eq!(
        second.matches(" | state delivering |\n").count() as u64,
        count,
        "{second}"
    );
    // A run that fails before it has results says so.
    run_expect(
        emu.ep().args([
            "reprocess",
            "--package",
            "no such package",
            "--all",
            "--summary-file",
            path.to_str().unwrap(),
        ]),
        4,
    );
    let doc = std::fs::read_to_string(&path).unwrap();
    let failure = &doc[doc.rfind("### ep reprocess").unwrap()..];
    assert!(
        failure
            .starts_with("### ep reprocess failed\n\nno access package named 'no such package'\n"),
        "{doc}"
    );
}

/// A pipeline's step that stops on a usage error, before any sign-in, still shows why on the
/// job's page: the summary is where a CI user looks first.
#[test]
fn a_usage_error_before_sign_in_is_in_the_summary_too() {
    let emu = Emu::start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("summary.md");
    for (args, says) in [
        (&["reprocess"][..], "nothing selected to reprocess"),
        (
            &["reprocess", "--package", "x", "--select"][..],
            "--select needs a terminal",
        ),
        (
            &["reprocess", "--profile", "nope", "--all-failed"][..],
            "no profile named 'nope'",
        ),
    ] {
        let r = run_expect(
            emu.ep()
                .env("GITHUB_STEP_SUMMARY", &path)
                .env("XDG_CONFIG_HOME", dir.path())
                .args(args),
            2,
        );
        let doc = std::fs::read_to_string(&path).unwrap();
        let last = &doc[doc.rfind("### ep reprocess").unwrap()..];
        assert!(last.starts_with("### ep reprocess failed\n"), "{doc}");
        assert!(last.contains(says), "{args:?}: {last}\n{}", r.stderr);
        assert!(last.contains("Hint:"), "{last}");
    }
    assert_eq!(emu.reprocess_posts(), 0);
}

#[test]
fn a_summary_file_that_cannot_be_written_stops_the_run_before_anything_is_sent() {
    let emu = Emu::start();
    let r = run_expect(
        emu.ep().args([
            "reprocess",
            "--all-failed",
            "--no-journal",
            "--summary-file",
            "/nonexistent-dir/summary.md",
        ]),
        2,
    );
    assert!(r.stderr.contains("--summary-file"), "{}", r.stderr);
    assert_eq!(emu.reprocess_posts(), 0);
    // An empty GITHUB_STEP_SUMMARY means none.
    run_expect(
        emu.ep().env("GITHUB_STEP_SUMMARY", "").args([
            "reprocess",
            "--all-failed",
            "--no-journal",
            "--dry-run",
        ]),
        0,
    );
}

// ---- requests held by a custom extension, requestors that are not people ----------------------

/// A request waiting on a callback whose every string ep shows is hostile: the subject's kind,
/// its name, the callout's id; and a resume refused with a hostile message.
fn waiting_tenant(req: &Req) -> Reply {
    if req.method == "POST" && req.path.ends_with("/resume") {
        return json(
            400,
            serde_json::json!({"error": {"code": "\u{1b}[1mBadRequest", "message": format!("not for {NAME}")}}),
        );
    }
    let created = (chrono::Utc::now() - chrono::Duration::hours(30)).to_rfc3339();
    json(
        200,
        serde_json::json!({
            "id": REQUEST_ID,
            "state": "submitted",
            "status": "WaitingForCallback",
            "createdDateTime": created,
            "requestor": {"displayName": NAME, "subjectType": "agent\u{1b}[2J\u{202e}"},
            "accessPackage": {"id": PACKAGE_ID, "displayName": PACKAGE},
            "customExtensionCalloutInstances": [
                {"id": "c\u{1b}]0;x\u{7}1", "status": "waitingForCallback"}
            ]
        }),
    )
}

#[test]
fn a_waiting_request_and_its_resume_reach_the_terminal_escaped() {
    let server = Hostile::start(waiting_tenant);
    for (what, args, code) in [
        ("requests show", vec!["requests", "show", REQUEST_ID], 0),
        (
            "resume dry run",
            vec!["resume", REQUEST_ID, "--dry-run", "--no-journal"],
            0,
        ),
        // Graph refuses: that request failed, exit 1, the message escaped.
        ("resume", vec!["resume", REQUEST_ID, "--no-journal"], 1),
    ] {
        let r = run_expect(server.ep().args(&args), code);
        assert_terminal_safe(what, &r);
        let all = format!("{}{}", r.stdout, r.stderr);
        assert!(
            all.contains("\\x1b"),
            "{what} shows the escapes visibly:\n{all}"
        );
        assert!(all.contains("\\u{202e}"), "{what}:\n{all}");
    }
    // JSON keeps the data exact.
    let shown = run_expect(
        server
            .ep()
            .args(["requests", "show", REQUEST_ID, "-o", "json"]),
        0,
    )
    .json();
    assert_eq!(shown["requestor"]["subjectType"], "agent\u{1b}[2J\u{202e}");
    assert_eq!(shown["waitingOnCallback"]["calloutId"], "c\u{1b}]0;x\u{7}1");
}
