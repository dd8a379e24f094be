//! Choosing what to reprocess: ids from arguments and stdin, listings, the picker, the
//! confirmation, and the journal's skips.

use super::{PlanItem, Step, error_info};
use crate::cli::ReprocessArgs;
use crate::commands::requests::with_package;
use crate::commands::{Context, parse_guid};
use crate::diag;
use crate::eligibility::{Eligibility, closes_within, closing_label, format_age, judge_request};
use crate::error::{CliError, ExitStatus};
use crate::graph::{AccessPackage, AssignmentRequest, GraphError, RequestFilter, RequestState};
use crate::journal::{self, JournalWriter};
use crate::output::{Progress, RequestRecord};
use crate::sanitize;
use crate::sanitize::excerpt;
use chrono::{DateTime, Duration, Utc};
use futures_util::{StreamExt, stream};
use std::path::PathBuf;

/// Stdin is read whole before anything is sent, up to this much (1.7 million ids).
const MAX_STDIN_BYTES: usize = 64 * 1024 * 1024;

/// A line longer than this is not an id with a comment: it is refused without being repeated.
const MAX_LINE_CHARS: usize = 4096;

/// Ids from the command line and/or stdin: validated and de-duplicated before any call.
pub(super) async fn collect_ids(
    mut ids: Vec<String>,
    stdin: bool,
) -> Result<Vec<String>, CliError> {
    if stdin {
        let bytes = read_stdin().await?;
        let from_stdin = ids_from_text(&decode_text(&bytes)?)?;
        if from_stdin.is_empty() && ids.is_empty() {
            return Err(CliError::usage("no request ids on stdin").with_hint(
                "pipe ids one per line, e.g. ep requests list --package X --reprocessable -o ids | ep reprocess -",
            ));
        }
        ids.extend(from_stdin);
    }
    let mut seen = std::collections::HashSet::new();
    let mut unique = Vec::with_capacity(ids.len());
    for raw in ids {
        let id = parse_guid(&raw, "request id")?;
        if seen.insert(id.clone()) {
            unique.push(id);
        }
    }
    Ok(unique)
}

async fn read_stdin() -> Result<Vec<u8>, CliError> {
    use tokio::io::AsyncReadExt;
    let mut bytes = Vec::new();
    tokio::io::stdin()
        .take(MAX_STDIN_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .await
        .map_err(|e| CliError::usage(format!("could not read ids from stdin: {e}")))?;
    if bytes.len() > MAX_STDIN_BYTES {
        return Err(CliError::usage(format!(
            "more than {} MiB on stdin: that is not a list of request ids",
            MAX_STDIN_BYTES / (1024 * 1024)
        )));
    }
    Ok(bytes)
}

const ENCODING_HINT: &str = "save the ids as UTF-8 text, one per line (PowerShell: \
    '... | Out-File -Encoding utf8 ids.txt', then 'Get-Content ids.txt | ep reprocess -')";

/// Stdin as text. Windows tools write byte-order marks: UTF-8's is dropped, UTF-16 (what
/// PowerShell 5.1's `>` writes) is decoded, anything else must be UTF-8. Refusals name the
/// encoding found rather than quote bytes that are not text.
pub(super) fn decode_text(bytes: &[u8]) -> Result<String, CliError> {
    let refuse = |what: String| CliError::usage(what).with_hint(ENCODING_HINT);
    let utf16 = |body: &[u8], name: &str, unit: fn([u8; 2]) -> u16| {
        if body.len() % 2 != 0 {
            return Err(refuse(format!(
                "stdin is {name} (it starts with that byte-order mark) but ends in half a character"
            )));
        }
        let units = body.chunks_exact(2).map(|c| unit([c[0], c[1]]));
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|_| {
                refuse(format!(
                    "stdin starts with a {name} byte-order mark but is not valid {name}"
                ))
            })
    };
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => {
            std::str::from_utf8(rest).map(str::to_string).map_err(|e| {
                refuse(format!(
                    "stdin starts with a UTF-8 byte-order mark but is not UTF-8 ({e})"
                ))
            })
        }
        [0xFF, 0xFE, 0, 0, ..] | [0, 0, 0xFE, 0xFF, ..] => Err(refuse(
            "stdin is UTF-32 text, which ep does not read".into(),
        )),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, "UTF-16LE", u16::from_le_bytes),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, "UTF-16BE", u16::from_be_bytes),
        _ => std::str::from_utf8(bytes).map(str::to_string).map_err(|e| {
            let nul = bytes.iter().take(64).filter(|b| **b == 0).count();
            if nul >= 2 {
                refuse(
                    "stdin looks like UTF-16 without a byte-order mark; ep reads UTF-8 \
                        (or UTF-16 with its byte-order mark)"
                        .into(),
                )
            } else {
                refuse(format!("stdin is not UTF-8 text ({e})"))
            }
        }),
    }
}

