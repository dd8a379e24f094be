//! Sending reprocess calls exactly once, through Ctrl-C, and waiting for the outcome.

use super::{PlanItem, Step, error_info, failed, skipped};
use crate::commands::interrupt::Interrupt;
use crate::diag;
use crate::graph::{GraphClient, GraphError, RequestState, RetryPolicy, Tries};
use crate::journal::{self, JournalWriter};
use crate::output::{ErrorInfo, Outcome, Progress, ReprocessResult, WaitEnd};
use chrono::{DateTime, Duration, Utc};
use futures_util::{StreamExt, stream};
use std::collections::HashMap;
use std::sync::Arc;

/// The error code of a request whose call was in flight when Ctrl-C's grace period ran out.
const INTERRUPTED: &str = "interrupted";

/// What sending the plan did.
pub(super) struct Sent {
    /// In plan order.
    pub results: Vec<ReprocessResult>,
    /// Refused although inside the documented 14 days, and older than the portal's 7.
    pub beyond_portal_window: usize,
}

/// Send the plan. Each outcome is journaled as it happens.
pub(super) async fn execute(
    client: &Arc<GraphClient>,
    plan: Vec<PlanItem>,
    journal: Option<&JournalWriter>,
    interrupt: &Interrupt,
) -> Sent {
    let to_send = plan.iter().filter(|p| matches!(p.step, Step::Send)).count();
    let progress = Progress::bar(to_send, "reprocessing");
    execute_stream(client, stream::iter(plan), journal, interrupt, &progress).await
}

