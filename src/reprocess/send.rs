//! Sending reprocess calls exactly once, through lost answers, Ctrl-C and hard kills.

use super::ledger::Ledger;
use super::{PlanItem, Step, Tally, error_info, failed, skipped};
use crate::diag;
use crate::graph::{GraphClient, GraphError, RequestState, RetryPolicy, Tries};
use crate::interrupt::Interrupt;
use crate::journal;
use crate::output::{ErrorInfo, Outcome, ReprocessResult};
use chrono::{DateTime, Duration, Utc};
use futures_util::{Stream, StreamExt};

/// The error code of a request whose call was in flight when Ctrl-C's grace period ran out.
const INTERRUPTED: &str = "interrupted";
/// The error code of a request whose earlier attempt may have landed unseen, and whose state
/// could not settle it.
const OUTCOME_UNKNOWN: &str = "outcomeUnknown";

/// Whether Graph may or may not have accepted `r`: its call was in flight at the stop, or an
/// earlier attempt's answer was lost. Only a look at the request (or a rerun) can tell.
pub fn outcome_unknown(r: &ReprocessResult) -> bool {
    r.error
        .as_ref()
        .is_some_and(|e| e.code == INTERRUPTED || e.code == OUTCOME_UNKNOWN)
}

/// What sending did.
#[derive(Default)]
pub(super) struct Sent {
    /// In the order the requests came.
    pub results: Vec<ReprocessResult>,
    /// Refused although inside the documented 14 days, and older than the portal's 7.
    pub beyond_portal_window: usize,
}

/// Send planned requests as they come, up to the client's parallelism at once; results in the
/// order the requests came. Each call's intent is on disk before it leaves, and its outcome
/// is journaled as it happens.
pub(super) async fn execute(
    client: &GraphClient,
    plan: impl Stream<Item = PlanItem>,
    ledger: &Ledger,
    interrupt: &Interrupt,
    progress: &dyn Tally,
) -> Sent {
    // Results are kept in plan order as they come; only the few that overtook an earlier one
    // wait aside, so a large run's results are never held twice.
    let mut results: Vec<ReprocessResult> = Vec::new();
    let mut early: std::collections::BTreeMap<usize, ReprocessResult> = Default::default();
    let mut beyond_portal_window = 0;
    let done = plan
        .enumerate()
        .map(|(i, item)| async move {
            let done = match item.step {
                Step::Send => {
                    let completed = item.completed;
                    let (mut result, beyond) =
                        send_and_journal(client, item, ledger, interrupt).await;
                    result.completed_before = completed;
                    progress.inc(1);
                    (result, beyond)
                }
                Step::Skip(reason) => (skipped(item.id, item.label, reason), false),
                Step::Fail(error) => (failed(item.id, item.label, error), false),
            };
            (i, done)
        })
        .buffer_unordered(client.parallelism());
    let mut done = std::pin::pin!(done);
    while let Some((i, (result, beyond))) = done.next().await {
        beyond_portal_window += usize::from(beyond);
        early.insert(i, result);
        while let Some(next) = early.remove(&results.len()) {
            results.push(next);
        }
    }
    progress.finish();
    Sent {
        beyond_portal_window,
        results,
    }
}

/// Send one planned request with its intent and outcome journaled; `true` when Graph refused
/// it in a way that suggests the portal's 7-day limit.
async fn send_and_journal(
    client: &GraphClient,
    item: PlanItem,
    ledger: &Ledger,
    interrupt: &Interrupt,
) -> (ReprocessResult, bool) {
    if interrupt.is_requested() {
        return (
            skipped(item.id, item.label, "not sent: interrupted".into()),
            false,
        );
    }
    ledger.intend(&item.id).await;
    let (mut r, outcome) = send_one(client, item.id, item.label, item.uncertain, interrupt).await;
    let beyond = portal_window_note(&r, item.completed);
    if let Some(note) = &beyond {
        r.add_note(note);
    }
    ledger.record(&r.id, outcome);
    (r, beyond.is_some())
}

/// The portal allows reprocessing for 7 days, Graph's docs say 14. A request completed between
/// the two and refused by Graph suggests the service applies the portal's rule — unless the
/// refusal itself names the 14-day rule (or the request is older than that): then Graph said why,
/// and a 7-day hint would contradict it.
pub const PORTAL_WINDOW_DAYS: i64 = 7;

