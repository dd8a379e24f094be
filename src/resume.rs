//! The resume engine: requests held until a custom extension calls back, moved on with Graph's
//! `resume` action on the extension's behalf.
//!
//! Graph: "when an access package policy has been enabled to call out a custom extension and
//! the request processing is waiting for the callback from the customer, the customer can
//! initiate a resume action. It's performed on an accessPackageAssignmentRequest object whose
//! requestStatus is in a WaitingForCallback state." Such a request is not failed, and
//! `reprocess` does nothing for it.
//!
//! The run is reprocess's, smaller: each named request is looked up and judged now, the plan is
//! agreed to (by the caller), every call's intent is journaled before it leaves and its outcome
//! after, and an answer lost on the way is settled by reading the request again rather than by
//! sending blind: a resume, like a reprocess, is not idempotent.

use crate::diag;
use crate::eligibility::format_age;
use crate::graph::{AssignmentRequest, GraphClient, GraphError, ResumeStage, RetryPolicy, Tries};
use crate::interrupt::Interrupt;
use crate::journal::{self, Action, History, JournalWriter};
use crate::output::{ErrorInfo, Outcome, ReprocessResult};
use crate::reprocess::{JournalChoice, error_info};
use chrono::{DateTime, Duration, Utc};
use futures_util::{StreamExt, stream};
use serde_json::{Value, json};
use std::sync::Arc;

/// How a run behaves, decided by the caller.
#[derive(Debug, Clone)]
pub struct Options {
    pub now: DateTime<Utc>,
    /// The stage to name, whatever the request's state implies.
    pub stage: Option<ResumeStage>,
    /// `source`: who resumes, "stored in service and ... helpful for auditing".
    pub source: String,
    /// `customExtensionStageInstanceDetail`: what the callback says.
    pub detail: Option<String>,
    /// `data.state`: deny or cancel the request instead of letting it go on (only at the
    /// request-created stage, as Graph documents).
    pub outcome: Option<Decision>,
    pub journal: Option<JournalChoice>,
    /// How far back the journal's acceptances count.
    pub journal_window: Duration,
}

/// What the callback decides, beyond "go on": Graph's `data.state`, whose "supported values are
/// Denied and Canceled. This property can only be set for an assignmentRequestCreated stage."
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Deny,
    Cancel,
}

impl Decision {
    fn state(self) -> &'static str {
        match self {
            Decision::Deny => "denied",
            Decision::Cancel => "canceled",
        }
    }
}

/// One request as planned: a body to send, or why not.
pub struct ResumeItem {
    pub id: String,
    /// Who and what, for people.
    pub label: Option<String>,
    pub step: ResumeStep,
    /// The journal shows an earlier call whose outcome is unknown.
    uncertain: bool,
}

pub enum ResumeStep {
    Send(Value),
    Skip(String),
    Fail(ErrorInfo),
}

impl ResumeItem {
    pub fn will_send(&self) -> bool {
        matches!(self.step, ResumeStep::Send(_))
    }
}

/// Errors a caller branches on.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the journal {}: {source}", path.display())]
pub struct JournalError {
    pub path: std::path::PathBuf,
    pub source: std::io::Error,
}

/// Look up each named request and judge it now: what to send, or why not.
pub async fn plan(
    client: &Arc<GraphClient>,
    ids: Vec<String>,
    options: &Options,
) -> anyhow::Result<Vec<ResumeItem>> {
    let history = history(client, options);
    let looked_up: Vec<(String, Result<AssignmentRequest, GraphError>)> = stream::iter(ids)
        .map(|id| {
            let client = client.clone();
            async move {
                let found = client.get_request(&id).await;
                (id, found)
            }
        })
        .buffered(client.parallelism())
        .collect()
        .await;
    let mut plan = Vec::with_capacity(looked_up.len());
    for (id, found) in looked_up {
        let request = match found {
            Ok(request) => request,
            // A request that cannot be found, or an id Graph calls invalid, fails alone.
            Err(e) if matches!(e.status(), Some(400 | 404)) => {
                plan.push(ResumeItem {
                    id,
                    label: None,
                    step: ResumeStep::Fail(error_info(&e)),
                    uncertain: false,
                });
                continue;
            }
            // No permission, Graph down: every id would fail the same way.
            Err(e) => return Err(anyhow::Error::new(e).context(format!("checking request {id}"))),
        };
        let key = id.to_ascii_lowercase();
        let mut item = ResumeItem {
            label: Some(label(&request, options.now)),
            step: judge(&request, options),
            uncertain: history.uncertain.contains(&key),
            id,
        };
        if let (true, Some(at)) = (item.will_send(), history.accepted.get(&key)) {
            item.step = ResumeStep::Skip(format!(
                "resumed {} ago by ep (journal), and Graph still shows it waiting: the resume \
                 may not be processed yet",
                format_age(options.now - *at)
            ));
        }
        plan.push(item);
    }
    Ok(plan)
}

