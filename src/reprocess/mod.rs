//! The reprocess engine: plan → send → verify → watch, with its report as data.
//!
//! [`run`] reads top to bottom: the requests in scope are planned (looked up by id, or listed
//! and judged), checked against the journal, agreed to, and sent exactly once; a bulk run then
//! lists its scope again until a pass shows nothing left behind ([`verify`]); `--wait` watches
//! what was accepted. Nothing here knows about flags, prompts or output formats: the caller
//! decides through [`Options`] and a [`Frontend`], and renders the [`Report`].
//!
//! The guarantee of a bulk run: every request in scope that was eligible when its last listing
//! pass began was accepted exactly once, by this run or one before it (the journal), or is
//! reported with its reason; when a run cannot establish that, [`Report::established`] is false.

mod ledger;
mod pipeline;
mod plan;
mod send;
mod verify;
mod watch;

pub use send::{PORTAL_WINDOW_DAYS, outcome_unknown};
pub use verify::{MAX_PASSES, Recheck};

use crate::diag;
use crate::graph::{AccessPackage, GraphClient, GraphError, server_guid};
use crate::interrupt::{Interrupt, Signal};
use crate::output::{ErrorInfo, Outcome, ReprocessResult};
use chrono::{DateTime, Duration, Utc};
use ledger::Ledger;
use plan::ListingJudge;
use send::Sent;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

/// What a run covers.
pub enum Scope {
    /// These requests, each looked up and judged.
    Ids(Vec<String>),
    /// The failed requests of a package, or of the tenant. `pick`: the admin chooses from the
    /// listing, and only what was chosen is in scope (no recheck).
    Listing {
        package: Option<AccessPackage>,
        pick: bool,
    },
}

/// How a run behaves, decided by the caller.
#[derive(Debug, Clone)]
pub struct Options {
    pub now: DateTime<Utc>,
    /// Reprocessable within this long after completion.
    pub window: Duration,
    pub closing_within: Option<Duration>,
    /// Send even what is ineligible or journaled as accepted.
    pub force: bool,
    pub dry_run: bool,
    /// Nobody is asked: a bulk run lists and sends at once.
    pub unattended: bool,
    pub journal: Option<JournalChoice>,
    /// How far back the journal's acceptances count.
    pub journal_window: Duration,
    /// `--wait`: watch accepted requests for this long.
    pub wait: Option<Duration>,
}

/// Where the journal is, and whether the user named it (then it must work).
#[derive(Debug, Clone)]
pub struct JournalChoice {
    pub path: PathBuf,
    pub named: bool,
}