/// The ids in stdin's text: one per line, `#` comments and blank lines ignored, each a GUID.
pub(super) fn ids_from_text(text: &str) -> Result<Vec<String>, CliError> {
    let mut ids = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let length = line.chars().count();
        if length > MAX_LINE_CHARS {
            return Err(CliError::usage(format!(
                "stdin line {line_no} is {length} characters long, too long for a request id: '{}'",
                excerpt(line)
            )));
        }
        // A byte-order mark can also start a line: files concatenated with `cat`.
        let content = line
            .split('#')
            .next()
            .unwrap_or_default()
            .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if content.is_empty() {
            continue;
        }
        let id = parse_guid(content, "request id").map_err(|e| CliError {
            message: format!("stdin line {line_no}: {}", e.message),
            ..e
        })?;
        ids.push(id);
    }
    Ok(ids)
}

/// Look up each named request; judge it now, against the current state rather than what a
/// listing said earlier.
pub(super) async fn plan_for_ids(
    ctx: &Context,
    ids: Vec<String>,
    now: DateTime<Utc>,
    window: Duration,
    force: bool,
    concurrency: usize,
) -> anyhow::Result<Vec<PlanItem>> {
    let mut looked_up: Vec<(usize, String, Result<AssignmentRequest, GraphError>)> =
        stream::iter(ids.into_iter().enumerate())
            .map(|(i, id)| {
                let client = ctx.client.clone();
                async move {
                    let found = client.get_request(&id).await;
                    (i, id, found)
                }
            })
            .buffer_unordered(concurrency)
            .collect()
            .await;
    looked_up.sort_by_key(|(i, _, _)| *i);
    let mut plan = Vec::with_capacity(looked_up.len());
    for (_, id, found) in looked_up {
        match found {
            Ok(request) => {
                let label = Some(label(&request));
                let step = match judge_request(&request, now, window) {
                    Eligibility::Reprocessable => Step::Send,
                    Eligibility::Ineligible(reason) if force => {
                        diag::note(format!("{id}: {reason}; sending anyway (--force)"));
                        Step::Send
                    }
                    Eligibility::Ineligible(reason) => Step::Skip(reason.to_string()),
                };
                plan.push(PlanItem {
                    id,
                    label,
                    step,
                    completed: request.completed,
                });
            }
            // A request that cannot be found, or an id Graph calls invalid, fails alone.
            Err(e) if matches!(e.status(), Some(400 | 404)) => plan.push(PlanItem {
                id,
                label: None,
                step: Step::Fail(error_info(&e)),
                completed: None,
            }),
            // Anything else (no permission, Graph down) would fail every id the same way:
            // stop before sending anything.
            Err(e) => return Err(anyhow::Error::new(e).context(format!("checking request {id}"))),
        }
    }
    Ok(plan)
}

/// Every reprocessable request of a package (or the tenant), listed in full, newest first.
pub(super) async fn plan_for_listing(
    ctx: &Context,
    package: Option<&AccessPackage>,
    now: DateTime<Utc>,
    window: Duration,
    closing_within: Option<Duration>,
) -> anyhow::Result<Vec<PlanItem>> {
    let mut judge = ListingJudge::new(package, now, window, closing_within);
    let mut records = Vec::new();
    let progress = Progress::spinner("listing failed requests");
    ctx.client
        .list_requests(&judge.filter(), |page| {
            progress.inc(page.len());
            records.extend(page.into_iter().filter_map(|r| judge.admit(r)));
            Ok(())
        })
        .await?;
    progress.finish();
    judge.notes();
    records.sort_by(RequestRecord::newest_first);
    Ok(records.into_iter().map(ListingJudge::plan_item).collect())
}

/// Which listed failed requests are in scope: reprocessable now and, with `--closing-within`,
/// about to leave the window. Counts what it leaves out, to say so once the listing is done.
pub(super) struct ListingJudge {
    package: Option<AccessPackage>,
    now: DateTime<Utc>,
    window: Duration,
    closing_within: Option<Duration>,
    /// Failed, but completed too long ago (or never).
    outside: usize,
    /// Reprocessable, but not closing within `closing_within`.
    later: usize,
}

impl ListingJudge {
    pub(super) fn new(
        package: Option<&AccessPackage>,
        now: DateTime<Utc>,
        window: Duration,
        closing_within: Option<Duration>,
    ) -> Self {
        ListingJudge {
            package: package.cloned(),
            now,
            window,
            closing_within,
            outside: 0,
            later: 0,
        }
    }

    /// The failed requests of the package (or tenant).
    pub(super) fn filter(&self) -> RequestFilter {
        RequestFilter {
            package_id: self.package.as_ref().map(|p| p.id.clone()),
            states: RequestState::FAILED.to_vec(),
        }
    }