/// What the journal knows of earlier resumes; nothing when there is no journal or it cannot be
/// read (said once).
fn history(client: &GraphClient, options: &Options) -> History {
    let Some(choice) = &options.journal else {
        return History::default();
    };
    let since = options
        .now
        .checked_sub_signed(options.journal_window)
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    journal::history_of(&choice.path, &client.graph_host(), since, Action::Resume).unwrap_or_else(
        |e| {
            diag::warn(format!(
                "could not read the journal {}: {e}",
                choice.path.display()
            ));
            History::default()
        },
    )
}

/// `Zoë · Finance Reporting · waiting up to 3d 2h`.
fn label(request: &AssignmentRequest, now: DateTime<Utc>) -> String {
    let mut parts = vec![
        crate::output::requestor_label(request.requestor.as_ref()),
        crate::output::package_label(request.access_package.as_ref()),
    ];
    if let Some(since) = request.callback_wait().and_then(|w| w.since) {
        parts.push(format!(
            "waiting up to {}",
            format_age((now - since).max(Duration::zero()))
        ));
    }
    parts.join(" · ")
}

/// The body for `request`, or why none can be sent.
fn judge(request: &AssignmentRequest, options: &Options) -> ResumeStep {
    let Some(wait) = request.callback_wait() else {
        return ResumeStep::Skip(format!(
            "not waiting on a custom extension callback (state {}): nothing to resume",
            request.state
        ));
    };
    let Some(callout) = wait.callout.and_then(|c| c.id) else {
        return ResumeStep::Skip(
            "Graph lists no callout waiting for its callback, so there is no \
             customExtensionStageInstanceId to name"
                .into(),
        );
    };
    let Some(stage) = options.stage.or(wait.stage) else {
        return ResumeStep::Skip(format!(
            "its state ({}) implies no stage: give --stage",
            request.state
        ));
    };
    if options.outcome.is_some() && stage != ResumeStage::AssignmentRequestCreated {
        return ResumeStep::Skip(format!(
            "--deny and --cancel apply only at the request-created stage; this one waits at \
             stage {}",
            stage.label()
        ));
    }
    ResumeStep::Send(body(stage, &callout, options))
}

/// The body Graph's resume documents: `source`, `type` (the stage, qualified by its enum), and
/// `data`, an `accessPackageAssignmentRequestCallbackData` naming the stage and the callout.
pub fn body(stage: ResumeStage, callout_id: &str, options: &Options) -> Value {
    let mut data = json!({
        "@odata.type": "microsoft.graph.accessPackageAssignmentRequestCallbackData",
        "stage": stage.member(),
        "customExtensionStageInstanceId": callout_id,
    });
    if let Some(detail) = &options.detail {
        data["customExtensionStageInstanceDetail"] = json!(detail);
    }
    if let Some(decision) = options.outcome {
        data["state"] = json!(decision.state());
    }
    json!({
        "source": options.source,
        "type": stage.qualified(),
        "data": data,
    })
}

