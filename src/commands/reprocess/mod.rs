//! `ep reprocess`: the arguments mapped into the engine ([`crate::reprocess`]), the terminal's
//! prompts and progress as its frontend, and its report out as a summary and an exit code.

use super::{Context, packages};
use crate::cli::ReprocessArgs;
use crate::diag;
use crate::error::{CliError, ExitStatus, is_broken_pipe, status_exit};
use crate::interrupt::{GRACE, Interrupt, Signal};
use crate::output::{
    ErrorInfo, Format, Outcome, Progress, QueryError, RecordWriter, ReprocessResult,
    ReprocessSummary, WaitEnd, print_json, print_text,
};
use crate::reprocess::{
    self, EngineError, Frontend, JournalChoice, Options, PlanItem, Report, Scope, Tally,
};
use chrono::Utc;
use std::sync::{Arc, OnceLock};

pub(super) mod input;
pub(super) mod prompt;
mod screen;

/// How the user chose what to reprocess.
pub enum Selection {
    Ids { ids: Vec<String>, stdin: bool },
    All { package: String },
    AllFailed { package: Option<String> },
    Pick { package: String },
}

pub async fn run(
    ctx: &Context,
    args: &ReprocessArgs,
    selection: Selection,
) -> anyhow::Result<ExitStatus> {
    let options = Options {
        now: Utc::now(),
        window: args.window.window,
        closing_within: args.closing_within,
        force: args.force,
        dry_run: args.dry_run,
        unattended: args.yes || !ctx.interactive,
        journal: journal_choice(&args.journal),
        journal_window: args.journal.journal_window,
        wait: args.wait.then_some(args.timeout),
    };
    let scope = scope(ctx, selection).await?;
    let frontend = Terminal {
        ask: !options.unattended,
        full_ids: ctx.style.full_ids,
        interrupt: OnceLock::new(),
    };
    let report = reprocess::run(&ctx.client, scope, &options, &frontend)
        .await
        .map_err(journal_refused)?;
    if report.declined && report.results.is_empty() {
        return Ok(ExitStatus::Success);
    }
    let established = report.established();
    let Report {
        results,
        recheck,
        listing_error,
        beyond_portal_window,
        signal,
        ..
    } = report;
    let mut summary = ReprocessSummary::new(args.dry_run, results);
    summary.interrupted = signal.map(Signal::name);
    if let Some(recheck) = &recheck {
        summary.counts.found_on_recheck = Some(recheck.found);
        summary.counts.recheck_passes = Some(recheck.passes);
        summary.counts.established = Some(established);
    }
    after_printing(report_summary(ctx, &summary, args.summary_file.as_deref()))?;
    if let Some(e) = listing_error {
        return Err(after_sending(e, summary.counts.reprocessed));
    }
    Ok(conclude(
        &summary,
        beyond_portal_window,
        signal,
        established,
    ))
}

/// What printing a summary's failure means once requests were sent. A reader that closed
/// stdout early (`| head -1`) changes nothing that was done: the exit code still says how the
/// requests fared, as it would have with the whole summary read. The same holds for a --query
/// that fails on the summary: it is reported, and the exit code is the run's, not a usage
/// error's, since what was sent was sent.
pub(super) fn after_printing(printed: anyhow::Result<()>) -> anyhow::Result<()> {
    match printed {
        Err(e) if is_broken_pipe(&e) => Ok(()),
        Err(e) if e.downcast_ref::<QueryError>().is_some() => {
            diag::error(&e.to_string(), Some(crate::error::QUERY_HINT));
            Ok(())
        }
        other => other,
    }
}

/// A listing that failed after some requests were sent: the error as it is, with word that what
/// was sent is in the summary above and a rerun will not send it again. Only here: a command that
/// sent nothing has nothing to point at.
fn after_sending(e: anyhow::Error, reprocessed: usize) -> anyhow::Error {
    if reprocessed == 0 {
        return e;
    }
    let report = crate::error::classify(&e);
    let sent = format!(
        "the {reprocessed} request(s) already reprocessed are in the summary above; a rerun does \
         not send them again"
    );
    let hint = match report.hint {
        Some(hint) => format!("{hint}; {sent}"),
        None => sent,
    };
    CliError::new(report.status, report.message)
        .with_hint(hint)
        .into()
}

