//! The recheck's first listing and the last round trip of sending: shared only when that is
//! safe (an unpaced run, every query answered in one response), never trusted otherwise.

use crate::common::{Emu, ids_of, run_expect, stable_config};
use chrono::{DateTime, Utc};
use ep_emulator::{EmulatorConfig, PagingModel, RecordedCall};
use std::collections::BTreeSet;
use std::time::Duration;

const LATENCY: Duration = Duration::from_millis(150);

fn tenant(page_size: usize) -> EmulatorConfig {
    EmulatorConfig {
        requests: 60,
        outage: 300,
        page_size,
        paging: PagingModel::Offset,
        latency: LATENCY,
        ..stable_config()
    }
}

/// The recheck's listings: only what eligibility needs, nothing expanded.
fn recheck_listings(calls: &[RecordedCall]) -> Vec<&RecordedCall> {
    calls
        .iter()
        .filter(|c| c.method == "GET" && c.path.ends_with("/assignmentRequests"))
        .filter(|c| {
            c.query.as_deref().is_some_and(|q| {
                q.contains("$select=id,state,completedDateTime") && !q.contains("$expand")
            })
        })
        .collect()
}

fn last_reprocess(calls: &[RecordedCall]) -> DateTime<Utc> {
    calls
        .iter()
        .filter(|c| c.path.ends_with("/reprocess"))
        .map(|c| c.at)
        .max()
        .expect("reprocess calls")
}

/// Runs the bulk job and checks the invariant: every eligible request accepted exactly once,
/// the run established. Returns the call log and stderr.
fn reprocess_all(emu: &Emu) -> (Vec<RecordedCall>, String) {
    let want = emu.eligible(None);
    let r = run_expect(
        emu.ep()
            .args(["-v", "reprocess", "--all-failed", "--yes", "-o", "json"])
            .arg("--no-journal"),
        0,
    );
    let summary = r.json();
    assert_eq!(ids_of(&summary, "reprocessed"), want, "{}", r.stderr);
    assert_eq!(summary["counts"]["established"], true, "{}", r.stderr);
    let accepted = emu.accepted_reprocess_ids();
    let unique: BTreeSet<String> = accepted.iter().cloned().collect();
    assert_eq!(unique, want);
    assert_eq!(accepted.len(), want.len(), "no request was accepted twice");
    (emu.calls(), r.stderr)
}

fn half_a_round_trip() -> chrono::Duration {
    chrono::Duration::from_std(LATENCY / 2).unwrap()
}

#[test]
fn an_unthrottled_run_lists_its_recheck_during_the_last_round_trip() {
    let emu = Emu::with(tenant(999));
    let (calls, stderr) = reprocess_all(&emu);
    let rechecks = recheck_listings(&calls);
    // One query per failed state, each answered whole: no listing after sending.
    assert_eq!(rechecks.len(), 2, "{stderr}");
    let last = last_reprocess(&calls);
    for listing in rechecks {
        assert!(
            listing.at < last + half_a_round_trip(),
            "the recheck listed {} ms after the last reprocess call left\n{stderr}",
            (listing.at - last).num_milliseconds()
        );
    }
    assert!(
        stderr.contains("recheck listed during the last round trip"),
        "{stderr}"
    );
}

#[test]
fn a_recheck_listing_that_pages_is_listed_again_once_sending_is_done() {
    // Pages of 40: calls in flight could push a request past a page boundary, so the early
    // listing is given up at its first page with more after it.
    let emu = Emu::with(tenant(40));
    let (calls, stderr) = reprocess_all(&emu);
    let last = last_reprocess(&calls);
    let after = recheck_listings(&calls)
        .into_iter()
        .filter(|c| c.at >= last + half_a_round_trip())
        .count();
    assert!(after >= 2, "no recheck listing after sending\n{stderr}");
    assert!(
        !stderr.contains("recheck listed during the last round trip"),
        "{stderr}"
    );
}

#[test]
fn a_paced_run_lists_its_recheck_once_sending_is_done() {
    // Throttled: what is left once the last request is handed over takes as long as the
    // learned rate says, so a listing then would be no recent view of the scope.
    let emu = Emu::with(EmulatorConfig {
        rate: Some(100.0),
        burst: 20,
        ..tenant(999)
    });
    let (calls, stderr) = reprocess_all(&emu);
    let last = last_reprocess(&calls);
    let rechecks = recheck_listings(&calls);
    assert!(!rechecks.is_empty(), "{stderr}");
    assert!(
        rechecks.iter().all(|c| c.at > last),
        "a recheck listing before the last reprocess call\n{stderr}"
    );
}

#[test]
fn an_early_listing_older_than_the_last_retry_is_listed_again() {
    // A brief outage over the last five reprocess calls to arrive: they are in the last round
    // trip, while the early listing runs, and their retries leave after its answer (503 or 504,
    // retried after a Retry-After or a backoff of a few hundred ms). What that listing saw may
    // have changed since, so the recheck must list again after sending.
    let eligible = Emu::with(tenant(999)).eligible(None).len();
    let emu = Emu::with(EmulatorConfig {
        fault_rate: 1.0,
        fault_scope: ep_emulator::FaultScope::SubRequests,
        fault_window: eligible - 5..eligible,
        ..tenant(999)
    });
    let (calls, stderr) = reprocess_all(&emu);
    assert!(
        stderr.contains("recheck listed during the last round trip"),
        "no early listing was made, so this test shows nothing\n{stderr}"
    );
    let listings = recheck_listings(&calls);
    let early = listings
        .iter()
        .map(|c| c.at)
        .min()
        .expect("a recheck listing");
    let last = last_reprocess(&calls);
    let round_trip = chrono::Duration::from_std(LATENCY).unwrap();
    assert!(
        last > early + round_trip * 2,
        "the retries left within {} ms of the early listing, which may then stand\n{stderr}",
        (last - early).num_milliseconds()
    );
    let after = listings.iter().filter(|c| c.at > last).count();
    assert!(
        after >= 2,
        "the early listing was trusted though a retry left {} ms after it\n{stderr}",
        (last - early).num_milliseconds()
    );
}
