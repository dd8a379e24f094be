//! `ep api` (issue 20): any Graph call with ep's sign-in, pacing and retries, `--paginate`
//! returning every page, and the token kept to the Graph host.

use crate::common::{Emu, retry_after_violations, run_expect, stable_config};
use ep_emulator::{EmulatorConfig, RetryAfterStyle};
use std::collections::BTreeSet;

const REQUESTS: &str = "/identityGovernance/entitlementManagement/assignmentRequests";

#[test]
fn paginate_returns_every_page_with_throttling_honoured() {
    let emu = Emu::with(EmulatorConfig {
        page_size: 7,
        rate: Some(20.0),
        burst: 3,
        retry_after: RetryAfterStyle::Seconds,
        ..stable_config()
    });
    let want: BTreeSet<String> = emu.truth().into_iter().map(|r| r.id).collect();
    let r = run_expect(emu.ep().args(["api", "--paginate", REQUESTS]), 0);
    let items = r.json();
    let got: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(got.len(), want.len(), "each request once");
    assert_eq!(
        got.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>(),
        want
    );
    let calls = emu.calls();
    let pages = calls
        .iter()
        .filter(|c| c.path.ends_with("/assignmentRequests"))
        .count();
    assert!(pages >= want.len() / 7, "{pages} pages");
    assert!(
        calls.iter().any(|c| c.status == 429),
        "the bucket throttled"
    );
    assert_eq!(retry_after_violations(&calls, "/assignmentRequests"), 0);

    let r = run_expect(
        emu.ep()
            .args(["api", "--paginate", "-o", "ndjson", REQUESTS]),
        0,
    );
    assert_eq!(r.stdout.lines().count(), want.len());
    for line in r.stdout.lines() {
        let item: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(want.contains(item["id"].as_str().unwrap()));
    }
}

#[test]
fn one_call_prints_what_graph_answered_and_a_write_prints_nothing() {
    let emu = Emu::start();
    let id = emu.eligible(None).into_iter().next().unwrap();
    let r = run_expect(
        emu.ep()
            .args(["api", &format!("/v1.0{REQUESTS}/{id}?$select=id,state")]),
        0,
    );
    assert_eq!(r.json()["id"], id.as_str());
    let r = run_expect(
        emu.ep()
            .args(["api", "-X", "post", &format!("{REQUESTS}/{id}/reprocess")]),
        0,
    );
    assert_eq!(r.stdout, "");
    assert_eq!(emu.accepted_reprocess_ids(), vec![id.clone()]);
    // Graph's own refusal keeps its exit code: the same reprocess again is refused (400).
    let r = run_expect(
        emu.ep()
            .args(["api", "-X", "POST", &format!("{REQUESTS}/{id}/reprocess")]),
        2,
    );
    assert!(r.stderr.contains("400"), "{}", r.stderr);
    let r = run_expect(emu.ep().args(["api", "/no/such/thing"]), 4);
    assert!(r.stderr.contains("404"), "{}", r.stderr);
}

#[test]
fn the_token_never_leaves_the_graph_host_and_bad_input_is_refused_first() {
    let emu = Emu::start();
    let before = emu.calls().len();
    let r = run_expect(
        emu.ep()
            .args(["api", "http://127.0.0.2:9/v1.0/identityGovernance"]),
        2,
    );
    assert!(r.stderr.contains("not a Graph path"), "{}", r.stderr);
    let r = run_expect(
        emu.ep()
            .args(["api", "-X", "POST", "--body", "{not json", REQUESTS]),
        2,
    );
    assert!(r.stderr.contains("not JSON"), "{}", r.stderr);
    let r = run_expect(emu.ep().args(["api", "--body", "{}", REQUESTS]), 2);
    assert!(
        r.stderr.contains("GET request takes no --body"),
        "{}",
        r.stderr
    );
    run_expect(emu.ep().args(["api", "-X", "P OST", REQUESTS]), 2);
    assert_eq!(
        emu.calls().len(),
        before,
        "nothing was sent, not even a sign-in"
    );
}
