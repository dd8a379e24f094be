//! The terminal prompts of a reprocess run: the picker and the confirmation.

use super::screen;
use crate::error::{Cancelled, CliError, ExitStatus};
use crate::reprocess::PlanItem;
use crate::{diag, sanitize};

/// The picker's question.
const PICK_QUESTION: &str =
    "Reprocess which requests? (type to filter, space to select, → all, enter to confirm)";
/// The most requests the picker shows at once, where the terminal has the room.
const PICK_PAGE: usize = 15;

/// The terminal multi-select (type to filter, space to toggle, enter to accept). Esc or Ctrl-C
/// ends the run with exit 130, as a cancelled fzf does: nothing was sent, and a script must not
/// read that as success. Enter with nothing ticked is an answer: nothing is sent, exit 0.
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
        let help = inquire::MultiSelect::<String>::DEFAULT_HELP_MESSAGE.unwrap_or_default();
        let room = screen::Room::reserve(
            &labels,
            &screen::Layout {
                message: PICK_QUESTION,
                help,
                page_size: PICK_PAGE,
            },
        );
        let answer = inquire::MultiSelect::new(PICK_QUESTION, labels)
            .with_page_size(room.page_size)
            .raw_prompt();
        // Esc leaves inquire's own one-line "<canceled>"; Ctrl-C leaves the whole list drawn.
        if matches!(answer, Err(inquire::InquireError::OperationInterrupted)) {
            room.wipe();
        }
        answer
    })
    .await?;
    let indexes: Vec<usize> = match chosen {
        Ok(options) => options.into_iter().map(|o| o.index).collect(),
        Err(inquire::InquireError::OperationCanceled) => {
            diag::note("cancelled; nothing was sent");
            return Err(Cancelled.into());
        }
        Err(inquire::InquireError::OperationInterrupted) => {
            diag::note("interrupted; nothing was sent");
            return Err(Cancelled.into());
        }
        Err(e) => return Err(CliError::usage(format!("the picker failed: {e}")).into()),
    };
    if indexes.is_empty() {
        diag::note("nothing selected; nothing was sent");
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
