//! `ep reprocess` against the real emulator: exactly the eligible set, once each, and the truth
//! about every selected request.

use crate::common::{Emu, ids_of, run_expect, stable_config};
use ep_emulator::EmulatorConfig;
use std::collections::BTreeSet;

#[test]
fn dry_run_plans_the_eligible_set_and_sends_nothing() {
    let emu = Emu::start();
    let r = run_expect(
        emu.ep()
            .args(["reprocess", "--all-failed", "--dry-run", "-o", "json"]),
        0,
    );
    let summary = r.json();
    assert_eq!(summary["dryRun"], true);
    assert!(summary.get("interrupted").is_none(), "{summary}");
    assert_eq!(ids_of(&summary, "would-reprocess"), emu.eligible(None));
    assert_eq!(summary["counts"]["selected"], emu.eligible(None).len());
    assert_eq!(summary["counts"]["reprocessed"], 0);
    assert_eq!(emu.reprocess_posts(), 0, "a dry run sends no reprocess");
    assert!(
        emu.calls()
            .iter()
            .all(|c| c.method == "GET" || c.path.ends_with("/token"))
    );
}

#[test]
fn all_failed_reprocesses_exactly_the_eligible_set_once_and_a_rerun_finds_nothing() {
    let emu = Emu::start();
    let want = emu.eligible(None);
    assert!(want.len() > 5);
    let r = run_expect(
        emu.ep()
            .args(["reprocess", "--all-failed", "--yes", "-o", "json"]),
        0,
    );
    let summary = r.json();
    assert_eq!(summary["dryRun"], false);
    assert_eq!(ids_of(&summary, "reprocessed"), want);
    assert_eq!(summary["counts"]["reprocessed"], want.len());
    assert_eq!(summary["counts"]["failed"], 0);
    let sent = emu.accepted_reprocess_ids();
    assert_eq!(sent.len(), want.len(), "once each");
    assert_eq!(sent.into_iter().collect::<BTreeSet<_>>(), want);
    assert_eq!(
        emu.reprocess_posts(),
        want.len(),
        "no request was sent twice or in vain"
    );
    for t in emu.truth().iter().filter(|t| want.contains(&t.id)) {
        assert_eq!(t.reprocess_calls, 1);
        assert_eq!(t.state, "delivering");
    }

    let r = run_expect(
        emu.ep()
            .args(["reprocess", "--all-failed", "--yes", "-o", "json"]),
        0,
    );
    let again = r.json();
    assert_eq!(again["counts"]["selected"], 0, "a rerun finds nothing");
    assert_eq!(emu.reprocess_posts(), want.len());
}

#[test]
fn package_all_is_scoped_to_the_package() {
    let emu = Emu::start();
    let package = emu.edge_package();
    let want = emu.eligible(Some(&package));
    let r = run_expect(
        emu.ep()
            .args(["reprocess", "--package", &package, "--all", "-o", "json"]),
        0,
    );
    assert_eq!(ids_of(&r.json(), "reprocessed"), want);
    assert_eq!(
        emu.accepted_reprocess_ids()
            .into_iter()
            .collect::<BTreeSet<_>>(),
        want
    );
}

#[test]
fn list_ids_piped_into_reprocess_stdin() {
    let emu = Emu::start();
    let package = emu.edge_package();
    let list = run_expect(
        emu.ep().args([
            "requests",
            "list",
            "--package",
            &package,
            "--reprocessable",
            "-o",
            "ids",
        ]),
        0,
    );
    let want = emu.eligible(Some(&package));
    assert_eq!(list.stdout.lines().count(), want.len());
    let input = format!("# from ep requests list\n\n{}\n", list.stdout);
    let r = run_expect(
        emu.ep()
            .args(["reprocess", "-", "-o", "json"])
            .write_stdin(input),
        0,
    );
    assert_eq!(ids_of(&r.json(), "reprocessed"), want);
    assert_eq!(emu.reprocess_posts(), want.len());
}

