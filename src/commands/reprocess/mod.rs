//! `ep reprocess`: select requests, check each, send `reprocess` to the eligible ones, and report
//! exactly what happened to every selected request.

use super::{Context, packages};
use crate::cli::ReprocessArgs;
use crate::commands::interrupt::{GRACE, Interrupt};
use crate::diag;
use crate::error::{CliError, ExitStatus, is_broken_pipe, status_exit};
use crate::graph::{AccessPackage, GraphError};
use crate::output::{
    ErrorInfo, Format, Outcome, RecordWriter, ReprocessResult, ReprocessSummary, print_json,
    print_text,
};
use chrono::Utc;

mod pipeline;
mod plan;
mod send;

use plan::{
    collect_ids, confirm, journal_path, open_journal, pick, plan_for_ids, plan_for_listing,
    skip_recently_accepted,
};
use send::{Sent, execute, wait_for_final};

/// How the user chose what to reprocess.
pub enum Selection {
    Ids { ids: Vec<String>, stdin: bool },
    All { package: String },
    AllFailed { package: Option<String> },
    Pick { package: String },
}

impl Selection {
    /// Bulk selections ask for confirmation at a terminal.
    fn is_bulk(&self) -> bool {
        matches!(self, Selection::All { .. } | Selection::AllFailed { .. })
    }
}

/// What will be done with one selected request.
struct PlanItem {
    id: String,
    label: Option<String>,
    step: Step,
    /// When the request completed, as the plan saw it: for the 7-versus-14-day question, and
    /// so `--wait` can tell a request that completed again from one still being retried.
    completed: Option<chrono::DateTime<Utc>>,
}

enum Step {
    Send,
    Skip(String),
    Fail(ErrorInfo),
}

/// What sending did, however the requests were chosen.
struct Run {
    sent: Sent,
    interrupt: std::sync::Arc<Interrupt>,
    /// The listing failed after some requests were already handled: reported after them.
    listing_error: Option<anyhow::Error>,
}

pub async fn run(
    ctx: &Context,
    args: &ReprocessArgs,
    selection: Selection,
) -> anyhow::Result<ExitStatus> {
    let now = Utc::now();
    let unattended = args.yes || !ctx.interactive;
    let Run {
        mut sent,
        interrupt,
        listing_error,
    } = if selection.is_bulk() && unattended && !args.dry_run {
        let package = listed_package(ctx, &selection).await?;
        pipeline::run(ctx, args, package, now).await?
    } else {
        match phased(ctx, args, selection, now).await? {
            Some(run) => run,
            None => return Ok(ExitStatus::Success),
        }
    };
    if args.wait && !args.dry_run && !interrupt.is_requested() {
        wait(ctx, args, &mut sent, &interrupt).await;
    }
    let summary = ReprocessSummary::new(args.dry_run, sent.results);
    // A reader that closed stdout early (`| head -1`) changes nothing that was done: the exit
    // code still says how the requests fared, as it would have with the whole summary read.
    match report(ctx, &summary, args.summary_file.as_deref()) {
        Err(e) if !is_broken_pipe(&e) => return Err(e),
        _ => {}
    }
    if let Some(e) = listing_error {
        return Err(e);
    }
    Ok(conclude(&summary, sent.beyond_portal_window, &interrupt))
}

/// The package a bulk selection lists, resolved from its id or name.
async fn listed_package(
    ctx: &Context,
    selection: &Selection,
) -> anyhow::Result<Option<AccessPackage>> {
    match selection {
        Selection::All { package }
        | Selection::AllFailed {
            package: Some(package),
        } => Ok(Some(packages::resolve(ctx, package).await?)),
        _ => Ok(None),
    }
}

