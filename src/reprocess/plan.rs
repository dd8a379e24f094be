//! What a run will do with each request in scope: looked up by id, or listed.

use super::{ListedIds, PlanItem, Step, Tally, error_info};
use crate::diag;
use crate::eligibility::{Eligibility, closes_within, closing_label, format_age, judge_request};
use crate::graph::{
    AccessPackage, AssignmentRequest, GraphClient, GraphError, PageFlow, RequestFilter,
    RequestState,
};
use crate::output::RequestRecord;
use chrono::{DateTime, Duration, Utc};
use futures_util::{StreamExt, stream};
use std::sync::Arc;

/// Look up each named request; judge it now, against the current state rather than what a
/// listing said earlier.
pub(super) async fn for_ids(
    client: &Arc<GraphClient>,
    ids: Vec<String>,
    now: DateTime<Utc>,
    window: Duration,
    force: bool,
) -> anyhow::Result<Vec<PlanItem>> {
    let mut looked_up: Vec<(usize, String, Result<AssignmentRequest, GraphError>)> =
        stream::iter(ids.into_iter().enumerate())
            .map(|(i, id)| {
                let client = client.clone();
                async move {
                    let found = client.get_request(&id).await;
                    (i, id, found)
                }
            })
            .buffer_unordered(client.parallelism())
            .collect()
            .await;
    looked_up.sort_by_key(|(i, _, _)| *i);
    let mut plan = Vec::with_capacity(looked_up.len());
    for (_, id, found) in looked_up {
        match found {
            Ok(request) => {
                let label = Some(label(&request));
                let step = match judge_request(&request, now, window) {
                    Eligibility::Reprocessable => Step::Send,
                    Eligibility::Ineligible(reason) if force => {
                        diag::note(format!("{id}: {reason}; sending anyway (--force)"));
                        Step::Send
                    }
                    Eligibility::Ineligible(reason) => Step::Skip(reason.to_string()),
                };
                plan.push(PlanItem::new(id, label, step, request.completed));
            }
            // A request that cannot be found, or an id Graph calls invalid, fails alone.
            Err(e) if matches!(e.status(), Some(400 | 404)) => {
                plan.push(PlanItem::new(id, None, Step::Fail(error_info(&e)), None));
            }
            // Anything else (no permission, Graph down) would fail every id the same way:
            // stop before sending anything.
            Err(e) => return Err(anyhow::Error::new(e).context(format!("checking request {id}"))),
        }
    }
    Ok(plan)
}

/// Every reprocessable request of a package (or the tenant), listed in full, newest first,
/// with every id the listing returned (eligible or not) for the recheck to compare against.
pub(super) async fn for_listing(
    client: &GraphClient,
    judge: &mut ListingJudge,
    progress: &dyn Tally,
) -> anyhow::Result<(Vec<PlanItem>, ListedIds)> {
    let listing = listing(client, judge, progress, false).await?;
    // Never stopped early: only a whole-only listing stops.
    Ok(listing.unwrap_or_default())
}

/// [`for_listing`], given up (`None`) at the first page that has more after it: every query
/// answered in one response, or nothing.
pub(super) async fn for_listing_whole(
    client: &GraphClient,
    judge: &mut ListingJudge,
) -> anyhow::Result<Option<(Vec<PlanItem>, ListedIds)>> {
    listing(client, judge, &super::NoTally, true).await
}

async fn listing(
    client: &GraphClient,
    judge: &mut ListingJudge,
    progress: &dyn Tally,
    whole_only: bool,
) -> anyhow::Result<Option<(Vec<PlanItem>, ListedIds)>> {
    let mut records = Vec::new();
    let mut listed = ListedIds::default();
    let continued = client.pages_continued();
    let mut whole = true;
    client
        .list_requests_async(&judge.filter(), |page| {
            progress.inc(page.len());
            listed.extend(page.iter().map(|r| r.id.as_str()));
            records.extend(page.into_iter().filter_map(|r| judge.admit(r)));
            whole = client.pages_continued() == continued;
            let flow = if whole_only && !whole {
                PageFlow::Enough
            } else {
                PageFlow::More
            };
            Box::pin(std::future::ready(Ok(flow)))
        })
        .await?;
    progress.finish();
    if whole_only && !whole {
        return Ok(None);
    }
    records.sort_by(RequestRecord::newest_first);
    let one_package = judge.one_package();
    Ok(Some((
        records
            .into_iter()
            .map(|r| ListingJudge::plan_item(r, one_package))
            .collect(),
        listed,
    )))
}