/// Errors a caller branches on.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("cannot write the journal {}: {source}", path.display())]
    Journal {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The caller's side of a run: asking, picking, showing progress, and the signals that stop it.
#[async_trait::async_trait]
pub trait Frontend: Send + Sync {
    /// Whether to send `count` requests of a bulk selection; `recheck` when a later pass found
    /// them. Unattended callers answer yes.
    async fn consent(&self, count: usize, recheck: bool) -> anyhow::Result<bool>;
    /// The requests the admin picks from those offered (never none offered); none picked means
    /// nothing is sent.
    async fn pick(&self, offered: Vec<PlanItem>) -> anyhow::Result<Vec<PlanItem>>;
    /// Progress of one phase: `total` when known.
    fn progress(&self, label: &str, total: Option<usize>) -> Box<dyn Tally>;
    /// Ctrl-C and SIGTERM, taken over from the first call on (when sending starts).
    fn interrupt(&self) -> Arc<Interrupt>;
}

/// A progress counter.
pub trait Tally: Send + Sync {
    fn inc(&self, n: usize);
    fn finish(&self);
}

/// What will be done with one selected request.
pub struct PlanItem {
    pub id: String,
    /// Who and what, for people.
    pub label: Option<String>,
    pub step: Step,
    /// When the request completed, as the plan saw it: for the 7-versus-14-day question, and
    /// so `--wait` can tell a request that completed again from one still being retried.
    pub completed: Option<DateTime<Utc>>,
    /// The journal shows an earlier call whose outcome is unknown.
    pub uncertain: bool,
}

impl PlanItem {
    fn new(
        id: String,
        label: Option<String>,
        step: Step,
        completed: Option<DateTime<Utc>>,
    ) -> Self {
        PlanItem {
            id,
            label,
            step,
            completed,
            uncertain: false,
        }
    }
}

pub enum Step {
    Send,
    Skip(String),
    Fail(ErrorInfo),
}

/// What a run did, as data.
pub struct Report {
    pub dry_run: bool,
    /// Every request in scope, in the order planned, then what each recheck found.
    pub results: Vec<ReprocessResult>,
    /// Refused although inside the documented 14 days, and older than the portal's 7.
    pub beyond_portal_window: usize,
    /// The bulk run's recheck, when one ran.
    pub recheck: Option<Recheck>,
    /// A listing failed after some requests were already handled: reported after them.
    pub listing_error: Option<anyhow::Error>,
    /// At a terminal, the answer was no: nothing was sent.
    pub declined: bool,
    /// The signal that stopped the run early.
    pub signal: Option<Signal>,
}

impl Report {
    /// Whether the run may call itself complete: a bulk run's recheck came back stable (or
    /// there was none to run), and no listing failed.
    pub fn established(&self) -> bool {
        self.listing_error.is_none()
            && self
                .recheck
                .as_ref()
                .is_none_or(|r| r.converged || r.declined)
    }
}

/// Plan, agree, send, verify, watch.
pub async fn run(
    client: &Arc<GraphClient>,
    scope: Scope,
    options: &Options,
    frontend: &dyn Frontend,
) -> anyhow::Result<Report> {
    let mut ledger = Ledger::load(
        options.journal.clone(),
        client.graph_host(),
        options.now,
        options.journal_window,
        options.force,
    );
    let mut report = Report {
        dry_run: options.dry_run,
        results: Vec::new(),
        beyond_portal_window: 0,
        recheck: None,
        listing_error: None,
        declined: false,
        signal: None,
    };
    let (sent, signals) = match scope {
        Scope::Ids(ids) => {
            let plan =
                plan::for_ids(client, ids, options.now, options.window, options.force).await?;
            match agree_and_send(client, plan, false, options, &mut ledger, frontend).await? {
                Some(done) => done,
                None => return Ok(declined(report)),
            }
        }
        Scope::Listing { package, pick } => {
            let mut judge = ListingJudge::new(
                package.as_ref(),
                options.now,
                options.window,
                options.closing_within,
            );
            let overlap = options.unattended && !options.dry_run && !pick;
            let (mut sent, listed, early, signals) = if overlap {
                ledger.open_writer()?;
                let signals = frontend.interrupt();
                let progress = frontend.progress("reprocessing", None);
                let pass = pipeline::run(client, &mut judge, &ledger, &signals, &*progress).await;
                judge.notes();
                match pass.listing {
                    Ok(()) => {}
                    Err(e) if pass.sent.results.is_empty() => return Err(e),
                    Err(e) => {
                        diag::warn(format!(
                            "the listing stopped part-way ({e:#}); the summary shows the {} \
                         request(s) handled before it did; rerun to continue",
                            pass.sent.results.len()
                        ));
                        report.listing_error = Some(e);
                    }
                }
                (pass.sent, pass.listed, pass.early, signals)
            } else {
                let progress = frontend.progress("listing failed requests", None);
                let (plan, listed) = plan::for_listing(client, &mut judge, &*progress).await?;
                judge.notes();
                let plan = if pick && !plan.is_empty() {
                    let picked = frontend.pick(plan).await?;
                    // Nothing ticked is the admin's answer, not an empty scope.
                    if picked.is_empty() {
                        return Ok(declined(report));
                    }
                    picked
                } else {
                    plan
                };
                match agree_and_send(client, plan, !pick, options, &mut ledger, frontend).await? {
                    Some((sent, signals)) => (sent, listed, None, signals),
                    None => return Ok(declined(report)),
                }
            };
            // Even a pass whose every query came back in one page is listed again: one response
            // is not a promise that the tenant stood still (the service and other admins move
            // requests into and out of failure while ep sends), and success is reported only
            // once a listing agrees. It costs one round trip, or none when that listing could
            // share the last round trip of sending (`verify::Early`).
            let recheck = !pick
                && !options.dry_run
                && report.listing_error.is_none()
                && !signals.is_requested();
            if recheck {
                let (done, error) = verify::reconcile(
                    client, &judge, &ledger, listed, early, &mut sent, &signals, frontend,
                )
                .await;
                report_recheck(&done, error.is_some());
                report.recheck = Some(done);
                report.listing_error = error;
            }
            if overlap && sent.results.is_empty() && report.listing_error.is_none() {
                diag::note("nothing to reprocess: no request in scope is reprocessable");
            }
            (sent, signals)
        }
    };
    ledger.notes();
    ledger.close();
    report.results = sent.results;
    report.beyond_portal_window = sent.beyond_portal_window;
    if let (Some(timeout), false, false) = (options.wait, options.dry_run, signals.is_requested()) {
        watch::watch(client, &mut report.results, timeout, &signals).await;
    }
    report.signal = signals.signal();
    Ok(report)
}

fn declined(mut report: Report) -> Report {
    report.declined = true;
    report
}

/// What the recheck found, and whether it failed to establish the result. A recheck stopped by
/// an error says nothing about a changing scope: the error is reported after the summary.
fn report_recheck(recheck: &Recheck, stopped: bool) {
    if recheck.found > 0 {
        diag::note(format!(
            "the recheck found {} eligible request(s) the first listing had not shown \
             (the server's paging shifted, or the tenant changed) and sent them",
            recheck.found
        ));
    }
    if !recheck.converged && !recheck.declined && !stopped {
        diag::warn(format!(
            "could not establish that nothing eligible was left behind: the scope was still \
             changing after {} recheck(s); rerun to pick up the rest",
            recheck.passes
        ));
    }
}

/// Ask where a bulk selection needs it, then send (or, in a dry run, say what would be sent).
/// `None` when the answer was no.
async fn agree_and_send(
    client: &Arc<GraphClient>,
    mut plan: Vec<PlanItem>,
    bulk: bool,
    options: &Options,
    ledger: &mut Ledger,
    frontend: &dyn Frontend,
) -> anyhow::Result<Option<(Sent, Arc<Interrupt>)>> {
    for item in plan.iter_mut() {
        ledger.judge(item);
    }
    let to_send = plan.iter().filter(|p| matches!(p.step, Step::Send)).count();
    if plan.is_empty() {
        diag::note("nothing to reprocess: no request in scope is reprocessable");
    }
    let ask = to_send > 0 && bulk && !options.dry_run;
    if ask && !frontend.consent(to_send, false).await? {
        diag::note("nothing was sent");
        return Ok(None);
    }
    if options.dry_run {
        return Ok(Some((dry_run(plan), Interrupt::never())));
    }
    if to_send == 0 {
        let sent = send::execute(
            client,
            futures_util::stream::iter(plan),
            ledger,
            &Interrupt::never(),
            &NoTally,
        )
        .await;
        return Ok(Some((sent, Interrupt::never())));
    }
    ledger.open_writer()?;
    let signals = frontend.interrupt();
    let progress = frontend.progress("reprocessing", Some(to_send));
    let sent = send::execute(
        client,
        futures_util::stream::iter(plan),
        ledger,
        &signals,
        &*progress,
    )
    .await;
    Ok(Some((sent, signals)))
}

struct NoTally;

impl Tally for NoTally {
    fn inc(&self, _: usize) {}
    fn finish(&self) {}
}

fn dry_run(plan: Vec<PlanItem>) -> Sent {
    Sent {
        results: plan
            .into_iter()
            .map(|item| match item.step {
                Step::Send => ReprocessResult::new(item.id, item.label, Outcome::WouldReprocess),
                Step::Skip(reason) => skipped(item.id, item.label, reason),
                Step::Fail(error) => failed(item.id, item.label, error),
            })
            .collect(),
        beyond_portal_window: 0,
    }
}

/// Every id a listing pass returned, eligible or not: what the recheck compares passes by.
#[derive(Debug, Default, Clone)]
pub(crate) struct ListedIds(HashSet<u128>);

impl ListedIds {
    fn extend<'a>(&mut self, ids: impl Iterator<Item = &'a str>) {
        self.0.extend(ids.filter_map(server_guid));
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    /// The same requests as `other`, leaving aside `except`.
    fn same_as(&self, other: &ListedIds, except: &HashSet<u128>) -> bool {
        let within = |a: &ListedIds, b: &ListedIds| {
            a.0.iter()
                .filter(|id| !except.contains(id))
                .all(|id| b.0.contains(id))
        };
        within(self, other) && within(other, self)
    }
}

pub fn error_info(e: &GraphError) -> ErrorInfo {
    match e {
        GraphError::Api {
            status,
            code,
            message,
            ..
        } => ErrorInfo {
            status: Some(*status),
            code: code.clone(),
            message: message.clone(),
        },
        GraphError::RetriesExhausted { last, .. } | GraphError::WaitTooLong { last, .. } => {
            let mut info = error_info(last);
            info.message = e.to_string();
            info
        }
        other => ErrorInfo {
            status: None,
            code: match other {
                GraphError::Transport { .. } => "transportError".into(),
                GraphError::Unreachable { .. } => "unreachable".into(),
                GraphError::TimedOut { .. } => "timeout".into(),
                GraphError::Auth(_) => "authenticationFailed".into(),
                _ => "badResponse".into(),
            },
            message: other.to_string(),
        },
    }
}

fn skipped(id: String, label: Option<String>, reason: String) -> ReprocessResult {
    ReprocessResult {
        reason: Some(reason),
        ..ReprocessResult::new(id, label, Outcome::Skipped)
    }
}

fn failed(id: String, label: Option<String>, error: ErrorInfo) -> ReprocessResult {
    ReprocessResult {
        error: Some(error),
        ..ReprocessResult::new(id, label, Outcome::Failed)
    }
}
