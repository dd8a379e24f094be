//! Unattended bulk runs (`--yes`, or no terminal): listing, eligibility and sending overlap.
//!
//! Nobody is asked, so nothing needs the full count first: each page of failed requests is
//! judged as it arrives and its eligible requests go straight to the sender, through a backlog of
//! a few batches' worth. When the sender is busy the backlog fills, the listing's own relay
//! fills behind it and the page fetches wait, so memory stays bounded whatever the tenant's
//! size. After Ctrl-C no new page is fetched; what was fetched is still judged and reported as
//! not sent.
//!
//! Sending while the listing pages changes what later pages hold: on a server whose paging is an
//! offset into the live result, every accepted request that leaves the failed set shifts the
//! rest, and later pages skip requests. This pass is therefore never the last word: the recheck
//! (`verify`) lists the scope again, once sending is done or, for a run Graph never throttled,
//! during its last round trip when that listing comes back whole.

use super::ledger::Ledger;
use super::plan::ListingJudge;
use super::send::{Sent, execute};
use super::verify;
use super::{ListedIds, PlanItem, Step, Tally};
use crate::graph::{AssignmentRequest, GraphClient, PageDone, PageFlow};
use crate::interrupt::Interrupt;
use futures_util::Stream;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::Notify;

/// Eligible requests waiting for the sender, in units of what it keeps in flight.
const DEPTH: usize = 2;

/// What the overlapped pass did: its sends, every id its listing returned, the listing's
/// error if it stopped part-way, and the recheck's first listing if it could be taken during
/// the last round trip of sending (see [`verify::Early`]).
pub(super) struct Overlapped {
    pub sent: Sent,
    pub listed: ListedIds,
    pub listing: anyhow::Result<()>,
    pub early: Option<verify::Early>,
}

/// List the failed requests `judge` scopes and send the eligible ones as they are listed.
pub(super) async fn run(
    client: &GraphClient,
    judge: &mut ListingJudge,
    ledger: &Ledger,
    interrupt: &Arc<Interrupt>,
    progress: &dyn Tally,
) -> Overlapped {
    let backlog = Arc::new(Backlog::new(client.parallelism() * DEPTH));
    let progress = Counted::new(progress);
    let to_send = AtomicUsize::new(0);
    let filter = judge.filter();
    let mut listed = ListedIds::default();
    let one_package = judge.one_package();
    let listing = async {
        let on_page = |page: Vec<AssignmentRequest>| -> PageDone {
            listed.extend(page.iter().map(|r| r.id.as_str()));
            backlog.push(
                page.into_iter()
                    .filter_map(|r| judge.admit(r))
                    .map(|r| ListingJudge::plan_item(r, one_package))
                    .map(|mut item| {
                        ledger.judge(&mut item);
                        if matches!(item.step, Step::Send) {
                            to_send.fetch_add(1, Ordering::SeqCst);
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
            listed = client.list_requests_async(&filter, on_page) => listed,
            () = interrupt.grace_expired() => Ok(()),
        };
        backlog.close();
        if listed.is_err() || interrupt.is_requested() {
            return (listed, None);
        }
        // Once every call of an unpaced run has left, what remains is its last round trip:
        // the recheck's listing can share it.
        let departed = async {
            backlog.emptied().await;
            progress
                .until(|done| {
                    client.paced()
                        || to_send.load(Ordering::SeqCst).saturating_sub(done)
                            <= client.requests_in_flight()
                })
                .await;
        };
        tokio::select! {
            () = departed => {},
            () = interrupt.requested() => return (listed, None),
        }
        if client.paced() {
            return (listed, None);
        }
        let early = tokio::select! {
            early = verify::list_early(client, judge) => early,
            () = interrupt.requested() => None,
        };
        (listed, early)
    };
    let sending = async {
        let sent = execute(client, backlog.drain(), ledger, interrupt, &progress).await;
        (sent, Instant::now())
    };
    let ((listing, early), (sent, finished)) = tokio::join!(listing, sending);
    Overlapped {
        sent,
        listed,
        listing,
        early: early.filter(|e| e.current(finished)),
    }
}

/// The sender's progress, counted: how many of its calls have been answered.
struct Counted<'a> {
    inner: &'a dyn Tally,
    done: AtomicUsize,
    changed: Notify,
}

impl<'a> Counted<'a> {
    fn new(inner: &'a dyn Tally) -> Self {
        Counted {
            inner,
            done: AtomicUsize::new(0),
            changed: Notify::new(),
        }
    }

    /// Wait until `ready` holds for the number answered. Calls leave between answers too (a
    /// retry's wait ending), so it is also asked every few milliseconds.
    async fn until(&self, ready: impl Fn(usize) -> bool) {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if ready(self.done.load(Ordering::SeqCst)) {
                return;
            }
            tokio::select! {
                () = changed => {},
                () = tokio::time::sleep(std::time::Duration::from_millis(5)) => {},
            }
        }
    }
}

impl Tally for Counted<'_> {
    fn inc(&self, n: usize) {
        self.inner.inc(n);
        self.done.fetch_add(n, Ordering::SeqCst);
        self.changed.notify_waiters();
    }

    fn finish(&self) {
        self.inner.finish();
    }
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

    /// Wait until the sender has taken everything.
    async fn emptied(&self) {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if self.len() == 0 {
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

    fn drain(self: &Arc<Self>) -> impl Stream<Item = PlanItem> + use<> {
        futures_util::stream::unfold(self.clone(), |backlog| async move {
            backlog.next().await.map(|item| (item, backlog))
        })
    }
}
