//! Everything ep prints on stdout goes through here: one [`Record`] trait, seven formats, and
//! `--query` over every JSON document.
//!
//! `ndjson` and `csv` are written as pages arrive (constant memory, and a pipe sees results
//! before the listing ends); `table`, `json`, `ids` and `tsv` buffer and sort, so that the rows of
//! one listing come in one order whatever the format.

mod causes;
pub mod markdown;
mod progress;
mod query;
mod records;

pub use causes::{cause_label, delivery_text, resource_label};
pub use progress::Progress;
pub use query::{Projection, Query, QueryError, Render, project_output};

pub use records::{
    Counts, ErrorInfo, Outcome, PackageRecord, ReprocessResult, ReprocessSummary, RequestRecord,
    WaitEnd, package_label, requestor_label,
};

use crate::sanitize;
use comfy_table::{
    Cell, Color, ColumnConstraint, ContentArrangement, LineStyle, Table, TableStyle, Width, presets,
};

/// A rule under the header and nothing else: lines between rows double a listing's height for
/// nothing, and borders get in the way of copying ids.
const HEADER_RULE_ONLY: TableStyle =
    TableStyle::new().header_separator(LineStyle::none().fill('─').junction(' '));
use serde::Serialize;
use std::io::{self, Write};

/// Writing to a closed pipe (`ep ... | head`) is how a reader says "enough", not a failure.
#[derive(Debug, thiserror::Error)]
#[error("output pipe closed")]
pub struct BrokenPipe;

/// `-o, --output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Ndjson,
    Csv,
    Ids,
    /// Tab-separated values without a header, as az writes them: the csv columns, or with
    /// `--query` the query's result.
    Tsv,
    /// A GitHub-flavoured Markdown table (a reprocess summary for `reprocess`), for CI summaries
    /// and issues; every cell is made inert ([`markdown::cell`]).
    Markdown,
}

/// How a table may be decorated.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

/// `--color`: when tables are coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorWhen {
    /// At a terminal, unless `NO_COLOR` is set (or `TERM=dumb`).
    Auto,
    /// Also when piped, whatever `NO_COLOR` says: an explicit request wins, as no-color.org asks.
    Always,
    Never,
}

impl ColorWhen {
    /// Whether to colour, given what the environment says.
    pub fn resolve(self, stdout_is_terminal: bool, no_color_env: bool, dumb_term: bool) -> bool {
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => stdout_is_terminal && !no_color_env && !dumb_term,
        }
    }
}

/// A thing ep lists: the JSON shape comes from `Serialize`, the rest from here.
pub trait Record: Serialize {
    fn id(&self) -> &str;
    fn csv_header() -> &'static [&'static str];
    fn csv_row(&self) -> Vec<String>;
    fn table_header() -> &'static [&'static str];
    fn table_row(&self) -> Vec<TableCell>;
}

/// A table cell's raw text and colour. Records hand these over rather than finished cells so that
/// the writer, not each record, makes the text safe for a terminal ([`sanitize::line`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCell {
    pub text: String,
    /// Applied only when the table is coloured.
    pub color: Option<Color>,
}

impl TableCell {
    pub fn new(text: impl Into<String>) -> Self {
        TableCell {
            text: text.into(),
            color: None,
        }
    }

    pub fn color(mut self, color: Color) -> Self {
        self.color = Some(color);
        self
    }

    fn render(&self, style: Style) -> Cell {
        let cell = Cell::new(sanitize::line(&self.text));
        match self.color {
            Some(color) if style.color => cell.fg(color),
            _ => cell,
        }
    }
}

/// Writes records of one kind in the chosen format.
pub struct RecordWriter<R: Record> {
    format: Format,
    style: Style,
    out: io::BufWriter<io::Stdout>,
    buffered: Vec<R>,
    csv_started: bool,
}

impl<R: Record> RecordWriter<R> {
    pub fn new(format: Format, style: Style) -> Self {
        RecordWriter {
            format,
            style,
            out: io::BufWriter::new(io::stdout()),
            buffered: Vec::new(),
            csv_started: false,
        }
    }

    /// Stream formats write now; the others keep the records for [`finish`](Self::finish).
    pub fn write_page(&mut self, records: Vec<R>) -> anyhow::Result<()> {
        match self.format {
            Format::Table | Format::Json | Format::Markdown | Format::Ids | Format::Tsv => {
                self.buffered.extend(records);
                Ok(())
            }
            Format::Ndjson => {
                for r in &records {
                    write_json(&mut self.out, r, false)?;
                }
                self.out.flush().map_err(pipe)
            }
            Format::Csv => {
                let mut w = csv::WriterBuilder::new().from_writer(&mut self.out);
                if !self.csv_started {
                    w.write_record(R::csv_header()).map_err(csv_pipe)?;
                    self.csv_started = true;
                }
                for r in &records {
                    let row = r.csv_row();
                    w.write_record(row.iter().map(|cell| csv_cell(cell).into_owned()))
                        .map_err(csv_pipe)?;
                }
                w.flush().map_err(pipe)?;
                drop(w);
                self.out.flush().map_err(pipe)
            }
        }
    }

