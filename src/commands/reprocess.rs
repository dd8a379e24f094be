//! `ep reprocess`: select requests, check each, send `reprocess` to the eligible ones, and report
//! exactly what happened to every selected request.

use super::{Context, packages, parse_guid, requests::with_package};
use crate::cli::ReprocessArgs;
use crate::eligibility::{Eligibility, format_age, judge_request};
use crate::error::{CliError, ExitStatus};
use crate::graph::{
    AccessPackage, AssignmentRequest, GraphClient, GraphError, RequestFilter, RequestState,
    RetryPolicy, Tries,
};
use crate::interrupt::{GRACE, Interrupt};
use crate::journal::{self, JournalWriter};
use crate::output::Progress;
use crate::output::{
    ErrorInfo, Format, Outcome, RecordWriter, ReprocessResult, ReprocessSummary, RequestRecord,
    diag, print_json, print_text,
};
use chrono::{DateTime, Duration, Utc};
use futures_util::{StreamExt, stream};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::io::AsyncBufReadExt;

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
}

enum Step {
    Send,
    Skip(String),
    Fail(ErrorInfo),
}

pub async fn run(ctx: &Context, args: &ReprocessArgs) -> anyhow::Result<ExitStatus> {
    let selection = selection(args, ctx.interactive)?;
    let now = Utc::now();
    let window = args.window.window;
    let bulk = selection.is_bulk();
    let journal_path = journal_path(args);
    let mut plan = match selection {
        Selection::Ids { ids, stdin } => {
            let ids = collect_ids(ids, stdin).await?;
            plan_for_ids(ctx, ids, now, window, args.force, ctx.client.parallelism()).await?
        }
        Selection::All { package } => {
            let package = packages::resolve(ctx, &package).await?;
            plan_for_listing(ctx, Some(&package), now, window).await?
        }
        Selection::AllFailed { package } => {
            let package = match package {
                Some(p) => Some(packages::resolve(ctx, &p).await?),
                None => None,
            };
            plan_for_listing(ctx, package.as_ref(), now, window).await?
        }
        Selection::Pick { package } => {
            let package = packages::resolve(ctx, &package).await?;
            let offered = plan_for_listing(ctx, Some(&package), now, window).await?;
            pick(offered).await?
        }
    };

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
    if plan.is_empty() {
        diag::note("nothing to reprocess: no request in scope is reprocessable");
    } else if to_send > 0
        && bulk
        && !args.yes
        && !args.dry_run
        && ctx.interactive
        && !confirm(to_send).await?
    {
        diag::note("nothing was sent");
        return Ok(ExitStatus::Success);
    }

    let interrupt = if args.dry_run || to_send == 0 {
        Interrupt::never()
    } else {
        Interrupt::install(GRACE)
    };
    let mut results = if args.dry_run {
        plan.into_iter()
            .map(|item| match item.step {
                Step::Send => result(item.id, item.label, Outcome::WouldReprocess),
                Step::Skip(reason) => skipped(item.id, item.label, reason),
                Step::Fail(error) => failed(item.id, item.label, error),
            })
            .collect()
    } else {
        let journal = open_journal(args, journal_path.as_deref(), to_send)?;
        let results = execute(&ctx.client, plan, journal.as_ref(), &interrupt).await;
        if let Some(journal) = journal {
            if let Err(e) = journal.close() {
                diag::warn(format!("the journal could not be written completely: {e}"));
            }
        }
        results
    };

    let mut refailed = 0;
    if args.wait && !args.dry_run && !interrupt.is_requested() {
        let accepted: Vec<String> = results
            .iter()
            .filter(|r| r.outcome == Outcome::Reprocessed)
            .map(|r| r.id.clone())
            .collect();
        let finals = wait_for_final(&ctx.client, &accepted, args.timeout).await;
        for r in results.iter_mut() {
            if let Some(state) = finals.get(&r.id) {
                refailed += usize::from(state.is_failed());
                r.final_state = Some(state.clone());
            }
        }
    }

    let summary = ReprocessSummary::new(args.dry_run, results);
    report(ctx, &summary)?;
    if interrupt.is_requested() {
        diag::warn(
            "interrupted: the summary above says what was and was not done; rerun to finish",
        );
        return Ok(ExitStatus::Interrupted);
    }
    if args.wait && refailed > 0 {
        diag::warn(format!(
            "{refailed} request(s) failed again after reprocessing"
        ));
        return Ok(ExitStatus::PartialFailure);
    }
    Ok(exit_status(&summary))
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

/// Ids from the command line and/or stdin: validated and de-duplicated before any call.
async fn collect_ids(mut ids: Vec<String>, stdin: bool) -> Result<Vec<String>, CliError> {
    let mut from_stdin = 0usize;
    if stdin {
        let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
        let mut line_no = 0usize;
        loop {
            let line = match lines.next_line().await {
                Ok(Some(line)) => line,
                Ok(None) => break,
                Err(e) => {
                    return Err(CliError::usage(format!(
                        "could not read ids from stdin: {e}"
                    )));
                }
            };
            line_no += 1;
            let content = line.split('#').next().unwrap_or_default().trim();
            if content.is_empty() {
                continue;
            }
            let id = parse_guid(content, "request id").map_err(|e| CliError {
                message: format!("stdin line {line_no}: {}", e.message),
                ..e
            })?;
            ids.push(id);
            from_stdin += 1;
        }
        if from_stdin == 0 && ids.is_empty() {
            return Err(CliError::usage("no request ids on stdin").with_hint(
                "pipe ids one per line, e.g. ep requests list --package X --reprocessable -o ids | ep reprocess -",
            ));
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut unique = Vec::with_capacity(ids.len());
    for raw in ids {
        let id = parse_guid(&raw, "request id")?;
        if seen.insert(id.clone()) {
            unique.push(id);
        }
    }
    Ok(unique)
}

/// Look up each named request; judge it now, against the current state rather than what a
/// listing said earlier.
async fn plan_for_ids(
    ctx: &Context,
    ids: Vec<String>,
    now: DateTime<Utc>,
    window: Duration,
    force: bool,
    concurrency: usize,
) -> anyhow::Result<Vec<PlanItem>> {
    let mut looked_up: Vec<(usize, String, Result<AssignmentRequest, GraphError>)> =
        stream::iter(ids.into_iter().enumerate())
            .map(|(i, id)| {
                let client = ctx.client.clone();
                async move {
                    let found = client.get_request(&id).await;
                    (i, id, found)
                }
            })
            .buffer_unordered(concurrency)
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
                plan.push(PlanItem { id, label, step });
            }
            // A request that cannot be found, or an id Graph calls invalid, fails alone.
            Err(e) if matches!(e.status(), Some(400 | 404)) => plan.push(PlanItem {
                id,
                label: None,
                step: Step::Fail(error_info(&e)),
            }),
            // Anything else (no permission, Graph down) would fail every id the same way:
            // stop before sending anything.
            Err(e) => return Err(anyhow::Error::new(e).context(format!("checking request {id}"))),
        }
    }
    Ok(plan)
}