/// The selection as the engine's scope: ids read and checked, packages resolved.
async fn scope(ctx: &Context, selection: Selection) -> anyhow::Result<Scope> {
    Ok(match selection {
        Selection::Ids { ids, stdin } => Scope::Ids(input::collect_ids(ids, stdin).await?),
        Selection::All { package } => Scope::Listing {
            package: Some(packages::resolve(ctx, &package).await?),
            pick: false,
        },
        Selection::AllFailed { package } => Scope::Listing {
            package: match package {
                Some(p) => Some(packages::resolve(ctx, &p).await?),
                None => None,
            },
            pick: false,
        },
        Selection::Pick { package } => Scope::Listing {
            package: Some(packages::resolve(ctx, &package).await?),
            pick: true,
        },
    })
}

/// The journal to use: `--journal`, else the default location, none with `--no-journal`.
pub(super) fn journal_choice(args: &crate::cli::JournalArgs) -> Option<JournalChoice> {
    if args.no_journal {
        return None;
    }
    match &args.journal {
        Some(path) => Some(JournalChoice {
            path: path.clone(),
            named: true,
        }),
        None => crate::journal::default_path().map(|path| JournalChoice { path, named: false }),
    }
}

/// A journal the user named that cannot be written stops the run before anything is sent.
fn journal_refused(e: anyhow::Error) -> anyhow::Error {
    match e.downcast::<EngineError>() {
        Ok(EngineError::Journal { path, source }) => CliError::usage(format!(
            "cannot write the journal {}: {source}",
            path.display()
        ))
        .with_hint("choose a writable --journal FILE, or --no-journal")
        .into(),
        Err(e) => e,
    }
}

/// A terminal (or none): asks where a person is there to answer, draws progress where one can
/// see it, and takes over Ctrl-C and SIGTERM once sending starts.
struct Terminal {
    /// A person is there to answer and did not say `--yes`: the engine's `!unattended`.
    ask: bool,
    /// `--full-ids`, for the picker's labels.
    full_ids: bool,
    interrupt: OnceLock<Arc<Interrupt>>,
}

#[async_trait::async_trait]
impl Frontend for Terminal {
    async fn consent(&self, count: usize, recheck: bool) -> anyhow::Result<bool> {
        if !self.ask {
            return Ok(true);
        }
        prompt::confirm(count, recheck).await
    }

    async fn pick(&self, offered: Vec<PlanItem>) -> anyhow::Result<Vec<PlanItem>> {
        prompt::pick(offered, self.full_ids).await
    }

    fn progress(&self, label: &str, total: Option<usize>) -> Box<dyn Tally> {
        Box::new(match total {
            Some(len) => Progress::bar(len, label),
            None => Progress::spinner(label),
        })
    }

    fn interrupt(&self) -> Arc<Interrupt> {
        self.interrupt
            .get_or_init(|| Interrupt::install(GRACE))
            .clone()
    }
}

impl Tally for Progress {
    fn inc(&self, n: usize) {
        Progress::inc(self, n);
    }

    fn finish(&self) {
        Progress::finish(self);
    }
}