    /// Emit what was buffered, ordered by `order` (every format but the streamed ones).
    pub fn finish(mut self, order: impl FnMut(&R, &R) -> std::cmp::Ordering) -> anyhow::Result<()> {
        let mut records = std::mem::take(&mut self.buffered);
        records.sort_by(order);
        match self.format {
            Format::Json => write_json(&mut self.out, &records, true)?,
            Format::Ids => {
                for r in &records {
                    // A valid id is unchanged; a hostile one cannot become two lines of a pipe.
                    writeln!(self.out, "{}", sanitize::line(r.id())).map_err(pipe)?;
                }
            }
            Format::Tsv => {
                for r in &records {
                    let cells: Vec<String> =
                        r.csv_row().iter().map(|c| sanitize::line(c)).collect();
                    writeln!(self.out, "{}", cells.join("\t")).map_err(pipe)?;
                }
            }
            Format::Table if !records.is_empty() => {
                let table = self.table(&records);
                writeln!(self.out, "{table}").map_err(pipe)?;
            }
            Format::Markdown => {
                let rows = records
                    .iter()
                    .map(|r| r.table_row().into_iter().map(|c| c.text).collect());
                let doc = markdown::table(R::table_header(), rows);
                self.out.write_all(doc.as_bytes()).map_err(pipe)?;
            }
            Format::Csv if !self.csv_started => {
                // An empty listing still gets its header, so scripts can rely on it.
                self.write_page(Vec::new())?;
            }
            _ => {}
        }
        self.out.flush().map_err(pipe)
    }

    fn table(&self, records: &[R]) -> Table {
        let mut table = Table::new();
        table
            .load_style(HEADER_RULE_ONLY)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(R::table_header().iter().copied());
        fit_to_terminal(&mut table);
        if self.style.color {
            // comfy-table styles only a terminal by itself, and crossterm, which writes the
            // colours, drops them when NO_COLOR is set; `--color always` means both anyway.
            table.enforce_styling();
            crossterm::style::force_color_output(true);
        }
        for r in records {
            table.add_row(r.table_row().iter().map(|c| c.render(self.style)));
        }
        // Ids are the first column of every record: wrapping one makes it uncopyable.
        let id_width = records
            .iter()
            .map(|r| sanitize::line(r.id()).chars().count())
            .max()
            .unwrap_or(0);
        if let Some(column) = table.column_mut(0) {
            column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(
                // The constraint counts the cell's one-space padding on each side.
                u16::try_from(id_width + 2).unwrap_or(u16::MAX),
            )));
        }
        table
    }
}

/// One JSON document, then a newline, or what `--query` makes of it. The data stays exact (serde
/// escapes control characters); only the values of secrets ep holds are hidden, as everywhere.
fn write_json<T: Serialize + ?Sized>(
    out: &mut impl Write,
    value: &T,
    pretty: bool,
) -> anyhow::Result<()> {
    if let Some(projection) = query::active() {
        let text = projection.render(serde_json::to_value(value)?)?;
        return out
            .write_all(crate::redact::known_secrets(&text).as_bytes())
            .map_err(pipe);
    }
    let bytes = if pretty {
        serde_json::to_vec_pretty(value)?
    } else {
        serde_json::to_vec(value)?
    };
    let text = String::from_utf8_lossy(&bytes);
    out.write_all(crate::redact::known_secrets(&text).as_bytes())
        .map_err(pipe)?;
    out.write_all(b"\n").map_err(pipe)
}

/// One document as `-o tsv` prints it without `--query`: a row of its values (see
/// [`query::tsv_document`]).
pub fn print_tsv<T: Serialize>(value: &T) -> anyhow::Result<()> {
    let text = query::tsv_document(&serde_json::to_value(value)?);
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes()).map_err(pipe)?;
    out.flush().map_err(pipe)
}

/// Print one JSON document (summaries, `requests show`).
pub fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    write_json(&mut out, value, true)?;
    out.flush().map_err(pipe)
}

/// Print one JSON document on one line (`-o ndjson`).
pub fn print_json_line<T: Serialize>(value: &T) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    write_json(&mut out, value, false)?;
    out.flush().map_err(pipe)
}

/// Print text meant for people on stdout, made safe by [`sanitize::text`].
pub fn print_text(text: &str) -> anyhow::Result<()> {
    print_raw(&sanitize::text(text))
}