/// Every reprocessable request of a package (or the tenant).
async fn plan_for_listing(
    ctx: &Context,
    package: Option<&AccessPackage>,
    now: DateTime<Utc>,
    window: Duration,
) -> anyhow::Result<Vec<PlanItem>> {
    let filter = RequestFilter {
        package_id: package.map(|p| p.id.clone()),
        states: RequestState::FAILED.to_vec(),
    };
    let mut records = Vec::new();
    let mut outside = 0usize;
    let progress = Progress::spinner("listing failed requests");
    ctx.client
        .list_requests(&filter, |page| {
            progress.inc(page.len());
            for request in page {
                let record = RequestRecord::new(with_package(request, package), now, window);
                if record.reprocessable {
                    records.push(record);
                } else {
                    outside += 1;
                }
            }
            Ok(())
        })
        .await?;
    progress.finish();
    if outside > 0 {
        diag::note(format!(
            "{outside} failed request(s) left out: completed more than {} ago or without a completion time \
             (see 'ep requests list --state deliveryFailed,partiallyDelivered')",
            format_age(window)
        ));
    }
    records.sort_by(RequestRecord::newest_first);
    Ok(records
        .into_iter()
        .map(|r| PlanItem {
            label: Some(format!(
                "{} · {} · {} · completed {}",
                r.requestor_label(),
                r.package_label(),
                r.state,
                r.age_label()
            )),
            id: r.id,
            step: Step::Send,
        })
        .collect())
}

