//! Issue 4's guarantees through the real binary: the journal, Ctrl-C, faults and lost answers.

use crate::common::{Emu, ids_of, run_expect};
use ep_emulator::{EmulatorConfig, FaultScope, RetryAfterStyle};
use std::collections::BTreeSet;
use std::time::Duration;

#[test]
fn the_journal_skips_requests_accepted_within_its_window_unless_forced() {
    // Reprocessed requests fail again quickly, so without the journal they would be eligible
    // and sent again on the next run.
    let emu = Emu::with(EmulatorConfig {
        trial_window: Duration::from_millis(200),
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
    // Write-ahead: each call's intent is on disk before it leaves, its outcome after.
    let lines = std::fs::read_to_string(&journal).unwrap();
    let entries: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        entries.len(),
        2 * want.len(),
        "an intent and an outcome each"
    );
    for id in &want {
        let of: Vec<&str> = entries
            .iter()
            .filter(|e| e["id"] == id.as_str())
            .map(|e| e["outcome"].as_str().unwrap())
            .collect();
        assert_eq!(of, ["sending", "reprocessed"], "{id}");
    }

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

    // Let the service's retrying of those end (the trial window): a repeat inside it is refused.
    std::thread::sleep(Duration::from_millis(400));
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
        ..crate::common::stable_config()
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
    let out = crate::common::signal_mid_reprocess(&emu, child, "INT");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "stderr: {stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    let summary: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("a summary was printed");
    // A CI step can tell without the exit code.
    assert_eq!(summary["interrupted"], "SIGINT", "{summary}");
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
        ..crate::common::stable_config()
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
            ..crate::common::stable_config()
        },
        &["--no-batch"],
    );
}

