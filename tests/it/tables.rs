//! Tables in a real terminal of a set size (80 and 200 columns): every row is one line no wider
//! than the terminal, no word is broken across lines (a cell is whole or cut with `…`), ids are
//! their shortest unique prefix — and whole in `-o json` at the same terminal.
#![cfg(unix)]

use crate::common::{Emu, sized_pty};
use rexpect::session::{PtySession, spawn_command};
use serde_json::Value;
use std::collections::BTreeSet;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

const WIDTHS: [u16; 2] = [80, 200];

/// `ep` in a pty `cols` wide.
fn ep_sized(emu: &Emu, cols: u16, args: &[&str]) -> PtySession {
    let mut ep = emu.ep_process();
    ep.env("TERM", "xterm-256color").args(args);
    spawn_command(sized_pty(&ep, cols), Some(30_000)).unwrap()
}

/// What the terminal shows, line by line: escape sequences dropped, and of a line redrawn after
/// a carriage return (a spinner) only what was drawn last.
fn screen(raw: &str) -> Vec<String> {
    // rexpect hands over each byte as a char: the UTF-8 of `…` arrives as three.
    let raw = if raw.chars().all(|c| u32::from(c) <= 0xff) {
        let bytes: Vec<u8> = raw.chars().map(|c| u32::from(c) as u8).collect();
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        raw.to_string()
    };
    let mut plain = String::new();
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            plain.push(c);
            continue;
        }
        match chars.next() {
            Some('[') => {
                for c in chars.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&c) {
                        break;
                    }
                }
            }
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\u{7}' || (c == '\u{1b}' && chars.next_if_eq(&'\\').is_some()) {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    plain
        .split('\n')
        .map(|line| {
            let line = line.strip_suffix('\r').unwrap_or(line);
            line.rsplit('\r').next().unwrap_or_default().to_string()
        })
        .collect()
}

/// Everything ep printed at a terminal `cols` wide, and whether it exited 0.
fn run_sized(emu: &Emu, cols: u16, args: &[&str]) -> Vec<String> {
    let mut p = ep_sized(emu, cols, args);
    let out = p.exp_eof().unwrap();
    let status = p.process().wait().unwrap();
    assert!(
        matches!(status, rexpect::process::WaitStatus::Exited(_, 0)),
        "{args:?} at {cols}: {status:?}\n{out}"
    );
    screen(&out)
}