#[test]
fn beta_reprocess_end_to_end() {
    let emu = Emu::start();
    let want = emu.eligible(None);
    let r = run_expect(
        emu.ep().args([
            "--api-version",
            "beta",
            "reprocess",
            "--all-failed",
            "--yes",
            "-o",
            "json",
        ]),
        0,
    );
    assert_eq!(ids_of(&r.json(), "reprocessed"), want);
    assert!(
        emu.calls()
            .iter()
            .filter(|c| c.path.ends_with("/reprocess"))
            .all(|c| c.path.starts_with("/beta/"))
    );
    let r = run_expect(
        emu.ep().args([
            "--api-version",
            "beta",
            "reprocess",
            "--all-failed",
            "-o",
            "json",
        ]),
        0,
    );
    assert_eq!(r.json()["counts"]["selected"], 0);
}

#[test]
fn explicit_ids_are_checked_first_skipped_with_reasons_and_unknown_ones_fail() {
    let emu = Emu::start();
    let truth = emu.truth();
    let eligible = emu.eligible(None);
    let good = eligible.iter().next().unwrap().clone();
    let delivered = truth
        .iter()
        .find(|t| t.state == "delivered")
        .unwrap()
        .id
        .clone();
    let old = truth
        .iter()
        .find(|t| t.state == "deliveryFailed" && t.completed.is_some() && !eligible.contains(&t.id))
        .unwrap()
        .id
        .clone();
    let missing = "00000000-0000-4000-8000-00000000abcd".to_string();
    let r = run_expect(
        emu.ep().args([
            "reprocess",
            &good,
            &delivered,
            &old,
            &missing,
            &good,
            "-o",
            "json",
        ]),
        1,
    );
    let s = r.json();
    assert_eq!(s["counts"]["selected"], 4, "duplicates collapse");
    assert_eq!(ids_of(&s, "reprocessed"), BTreeSet::from([good.clone()]));
    assert_eq!(
        ids_of(&s, "skipped"),
        BTreeSet::from([delivered.clone(), old.clone()])
    );
    assert_eq!(ids_of(&s, "failed"), BTreeSet::from([missing.clone()]));
    let results = s["results"].as_array().unwrap();
    let by_id = |id: &str| results.iter().find(|r| r["id"] == id).unwrap().clone();
    assert_eq!(by_id(&delivered)["reason"], "state delivered");
    let reason = by_id(&old)["reason"].as_str().unwrap().to_string();
    assert!(
        reason.contains("(window 14d): cancel and re-request in My Access"),
        "{reason}"
    );
    assert_eq!(by_id(&missing)["error"]["status"], 404);
    assert!(by_id(&missing)["error"]["code"].is_string());
    assert_eq!(emu.reprocess_posts(), 1, "only the eligible one was sent");
}

#[test]
fn force_sends_an_ineligible_request_and_reports_graphs_answer() {
    let emu = Emu::start();
    let delivered = emu
        .truth()
        .into_iter()
        .find(|t| t.state == "delivered")
        .unwrap()
        .id;
    let r = run_expect(
        emu.ep()
            .args(["reprocess", &delivered, "--force", "-o", "json"]),
        1,
    );
    let s = r.json();
    assert_eq!(s["results"][0]["outcome"], "failed");
    assert_eq!(s["results"][0]["error"]["status"], 400);
    assert_eq!(emu.reprocess_posts(), 1);
}

#[test]
fn only_unknown_ids_is_exit_4() {
    let emu = Emu::start();
    let r = run_expect(
        emu.ep().args([
            "reprocess",
            "00000000-0000-4000-8000-00000000abcd",
            "-o",
            "json",
        ]),
        4,
    );
    assert_eq!(r.json()["counts"]["failed"], 1);
}

#[test]
fn malformed_ids_and_empty_stdin_are_usage_errors_before_any_call() {
    let emu = Emu::start();
    let r = run_expect(emu.ep().args(["reprocess", "1234"]), 2);
    assert!(
        r.stderr.contains("'1234' is not a valid request id"),
        "{}",
        r.stderr
    );
    let r = run_expect(
        emu.ep()
            .args(["reprocess", "-"])
            .write_stdin("\n# nothing\n"),
        2,
    );
    assert!(r.stderr.contains("no request ids on stdin"), "{}", r.stderr);
    let r = run_expect(
        emu.ep()
            .args(["reprocess", "-"])
            .write_stdin("00000000-0000-4000-8000-00000000abcd\nnope\n"),
        2,
    );
    assert!(r.stderr.contains("stdin line 2"), "{}", r.stderr);
    assert_eq!(emu.reprocess_posts(), 0);
    assert!(
        emu.calls()
            .iter()
            .all(|c| !c.path.contains("assignmentRequests"))
    );
}

