//! Requests held by a custom extension, told apart from failures where failures are examined
//! (`requests why`): they have not failed, reprocess cannot move them, and only `ep resume`
//! (or the extension calling back) can.

use super::Context;
use crate::diag;
use crate::eligibility::format_age;
use crate::graph::{AccessPackage, AssignmentRequest, RequestFilter, RequestState};
use crate::output::{package_label, requestor_label};
use chrono::{DateTime, Utc};

/// How many waiting requests are named one by one before the rest are counted.
const NAMED: usize = 10;

/// The states a request waiting on a callback is in: before approval (the request-created
/// stage) and at approval. Listed by state, as Graph documents `state` for `$filter`; the
/// status that says "waiting" is not documented as filterable.
const HELD_STATES: [RequestState; 2] = [RequestState::Submitted, RequestState::PendingApproval];

/// Say on stderr which requests in scope wait on a callback, each with how long it has waited
/// and at which stage. A listing that fails is a warning: the failures above are the answer.
pub async fn note(ctx: &Context, package: Option<&AccessPackage>, now: DateTime<Utc>) {
    let filter = RequestFilter {
        package_id: package.map(|p| p.id.clone()),
        states: HELD_STATES.to_vec(),
        lean: false,
    };
    let mut waiting: Vec<AssignmentRequest> = Vec::new();
    let listed = ctx
        .client
        .list_requests(&filter, |page| {
            waiting.extend(
                page.into_iter()
                    .map(|r| r.with_package(package))
                    .filter(|r| r.callback_wait().is_some()),
            );
            Ok(())
        })
        .await;
    if let Err(e) = listed {
        diag::warn(format!(
            "could not list the requests waiting on a custom extension's callback: {e:#}"
        ));
        return;
    }
    if waiting.is_empty() {
        return;
    }
    // Longest waiting first: the ones most likely forgotten.
    waiting.sort_by_key(|r| r.created);
    diag::note(format!(
        "{} request(s) wait on a custom extension's callback (not failed; reprocess cannot move \
         them, 'ep resume ID' can):",
        waiting.len()
    ));
    for r in waiting.iter().take(NAMED) {
        diag::note(format!("  {}", line(r, now)));
    }
    if waiting.len() > NAMED {
        diag::note(format!(
            "  and {} more: ep requests list --waiting",
            waiting.len() - NAMED
        ));
    }
}

/// `ID  Zoë · Sales Onboarding · waiting on callback since 2026-12-04T20:52:13Z (up to 1d 11h),
/// stage request created`.
fn line(r: &AssignmentRequest, now: DateTime<Utc>) -> String {
    let wait = r.callback_wait();
    let since = match wait.as_ref().and_then(|w| w.since) {
        Some(t) => format!(
            "since {} (up to {})",
            crate::graph::format_timestamp(&t),
            format_age(now - t)
        ),
        None => "since an unknown time".into(),
    };
    let stage = match wait.and_then(|w| w.stage) {
        Some(s) => format!("stage {}", s.label()),
        None => "stage unknown".into(),
    };
    format!(
        "{}  {} · {} · waiting on callback {since}, {stage}",
        r.id,
        requestor_label(r.requestor.as_ref()),
        package_label(r.access_package.as_ref()),
    )
}
