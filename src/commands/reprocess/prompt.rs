//! The terminal prompts of a reprocess run: the picker and the confirmation.

use crate::error::{CliError, ExitStatus};
use crate::reprocess::PlanItem;
use crate::{diag, sanitize};

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

/// Ask before sending `count` requests; `recheck` when a later listing found them.
pub(super) async fn confirm(count: usize, recheck: bool) -> anyhow::Result<bool> {
    let question = if recheck {
        format!("A recheck found {count} more eligible request(s). Reprocess them too?")
    } else {
        format!("Reprocess {count} request(s)?")
    };
    let answer = tokio::task::spawn_blocking(move || {
        inquire::Confirm::new(&question)
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