#[test]
fn selection_flags_are_validated() {
    let emu = Emu::start();
    let r = run_expect(emu.ep().args(["reprocess"]), 2);
    assert!(r.stderr.contains("--all-failed"), "{}", r.stderr);
    let r = run_expect(
        emu.ep().args(["reprocess", "--package", "X", "--select"]),
        2,
    );
    assert!(
        r.stderr.contains("terminal"),
        "--select without a tty: {}",
        r.stderr
    );
    assert!(r.stderr.contains("--all"), "{}", r.stderr);
    run_expect(emu.ep().args(["reprocess", "--all"]), 2);
    run_expect(
        emu.ep().args([
            "reprocess",
            "--all-failed",
            "00000000-0000-4000-8000-00000000abcd",
        ]),
        2,
    );
    assert!(emu.calls().is_empty(), "no call, not even a token");
}

#[test]
fn stream_formats_report_each_result() {
    let emu = Emu::start();
    let want = emu.eligible(None);
    let r = run_expect(
        emu.ep()
            .args(["reprocess", "--all-failed", "--dry-run", "-o", "ids"]),
        0,
    );
    assert_eq!(
        r.stdout
            .lines()
            .map(str::to_string)
            .collect::<BTreeSet<_>>(),
        want
    );
    let r = run_expect(
        emu.ep()
            .args(["reprocess", "--all-failed", "--dry-run", "-o", "ndjson"]),
        0,
    );
    assert_eq!(r.stdout.lines().count(), want.len());
    for line in r.stdout.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["outcome"], "would-reprocess");
    }
    let r = run_expect(
        emu.ep()
            .args(["reprocess", "--all-failed", "--dry-run", "-o", "csv"]),
        0,
    );
    assert!(r.stdout.starts_with("id,outcome,"), "{}", r.stdout);
    assert_eq!(r.stdout.lines().count(), want.len() + 1);
    let r = run_expect(emu.ep().args(["reprocess", "--all-failed", "--dry-run"]), 0);
    assert!(r.stdout.contains("would reprocess"), "{}", r.stdout);
}

#[test]
fn wait_reports_final_states() {
    let emu = Emu::with(ep_emulator::EmulatorConfig {
        settle: std::time::Duration::from_millis(300),
        refail_rate: 0.0,
        ..ep_emulator::EmulatorConfig::default()
    });
    let package = emu.edge_package();
    let want = emu.eligible(Some(&package));
    let r = run_expect(
        emu.ep().args([
            "reprocess",
            "--package",
            &package,
            "--all",
            "--wait",
            "--timeout",
            "30s",
            "-o",
            "json",
        ]),
        0,
    );
    let s = r.json();
    for result in s["results"].as_array().unwrap() {
        assert_eq!(result["finalState"], "delivered", "{result}");
    }
    assert_eq!(ids_of(&s, "reprocessed"), want);
    // Each request's end is told as it happens, with how many have settled.
    for id in &want {
        assert!(
            r.stderr.contains(&format!("{id}: delivered (")),
            "{}",
            r.stderr
        );
    }
    let last = format!("({} of {} settled)", want.len(), want.len());
    assert!(r.stderr.contains(&last), "{}", r.stderr);
}

