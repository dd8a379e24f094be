//! The terminal prompts of a reprocess run: the picker and the confirmation.

use super::screen;
use crate::error::{Cancelled, CliError, ExitStatus};
use crate::output::fit;
use crate::reprocess::PlanItem;
use crate::{diag, sanitize};

/// The picker's question. inquire's own help line says how to filter, select and confirm;
/// repeating it here made the question wrap at 80 columns.
const PICK_QUESTION: &str = "Reprocess which requests?";
/// The most requests the picker shows at once, where the terminal has the room.
const PICK_PAGE: usize = 15;
/// What inquire draws before each option: the cursor and the checkbox (`> [x] `).
const OPTION_PREFIX: usize = 6;
/// The width inquire assumes when the terminal reports none.
const INQUIRE_FALLBACK_WIDTH: u16 = 80;

/// The terminal multi-select (type to filter, space to toggle, enter to accept). Esc or Ctrl-C
/// ends the run with exit 130, as a cancelled fzf does: nothing was sent, and a script must not
/// read that as success. Enter with nothing ticked is an answer: nothing is sent, exit 0.
pub(super) async fn pick(offered: Vec<PlanItem>, full_ids: bool) -> anyhow::Result<Vec<PlanItem>> {
    if offered.is_empty() {
        return Ok(offered);
    }
    // A terminal that reports no size is 80 columns to inquire, which wraps lines at that.
    let width = fit::stderr_width().unwrap_or(INQUIRE_FALLBACK_WIDTH);
    let labels = option_labels(&offered, full_ids, Some(width));
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
    ask(question).await
}

/// A yes/no question, no by default. Esc is no; Ctrl-C ends the run (exit 130).
pub(in crate::commands) async fn ask(question: String) -> anyhow::Result<bool> {
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

/// One line per request, id first as in the tables (its shortest unique prefix unless
/// `--full-ids`), cut with `…` to the terminal's width: a wrapped option reads as two requests.
/// inquire draws labels as they are, so they go through the terminal sanitiser like a table.
fn option_labels(offered: &[PlanItem], full_ids: bool, width: Option<u16>) -> Vec<String> {
    let prefix = fit::id_prefix_len(offered.iter().map(|p| p.id.as_str()));
    offered
        .iter()
        .map(|p| {
            let id = if full_ids {
                p.id.clone()
            } else {
                fit::short_id(&p.id, prefix)
            };
            let line = sanitize::line(&match &p.label {
                Some(label) => format!("{id}  {label}"),
                None => id,
            });
            match width {
                // One column spare: a line that fills the last column wraps in some terminals.
                Some(w) => fit::truncate(&line, usize::from(w).saturating_sub(OPTION_PREFIX + 1)),
                None => line,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reprocess::{PlanItem, Step};

    fn item(id: &str, label: &str) -> PlanItem {
        PlanItem {
            id: id.into(),
            label: Some(label.into()),
            step: Step::Send,
            completed: None,
            uncertain: false,
        }
    }

    #[test]
    fn labels_lead_with_the_short_id_and_fit_the_terminal() {
        let offered = [
            item(
                "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea",
                "Adele Vance · deliveryFailed · completed 2d 3h ago · closes in 11d 20h",
            ),
            item(
                "12345678-0000-0000-0000-000000000000",
                "Bob · deliveryFailed",
            ),
        ];
        let labels = option_labels(&offered, false, Some(40));
        assert!(
            labels[0].starts_with("9bbe5f7d…  Adele Vance · "),
            "{labels:?}"
        );
        assert!(labels[0].ends_with('…'), "{labels:?}");
        assert_eq!(labels[1], "12345678…  Bob · deliveryFailed");
        assert!(labels.iter().all(|l| fit::width(l) < 40 - OPTION_PREFIX));
        let whole = option_labels(&offered, true, None);
        assert_eq!(
            whole[1],
            "12345678-0000-0000-0000-000000000000  Bob · deliveryFailed"
        );
    }
}