#[test]
fn lost_acks_are_confirmed_by_reading_the_state_and_reported_reprocessed() {
    let emu = Emu::with(EmulatorConfig {
        lost_ack: 1.0,
        ..crate::common::stable_config()
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
    // Which status refuses the tenant-wide list is undocumented: 403 or 400.
    for refusal in [403u16, 400] {
        let emu = Emu::with(EmulatorConfig {
            catalog_scoped: true,
            catalog_refusal: refusal,
            ..crate::common::stable_config()
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
        assert!(r.stderr.contains(&refusal.to_string()), "{}", r.stderr);
        let got: BTreeSet<String> = r.stdout.lines().map(str::to_string).collect();
        assert_eq!(got, want);
        let r = run_expect(
            emu.ep().args(["reprocess", "--all-failed", "-o", "json"]),
            0,
        );
        assert_eq!(ids_of(&r.json(), "reprocessed"), want);
    }
}

#[test]
fn batched_reprocess_uses_the_documented_write_shape() {
    // The emulator refuses body-less write sub-requests, as Graph does: every eligible request
    // must still be reprocessed exactly once, through $batch.
    let emu = Emu::start();
    let want = emu.eligible(None);
    let r = run_expect(
        emu.ep()
            .args(["reprocess", "--all-failed", "--yes", "-o", "json"]),
        0,
    );
    assert_eq!(ids_of(&r.json(), "reprocessed"), want);
    let calls = emu.calls();
    let reprocess: Vec<_> = calls
        .iter()
        .filter(|c| c.path.ends_with("/reprocess"))
        .collect();
    assert_eq!(reprocess.len(), want.len(), "each sent once");
    assert!(reprocess.iter().all(|c| c.in_batch && c.status == 202));
    assert!(
        calls
            .iter()
            .filter(|c| c.path.ends_with("/$batch"))
            .all(|c| c.status == 200),
        "no batch was refused"
    );
}

#[test]
fn a_batch_refused_for_its_writes_falls_back_to_direct_posts_losing_and_doubling_nothing() {
    let emu = Emu::with(EmulatorConfig {
        batch_refuses_writes: true,
        ..crate::common::stable_config()
    });
    let want = emu.eligible(None);
    let r = run_expect(
        emu.ep()
            .args(["reprocess", "--all-failed", "--yes", "-o", "json"]),
        0,
    );
    assert_eq!(ids_of(&r.json(), "reprocessed"), want, "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("sends them directly").count(),
        1,
        "said once: {}",
        r.stderr
    );
    let accepted = emu.accepted_reprocess_ids();
    assert_eq!(accepted.len(), want.len(), "none twice");
    let calls = emu.calls();
    assert!(
        calls
            .iter()
            .filter(|c| c.path.ends_with("/reprocess"))
            .all(|c| !c.in_batch),
        "no reprocess ran inside a batch"
    );
    let refused = calls
        .iter()
        .filter(|c| c.path.ends_with("/$batch") && c.status == 400)
        .count();
    assert!(refused >= 1, "a batch was refused first");
}

fn unchanged_state_model(lost_ack: f64, fault_rate: f64, repeat_refusal: u16) -> EmulatorConfig {
    EmulatorConfig {
        lost_ack,
        fault_rate,
        refail_rate: 0.5,
        trial_window: Duration::from_secs(600),
        settle: Duration::from_secs(600),
        repeat_refusal,
        ..EmulatorConfig::default()
    }
}

#[test]
fn lost_answers_under_the_unchanged_state_model_are_reported_reprocessed_exactly_once() {
    // Half the requests will fail again: Graph keeps their state unchanged while it retries, so a
    // lost answer can't be confirmed by reading the state, and the repeat is refused.
    for extra in [&[][..], &["--no-batch"][..]] {
        let emu = Emu::with(unchanged_state_model(0.15, 0.05, 400));
        let want = emu.eligible(None);
        let mut args = extra.to_vec();
        args.extend(["reprocess", "--all-failed", "--yes", "-o", "json"]);
        let r = run_expect(emu.ep().args(&args), 0);
        let summary = r.json();
        assert_eq!(ids_of(&summary, "reprocessed"), want, "{}", r.stderr);
        assert_eq!(summary["counts"]["failed"], 0);
        let truth = emu.snapshot_by_id();
        for id in &want {
            assert_eq!(truth[id].reprocess_calls, 1, "{id} accepted exactly once");
        }
        assert_eq!(emu.accepted_reprocess_ids().len(), want.len());
    }
}

#[test]
fn a_refused_repeat_after_a_lost_answer_is_reported_reprocessed_with_a_note() {
    // Every reprocess fails again, so a lost answer can never be confirmed by the state. The
    // emulator loses refusals' answers too, so a request may need a few repeats before one
    // refusal gets through: --retries keeps that from running out.
    for refusal in [400u16, 409] {
        let emu = Emu::with(EmulatorConfig {
            refail_rate: 1.0,
            ..unchanged_state_model(0.3, 0.0, refusal)
        });
        let want = emu.eligible(None);
        let r = run_expect(
            emu.ep().args([
                "--no-batch",
                "--retries",
                "14",
                "reprocess",
                "--all-failed",
                "-o",
                "json",
            ]),
            0,
        );
        let summary = r.json();
        assert_eq!(ids_of(&summary, "reprocessed"), want);
        let truth = emu.snapshot_by_id();
        let mut concluded = 0;
        for result in summary["results"].as_array().unwrap() {
            let id = result["id"].as_str().unwrap();
            assert_eq!(truth[id].reprocess_calls, 1, "{id} accepted exactly once");
            let lost_first = emu
                .calls()
                .iter()
                .find(|c| c.path.ends_with(&format!("{id}/reprocess")))
                .is_some_and(|c| c.dropped);
            let note = result["note"].as_str().unwrap_or_default();
            if lost_first {
                concluded += 1;
                assert!(
                    note.contains("concluded") && note.contains(&refusal.to_string()),
                    "{result}"
                );
            } else {
                assert!(note.is_empty(), "{result}");
            }
        }
        assert!(concluded > 0, "some first answers were lost");
        assert_eq!(emu.accepted_reprocess_ids().len(), want.len(), "none twice");
    }
}

#[test]
fn a_service_applying_the_portals_seven_days_is_named_with_the_window_to_use() {
    let emu = Emu::with(EmulatorConfig {
        reprocess_window_days: 7,
        ..crate::common::stable_config()
    });
    let now = chrono::Utc::now();
    let within_7: BTreeSet<String> = emu
        .truth()
        .into_iter()
        .filter(|t| emu.eligible(None).contains(&t.id))
        .filter(|t| {
            t.completed
                .is_some_and(|c| now - c <= chrono::Duration::days(7))
        })
        .map(|t| t.id)
        .collect();
    let all = emu.eligible(None);
    assert!(
        within_7.len() < all.len(),
        "the seed has requests 7-14 days old"
    );
    let r = run_expect(
        emu.ep()
            .args(["reprocess", "--all-failed", "--yes", "-o", "json"]),
        1,
    );
    assert!(r.stderr.contains("--window 7d"), "{}", r.stderr);
    let summary = r.json();
    assert_eq!(ids_of(&summary, "reprocessed"), within_7);
    for failed in summary["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["outcome"] == "failed")
    {
        assert!(
            failed["note"].as_str().unwrap().contains("7-day"),
            "{failed}"
        );
    }
    // With the portal's window the rest is skipped with a reason, and the run succeeds.
    let r = run_expect(
        emu.ep().args([
            "reprocess",
            "--all-failed",
            "--yes",
            "--window",
            "7d",
            "-o",
            "json",
        ]),
        0,
    );
    assert!(ids_of(&r.json(), "reprocessed").is_empty());
}

/// Ctrl-C while an unattended run is still listing a large tenant: no new page is fetched, what
/// was listed is accounted for (sent, or "not sent: interrupted"), and a rerun finishes the rest
/// without repeating anything.
#[test]
fn ctrl_c_in_an_unattended_run_stops_the_listing_and_accounts_for_what_it_listed() {
    let emu = Emu::with(EmulatorConfig {
        outage: 1500,
        page_size: 10,
        latency: Duration::from_millis(40),
        ..crate::common::stable_config()
    });
    let want = emu.eligible(None);
    let pages_needed = want.len() / 10;
    let mut cmd = emu.ep_process();
    cmd.args(["reprocess", "--all-failed", "-o", "json", "--no-journal"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let started = std::time::Instant::now();
    let out = crate::common::signal_mid_reprocess(&emu, cmd.spawn().unwrap(), "INT");
    assert!(started.elapsed() < Duration::from_secs(15));
    assert_eq!(out.status.code(), Some(130));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["interrupted"], "SIGINT", "{summary}");
    // `selected` counts what was listed before the stop, not the whole scope.
    assert_eq!(
        summary["counts"]["selected"],
        summary["results"].as_array().unwrap().len()
    );
    let reprocessed = ids_of(&summary, "reprocessed");
    let accepted: BTreeSet<String> = emu.accepted_reprocess_ids().into_iter().collect();
    assert_eq!(
        reprocessed, accepted,
        "the summary matches what the server did"
    );
    let results = summary["results"].as_array().unwrap();
    for r in results.iter().filter(|r| r["outcome"] != "reprocessed") {
        assert_eq!(r["reason"], "not sent: interrupted", "{r}");
    }
    assert!(results.len() < want.len(), "the listing stopped early");
    let pages = emu
        .calls()
        .iter()
        .filter(|c| c.method == "GET" && c.path.ends_with("/assignmentRequests"))
        .count();
    assert!(
        pages < pages_needed / 2,
        "{pages} of {pages_needed} pages fetched"
    );

    let r = run_expect(
        emu.ep()
            .args(["reprocess", "--all-failed", "-o", "json", "--no-journal"]),
        0,
    );
    let second = ids_of(&r.json(), "reprocessed");
    assert!(second.is_disjoint(&reprocessed), "nothing sent twice");
    let all: BTreeSet<String> = emu.accepted_reprocess_ids().into_iter().collect();
    assert_eq!(all, want);
    assert_eq!(emu.accepted_reprocess_ids().len(), want.len());
}

/// A steady, throttled run whose 503s all carry `Retry-After: 1`, faults falling on `scope`.
/// Returns, for each 503 with a `Retry-After` (at least a second before the run's last call),
/// how many calls arrived while it was in force (after the client could have seen it), and the
/// retries of the 503'd call itself that came too early.
fn calls_inside_503_windows(scope: FaultScope, fault_rate: f64) -> (Vec<usize>, usize) {
    let latency = Duration::from_millis(20);
    let emu = Emu::with(EmulatorConfig {
        fault_rate,
        fault_scope: scope,
        retry_after: RetryAfterStyle::Seconds,
        rate: Some(100.0),
        burst: 20,
        latency,
        outage: 400,
        ..crate::common::stable_config()
    });
    let want = emu.eligible(None);
    let r = run_expect(
        emu.ep().args([
            "reprocess",
            "--all-failed",
            "--yes",
            "--no-journal",
            "-o",
            "json",
        ]),
        0,
    );
    assert_eq!(ids_of(&r.json(), "reprocessed"), want, "{}", r.stderr);
    let calls = emu.calls();
    let last = calls.iter().map(|c| c.at).max().unwrap();
    // A call that arrives within a round trip of the 503 may have left before it was seen.
    let seen = chrono::Duration::from_std(latency * 2 + Duration::from_millis(30)).unwrap();
    let mut inside = Vec::new();
    let mut early_retries = 0;
    for fault in calls.iter().filter(|c| c.status == 503) {
        let Some(ms) = fault.retry_after_ms else {
            continue;
        };
        let until = fault.at + chrono::Duration::milliseconds(ms as i64);
        if until + chrono::Duration::seconds(1) > last {
            continue;
        }
        let within: Vec<_> = calls
            .iter()
            .filter(|c| c.at > fault.at + seen && c.at < until)
            .collect();
        early_retries += within
            .iter()
            .filter(|c| c.method == fault.method && c.path == fault.path && c.query == fault.query)
            .count();
        inside.push(within.len());
    }
    (inside, early_retries)
}

#[test]
fn a_503_on_one_sub_request_delays_that_request_only() {
    // Other sub-requests of the same batch were served: the service is up, and the run goes
    // on while the one request waits out its Retry-After.
    let (inside, early) = calls_inside_503_windows(FaultScope::SubRequests, 0.08);
    assert!(!inside.is_empty(), "the run had 503s with Retry-After");
    let busy = inside.iter().filter(|&&n| n > 0).count();
    assert!(
        busy * 2 > inside.len(),
        "other calls went on during most 503 windows: {inside:?}"
    );
    assert_eq!(early, 0, "the 503'd request itself waited its Retry-After");
}

#[test]
fn a_503_answering_a_whole_request_pauses_every_call() {
    let (inside, early) = calls_inside_503_windows(FaultScope::Requests, 0.25);
    assert!(!inside.is_empty(), "the run had 503s with Retry-After");
    let quiet = inside.iter().filter(|&&n| n == 0).count();
    assert!(
        quiet * 2 > inside.len(),
        "nothing was sent during most 503 windows: {inside:?}"
    );
    assert_eq!(early, 0);
}