    /// The request's record when it is in scope.
    pub(super) fn admit(&mut self, request: AssignmentRequest) -> Option<RequestRecord> {
        let request = with_package(request, self.package.as_ref());
        let record = RequestRecord::new(request, self.now, self.window);
        let closing = self.closing_within.is_none_or(|within| {
            closes_within(
                &record.state,
                record.completed,
                self.now,
                self.window,
                within,
            )
        });
        match (record.reprocessable, closing) {
            (true, true) => return Some(record),
            (true, false) => self.later += 1,
            (false, _) => self.outside += 1,
        }
        None
    }

    /// What was left out, once the listing is done.
    pub(super) fn notes(&self) {
        if self.outside > 0 {
            let scope = match &self.package {
                Some(p) => format!("--package {}", p.id),
                None => "--all-packages".into(),
            };
            diag::note(format!(
                "{} failed request(s) left out: completed more than {} ago or without a completion time \
                 (see 'ep requests list {scope} --state deliveryFailed,partiallyDelivered')",
                self.outside,
                format_age(self.window)
            ));
        }
        if let (true, Some(within)) = (self.later > 0, self.closing_within) {
            diag::note(format!(
                "{} reprocessable request(s) left out: their window closes later than --closing-within {}",
                self.later,
                format_age(within)
            ));
        }
    }

    pub(super) fn plan_item(r: RequestRecord) -> PlanItem {
        let closes = r
            .closes
            .map(|at| format!(" · {}", closing_label(at, r.judged_at)))
            .unwrap_or_default();
        PlanItem {
            label: Some(format!(
                "{} · {} · {} · completed {}{closes}",
                r.requestor_label(),
                r.package_label(),
                r.state,
                r.age_label()
            )),
            id: r.id,
            step: Step::Send,
            completed: r.completed,
        }
    }
}

fn label(request: &AssignmentRequest) -> String {
    format!(
        "{} · {}",
        crate::output::requestor_label(request.requestor.as_ref()),
        crate::output::package_label(request.access_package.as_ref())
    )
}

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