/// Send what the plan says, journaled; results in plan order. After Ctrl-C or SIGTERM nothing
/// more leaves; a call in flight gets the grace period, then its outcome is unknown (journaled
/// so, and settled by the next run reading the request before it sends anything).
pub async fn send(
    client: &Arc<GraphClient>,
    plan: Vec<ResumeItem>,
    options: &Options,
    interrupt: &Interrupt,
) -> Result<Vec<ReprocessResult>, JournalError> {
    let to_send = plan.iter().filter(|i| i.will_send()).count();
    let writer = match (&options.journal, to_send) {
        (Some(choice), 1..) => match JournalWriter::open_for(&choice.path, Action::Resume) {
            Ok(w) => Some(w),
            Err(source) if choice.named => {
                return Err(JournalError {
                    path: choice.path.clone(),
                    source,
                });
            }
            Err(e) => {
                diag::warn(format!(
                    "cannot write the journal {}: {e}; resuming without it",
                    choice.path.display()
                ));
                None
            }
        },
        _ => None,
    };
    let graph = client.graph_host();
    let writer = writer.as_ref();
    let results = stream::iter(plan)
        .map(|item| {
            let graph = graph.clone();
            async move {
                match item.step {
                    ResumeStep::Send(_) if interrupt.is_requested() => ReprocessResult {
                        reason: Some("not sent: interrupted".into()),
                        ..ReprocessResult::new(item.id, item.label, Outcome::Skipped)
                    },
                    ResumeStep::Send(body) => {
                        if let Some(w) = writer
                            && let Err(e) = w.intend(&graph, &[&item.id]).await
                        {
                            diag::warn(format!("could not journal the intent: {e}"));
                        }
                        let (id, label) = (item.id.clone(), item.label.clone());
                        let (result, outcome) = tokio::select! {
                            done = resume_one(client, item.id, item.label, &body, item.uncertain) => done,
                            _ = interrupt.grace_expired() => (
                                failed(id.clone(), label, ErrorInfo {
                                    status: None,
                                    code: "interrupted".into(),
                                    message: format!(
                                        "outcome unknown: interrupted while the call was in \
                                         flight; a rerun checks it first, or see 'ep requests \
                                         show {id}'"
                                    ),
                                }),
                                journal::Outcome::Interrupted,
                            ),
                        };
                        if let Some(w) = writer {
                            w.record(&graph, &result.id, outcome);
                        }
                        result
                    }
                    ResumeStep::Skip(reason) => ReprocessResult {
                        reason: Some(reason),
                        ..ReprocessResult::new(item.id, item.label, Outcome::Skipped)
                    },
                    ResumeStep::Fail(error) => failed(item.id, item.label, error),
                }
            }
        })
        .buffered(client.parallelism())
        .collect()
        .await;
    Ok(results)
}

/// The plan as a dry run reports it.
pub fn dry_run(plan: Vec<ResumeItem>) -> Vec<ReprocessResult> {
    plan.into_iter()
        .map(|item| match item.step {
            ResumeStep::Send(_) => ReprocessResult::new(item.id, item.label, Outcome::WouldResume),
            ResumeStep::Skip(reason) => ReprocessResult {
                reason: Some(reason),
                ..ReprocessResult::new(item.id, item.label, Outcome::Skipped)
            },
            ResumeStep::Fail(error) => failed(item.id, item.label, error),
        })
        .collect()
}

fn failed(id: String, label: Option<String>, error: ErrorInfo) -> ReprocessResult {
    ReprocessResult {
        error: Some(error),
        ..ReprocessResult::new(id, label, Outcome::Failed)
    }
}

/// Resume one request exactly once as far as the server is concerned. After a failure that may
/// have reached Graph (a gateway timeout, a reset after sending) — or when the journal shows an
/// earlier call whose outcome is unknown — the request is read before anything is sent again:
/// no longer waiting proves that the earlier call landed.
async fn resume_one(
    client: &GraphClient,
    id: String,
    label: Option<String>,
    body: &Value,
    uncertain: bool,
) -> (ReprocessResult, journal::Outcome) {
    let mut tries = Tries::default();
    let mut unchecked = uncertain;
    let mut ever_uncertain = uncertain;
    let accepted = |note: Option<String>| {
        (
            ReprocessResult {
                note,
                ..ReprocessResult::new(id.clone(), label.clone(), Outcome::Resumed)
            },
            journal::Outcome::Reprocessed,
        )
    };
    let failure = |e: &GraphError, unknown: bool| {
        let mut info = error_info(e);
        let outcome = if unknown {
            info.message = format!(
                "outcome unknown: an earlier attempt may have landed; then {}; a rerun checks \
                 the request first",
                info.message
            );
            journal::Outcome::Interrupted
        } else {
            journal::Outcome::Failed
        };
        (failed(id.clone(), label.clone(), info), outcome)
    };
    loop {
        if unchecked {
            match client.get_request(&id).await {
                Ok(now) if now.callback_wait().is_none() => {
                    return accepted(Some(format!(
                        "accepted, confirmed: an earlier attempt's answer was lost and the \
                         request no longer waits (now {})",
                        now.state
                    )));
                }
                Ok(_) => unchecked = false,
                Err(e) => return failure(&e, ever_uncertain),
            }
        }
        let err = match client.resume_once(&id, body).await {
            Ok(_) => return accepted(None),
            Err(e) => e,
        };
        // Lost on the way back (would be retried if the call were idempotent): check first.
        let lost = !RetryPolicy::is_transient(&err, false) && RetryPolicy::is_transient(&err, true);
        if lost {
            unchecked = true;
            ever_uncertain = true;
        }
        if let Err(last) = client.wait_to_retry(err, &mut tries, true).await {
            return failure(&last, ever_uncertain);
        }
    }
}