/// `-o json` of the same command at the same terminal (quiet, so stderr adds nothing).
fn json_sized(emu: &Emu, cols: u16, args: &[&str]) -> Value {
    let args: Vec<&str> = args.iter().copied().chain(["-o", "json", "-q"]).collect();
    let text = run_sized(emu, cols, &args).join("\n");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// A table as drawn: its header line and one line per row, cut into cells at the columns where
/// the header's names start.
struct Drawn {
    header: String,
    names: Vec<&'static str>,
    rows: Vec<Vec<String>>,
    lines: Vec<String>,
}

impl Drawn {
    /// The table whose header starts with `first` among `names` (those drawn, in order).
    fn find(screen: &[String], names: &[&'static str]) -> Drawn {
        let at = screen
            .iter()
            .position(|l| l.starts_with(names[0]) && l.contains(names[1]))
            .unwrap_or_else(|| panic!("no {names:?} table in\n{}", screen.join("\n")));
        let header = screen[at].clone();
        let names: Vec<&'static str> = names
            .iter()
            .copied()
            .filter(|n| column_start(&header, n).is_some())
            .collect();
        let rule = &screen[at + 1];
        assert!(
            rule.trim().chars().all(|c| c == '─' || c == ' '),
            "no rule under the header: {rule:?}"
        );
        let starts: Vec<usize> = names
            .iter()
            .map(|n| column_start(&header, n).unwrap())
            .collect();
        let mut rows = Vec::new();
        let mut lines = vec![header.clone(), rule.clone()];
        for line in &screen[at + 2..] {
            // Each character with the terminal column it starts at (wide ones take two).
            let mut column = 0;
            let placed: Vec<(usize, char)> = line
                .chars()
                .map(|c| {
                    let at = column;
                    column += c.width().unwrap_or(0);
                    (at, c)
                })
                .collect();
            let cell = |i: usize| -> String {
                let to = starts.get(i + 1).copied().unwrap_or(usize::MAX);
                placed
                    .iter()
                    .filter(|(at, _)| *at >= starts[i] && *at < to)
                    .map(|(_, c)| c)
                    .collect::<String>()
                    .trim()
                    .to_string()
            };
            // A row starts with its id; a line with an empty first cell would be a wrapped cell,
            // and one that starts otherwise is what ep said after the table.
            let first = cell(0);
            if first.is_empty() || !uuid_like(first.trim_end_matches('…')) {
                break;
            }
            rows.push((0..names.len()).map(cell).collect());
            lines.push(line.clone());
        }
        Drawn {
            header,
            names,
            rows,
            lines,
        }
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| *n == name)
    }

    fn cells(&self, name: &str) -> Vec<&str> {
        let i = self
            .column(name)
            .unwrap_or_else(|| panic!("no {name} in {:?}", self.header));
        self.rows.iter().map(|r| r[i].as_str()).collect()
    }

    /// No line wider than the terminal.
    fn assert_fits(&self, cols: u16, what: &str) {
        for line in &self.lines {
            assert!(
                line.width() <= usize::from(cols),
                "{what} at {cols}: {} columns: {line:?}\n{}",
                line.width(),
                self.lines.join("\n")
            );
        }
    }
}

fn column_start(header: &str, name: &str) -> Option<usize> {
    let at = if header.starts_with(name) {
        0
    } else {
        header.find(&format!(" {name}"))? + 1
    };
    Some(header[..at].width())
}

/// A cell is the whole value, or its start cut with `…`: never a word broken onto a next line.
fn assert_whole_or_cut(cell: &str, whole: &str, what: &str) {
    if cell == whole {
        return;
    }
    let kept = cell
        .strip_suffix('…')
        .unwrap_or_else(|| panic!("{what}: {cell:?} is neither {whole:?} nor cut with …"));
    assert!(
        whole.starts_with(kept) && !kept.is_empty(),
        "{what}: {cell:?} is not the start of {whole:?}"
    );
}

/// Ids shown as prefixes: marked with `…`, at least 8 characters, each the start of exactly one
/// of the whole ids, all different. Returns the whole ids in the order shown.
fn assert_short_ids(cells: &[&str], whole: &[String], what: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    cells
        .iter()
        .map(|cell| {
            let prefix = cell
                .strip_suffix('…')
                .unwrap_or_else(|| panic!("{what}: {cell:?} is not marked as shortened"));
            assert!(
                prefix.chars().filter(|c| *c != '-').count() >= 8,
                "{what}: {cell:?} is shorter than 8"
            );
            assert!(seen.insert(prefix.to_string()), "{what}: {cell:?} twice");
            let matching: Vec<&String> = whole.iter().filter(|id| id.starts_with(prefix)).collect();
            assert_eq!(matching.len(), 1, "{what}: {cell:?} matches {matching:?}");
            matching[0].clone()
        })
        .collect()
}

fn is_full_guid(id: &str) -> bool {
    id.len() == 36 && uuid_like(id)
}

fn uuid_like(id: &str) -> bool {
    id.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
}

fn sales_onboarding(emu: &Emu) -> (String, String) {
    let id = emu.edge_package();
    let name = emu
        .truth()
        .into_iter()
        .find(|r| r.package_id == id)
        .map(|r| r.package_name)
        .unwrap();
    (id, name)
}

#[test]
fn requests_list_fits_the_terminal_without_the_package_it_was_asked_for() {
    let emu = Emu::start();
    let (package, _) = sales_onboarding(&emu);
    let args = ["requests", "list", "--package", package.as_str()];
    for cols in WIDTHS {
        let json = json_sized(&emu, cols, &args);
        let records = json.as_array().unwrap();
        let ids: Vec<String> = records
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
        assert!(ids.iter().all(|id| is_full_guid(id)), "{ids:?}");

        let drawn = Drawn::find(
            &run_sized(&emu, cols, &args),
            &[
                "REQUEST",
                "STATE",
                "REQUESTOR",
                "PACKAGE",
                "COMPLETED",
                "ELIGIBLE",
            ],
        );
        drawn.assert_fits(cols, "requests list");
        assert!(drawn.column("PACKAGE").is_none(), "{}", drawn.header);
        assert_eq!(
            drawn.rows.len(),
            records.len(),
            "a row per request, each one line"
        );
        let shown = assert_short_ids(&drawn.cells("REQUEST"), &ids, "REQUEST");
        // The table is in the JSON's order: newest completion first.
        assert_eq!(shown, ids);
        let latest: Vec<&str> = records
            .iter()
            .map(|r| {
                r["completedDateTime"]
                    .as_str()
                    .or(r["createdDateTime"].as_str())
                    .unwrap()
            })
            .collect();
        assert!(latest.windows(2).all(|w| w[0] >= w[1]), "{latest:?}");
        for (row, record) in drawn.rows.iter().zip(records) {
            let cell = |name: &str| row[drawn.column(name).unwrap()].as_str();
            // The state is what a listing is read for: always whole.
            assert_eq!(cell("STATE"), record["state"].as_str().unwrap());
            let requestor = record["requestor"]["displayName"].as_str().unwrap_or("");
            if !requestor.is_empty() {
                assert_whole_or_cut(cell("REQUESTOR"), requestor, "REQUESTOR");
            }
            if let Some(reason) = record["reason"].as_str() {
                // A reason that is only the state, which STATE shows, is not repeated.
                let verdict = if reason == format!("state {}", record["state"].as_str().unwrap()) {
                    "no".to_string()
                } else {
                    format!("no: {reason}")
                };
                assert_whole_or_cut(cell("ELIGIBLE"), &verdict, "ELIGIBLE");
            } else {
                assert!(cell("ELIGIBLE").starts_with("yes"), "{row:?}");
                // When the window closes is kept whole, at 80 columns too.
                assert!(cell("ELIGIBLE").starts_with("yes, closes in"), "{row:?}");
                assert!(!cell("ELIGIBLE").ends_with('…'), "{row:?}");
            }
            if cols == 200 && !requestor.is_empty() {
                assert_eq!(cell("REQUESTOR"), requestor);
            }
        }
    }
}

#[test]
fn full_ids_keeps_ids_whole_at_a_terminal() {
    let emu = Emu::start();
    let (package, _) = sales_onboarding(&emu);
    let drawn = Drawn::find(
        &run_sized(
            &emu,
            200,
            &["requests", "list", "--package", &package, "--full-ids"],
        ),
        &["REQUEST", "STATE", "REQUESTOR", "COMPLETED", "ELIGIBLE"],
    );
    let cells = drawn.cells("REQUEST");
    assert!(!cells.is_empty());
    assert!(cells.iter().all(|id| is_full_guid(id)), "{cells:?}");
}

#[test]
fn requests_why_gives_the_cause_the_room() {
    let emu = Emu::start();
    let (package, _) = sales_onboarding(&emu);
    let args = ["requests", "why", "--package", package.as_str()];
    for cols in WIDTHS {
        let json = json_sized(&emu, cols, &args);
        let groups = json["groups"].as_array().unwrap();
        assert!(!groups.is_empty());
        let every_id: Vec<String> = groups
            .iter()
            .flat_map(|g| g["requests"].as_array().unwrap())
            .map(|id| id.as_str().unwrap().to_string())
            .collect();
        assert!(every_id.iter().all(|id| is_full_guid(id)), "{every_id:?}");

        let drawn = Drawn::find(
            &run_sized(&emu, cols, &args),
            &[
                "NEWEST",
                "COUNT",
                "SOURCE",
                "CAUSE",
                "REPROCESSABLE",
                "OLDEST",
            ],
        );
        drawn.assert_fits(cols, "requests why");
        assert_eq!(
            drawn.rows.len(),
            groups.len(),
            "a row per cause, each one line"
        );
        let newest: Vec<String> = groups
            .iter()
            .map(|g| g["requests"][0].as_str().unwrap().to_string())
            .collect();
        let shown = assert_short_ids(&drawn.cells("NEWEST"), &every_id, "NEWEST");
        assert_eq!(shown, newest);
        let mut cut = false;
        for (cell, group) in drawn.cells("CAUSE").iter().zip(groups) {
            let reason = group["reason"].as_str().unwrap();
            let cause = match group["resource"].as_object() {
                Some(r) => format!(
                    "{} ({}): {reason}",
                    r["displayName"].as_str().unwrap(),
                    r["kind"].as_str().unwrap()
                ),
                None => reason.to_string(),
            };
            assert_whole_or_cut(cell, &cause, "CAUSE");
            if *cell != cause {
                cut = true;
                // Cut only once the rest has given way: never squeezed to a few characters, and
                // given most of a wide terminal.
                let least = if cols == 200 { 100 } else { 24 };
                assert!(cell.chars().count() >= least, "CAUSE {cell:?} at {cols}");
            }
        }
        if cut {
            assert!(
                drawn.column("OLDEST").is_none(),
                "the cause was cut while OLDEST was shown: {}",
                drawn.header
            );
        }
        if let Some(i) = drawn.column("OLDEST") {
            let cells: Vec<&str> = drawn
                .rows
                .iter()
                .map(|r| r[i].as_str())
                .filter(|c| *c != "-")
                .collect();
            assert_short_ids(&cells, &every_id, "OLDEST");
        }
    }
}

#[test]
fn a_dry_run_fits_the_terminal_and_its_json_keeps_whole_ids() {
    let emu = Emu::start();
    let (package, name) = sales_onboarding(&emu);
    let eligible = emu.eligible(Some(&package));
    let args = [
        "reprocess",
        "--package",
        package.as_str(),
        "--all",
        "--dry-run",
    ];
    for cols in WIDTHS {
        let json = json_sized(&emu, cols, &args);
        let ids: Vec<String> = json["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            ids.iter().cloned().collect::<BTreeSet<_>>(),
            eligible,
            "whole ids in -o json"
        );

        let drawn = Drawn::find(
            &run_sized(&emu, cols, &args),
            &["REQUEST", "OUTCOME", "DETAIL"],
        );
        drawn.assert_fits(cols, "reprocess --dry-run");
        assert_eq!(
            drawn.rows.len(),
            ids.len(),
            "a row per request, each one line"
        );
        let shown = assert_short_ids(&drawn.cells("REQUEST"), &ids, "REQUEST");
        assert_eq!(shown, ids, "the table in the JSON's order");
        for (outcome, detail) in drawn.cells("OUTCOME").iter().zip(drawn.cells("DETAIL")) {
            assert_eq!(*outcome, "would-reprocess");
            // The package the run was given goes without saying.
            assert!(!detail.contains(&name), "{detail:?}");
            assert!(detail.contains("deliveryFailed") || detail.contains("partiallyDel"));
            if cols == 200 {
                assert!(!detail.ends_with('…'), "{detail:?}");
            }
        }
    }
    assert_eq!(emu.reprocess_posts(), 0);
}

#[test]
fn picker_lines_fit_the_terminal() {
    let emu = Emu::start();
    let (package, _) = sales_onboarding(&emu);
    let eligible: Vec<String> = emu.eligible(Some(&package)).into_iter().collect();
    // 0: a terminal that reports no size, which inquire takes for 80 columns.
    for cols in [80u16, 120, 0] {
        let mut p = ep_sized(
            &emu,
            cols,
            &["reprocess", "--package", &package, "--select"],
        );
        p.exp_string("Reprocess which requests?").unwrap();
        // inquire's help line comes after the options.
        let drawn = p.exp_string("to move").unwrap();
        let lines = screen(&drawn);
        let options: Vec<&String> = lines
            .iter()
            .filter(|l| l.contains("[ ]") || l.contains("[x]"))
            .collect();
        assert!(!options.is_empty(), "{lines:#?}");
        let width = if cols == 0 { 80 } else { usize::from(cols) };
        for line in &lines {
            assert!(
                line.width() < width,
                "{} columns at {cols}: {line:?}",
                line.width()
            );
        }
        // One line per option, between the rest of the question's line and the start of the
        // help line: none wrapped onto a line of its own.
        let body = &lines[1..lines.len() - 1];
        assert!(
            body.iter().all(|l| l.contains("[ ]") || l.contains("[x]")),
            "a wrapped option at {cols}: {body:#?}"
        );
        // Each option leads with a short id, unique among those offered.
        let cells: Vec<&str> = options
            .iter()
            .map(|l| {
                let l = l.split("] ").nth(1).unwrap();
                l.split_whitespace().next().unwrap()
            })
            .collect();
        assert_short_ids(&cells, &eligible, "picker");
        p.send_control('c').unwrap();
        p.exp_eof().unwrap();
    }
    assert_eq!(emu.reprocess_posts(), 0);
}