/// Print text that is a program, not a message (a completion script): as it is.
pub fn print_raw(text: &str) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes()).map_err(pipe)?;
    if !text.ends_with('\n') {
        out.write_all(b"\n").map_err(pipe)?;
    }
    out.flush().map_err(pipe)
}

/// A two-column key/value table for one item, each value made safe by [`sanitize::line`].
pub fn key_value_table(rows: &[(&str, String)]) -> Table {
    let mut table = Table::new();
    table
        .load_style(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Dynamic);
    fit_to_terminal(&mut table);
    for (k, v) in rows {
        table.add_row(vec![
            Cell::new(sanitize::line(k)),
            Cell::new(sanitize::line(v)),
        ]);
    }
    table
}

/// A CSV cell as OWASP advises against CSV (formula) injection: a value a spreadsheet would run
/// as a formula — starting with `=`, `+`, `-`, `@`, a tab or a CR — gets a leading `'`, which
/// spreadsheets show as text. The rest of the value is kept exactly. Ids (GUIDs), timestamps
/// (RFC 3339), booleans and status numbers never start with those characters, so they are
/// always written untouched and stay machine-readable.
pub fn csv_cell(value: &str) -> std::borrow::Cow<'_, str> {
    let value = crate::redact::known_secrets(value);
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{value}"))
    } else {
        value
    }
}

/// The table as wide as the terminal, or unbounded when its width is unknown: left to itself,
/// comfy-table asks the terminal, and one that reports 0 columns squeezes every column to a
/// character.
fn fit_to_terminal(table: &mut Table) {
    match terminal_width() {
        Some(width) => {
            table.set_width(width);
        }
        None => {
            // Colour is ep's decision (`Style`), applied with `enforce_styling`, not a tty's.
            table.force_no_tty();
        }
    }
}

fn terminal_width() -> Option<u16> {
    use std::io::IsTerminal;
    if !io::stdout().is_terminal() {
        return None;
    }
    // A pty that reports no size (some CI runners, `script`) says 0 columns: ignore it.
    terminal_size::terminal_size()
        .map(|(w, _)| w.0)
        .filter(|w| *w >= 40)
}

fn pipe(e: io::Error) -> anyhow::Error {
    if e.kind() == io::ErrorKind::BrokenPipe {
        anyhow::Error::new(BrokenPipe)
    } else {
        anyhow::Error::new(e).context("writing to stdout")
    }
}

fn csv_pipe(e: csv::Error) -> anyhow::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => pipe(io),
        other => anyhow::anyhow!("writing csv: {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formula_cells_are_neutralised_with_a_quote() {
        for (raw, shown) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("plain", "plain"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(csv_cell(raw), shown, "{raw:?}");
        }
    }

    #[test]
    fn ids_timestamps_and_flags_are_never_touched() {
        for raw in [
            "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea",
            "2026-11-20T10:11:12Z",
            "true",
            "404",
        ] {
            assert!(
                matches!(csv_cell(raw), std::borrow::Cow::Borrowed(_)),
                "{raw}"
            );
        }
    }

    #[test]
    fn color_auto_follows_the_terminal_and_no_color_always_and_never_do_not() {
        use ColorWhen::*;
        assert!(Auto.resolve(true, false, false));
        assert!(!Auto.resolve(false, false, false));
        assert!(!Auto.resolve(true, true, false));
        assert!(!Auto.resolve(true, false, true));
        assert!(Always.resolve(false, true, true));
        assert!(!Never.resolve(true, false, false));
    }

    #[test]
    fn table_cells_are_made_safe_and_coloured_only_when_asked() {
        let cell = TableCell::new("evil\u{1b}]0;x\u{7}\u{202e}name").color(Color::Red);
        let plain = cell.render(Style { color: false });
        assert_eq!(plain.content(), "evil\\x1b]0;x\\x07\\u{202e}name");
    }

    proptest! {
        #[test]
        fn no_csv_cell_starts_a_formula(s in any::<String>()) {
            let shown = csv_cell(&s);
            prop_assert!(!shown.starts_with(['=', '+', '-', '@', '\t', '\r']), "{shown:?}");
            // Nothing is lost: the value is the original, or the original after one quote.
            prop_assert!(shown == s || shown.strip_prefix('\'') == Some(s.as_str()));
        }

        #[test]
        fn guids_and_timestamps_pass_unchanged(bytes in any::<[u8; 16]>(), secs in 0i64..4_102_444_800) {
            let guid = uuid::Uuid::from_bytes(bytes).hyphenated().to_string();
            prop_assert_eq!(csv_cell(&guid), guid.as_str());
            let at = chrono::DateTime::from_timestamp(secs, 0).map(|t| crate::graph::format_timestamp(&t));
            if let Some(at) = at {
                prop_assert_eq!(csv_cell(&at), at.as_str());
            }
        }
    }
}
