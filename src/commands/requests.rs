//! `ep requests list` and `ep requests show` (with the delivery section).

use super::{Context, delivery, packages, parse_guid};
use crate::cli::RequestsListArgs;
use crate::diag;
use crate::diagnosis::{self, DeliveryReport, Unavailable};
use crate::error::{CliError, ExitStatus};
use crate::graph::{RequestDetail, RequestFilter, RequestState};
use crate::output::{Format, Record, RecordWriter, RequestRecord, key_value_table, print_text};
use chrono::Utc;

pub async fn list(ctx: &Context, args: &RequestsListArgs) -> anyhow::Result<ExitStatus> {
    let states = parse_states(&args.state)?;
    let package = match &args.package {
        Some(arg) => Some(packages::resolve(ctx, arg).await?),
        None => None,
    };
    let reprocessable_only = args.reprocessable || args.closing_within.is_some();
    let filter = RequestFilter {
        package_id: package.as_ref().map(|p| p.id.clone()),
        states: effective_states(&states, reprocessable_only),
        lean: false,
    };
    let now = Utc::now();
    let window = args.window.window;
    let closing = |r: &RequestRecord| {
        args.closing_within.is_none_or(|within| {
            crate::eligibility::closes_within(&r.state, r.completed, now, window, within)
        })
    };
    let mut writer = RecordWriter::new(ctx.format, ctx.style);
    if package.is_some() {
        // Every row is of the package the command named, and the note below names it.
        writer = writer.hide_columns(&["PACKAGE"]);
    }
    let (mut shown, mut reprocessable, mut waiting) = (0usize, 0usize, 0usize);
    let progress = crate::output::Progress::spinner("listing requests");
    // The failed states are few and what admins act on: listed until two passes agree.
    let failed_only = !filter.states.is_empty() && filter.states.iter().all(|s| s.is_failed());
    let on_page = |page: Vec<crate::graph::AssignmentRequest>| {
        progress.inc(page.len());
        let records: Vec<RequestRecord> = page
            .into_iter()
            .map(|r| RequestRecord::new(r.with_package(package.as_ref()), now, window))
            .filter(|r| !reprocessable_only || r.reprocessable)
            .filter(|r| !args.waiting || r.waiting_on_callback.is_some())
            .filter(closing)
            .collect();
        shown += records.len();
        reprocessable += records.iter().filter(|r| r.reprocessable).count();
        waiting += records
            .iter()
            .filter(|r| r.waiting_on_callback.is_some())
            .count();
        writer.write_page(records)
    };
    if failed_only {
        ctx.client.list_requests_settled(&filter, on_page).await?;
    } else {
        ctx.client.list_requests(&filter, on_page).await?;
    }
    progress.finish();
    writer.finish(RequestRecord::newest_first)?;
    if ctx.format == Format::Table {
        let scope = match &package {
            Some(p) => format!("in '{}'", p.display_name),
            None => "across all packages".into(),
        };
        diag::note(format!(
            "{shown} request(s) {scope}, {reprocessable} reprocessable (window {})",
            crate::eligibility::format_age(window)
        ));
        if waiting > 0 && !args.waiting {
            // Not failed, yet going nowhere: said apart, since reprocess cannot move them.
            diag::note(format!(
                "{waiting} request(s) wait on a custom extension's callback (not failed): list \
                 them with --waiting, move them on with 'ep resume'"
            ));
        }
    }
    Ok(ExitStatus::Success)
}

pub async fn show(
    ctx: &Context,
    raw_id: &str,
    window: chrono::Duration,
) -> anyhow::Result<ExitStatus> {
    let id = parse_guid(raw_id, "request id")?;
    let detail = get_request(ctx, &id).await?;
    let now = Utc::now();
    let report = delivery_report(ctx, &detail, now).await;
    let mut record = RequestRecord::new(detail.request, now, window);
    if report
        .cause
        .as_ref()
        .is_some_and(|c| c.reason == diagnosis::GUEST_SITE_PENDING)
    {
        record.assignment_note =
            Some("a new guest's site waits for SharePoint: reprocess cannot help");
    }
    match ctx.format {
        Format::Table => {
            let mut rows = request_rows(&record).to_vec();
            rows.extend(subject_and_wait_rows(&record));
            print_text(&key_value_table(&rows).to_string())?;
            print_text(&crate::output::delivery_text(&report))?;
        }
        Format::Json => crate::output::print_json(&ShownRequest {
            record: &record,
            delivery: &report,
        })?,
        _ => {
            let mut writer = RecordWriter::new(ctx.format, ctx.style);
            writer.write_page(vec![record])?;
            writer.finish(|a: &RequestRecord, b| a.id().cmp(b.id()))?;
        }
    }
    Ok(ExitStatus::Success)
}