fn portal_window_note(r: &ReprocessResult, completed: Option<DateTime<Utc>>) -> Option<String> {
    let error = r.error.as_ref()?;
    let status = error.status?;
    let age = Utc::now() - completed?;
    let refused = r.outcome == Outcome::Failed && is_refusal_status(status);
    let between =
        age > Duration::days(PORTAL_WINDOW_DAYS) && !crate::eligibility::beyond_graph_limit(age);
    (refused && between && !names_graph_limit(&error.message)).then(|| {
        format!(
            "completed {} ago: Graph may be applying the portal's {PORTAL_WINDOW_DAYS}-day limit \
             rather than the documented 14 days; rerun with --window {PORTAL_WINDOW_DAYS}d to skip such requests",
            crate::eligibility::format_age(age)
        )
    })
}

/// Whether Graph's message states its documented limit ("more than 14 days", "14-day").
fn names_graph_limit(message: &str) -> bool {
    let days = crate::eligibility::GRAPH_WINDOW_DAYS.to_string();
    let lower = message.to_ascii_lowercase();
    lower.match_indices(&days).any(|(at, _)| {
        let before = lower[..at].chars().next_back();
        let after = lower[at + days.len()..].trim_start_matches([' ', '-']);
        !before.is_some_and(|c| c.is_ascii_digit()) && after.starts_with("day")
    })
}

/// One request through Ctrl-C: not started after it, given the grace period if in flight. With
/// the result comes what the journal keeps of it: an outcome known, or unknown because a call
/// may have landed unseen, which the next run settles before it sends anything again.
async fn send_one(
    client: &GraphClient,
    id: String,
    label: Option<String>,
    uncertain: bool,
    interrupt: &Interrupt,
) -> (ReprocessResult, journal::Outcome) {
    let outcome = tokio::select! {
        r = reprocess_one(client, &id, uncertain, interrupt) => Some(r),
        _ = interrupt.grace_expired() => None,
    };
    let unknown = |id: String, label, why: &str| {
        let message = format!(
            "outcome unknown: {why}; a rerun checks it before sending again, or see \
             'ep requests show {id}'"
        );
        let error = ErrorInfo {
            status: None,
            code: INTERRUPTED.into(),
            message,
        };
        (failed(id, label, error), journal::Outcome::Interrupted)
    };
    match outcome {
        Some(Ok(Accepted { note })) => (
            ReprocessResult {
                note,
                ..ReprocessResult::new(id, label, Outcome::Reprocessed)
            },
            journal::Outcome::Reprocessed,
        ),
        Some(Err(SendFailure::NotSent { uncertain: false })) => (
            skipped(id, label, "not sent: interrupted".into()),
            journal::Outcome::Failed,
        ),
        Some(Err(SendFailure::NotSent { uncertain: true })) => unknown(
            id,
            label,
            "interrupted after an attempt whose answer was lost",
        ),
        Some(Err(SendFailure::Graph {
            error,
            uncertain: false,
        })) => (
            failed(id, label, error_info(&error)),
            journal::Outcome::Failed,
        ),
        // Not "failed": an earlier attempt may have landed, and only a later look can tell.
        Some(Err(SendFailure::Graph {
            error,
            uncertain: true,
        })) => {
            let error = ErrorInfo {
                status: None,
                code: OUTCOME_UNKNOWN.into(),
                message: format!(
                    "outcome unknown: an earlier attempt's answer was lost and it may have \
                     landed; then {error}; a rerun checks the request before sending again"
                ),
            };
            (failed(id, label, error), journal::Outcome::Interrupted)
        }
        None => unknown(id, label, "interrupted while the call was in flight"),
    }
}

/// Graph accepted the reprocess, directly or as concluded after an uncertain attempt.
struct Accepted {
    /// How acceptance was concluded when Graph's answer itself was lost.
    note: Option<String>,
}

/// Why a request was not reprocessed; `uncertain` when some attempt may have landed unseen.
enum SendFailure {
    Graph {
        error: GraphError,
        uncertain: bool,
    },
    /// Ctrl-C came before Graph accepted it.
    NotSent {
        uncertain: bool,
    },
}

