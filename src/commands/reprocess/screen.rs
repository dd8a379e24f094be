//! The picker's room on the terminal, so that an interrupted picker can be wiped.
//!
//! inquire redraws its frame with moves relative to the cursor and, on Ctrl-C, returns at once
//! leaving the frame drawn (on Esc it draws a one-line "<canceled>" itself). Nothing outside it
//! knows how tall that frame was. So before the picker starts, the rows it can take are made
//! to exist below the cursor (scrolling the screen if need be) and the cursor position is
//! saved: the frame then never scrolls, and on Ctrl-C restoring that position and clearing to
//! the end of the screen removes exactly the picker. The page size is chosen so the frame fits.

use crossterm::{cursor, terminal};
use std::io::Write;
use unicode_width::UnicodeWidthStr;

/// What the picker draws around its options, as inquire 0.9's MultiSelect lays it out.
pub(super) struct Layout<'a> {
    /// The question, drawn after `? ` with the typed filter after it.
    pub message: &'a str,
    /// The help line under the options.
    pub help: &'a str,
    /// The most options shown at once when there is room.
    pub page_size: usize,
}

/// `> [ ] ` before each option.
const OPTION_PREFIX: usize = 6;
/// `? ` before the question.
const PROMPT_PREFIX: usize = 2;

/// The room reserved for one picker, and the page size that fits it.
pub(super) struct Room {
    pub page_size: usize,
    /// Whether a position was saved that wiping can return to.
    saved: bool,
}

impl Room {
    /// Reserve rows under the cursor for the picker of `labels`. At a terminal of unknown size,
    /// or one too small for a single option, nothing is reserved and the page size is left as
    /// asked: the picker works, and only the wipe after Ctrl-C is lost.
    pub(super) fn reserve(labels: &[String], layout: &Layout) -> Room {
        let asked = layout.page_size.max(1);
        let Some((cols, rows)) = terminal::size().ok().filter(|(c, r)| *c > 0 && *r > 0) else {
            return Room {
                page_size: asked,
                saved: false,
            };
        };
        let Some((page_size, height)) = fit(labels, layout, usize::from(cols), usize::from(rows))
        else {
            return Room {
                page_size: asked,
                saved: false,
            };
        };
        let reserved = make_room(height);
        Room {
            page_size,
            saved: reserved.is_ok(),
        }
    }

    /// Remove whatever the picker left drawn.
    pub(super) fn wipe(&self) {
        if !self.saved {
            return;
        }
        // A stderr that went away has nothing left to wipe.
        let _ = wipe_from_saved();
    }
}

/// `height` empty rows under the cursor (the screen scrolls if they are not there), and the
/// cursor back at the first of them, its position saved.
fn make_room(height: usize) -> std::io::Result<()> {
    let mut err = std::io::stderr().lock();
    err.write_all("\n".repeat(height).as_bytes())?;
    crossterm::queue!(
        err,
        cursor::MoveUp(u16::try_from(height).unwrap_or(u16::MAX)),
        cursor::SavePosition
    )?;
    err.flush()
}

fn wipe_from_saved() -> std::io::Result<()> {
    let mut err = std::io::stderr().lock();
    crossterm::queue!(
        err,
        cursor::RestorePosition,
        terminal::Clear(terminal::ClearType::FromCursorDown)
    )?;
    err.flush()
}

/// Rows a line `width` columns wide takes at `cols` columns (at least one).
fn rows_of(width: usize, cols: usize) -> usize {
    width.max(1).div_ceil(cols)
}

/// The largest page (up to the one asked for) whose frame, plus the row the cursor ends on,
/// fits in `rows`; with the frame's height. `None` when not even one option fits.
fn fit(labels: &[String], layout: &Layout, cols: usize, rows: usize) -> Option<(usize, usize)> {
    // The typed filter lengthens the question; a row for it is kept in hand.
    let question = rows_of(PROMPT_PREFIX + layout.message.width(), cols) + 1;
    // inquire draws the help in brackets.
    let help = rows_of(layout.help.width() + 2, cols);
    let mut option_rows: Vec<usize> = labels
        .iter()
        .map(|l| rows_of(OPTION_PREFIX + l.width(), cols))
        .collect();
    // Filtering can bring any options together on a page: count the tallest.
    option_rows.sort_unstable_by(|a, b| b.cmp(a));
    let asked = layout.page_size.max(1).min(labels.len().max(1));
    (1..=asked).rev().find_map(|page| {
        let height = question + option_rows.iter().take(page).sum::<usize>() + help;
        (height < rows).then_some((page, height))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(page_size: usize) -> Layout<'static> {
        Layout {
            message: "Pick?",
            help: "help",
            page_size,
        }
    }

    #[test]
    fn the_page_shrinks_until_the_frame_fits_the_screen() {
        let labels: Vec<String> = (0..20).map(|i| format!("request {i}")).collect();
        // Question (1 + a row for the filter) + 15 options + help = 18 rows, under 24.
        assert_eq!(fit(&labels, &layout(15), 80, 24), Some((15, 18)));
        // At 10 rows: 2 + 6 + 1 = 9 rows, and the cursor's row below them.
        assert_eq!(fit(&labels, &layout(15), 80, 10), Some((6, 9)));
        assert_eq!(fit(&labels, &layout(15), 80, 3), None);
    }

    #[test]
    fn wrapped_and_wide_labels_count_every_row_they_take() {
        // 6 + 80 columns wrap to two rows at 80; CJK characters are two columns each.
        let labels = vec!["x".repeat(80), "名".repeat(40), "short".into()];
        assert_eq!(
            fit(&labels, &layout(15), 80, 24),
            Some((3, 2 + 2 + 2 + 1 + 1))
        );
        assert_eq!(fit(&labels, &layout(15), 80, 8), Some((2, 2 + 2 + 2 + 1)));
    }

    #[test]
    fn fewer_labels_than_a_page_take_only_their_rows() {
        let labels = vec!["a".to_string()];
        assert_eq!(fit(&labels, &layout(15), 80, 24), Some((1, 4)));
    }
}