/// Which listed failed requests are in scope: reprocessable now and, with `--closing-within`,
/// about to leave the window. Counts what it leaves out, to say so once the listing is done.
pub(super) struct ListingJudge {
    package: Option<AccessPackage>,
    now: DateTime<Utc>,
    window: Duration,
    closing_within: Option<Duration>,
    /// Only what eligibility needs is listed (the recheck): nothing expanded.
    lean: bool,
    /// Failed, but completed too long ago (or never).
    outside: usize,
    /// Reprocessable, but not closing within `closing_within`.
    later: usize,
}

impl ListingJudge {
    pub(super) fn new(
        package: Option<&AccessPackage>,
        now: DateTime<Utc>,
        window: Duration,
        closing_within: Option<Duration>,
    ) -> Self {
        ListingJudge {
            package: package.cloned(),
            now,
            window,
            closing_within,
            lean: false,
            outside: 0,
            later: 0,
        }
    }

    /// The same scope and rules, listing only the fields eligibility needs.
    pub(super) fn lean(&self) -> Self {
        ListingJudge {
            lean: true,
            outside: 0,
            later: 0,
            package: self.package.clone(),
            ..*self
        }
    }

    /// The failed requests of the package (or tenant).
    pub(super) fn filter(&self) -> RequestFilter {
        RequestFilter {
            package_id: self.package.as_ref().map(|p| p.id.clone()),
            states: RequestState::FAILED.to_vec(),
            lean: self.lean,
        }
    }

    /// The request's record when it is in scope.
    pub(super) fn admit(&mut self, request: AssignmentRequest) -> Option<RequestRecord> {
        let request = request.with_package(self.package.as_ref());
        let record = RequestRecord::new(request, self.now, self.window);
        let closing = self.closing_within.is_none_or(|within| {
            closes_within(
                &record.state,
                record.completed,
                self.now,
                self.window,
                within,
            )
        });
        match (record.reprocessable, closing) {
            (true, true) => return Some(record),
            (true, false) => self.later += 1,
            (false, _) => self.outside += 1,
        }
        None
    }

    /// What was left out, once the listing is done.
    pub(super) fn notes(&self) {
        if self.outside > 0 {
            let scope = match &self.package {
                Some(p) => format!("--package {}", p.id),
                None => "--all-packages".into(),
            };
            diag::note(format!(
                "{} failed request(s) left out: completed more than {} ago or without a completion time \
                 (see 'ep requests list {scope} --state deliveryFailed,partiallyDelivered')",
                self.outside,
                format_age(self.window)
            ));
        }
        if let (true, Some(within)) = (self.later > 0, self.closing_within) {
            diag::note(format!(
                "{} reprocessable request(s) left out: their window closes later than --closing-within {}",
                self.later,
                format_age(within)
            ));
        }
    }

    /// Whether the scope is one package, which then goes without saying in each request's label.
    pub(super) fn one_package(&self) -> bool {
        self.package.is_some()
    }

    /// The request as a step of the plan, labelled for people: who, (which package,) its state
    /// and how long it has left.
    pub(super) fn plan_item(r: RequestRecord, one_package: bool) -> PlanItem {
        let mut parts = vec![r.requestor_label()];
        if !one_package {
            parts.push(r.package_label());
        }
        parts.push(r.state.to_string());
        parts.push(format!("completed {}", r.age_label()));
        if let Some(at) = r.closes {
            parts.push(closing_label(at, r.judged_at));
        }
        PlanItem::new(r.id, Some(parts.join(" · ")), Step::Send, r.completed)
    }
}

fn label(request: &AssignmentRequest) -> String {
    format!(
        "{} · {}",
        crate::output::requestor_label(request.requestor.as_ref()),
        crate::output::package_label(request.access_package.as_ref())
    )
}
