//! Unattended bulk runs (`--yes`, or no terminal): listing, eligibility and sending overlap.
//!
//! Nobody is asked, so nothing needs the full count first: each page of failed requests is
//! judged as it arrives and its eligible requests go straight to the sender, through a backlog of
//! a few batches' worth. When the sender is busy the backlog fills, the listing's own relay
//! fills behind it and the page fetches wait, so memory stays bounded whatever the tenant's
//! size. After Ctrl-C no new page is fetched; what was fetched is still judged and reported as
//! not sent. At a terminal the confirmation needs the count, so those runs keep
//! listing, asking and sending one after the other.

use super::plan::{ListingJudge, RecentlyAccepted, journal_path, open_journal};
use super::send::{Sent, execute_stream};
use super::{PlanItem, Run};
use crate::cli::ReprocessArgs;
use crate::commands::Context;
use crate::commands::interrupt::{GRACE, Interrupt};
use crate::diag;
use crate::graph::{AccessPackage, PageDone, PageFlow};
use crate::output::Progress;
use chrono::{DateTime, Utc};
use futures_util::Stream;
use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::Notify;

/// Eligible requests waiting for the sender, in units of what it keeps in flight.
const DEPTH: usize = 2;

/// List the failed requests of `package` (or the tenant) and send the eligible ones as they are
/// listed. A listing that fails part-way still reports what was sent before it stopped.
pub(super) async fn run(
    ctx: &Context,
    args: &ReprocessArgs,
    package: Option<AccessPackage>,
    now: DateTime<Utc>,
) -> anyhow::Result<Run> {
    let path = journal_path(args);
    // Nothing is known to be sent yet, but the journal must be writable before anything is.
    let journal = open_journal(args, path.as_deref(), 1)?;
    let mut recent = path
        .as_deref()
        .filter(|_| !args.force)
        .map(|p| RecentlyAccepted::load(p, &ctx.client.graph_host(), now, args.journal_window));
    let mut judge = ListingJudge::new(
        package.as_ref(),
        now,
        args.window.window,
        args.closing_within,
    );
    let interrupt = Interrupt::install(GRACE);
    let progress = Progress::spinner("reprocessing");
    let backlog = std::sync::Arc::new(Backlog::new(ctx.client.parallelism() * DEPTH));
    let filter = judge.filter();
    let listing = async {
        let on_page = |page: Vec<_>| -> PageDone {
            backlog.push(
                page.into_iter()
                    .filter_map(|r| judge.admit(r))
                    .map(ListingJudge::plan_item)
                    .map(|mut item| {
                        if let Some(recent) = recent.as_mut() {
                            recent.judge(&mut item);
                        }
                        item
                    }),
            );
            let (backlog, interrupt) = (backlog.clone(), interrupt.clone());
            Box::pin(async move {
                // After Ctrl-C nothing more is fetched, but what was fetched is still judged,
                // so every request the listing saw is accounted for.
                tokio::select! {
                    () = backlog.room() => {},
                    () = interrupt.requested() => {},
                }
                Ok(if interrupt.is_requested() {
                    PageFlow::Enough
                } else {
                    PageFlow::More
                })
            })
        };
        // A page fetch in flight at Ctrl-C gets the grace period in-flight calls get, no more.
        let listed = tokio::select! {
            listed = ctx.client.list_requests_async(&filter, on_page) => listed,
            () = async {
                interrupt.requested().await;
                tokio::time::sleep(GRACE).await;
            } => Ok(()),
        };
        backlog.close();
        listed
    };
    let sending = execute_stream(
        &ctx.client,
        backlog.drain(),
        journal.as_ref(),
        &interrupt,
        &progress,
    );
    let (listed, sent) = tokio::join!(listing, sending);
    judge.notes();
    if let Some(recent) = &recent {
        recent.notes();
    }
    if let Some(journal) = journal
        && let Err(e) = journal.close()
    {
        diag::warn(format!("the journal could not be written completely: {e}"));
    }
    finish(listed, sent, interrupt)
}

/// The run's results, or the listing's error when it failed before anything was handled.
fn finish(
    listed: anyhow::Result<()>,
    sent: Sent,
    interrupt: std::sync::Arc<Interrupt>,
) -> anyhow::Result<Run> {
    let listing_error = match listed {
        Ok(()) => None,
        Err(e) if sent.results.is_empty() => return Err(e),
        Err(e) => {
            diag::warn(format!(
                "the listing stopped part-way ({e:#}); the summary shows the {} request(s) handled \
                 before it did; rerun to continue",
                sent.results.len()
            ));
            Some(e)
        }
    };
    if sent.results.is_empty() {
        diag::note("nothing to reprocess: no request in scope is reprocessable");
    }
    Ok(Run {
        sent,
        interrupt,
        listing_error,
    })
}

/// Listed requests on their way to the sender. Pushing never waits, so nothing the listing
/// has judged can be lost when Ctrl-C drops it; the listing then waits for room, which is what
/// bounds the memory.
struct Backlog {
    items: Mutex<VecDeque<PlanItem>>,
    /// Room to wait for before the next page is taken.
    limit: usize,
    closed: AtomicBool,
    changed: Notify,
}

impl Backlog {
    fn new(limit: usize) -> Self {
        Backlog {
            items: Mutex::new(VecDeque::new()),
            limit: limit.max(1),
            closed: AtomicBool::new(false),
            changed: Notify::new(),
        }
    }

    fn push(&self, items: impl Iterator<Item = PlanItem>) {
        if let Ok(mut queue) = self.items.lock() {
            queue.extend(items);
        }
        self.changed.notify_waiters();
    }

    fn len(&self) -> usize {
        self.items.lock().map_or(0, |q| q.len())
    }

    /// Wait until the sender has taken the backlog below its limit.
    async fn room(&self) {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if self.len() < self.limit {
                return;
            }
            changed.await;
        }
    }

    /// No more will come: the sender ends once it has taken what is here.
    fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.changed.notify_waiters();
    }

    async fn next(&self) -> Option<PlanItem> {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            // Closed is read first: everything pushed before closing is then visible below.
            let closed = self.closed.load(Ordering::SeqCst);
            let item = self.items.lock().ok().and_then(|mut q| q.pop_front());
            if let Some(item) = item {
                self.changed.notify_waiters();
                return Some(item);
            }
            if closed {
                return None;
            }
            changed.await;
        }
    }

    fn drain(self: &std::sync::Arc<Self>) -> impl Stream<Item = PlanItem> + use<> {
        futures_util::stream::unfold(self.clone(), |backlog| async move {
            backlog.next().await.map(|item| (item, backlog))
        })
    }
}
