//! Everything ep prints on stdout goes through here: one [`Record`] trait, seven formats, and
//! `--query` over every JSON document.
//!
//! `ndjson` and `csv` are written as pages arrive (constant memory, and a pipe sees results
//! before the listing ends); `table`, `json`, `ids` and `tsv` buffer and sort, so that the rows of
//! one listing come in one order whatever the format.

mod causes;
pub mod fit;
pub mod markdown;
mod progress;
mod query;
mod records;

pub use causes::{cause_label, delivery_text, resource_label};
pub use progress::Progress;
pub use query::{Projection, Query, QueryError, Render, project_output};

pub use records::{
    CallbackWaitRecord, Counts, ErrorInfo, Outcome, PackageRecord, ReprocessResult,
    ReprocessSummary, RequestRecord, ResumeSummary, WaitEnd, package_label, requestor_label,
};

pub use fit::Give;

use crate::sanitize;
use comfy_table::{Cell, Color, ContentArrangement, LineStyle, Table, TableStyle, presets};

/// Below this, a reported terminal width is taken for none (a pty that reports 0 columns).
const MIN_TERMINAL_WIDTH: u16 = 40;

/// What separates two columns: a space of padding and the style's blank column line. Rows start
/// at the left edge and end with their last cell, as git's and jj's do: no column is spent on
/// margins.
const COLUMN_GAP: usize = 2;

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
    /// `--full-ids`: ids whole in tables, where a terminal otherwise gets their shortest unique
    /// prefix (machine formats always carry them whole).
    pub full_ids: bool,
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
    /// How each column (in [`table_header`](Record::table_header)'s order) gives way when the
    /// table is wider than the terminal; columns not named here give way first.
    fn table_give() -> &'static [Give] {
        &[]
    }
}

/// A table cell's raw text and colour. Records hand these over rather than finished cells so that
/// the writer, not each record, makes the text safe for a terminal ([`sanitize::line`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCell {
    pub text: String,
    /// Applied only when the table is coloured.
    pub color: Option<Color>,
    /// An id, which a terminal shows as its shortest unique prefix.
    pub is_id: bool,
}

impl TableCell {
    pub fn new(text: impl Into<String>) -> Self {
        TableCell {
            text: text.into(),
            color: None,
            is_id: false,
        }
    }

    /// A cell holding an id.
    pub fn id(text: impl Into<String>) -> Self {
        TableCell {
            is_id: true,
            ..TableCell::new(text)
        }
    }

    pub fn color(mut self, color: Color) -> Self {
        self.color = Some(color);
        self
    }

    /// A cell as a table made safe and coloured it before cells were cut to fit.
    #[cfg(test)]
    fn render(&self, style: Style) -> Cell {
        styled(Cell::new(sanitize::line(&self.text)), self.color, style)
    }
}

fn styled(cell: Cell, color: Option<Color>, style: Style) -> Cell {
    match color {
        Some(color) if style.color => cell.fg(color),
        _ => cell,
    }
}

/// Writes records of one kind in the chosen format.
pub struct RecordWriter<R: Record> {
    format: Format,
    style: Style,
    out: io::BufWriter<io::Stdout>,
    buffered: Vec<R>,
    csv_started: bool,
    /// Table columns left out (by header): what the command's scope already says.
    hidden: &'static [&'static str],
}

impl<R: Record> RecordWriter<R> {
    pub fn new(format: Format, style: Style) -> Self {
        RecordWriter {
            format,
            style,
            out: io::BufWriter::new(io::stdout()),
            buffered: Vec::new(),
            csv_started: false,
            hidden: &[],
        }
    }

