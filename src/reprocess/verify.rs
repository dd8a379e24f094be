//! The recheck: establish, rather than assume, that a bulk run left nothing eligible behind.
//!
//! No listing of a live system is a snapshot. Graph calls `$skiptoken` opaque and promises
//! nothing about what later pages hold when the data changes between them; a server whose token
//! is an offset into the live result skips one request for every earlier one that leaves the
//! failed set, which is exactly what ep's own accepted reprocess calls do, and what the service
//! and other admins do by themselves. So after sending, the scope is listed again (failed states
//! only, nothing expanded), whatever is eligible and was neither handled by this run nor
//! accepted in the journal is sent, and so on, as a Kubernetes controller reconciles or rsync's
//! second pass catches what changed under the first.
//!
//! A pass is only trusted when it is stable: it found nothing new to send, and it listed the same
//! requests as the pass before it, leaving aside those this run or the journal had accepted
//! (they may leave the failed set at any time). A request skipped by a shifting page in one pass was listed by the
//! pass before or is listed by the next, so two passes that agree and find nothing new are the
//! evidence. When no pass is stable within [`MAX_PASSES`] the run says so and does not exit 0.

use super::ledger::Ledger;
use super::plan::{self, ListingJudge};
use super::send::{Sent, execute};
use super::{Frontend, ListedIds, PlanItem, Step};
use crate::diag;
use crate::graph::GraphClient;
use crate::interrupt::Interrupt;
use crate::output::{Outcome, ReprocessResult};
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// Listings after the first, at most. Each costs one pass over the failed requests in scope.
pub const MAX_PASSES: usize = 6;

/// The first wait before listing a scope again that changed by itself; doubled each time, so
/// the passes span about 7.5 s before the run gives up establishing its result.
const SETTLE_WAIT: std::time::Duration = std::time::Duration::from_millis(250);

/// What the recheck did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Recheck {
    /// Listings after the first.
    pub passes: usize,
    /// Eligible requests the first pass missed, found and sent by a later one.
    pub found: usize,
    /// A pass was stable: nothing eligible is left behind.
    pub converged: bool,
    /// At a terminal, the admin declined to send what a recheck found.
    pub declined: bool,
}

/// The recheck's first listing, taken while an unpaced run's last calls were still in flight,
/// so that establishing the result costs no round trip of its own.
///
/// Calls in flight may move requests out of the failed set while it is listed. That cannot
/// hide anything from a query answered in one response (the requests it skips on a server
/// paging by offset are those after a page boundary), so such a listing is only kept when every
/// query of it came back whole, and only when sending ended within the time the listing took
/// after its answer: its view of the scope is then as of the run's last round trip, no older.
/// Otherwise the recheck lists once sending is done, as for any other run. The requests still
/// in flight when it was listed were handled by this run, and are judged as such.
pub(super) struct Early {
    plan: Vec<PlanItem>,
    listed: ListedIds,
    answered: Instant,
    took: Duration,
}

impl Early {
    /// Whether the listing is recent enough to stand for the scope after sending `finished`.
    pub(super) fn current(&self, finished: Instant) -> bool {
        finished.saturating_duration_since(self.answered) <= self.took
    }
}

/// The recheck's listing of `judge`'s scope now, if every query of it comes back whole.
pub(super) async fn list_early(client: &GraphClient, judge: &ListingJudge) -> Option<Early> {
    let started = Instant::now();
    let (plan, listed) = plan::for_listing_whole(client, &mut judge.lean())
        .await
        .ok()??;
    let answered = Instant::now();
    diag::trace(
        1,
        format!(
            "recheck listed during the last round trip: {} request(s) in one response per query",
            listed.len()
        ),
    );
    Some(Early {
        plan,
        listed,
        answered,
        took: answered - started,
    })
}

