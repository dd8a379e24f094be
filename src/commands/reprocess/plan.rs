//! Choosing what to reprocess: ids from arguments and stdin, listings, the picker, the
//! confirmation, and the journal's skips.

use super::{PlanItem, Step, error_info};
use crate::cli::ReprocessArgs;
use crate::commands::requests::with_package;
use crate::commands::{Context, parse_guid};
use crate::eligibility::{Eligibility, format_age, judge_request};
use crate::error::{CliError, ExitStatus};
use crate::graph::{AccessPackage, AssignmentRequest, GraphError, RequestFilter, RequestState};
use crate::journal::{self, JournalWriter};
use crate::output::{Progress, RequestRecord, diag, sanitize};
use chrono::{DateTime, Duration, Utc};
use futures_util::{StreamExt, stream};
use std::path::PathBuf;
use tokio::io::AsyncBufReadExt;

/// Ids from the command line and/or stdin: validated and de-duplicated before any call.
pub(super) async fn collect_ids(
    mut ids: Vec<String>,
    stdin: bool,
) -> Result<Vec<String>, CliError> {
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
pub(super) async fn plan_for_ids(
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
pub(super) async fn plan_for_listing(
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
    format!(
        "{} · {}",
        crate::output::requestor_label(request.requestor.as_ref()),
        crate::output::package_label(request.access_package.as_ref())
    )
}

/// The terminal multi-select (type to filter, space to toggle, enter to accept).
pub(super) async fn pick(offered: Vec<PlanItem>) -> anyhow::Result<Vec<PlanItem>> {
    if offered.is_empty() {
        return Ok(offered);
    }
    // inquire draws labels as they are: they go through the terminal sanitiser like a table.
    let labels: Vec<String> = offered
        .iter()
        .map(|p| {
            sanitize::line(&format!(
                "{} · {}",
                p.label.clone().unwrap_or_default(),
                p.id
            ))
        })
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

pub(super) async fn confirm(count: usize) -> anyhow::Result<bool> {
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
pub(super) fn journal_path(args: &ReprocessArgs) -> Option<PathBuf> {
    if args.no_journal {
        return None;
    }
    args.journal.clone().or_else(journal::default_path)
}

/// A request Graph accepted within the journal window is being retried by Graph itself:
/// sending it again achieves nothing.
pub(super) fn skip_recently_accepted(
    plan: &mut [PlanItem],
    path: &std::path::Path,
    graph: &str,
    now: DateTime<Utc>,
    journal_window: Duration,
) {
    // --journal-window is bounded, but a clock near its end must not panic either.
    let since = now
        .checked_sub_signed(journal_window)
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let accepted = match journal::accepted_since(path, graph, since) {
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
pub(super) fn open_journal(
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
