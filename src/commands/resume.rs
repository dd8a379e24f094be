//! `ep resume`: the arguments mapped into the resume engine ([`crate::resume`]), the terminal's
//! question, and the report out as a summary and an exit code, as `reprocess` does them.

use super::Context;
use super::reprocess::{
    after_printing, exit_status_of, input, journal_choice, print_summary, prompt,
};
use crate::cli::ResumeArgs;
use crate::diag;
use crate::error::{CliError, ExitStatus};
use crate::interrupt::{GRACE, Interrupt, Signal};
use crate::output::{Outcome, ResumeSummary};
use crate::resume::{self, Decision, JournalError, Options};
use chrono::Utc;

/// Ids given (or `-`), checked before any sign-in.
pub fn selection(args: &ResumeArgs) -> Result<(Vec<String>, bool), CliError> {
    let stdin = args.ids.iter().any(|i| i == "-");
    let ids: Vec<String> = args.ids.iter().filter(|i| *i != "-").cloned().collect();
    if !stdin && ids.is_empty() {
        return Err(CliError::usage("nothing selected to resume").with_hint(
            "give request ids, or '-' to read them from stdin, e.g. \
             ep requests list --all-packages --waiting -o ids | ep resume -",
        ));
    }
    Ok((ids, stdin))
}

pub async fn run(
    ctx: &Context,
    args: &ResumeArgs,
    (ids, stdin): (Vec<String>, bool),
) -> anyhow::Result<ExitStatus> {
    let ids = input::collect_ids(ids, stdin).await?;
    let options = Options {
        now: Utc::now(),
        stage: args.stage,
        source: args.source.clone(),
        detail: args.detail.clone(),
        outcome: match (args.deny, args.cancel) {
            (true, _) => Some(Decision::Deny),
            (_, true) => Some(Decision::Cancel),
            _ => None,
        },
        journal: journal_choice(&args.journal),
        journal_window: args.journal.journal_window,
    };
    let plan = resume::plan(&ctx.client, ids, &options).await?;
    let mut signal = None;
    let to_send = plan.iter().filter(|i| i.will_send()).count();
    let results = if args.dry_run {
        resume::dry_run(plan)
    } else {
        // A resume answers in the extension's place and cannot be taken back: at a terminal,
        // even named ids are asked about.
        let ask = to_send > 0 && !args.yes && ctx.interactive;
        let question = match options.outcome {
            Some(Decision::Deny) => format!("Resume and deny {to_send} request(s)?"),
            Some(Decision::Cancel) => format!("Resume and cancel {to_send} request(s)?"),
            None => format!("Resume {to_send} request(s)?"),
        };
        if ask && !prompt::ask(question).await? {
            diag::note("nothing was sent");
            return Ok(ExitStatus::Success);
        }
        // Ctrl-C and SIGTERM are taken over only now, once something is to be sent.
        let signals = if to_send > 0 {
            Interrupt::install(GRACE)
        } else {
            Interrupt::never()
        };
        let results = resume::send(&ctx.client, plan, &options, &signals)
            .await
            .map_err(journal_refused)?;
        signal = signals.signal();
        results
    };
    if to_send == 0 {
        diag::note("nothing to resume: no request named waits on a callback it can be resumed at");
    }
    let mut summary = ResumeSummary::new(args.dry_run, results);
    summary.interrupted = signal.map(Signal::name);
    after_printing(report(ctx, &summary))?;
    if let Some(signal) = signal {
        diag::warn(
            "interrupted: the summary above says what was and was not done; rerun to finish",
        );
        return Ok(match signal {
            Signal::Interrupt => ExitStatus::Interrupted,
            Signal::Terminate => ExitStatus::Terminated,
        });
    }
    Ok(exit_status_of(&summary.results, summary.counts.resumed))
}

/// A journal the user named that cannot be written stops the run before anything is sent.
fn journal_refused(e: JournalError) -> anyhow::Error {
    CliError::usage(e.to_string())
        .with_hint("choose a writable --journal FILE, or --no-journal")
        .into()
}

fn report(ctx: &Context, summary: &ResumeSummary) -> anyhow::Result<()> {
    print_summary(ctx, summary, &summary.results, &summary.headline(), |o| {
        matches!(o, Outcome::Resumed | Outcome::WouldResume)
    })
}