/// Reprocess one request exactly once as far as the server is concerned.
///
/// The action is not idempotent. After a failure that may have reached Graph (a gateway timeout,
/// a reset after sending, a lost batch answer) — or when the journal shows an earlier run's call
/// whose outcome is unknown (`uncertain`) — the request's state is read before anything is sent
/// again: `delivering` or `delivered` proves the earlier call landed. An unchanged failed state
/// proves nothing, because the service keeps retrying an accepted reprocess for hours without
/// changing it (Graph's troubleshooting page), so the call is repeated; if Graph refuses that
/// repeat with a 4xx, it is refusing to force a reprocess it is already running, and the
/// earlier call most likely landed.
async fn reprocess_one(
    client: &GraphClient,
    id: &str,
    uncertain: bool,
    interrupt: &Interrupt,
) -> Result<Accepted, SendFailure> {
    let mut tries = Tries::default();
    // An earlier attempt may have landed and its effect has not been checked since.
    let mut unchecked = uncertain;
    // Some attempt (of this run, or of one that stopped) may have landed.
    let mut ever_uncertain = uncertain;
    let failure = |error, uncertain| SendFailure::Graph { error, uncertain };
    loop {
        if unchecked {
            match landed(client, id, uncertain).await {
                Ok(Some(accepted)) => return Ok(accepted),
                Ok(None) => unchecked = false,
                Err(e) => return Err(failure(e, ever_uncertain)),
            }
        }
        if interrupt.is_requested() {
            return Err(SendFailure::NotSent {
                uncertain: ever_uncertain,
            });
        }
        let err = match client.reprocess_once(id).await {
            Ok(_) => return Ok(Accepted { note: None }),
            Err(e) => e,
        };
        let lost = !RetryPolicy::is_transient(&err, false) && RetryPolicy::is_transient(&err, true);
        if lost {
            unchecked = true;
            ever_uncertain = true;
        } else if ever_uncertain && is_refusal(&err) {
            let earlier = if uncertain {
                "an interrupted run's call had no recorded outcome"
            } else {
                "an earlier attempt's answer was lost"
            };
            return Ok(Accepted {
                note: Some(format!(
                    "accepted, concluded: {earlier} and the repeat was refused ({}), as Graph \
                     refuses while it is still retrying an accepted reprocess",
                    refusal_label(&err)
                )),
            });
        }
        // After a state check, sending again is safe: count it like an idempotent retry.
        if let Err(last) = client.wait_to_retry(err, &mut tries, true).await {
            if unchecked {
                match landed(client, id, uncertain).await {
                    Ok(Some(accepted)) => return Ok(accepted),
                    Ok(None) => {}
                    Err(e) => return Err(failure(e, ever_uncertain)),
                }
            }
            return Err(failure(last, ever_uncertain));
        }
    }
}

/// A 4xx that refuses the action itself. Not 401/403 (who is calling), 404 (what), 408 or 429
/// (not processed at all): none of those can follow from an earlier call having landed, nor
/// from the request's age.
fn is_refusal_status(status: u16) -> bool {
    (400..500).contains(&status) && ![401, 403, 404, 408, 429].contains(&status)
}

fn is_refusal(err: &GraphError) -> bool {
    err.status().is_some_and(is_refusal_status)
}

fn refusal_label(err: &GraphError) -> String {
    match (err.status(), err.code()) {
        (Some(s), Some(c)) if !c.is_empty() => format!("{s} {c}"),
        (Some(s), _) => s.to_string(),
        _ => "refused".into(),
    }
}

/// Whether an earlier reprocess of `id` visibly landed: the request moved on to `delivering` or
/// `delivered`. `None` when the state shows nothing either way.
async fn landed(
    client: &GraphClient,
    id: &str,
    from_earlier_run: bool,
) -> Result<Option<Accepted>, GraphError> {
    let current = client.get_request(id).await?;
    if !matches!(
        current.state,
        RequestState::Delivering | RequestState::Delivered
    ) {
        return Ok(None);
    }
    diag::trace(
        1,
        format!(
            "{id}: an earlier attempt was accepted (now {})",
            current.state
        ),
    );
    let earlier = if from_earlier_run {
        "an interrupted run's call had no recorded outcome"
    } else {
        "an earlier attempt's answer was lost"
    };
    Ok(Some(Accepted {
        note: Some(format!(
            "accepted, confirmed: {earlier} and the request was then {}",
            current.state
        )),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphs_own_fourteen_day_rule_is_recognised() {
        for named in [
            "The request 'x' was completed more than 14 days ago (2026-11-01) and cannot be reprocessed.",
            "outside the 14-day reprocess window",
            "older than 14 Days",
        ] {
            assert!(names_graph_limit(named), "{named}");
        }
        for other in [
            "The request 'x' was completed more than 7 days ago and cannot be reprocessed.",
            "cannot be reprocessed",
            "completed 114 days ago",
            "14 requests",
        ] {
            assert!(!names_graph_limit(other), "{other}");
        }
    }
}