/// Send planned requests as they come, up to the client's parallelism at once; results in the
/// order the requests came.
pub(super) async fn execute_stream(
    client: &Arc<GraphClient>,
    plan: impl futures_util::Stream<Item = PlanItem>,
    journal: Option<&JournalWriter>,
    interrupt: &Interrupt,
    progress: &Progress,
) -> Sent {
    let graph = client.graph_host();
    let graph = graph.as_str();
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
                        send_and_journal(client, item, journal, graph, interrupt).await;
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

/// Send one planned request and journal the outcome; `true` when Graph refused it in a way that
/// suggests the portal's 7-day limit.
async fn send_and_journal(
    client: &GraphClient,
    item: PlanItem,
    journal: Option<&JournalWriter>,
    graph: &str,
    interrupt: &Interrupt,
) -> (ReprocessResult, bool) {
    let mut r = send_one(client, item.id, item.label, interrupt).await;
    let beyond = portal_window_note(&r, item.completed);
    if let Some(note) = &beyond {
        r.add_note(note);
    }
    if let (Some(j), Some(outcome)) = (journal, journal_outcome(&r)) {
        j.record(graph, &r.id, outcome);
    }
    (r, beyond.is_some())
}

/// What the journal keeps of a sent request: acceptances, failures, and calls whose outcome an
/// interruption left unknown.
fn journal_outcome(r: &ReprocessResult) -> Option<journal::Outcome> {
    match (&r.outcome, &r.error) {
        (Outcome::Reprocessed, _) => Some(journal::Outcome::Reprocessed),
        (Outcome::Failed, Some(e)) if e.code == INTERRUPTED => Some(journal::Outcome::Interrupted),
        (Outcome::Failed, _) => Some(journal::Outcome::Failed),
        _ => None,
    }
}

/// The portal allows reprocessing for 7 days, Graph's docs say 14. A request completed between
/// the two and refused by Graph suggests the service applies the portal's rule.
pub(super) const PORTAL_WINDOW_DAYS: i64 = 7;

fn portal_window_note(r: &ReprocessResult, completed: Option<DateTime<Utc>>) -> Option<String> {
    let status = r.error.as_ref()?.status?;
    let age = Utc::now() - completed?;
    let refused = is_refusal_status(status);
    (r.outcome == Outcome::Failed && refused && age > Duration::days(PORTAL_WINDOW_DAYS)).then(|| {
        format!(
            "completed {} ago: Graph may be applying the portal's {PORTAL_WINDOW_DAYS}-day limit \
             rather than the documented 14 days; rerun with --window {PORTAL_WINDOW_DAYS}d to skip such requests",
            crate::eligibility::format_age(age)
        )
    })
}

/// One request through Ctrl-C: not started after it, given the grace period if in flight.
async fn send_one(
    client: &GraphClient,
    id: String,
    label: Option<String>,
    interrupt: &Interrupt,
) -> ReprocessResult {
    if interrupt.is_requested() {
        return skipped(id, label, "not sent: interrupted".into());
    }
    let outcome = tokio::select! {
        r = reprocess_one(client, &id, interrupt) => Some(r),
        _ = interrupt.grace_expired() => None,
    };
    match outcome {
        Some(Ok(Accepted { note })) => ReprocessResult {
            note,
            ..ReprocessResult::new(id, label, Outcome::Reprocessed)
        },
        Some(Err(SendFailure::NotSent)) => skipped(id, label, "not sent: interrupted".into()),
        Some(Err(SendFailure::Graph(e))) => failed(id, label, error_info(&e)),
        None => failed(
            id,
            label,
            ErrorInfo {
                status: None,
                code: INTERRUPTED.into(),
                message: "outcome unknown: interrupted while the call was in flight; \
                          check with 'ep requests show ID'"
                    .into(),
            },
        ),
    }
}

/// Graph accepted the reprocess, directly or as concluded after an uncertain attempt.
struct Accepted {
    /// How acceptance was concluded when Graph's answer itself was lost.
    note: Option<String>,
}

/// Why a request was not reprocessed.
enum SendFailure {
    Graph(GraphError),
    /// Ctrl-C came before Graph accepted it, and nothing suggests an attempt landed.
    NotSent,
}

impl From<GraphError> for SendFailure {
    fn from(e: GraphError) -> Self {
        SendFailure::Graph(e)
    }
}

/// Reprocess one request exactly once as far as the server is concerned.
///
/// The action is not idempotent. After a failure that may have reached Graph (a gateway timeout,
/// a reset after sending, a lost batch answer) the request's state is read before anything is
/// sent again: `delivering` or `delivered` proves the earlier call landed. An unchanged failed
/// state proves nothing, because the service keeps retrying an accepted reprocess for hours
/// without changing it (Graph's troubleshooting page), so the call is repeated; if Graph refuses
/// that repeat with a 4xx, it is refusing to force a reprocess it is already running, and the
/// earlier call most likely landed.
async fn reprocess_one(
    client: &GraphClient,
    id: &str,
    interrupt: &Interrupt,
) -> Result<Accepted, SendFailure> {
    let mut tries = Tries::default();
    // An earlier attempt may have landed and its effect has not been checked since.
    let mut unchecked = false;
    // Some attempt of this run may have landed.
    let mut ever_uncertain = false;
    loop {
        if unchecked {
            if let Some(accepted) = landed(client, id).await? {
                return Ok(accepted);
            }
            unchecked = false;
        }
        if interrupt.is_requested() {
            return Err(SendFailure::NotSent);
        }
        let err = match client.reprocess_once(id).await {
            Ok(_) => return Ok(Accepted { note: None }),
            Err(e) => e,
        };
        let uncertain =
            !RetryPolicy::is_transient(&err, false) && RetryPolicy::is_transient(&err, true);
        if uncertain {
            unchecked = true;
            ever_uncertain = true;
        } else if ever_uncertain && is_refusal(&err) {
            return Ok(Accepted {
                note: Some(format!(
                    "accepted, concluded: an earlier attempt's answer was lost and the repeat was \
                     refused ({}), as Graph refuses while it is still retrying an accepted reprocess",
                    refusal_label(&err)
                )),
            });
        }
        // After a state check, sending again is safe: count it like an idempotent retry.
        if let Err(last) = client.wait_to_retry(err, &mut tries, true).await {
            if unchecked && let Some(accepted) = landed(client, id).await? {
                return Ok(accepted);
            }
            return Err(last.into());
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
async fn landed(client: &GraphClient, id: &str) -> Result<Option<Accepted>, GraphError> {
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
    Ok(Some(Accepted {
        note: Some(format!(
            "accepted, confirmed: an earlier attempt's answer was lost and the request was then {}",
            current.state
        )),
    }))
}

/// What `--wait` has seen of one request.
struct Watch {
    seen_delivering: bool,
    last: Option<RequestState>,
    /// Its completion time before the reprocess: a new one means it completed again.
    completed_before: Option<DateTime<Utc>>,
}

impl Watch {
    fn new(completed_before: Option<DateTime<Utc>>) -> Self {
        Watch {
            seen_delivering: false,
            last: None,
            completed_before,
        }
    }

    /// One poll's answer; `Some` once the request has settled.
    fn observe(
        &mut self,
        state: &RequestState,
        completed: Option<DateTime<Utc>>,
    ) -> Option<WaitEnd> {
        if completed.is_some() && completed != self.completed_before {
            self.seen_delivering = true;
        }
        self.last = Some(state.clone());
        match state {
            RequestState::Delivered => Some(WaitEnd::Delivered),
            RequestState::Delivering => {
                self.seen_delivering = true;
                None
            }
            s if s.is_failed() && self.seen_delivering => Some(WaitEnd::FailedAgain),
            s if s.is_failed() => None,
            _ => Some(WaitEnd::Other),
        }
    }

    /// How a request that never settled is reported when the timeout passes.
    fn at_timeout(&self) -> WaitEnd {
        match &self.last {
            Some(RequestState::Delivering) => WaitEnd::StillDelivering,
            Some(_) => WaitEnd::StillFailing,
            None => WaitEnd::Unknown,
        }
    }
}

/// `--wait`: poll the accepted requests until each has settled, or the timeout passes.
///
/// Settled means `delivered`, or failed again after it was seen `delivering` or with a new
/// completion time (it went through delivery between two polls), or any other end state such as
/// `canceled`. A request that keeps showing its failed state unchanged has not settled:
/// the service may still be retrying it (for hours, Graph's troubleshooting page says), so at the
/// timeout it is reported as still failing, not as failed again.
pub(super) async fn wait_for_final(
    client: &Arc<GraphClient>,
    ids: &[String],
    completed_before: &HashMap<String, Option<DateTime<Utc>>>,
    timeout: Duration,
) -> HashMap<String, (Option<RequestState>, WaitEnd)> {
    let deadline = tokio::time::Instant::now() + timeout.to_std().unwrap_or_default();
    let mut finals = HashMap::new();
    let mut watching: HashMap<String, Watch> = ids
        .iter()
        .map(|id| {
            let before = completed_before.get(id).copied().flatten();
            (id.clone(), Watch::new(before))
        })
        .collect();
    if !watching.is_empty() {
        diag::note(format!(
            "waiting up to {} for {} request(s) to be delivered…",
            crate::eligibility::format_age(timeout),
            watching.len()
        ));
    }
    let mut interval = std::time::Duration::from_secs(1);
    while !watching.is_empty() {
        let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
        tokio::time::sleep(interval.min(remaining)).await;
        for (id, current) in poll_states(client, watching.keys().cloned().collect()).await {
            let (Some(watch), Some((state, completed))) = (watching.get_mut(&id), current) else {
                continue;
            };
            if let Some(end) = watch.observe(&state, completed) {
                diag::trace(1, format!("{id}: {state}"));
                watching.remove(&id);
                finals.insert(id, (Some(state), end));
            }
        }
        if tokio::time::Instant::now() >= deadline {
            break;
        }
        interval = (interval * 2).min(std::time::Duration::from_secs(10));
    }
    for (id, watch) in watching {
        finals.insert(id, (watch.last.clone(), watch.at_timeout()));
    }
    finals
}

async fn poll_states(
    client: &Arc<GraphClient>,
    ids: Vec<String>,
) -> Vec<(String, Option<(RequestState, Option<DateTime<Utc>>)>)> {
    stream::iter(ids)
        .map(|id| {
            let client = client.clone();
            async move {
                let state = client
                    .get_request(&id)
                    .await
                    .ok()
                    .map(|r| (r.state, r.completed));
                (id, state)
            }
        })
        .buffer_unordered(client.parallelism())
        .collect()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32) -> Option<DateTime<Utc>> {
        Utc.with_ymd_and_hms(2026, 11, 20, h, 0, 0).single()
    }

    #[test]
    fn an_unchanged_failed_state_never_settles() {
        let mut w = Watch::new(at(1));
        for _ in 0..5 {
            assert_eq!(w.observe(&RequestState::DeliveryFailed, at(1)), None);
        }
        assert_eq!(w.at_timeout(), WaitEnd::StillFailing);
    }

    #[test]
    fn failing_after_delivery_was_seen_settles_as_failed_again() {
        let mut w = Watch::new(at(1));
        assert_eq!(w.observe(&RequestState::Delivering, None), None);
        assert_eq!(
            w.observe(&RequestState::DeliveryFailed, at(2)),
            Some(WaitEnd::FailedAgain)
        );
        // Between two polls: only the new completion time shows it went through delivery.
        let mut w = Watch::new(at(1));
        assert_eq!(
            w.observe(&RequestState::PartiallyDelivered, at(3)),
            Some(WaitEnd::FailedAgain)
        );
    }

    #[test]
    fn delivered_and_other_ends_settle_and_delivering_waits() {
        let mut w = Watch::new(at(1));
        assert_eq!(w.observe(&RequestState::Delivering, None), None);
        assert_eq!(w.at_timeout(), WaitEnd::StillDelivering);
        assert_eq!(
            w.observe(&RequestState::Delivered, at(2)),
            Some(WaitEnd::Delivered)
        );
        assert_eq!(
            Watch::new(None).observe(&RequestState::Canceled, None),
            Some(WaitEnd::Other)
        );
        assert_eq!(Watch::new(None).at_timeout(), WaitEnd::Unknown);
    }
}
