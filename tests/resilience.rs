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
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("ep"));
    cmd.env_clear()
        .env("EP_GRAPH_URL", emu.url())
        .env("AZURE_AUTHORITY_HOST", emu.url())
        .env("AZURE_TENANT_ID", ep::emulator::DEMO.tenant_id)
        .env("AZURE_CLIENT_ID", ep::emulator::DEMO.client_id)
        .env("AZURE_CLIENT_SECRET", ep::emulator::DEMO.client_secret)
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