/// The run's exit code, with a warning for whatever the table alone does not make plain.
fn conclude(
    summary: &ReprocessSummary,
    beyond_portal_window: usize,
    signal: Option<Signal>,
    established: bool,
) -> ExitStatus {
    if let Some(signal) = signal {
        let unknown: Vec<&str> = summary
            .results
            .iter()
            .filter(|r| reprocess::outcome_unknown(r))
            .map(|r| r.id.as_str())
            .collect();
        let mut warning = String::from(
            "interrupted: the summary above says what was and was not done; rerun to finish",
        );
        if !unknown.is_empty() {
            warning.push_str(&format!(
                " (a rerun checks first); outcome unknown for {} request(s): {}",
                unknown.len(),
                show_commands(&unknown)
            ));
        }
        diag::warn(warning);
        return match signal {
            Signal::Interrupt => ExitStatus::Interrupted,
            Signal::Terminate => ExitStatus::Terminated,
        };
    }
    if beyond_portal_window > 0 {
        let days = reprocess::PORTAL_WINDOW_DAYS;
        diag::warn(format!(
            "Graph refused {beyond_portal_window} request(s) completed more than {days} days ago: \
             it may allow only the portal's {days} days, not the documented 14; rerun with \
             --window {days}d so such requests are skipped with a reason instead"
        ));
    }
    let c = &summary.counts;
    let (failed_again, still_failing) = (c.failed_again.unwrap_or(0), c.still_failing.unwrap_or(0));
    if failed_again + still_failing > 0 {
        let troubled: Vec<&str> = summary
            .results
            .iter()
            .filter(|r| r.wait_end.is_some_and(WaitEnd::is_failure))
            .map(|r| r.id.as_str())
            .collect();
        diag::warn(format!(
            "{failed_again} request(s) failed again after delivering, {still_failing} still \
             failing when --timeout ran out (the service may keep retrying them for hours): {}",
            show_commands(&troubled)
        ));
        return ExitStatus::PartialFailure;
    }
    match exit_status(summary) {
        // Nothing failed, but the run could not show that nothing was left behind.
        ExitStatus::Success if !established => ExitStatus::PartialFailure,
        status => status,
    }
}

/// How many ids a warning names before it counts the rest.
const IDS_NAMED: usize = 3;

/// `see 'ep requests show A', 'ep requests show B' and 4 more`: the first few, ready to paste.
fn show_commands(ids: &[&str]) -> String {
    let named: Vec<String> = ids
        .iter()
        .take(IDS_NAMED)
        .map(|id| format!("'ep requests show {}'", crate::sanitize::excerpt(id)))
        .collect();
    let mut line = format!("see {}", named.join(", "));
    if ids.len() > IDS_NAMED {
        line.push_str(&format!(
            " and {} more in the summary",
            ids.len() - IDS_NAMED
        ));
    }
    line
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

fn report_summary(
    ctx: &Context,
    summary: &ReprocessSummary,
    summary_file: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    if let Some(path) = summary_file {
        crate::output::markdown::write_summary_file(path, summary);
    }
    if ctx.format == Format::Markdown {
        return print_text(&crate::output::markdown::summary(summary));
    }
    print_summary(ctx, summary, &summary.results, &summary.headline(), |o| {
        matches!(o, Outcome::Reprocessed | Outcome::WouldReprocess)
    })
}

/// A run's summary on stdout: `document` as JSON, else each result as a record (with `-o ids`
/// only those whose outcome `sent` keeps) and the headline, on stdout under a table and on
/// stderr otherwise, so a machine format stays clean.
pub(super) fn print_summary(
    ctx: &Context,
    document: &impl serde::Serialize,
    results: &[ReprocessResult],
    headline: &str,
    sent: impl Fn(Outcome) -> bool,
) -> anyhow::Result<()> {
    match ctx.format {
        Format::Json => print_json(document)?,
        Format::Table => {
            write_results(ctx, Format::Table, results.iter())?;
            print_text(headline)?;
        }
        Format::Ids => {
            let kept = results.iter().filter(|r| sent(r.outcome));
            write_results(ctx, Format::Ids, kept)?;
            diag::note(headline);
        }
        format => {
            write_results(ctx, format, results.iter())?;
            diag::note(headline);
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

fn exit_status(summary: &ReprocessSummary) -> ExitStatus {
    exit_status_of(&summary.results, summary.counts.reprocessed)
}

/// 0 when nothing failed. When everything that failed failed for one reason and nothing was
/// `accepted`, that reason's code (3 auth, 4 not found, 5 unavailable); otherwise 1.
pub(super) fn exit_status_of(results: &[ReprocessResult], accepted: usize) -> ExitStatus {
    let failures: Vec<&ErrorInfo> = results
        .iter()
        .filter(|r| r.outcome == Outcome::Failed)
        .filter_map(|r| r.error.as_ref())
        .collect();
    if failures.is_empty() {
        return ExitStatus::Success;
    }
    if accepted > 0 {
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