/// `requests show -o json`: the request, and why its delivery went as it did.
#[derive(serde::Serialize)]
struct ShownRequest<'a> {
    #[serde(flatten)]
    record: &'a RequestRecord,
    delivery: &'a DeliveryReport,
}

/// The delivery section: expected resources (with beta's status), callouts, audit events and
/// the cause, each source read as far as it can be.
async fn delivery_report(
    ctx: &Context,
    detail: &RequestDetail,
    now: chrono::DateTime<Utc>,
) -> DeliveryReport {
    let request = &detail.request;
    let packages: Vec<String> = request
        .access_package
        .iter()
        .map(|p| p.id.clone())
        .collect();
    let one = [request];
    let ((expected, mut unavailable), audit) = tokio::join!(
        delivery::expected_for(ctx, &packages),
        delivery::audit_events_of_one(ctx, request, now)
    );
    let events = audit.unwrap_or_else(|u| {
        unavailable.push(u);
        Vec::new()
    });
    if let Some(note) = delivery::retention_note(&one, now) {
        unavailable.push(Unavailable {
            source: "auditLog".into(),
            reason: note,
            hint: "archive the audit log to Azure Monitor to keep it longer".into(),
        });
    }
    let roles = show_roles(ctx, detail, &mut unavailable).await;
    let mut matched = diagnosis::correlate(&one, &events, now);
    let (events, how) = match matched.remove(&request.id) {
        Some((events, how)) => (events, Some(how)),
        None => (Vec::new(), None),
    };
    let expected = packages
        .first()
        .and_then(|p| expected.get(&p.to_ascii_lowercase()))
        .map(Vec::as_slice)
        .unwrap_or_default();
    DeliveryReport::new(
        request,
        expected,
        events,
        how,
        roles.as_deref(),
        unavailable,
    )
}

/// beta's resource roles of the request (read in v1.0 mode too), or why they were not read.
async fn show_roles(
    ctx: &Context,
    detail: &RequestDetail,
    unavailable: &mut Vec<Unavailable>,
) -> Option<Vec<crate::graph::AssignmentResourceRole>> {
    match delivery::roles_of(ctx, detail).await {
        Ok(roles) => Some(roles),
        Err(e) => {
            unavailable.push(delivery::source_error(
                "resourceRoles",
                &e,
                "resource roles",
            ));
            None
        }
    }
}

/// One request by id; a 404 becomes "not found" with a hint where to look instead.
async fn get_request(ctx: &Context, id: &str) -> anyhow::Result<RequestDetail> {
    match ctx.client.get_request_detail(id).await {
        Ok(r) => Ok(r),
        Err(e) if e.status() == Some(404) => Err(CliError::not_found(format!(
            "no assignment request with id {id}"
        ))
        .with_hint("'ep requests list --package NAME' shows a package's requests")
        .into()),
        Err(e) => Err(e.into()),
    }
}

/// The table form of `ep requests show`: one labelled row per field, `-` for what is missing.
fn request_rows(record: &RequestRecord) -> [(&'static str, String); 13] {
    let r = record.requestor.clone().unwrap_or_default();
    let p = record.access_package.clone().unwrap_or_default();
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    [
        ("id", record.id.clone()),
        ("state", record.state.to_string()),
        ("status", or_dash(record.status.clone())),
        ("request type", or_dash(record.request_type.clone())),
        ("created", or_dash(record.created_date_time.clone())),
        (
            "completed",
            match &record.completed_date_time {
                Some(t) => format!("{t} ({})", record.age_label()),
                None => "-".into(),
            },
        ),
        ("requestor", or_dash(r.display_name)),
        ("principal name", or_dash(r.principal_name)),
        ("email", or_dash(r.email)),
        ("object id", or_dash(r.object_id)),
        ("access package", or_dash(p.display_name)),
        (
            "access package id",
            if p.id.is_empty() { "-".into() } else { p.id },
        ),
        ("reprocessable", record.verdict_label()),
    ]
}

/// What `requests show` adds for a subject that is not a user, and for a request held by a
/// custom extension: its kind, and since when and at which stage it waits.
fn subject_and_wait_rows(record: &RequestRecord) -> Vec<(&'static str, String)> {
    let mut rows = Vec::new();
    if let Some(kind) = record
        .requestor
        .as_ref()
        .and_then(|r| r.subject_type.clone())
    {
        rows.push(("subject type", kind));
    }
    if let Some(w) = &record.waiting_on_callback {
        let since = match (&w.since, record.created) {
            (Some(t), Some(at)) => format!(
                "{t} (up to {} ago)",
                crate::eligibility::format_age(record.judged_at - at)
            ),
            _ => "-".into(),
        };
        rows.push(("waiting on callback since", since));
        rows.push((
            "stage",
            w.stage
                .clone()
                .unwrap_or_else(|| "unknown: give 'ep resume --stage'".into()),
        ));
        rows.push((
            "callout",
            w.callout_id.clone().unwrap_or_else(|| "-".into()),
        ));
    }
    rows
}

/// `--state` values: Graph's v1.0 or beta spelling or the portal's words ("Delivery failed"),
/// in any case, and `failed` for both failed states. A value that is none of them is refused with
/// the states it may have meant.
pub fn parse_states(raw: &[String]) -> Result<Vec<RequestState>, CliError> {
    let mut states = Vec::new();
    for value in raw.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        for state in state_words(value)? {
            if !states.contains(&state) {
                states.push(state);
            }
        }
    }
    Ok(states)
}