/// List the scope again until a pass is stable, sending what each pass finds. `results` and
/// `sent` grow by what is sent; the listing's error, if one stops the recheck, is returned
/// beside what was done. `early`, if any, is the first pass's listing.
#[allow(clippy::too_many_arguments)]
pub(super) async fn reconcile(
    client: &GraphClient,
    judge: &ListingJudge,
    ledger: &Ledger,
    first: ListedIds,
    mut early: Option<Early>,
    sent: &mut Sent,
    interrupt: &Interrupt,
    frontend: &dyn Frontend,
) -> (Recheck, Option<anyhow::Error>) {
    let mut recheck = Recheck::default();
    let mut handled: HashSet<String> = sent
        .results
        .iter()
        .map(|r| r.id.to_ascii_lowercase())
        .collect();
    let mut previous = first;
    let mut quiet_waits = 0u32;
    while recheck.passes < MAX_PASSES && !interrupt.is_requested() {
        recheck.passes += 1;
        let (plan, listed) = match early.take() {
            Some(early) => (early.plan, early.listed),
            None => {
                let mut lean = judge.lean();
                let progress = frontend.progress("rechecking", None);
                match plan::for_listing(client, &mut lean, &*progress).await {
                    Ok(found) => found,
                    Err(e) => return (recheck, Some(e)),
                }
            }
        };
        let fresh: Vec<PlanItem> = plan
            .into_iter()
            .filter(|item| handled.insert(item.id.to_ascii_lowercase()))
            .map(|mut item| {
                ledger.judge(&mut item);
                item
            })
            .collect();
        let to_send = fresh
            .iter()
            .filter(|i| matches!(i.step, Step::Send))
            .count();
        let ours = accepted(&sent.results, ledger);
        let stable = to_send == 0 && listed.same_as(&previous, &ours);
        diag::trace(
            1,
            format!(
                "recheck {}: listed {}, {to_send} eligible not yet handled{}",
                recheck.passes,
                listed.len(),
                if stable { ", stable" } else { "" }
            ),
        );
        if to_send > 0 {
            diag::note(format!(
                "recheck {}: found {to_send} eligible request(s) the listing had not shown yet; \
                 sending them",
                recheck.passes
            ));
            // A prompt that fails (Ctrl-C at it) is not a "no": it ends the run with its error,
            // after the summary of what was sent.
            match frontend.consent(to_send, true).await {
                Ok(true) => {}
                Ok(false) => {
                    recheck.declined = true;
                    diag::note("nothing more was sent");
                    break;
                }
                Err(e) => return (recheck, Some(e)),
            }
        }
        let progress = frontend.progress("reprocessing", Some(to_send));
        let more = execute(
            client,
            futures_util::stream::iter(fresh),
            ledger,
            interrupt,
            &*progress,
        )
        .await;
        recheck.found += to_send;
        sent.beyond_portal_window += more.beyond_portal_window;
        sent.results.extend(more.results.into_iter().map(|mut r| {
            r.add_note("found on recheck");
            r
        }));
        if stable {
            recheck.converged = true;
            break;
        }
        previous = listed;
        // Nothing new, yet the scope moved: something else is changing it (the service moving
        // earlier acceptances on, other admins). Listing again at once would likely land in
        // the middle of the same change, so wait a little longer each time (bounded, and cut
        // short by Ctrl-C). After this run's own sends the next pass follows at once.
        if to_send == 0 && recheck.passes < MAX_PASSES {
            let wait = SETTLE_WAIT * 2u32.pow(quiet_waits.min(4));
            quiet_waits += 1;
            diag::trace(
                1,
                format!("the scope is still changing; listing again in {wait:?}"),
            );
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = interrupt.requested() => {}
            }
        }
    }
    (recheck, None)
}

/// The requests this run saw accepted, and those the journal has accepted lately: the service
/// moves them out of the failed set in its own time (hours, for some), so between two passes
/// they may leave it. Their leaving is expected; a request skipped because of it is not among
/// them, and still shows as a difference between the passes.
fn accepted(results: &[ReprocessResult], ledger: &Ledger) -> HashSet<u128> {
    results
        .iter()
        .filter(|r| r.outcome == Outcome::Reprocessed)
        .map(|r| r.id.as_str())
        .chain(ledger.accepted())
        .filter_map(crate::graph::server_guid)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(answered: Instant, took: Duration) -> Early {
        Early {
            plan: Vec::new(),
            listed: ListedIds::default(),
            answered,
            took,
        }
    }

    /// An early listing stands for the scope only while sending ended no later after its
    /// answer than the listing itself took: a retry that left long after it (a throttle's or a
    /// fault's wait) may have changed what such a listing saw.
    #[test]
    fn an_early_listing_is_kept_only_when_sending_ended_within_its_own_time_of_it() {
        let answered = Instant::now();
        let took = Duration::from_millis(150);
        let early = listed(answered, took);
        // Sending ended before the answer, or inside the listing's own time after it.
        assert!(early.current(answered - Duration::from_millis(40)));
        assert!(early.current(answered));
        assert!(early.current(answered + took));
        // Later than that: listed again.
        assert!(!early.current(answered + took + Duration::from_millis(1)));
        assert!(!early.current(answered + Duration::from_secs(2)));
        // A listing answered at once leaves no room at all.
        assert!(!listed(answered, Duration::ZERO).current(answered + Duration::from_millis(1)));
    }
}