fn label(request: &AssignmentRequest) -> String {
    let record = RequestRecord::new(request.clone(), Utc::now(), Duration::days(14));
    format!("{} · {}", record.requestor_label(), record.package_label())
}

/// The terminal multi-select (type to filter, space to toggle, enter to accept).
async fn pick(offered: Vec<PlanItem>) -> anyhow::Result<Vec<PlanItem>> {
    if offered.is_empty() {
        return Ok(offered);
    }
    let labels: Vec<String> = offered
        .iter()
        .map(|p| format!("{} · {}", p.label.clone().unwrap_or_default(), p.id))
        .collect();
    let chosen = tokio::task::spawn_blocking(move || {
        inquire::MultiSelect::new(
            "Reprocess which requests? (type to filter, space to select, → all, enter to confirm)",
            labels,
        )
        .with_page_size(15)
        .raw_prompt()
    })
    .await?;
    let indexes: Vec<usize> = match chosen {
        Ok(options) => options.into_iter().map(|o| o.index).collect(),
        Err(inquire::InquireError::OperationCanceled) => Vec::new(),
        Err(inquire::InquireError::OperationInterrupted) => {
            return Err(
                CliError::new(ExitStatus::Interrupted, "interrupted; nothing was sent").into(),
            );
        }
        Err(e) => return Err(CliError::usage(format!("the picker failed: {e}")).into()),
    };
    if indexes.is_empty() {
        diag::note("nothing selected");
    }
    Ok(offered
        .into_iter()
        .enumerate()
        .filter(|(i, _)| indexes.contains(i))
        .map(|(_, p)| p)
        .collect())
}

async fn confirm(count: usize) -> anyhow::Result<bool> {
    let answer = tokio::task::spawn_blocking(move || {
        inquire::Confirm::new(&format!("Reprocess {count} request(s)?"))
            .with_default(false)
            .with_help_message("--yes skips this question")
            .prompt()
    })
    .await?;
    match answer {
        Ok(yes) => Ok(yes),
        Err(inquire::InquireError::OperationCanceled) => Ok(false),
        Err(inquire::InquireError::OperationInterrupted) => {
            Err(CliError::new(ExitStatus::Interrupted, "interrupted; nothing was sent").into())
        }
        Err(e) => Err(CliError::usage(format!("could not ask for confirmation: {e}")).into()),
    }
}

/// The journal to use: `--journal`, else the default location, none with `--no-journal`.
fn journal_path(args: &ReprocessArgs) -> Option<PathBuf> {
    if args.no_journal {
        return None;
    }
    args.journal.clone().or_else(journal::default_path)
}

/// A request Graph accepted within the journal window is being retried by Graph itself:
/// sending it again achieves nothing.
fn skip_recently_accepted(
    plan: &mut [PlanItem],
    path: &std::path::Path,
    graph: &str,
    now: DateTime<Utc>,
    journal_window: Duration,
) {
    let accepted = match journal::accepted_since(path, graph, now - journal_window) {
        Ok(a) => a,
        Err(e) => {
            diag::warn(format!(
                "could not read the journal {}: {e}",
                path.display()
            ));
            return;
        }
    };
    let mut skipped_count = 0;
    for item in plan.iter_mut() {
        if !matches!(item.step, Step::Send) {
            continue;
        }
        if let Some(at) = accepted.get(&item.id) {
            item.step = Step::Skip(format!(
                "reprocessed {} ago by ep (journal); Graph keeps retrying it for several hours, --force sends it again",
                format_age(now - *at)
            ));
            skipped_count += 1;
        }
    }
    if skipped_count > 0 {
        diag::note(format!(
            "{skipped_count} request(s) were reprocessed less than {} ago (journal {}); skipping them",
            format_age(journal_window),
            path.display()
        ));
    }
}