/// List (or look up), ask at a terminal, then send; `None` when the answer was no.
async fn phased(
    ctx: &Context,
    args: &ReprocessArgs,
    selection: Selection,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<Option<Run>> {
    let bulk = selection.is_bulk();
    let journal_path = journal_path(args);
    let mut plan = make_plan(ctx, args, selection, now).await?;
    if let Some(path) = journal_path.as_ref().filter(|_| !args.force) {
        skip_recently_accepted(
            &mut plan,
            path,
            &ctx.client.graph_host(),
            now,
            args.journal_window,
        );
    }
    let to_send = plan.iter().filter(|p| matches!(p.step, Step::Send)).count();
    if !consented(ctx, args, bulk, plan.len(), to_send).await? {
        diag::note("nothing was sent");
        return Ok(None);
    }
    let interrupt = if args.dry_run || to_send == 0 {
        Interrupt::never()
    } else {
        Interrupt::install(GRACE)
    };
    let sent = if args.dry_run {
        dry_run(plan)
    } else {
        send_plan(
            ctx,
            args,
            plan,
            journal_path.as_deref(),
            to_send,
            &interrupt,
        )
        .await?
    };
    Ok(Some(Run {
        sent,
        interrupt,
        listing_error: None,
    }))
}

/// The requests the selection names, each with what will be done with it.
async fn make_plan(
    ctx: &Context,
    args: &ReprocessArgs,
    selection: Selection,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<Vec<PlanItem>> {
    let window = args.window.window;
    Ok(match selection {
        Selection::Ids { ids, stdin } => {
            let ids = collect_ids(ids, stdin).await?;
            plan_for_ids(ctx, ids, now, window, args.force, ctx.client.parallelism()).await?
        }
        Selection::All { package } => {
            let package = packages::resolve(ctx, &package).await?;
            plan_for_listing(ctx, Some(&package), now, window, args.closing_within).await?
        }
        Selection::AllFailed { package } => {
            let package = match package {
                Some(p) => Some(packages::resolve(ctx, &p).await?),
                None => None,
            };
            plan_for_listing(ctx, package.as_ref(), now, window, args.closing_within).await?
        }
        Selection::Pick { package } => {
            let package = packages::resolve(ctx, &package).await?;
            let offered =
                plan_for_listing(ctx, Some(&package), now, window, args.closing_within).await?;
            pick(offered).await?
        }
    })
}

/// Whether to go on: a bulk selection at a terminal asks first, unless `--yes` or a dry run.
async fn consented(
    ctx: &Context,
    args: &ReprocessArgs,
    bulk: bool,
    planned: usize,
    to_send: usize,
) -> anyhow::Result<bool> {
    if planned == 0 {
        diag::note("nothing to reprocess: no request in scope is reprocessable");
        return Ok(true);
    }
    let ask = to_send > 0 && bulk && !args.yes && !args.dry_run && ctx.interactive;
    Ok(!ask || confirm(to_send).await?)
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

/// Send the plan with its outcomes journaled; a journal the user named that cannot be written
/// stops the run before anything is sent.
async fn send_plan(
    ctx: &Context,
    args: &ReprocessArgs,
    plan: Vec<PlanItem>,
    journal_path: Option<&std::path::Path>,
    to_send: usize,
    interrupt: &Interrupt,
) -> anyhow::Result<Sent> {
    let journal = open_journal(args, journal_path, to_send)?;
    let sent = execute(&ctx.client, plan, journal.as_ref(), interrupt).await;
    if let Some(journal) = journal
        && let Err(e) = journal.close()
    {
        diag::warn(format!("the journal could not be written completely: {e}"));
    }
    Ok(sent)
}

/// `--wait`: watch what was accepted and record how each ended.
async fn wait(ctx: &Context, args: &ReprocessArgs, sent: &mut Sent, interrupt: &Interrupt) {
    let accepted: Vec<String> = sent
        .results
        .iter()
        .filter(|r| r.outcome == Outcome::Reprocessed)
        .map(|r| r.id.clone())
        .collect();
    let completed_before: std::collections::HashMap<String, Option<chrono::DateTime<Utc>>> = sent
        .results
        .iter()
        .filter(|r| r.outcome == Outcome::Reprocessed)
        .map(|r| (r.id.clone(), r.completed_before))
        .collect();
    // A signal while waiting stops the wait, not the report: everything was already sent.
    let finals = tokio::select! {
        finals = wait_for_final(&ctx.client, &accepted, &completed_before, args.timeout) => finals,
        () = interrupt.requested() => Default::default(),
    };
    for r in sent.results.iter_mut() {
        if let Some((state, end)) = finals.get(&r.id) {
            r.final_state = state.clone();
            r.wait_end = Some(*end);
            if let Some(note) = end.note() {
                r.add_note(note);
            }
        }
    }
}

/// The run's exit code, with a warning for whatever the table alone does not make plain.
fn conclude(
    summary: &ReprocessSummary,
    beyond_portal_window: usize,
    interrupt: &Interrupt,
) -> ExitStatus {
    if let Some(status) = interrupt.exit_status() {
        diag::warn(
            "interrupted: the summary above says what was and was not done; rerun to finish",
        );
        return status;
    }
    if beyond_portal_window > 0 {
        let days = send::PORTAL_WINDOW_DAYS;
        diag::warn(format!(
            "Graph refused {beyond_portal_window} request(s) completed more than {days} days ago: \
             it may allow only the portal's {days} days, not the documented 14; rerun with \
             --window {days}d so such requests are skipped with a reason instead"
        ));
    }
    let c = &summary.counts;
    let (failed_again, still_failing) = (c.failed_again.unwrap_or(0), c.still_failing.unwrap_or(0));
    if failed_again + still_failing > 0 {
        diag::warn(format!(
            "{failed_again} request(s) failed again after delivering, {still_failing} still \
             failing when --timeout ran out (the service may keep retrying them for hours)"
        ));
        return ExitStatus::PartialFailure;
    }
    exit_status(summary)
}

pub fn selection(args: &ReprocessArgs, interactive: bool) -> Result<Selection, CliError> {
    let stdin = args.ids.iter().any(|i| i == "-");
    let ids: Vec<String> = args.ids.iter().filter(|i| *i != "-").cloned().collect();
    let explicit = stdin || !ids.is_empty();
    let modes = [explicit, args.all, args.all_failed, args.select]
        .iter()
        .filter(|m| **m)
        .count();
    if modes > 1 {
        return Err(CliError::usage(
            "choose one way to select requests: ids, '-', --all, --all-failed or --select",
        ));
    }
    if args.select {
        if !interactive {
            return Err(CliError::usage("--select needs a terminal to pick from").with_hint(
                "without a terminal use --package X --all, request ids, or '-' to read ids from stdin",
            ));
        }
        return Ok(Selection::Pick {
            package: args.package.clone().unwrap_or_default(),
        });
    }
    if args.all {
        return Ok(Selection::All {
            package: args.package.clone().unwrap_or_default(),
        });
    }
    if args.all_failed {
        return Ok(Selection::AllFailed {
            package: args.package.clone(),
        });
    }
    if explicit {
        if args.package.is_some() {
            return Err(
                CliError::usage("--package selects nothing with explicit ids")
                    .with_hint("drop --package, or use --package X --all / --select"),
            );
        }
        return Ok(Selection::Ids { ids, stdin });
    }
    Err(CliError::usage("nothing selected to reprocess").with_hint(
        "give request ids, '-' to read ids from stdin, --package X --all, --all-failed, or --package X --select",
    ))
}

fn report(
    ctx: &Context,
    summary: &ReprocessSummary,
    summary_file: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    if let Some(path) = summary_file {
        crate::output::markdown::write_summary_file(path, summary);
    }
    match ctx.format {
        Format::Json => print_json(summary)?,
        Format::Markdown => print_text(&crate::output::markdown::summary(summary))?,
        Format::Table => {
            write_results(ctx, Format::Table, summary.results.iter())?;
            print_text(&summary.headline())?;
        }
        Format::Ids => {
            let sent = summary
                .results
                .iter()
                .filter(|r| matches!(r.outcome, Outcome::Reprocessed | Outcome::WouldReprocess));
            write_results(ctx, Format::Ids, sent)?;
            diag::note(summary.headline());
        }
        format => {
            write_results(ctx, format, summary.results.iter())?;
            diag::note(summary.headline());
        }
    }
    Ok(())
}

/// Results through the record writer a page at a time, so a run of tens of thousands is not
/// copied whole to be printed.
fn write_results<'a>(
    ctx: &Context,
    format: Format,
    results: impl Iterator<Item = &'a ReprocessResult>,
) -> anyhow::Result<()> {
    let mut writer = RecordWriter::new(format, ctx.style);
    let mut results = results.peekable();
    while results.peek().is_some() {
        writer.write_page(results.by_ref().take(1000).cloned().collect())?;
    }
    writer.finish(|_, _| std::cmp::Ordering::Equal)
}

/// 0 when nothing failed. When everything that failed failed for one reason and nothing was
/// reprocessed, that reason's code (3 auth, 4 not found, 5 unavailable); otherwise 1.
fn exit_status(summary: &ReprocessSummary) -> ExitStatus {
    let failures: Vec<&ErrorInfo> = summary
        .results
        .iter()
        .filter(|r| r.outcome == Outcome::Failed)
        .filter_map(|r| r.error.as_ref())
        .collect();
    if failures.is_empty() {
        return ExitStatus::Success;
    }
    if summary.counts.reprocessed > 0 {
        return ExitStatus::PartialFailure;
    }
    let class = |e: &ErrorInfo| status_exit(e.status).unwrap_or(ExitStatus::PartialFailure);
    let first = class(failures[0]);
    if failures.iter().all(|e| class(e) == first) {
        first
    } else {
        ExitStatus::PartialFailure
    }
}

fn error_info(e: &GraphError) -> ErrorInfo {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn res(outcome: Outcome, status: Option<u16>) -> ReprocessResult {
        let mut r = ReprocessResult::new("x".into(), None, outcome);
        if outcome == Outcome::Failed {
            r.error = Some(ErrorInfo {
                status,
                code: "c".into(),
                message: "m".into(),
            });
        }
        r
    }

    #[test]
    fn exit_codes_follow_what_failed() {
        let s = |rs: Vec<ReprocessResult>| exit_status(&ReprocessSummary::new(false, rs));
        assert_eq!(
            s(vec![
                res(Outcome::Reprocessed, None),
                res(Outcome::Skipped, None)
            ]),
            ExitStatus::Success
        );
        assert_eq!(s(vec![]), ExitStatus::Success);
        assert_eq!(
            s(vec![
                res(Outcome::Reprocessed, None),
                res(Outcome::Failed, Some(404))
            ]),
            ExitStatus::PartialFailure
        );
        assert_eq!(
            s(vec![
                res(Outcome::Failed, Some(404)),
                res(Outcome::Failed, Some(404))
            ]),
            ExitStatus::NotFound
        );
        assert_eq!(s(vec![res(Outcome::Failed, Some(403))]), ExitStatus::Auth);
        assert_eq!(
            s(vec![res(Outcome::Failed, Some(429))]),
            ExitStatus::Unavailable
        );
        assert_eq!(
            s(vec![
                res(Outcome::Failed, Some(404)),
                res(Outcome::Failed, Some(403))
            ]),
            ExitStatus::PartialFailure
        );
        assert_eq!(
            s(vec![res(Outcome::Failed, Some(400))]),
            ExitStatus::PartialFailure
        );
    }
}