#[test]
fn wait_exits_1_when_a_request_fails_again() {
    // Seen delivering, then failed: settled as "failed again" long before the timeout.
    let emu = Emu::with(ep_emulator::EmulatorConfig {
        settle: std::time::Duration::from_millis(300),
        refail_rate: 1.0,
        visible_refail: true,
        ..ep_emulator::EmulatorConfig::default()
    });
    let package = emu.edge_package();
    let r = run_expect(
        emu.ep().args([
            "reprocess",
            "--package",
            &package,
            "--all",
            "--wait",
            "--timeout",
            "60s",
            "-o",
            "json",
        ]),
        1,
    );
    let s = r.json();
    assert!(
        s["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["finalState"] == "deliveryFailed")
    );
    let n = s["results"].as_array().unwrap().len();
    assert_eq!(s["counts"]["failedAgain"], n);
    assert_eq!(s["counts"]["stillFailing"], 0);
    assert!(
        r.elapsed < std::time::Duration::from_secs(30),
        "settled without waiting for the timeout: {:?}",
        r.elapsed
    );
}

#[test]
fn wait_reports_delivered_ones_and_watches_still_failing_ones_until_the_timeout() {
    // Graph keeps retrying a reprocess whose cause is not fixed for hours, showing the failed
    // state unchanged: such a request is "still failing" at the timeout, not "failed again".
    let emu = Emu::with(ep_emulator::EmulatorConfig {
        settle: std::time::Duration::from_millis(500),
        refail_rate: 0.5,
        trial_window: std::time::Duration::from_secs(600),
        ..ep_emulator::EmulatorConfig::default()
    });
    let want = emu.eligible(None);
    let r = run_expect(
        emu.ep().args([
            "reprocess",
            "--all-failed",
            "--yes",
            "--wait",
            "--timeout",
            "20s",
            "-o",
            "json",
        ]),
        1,
    );
    assert!(
        r.elapsed >= std::time::Duration::from_secs(20),
        "watched until the timeout: {:?}",
        r.elapsed
    );
    let s = r.json();
    assert_eq!(ids_of(&s, "reprocessed"), want);
    let truth = emu.snapshot_by_id();
    let (mut delivered, mut still_failing) = (0, 0);
    for result in s["results"].as_array().unwrap() {
        let id = result["id"].as_str().unwrap();
        let state = truth[id].state.as_str();
        assert_eq!(truth[id].reprocess_calls, 1, "{id} accepted exactly once");
        match state {
            "delivered" => {
                delivered += 1;
                assert_eq!(result["finalState"], "delivered", "{result}");
            }
            "deliveryFailed" | "partiallyDelivered" => {
                still_failing += 1;
                assert_eq!(result["finalState"], state, "{result}");
                assert!(
                    result["note"].as_str().unwrap().contains("still failing"),
                    "{result}"
                );
            }
            other => panic!("{id} ended {other}"),
        }
    }
    assert!(
        delivered > 0 && still_failing > 0,
        "{delivered} {still_failing}"
    );
    assert_eq!(s["counts"]["delivered"], delivered);
    assert_eq!(s["counts"]["stillFailing"], still_failing);
    assert_eq!(s["counts"]["failedAgain"], 0);
    assert!(r.stderr.contains("still failing"), "{}", r.stderr);
}

#[test]
fn read_only_app_gets_exit_3_naming_the_permission() {
    let emu = Emu::start();
    let id = emu.eligible(None).into_iter().next().unwrap();
    let r = run_expect(
        emu.ep()
            .env("AZURE_CLIENT_ID", ep_emulator::DEMO.reader_client_id)
            .env(
                "AZURE_CLIENT_SECRET",
                ep_emulator::DEMO.reader_client_secret,
            )
            .args(["reprocess", &id, "-o", "json"]),
        3,
    );
    assert_eq!(r.json()["results"][0]["error"]["status"], 403);
}

#[test]
fn reprocess_travels_in_batches_of_up_to_20_unless_no_batch() {
    let emu = Emu::start();
    let want = emu.eligible(None);
    run_expect(
        emu.ep().args(["reprocess", "--all-failed", "-o", "json"]),
        0,
    );
    let calls = emu.calls();
    let posts: Vec<_> = calls
        .iter()
        .filter(|c| c.path.ends_with("/reprocess"))
        .collect();
    assert_eq!(posts.len(), want.len());
    assert!(
        posts.iter().all(|c| c.in_batch),
        "reprocess calls were batched"
    );
    let batches = calls.iter().filter(|c| c.path.ends_with("/$batch")).count();
    assert!(
        batches >= want.len().div_ceil(20),
        "at most 20 per batch ({batches} batches)"
    );
    assert!(
        batches < want.len(),
        "batches carried several calls ({batches} for {})",
        want.len()
    );

    let emu = Emu::start();
    run_expect(
        emu.ep()
            .args(["--no-batch", "reprocess", "--all-failed", "-o", "json"]),
        0,
    );
    let calls = emu.calls();
    assert!(
        calls
            .iter()
            .all(|c| !c.in_batch && !c.path.ends_with("/$batch"))
    );
    assert_eq!(emu.accepted_reprocess_ids().len(), want.len());
}

/// Unattended (no terminal), a bulk run sends while the listing is still paging: the first
/// reprocess reaches Graph before the last page is fetched, and every eligible request is still
/// accepted exactly once.
#[test]
fn unattended_bulk_runs_send_while_the_listing_still_pages() {
    for extra in [&[][..], &["--no-batch"][..]] {
        let emu = Emu::with(EmulatorConfig {
            outage: 300,
            page_size: 20,
            latency: std::time::Duration::from_millis(20),
            ..stable_config()
        });
        let want = emu.eligible(None);
        let r = run_expect(
            emu.ep()
                .args(extra)
                .args(["reprocess", "--all-failed", "-o", "json", "--no-journal"]),
            0,
        );
        assert_eq!(r.json()["counts"]["reprocessed"], want.len(), "{extra:?}");
        let calls = emu.calls();
        let last_page = calls
            .iter()
            .filter(|c| c.method == "GET" && c.path.ends_with("/assignmentRequests"))
            .map(|c| c.at)
            .max()
            .unwrap();
        let first_send = calls
            .iter()
            .filter(|c| c.path.ends_with("/reprocess"))
            .map(|c| c.at)
            .min()
            .unwrap();
        assert!(
            first_send < last_page,
            "{extra:?}: first reprocess at {first_send}, last page at {last_page}"
        );
        let accepted = emu.accepted_reprocess_ids();
        let unique: BTreeSet<&String> = accepted.iter().collect();
        assert_eq!(accepted.len(), want.len(), "{extra:?}: none twice");
        assert_eq!(unique.len(), want.len());
    }
}

/// What a bulk run leaves out is named with a command that lists it, and what it plans says
/// when each request's window closes.
#[test]
fn a_bulk_run_names_a_working_command_for_what_it_left_out_and_when_windows_close() {
    let emu = Emu::start();
    let r = run_expect(emu.ep().args(["reprocess", "--all-failed", "--dry-run"]), 0);
    assert!(r.stdout.contains("closes in"), "{}", r.stdout);
    let hint = r
        .stderr
        .split("(see '")
        .nth(1)
        .and_then(|rest| rest.split("')").next())
        .unwrap_or_else(|| panic!("no command in: {}", r.stderr));
    let args: Vec<&str> = hint.split_whitespace().skip(1).collect();
    assert_eq!(args[..3], ["requests", "list", "--all-packages"], "{hint}");
    run_expect(emu.ep().args(&args), 0);
}

/// Every request in the seed that is failed and completed between `from` and `to` days ago.
fn failed_aged(emu: &Emu, from: i64, to: i64) -> BTreeSet<String> {
    let now = chrono::Utc::now();
    emu.truth()
        .into_iter()
        .filter(|t| t.state == "deliveryFailed" || t.state == "partiallyDelivered")
        .filter(|t| {
            t.completed.is_some_and(|c| {
                now - c > chrono::Duration::days(from) && now - c < chrono::Duration::days(to)
            })
        })
        .map(|t| t.id)
        .collect()
}

#[test]
fn a_window_beyond_graphs_14_days_is_a_usage_error_on_every_command_before_any_call() {
    let emu = Emu::start();
    let id = emu.eligible(None).pop_first().unwrap();
    for args in [
        &["reprocess", "--all-failed", "--window", "30d", "--dry-run"][..],
        &["reprocess", "--all-failed", "--window", "15", "--yes"][..],
        &["requests", "list", "--all-packages", "--window", "30d"][..],
        &["requests", "why", "--window", "21d"][..],
        &["requests", "show", id.as_str(), "--window", "30d"][..],
    ] {
        let r = run_expect(emu.ep().args(args), 2);
        assert!(
            r.stderr
                .contains("longer than Graph's 14-day reprocess limit"),
            "{args:?}: {}",
            r.stderr
        );
        assert!(r.stderr.contains("hint: "), "{args:?}: {}", r.stderr);
        if args[0] == "reprocess" {
            assert!(r.stderr.contains("--force"), "{}", r.stderr);
        }
    }
    assert!(emu.calls().is_empty(), "refused before signing in");
}

#[test]
fn a_bare_window_number_is_days_on_every_command() {
    let emu = Emu::start();
    let id = emu.eligible(None).pop_first().unwrap();
    let r = run_expect(
        emu.ep().args([
            "reprocess",
            "--all-failed",
            "--dry-run",
            "--window",
            "7",
            "-o",
            "json",
        ]),
        0,
    );
    let seven = r.json();
    let r = run_expect(
        emu.ep().args([
            "reprocess",
            "--all-failed",
            "--dry-run",
            "--window",
            "7d",
            "-o",
            "json",
        ]),
        0,
    );
    assert_eq!(
        ids_of(&seven, "would-reprocess"),
        ids_of(&r.json(), "would-reprocess")
    );
    assert!(
        ids_of(&seven, "would-reprocess").len() < emu.eligible(None).len(),
        "7 days is fewer than 14"
    );
    for args in [
        &[
            "requests",
            "list",
            "--all-packages",
            "--window",
            "14",
            "-o",
            "json",
        ][..],
        &["requests", "why", "--window", "14", "-o", "json"][..],
        &[
            "requests",
            "show",
            id.as_str(),
            "--window",
            "14",
            "-o",
            "json",
        ][..],
    ] {
        run_expect(emu.ep().args(args), 0);
    }
}

#[test]
fn force_takes_a_longer_window_with_a_warning_and_graphs_14_day_refusal_gets_no_7_day_hint() {
    let emu = Emu::start();
    let old = failed_aged(&emu, 14, 30);
    assert!(
        !old.is_empty(),
        "the seed has failed requests 14-30 days old"
    );
    let md = tempfile::tempdir().unwrap();
    let step_summary = md.path().join("summary.md");
    let r = run_expect(
        emu.ep()
            .args([
                "reprocess",
                "--all-failed",
                "--yes",
                "--force",
                "--window",
                "30d",
                "--no-journal",
                "-o",
                "json",
            ])
            .arg("--summary-file")
            .arg(&step_summary),
        1,
    );
    assert!(
        r.stderr
            .contains("warning: --window 30d is longer than Graph's 14-day reprocess limit"),
        "{}",
        r.stderr
    );
    let summary = r.json();
    let refused: Vec<&serde_json::Value> = summary["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["outcome"] == "failed")
        .collect();
    let refused_ids: BTreeSet<String> = refused
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        refused_ids, old,
        "Graph refused exactly the ones past 14 days"
    );
    for r in &refused {
        assert!(
            r["error"]["message"].as_str().unwrap().contains("14 days"),
            "{r}"
        );
        assert!(
            r.get("note").is_none(),
            "no 7-day hint against Graph's own words: {r}"
        );
    }
    assert!(!r.stderr.contains("--window 7d"), "{}", r.stderr);
    let page = std::fs::read_to_string(&step_summary).unwrap();
    assert!(!page.contains("7-day"), "{page}");
    assert!(!page.contains("--window 7d"), "{page}");
}

#[test]
fn the_wait_warning_names_the_requests_to_look_at() {
    let emu = Emu::with(ep_emulator::EmulatorConfig {
        settle: std::time::Duration::from_millis(300),
        refail_rate: 1.0,
        visible_refail: true,
        ..ep_emulator::EmulatorConfig::default()
    });
    let package = emu.edge_package();
    let r = run_expect(
        emu.ep().args([
            "reprocess",
            "--package",
            &package,
            "--all",
            "--wait",
            "--timeout",
            "60s",
            "-o",
            "json",
        ]),
        1,
    );
    let s = r.json();
    let first = s["results"][0]["id"].as_str().unwrap();
    let warning = r
        .stderr
        .lines()
        .find(|l| l.contains("failed again after delivering"))
        .unwrap_or_else(|| panic!("{}", r.stderr));
    assert!(
        warning.contains(&format!("'ep requests show {first}'")),
        "{warning}"
    );
    assert!(!warning.contains("show ID"), "{warning}");
    assert!(
        s["results"][0]["note"]
            .as_str()
            .unwrap()
            .contains(&format!("'ep requests show {first}'")),
        "{}",
        s["results"][0]
    );
}
