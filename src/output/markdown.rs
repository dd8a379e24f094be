//! Markdown: `-o markdown` and the reprocess summary a CI run shows (`--summary-file`,
//! `GITHUB_STEP_SUMMARY`).
//!
//! Every cell is text from a tenant or a server, and Markdown is markup: a display name with `|`
//! would add a column, `` ` `` would open code, `[x](https://…)` would be a link hiding where it
//! goes, `<img src=…>` would be HTML. So each cell is made inert by [`cell`] before it joins the
//! document; only ep's own text (headings, counts, the table rules) is markup.

use super::{Outcome, ReprocessResult, ReprocessSummary, WaitEnd};
use crate::sanitize;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// Rows of one summary table; the rest is counted, not listed. GitHub shows at most 1 MiB of a
/// step's summary, and a person reads far less.
pub const MAX_ROWS: usize = 500;
/// Characters of one summary cell (an error message can be a whole HTML page).
pub const MAX_CELL_CHARS: usize = 300;

/// `raw` as inert Markdown text on one line: the secrets ep holds hidden, control, bidi and
/// invisible characters removed (line breaks become spaces), HTML's `<`, `>` and `&` written as
/// entities, and the characters that start inline markup — `\`, `` ` ``, `*`, `_`, `[`, `]`, `~` —
/// and the cell separator `|` escaped with a backslash.
pub fn cell(raw: &str) -> String {
    let text = crate::redact::known_secrets(raw);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' => out.push(' '),
            c if sanitize::is_unsafe(c) => {}
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '~' | '|' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// At most [`MAX_CELL_CHARS`] characters of `raw`, and `…` when there were more.
fn clip(raw: &str) -> String {
    let mut chars = raw.chars();
    let head: String = chars.by_ref().take(MAX_CELL_CHARS).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// [`cell`] of [`clip`].
fn short_cell(raw: &str) -> String {
    cell(&clip(raw))
}

/// An id as code when it is a plain id (a GUID, what ep sends), else as inert text.
fn id_cell(id: &str) -> String {
    if !id.is_empty() && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        format!("`{id}`")
    } else {
        short_cell(id)
    }
}

/// A GitHub-flavoured table; `cells` are raw text, made inert here.
pub fn table(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut out = String::new();
    let line = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
    out.push_str(&line(header.iter().map(|h| cell(h)).collect()));
    out.push_str(&line(header.iter().map(|_| "---".to_string()).collect()));
    for row in rows {
        let mut cells = row.into_iter();
        let first = cells.next().map(|id| id_cell(&id)).unwrap_or_default();
        out.push_str(&line(
            std::iter::once(first)
                .chain(cells.map(|c| cell(&c)))
                .collect(),
        ));
    }
    out
}

/// The whole summary of a reprocess run: the counts, then a table per kind of trouble (failed,
/// failed again or still failing after `--wait`, skipped), then what was (or would be) sent,
/// folded.
pub fn summary(summary: &ReprocessSummary) -> String {
    let mut doc = format!("### ep reprocess: {}\n\n", cell(&summary.headline()));
    doc.push_str(&counts(summary));
    let results = &summary.results;
    let troubled = |r: &&ReprocessResult| r.wait_end.is_some_and(WaitEnd::is_failure);
    let sections: [(&str, &str, Vec<&ReprocessResult>, bool); 4] = [
        (
            "Failed",
            "error",
            results
                .iter()
                .filter(|r| r.outcome == Outcome::Failed)
                .collect(),
            false,
        ),
        (
            "Failed again or still failing",
            "final state",
            results.iter().filter(troubled).collect(),
            false,
        ),
        (
            "Skipped",
            "reason",
            results
                .iter()
                .filter(|r| r.outcome == Outcome::Skipped)
                .collect(),
            false,
        ),
        (
            if summary.dry_run {
                "Would reprocess"
            } else {
                "Reprocessed"
            },
            "note",
            results
                .iter()
                .filter(|r| matches!(r.outcome, Outcome::Reprocessed | Outcome::WouldReprocess))
                .collect(),
            true,
        ),
    ];
    for (title, detail, rows, folded) in sections {
        if !rows.is_empty() {
            doc.push('\n');
            doc.push_str(&section(title, detail, &rows, folded));
        }
    }
    doc
}

fn counts(summary: &ReprocessSummary) -> String {
    let c = &summary.counts;
    let mut rows = vec![("selected", Some(c.selected))];
    if summary.dry_run {
        rows.push(("would reprocess", c.would_reprocess));
    } else {
        rows.extend([
            ("reprocessed", Some(c.reprocessed)),
            ("failed", Some(c.failed)),
        ]);
    }
    rows.extend([
        ("skipped", Some(c.skipped)),
        ("delivered", c.delivered),
        ("failed again", c.failed_again),
        ("still failing", c.still_failing),
        ("still delivering", c.still_delivering),
    ]);
    let mut out = String::from("| requests | count |\n| --- | ---: |\n");
    for (name, n) in rows {
        if let Some(n) = n {
            let _ = writeln!(out, "| {name} | {n} |");
        }
    }
    out
}

fn section(title: &str, detail: &str, rows: &[&ReprocessResult], folded: bool) -> String {
    let mut out = String::new();
    let heading = format!("{title} ({})", rows.len());
    if folded {
        let _ = writeln!(out, "<details><summary>{heading}</summary>\n");
    } else {
        let _ = writeln!(out, "#### {heading}\n");
    }
    let shown = rows.iter().take(MAX_ROWS).map(|r| {
        vec![
            r.id.clone(),
            r.label.clone().unwrap_or_default(),
            detail_text(r),
        ]
    });
    // Cells are shortened before `table` makes them inert, so an escape is never cut in half.
    let shown = shown.map(|row| row.into_iter().map(|c| clip(&c)).collect());
    out.push_str(&table(&["request", "about", detail], shown));
    if rows.len() > MAX_ROWS {
        let _ = writeln!(
            out,
            "\n… and {} more: `ep reprocess -o json` lists every one.",
            rows.len() - MAX_ROWS
        );
    }
    if folded {
        out.push_str("\n</details>\n");
    }
    out
}

/// What the table's last column says about one result.
fn detail_text(r: &ReprocessResult) -> String {
    let mut parts = Vec::new();
    if let Some(state) = &r.final_state {
        parts.push(format!("final state {state}"));
    }
    if let Some(reason) = &r.reason {
        parts.push(reason.clone());
    }
    if let Some(e) = &r.error {
        let status = e.status.map(|s| format!("{s} ")).unwrap_or_default();
        parts.push(format!("{status}{}: {}", e.code, e.message));
    }
    if let Some(note) = &r.note {
        parts.push(note.clone());
    }
    parts.join("; ")
}

/// What a summary says when the run ended before it had results (bad package, no permission).
pub fn failure(message: &str, hint: Option<&str>) -> String {
    let mut doc = format!("### ep reprocess failed\n\n{}\n", short_cell(message));
    if let Some(hint) = hint {
        let _ = writeln!(doc, "\nHint: {}", short_cell(hint));
    }
    doc
}

/// Append the run's [`summary`] to `path`; a failure is a warning, since what the run did is done
/// and is reported on stdout either way.
pub fn write_summary_file(path: &Path, run: &ReprocessSummary) {
    if let Err(e) = append(path, &summary(run)) {
        crate::diag::warn(format!(
            "could not write the summary to {}: {e}",
            path.display()
        ));
    }
}

/// Append `doc` to the file at `path`, creating it (owner-only) if needed — as GitHub expects
/// of `GITHUB_STEP_SUMMARY`, which several steps and commands add to. A blank line first keeps
/// it apart from what is already there.
pub fn append(path: &Path, doc: &str) -> std::io::Result<()> {
    let mut file = open_for_append(path)?;
    let at_start = file.metadata()?.len() == 0;
    let mut bytes = Vec::with_capacity(doc.len() + 1);
    if !at_start {
        bytes.push(b'\n');
    }
    bytes.extend_from_slice(doc.as_bytes());
    file.write_all(&bytes)?;
    file.flush()
}

/// Open (creating) for appending: what `--summary-file` checks before anything is sent.
pub fn open_for_append(path: &Path) -> std::io::Result<std::fs::File> {
    #[allow(unused_mut)]
    let mut options = std::fs::OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.append(true).create(true).open(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::ErrorInfo;
    use proptest::prelude::*;

    #[test]
    fn markup_in_a_cell_is_shown_not_rendered() {
        for (raw, shown) in [
            ("a | b", "a \\| b"),
            ("`rm -rf`", "\\`rm -rf\\`"),
            (
                "[click](https://evil.example)",
                "\\[click\\](https://evil.example)",
            ),
            (
                "<img src=x onerror=alert(1)>",
                "&lt;img src=x onerror=alert(1)&gt;",
            ),
            ("&lt;b&gt;", "&amp;lt;b&amp;gt;"),
            (
                "**bold** _it_ ~~s~~",
                "\\*\\*bold\\*\\* \\_it\\_ \\~\\~s\\~\\~",
            ),
            ("C:\\path", "C:\\\\path"),
            ("line1\nline2\r\n| --- |", "line1 line2  \\| --- \\|"),
            (
                "Eve\u{1b}[2J\u{7}\u{202e}gpj.exe\u{200b}",
                "Eve\\[2Jgpj.exe",
            ),
            (
                "Zoë Müller · Sales Onboarding",
                "Zoë Müller · Sales Onboarding",
            ),
        ] {
            assert_eq!(cell(raw), shown, "{raw:?}");
        }
    }

    #[test]
    fn ids_are_code_only_when_they_are_plain_ids() {
        assert_eq!(
            id_cell("9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea"),
            "`9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea`"
        );
        assert_eq!(id_cell("x` | <b>"), "x\\` \\| &lt;b&gt;");
    }

    fn result(id: &str, outcome: Outcome) -> ReprocessResult {
        ReprocessResult::new(id.into(), Some("Zoë | `x` · Pkg".into()), outcome)
    }

    #[test]
    fn a_summary_has_counts_then_failures_skips_and_the_folded_rest() {
        let mut failed = result("9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea", Outcome::Failed);
        failed.error = Some(ErrorInfo {
            status: Some(404),
            code: "NotFound".into(),
            message: "gone <b>|</b>".into(),
        });
        let mut skipped = result("00000000-0000-4000-8000-000000000001", Outcome::Skipped);
        skipped.reason = Some("state delivered".into());
        let done = result("00000000-0000-4000-8000-000000000002", Outcome::Reprocessed);
        let doc = summary(&ReprocessSummary::new(false, vec![failed, skipped, done]));
        let expected = "### ep reprocess: reprocessed 1, failed 1, skipped 1 of 3 selected\n\n\
            | requests | count |\n| --- | ---: |\n| selected | 3 |\n| reprocessed | 1 |\n\
            | failed | 1 |\n| skipped | 1 |\n\n\
            #### Failed (1)\n\n| request | about | error |\n| --- | --- | --- |\n\
            | `9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea` | Zoë \\| \\`x\\` · Pkg | 404 NotFound: gone &lt;b&gt;\\|&lt;/b&gt; |\n\n\
            #### Skipped (1)\n\n| request | about | reason |\n| --- | --- | --- |\n\
            | `00000000-0000-4000-8000-000000000001` | Zoë \\| \\`x\\` · Pkg | state delivered |\n\n\
            <details><summary>Reprocessed (1)</summary>\n\n| request | about | note |\n\
            | --- | --- | --- |\n| `00000000-0000-4000-8000-000000000002` | Zoë \\| \\`x\\` · Pkg |  |\n\n\
            </details>\n";
        assert_eq!(doc, expected);
    }

    #[test]
    fn long_runs_are_bounded() {
        let results: Vec<_> = (0..MAX_ROWS + 7)
            .map(|i| {
                let mut r = result(&format!("{i:08}"), Outcome::Skipped);
                r.reason = Some("x".repeat(10_000));
                r
            })
            .collect();
        let doc = summary(&ReprocessSummary::new(false, results));
        assert!(doc.contains("… and 7 more"), "{}", &doc[doc.len() - 200..]);
        assert_eq!(doc.matches("| `0").count(), MAX_ROWS);
        assert!(doc.contains(&format!("{}… |", "x".repeat(MAX_CELL_CHARS))));
        assert!(doc.len() < MAX_ROWS * (MAX_CELL_CHARS + 120) + 2000);
    }

    #[test]
    fn append_adds_to_what_is_there() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("summary.md");
        append(&path, "# one\n").unwrap();
        append(&path, "# two\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "# one\n\n# two\n");
    }

    proptest! {
        #[test]
        fn no_cell_can_start_markup_or_break_its_row(s in any::<String>()) {
            let shown = cell(&s);
            prop_assert!(!shown.contains('\n') && !shown.contains('\r'));
            prop_assert!(!shown.chars().any(sanitize::is_unsafe));
            prop_assert!(!shown.contains('<') && !shown.contains('>'));
            // Every markup character is preceded by a backslash that is not itself escaped.
            let mut escaped = false;
            for c in shown.chars() {
                if !escaped && "`*_[]~|".contains(c) {
                    prop_assert!(false, "unescaped {c:?} in {shown:?}");
                }
                escaped = !escaped && c == '\\';
            }
            prop_assert!(!escaped, "a trailing lone backslash in {shown:?}");
        }
    }
}