/// What one `--state` value stands for. The portal writes states as words ("Partially
/// delivered"); without the spaces, dashes and underscores they are Graph's names.
fn state_words(value: &str) -> Result<Vec<RequestState>, CliError> {
    let squeezed: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '_')
        .collect();
    if squeezed.eq_ignore_ascii_case("failed") {
        return Ok(RequestState::FAILED.to_vec());
    }
    match RequestState::parse(&squeezed) {
        RequestState::Other(_) => {
            let known: Vec<&str> = RequestState::KNOWN.iter().map(|s| s.as_v1()).collect();
            let near = crate::suggest::near(
                &squeezed,
                known.iter().copied().chain(std::iter::once("failed")),
                2,
            );
            let hint = if near.is_empty() {
                format!(
                    "states are: {}; 'failed' means deliveryFailed and partiallyDelivered, and \
                     the portal's words work too (\"Delivery failed\")",
                    known.join(", ")
                )
            } else {
                format!("did you mean {}", near.join(" or "))
            };
            Err(
                CliError::usage(format!("--state: '{value}' is not a request state"))
                    .with_hint(hint),
            )
        }
        state => Ok(vec![state]),
    }
}

/// `--reprocessable` narrows to the failed states, so the server sends less.
fn effective_states(states: &[RequestState], reprocessable: bool) -> Vec<RequestState> {
    if !reprocessable {
        return states.to_vec();
    }
    if states.is_empty() {
        return RequestState::FAILED.to_vec();
    }
    let narrowed: Vec<RequestState> = states.iter().filter(|s| s.is_failed()).cloned().collect();
    if narrowed.is_empty() {
        // Asked for states that can never be reprocessable: keep the filter so nothing matches.
        states.to_vec()
    } else {
        narrowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_accept_both_vocabularies_and_reject_typos() {
        let s = parse_states(&[
            "DeliveryFailed".into(),
            "partiallyDelivered".into(),
            "deliveryfailed".into(),
        ])
        .unwrap();
        assert_eq!(
            s,
            vec![
                RequestState::DeliveryFailed,
                RequestState::PartiallyDelivered
            ]
        );
        let err = parse_states(&["bogus".into()]).unwrap_err();
        assert!(err.hint.unwrap().contains("deliveryFailed"));
        let err = parse_states(&["faild".into()]).unwrap_err();
        assert_eq!(err.hint.as_deref(), Some("did you mean failed"));
        let err = parse_states(&["delivred".into()]).unwrap_err();
        assert_eq!(err.hint.as_deref(), Some("did you mean delivered"));
    }

    #[test]
    fn the_portals_words_and_failed_are_states_too() {
        let s = |words: &[&str]| {
            parse_states(&words.iter().map(|w| w.to_string()).collect::<Vec<_>>()).unwrap()
        };
        assert_eq!(s(&["Delivery failed"]), vec![RequestState::DeliveryFailed]);
        assert_eq!(
            s(&["PARTIALLY DELIVERED", "pending approval"]),
            vec![
                RequestState::PartiallyDelivered,
                RequestState::PendingApproval
            ]
        );
        assert_eq!(
            s(&["Delivered", "delivering"]),
            vec![RequestState::Delivered, RequestState::Delivering]
        );
        assert_eq!(s(&["failed"]), RequestState::FAILED.to_vec());
        assert_eq!(
            s(&["Failed", "deliveryFailed", "delivery-failed"]),
            RequestState::FAILED.to_vec(),
            "each state once"
        );
    }

    #[test]
    fn reprocessable_narrows_states() {
        assert_eq!(effective_states(&[], true), RequestState::FAILED.to_vec());
        assert_eq!(
            effective_states(
                &[RequestState::Delivered, RequestState::DeliveryFailed],
                true
            ),
            vec![RequestState::DeliveryFailed]
        );
        assert_eq!(
            effective_states(&[RequestState::Delivered], true),
            vec![RequestState::Delivered]
        );
        assert!(effective_states(&[], false).is_empty());
    }
}