pub(super) async fn confirm(count: usize) -> anyhow::Result<bool> {
    let answer = tokio::task::spawn_blocking(move || {
        inquire::Confirm::new(&format!("Reprocess {count} request(s)?"))
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

/// The journal to use: `--journal`, else the default location, none with `--no-journal`.
pub(super) fn journal_path(args: &ReprocessArgs) -> Option<PathBuf> {
    if args.no_journal {
        return None;
    }
    args.journal.clone().or_else(journal::default_path)
}

/// A request Graph accepted within the journal window is being retried by Graph itself:
/// sending it again achieves nothing.
pub(super) fn skip_recently_accepted(
    plan: &mut [PlanItem],
    path: &std::path::Path,
    graph: &str,
    now: DateTime<Utc>,
    journal_window: Duration,
) {
    let mut recent = RecentlyAccepted::load(path, graph, now, journal_window);
    for item in plan.iter_mut() {
        recent.judge(item);
    }
    recent.notes();
}

/// The journal's acceptances within `--journal-window`, read once, and how many planned
/// requests they skipped.
pub(super) struct RecentlyAccepted {
    accepted: std::collections::HashMap<String, DateTime<Utc>>,
    path: PathBuf,
    now: DateTime<Utc>,
    journal_window: Duration,
    skipped: usize,
}

impl RecentlyAccepted {
    pub(super) fn load(
        path: &std::path::Path,
        graph: &str,
        now: DateTime<Utc>,
        journal_window: Duration,
    ) -> Self {
        // --journal-window is bounded, but a clock near its end must not panic either.
        let since = now
            .checked_sub_signed(journal_window)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let accepted = journal::accepted_since(path, graph, since).unwrap_or_else(|e| {
            diag::warn(format!(
                "could not read the journal {}: {e}",
                path.display()
            ));
            Default::default()
        });
        RecentlyAccepted {
            accepted,
            path: path.to_path_buf(),
            now,
            journal_window,
            skipped: 0,
        }
    }

    /// Turn a planned send into a skip when the journal has it accepted lately.
    pub(super) fn judge(&mut self, item: &mut PlanItem) {
        if !matches!(item.step, Step::Send) {
            return;
        }
        if let Some(at) = self.accepted.get(&item.id) {
            item.step = Step::Skip(format!(
                "reprocessed {} ago by ep (journal); Graph keeps retrying it for several hours, --force sends it again",
                format_age(self.now - *at)
            ));
            self.skipped += 1;
        }
    }

    pub(super) fn notes(&self) {
        if self.skipped > 0 {
            diag::note(format!(
                "{} request(s) were reprocessed less than {} ago (journal {}); skipping them",
                self.skipped,
                format_age(self.journal_window),
                self.path.display()
            ));
        }
    }
}

/// Open the journal before anything is sent. A journal the user named must work; the default
/// one is a convenience, and a machine without a writable state directory still runs.
pub(super) fn open_journal(
    args: &ReprocessArgs,
    path: Option<&std::path::Path>,
    to_send: usize,
) -> anyhow::Result<Option<JournalWriter>> {
    let Some(path) = path else { return Ok(None) };
    if to_send == 0 {
        return Ok(None);
    }
    match JournalWriter::open(path) {
        Ok(w) => Ok(Some(w)),
        Err(e) if args.journal.is_some() => Err(CliError::usage(format!(
            "cannot write the journal {}: {e}",
            path.display()
        ))
        .with_hint("choose a writable --journal FILE, or --no-journal")
        .into()),
        Err(e) => {
            diag::warn(format!("no journal this run ({}: {e})", path.display()));
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ID: &str = "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea";

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mut out = if big_endian {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for unit in text.encode_utf16() {
            out.extend(if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            });
        }
        out
    }

    #[test]
    fn byte_order_marks_are_understood() {
        let text = format!("{ID}\r\n# done\r\n");
        let mut utf8 = vec![0xEF, 0xBB, 0xBF];
        utf8.extend(text.as_bytes());
        for bytes in [
            utf8,
            utf16(&text, false),
            utf16(&text, true),
            text.clone().into_bytes(),
        ] {
            let decoded = decode_text(&bytes).unwrap();
            assert_eq!(ids_from_text(&decoded).unwrap(), vec![ID.to_string()]);
        }
        // cat a.txt b.txt, each with its own BOM
        let joined = format!("\u{feff}{ID}\n\u{feff}{}\n", ID.to_uppercase());
        assert_eq!(ids_from_text(&joined).unwrap().len(), 2);
    }

    #[test]
    fn other_encodings_are_refused_by_name() {
        let e = decode_text(&[0xFF, 0xFE, 0, 0, 0x39, 0, 0, 0]).unwrap_err();
        assert!(e.message.contains("UTF-32"), "{}", e.message);
        let mut bom_less = Vec::new();
        for unit in ID.encode_utf16() {
            bom_less.extend(unit.to_le_bytes());
        }
        bom_less.push(0xFF);
        let e = decode_text(&bom_less).unwrap_err();
        assert!(
            e.message.contains("UTF-16 without a byte-order mark"),
            "{}",
            e.message
        );
        let e = decode_text(&[0xFF, 0xFE, 0x39]).unwrap_err();
        assert!(e.message.contains("half a character"), "{}", e.message);
        let e = decode_text(b"abc\xC3(").unwrap_err();
        assert!(e.message.contains("not UTF-8"), "{}", e.message);
        assert!(e.hint.unwrap().contains("Out-File -Encoding utf8"));
    }

    #[test]
    fn long_lines_are_refused_without_being_repeated() {
        let line = "A".repeat(5_000_000);
        let e = ids_from_text(&format!("{ID}\n{line}\n")).unwrap_err();
        assert!(
            e.message.starts_with("stdin line 2 is 5000000 characters"),
            "{}",
            &e.message[..80]
        );
        assert!(e.message.len() < 200, "{}", e.message.len());
        assert!(e.message.contains('…'));
        let e = ids_from_text(&format!("{}\n", "B".repeat(300))).unwrap_err();
        assert!(e.message.contains("stdin line 1:"), "{}", e.message);
        assert!(e.message.len() < 200, "{}", e.message);
    }

    proptest! {
        #[test]
        fn decoding_never_panics_and_errors_stay_short(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            match decode_text(&bytes).and_then(|t| ids_from_text(&t)) {
                Ok(ids) => prop_assert!(ids.iter().all(|i| uuid::Uuid::try_parse(i).is_ok())),
                Err(e) => prop_assert!(e.message.chars().count() < 300, "{}", e.message),
            }
        }

        #[test]
        fn any_unicode_list_of_ids_survives_every_supported_encoding(
            ids in prop::collection::vec(any::<[u8; 16]>(), 0..20),
            crlf in any::<bool>(),
            comment in "[^\r\n]{0,30}",
        ) {
            let ids: Vec<String> = ids.iter().map(|b| uuid::Uuid::from_bytes(*b).hyphenated().to_string()).collect();
            let newline = if crlf { "\r\n" } else { "\n" };
            let text: String = ids.iter().map(|i| format!("{i} #{comment}{newline}")).collect();
            let mut bom = vec![0xEF, 0xBB, 0xBF];
            bom.extend(text.as_bytes());
            for bytes in [text.clone().into_bytes(), bom, utf16(&text, false), utf16(&text, true)] {
                let got = ids_from_text(&decode_text(&bytes).unwrap()).unwrap();
                prop_assert_eq!(&got, &ids);
            }
        }
    }
}
