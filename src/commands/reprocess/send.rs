//! Sending reprocess calls exactly once, through Ctrl-C, and waiting for the outcome.

use super::{PlanItem, Step, error_info, failed, result, skipped};
use crate::graph::{GraphClient, GraphError, RequestState, RetryPolicy, Tries};
use crate::interrupt::Interrupt;
use crate::journal::JournalWriter;
use crate::output::{ErrorInfo, Outcome, Progress, ReprocessResult, diag};
use chrono::Duration;
use futures_util::{StreamExt, stream};
use std::collections::HashMap;
use std::sync::Arc;

/// Send the plan; results come back in plan order. Each outcome is journaled as it happens.
pub(super) async fn execute(
    client: &Arc<GraphClient>,
    plan: Vec<PlanItem>,
    journal: Option<&JournalWriter>,
    interrupt: &Interrupt,
) -> Vec<ReprocessResult> {
    let graph = client.graph_host();
    let to_send = plan.iter().filter(|p| matches!(p.step, Step::Send)).count();
    let progress = Progress::bar(to_send, "reprocessing");
    let progress = &progress;
    let graph = &graph;
    let mut done: Vec<(usize, ReprocessResult)> = stream::iter(plan.into_iter().enumerate())
        .map(|(i, item)| {
            let client = client.clone();
            async move {
                let r = match item.step {
                    Step::Send => {
                        let r = send_one(&client, item.id, item.label, interrupt).await;
                        progress.inc(1);
                        let journaled = match (&r.outcome, &r.error) {
                            (Outcome::Reprocessed, _) => Some("reprocessed"),
                            (Outcome::Failed, Some(e)) if e.code == "interrupted" => {
                                Some("unknown")
                            }
                            (Outcome::Failed, _) => Some("failed"),
                            _ => None,
                        };
                        if let (Some(j), Some(outcome)) = (journal, journaled) {
                            j.record(graph, &r.id, outcome);
                        }
                        r
                    }
                    Step::Skip(reason) => skipped(item.id, item.label, reason),
                    Step::Fail(error) => failed(item.id, item.label, error),
                };
                (i, r)
            }
        })
        .buffer_unordered(client.parallelism())
        .collect()
        .await;
    progress.finish();
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
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
        Some(Ok(())) => result(id, label, Outcome::Reprocessed),
        Some(Err(SendFailure::NotSent)) => skipped(id, label, "not sent: interrupted".into()),
        Some(Err(SendFailure::Graph(e))) => failed(id, label, error_info(&e)),
        None => failed(
            id,
            label,
            ErrorInfo {
                status: None,
                code: "interrupted".into(),
                message: "outcome unknown: interrupted while the call was in flight; \
                          check with 'ep requests show ID'"
                    .into(),
            },
        ),
    }
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
/// The action is not idempotent: after a failure that may have reached Graph (a gateway timeout,
/// a reset after sending, a lost batch answer), the request's state is read before anything is
/// sent again. If it is already `delivering` or `delivered`, the earlier call landed. A 400
/// ("wrong state") after such an attempt is checked the same way.
async fn reprocess_one(
    client: &GraphClient,
    id: &str,
    interrupt: &Interrupt,
) -> Result<(), SendFailure> {
    let policy = client.retry_policy().clone();
    let mut tries = Tries::default();
    // An earlier attempt may have landed and its effect has not been checked since.
    let mut unchecked = false;
    // Some attempt of this run may have landed.
    let mut ever_uncertain = false;
    loop {
        if unchecked {
            if landed(client, id).await? {
                return Ok(());
            }
            unchecked = false;
        }
        if interrupt.is_requested() {
            return Err(SendFailure::NotSent);
        }
        let err = match client.reprocess_once(id).await {
            Ok(_) => return Ok(()),
            Err(e) => e,
        };
        let uncertain =
            !RetryPolicy::is_transient(&err, false) && RetryPolicy::is_transient(&err, true);
        if uncertain {
            unchecked = true;
            ever_uncertain = true;
        } else if ever_uncertain && err.status() == Some(400) {
            return if landed(client, id).await? {
                Ok(())
            } else {
                Err(err.into())
            };
        }
        // After a state check, sending again is safe: count it like an idempotent retry.
        let Some(wait) = policy.retry_delay(&err, &mut tries, true) else {
            if unchecked && landed(client, id).await? {
                return Ok(());
            }
            return Err(policy.give_up(err, &tries).into());
        };
        client.pause_for(&err, wait);
        diag::trace(
            1,
            format!(
                "{id}: retrying reprocess in {:.1}s after: {err}",
                wait.as_secs_f64()
            ),
        );
        tokio::time::sleep(wait).await;
    }
}

/// Whether an earlier reprocess of `id` was accepted: Graph moves it to `delivering` at once.
async fn landed(client: &GraphClient, id: &str) -> Result<bool, GraphError> {
    let current = client.get_request(id).await?;
    let accepted = matches!(
        current.state,
        RequestState::Delivering | RequestState::Delivered
    );
    if accepted {
        diag::trace(
            1,
            format!(
                "{id}: an earlier attempt was accepted (now {})",
                current.state
            ),
        );
    }
    Ok(accepted)
}

/// Poll until each request leaves `delivering`, or the timeout passes.
pub(super) async fn wait_for_final(
    client: &Arc<GraphClient>,
    ids: &[String],
    timeout: Duration,
) -> HashMap<String, RequestState> {
    let deadline = tokio::time::Instant::now() + timeout.to_std().unwrap_or_default();
    let mut finals = HashMap::new();
    let mut pending: Vec<String> = ids.to_vec();
    let mut interval = std::time::Duration::from_secs(1);
    if !pending.is_empty() {
        diag::note(format!(
            "waiting for {} request(s) to finish delivering…",
            pending.len()
        ));
    }
    while !pending.is_empty() {
        tokio::time::sleep(interval).await;
        let states: Vec<(String, Option<RequestState>)> = stream::iter(pending.clone())
            .map(|id| {
                let client = client.clone();
                async move {
                    let state = client.get_request(&id).await.ok().map(|r| r.state);
                    (id, state)
                }
            })
            .buffer_unordered(client.parallelism())
            .collect()
            .await;
        pending.clear();
        for (id, state) in states {
            match state {
                Some(RequestState::Delivering) | None => pending.push(id.clone()),
                Some(s) => {
                    finals.insert(id.clone(), s);
                }
            }
            if let Some(s) = finals.get(&id) {
                diag::trace(1, format!("{id}: {s}"));
            }
        }
        if tokio::time::Instant::now() >= deadline {
            break;
        }
        interval = (interval * 2).min(std::time::Duration::from_secs(10));
    }
    for id in pending {
        finals.insert(id, RequestState::Delivering);
    }
    finals
}
