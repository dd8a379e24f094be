//! Issue 4's guarantees through the real binary: the journal, Ctrl-C, faults and lost answers.

mod common;

use common::{Emu, ids_of, run_expect};
use ep::emulator::EmulatorConfig;
use std::collections::BTreeSet;
use std::time::Duration;

#[test]
fn the_journal_skips_requests_accepted_within_its_window_unless_forced() {
    // Reprocessed requests fail again quickly, so without the journal they would be eligible
    // and sent again on the next run.
    let emu = Emu::with(EmulatorConfig {
        settle: Duration::from_millis(200),
        refail_rate: 1.0,
        ..EmulatorConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.ndjson");
    let journal_arg = journal.to_str().unwrap();
    let package = emu.edge_package();
    let want = emu.eligible(Some(&package));
    let r = run_expect(
        emu.ep().args([
            "reprocess",
            "--package",
            &package,
            "--all",
            "--journal",
            journal_arg,
            "-o",
            "json",
        ]),
        0,
    );
    assert_eq!(ids_of(&r.json(), "reprocessed"), want);
    let lines = std::fs::read_to_string(&journal).unwrap();
    assert_eq!(
        lines.lines().count(),
        want.len(),
        "one journal line per outcome"
    );
    assert!(
        lines
            .lines()
            .all(|l| l.contains("\"outcome\":\"reprocessed\""))
    );

    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(
        emu.eligible(Some(&package)),
        want,
        "they failed again and look eligible"
    );
    let r = run_expect(
        emu.ep().args([
            "reprocess",
            "--package",
            &package,
            "--all",
            "--journal",
            journal_arg,
            "-o",
            "json",
        ]),
        0,
    );
    let s = r.json();
    assert_eq!(ids_of(&s, "skipped"), want);
    for result in s["results"].as_array().unwrap() {
        assert!(
            result["reason"].as_str().unwrap().contains("journal"),
            "{result}"
        );
    }
    assert!(r.stderr.contains("skipping them"), "{}", r.stderr);
    assert_eq!(
        emu.accepted_reprocess_ids().len(),
        want.len(),
        "nothing sent twice"
    );

    let r = run_expect(
        emu.ep().args([
            "reprocess",
            "--package",
            &package,
            "--all",
            "--journal",
            journal_arg,
            "--force",
            "-o",
            "json",
        ]),
        0,
    );
    assert_eq!(
        ids_of(&r.json(), "reprocessed"),
        want,
        "--force sends them again"
    );

    let r = run_expect(
        emu.ep().args([
            "reprocess",
            "--package",
            &package,
            "--all",
            "--journal-window",
            "1ms",
            "--journal",
            journal_arg,
            "-o",
            "json",
        ]),
        0,
    );
    assert_eq!(
        r.json()["counts"]["skipped"],
        0,
        "outside the window nothing is skipped"
    );
}

#[test]
fn an_unwritable_journal_named_by_the_user_stops_the_run_before_sending() {
    let emu = Emu::start();
    let r = run_expect(
        emu.ep().args([
            "reprocess",
            "--all-failed",
            "--journal",
            "/proc/ep-cannot-write/j.ndjson",
        ]),
        2,
    );
    assert!(
        r.stderr.contains("cannot write the journal"),
        "{}",
        r.stderr
    );
    assert_eq!(emu.reprocess_posts(), 0);
}

#[test]
fn ctrl_c_finishes_in_flight_calls_reports_truthfully_and_a_rerun_completes_without_repeats() {
    let emu = Emu::with(EmulatorConfig {
        latency: Duration::from_millis(150),
        ..common::stable_config()
    });
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.ndjson");
    let want = emu.eligible(None);
    let mut cmd = emu.ep_process();
    cmd.args([
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
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().unwrap();
    // Wait until some reprocess calls have been accepted, then interrupt.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while emu.accepted_reprocess_ids().len() < 3 {
        assert!(std::time::Instant::now() < deadline, "reprocessing started");
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "stderr: {stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    let summary: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("a summary was printed");
    let reprocessed = ids_of(&summary, "reprocessed");
    let accepted: BTreeSet<String> = emu.accepted_reprocess_ids().into_iter().collect();
    assert_eq!(
        reprocessed, accepted,
        "the summary matches what the server did"
    );
    assert!(reprocessed.len() < want.len(), "it stopped early");
    let not_sent = ids_of(&summary, "skipped");
    assert_eq!(
        reprocessed.len() + not_sent.len(),
        want.len(),
        "every selected request accounted for"
    );
    for r in summary["results"].as_array().unwrap() {
        if r["outcome"] == "skipped" {
            assert_eq!(r["reason"], "not sent: interrupted");
        }
    }

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
    assert_eq!(
        ids_of(&r.json(), "reprocessed"),
        not_sent,
        "the rerun does the rest"
    );
    let all = emu.accepted_reprocess_ids();
    assert_eq!(all.len(), want.len(), "nothing repeated");
    assert_eq!(all.into_iter().collect::<BTreeSet<_>>(), want);
}

/// Reprocess under faults, batched and not: every eligible request accepted exactly once, and
/// the summary says so.
fn exactly_once_under(config: EmulatorConfig, extra: &[&str]) {
    let emu = Emu::with(config);
    let want = emu.eligible(None);
    let mut args = extra.to_vec();
    args.extend(["reprocess", "--all-failed", "-o", "json"]);
    let r = run_expect(emu.ep().args(&args), 0);
    let summary = r.json();
    assert_eq!(ids_of(&summary, "reprocessed"), want, "{}", r.stderr);
    let accepted = emu.accepted_reprocess_ids();
    let unique: BTreeSet<String> = accepted.iter().cloned().collect();
    assert_eq!(unique, want);
    assert_eq!(accepted.len(), want.len(), "no request was accepted twice");
}

fn faulty() -> EmulatorConfig {
    EmulatorConfig {
        fault_rate: 0.08,
        fault_reset: 0.05,
        lost_ack: 0.15,
        rate: Some(200.0),
        burst: 20,
        ..common::stable_config()
    }
}

#[test]
fn lost_acks_resets_and_5xx_leave_every_request_reprocessed_exactly_once_batched() {
    let emu_config = faulty();
    exactly_once_under(emu_config, &[]);
}

#[test]
fn lost_acks_resets_and_5xx_leave_every_request_reprocessed_exactly_once_unbatched() {
    exactly_once_under(faulty(), &["--no-batch"]);
}

#[test]
fn html_502s_from_a_proxy_are_retried() {
    exactly_once_under(
        EmulatorConfig {
            fault_rate: 0.2,
            fault_html: true,
            ..common::stable_config()
        },
        &["--no-batch"],
    );
}

#[test]
fn lost_acks_are_confirmed_by_reading_the_state_and_reported_reprocessed() {
    let emu = Emu::with(EmulatorConfig {
        lost_ack: 1.0,
        ..common::stable_config()
    });
    let package = emu.edge_package();
    let want = emu.eligible(Some(&package));
    let r = run_expect(
        emu.ep().args([
            "--no-batch",
            "reprocess",
            "--package",
            &package,
            "--all",
            "-o",
            "json",
        ]),
        0,
    );
    assert_eq!(ids_of(&r.json(), "reprocessed"), want);
    assert!(
        emu.calls()
            .iter()
            .all(|c| !c.path.ends_with("/reprocess") || c.dropped),
        "every answer was lost"
    );
    assert_eq!(
        emu.accepted_reprocess_ids().len(),
        want.len(),
        "and none was sent twice"
    );
}

#[test]
fn catalog_scoped_callers_list_each_visible_package() {
    let emu = Emu::with(EmulatorConfig {
        catalog_scoped: true,
        ..common::stable_config()
    });
    let hidden = emu.hidden_packages();
    assert!(!hidden.is_empty());
    let hidden_requests: BTreeSet<String> = emu
        .truth()
        .into_iter()
        .filter(|t| hidden.contains(&t.package_id))
        .map(|t| t.id)
        .collect();
    let want: BTreeSet<String> = emu
        .eligible(None)
        .difference(&hidden_requests)
        .cloned()
        .collect();
    let r = run_expect(
        emu.ep().args([
            "requests",
            "list",
            "--all-packages",
            "--reprocessable",
            "-o",
            "ids",
        ]),
        0,
    );
    assert!(r.stderr.contains("403"), "{}", r.stderr);
    let got: BTreeSet<String> = r.stdout.lines().map(str::to_string).collect();
    assert_eq!(got, want);
    let r = run_expect(
        emu.ep().args(["reprocess", "--all-failed", "-o", "json"]),
        0,
    );
    assert_eq!(ids_of(&r.json(), "reprocessed"), want);
}
