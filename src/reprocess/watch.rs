//! `--wait`: watch what was accepted until each request settles, or the timeout passes.

use crate::diag;
use crate::graph::{GraphClient, RequestState};
use crate::interrupt::Interrupt;
use crate::output::{Outcome, ReprocessResult, WaitEnd};
use chrono::{DateTime, Duration, Utc};
use futures_util::{StreamExt, stream};
use std::collections::HashMap;
use std::sync::Arc;

/// Watch the accepted requests among `results` and record how each ended. A signal while
/// waiting stops the wait, not the report: everything was already sent.
pub(super) async fn watch(
    client: &Arc<GraphClient>,
    results: &mut [ReprocessResult],
    timeout: Duration,
    interrupt: &Interrupt,
) {
    let accepted: HashMap<String, Option<DateTime<Utc>>> = results
        .iter()
        .filter(|r| r.outcome == Outcome::Reprocessed)
        .map(|r| (r.id.clone(), r.completed_before))
        .collect();
    let finals = tokio::select! {
        finals = wait_for_final(client, &accepted, timeout) => finals,
        () = interrupt.requested() => Default::default(),
    };
    for r in results.iter_mut() {
        if let Some((state, end)) = finals.get(&r.id) {
            r.final_state = state.clone();
            r.wait_end = Some(*end);
            if let Some(note) = end.note(&r.id) {
                r.add_note(&note);
            }
        }
    }
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
async fn wait_for_final(
    client: &Arc<GraphClient>,
    completed_before: &HashMap<String, Option<DateTime<Utc>>>,
    timeout: Duration,
) -> HashMap<String, (Option<RequestState>, WaitEnd)> {
    let deadline = tokio::time::Instant::now() + timeout.to_std().unwrap_or_default();
    let mut finals = HashMap::new();
    let mut watching: HashMap<String, Watch> = completed_before
        .iter()
        .map(|(id, before)| (id.clone(), Watch::new(*before)))
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
                watching.remove(&id);
                finals.insert(id.clone(), (Some(state.clone()), end));
                // Live, as each request settles: a person watching sees progress, not silence.
                diag::note(format!(
                    "{id}: {state} ({} of {} settled)",
                    finals.len(),
                    finals.len() + watching.len()
                ));
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
