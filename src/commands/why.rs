//! `ep requests why`: the failed requests of a package (or the tenant) grouped by cause, so that
//! causes are fixed first and reprocess is used where it helps.
//!
//! Reads, in this order: the failed requests (one listing, with their custom extension calls);
//! each package's expected resources; the audit log, one query per time range and activity; and
//! the resource roles (one beta call per assignment, in v1.0 mode too) of the requests nothing
//! else explains.

use super::{Context, delivery, packages};
use crate::cli::RequestsWhyArgs;
use crate::diag;
use crate::diagnosis::{self, CauseGroup, Evidence, Source, Unavailable};
use crate::error::ExitStatus;
use crate::graph::{AssignmentRequest, RequestFilter, RequestState};
use crate::output::{Format, Progress, RecordWriter, print_json, print_raw};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

pub async fn run(ctx: &Context, args: &RequestsWhyArgs) -> anyhow::Result<ExitStatus> {
    let package = match &args.package {
        Some(arg) => Some(packages::resolve(ctx, arg).await?),
        None => None,
    };
    let filter = RequestFilter {
        package_id: package.as_ref().map(|p| p.id.clone()),
        states: RequestState::FAILED.to_vec(),
        lean: false,
    };
    let progress = Progress::spinner("listing failed requests");
    let mut failed: Vec<AssignmentRequest> = Vec::new();
    ctx.client
        .list_requests_settled(&filter, |page| {
            progress.inc(page.len());
            failed.extend(
                page.into_iter()
                    .map(|r| r.with_package(package.as_ref()))
                    .filter(|r| r.state.is_failed()),
            );
            Ok(())
        })
        .await?;
    progress.finish();
    let now = Utc::now();
    let (groups, unavailable) = diagnose(ctx, failed, now, args.window.window).await;
    for u in &unavailable {
        diag::note(u.line());
    }
    let waiting: usize = groups
        .iter()
        .filter(|g| g.reason == diagnosis::GUEST_SITE_PENDING)
        .map(|g| g.count)
        .sum();
    if waiting > 0 {
        diag::note(format!(
            "{waiting} request(s) of new external users wait for their SharePoint Online account: \
             not a failure, and reprocess cannot help (Entra documents it)"
        ));
    }
    report(ctx, &groups)?;
    super::waiting::note(ctx, package.as_ref(), now).await;
    Ok(ExitStatus::Success)
}

/// Every failed request's cause, grouped; and what could not be read.
async fn diagnose(
    ctx: &Context,
    failed: Vec<AssignmentRequest>,
    now: DateTime<Utc>,
    window: chrono::Duration,
) -> (Vec<CauseGroup>, Vec<Unavailable>) {
    let refs: Vec<&AssignmentRequest> = failed.iter().collect();
    let mut package_ids: Vec<String> = refs
        .iter()
        .filter_map(|r| r.access_package.as_ref().map(|p| p.id.to_ascii_lowercase()))
        .collect();
    package_ids.sort();
    package_ids.dedup();
    let ((expected, mut unavailable), audit) = tokio::join!(
        delivery::expected_for(ctx, &package_ids),
        delivery::audit_events(ctx, &refs, now)
    );
    let events = audit.unwrap_or_else(|u| {
        unavailable.push(u);
        Vec::new()
    });
    let matched = diagnosis::correlate(&refs, &events, now);
    note_correlation(&matched);
    if let Some(note) = delivery::retention_note(&refs, now) {
        diag::note(note);
    }
    let no_expected = Vec::new();
    let evidence_of = |r: &AssignmentRequest| Evidence {
        expected: r
            .access_package
            .as_ref()
            .and_then(|p| expected.get(&p.id.to_ascii_lowercase()))
            .unwrap_or(&no_expected),
        events: matched
            .get(&r.id)
            .map(|(e, _)| e.clone())
            .unwrap_or_default(),
        resource_roles: None,
    };
    let mut causes: Vec<_> = failed
        .iter()
        .map(|r| diagnosis::cause_of(r, &evidence_of(r)))
        .collect();
    // Nothing else explains them, or only a request-level audit reason does while the request
    // may be a new guest's site still waiting for SharePoint (benign, and worth saying so).
    let unexplained: Vec<&AssignmentRequest> = failed
        .iter()
        .zip(&causes)
        .filter(|(r, c)| {
            c.source == Source::Unknown
                || (c.source == Source::Audit
                    && c.resource.is_none()
                    && diagnosis::may_be_guest_site(r))
        })
        .map(|(r, _)| r)
        .collect();
    if !unexplained.is_empty() {
        let (roles, note) = delivery::resource_roles(ctx, &unexplained).await;
        unavailable.extend(note);
        apply_roles(&failed, &mut causes, &roles, &evidence_of);
    }
    let diagnosed = failed.into_iter().zip(causes).collect();
    (
        diagnosis::group_by_cause(diagnosed, now, window),
        unavailable,
    )
}

/// Causes that beta's resource roles explain, for the requests nothing else did.
fn apply_roles<'a>(
    failed: &'a [AssignmentRequest],
    causes: &mut [diagnosis::Cause],
    roles: &HashMap<String, Vec<crate::graph::AssignmentResourceRole>>,
    evidence_of: &impl Fn(&'a AssignmentRequest) -> Evidence<'a>,
) {
    for (r, cause) in failed.iter().zip(causes.iter_mut()) {
        let request_level = cause.source == Source::Audit && cause.resource.is_none();
        if cause.source != Source::Unknown && !request_level {
            continue;
        }
        if let Some(found) = roles.get(&r.id.to_ascii_lowercase()) {
            let evidence = Evidence {
                resource_roles: Some(found),
                ..evidence_of(r)
            };
            *cause = diagnosis::cause_of(r, &evidence);
        }
    }
}

/// Says once how audit events were tied to requests.
fn note_correlation(
    matched: &HashMap<String, (Vec<&crate::graph::AuditEvent>, diagnosis::Correlation)>,
) {
    let by = |how| matched.values().filter(|(_, h)| *h == how).count();
    let (by_id, by_time) = (
        by(diagnosis::Correlation::RequestId),
        by(diagnosis::Correlation::RequestorPackageTime),
    );
    if by_id + by_time > 0 {
        diag::note(format!(
            "audit events matched {by_id} request(s) by request id and {by_time} by requestor, access package and time"
        ));
    }
}

/// `{"groups": [...]}` as one document, a group per line, a table, csv, or every request id.
fn report(ctx: &Context, groups: &[CauseGroup]) -> anyhow::Result<()> {
    match ctx.format {
        Format::Json => print_json(&serde_json::json!({ "groups": groups })),
        Format::Ids => {
            let ids: Vec<String> = groups
                .iter()
                .flat_map(|g| g.requests.iter().map(|id| crate::sanitize::line(id)))
                .collect();
            if ids.is_empty() {
                return Ok(());
            }
            print_raw(&ids.join("\n"))
        }
        format => {
            let mut writer = RecordWriter::new(format, ctx.style);
            writer.write_page(groups.to_vec())?;
            writer.finish(|_, _| std::cmp::Ordering::Equal)?;
            if format == Format::Table {
                let failed: usize = groups.iter().map(|g| g.count).sum();
                diag::note(format!(
                    "{failed} failed request(s) in {} cause(s)",
                    groups.len()
                ));
            }
            Ok(())
        }
    }
}