/// Open the journal before anything is sent. A journal the user named must work; the default
/// one is a convenience, and a machine without a writable state directory still runs.
fn open_journal(
    args: &ReprocessArgs,
    path: Option<&std::path::Path>,
    to_send: usize,
) -> anyhow::Result<Option<JournalWriter>> {
    let Some(path) = path else { return Ok(None) };
    if to_send == 0 {
        return Ok(None);
    }
    match JournalWriter::open(path) {
        Ok(w) => Ok(Some(w)),
        Err(e) if args.journal.is_some() => Err(CliError::usage(format!(
            "cannot write the journal {}: {e}",
            path.display()
        ))
        .with_hint("choose a writable --journal FILE, or --no-journal")
        .into()),
        Err(e) => {
            diag::warn(format!("no journal this run ({}: {e})", path.display()));
            Ok(None)
        }
    }
}

/// Send the plan; results come back in plan order. Each outcome is journaled as it happens.
async fn execute(
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
async fn wait_for_final(
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

fn report(ctx: &Context, summary: &ReprocessSummary) -> anyhow::Result<()> {
    match ctx.format {
        Format::Json => print_json(summary)?,
        Format::Table => {
            let mut writer = RecordWriter::new(Format::Table, ctx.style);
            writer.write_page(summary.results.clone())?;
            writer.finish(|_, _| std::cmp::Ordering::Equal)?;
            print_text(&summary.headline())?;
        }
        Format::Ids => {
            let mut writer = RecordWriter::new(Format::Ids, ctx.style);
            writer.write_page(
                summary
                    .results
                    .iter()
                    .filter(|r| matches!(r.outcome, Outcome::Reprocessed | Outcome::WouldReprocess))
                    .cloned()
                    .collect(),
            )?;
            writer.finish(|_, _| std::cmp::Ordering::Equal)?;
            diag::note(summary.headline());
        }
        format => {
            let mut writer = RecordWriter::new(format, ctx.style);
            writer.write_page(summary.results.clone())?;
            writer.finish(|_, _| std::cmp::Ordering::Equal)?;
            diag::note(summary.headline());
        }
    }
    Ok(())
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
    let class = |e: &ErrorInfo| match e.status {
        Some(401 | 403) => ExitStatus::Auth,
        Some(404) => ExitStatus::NotFound,
        Some(429) | Some(500..=599) | None => ExitStatus::Unavailable,
        _ => ExitStatus::PartialFailure,
    };
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
        GraphError::RetriesExhausted { last, .. } => {
            let mut info = error_info(last);
            info.message = e.to_string();
            info
        }
        other => ErrorInfo {
            status: None,
            code: match other {
                GraphError::Transport { .. } => "transportError".into(),
                GraphError::Auth(_) => "authenticationFailed".into(),
                _ => "badResponse".into(),
            },
            message: other.to_string(),
        },
    }
}

fn result(id: String, label: Option<String>, outcome: Outcome) -> ReprocessResult {
    ReprocessResult {
        id,
        outcome,
        final_state: None,
        error: None,
        reason: None,
        label,
    }
}

fn skipped(id: String, label: Option<String>, reason: String) -> ReprocessResult {
    ReprocessResult {
        reason: Some(reason),
        ..result(id, label, Outcome::Skipped)
    }
}

fn failed(id: String, label: Option<String>, error: ErrorInfo) -> ReprocessResult {
    ReprocessResult {
        error: Some(error),
        ..result(id, label, Outcome::Failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(outcome: Outcome, status: Option<u16>) -> ReprocessResult {
        let mut r = result("x".into(), None, outcome);
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
