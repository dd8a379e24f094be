//! Fitting tables and lines to a terminal's width as git and jj do: ids cut to their shortest
//! unique prefix, and a cell that does not fit cut with `…` rather than wrapped, so no word is ever
//! broken across lines and every row stays one line.

use unicode_width::UnicodeWidthStr;

/// What marks text as cut: a shortened id, a truncated cell.
pub const ELLIPSIS: char = '…';

/// The fewest characters of an id shown at a terminal: git's and jj's default, and a GUID's first
/// group, so a short id still reads as the start of the GUID.
pub const MIN_ID_PREFIX: usize = 8;

/// How a column gives way when its table is wider than the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Give {
    /// Never cut: ids (already as short as they can be while unique) and counts.
    Never,
    /// Cut first, evenly with the other such columns, down to this width (or its header's).
    Early(usize),
    /// Cut only once nothing else can be: the column the table is for.
    Late(usize),
    /// Left out first when the table does not fit: a column that is nice to have.
    Drop,
}

/// Display width in terminal columns (wide characters count two).
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` in at most `max` columns, ending in `…` when something was cut.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    for c in s.chars() {
        out.push(c);
        // Measured as a whole: a variation selector or a joiner can widen what came before.
        if width(&out) > max - 1 {
            out.pop();
            break;
        }
    }
    // "Finance …" reads as a gap; "Finance…" as a cut.
    let kept = out.trim_end().len();
    out.truncate(kept);
    out.push(ELLIPSIS);
    out
}

/// How many characters (hyphens not counted) make every id unique, and at least
/// [`MIN_ID_PREFIX`]. Ids are compared without case, as Graph treats GUIDs.
pub fn id_prefix_len<'a>(ids: impl IntoIterator<Item = &'a str>) -> usize {
    let mut keys: Vec<Vec<char>> = ids.into_iter().map(id_key).collect();
    keys.sort();
    keys.dedup();
    let longest_shared = keys
        .windows(2)
        .map(|pair| {
            pair[0]
                .iter()
                .zip(&pair[1])
                .take_while(|(a, b)| a == b)
                .count()
        })
        .max()
        .unwrap_or(0);
    (longest_shared + 1).max(MIN_ID_PREFIX)
}

fn id_key(id: &str) -> Vec<char> {
    id.chars()
        .filter(|c| *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The id cut after `len` characters (hyphens not counted), marked with `…`; whole when that
/// would cut nothing.
pub fn short_id(id: &str, len: usize) -> String {
    let mut counted = 0;
    for (at, c) in id.char_indices() {
        if counted == len {
            return format!("{}{ELLIPSIS}", &id[..at]);
        }
        if c != '-' {
            counted += 1;
        }
    }
    id.to_string()
}

/// Each column's width (`None`: left out) so that all of them, each with `pad` columns of padding,
/// fit in `budget` columns.
///
/// `natural` is each column's widest cell, `headers` its header's width. `Drop` columns are left
/// out first; then columns are cut in rounds, each taking from the widest column first so that the
/// cut is shared: the `Early` columns down to their floor, then the `Late` ones to theirs, then
/// anything but `Never` to two characters (one and `…`). What still does not fit overflows rather
/// than breaking a word.
pub fn column_widths(
    natural: &[usize],
    headers: &[usize],
    give: &[Give],
    budget: usize,
    pad: usize,
) -> Vec<Option<usize>> {
    let mut widths: Vec<Option<usize>> = natural.iter().copied().map(Some).collect();
    let give_of = |i: usize| give.get(i).copied().unwrap_or(Give::Early(0));
    let floor = |i: usize, least: usize| {
        let header = headers.get(i).copied().unwrap_or(0);
        natural[i].min(least.max(header))
    };
    let early: Vec<(usize, usize)> = (0..natural.len())
        .filter_map(|i| match give_of(i) {
            Give::Early(least) => Some((i, floor(i, least))),
            _ => None,
        })
        .collect();
    for i in (0..natural.len()).rev() {
        if give_of(i) == Give::Drop && excess(&widths, budget, pad) > 0 {
            widths[i] = None;
        }
    }
    shrink(&mut widths, &early, budget, pad);
    let late: Vec<(usize, usize)> = (0..natural.len())
        .filter_map(|i| match give_of(i) {
            Give::Late(least) => Some((i, floor(i, least))),
            _ => None,
        })
        .collect();
    shrink(&mut widths, &late, budget, pad);
    let last: Vec<(usize, usize)> = (0..natural.len())
        .filter(|i| give_of(*i) != Give::Never)
        .map(|i| (i, natural[i].min(2)))
        .collect();
    shrink(&mut widths, &last, budget, pad);
    widths
}

fn excess(widths: &[Option<usize>], budget: usize, pad: usize) -> usize {
    widths
        .iter()
        .flatten()
        .map(|w| w + pad)
        .sum::<usize>()
        .saturating_sub(budget)
}

/// Take from the widest of `columns` (index, floor) until the table fits or all are at their floor.
fn shrink(widths: &mut [Option<usize>], columns: &[(usize, usize)], budget: usize, pad: usize) {
    loop {
        let over = excess(widths, budget, pad);
        if over == 0 {
            return;
        }
        let mut open: Vec<(usize, usize, usize)> = columns
            .iter()
            .filter_map(|&(i, floor)| widths[i].filter(|w| *w > floor).map(|w| (w, i, floor)))
            .collect();
        open.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let Some(&(w, i, floor)) = open.first() else {
            return;
        };
        // Down to the next widest, so that equally wide columns are cut together.
        let next = open.get(1).map_or(0, |o| o.0);
        let target = next.max(floor).max(w.saturating_sub(over));
        widths[i] = Some(if target < w { target } else { w - 1 });
    }
}

/// The width of the terminal on stderr, where prompts are drawn; `None` when it reports none.
pub fn stderr_width() -> Option<u16> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    terminal_size::terminal_size_of(std::io::stderr())
        .map(|(w, _)| w.0)
        .filter(|w| *w >= super::MIN_TERMINAL_WIDTH)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn truncation_ends_in_an_ellipsis_and_never_a_space_before_it() {
        assert_eq!(truncate("Finance Reporting", 20), "Finance Reporting");
        assert_eq!(truncate("Finance Reporting", 9), "Finance…");
        assert_eq!(truncate("Finance Reporting", 6), "Finan…");
        assert_eq!(truncate("abc", 1), "…");
        assert_eq!(truncate("abc", 0), "");
        // A wide character is not split in half.
        assert_eq!(truncate("日本語テキスト", 6), "日本…");
    }

    #[test]
    fn id_prefixes_are_unique_and_at_least_eight_characters() {
        let ids = [
            "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea",
            "9bbe5f7d-f2e7-4eb1-a586-38cdf6f8b1ea",
            "12345678-0000-0000-0000-000000000000",
        ];
        let len = id_prefix_len(ids);
        assert_eq!(len, 10);
        assert_eq!(short_id(ids[0], len), "9bbe5f7d-f1…");
        assert_eq!(short_id(ids[1], len), "9bbe5f7d-f2…");
        assert_eq!(short_id(ids[2], len), "12345678-00…");
        assert_eq!(id_prefix_len(["a", "b"]), MIN_ID_PREFIX);
        assert_eq!(short_id("9bbe5f7d-f1e7", 8), "9bbe5f7d…");
        // Nothing to cut: the id stays whole, with no mark.
        assert_eq!(short_id("short", 8), "short");
        assert_eq!(short_id("12345678", 8), "12345678");
        // The same id twice is one id, and case does not tell ids apart.
        assert_eq!(
            id_prefix_len(["ABCDEF12-3", "abcdef12-3", "abcdef12-3"]),
            MIN_ID_PREFIX
        );
    }

    #[test]
    fn dropped_columns_go_first_then_early_ones_give_way_then_the_main_one() {
        use Give::*;
        let give = [Never, Late(10), Early(8), Drop];
        let headers = [7, 5, 6, 6];
        // Fits: nothing changes.
        assert_eq!(
            column_widths(&[9, 20, 30, 9], &headers, &give, 80, 0),
            vec![Some(9), Some(20), Some(30), Some(9)]
        );
        // The dropped column goes first, then the early one gives way, the main one last.
        assert_eq!(
            column_widths(&[9, 20, 30, 9], &headers, &give, 60, 0),
            vec![Some(9), Some(20), Some(30), None]
        );
        assert_eq!(
            column_widths(&[9, 20, 30, 9], &headers, &give, 40, 0),
            vec![Some(9), Some(20), Some(11), None]
        );
        assert_eq!(
            column_widths(&[9, 20, 30, 9], &headers, &give, 30, 0),
            vec![Some(9), Some(13), Some(8), None]
        );
        // Padding counts, and a column left out takes its padding with it.
        assert_eq!(
            column_widths(&[10, 10], &[1, 1], &[Never, Early(2)], 20, 2),
            vec![Some(10), Some(6)]
        );
        assert_eq!(
            column_widths(&[10, 10], &[1, 1], &[Never, Drop], 15, 2),
            vec![Some(10), None]
        );
        // Two early columns share the cut.
        assert_eq!(
            column_widths(&[40, 40], &[4, 4], &[Early(4), Early(4)], 50, 0),
            vec![Some(25), Some(25)]
        );
    }

    proptest! {
        #[test]
        fn widths_fit_whenever_the_uncuttable_columns_do(
            natural in prop::collection::vec(1usize..120, 1..8),
            budget in 0usize..200,
        ) {
            let give: Vec<Give> = (0..natural.len())
                .map(|i| match i % 4 { 0 => Give::Never, 1 => Give::Late(12), 2 => Give::Early(8), _ => Give::Drop })
                .collect();
            let headers = vec![5; natural.len()];
            let widths = column_widths(&natural, &headers, &give, budget, 0);
            let uncuttable: usize = natural
                .iter()
                .zip(&give)
                .map(|(n, g)| match g { Give::Never => *n, Give::Drop => 0, _ => (*n).min(2) })
                .sum();
            let used: usize = widths.iter().flatten().sum();
            if uncuttable <= budget {
                prop_assert!(used <= budget, "{widths:?} in {budget}");
            }
            for (w, n) in widths.iter().zip(&natural) {
                if let Some(w) = w {
                    prop_assert!(w <= n);
                }
            }
        }

        #[test]
        fn truncated_text_fits_and_keeps_the_start(s in "\\PC{0,40}", max in 0usize..30) {
            let cut = truncate(&s, max);
            prop_assert!(width(&cut) <= max);
            let kept = cut.strip_suffix(ELLIPSIS).unwrap_or(&cut);
            prop_assert!(s.starts_with(kept));
        }
    }
}