    /// Leave these columns out of a table: a column repeating the scope the command was given
    /// (`PACKAGE` under `--package`) takes room and says nothing. Machine formats keep them.
    pub fn hide_columns(mut self, headers: &'static [&'static str]) -> Self {
        self.hidden = headers;
        self
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

    /// The records as a table: at a terminal, ids cut to their shortest unique prefix and cells
    /// that do not fit cut with `…`, so that every row is one line no wider than the terminal.
    fn table(&self, records: &[R]) -> Table {
        let shown: Vec<usize> = R::table_header()
            .iter()
            .enumerate()
            .filter(|(_, h)| !self.hidden.contains(h))
            .map(|(i, _)| i)
            .collect();
        let mut rows: Vec<Vec<TableCell>> = records
            .iter()
            .map(|r| {
                let mut row = r.table_row();
                row.resize_with(R::table_header().len(), || TableCell::new(""));
                shown.iter().map(|&i| row[i].clone()).collect()
            })
            .collect();
        let at_terminal = stdout_is_terminal();
        if at_terminal && !self.style.full_ids {
            shorten_ids(&mut rows);
        }
        for cell in rows.iter_mut().flatten() {
            cell.text = sanitize::line(&cell.text);
        }
        let mut header: Vec<String> = shown
            .iter()
            .map(|&i| R::table_header()[i].to_string())
            .collect();
        let give: Vec<Give> = shown
            .iter()
            .map(|&i| R::table_give().get(i).copied().unwrap_or(Give::Early(0)))
            .collect();
        let widths = match terminal_width().filter(|_| at_terminal) {
            Some(width) => fitted_widths(&header, &rows, &give, usize::from(width)),
            None => vec![Some(usize::MAX); header.len()],
        };
        let keep = |i: usize| widths[i].is_some();
        let cut = |text: &str, i: usize| fit::truncate(text, widths[i].unwrap_or(0));
        header = header
            .iter()
            .enumerate()
            .filter(|(i, _)| keep(*i))
            .map(|(i, h)| cut(h, i))
            .collect();
        let mut table = Table::new();
        table
            .load_style(HEADER_RULE_ONLY)
            // Cells are cut to fit above: comfy-table must not wrap them again.
            .set_content_arrangement(ContentArrangement::Disabled)
            .force_no_tty()
            .set_header(header);
        if self.style.color {
            // comfy-table styles only a terminal by itself, and crossterm, which writes the
            // colours, drops them when NO_COLOR is set; `--color always` means both anyway.
            table.enforce_styling();
            crossterm::style::force_color_output(true);
        }
        for row in rows {
            table.add_row(
                row.iter()
                    .enumerate()
                    .filter(|(i, _)| keep(*i))
                    .map(|(i, c)| styled(Cell::new(cut(&c.text, i)), c.color, self.style)),
            );
        }
        let columns = table.column_count();
        for (i, column) in table.column_iter_mut().enumerate() {
            column.set_padding((0, if i + 1 == columns { 0 } else { 1 }));
        }
        table
    }
}

/// Every id of the table cut to the shortest prefix that keeps them all apart.
fn shorten_ids(rows: &mut [Vec<TableCell>]) {
    let len = fit::id_prefix_len(
        rows.iter()
            .flatten()
            .filter(|c| c.is_id)
            .map(|c| c.text.as_str()),
    );
    for cell in rows.iter_mut().flatten().filter(|c| c.is_id) {
        cell.text = fit::short_id(&cell.text, len);
    }
}

/// Column widths for a table of `rows` in `width` terminal columns.
fn fitted_widths(
    header: &[String],
    rows: &[Vec<TableCell>],
    give: &[Give],
    width: usize,
) -> Vec<Option<usize>> {
    let headers: Vec<usize> = header.iter().map(|h| fit::width(h)).collect();
    let natural: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| fit::width(&c.text))
                .chain([headers[i]])
                .max()
                .unwrap_or(0)
                // comfy-table draws an empty column one character wide.
                .max(1)
        })
        .collect();
    // Every column but the last is followed by the gap: counted as each column's padding, with
    // the last column's given back.
    fit::column_widths(&natural, &headers, give, width + COLUMN_GAP, COLUMN_GAP)
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
    // serde_json writes UTF-8: a String at once, with no second pass to check it.
    let text = if pretty {
        serde_json::to_string_pretty(value)?
    } else {
        serde_json::to_string(value)?
    };
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
    if !stdout_is_terminal() {
        return None;
    }
    // A pty that reports no size (some CI runners, `script`) says 0 columns: ignore it.
    terminal_size::terminal_size()
        .map(|(w, _)| w.0)
        .filter(|w| *w >= MIN_TERMINAL_WIDTH)
}

fn stdout_is_terminal() -> bool {
    use std::io::IsTerminal;
    io::stdout().is_terminal()
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
        let plain = cell.render(Style {
            color: false,
            full_ids: false,
        });
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
